"""CLI tables fit the terminal (80 and 200 columns), go out as TSV off a terminal, and the options
are spelled the same on every command (issue 19, CLI)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import click
import polars as pl
import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console

from shopops.cli.context import parse_day
from shopops.cli.fitted_tables import Column, print_tables, to_tsv
from shopops.cli.main import cli
from shopops.cli.options import split_shops
from shopops.cli.tables import METRIC_TABLE
from shopops.metrics.catalog import load_catalog
from shopops.workspace import Workspace
from tests.conftest import DemoWorkspace, run_cli


def _console(width: int) -> Console:
    return Console(
        width=width, file=io.StringIO(), highlight=False, soft_wrap=True, record=True, color_system=None
    )


def _metrics_frame() -> pl.DataFrame:
    rows = [
        {"key": m.key, "label": m.label, "unit": m.unit, "formula": m.formula, "definition": m.definition}
        for m in load_catalog().metrics.values()
    ]
    return pl.DataFrame(rows)


def test_metrics_at_80_columns_are_blocks_and_at_200_a_table() -> None:
    frame = _metrics_frame()
    narrow = _console(80)
    assert print_tables(narrow, frame, METRIC_TABLE, "指标口径", split=False) == []
    text = narrow.export_text()
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert "▌gmv" in text and "中文名 支付金额" in text  # one block per metric, labels whole
    assert "口径   买家拍下并付款的金额合计" in text
    wide = _console(200)
    print_tables(wide, frame, METRIC_TABLE, "指标口径", split=False)
    lines = wide.export_text().splitlines()
    assert max(cell_len(line) for line in lines) <= 200
    assert lines[1].split() == ["key", "中文名", "单位", "公式", "口径"]  # the header of one table
    assert any(line.startswith("gmv ") and "支付金额" in line and "money" in line for line in lines)


def test_a_numeric_table_leaves_columns_out_then_turns_into_blocks() -> None:
    frame = pl.DataFrame(
        {"scope": ["云朵旗舰店", "山野好物抖音店"], "target": [119000.0, 3000.5], "done": [0.97, 1.005]}
    )
    columns = [
        Column("scope", "范围", "text", 0),
        Column("target", "目标", "money", 1),
        Column("done", "完成进度", "ratio", 0),
    ]
    console = _console(40)
    assert print_tables(console, frame, columns, "目标进度", split=False) == []
    assert "云朵旗舰店       119,000.00     97.00%" in console.export_text().splitlines()
    narrow = _console(28)
    assert print_tables(narrow, frame, columns, "目标进度", split=False) == ["目标"]
    assert "山野好物抖音店    100.50%" in narrow.export_text().splitlines()
    tiny = _console(20)
    print_tables(tiny, frame, columns, "目标进度", split=False)
    assert [line.rstrip() for line in tiny.export_text().splitlines()] == [
        "目标进度",
        "▌云朵旗舰店",
        "目标     119,000.00",
        "完成进度 97.00%",
        "▌山野好物抖音店",
        "目标     3,000.50",
        "完成进度 100.50%",
    ]


def test_tsv_keeps_unknown_empty_and_one_line_per_record() -> None:
    frame = pl.DataFrame({"shop": ["A\tB", "C"], "rate": [0.1234567891, None], "note": ["x\ny", "=1+1"]})
    assert to_tsv(frame) == "shop\trate\tnote\nA B\t0.123457\tx y\nC\t\t'=1+1\n"


@pytest.mark.parametrize("columns", [80, 200])
def test_commands_fit_the_terminal(
    imported_demo: DemoWorkspace, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    for command in (["metrics"], ["sources"], ["imports"], ["returns", "reasons"], ["returns", "summary"]):
        result = imported_demo.cli(*command)
        assert result.exit_code == 0, (command, result.output)
        lines = result.stdout.splitlines()
        assert lines and max(cell_len(line) for line in lines) <= columns, command
        # never a cell that wraps one character per line: no line is only table rules and 1-char cells
        for line in lines:
            cells = [c for c in line.replace("│", " ").split(" ") if c]
            assert not (len(cells) >= 4 and all(cell_len(c) <= 2 for c in cells)), (command, line)
    assert "支付金额" in imported_demo.cli("metrics").stdout


def test_off_a_terminal_tables_are_tsv_unless_a_format_is_given(imported_demo: DemoWorkspace) -> None:
    assert "COLUMNS" not in os.environ
    metrics = imported_demo.cli("metrics")
    header, gmv = metrics.stdout.splitlines()[:2]
    assert header == "key\tlabel\tsection\tunit\tdirection\tformula\tdefinition"
    assert gmv.startswith("gmv\t支付金额\t")
    summary = imported_demo.cli("returns", "summary").stdout.splitlines()
    assert summary[0].split("\t")[:3] == ["shop", "success_cases", "success_amount"]
    assert all(len(line.split("\t")) == len(summary[0].split("\t")) for line in summary)
    assert "—" not in "".join(summary)  # unknown is an empty cell, as in CSV
    imports = imported_demo.cli("imports").stdout.splitlines()
    assert imports[0] == "import_id\timported_at\tfile\tsource\tshops\trows\treplaced\tdate_min\tdate_max"
    table = imported_demo.cli("returns", "summary", "--format", "table").stdout
    assert "\t" not in table and "退货汇总" in table  # an explicit --format wins


def test_every_shop_option_repeats_and_takes_commas_and_every_date_parses_alike() -> None:
    # A --shop naming one shop by meaning: the shop files belong to, a target's scope, a room's shop.
    one_shop = {"import", "targets set", "targets remove", "targets split", "live monitor", "live replay",
                "live intervals", "live alerts", "rival estimate"}  # fmt: skip
    # A --date that is no report day: the day an observation was made (today), doctor's "today".
    not_report_day = {"rival note", "rival price", "doctor"}
    ctx = click.Context(cli)
    seen: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])
            return
        name = " ".join(path)
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            if "--shop" in param.opts and name not in one_shop:
                seen.append(name)
                assert param.multiple and param.callback is split_shops, name
                assert "-s" in param.opts, name
            if "--date" in param.opts and name not in not_report_day:
                assert param.callback is parse_day, name
                assert param.type == click.STRING, name

    walk(cli, [])
    assert {"report daily", "table master", "findings", "jd prices", "live review", "stock status"} <= set(
        seen
    )
    assert split_shops(None, None, ("A,B", "C，A", " D ")) == ("A", "B", "C", "D")
    assert parse_day(ctx, click.Option(["--date"]), "2026-11-24").isoformat() == "2026-11-24"  # type: ignore[union-attr]


def test_report_takes_shop_lists_and_the_old_shops(imported_demo: DemoWorkspace, tmp_path: Path) -> None:
    shops = sorted(imported_demo.manifest["shops"])[:2]
    for args in (["-s", shops[0], "--shop", shops[1]], ["-s", ",".join(shops)], ["--shops", ",".join(shops)]):
        result = imported_demo.cli("report", "daily", "-o", tmp_path / "r.xlsx", *args)
        assert result.exit_code == 0, (args, result.output)


def test_demo_refuses_a_workspace_of_ones_own(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "mine"):
        pass
    result = run_cli("demo", tmp_path / "mine", "--no-serve")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()  # one line, in either language (issue 19, H5)
    assert line.startswith(f"错误 {tmp_path / 'mine'} ") and "exports/manifest.json" in line
    assert "5" in line and "shopops demo" in line
    with Workspace.open(tmp_path / "mine") as workspace:
        assert workspace.shops() == []


def test_sources_and_metrics_work_outside_any_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHOPOPS_HOME", raising=False)
    runner = CliRunner()
    sources = runner.invoke(cli, ["sources"])
    assert sources.exit_code == 0
    assert sources.stdout.splitlines()[0] == "key\tlabel\tplatforms\trequired"
    assert any(line.startswith("qianniu_orders\t") for line in sources.stdout.splitlines())
    assert "不在工作区中" in sources.stderr
    metrics = runner.invoke(cli, ["metrics", "--format", "json"])
    assert metrics.exit_code == 0 and '"key": "gmv"' in metrics.stdout
    missing = runner.invoke(cli, ["--workspace", str(tmp_path / "nope"), "sources"])
    assert missing.exit_code == 1 and str(tmp_path / "nope") in missing.output
