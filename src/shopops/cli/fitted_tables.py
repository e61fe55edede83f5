"""How a domain's tables read in a terminal (`shopops service …`, `shopops stock …`): Chinese headers,
"—" for unknown, 12.34 %, money with thousands separators, and a table that fits the terminal.

When all columns do not fit the terminal's width, the tables are split per shop (the shop in the
title instead of a column) and the least useful columns are left out, lowest priority first (a
column with no known value at all before any other); the line under the tables names what was left
out and how to see it (a wider terminal, ``--format csv``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import click
import polars as pl
from click.core import ParameterSource
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from shopops.cli.context import err, out
from shopops.cli.options import shop_option
from shopops.reports.csv_cells import safe_frame
from shopops.reports.export import to_csv, to_json, write_table

Kind = Literal["text", "count", "ratio", "money", "seconds", "flag", "date"]

TSV_HELP = (
    "Without --format, standard output that is not a terminal gets plain TSV "
    "(English column names, unknown as an empty cell)."
)
# The options every domain table command takes (DESIGN §5: --format table|csv|json, -o, --shop).
FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help=TSV_HELP,
)
# The same with a workbook (--format xlsx needs -o): for lists a user takes to Excel.
FORMAT_XLSX_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json", "xlsx"]),
    default="table",
    show_default=True,
    help=TSV_HELP,
)
OUTPUT_OPTION = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead."
)
SHOPS_OPTION = shop_option()
DASH = "—"
WRAP_WIDTH = 24  # the fewest cells a wrapping column gets; less, and the records print as blocks


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # may break over lines with "\n"; the label is the header without them
    kind: Kind
    priority: int  # 0 = always kept; larger = left out sooner when the terminal is narrow
    wrap: bool = False  # long text that may wrap over lines in its cell (needs WRAP_WIDTH cells)

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
    ``split`` False: always one table (a row per shop, such as a summary, reads better that way).
    When even the columns always kept do not fit, every record is a block of lines instead."""
    width = width or console.width
    shops = frame["shop"].unique(maintain_order=True).to_list() if "shop" in frame.columns else []
    one = [c for c in columns if c.key in frame.columns and not (c.key == "shop" and len(shops) <= 1)]
    single_title = f"{title} · {shops[0]}" if len(shops) == 1 else title
    if (
        not split
        or _width(console, _table(frame, one, single_title, measure=True)) <= width
        or len(shops) <= 1
    ):
        kept = _fit(console, frame, one, width, single_title)
        if _width(console, _table(frame, kept, single_title, measure=True)) > width:
            print_blocks(console, frame, one, single_title)
            return []
        console.print(_table(frame, kept, single_title))
        return [c.label for c in one if c not in kept]
    per_shop = [c for c in one if c.key != "shop"]
    # The same columns in every shop's table: fitted over all rows (as wide as the widest shop's).
    kept = _fit(console, frame, per_shop, width, title)
    if _width(console, _table(frame, kept, title, measure=True)) > width:
        for shop in shops:
            print_blocks(console, frame.filter(pl.col("shop") == shop), per_shop, f"{title} · {shop}")
        return []
    widths = {c.key: _column_width(frame, c) for c in kept if not c.wrap}  # every shop's table as wide
    for shop in shops:
        console.print(_table(frame.filter(pl.col("shop") == shop), kept, f"{title} · {shop}", widths))
    return [c.label for c in one if c not in kept and c.key != "shop"]


def print_blocks(console: Console, frame: pl.DataFrame, columns: Sequence[Column], title: str) -> None:
    """One block per record: its first column as the block's heading, then one "列名  值" line per
    other column (a long value wraps under itself) — for a terminal too narrow for the table."""
    if title:
        console.print(Text(title))
    if not columns:
        return
    head, rest = columns[0], columns[1:]
    labels = max((cell_len(c.label) for c in rest), default=0)
    for row in frame.select([c.key for c in columns]).iter_rows():
        console.print(Text(f"▌{cell(head.kind, row[0])}", style="bold"))
        grid = Table.grid(padding=(0, 1), pad_edge=False)
        grid.add_column(no_wrap=True, min_width=labels, style="dim")
        grid.add_column(overflow="fold")
        for column, value in zip(rest, row[1:], strict=True):
            grid.add_row(Text(column.label), Text(cell(column.kind, value)))
        console.print(grid)


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
        if _width(console, _table(frame, kept, title, measure=True)) <= width:
            break
        kept.remove(column)
    return kept


