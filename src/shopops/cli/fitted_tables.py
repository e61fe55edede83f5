"""How a domain's tables read in a terminal (`shopops service …`, `shopops stock …`): Chinese headers,
"—" for unknown, 12.34 %, money with thousands separators, and a table that fits the terminal.

When all columns do not fit the terminal's width, the tables are split per shop (the shop in the
title instead of a column) and the least useful columns are left out, lowest priority first (a
column with no known value at all before any other); the line under the tables names what was left
out and how to see it (a wider terminal, ``--format csv``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import click
import polars as pl
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from shopops.cli.context import err, out
from shopops.reports.export import to_csv, to_json, write_table

Kind = Literal["text", "count", "ratio", "money", "seconds", "flag", "date"]

# The options every domain table command takes (DESIGN §5: --format table|csv|json, -o, --shop).
FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
# The same with a workbook (--format xlsx needs -o): for lists a user takes to Excel.
FORMAT_XLSX_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json", "xlsx"]),
    default="table",
    show_default=True,
)
OUTPUT_OPTION = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead."
)
SHOPS_OPTION = click.option("--shop", "-s", "shops", multiple=True, help="Only this shop (repeatable).")
DASH = "—"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # may break over lines with "\n"; the label is the header without them
    kind: Kind
    priority: int  # 0 = always kept; larger = left out sooner when the terminal is narrow

    @property
    def label(self) -> str:
        return self.header.replace("\n", "")


def cell(kind: Kind, value: object) -> str:
    """One value as the tables write it: unknown "—", ratios 12.34%, money 1,234.50, seconds 12.3."""
    if value is None:
        return DASH
    if kind == "flag":
        return "是" if value else ""
    if kind == "ratio" and isinstance(value, (int, float)):
        return f"{value:.2%}"
    if kind == "money" and isinstance(value, (int, float, Decimal)):
        return f"{value:,.2f}"
    if kind == "seconds" and isinstance(value, (int, float)):
        return f"{value:,.1f}"
    if kind == "count" and isinstance(value, (int, float)):
        return f"{value:,.0f}"
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def excerpt(text: object, width: int) -> str:
    """The text on one line, cut to ``width`` terminal cells (a Chinese character is two) with "…":
    a long name or reason in a table cell, whose full text csv/json give."""
    line = " ".join(str(text or "").split())
    if cell_len(line) <= width:
        return line
    cut = ""
    for char in line:
        if cell_len(cut + char) > width - 1:
            break
        cut += char
    return cut + "…"


def print_tables(
    console: Console,
    frame: pl.DataFrame,
    columns: Sequence[Column],
    title: str,
    *,
    width: int | None = None,
    split: bool = True,
) -> list[str]:
    """Print ``frame`` as one table, or one per shop when that does not fit ``width`` (the console's),
    leaving out low-priority columns until it fits; returns the labels of the columns left out.
    ``split`` False: always one table (a row per shop, such as a summary, reads better that way)."""
    width = width or console.width
    shops = frame["shop"].unique(maintain_order=True).to_list() if "shop" in frame.columns else []
    one = [c for c in columns if c.key in frame.columns and not (c.key == "shop" and len(shops) <= 1)]
    single_title = f"{title} · {shops[0]}" if len(shops) == 1 else title
    if not split or _width(console, _table(frame, one, single_title)) <= width or len(shops) <= 1:
        kept = _fit(console, frame, one, width, single_title)
        console.print(_table(frame, kept, single_title))
        return [c.label for c in one if c not in kept]
    per_shop = [c for c in one if c.key != "shop"]
    # The same columns in every shop's table: fitted over all rows (as wide as the widest shop's).
    kept = _fit(console, frame, per_shop, width, title)
    widths = {c.key: _column_width(frame, c) for c in kept}  # every shop's table as wide
    for shop in shops:
        console.print(_table(frame.filter(pl.col("shop") == shop), kept, f"{title} · {shop}", widths))
    return [c.label for c in one if c not in kept and c.key != "shop"]


def omitted_line(labels: Sequence[str]) -> str:
    if not labels:
        return ""
    return f"终端较窄，未显示：{'、'.join(labels)}（加宽终端，或用 --format csv / json 查看全部列）"


def _fit(
    console: Console, frame: pl.DataFrame, columns: Sequence[Column], width: int, title: str
) -> list[Column]:
    kept = list(columns)
    unknown = {c.key for c in columns if frame[c.key].null_count() == frame.height}
    order = sorted((c for c in columns if c.priority > 0), key=lambda c: (c.key not in unknown, -c.priority))
    for column in order:
        if _width(console, _table(frame, kept, title)) <= width:
            break
        kept.remove(column)
    return kept


def _column_width(frame: pl.DataFrame, column: Column) -> int:
    cells = [cell(column.kind, v) for v in frame[column.key].to_list()]
    return max(cell_len(line) for line in [*column.header.split("\n"), *cells])


def _table(
    frame: pl.DataFrame, columns: Sequence[Column], title: str, widths: dict[str, int] | None = None
) -> Table:
    table = Table(
        title=Text(title),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
    )
    for column in columns:
        table.add_column(
            column.header,
            justify="left" if column.kind == "text" else "right",
            no_wrap=True,
            min_width=(widths or {}).get(column.key),
        )
    for row in frame.select([c.key for c in columns]).iter_rows():
        table.add_row(*(Text(cell(c.kind, v)) for c, v in zip(columns, row, strict=True)))
    return table


def _width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update_width(10_000), table).maximum


def print_no_data(output_format: str, columns: Sequence[str], line: str) -> None:
    """One line saying what to import; JSON/CSV keep standard output parseable (an empty list / header)."""
    if output_format == "json":
        click.echo("[]")
    elif output_format == "csv":
        click.echo(",".join(columns))
    (err if output_format != "table" else out).print(escape(line))


def emit_table(
    frame: pl.DataFrame,
    output_format: str,
    output: Path | None,
    columns: Sequence[Column],
    title: str,
    lines: Sequence[str],
    *,
    split: bool = True,
) -> None:
    """A domain command's result: ``csv``/``json`` give every column (English names) on standard
    output or in ``output``, with ``lines`` (口径, notes) on stderr; ``table`` gives the fitted tables,
    what they left out, then ``lines`` — in ``output`` when given."""
    if output_format in ("csv", "json"):
        text = to_csv(frame) if output_format == "csv" else to_json(frame) + "\n"
        emit_text(text, output, f"{frame.height} 行", lines)
        return
    if output is None:
        _print_with_lines(out, frame, columns, title, lines, split)
        return
    with output.open("w", encoding="utf-8") as handle:
        console = Console(file=handle, width=out.width, highlight=False, soft_wrap=True)
        _print_with_lines(console, frame, columns, title, lines, split)
    out.print(f"已写出 {escape(str(output))}（{frame.height} 行）")


def emit_text(text: str, output: Path | None, size: str, lines: Sequence[str]) -> None:
    """Machine-readable output (CSV, JSON) on standard output or in ``output`` (saying how much,
    ``size``), with ``lines`` (口径, notes) on stderr so they never mix into the data."""
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"已写出 {escape(str(output))}（{size}）")
    for line in lines:
        err.print(escape(line))


def emit_workbook(
    frame: pl.DataFrame,
    output: Path,
    lines: Sequence[str],
    *,
    labels: Mapping[str, str],
    units: Mapping[str, str],
    sheet: str,
) -> None:
    """``--format xlsx``: every column in one sheet with Chinese headers (``labels``) and number formats
    (``units``), the 口径 lines on stderr."""
    write_table(frame, "xlsx", output, labels=labels, units=units, sheet=sheet)
    err.print(f"已写出 {escape(str(output))}（{frame.height} 行）")
    for line in lines:
        err.print(escape(line))


def _print_with_lines(
    console: Console,
    frame: pl.DataFrame,
    columns: Sequence[Column],
    title: str,
    lines: Sequence[str],
    split: bool = True,
) -> None:
    left_out = print_tables(console, frame, columns, title, split=split)
    for line in [omitted_line(left_out), *lines]:
        if line:
            console.print(escape(line), soft_wrap=False)  # wrapped at the console's width
