"""`shopops import`, `shopops imports` and `shopops sources`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopops.cli.context import err, open_workspace, out, user_errors
from shopops.cli.fitted_tables import Column, emit_rows
from shopops.errors import InputError, UserError, WorkspaceError
from shopops.ingest.pipeline import ImportResult
from shopops.ingest.readers import IMPORTABLE_SUFFIXES
from shopops.ingest.sources import SourceSpec, load_builtin_specs
from shopops.workspace import find_workspace


def _expand(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for text in paths:
        path = Path(text).expanduser()
        if path.is_dir():
            files.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMPORTABLE_SUFFIXES)
            )
        else:
            files.append(path)
    return files


def _parse_map(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    pairs: dict[str, str] = {}
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        header, sep, column = part.partition("=")
        if not sep or not header.strip() or not column.strip():
            raise click.BadParameter(
                f"{part!r} is not 源列=column (e.g. 实付款=paid_amount)", param_hint="--map"
            )
        pairs[header.strip()] = column.strip()
    return pairs


def describe(result: ImportResult) -> str:
    """The import line: rows, dates, shops, then what was not loaded as rows or columns."""
    dates = ""
    if result.date_min:
        dates = f", {result.date_min}" + (f"…{result.date_max}" if result.date_max != result.date_min else "")
    if result.already_imported:
        return (
            f"{result.file} — {result.source_label} ({result.source_key}): already imported, nothing changed"
        )
    if result.shop_rows:
        shops = "、".join(f"{name} ({_rows(count, 'row')})" for name, count in result.shop_rows)
    else:
        shops = "全部店铺" if result.shops == ("*",) else "、".join(result.shops)
    extras = []
    if result.rows_replaced:
        extras.append(f"replaced {_rows(result.rows_replaced, 'earlier row')}")
    if result.duplicate_rows:
        extras.append(f"{_rows(result.duplicate_rows, 'duplicate row')} kept once (identical lines)")
    for label, count in result.blank_cells:
        extras.append(f"{_rows(count, 'row')} without {label} (kept as unknown)")
    if result.pending_rows:
        extras.append(
            f"{_rows(result.pending_rows, 'row')} still 延迟统计 in {', '.join(result.pending_columns)}"
            " (unknown until it settles: import a later export of the same days to replace them)"
        )
    if result.skipped:
        reasons = ", ".join(f"{count} {why}" for why, count in result.skipped)
        extras.append(f"skipped {_rows(result.skipped_rows, 'row')}: {reasons}")
    tail = f" ({'; '.join(extras)})" if extras else ""
    line = (
        f"{result.file} — {result.source_label} ({result.source_key}):"
        f" {_rows(result.rows, 'row')}{dates},"
        f" shop{'s' if result.shop_rows else ''} {shops}{tail}"
    )
    if result.unused_columns:
        line += f"; 未使用的列 (not imported): {', '.join(result.unused_columns)}"
    for sheet, why in result.sheets_passed_over:
        line += f"; 工作表 {sheet} 未导入 (sheet not imported): {why}"
    return line


def _rows(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@click.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--shop", "-s", help="Shop the files belong to (default: from the file, or the only shop).")
@click.option("--source", help="Force the export type (a key from `shopops sources`).")
@click.option(
    "--map",
    "mapping",
    metavar="源列=column,...",
    help="Map headers to canonical columns for a file no source recognises.",
)
@click.option("--save-source", metavar="NAME", help="With --map: save the mapping as a custom source NAME.")
@click.pass_context
@user_errors
def import_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    shop: str | None,
    source: str | None,
    mapping: str | None,
    save_source: str | None,
) -> None:
    """Import export files (CSV/TSV, .xls/.xlsx, HTML-.xls, ZIP); folders import every file in them.

    Each file is detected, checked and loaded atomically: a rejected file changes nothing.
    Exits 0 only if every file was imported.
    """
    pairs = _parse_map(mapping)
    if save_source and not pairs:
        raise click.UsageError("--save-source needs --map")
    from shopops.cli.serve import import_via_server

    files = _expand(paths)
    if not files:
        raise UserError("no importable files found in " + ", ".join(paths))
    served = import_via_server(ctx, files, shop, source, bool(pairs))
    if served is not None:
        ctx.exit(served)
    workspace = open_workspace(ctx)
    workspace.warehouse.require_writable()  # one line, not one per file
    failed = 0
    progress = Progress(
        TextColumn("[bold]导入[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=len(files) < 2,
    )
    with progress:
        task = progress.add_task("", total=len(files))
        for path in files:
            progress.update(task, description=escape(path.name))
            try:
                result = workspace.import_file(
                    path, shop=shop, source=source, mapping=pairs or None, save_source=save_source
                )
            except InputError as error:
                failed += 1
                progress.console.print(f"[red]✗[/] {escape(str(error))}")
            except UserError as error:
                failed += 1
                progress.console.print(f"[red]✗[/] {escape(path.name)}: {escape(str(error))}")
            else:
                mark = "[dim]=[/]" if result.already_imported else "[green]✓[/]"
                out.print(f"{mark} {escape(describe(result))}")
                for part in () if result.already_imported else result.sheets:  # a workbook's other sheets
                    out.print(f"  {mark} {escape(describe(part))}")
            progress.advance(task)
    if save_source and not failed:
        out.print(f"已保存自定义来源 {save_source} 到 shopops.yaml；下次同样表头的文件会自动识别。")
    if failed:
        if len(files) > 1:
            err.print(f"{failed} of {len(files)} files were not imported; the others were.")
        ctx.exit(1)


@click.command("imports")
@click.option("--limit", default=50, show_default=True, help="How many recent imports to list.")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
@user_errors
def imports_command(ctx: click.Context, limit: int, output_format: str) -> None:
    """List recent imports with their provenance (file, source, rows, dates)."""
    workspace = open_workspace(ctx)
    rows = workspace.imports(limit)
    names = [
        "import_id",
        "imported_at",
        "file",
        "source",
        "shops",
        "rows",
        "replaced",
        "date_min",
        "date_max",
    ]
    if output_format == "json":
        records = [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(names, row, strict=True)}
            for row in rows
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
    cells = [
        [str(row[0]), str(row[1])[:16], str(row[2]), str(row[3]), str(row[4]), str(row[5]), str(row[6]),
         f"{row[7]}…{row[8]}" if row[7] else "—"]
        for row in rows
    ]  # fmt: skip
    records = [dict(zip(names, row, strict=True)) for row in rows]
    emit_rows(IMPORT_TABLE, cells, f"最近 {len(rows)} 次导入", records=records)


IMPORT_TABLE = (
    Column("import_id", "#", "count", 0),
    Column("imported_at", "导入时间", "text", 3),
    Column("file", "文件", "text", 0, wrap=True),
    Column("source", "来源", "text", 1),
    Column("shops", "店铺", "text", 2, wrap=True),
    Column("rows", "行数", "count", 0),
    Column("replaced", "替换", "count", 5),
    Column("dates", "日期范围", "text", 4),
)
SOURCE_TABLE = (
    Column("key", "key", "text", 0),
    Column("label", "导出类型", "text", 0, wrap=True),
    Column("platforms", "平台", "text", 2),
    Column("required", "必需列（任一别名）", "text", 0, wrap=True),
)


@click.command("sources")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
@user_errors
def sources_command(ctx: click.Context, output_format: str) -> None:
    """List the supported export types (sources) with their keys and columns."""
    specs = _specs(ctx)
    if output_format == "json":
        records = [
            {
                "key": s.key,
                "label": s.label,
                "description": s.description,
                "platforms": list(s.platforms),
                "table": s.table,
                "custom": s.custom,
                "columns": [
                    {"name": c.name, "type": c.type, "required": c.required, "aliases": list(c.aliases)}
                    for c in s.columns
                ],
            }
            for s in specs
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
    records = [
        {
            "key": spec.key,
            "label": spec.label + ("（自定义）" if spec.custom else ""),
            "platforms": ",".join(spec.platforms),
            "required": "、".join("/".join(c.aliases[:2]) for c in spec.columns if c.required),
        }
        for spec in specs
    ]
    emit_rows(
        SOURCE_TABLE,
        [[str(v) for v in r.values()] for r in records],
        f"支持的导出类型（{len(records)} 种）",
        records=records,
    )


def _specs(ctx: click.Context) -> list[SourceSpec]:
    """The workspace's export types (with its aliases and custom sources); outside any workspace
    (and with no --workspace given), the built-in ones — saying so on stderr."""
    explicit = ctx.obj.get("workspace") if ctx.obj else None
    if not explicit and not (ctx.obj or {}).get("served"):
        try:
            find_workspace(None)
        except WorkspaceError:
            err.print("注意 不在工作区中：只列出内置的导出类型（工作区的自定义来源和别名不在其中）")
            return list(load_builtin_specs())
    return open_workspace(ctx).sources()
