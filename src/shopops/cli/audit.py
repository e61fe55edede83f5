"""`shopops audit`: the audit log (审计) — who changed what, when, from where; `--verify` checks it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import duckdb
from rich import box
from rich.markup import escape
from rich.table import Table

from shopops.cli.context import open_workspace, out, parse_day, user_errors
from shopops.errors import UserError
from shopops.reports.csv_cells import csv_text, safe_cell
from shopops.warehouse import audit

CSV_COLUMNS = ("id", "at", "actor", "via", "action", "action_label", "target", "shops", "detail")


@click.command("audit")
@click.option("--from", "start", callback=parse_day, help="First day (default: the first record).")
@click.option("--to", "end", callback=parse_day, help="Last day (default: today).")
@click.option("--action", help="Only this action (import, login.failed …); `user` means every user.* one.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--verify", is_flag=True, help="Check that no record was edited or removed by hand.")
@click.pass_context
@user_errors
def audit_command(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    action: str | None,
    output_format: str,
    output: Path | None,
    verify: bool,
) -> None:
    """The audit log (审计): imports, shops, users, targets, mappings, notes on findings, logins,
    backups — oldest first, with who (OS or dashboard user), when and from where (cli, web, api:<token>)."""
    con = open_workspace(ctx).connection
    if verify:
        _verify(con)
        return
    if start is not None and end is not None and start > end:
        raise UserError(f"--from {start} is after --to {end} — swap them")
    records = audit.read(con, audit.AuditFilter(start, end, action))
    if output_format == "table":
        if output is not None:
            raise UserError("--output needs --format csv or json")
        _print_table(records)
        return
    text = _json(records) if output_format == "json" else _csv(records)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8-sig" if output_format == "csv" else "utf-8")
    out.print(f"已写入 {escape(str(output))}（{len(records)} 条审计记录）")


def _json(records: list[audit.AuditRecord]) -> str:
    return json.dumps([r.to_record() for r in records], ensure_ascii=False, indent=1) + "\n"


def _csv(records: list[audit.AuditRecord]) -> str:
    """One row per record; the detail as a JSON object. Cells that would start a spreadsheet
    formula (= + - @) get a leading ' (shopops.reports.csv_cells)."""
    if not records:
        return ",".join(str(safe_cell(name)) for name in CSV_COLUMNS) + "\n"
    rows = []
    for record in records:
        row = record.to_record()
        row["shops"] = ",".join(record.shops)
        row["detail"] = json.dumps(record.detail, ensure_ascii=False, separators=(",", ":"))
        rows.append({name: row[name] for name in CSV_COLUMNS})
    return csv_text(rows)


def _print_table(records: list[audit.AuditRecord]) -> None:
    if not records:
        out.print("没有审计记录 (no audit records in this range)")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("时间", no_wrap=True)
    table.add_column("谁", max_width=10, overflow="fold")
    table.add_column("来源", max_width=8, overflow="fold")
    table.add_column("操作", max_width=8, overflow="fold")
    table.add_column("对象", max_width=16, overflow="fold")
    table.add_column("详情", min_width=20, overflow="fold")
    for record in records:
        table.add_row(
            f"{record.at:%m-%d %H:%M}",
            escape(record.actor),
            escape(record.via),
            escape(record.action_label),
            escape(record.target) or "—",
            escape(record.summary()) or "—",
        )
    years = sorted({r.at.year for r in records})
    table.title = f"审计记录 {len(records)} 条（{'、'.join(map(str, years))} 年）"
    out.print(table)


def _verify(con: duckdb.DuckDBPyConnection) -> None:
    result = audit.verify(con)
    if result.newest is None:
        out.print("没有审计记录 (the audit log is empty)")
        return
    for problem in result.problems:
        out.print(f"✗ {escape(problem)}")
    newest_id, newest_hash = result.newest
    if result.ok:
        out.print(
            f"审计记录完整: {result.checked} 条记录均未被改动 (all {result.checked} records check out);"
            f" 最新 #{newest_id} sha256 {newest_hash[:16]}"
        )
        return
    raise UserError(
        f"audit log: {len(result.problems)} of {result.checked} records fail the check — warehouse.duckdb"
        " was edited outside ShopOps; compare with a backup (shopops backup --verify FILE)"
    )
