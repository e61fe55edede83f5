"""The daily text summary (每日简报) for group bots and e-mail: at most 800 characters of Chinese.

Three parts: headline numbers per shop (支付金额 with 环比/周同比, 访客数, 支付转化率, 推广花费/ROI,
净利, 退款率) read from the master table with the catalog's labels, after the 合计 of the same figures
(a 合计 resting on some shops only carries its coverage, "访客数 7,766⁽³⁄₅⁾", and a line names the
shops it leaves out); 时间进度 vs 完成进度 lines; and
the top findings with their one-line explanation, in the order given (the caller ranks them by
money at stake and ends with a ``more`` line, "另有 N 条…", for what its budget left out). The last
two are passed in by the caller as :class:`PacingLine` and :class:`FindingLine` records (an empty
list leaves the part out).

When the text would be longer than the limit, the least important lines go first (lowest-severity
findings, then the second and first detail lines of each shop, medium findings, pacing lines,
high findings, shop headlines) and a last line says "…另有 N 条". Unknown values are "—", never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from shopops.errors import UserError
from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.coverage import has_data
from shopops.metrics.source import WarehouseReader
from shopops.metrics.totals import TOTAL_SHOP, Coverage, total_coverage
from shopops.settings import Settings

LIMIT = 800
DASH = "—"
MINUS = "−"
WEEKDAYS = "一二三四五六日"
SEVERITY_RANKS = {"critical": 0, "严重": 0, "high": 1, "高": 1, "medium": 2, "中": 2, "low": 3, "低": 3}
SEVERITY_LABELS = {"critical": "严重", "high": "高", "medium": "中", "low": "低"}

# Priorities: 0 is never cut; a larger number is cut earlier (and, within one number, later lines first).
(
    KEEP,
    SHOP_HEADLINE,
    TOTAL_DETAIL,
    FINDING_HIGH,
    PACING,
    FINDING_MEDIUM,
    SHOP_TRAFFIC,
    SHOP_MONEY,
    FINDING_LOW,
) = range(9)
# The 合计 figures after its 支付金额 (the shops' lines show the same).
TOTAL_FIGURES = ("visitors", "conversion_rate", "ad_spend", "net_profit")


@dataclass(frozen=True)
class PacingLine:
    """One target's progress, e.g. ("云朵旗舰店 11月支付金额", 0.8, 0.723, "落后")."""

    label: str
    time_progress: float | None  # elapsed share of the period (0.8 = 80%)
    done_progress: float | None  # achieved share of the target
    status: str = ""  # shown as given: 超前 / 正常 / 落后 …


@dataclass(frozen=True)
class FindingLine:
    """One finding with its explanation, already phrased as one line of Chinese; or, with ``more``,
    the line saying how many findings were left out ("另有 N 条…", unnumbered, never cut)."""

    severity: str  # critical | high | medium | low (or 严重 / 高 / 中 / 低); "" for a more line
    text: str
    more: bool = False
    count: int = 1  # the findings this line stands for: 1, or (a more line) how many were left out


@dataclass(frozen=True)
class Summary:
    day: dt.date
    title: str
    text: str  # at most the limit, in characters
    markdown: str  # the same lines for the bots that render Markdown
    omitted: int  # lines left out to stay within the limit


class SummarySource(WarehouseReader, Protocol):
    """What the summary needs from a workspace (the Workspace class has all of it)."""

    settings: Settings

    def shops(self) -> list[tuple[str, str, Decimal]]: ...


@dataclass(frozen=True)
class _Line:
    text: str
    priority: int
    role: str = "line"  # title | head | detail | section | line
    section: str = ""


def compose_summary(
    source: SummarySource,
    day: dt.date | None = None,
    *,
    shops: Sequence[str] | None = None,
    pacing: Sequence[PacingLine] = (),
    findings: Sequence[FindingLine] = (),
    limit: int = LIMIT,
) -> Summary:
    """The summary of ``day`` (default: the latest day with data) over the selected shops (default: all)."""
    first, last = source.data_dates()
    if first is None or last is None:
        raise UserError("the warehouse has no data yet — import exports first: shopops import FILE…")
    day = day or last
    registered = [name for name, _, _ in source.shops()]
    for shop in shops or []:
        if shop not in registered:
            raise UserError(
                f"shop {shop!r} is not registered (shops: {', '.join(registered) or 'none'}) — see `shopops shop list`"
            )
    selected = list(shops) if shops else registered
    if not has_data(source.connection, day, day, selected):
        raise UserError(
            f"no data for {day}: no imported export covers it — the warehouse has data from {first} to {last};"
            " pick a --date in that range"
        )
    frame = source.master_table(day, day, shops=selected, compare=True, total=len(selected) > 1)
    rows = [row for row in frame.iter_rows(named=True) if row["date"] == day]
    title = f"店铺日报 {day}（周{WEEKDAYS[day.weekday()]}）"
    coverage = {key: cover for (date, key), cover in total_coverage(frame).items() if date == day}
    writer = _Writer(load_catalog(), source.settings.money_unit, coverage)
    lines = [_Line(title, KEEP, "title")]
    lines += _completeness_lines(source, day, last, rows)
    lines += writer.shop_lines(rows)
    lines += _pacing_lines(pacing)
    lines += _finding_lines(findings)
    kept, omitted = _trim(lines, limit)
    text = _render_text(kept, omitted)
    if len(text) > limit:  # only when the title and 合计 alone are too long
        text = text[: limit - 1] + "…"
    return Summary(day, title, text, _render_markdown(kept, omitted), omitted)


