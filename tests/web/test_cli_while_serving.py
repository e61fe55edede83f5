"""While `shopops serve` runs, every CLI command is handed to it: no command stops at the warehouse lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from shopops.cli.serve import attach_local_cli
from shopops.web.app import create_app
from shopops.web.security import remove_serve_file, write_serve_file
from shopops.workspace import Workspace
from tests.conftest import DEMO_END, run_cli
from tests.web.conftest import SHOP_A, WebDemo, free_port


@pytest.fixture
def serving(fresh_web: WebDemo) -> Iterator[WebDemo]:
    """The dashboard as `shopops serve` runs it: a real uvicorn server, the serve file, the local CLI runner."""
    port = free_port()
    info = write_serve_file(fresh_web.root, "127.0.0.1", port)
    app = create_app(fresh_web.workspace, local_secret=info.secret)
    attach_local_cli(app, fresh_web.workspace)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield fresh_web
    server.should_exit = True
    thread.join(timeout=10)
    remove_serve_file(fresh_web.root, info)


def test_reading_and_writing_commands_run_in_the_server(
    serving: WebDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def no_second_writer(*_: object) -> None:
        raise AssertionError("the CLI opened the warehouse itself instead of handing the command over")

    monkeypatch.setattr(Workspace, "open", no_second_writer)
    day = str(DEMO_END)
    result = run_cli("-w", serving.root, "table", "master", "--from", day, "--to", day, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("date,shop,platform,") and len(lines) == 3  # header and two shops
    expected = serving.workspace.master_table(DEMO_END, DEMO_END)
    assert sorted(line.split(",")[1] for line in lines[1:]) == sorted(expected.get_column("shop").to_list())

    # A relative output path is the caller's, not the server's.
    result = run_cli(
        "-w", serving.root, "table", "master", "--from", day, "--to", day, "--format", "csv", "-o", "t.csv"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[1:] == lines[1:]

    result = run_cli("-w", serving.root, "shop", "add", "新开小店", "--platform", "taobao")
    assert result.exit_code == 0, result.output
    assert "新开小店" in {name for name, _, _ in serving.workspace.shops()}


def test_errors_come_back_as_one_line_and_serve_is_refused(serving: WebDemo) -> None:
    result = run_cli("-w", serving.root, "report", "daily", "--date", "2001-01-01")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "no data for 2001-01-01" in result.stderr
    result = run_cli("-w", serving.root, "serve")
    assert result.exit_code == 1
    assert "runs on this workspace — stop it first (Ctrl-C), then run `shopops serve`" in result.stderr
    assert SHOP_A in {name for name, _, _ in serving.workspace.shops()}
