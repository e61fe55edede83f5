"""`shopops reviews`: the 中差评 of a period linked to order, SKU and refund, 待处理差评 first; with
``--themes`` the keyword themes of the 差评 per SKU (or ``--by style``).

Defaults: ``--to`` today (China), ``--from`` the reply window before it (``returns.review_window_days``,
30), so every review still open to a reply is in. Tables fit the terminal; review text is the
buyer's and is shown literally (never read as markup), cut to a few words — ``--format csv|json|xlsx``
give it whole with every column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click
import polars as pl
from rich.console import Console
from rich.markup import escape

from shopops.cli.context import err, open_workspace, out, parse_day, user_errors
from shopops.cli.fitted_tables import (
    FORMAT_XLSX_OPTION,
    OUTPUT_OPTION,
    SHOPS_OPTION,
    Column,
    emit_table,
    emit_workbook,
    excerpt,
    omitted_line,
    print_no_data,
    print_tables,
)
from shopops.domains.returns.reviews import (
    BAD,
    GOOD,
    MIDDLING,
    REVIEW_COLUMNS,
    china_today,
    review_list,
)
from shopops.domains.returns.rules import ReturnRules
from shopops.domains.returns.themes import THEME_COLUMNS, review_themes
from shopops.errors import UserError

HOW = (
    "还没有导入评价：先导入评价导出（抖店 评价导出 .xlsx，或淘宝/天猫 评价插件导出的 CSV — 一个商品一个文件，"
    "文件名写上商品ID），例如 `shopops import 评价_652341234567.csv --shop 店铺名`"
)
LIST_TABLE = (
    Column("days_left", "剩余\n天数", "count", 0),
    Column("review_day", "日期", "text", 0),
    Column("shop", "店铺", "text", 8),
    Column("grade_text", "评级", "text", 0),
    Column("product", "商品", "text", 3),
    Column("excerpt", "评价内容", "text", 0),
    Column("link", "关联", "text", 4),
    Column("order_id", "订单号", "text", 7),
    Column("refund_text", "退款", "text", 2),
    Column("refund_reason", "退款原因", "text", 6),
    Column("link_note", "关联说明", "text", 9),
)
THEMES_TABLE = (
    Column("shop", "店铺", "text", 6),
    Column("product", "SKU / 款式", "text", 0),
    Column("reviews", "差评数", "count", 2),
    Column("keyword", "关键词", "text", 0),
    Column("mentions", "提及", "count", 0),
    Column("share", "占比", "ratio", 3),
    Column("reason_class", "原因大类", "text", 1),
    Column("excerpt", "示例", "text", 5),
)
LABELS = {
    "shop": "店铺", "grade": "评级", "score": "评分", "reviewed_at": "评价时间", "pending": "待处理",
    "deadline": "可修改截止日", "days_left": "剩余天数", "replied": "已回复", "content": "评价内容",
    "follow_up": "追评", "follow_up_at": "追评时间", "reply": "商家回复", "buyer": "买家昵称", "link": "关联方式",
    "link_note": "关联说明", "order_id": "订单号", "line_id": "子订单号", "paid_at": "付款时间", "sku": "SKU",
    "sku_code": "商家编码", "spec": "规格", "style": "款式", "color": "颜色", "size": "尺码", "item_id": "商品ID",
    "title": "商品名称", "refund_id": "退款/售后单号", "refund_kind": "售后类型", "refund_reason": "退款原因",
    "refund_class": "原因大类", "refund_outcome": "退款结果", "refund_amount": "退款金额",
    "refund_cases": "该单售后数", "source": "来源", "source_row": "文件行号",
    "by": "按", "product": "SKU/款式", "reviews": "差评数", "keyword": "关键词", "mentions": "提及评价数",
    "share": "占比", "reason_class": "原因大类", "example": "示例评价",
}  # fmt: skip
UNITS = {
    "refund_amount": "money",
    "share": "ratio",
    "score": "count",
    "mentions": "count",
    "reviews": "count",
}


@click.command("reviews")
@click.option("--from", "start", callback=parse_day, help="First review day (default: the reply window).")
@click.option("--to", "end", callback=parse_day, help="Last review day (default: today).")
@SHOPS_OPTION
@click.option("--all", "everything", is_flag=True, help="Also the 好评 (default: 差评 and 中评 only).")
@click.option("--themes", is_flag=True, help="The keyword themes of the 差评 per SKU instead of the list.")
@click.option(
    "--by", type=click.Choice(["sku", "style"]), default="sku", show_default=True, help="Themes per."
)
@FORMAT_XLSX_OPTION
@OUTPUT_OPTION
@click.pass_context
@user_errors
def reviews_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    shops: tuple[str, ...],
    everything: bool,
    themes: bool,
    by: str,
    output_format: str,
    output: Path | None,
) -> None:
    """中差评 linked to their order, SKU and refund; 待处理差评 (within the reply window, no reply) first.

    差评: 评分 ≤ returns.bad_score (2) or 评价等级 差评; 中评: 评分 3 or 中评. 淘宝/天猫 plugin reviews
    have no order number: linked by buyer nickname + 规格 only where exactly one order fits (关联说明
    says why not). `--themes` ranks the words of the 差评 per SKU (`--by style`: per 款式).
    """
    if output_format == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs a file: add -o 中差评.xlsx")
    workspace = open_workspace(ctx)
    known = {name for name, _, _ in workspace.shops()}
    for shop in shops:
        if shop not in known:
            raise UserError(f"no shop named {shop!r} — `shopops shop list` shows the shops")
    rules = ReturnRules.from_settings(workspace.settings.raw)
    today = china_today()
    end = end or today
    start = start or end - dt.timedelta(days=rules.review_window_days)
    if start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    grades = (BAD, MIDDLING, GOOD) if everything else (BAD, MIDDLING)
    listed = review_list(
        workspace.connection, start, end, list(shops) or None, rules, today=today, grades=grades
    )
    columns = THEME_COLUMNS if themes else REVIEW_COLUMNS
    if not listed.has_reviews:
        if output_format == "xlsx":
            err.print(escape(HOW))
        else:
            print_no_data(output_format, columns, HOW)
        return
    period = f"{start}…{end}"
    if themes:
        frame = review_themes(listed.frame, rules, by="style" if by == "style" else "sku")
        lines = [_themes_line(listed.frame, frame, period), *listed.notes[:1], THEMES_NOTE]
        _emit(frame, output_format, output, THEMES_TABLE, f"差评主题 {period}", lines, "差评主题")
        return
    frame = listed.frame
    if output_format != "table":
        _emit(frame, output_format, output, (), "", listed.notes, "中差评")
        return
    if frame.is_empty():
        what = "评价" if everything else "中差评"
        out.print(escape(f"{period} 没有{what}（共导入的评价里没有这段时间的）"))
        for line in listed.notes[:1]:
            out.print(escape(line))
        return
    shown = _for_table(frame)
    pending = shown.filter(pl.col("pending"))
    rest = shown.filter(~pl.col("pending")).with_columns(days_left=pl.lit(None, pl.Int64))
    sections = []
    if pending.height:
        sections.append((pending, f"待处理差评（{rules.review_window_days} 天内、未回复）"))
    if rest.height:
        sections.append(
            (rest, f"{'评价' if everything else '中差评'} {period}" + (" · 其余" if pending.height else ""))
        )
    _print_sections(sections, output, listed.notes)


THEMES_NOTE = "评价主题：评价内容与追评分词（rjieba），去掉停用词、单字、数字和否定后的缺陷词（不起球），每条评价每个词只计一次"


def _themes_line(reviews: pl.DataFrame, themes: pl.DataFrame, period: str) -> str:
    bad = reviews.filter(pl.col("grade") == BAD).height
    if not bad:
        return f"{period} 没有差评"
    products = themes.select("shop", "product").unique().height
    return f"{period} 差评 {bad} 条，{products} 个 SKU/款式 有关键词"


def _emit(
    frame: pl.DataFrame,
    output_format: str,
    output: Path | None,
    columns: Sequence[Column],
    title: str,
    lines: Sequence[str],
    sheet: str,
) -> None:
    if output_format == "xlsx":
        assert output is not None
        emit_workbook(frame, output, lines, labels=LABELS, units=UNITS, sheet=sheet)
        return
    if output_format == "table":
        frame = frame.with_columns(excerpt=pl.col("example").map_elements(_excerpt, return_dtype=pl.String))
    emit_table(frame, output_format, output, columns, title, lines)


def _for_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The display columns: the day, 评级 with its score, what the SKU is, a cut of the text, the refund."""

    def product(row: dict[str, object]) -> str | None:
        parts = [str(row[k]) for k in ("style", "color", "size") if row[k]]
        return " ".join(parts) if parts else (_excerpt(row["spec"], 14) or None)

    def refund(row: dict[str, object]) -> str | None:
        if row["refund_id"] is None:
            return None
        text = "·".join(str(row[k]) for k in ("refund_kind", "refund_outcome") if row[k]) or "有"
        return text + (f"（共{row['refund_cases']}）" if int(str(row["refund_cases"])) > 1 else "")

    rows = frame.to_dicts()
    return frame.with_columns(
        review_day=pl.col("reviewed_at").dt.strftime("%m-%d"),
        grade_text=pl.when(pl.col("score").is_null())
        .then(pl.col("grade"))
        .otherwise(pl.concat_str(pl.col("grade"), pl.lit("·"), pl.col("score").cast(pl.String))),
        product=pl.Series([product(r) for r in rows], dtype=pl.String),
        excerpt=pl.Series([_excerpt(r["content"], 18, bool(r["follow_up"])) for r in rows], dtype=pl.String),
        refund_text=pl.Series([refund(r) for r in rows], dtype=pl.String),
    )