def _completeness_lines(
    source: SummarySource, day: dt.date, last: dt.date, rows: list[dict[str, Any]]
) -> list[_Line]:
    """A day whose exports are not whole says so; the latest complete day says which day it passed over."""
    if any(row.get("complete") is False for row in rows):
        return [_Line(f"（注意：{day} 的数据不完整，数字不全）", KEEP, "detail")]
    skipped = source.incomplete_days() if day == last else []
    if skipped:
        days = "、".join(sorted({f"{p.date:%m-%d}" for p in skipped}))
        return [_Line(f"（{days} 数据不完整，本简报写最近完整的一天）", KEEP, "detail")]
    return []


class _Writer:
    """Metric values and changes as an operator writes them: ¥1,234.56 / 3.45% / 2.16, 环比 −12.5%."""

    def __init__(
        self, catalog: Catalog, money_unit: str, coverage: dict[str, Coverage] | None = None
    ) -> None:
        self.catalog = catalog
        self.money_unit = money_unit
        self.coverage = coverage or {}  # of the 合计 row, per metric key

    def shop_lines(self, rows: list[dict[str, Any]]) -> list[_Line]:
        lines = []
        total = [row for row in rows if row["shop"] == TOTAL_SHOP]
        if total:
            # Shops of several platforms: their 合计 adds up different 口径 and says so (first sentence
            # of the note; the whole note is in the 日报 and on the dashboard).
            note = str(total[0].get("basis_note") or "").split("。", 1)[0]
            lines.append(
                _Line(
                    f"【{TOTAL_SHOP}】{self.headline(total[0])}" + (f"（{note}）" if note else ""),
                    KEEP,
                    "head",
                )
            )
            figures = "，".join(self.figure(total[0], key) for key in TOTAL_FIGURES)
            lines.append(_Line(figures, TOTAL_DETAIL, "detail"))
            partial = self.partial_line()
            if partial:
                lines.append(_Line(partial, TOTAL_DETAIL, "detail"))
        for row in rows:
            if row["shop"] == TOTAL_SHOP:
                continue
            lines.append(_Line(f"【{row['shop']}】{self.headline(row)}", SHOP_HEADLINE, "head"))
            traffic = f"{self.with_change(row, 'visitors')}，{self.with_change(row, 'conversion_rate')}"
            lines.append(_Line(traffic, SHOP_TRAFFIC, "detail"))
            money = "，".join(
                self.figure(row, key) for key in ("ad_spend", "ad_roi", "net_profit", "refund_rate")
            )
            lines.append(_Line(money, SHOP_MONEY, "detail"))
        return lines

    def headline(self, row: dict[str, Any]) -> str:
        return (
            f"{self.figure(row, 'gmv')}，{self.change(row, 'gmv', 'prev')}，{self.change(row, 'gmv', 'wow')}"
        )

    def with_change(self, row: dict[str, Any], key: str) -> str:
        """The figure and its 环比 in brackets (no brackets when the figure itself is unknown)."""
        if _number(row.get(key)) is None:
            return self.figure(row, key)
        return f"{self.figure(row, key)}（{self.change(row, key, 'prev')}）"

    def figure(self, row: dict[str, Any], key: str) -> str:
        text = f"{self.catalog.label(key)} {self.value(key, row.get(key))}"
        cover = self.coverage.get(key)
        if row["shop"] == TOTAL_SHOP and cover and _number(row.get(key)) is not None:
            text += cover.mark
        return text

    def partial_line(self) -> str:
        """ "合计只含部分店铺：访客数、支付转化率 缺 小野家居；净利 缺 云朵京东旗舰店" (figures shown only)."""
        by_missing: dict[tuple[str, ...], list[str]] = {}
        for key in ("gmv", *TOTAL_FIGURES):
            cover = self.coverage.get(key)
            if cover and cover.partial:
                by_missing.setdefault(cover.missing, []).append(self.catalog.label(key))
        parts = [f"{'、'.join(labels)} 缺 {'、'.join(missing)}" for missing, labels in by_missing.items()]
        return f"合计只含部分店铺：{'；'.join(parts)}" if parts else ""

    def value(self, key: str, raw: Any) -> str:
        number = _number(raw)
        if number is None:
            return DASH
        metric = self.catalog.metric(key)
        if metric.unit == "money":
            if self.money_unit == "万元" and "/" not in metric.formula:
                return f"{number / 10_000:,.2f}万"
            return f"¥{number:,.2f}"
        if metric.unit == "count":
            return f"{number:,.0f}"
        if metric.unit == "ratio" and not metric.is_multiple:
            return f"{number * 100:.2f}%"
        return f"{number:.2f}"

    def change(self, row: dict[str, Any], key: str, comparison: str) -> str:
        label = {"prev": "环比", "wow": "周同比", "yoy": "同比"}[comparison]
        number = _number(row.get(f"{key}_{comparison}_change"))
        if number is None:
            return f"{label} {DASH}"
        metric = self.catalog.metric(key)
        if metric.unit in ("money", "count"):
            return f"{label} {_signed(number * 100, 1)}%"
        if metric.unit == "ratio" and not metric.is_multiple:
            return f"{label} {_signed(number * 100, 2)}pp"
        return f"{label} {_signed(number, 2)}"


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _signed(number: float, decimals: int) -> str:
    text = f"{abs(number):.{decimals}f}"
    if float(text) == 0:
        return text
    return ("+" if number > 0 else MINUS) + text


