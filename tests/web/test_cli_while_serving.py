"""While `shopops serve` runs, every CLI command is handed to it: no command stops at the warehouse lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from shopops.workspace import Workspace
from tests.conftest import DEMO_END, run_cli
from tests.web.conftest import SHOP_A, WebDemo, serving


@pytest.fixture(name="served")
def served_demo(fresh_web: WebDemo) -> Iterator[WebDemo]:
    """The dashboard as `shopops serve` runs it, with the local CLI runner."""
    with serving(fresh_web, local_cli=True):
        yield fresh_web


def test_reading_and_writing_commands_run_in_the_server(
    served: WebDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def no_second_writer(*_: object) -> None:
        raise AssertionError("the CLI opened the warehouse itself instead of handing the command over")

    monkeypatch.setattr(Workspace, "open", no_second_writer)
    day = str(DEMO_END)
    result = run_cli("-w", served.root, "table", "master", "--from", day, "--to", day, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("date,shop,platform,") and len(lines) == 3  # header and two shops
    expected = served.workspace.master_table(DEMO_END, DEMO_END)
    assert sorted(line.split(",")[1] for line in lines[1:]) == sorted(expected.get_column("shop").to_list())

    # A relative output path is the caller's, not the server's.
    result = run_cli(
        "-w", served.root, "table", "master", "--from", day, "--to", day, "--format", "csv", "-o", "t.csv"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[1:] == lines[1:]

    result = run_cli("-w", served.root, "shop", "add", "新开小店", "--platform", "taobao")
    assert result.exit_code == 0, result.output
    assert "新开小店" in {name for name, _, _ in served.workspace.shops()}


def test_errors_come_back_as_one_line_and_serve_is_refused(served: WebDemo) -> None:
    result = run_cli("-w", served.root, "report", "daily", "--date", "2001-01-01")
    assert result.exit_code == 1
    assert (
        result.stderr.count("\n") == 1 and "2001-01-01 没有数据：没有已导入的导出覆盖这一天" in result.stderr
    )
    result = run_cli("-w", served.root, "serve")
    assert result.exit_code == 1
    assert "正在此工作区运行 — 先停止它（Ctrl-C），再运行 `shopops serve`" in result.stderr
    assert SHOP_A in {name for name, _, _ in served.workspace.shops()}


def test_a_handed_over_table_is_laid_out_for_the_callers_terminal(served: WebDemo) -> None:
    from shopops.cli.context import running_server
    from shopops.web.client import forward_command

    info = running_server(served.root)
    assert info is not None
    args = ["--lang", "zh", "-w", str(served.root), "metrics"]
    # Into a pipe: plain TSV, whatever the server's own terminal is.
    code, stdout, _ = forward_command(info, args, served.root, None, None)
    assert code == 0 and stdout.splitlines()[0].split("\t")[:2] == ["key", "label"]
    # In an 80-column terminal: nothing wider than 80 cells, no tabs.
    code, stdout, _ = forward_command(info, args, served.root, None, 80)
    assert code == 0 and "\t" not in stdout
    assert max(cell_len(line) for line in stdout.splitlines()) <= 80
    code, wide, _ = forward_command(info, args, served.root, None, 200)
    assert code == 0 and max(cell_len(line) for line in wide.splitlines()) > 80