def _summary(sections: Sequence[tuple[pl.DataFrame, str]]) -> str:
    frames = [frame for frame, _ in sections]
    total = sum(frame.height for frame in frames)
    pending = sum(frame["pending"].sum() for frame in frames)
    linked = sum(frame.filter(pl.col("order_id").is_not_null()).height for frame in frames)
    refunded = sum(frame.filter(pl.col("refund_id").is_not_null()).height for frame in frames)
    return f"共 {total} 条，待处理 {pending} 条，已关联订单 {linked} 条，其中有退款/售后 {refunded} 条"


def _excerpt(text: object, width: int = 24, follow_up: bool = False) -> str:
    """The text on one line, cut to ``width`` terminal cells with "…", marked when a 追评 follows."""
    return excerpt(text, width) + ("+追评" if follow_up else "")


def _print_sections(
    sections: Sequence[tuple[pl.DataFrame, str]], output: Path | None, notes: Sequence[str]
) -> None:
    def write(console: Console) -> None:
        left_out: list[str] = []
        for frame, title in sections:
            columns = LIST_TABLE if frame["days_left"].null_count() < frame.height else LIST_TABLE[1:]
            left_out += [c for c in print_tables(console, frame, columns, title) if c not in left_out]
        for line in [_summary(sections), omitted_line(left_out), *notes]:
            if line:
                console.print(escape(line), soft_wrap=False)

    if output is None:
        write(out)
        return
    with output.open("w", encoding="utf-8") as handle:
        write(Console(file=handle, width=out.width, highlight=False, soft_wrap=True))
    total = sum(frame.height for frame, _ in sections)
    out.print(f"已写出 {escape(str(output))}（{total} 行）")