def _percent(value: float | None) -> str:
    number = _number(value)
    return DASH if number is None else f"{number * 100:.1f}%"


def _pacing_lines(pacing: Sequence[PacingLine]) -> list[_Line]:
    if not pacing:
        return []
    lines = [_Line("目标进度（时间进度 / 完成进度）", PACING, "section", "pacing")]
    for item in pacing:
        text = (
            f"{item.label}：时间进度 {_percent(item.time_progress)}，完成进度 {_percent(item.done_progress)}"
        )
        if item.status:
            text += f"，{item.status}"
        lines.append(_Line(text, PACING, "detail", "pacing"))
    return lines


def _finding_lines(findings: Sequence[FindingLine]) -> list[_Line]:
    if not findings:
        return []
    lines = [_Line("重点发现", FINDING_HIGH, "section", "findings")]
    more = [finding for finding in findings if finding.more]
    for number, finding in enumerate((f for f in findings if not f.more), start=1):
        rank = SEVERITY_RANKS.get(finding.severity.strip().lower(), 4)
        priority = FINDING_HIGH if rank <= 1 else (FINDING_MEDIUM if rank == 2 else FINDING_LOW)
        label = SEVERITY_LABELS.get(finding.severity.strip().lower(), finding.severity.strip())
        marker = f"[{label}] " if label else ""
        text = " ".join(finding.text.split())
        lines.append(_Line(f"{number}. {marker}{text}", priority, "detail", "findings"))
    lines += [_Line(" ".join(f.text.split()), KEEP, "detail", "findings") for f in more]
    return lines


def _visible(lines: list[_Line]) -> list[_Line]:
    """Drop a section heading whose lines were all cut."""
    filled = {line.section for line in lines if line.role != "section"}
    return [line for line in lines if line.role != "section" or line.section in filled]


def _render_text(lines: list[_Line], omitted: int) -> str:
    parts = [("  " + line.text) if line.role == "detail" else line.text for line in _visible(lines)]
    if omitted:
        parts.append(f"…另有 {omitted} 条")
    return "\n".join(parts)


def _render_markdown(lines: list[_Line], omitted: int) -> str:
    parts = []
    for line in _visible(lines):
        if line.role == "title":
            parts.append(f"#### {line.text}")
        elif line.role == "section":
            parts.append(f"**{line.text}**")
        elif line.role == "detail":
            parts.append(f"- {line.text}")
        elif line.role == "head" and "】" in line.text:
            name, _, rest = line.text.partition("】")
            parts.append(f"**{name}】**{rest}")
        else:
            parts.append(line.text)
    if omitted:
        parts.append(f"…另有 {omitted} 条")
    return "\n\n".join(parts)


def _trim(lines: list[_Line], limit: int) -> tuple[list[_Line], int]:
    kept = list(lines)
    omitted = 0
    while len(_render_text(kept, omitted)) > limit:
        candidates = [i for i, line in enumerate(kept) if line.priority > KEEP and line.role != "section"]
        if not candidates:
            break
        drop = max(candidates, key=lambda i: (kept[i].priority, i))
        del kept[drop]
        omitted += 1
    return kept, omitted
