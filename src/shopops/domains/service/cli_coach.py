"""The coaching card as the terminal shows it (`shopops service coach`): Chinese, one screen, 80 columns."""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shopops.cli.fitted_tables import DASH
from shopops.domains.service.coaching import Change, CoachCard, Figure, Unit

NEAR = 0.05  # a shortfall under 5 % is said to be close to the team


def figure_text(unit: Unit, value: float | None) -> str:
    if value is None:
        return DASH
    if unit == "ratio":
        return f"{value:.2%}"
    if unit == "seconds":
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def change_text(change: Change) -> str:
    if change.unit == "ratio":
        return f"{change.change * 100:+.2f}pp"
    if change.unit == "per100":
        return f"{change.change:+.2f}"
    return f"{change.change:+.0%}"


def gap_text(figure: Figure) -> str:
    if figure.shortfall is None:
        return DASH
    return f"差 {figure.shortfall:.0%}" if figure.shortfall > 0 else f"好 {-figure.shortfall:.0%}"


def print_card(console: Console, card: CoachCard) -> None:
    group = f" · {card.group}" if card.group else ""
    console.print(f"[bold]客服辅导卡 · {escape(card.person)}（{escape(card.shop)}{group}）· {card.month}[/]")
    console.print(
        f"{card.start:%m-%d} ~ {card.end:%m-%d}，上班 {card.days} 天；账号 {escape(card.accounts)}；"
        f"对比同组 {card.team_size} 人的中位数",
        soft_wrap=False,
    )
    console.print()
    if card.team_size < 2:
        console.print("[bold]同组只有本人，无法与团队比较[/]")
    elif card.weakest:
        console.print(f"[bold]最弱的 {len(card.weakest)} 项[/]（与团队中位数相比，差得最多的在前）")
    else:
        console.print("[bold]没有低于团队中位数的指标[/]")
    for number, figure in enumerate(card.weakest, 1):
        near = "，接近团队水平" if (figure.shortfall or 0.0) < NEAR else ""
        console.print(
            f" {number}. {figure.label}  本人 {figure_text(figure.unit, figure.value)}  "
            f"团队 {figure_text(figure.unit, figure.team_median)}  {gap_text(figure)}{near}"
        )
        months = [f"{_month(m, card.month)} {figure_text(figure.unit, v)}" for m, v in figure.history]
        _wrapped(console, "    近几个月：", months)
        days = [
            f"{d.date:%m-%d} {figure_text(figure.unit, d.value)}（团队 {figure_text(figure.unit, d.team_median)}）"
            for d in figure.worst_days
        ]
        if days:
            _wrapped(console, "    最差的日子：", days)
    console.print()
    if card.changes:
        console.print(f"[bold]与上月（{card.previous_month}）相比[/]")
        for change in card.changes:
            word = "变好" if change.better else "变差"
            console.print(
                f"  {word}  {change.label}  {figure_text(change.unit, change.before)} → "
                f"{figure_text(change.unit, change.after)}（{change_text(change)}）"
            )
    else:
        console.print(f"与上月（{card.previous_month}）相比没有明显变化")
    console.print()
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title="全部指标", title_justify="left"
    )
    for header in ("指标", "本人", "团队中位数", "差距"):
        table.add_column(header, justify="left" if header == "指标" else "right", no_wrap=True)
    for figure in card.figures:
        table.add_row(
            figure.label,
            figure_text(figure.unit, figure.value),
            figure_text(figure.unit, figure.team_median),
            gap_text(figure),
        )
    console.print(table)
    for note in card.notes:
        console.print(escape(note), soft_wrap=False)  # wrapped at the console's width


def _month(month: str, card_month: str) -> str:
    """ "8月" within the card's year, "2025-12" across it."""
    year, number = month.split("-")
    return f"{int(number)}月" if year == card_month[:4] else month


def _wrapped(console: Console, head: str, parts: list[str]) -> None:
    """``head`` and ``parts`` joined by " · ", continued on indented lines to fit the console."""
    indent = " " * cell_len(head)
    line = head
    for number, part in enumerate(parts):
        candidate = line + part if number == 0 else f"{line} · {part}"
        if number and cell_len(candidate) > console.width:
            console.print(escape(line))
            line = indent + part
        else:
            line = candidate
    console.print(escape(line))