def _column_width(frame: pl.DataFrame, column: Column) -> int:
    cells = [cell(column.kind, v) for v in frame[column.key].to_list()]
    return max(cell_len(line) for line in [*column.header.split("\n"), *cells])


def _table(
    frame: pl.DataFrame,
    columns: Sequence[Column],
    title: str,
    widths: dict[str, int] | None = None,
    *,
    measure: bool = False,
) -> Table:
    """The table; ``measure``: as narrow as it may get (a wrapping column at WRAP_WIDTH cells)."""
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
            no_wrap=not column.wrap,
            overflow="fold" if column.wrap else "ellipsis",
            min_width=(widths or {}).get(column.key),
            max_width=WRAP_WIDTH if column.wrap and measure else None,
        )
    for row in frame.select([c.key for c in columns]).iter_rows():
        table.add_row(*(Text(cell(c.kind, v)) for c, v in zip(columns, row, strict=True)))
    return table


def _width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update_width(10_000), table).maximum


def plain_output(console: Console | None = None) -> bool:
    """Whether a table goes out as plain TSV: standard output is no terminal, ``COLUMNS`` is not set,
    and the command's ``--format`` (if it has one) was not given on the command line."""
    if (console is not None and console is not out) or out.is_terminal:
        return False
    if os.environ.get("COLUMNS", "").isdigit():
        return False
    ctx = click.get_current_context(silent=True)
    for name in ("output_format", "fmt"):
        if ctx is not None and name in ctx.params:
            return ctx.get_parameter_source(name) in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    return True


def to_tsv(frame: pl.DataFrame) -> str:
    """Plain TSV: header row of the column names, tab-separated, no quoting, unknown as an empty cell
    (as CSV), ratios as fractions, money with 2 decimals; tabs and line breaks inside text become spaces."""
    flat = frame.select([name for name, kind in frame.schema.items() if not kind.is_nested()])
    flat = flat.with_columns(
        pl.col(pl.Float64).round(6), pl.col(pl.String).str.replace_all(r"[\t\r\n]+", " ")
    )
    return safe_frame(flat).write_csv(
        separator="\t", null_value="", date_format="%Y-%m-%d", quote_style="never"
    )


def print_no_data(output_format: str, columns: Sequence[str], line: str) -> None:
    """One line saying what to import; JSON/CSV keep standard output parseable (an empty list / header)."""
    if output_format == "json":
        click.echo("[]")
    elif output_format == "csv":
        click.echo(",".join(columns))
    (err if output_format != "table" else out).print(escape(line))  # no table, so no TSV either


def emit_table(
    frame: pl.DataFrame,
    output_format: str,
    output: Path | None,
    columns: Sequence[Column],
    title: str,
    lines: Sequence[str],
    *,
    split: bool = True,
    plain: pl.DataFrame | None = None,
) -> None:
    """A domain command's result: ``csv``/``json`` give every column (English names) on standard
    output or in ``output``, with ``lines`` (口径, notes) on stderr; ``table`` gives the fitted tables,
    what they left out, then ``lines`` — in ``output`` when given; or, on standard output that is no
    terminal, TSV of ``plain`` (default: the table's columns of ``frame``), ``lines`` on stderr."""
    if output_format == "table" and output is None and plain_output():
        keys = [c.key for c in columns if c.key in frame.columns]
        emit_text(
            to_tsv(plain if plain is not None else frame.select(keys) if keys else frame), None, "", lines
        )
        return
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


def emit_rows(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    title: str,
    lines: Sequence[str] = (),
    *,
    records: Sequence[Mapping[str, object]] | None = None,
) -> None:
    """A table of cells already written as text (one per column of ``columns``), fitted to the
    terminal like a domain's; off a terminal, TSV of ``records`` (the command's CSV records) or
    else of the cells."""
    frame = pl.DataFrame([list(r) for r in rows], schema=[c.key for c in columns], orient="row")
    plain = pl.from_dicts(list(records), infer_schema_length=None) if records else None
    emit_table(frame, "table", None, columns, title, lines, split=False, plain=plain)


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
