"""The 健康 panel of 设置 shows the checks of `shopops doctor`; the command itself, while the
dashboard runs, is handed to it and reports the running server."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from shopops.workspace import Workspace
from tests.conftest import run_cli
from tests.web.conftest import WebDemo, logged_in, serving

KEYS = ["settings", "warehouse", "schema", "disk", "imports", "backup", "push", "holidays", "server"]


def test_the_settings_page_lists_the_doctor_checks(web_demo: WebDemo) -> None:
    admin, _ = logged_in(web_demo.app, "admin")
    page = admin.get("/settings")
    assert page.status_code == 200
    assert '<h2 id="health">健康</h2>' in page.text
    rows = re.findall(r'<tr class="health-(\w+)" data-check="(\w+)"><td>([^<]+)</td>', page.text)
    assert [key for _, key, _ in rows] == KEYS
    assert [label for _, _, label in rows][:3] == ["配置", "数据仓库", "结构版本"]
    statuses = {key: status for status, key, _ in rows}
    assert statuses["warehouse"] == statuses["schema"] == statuses["imports"] == statuses["server"] == "ok"
    assert statuses["backup"] == "warn" and statuses["push"] == "warn"
    assert "no backup yet (none in backups/)" in page.text
    assert f"shopops serve runs on this workspace (pid {os.getpid()})" in page.text
    assert "checkpoint" not in page.text  # the page only reads
    assert "<code>shopops doctor</code>" in page.text


def test_doctor_while_serving_runs_in_the_server(
    fresh_web: WebDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def no_second_writer(*_: object) -> None:
        raise AssertionError("the CLI opened the warehouse itself instead of handing the command over")

    with serving(fresh_web, local_cli=True) as server:
        monkeypatch.setattr(Workspace, "open", no_second_writer)
        result = run_cli("-w", fresh_web.root, "doctor", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [c["key"] for c in report["checks"]] == KEYS
    checks = {c["key"]: c for c in report["checks"]}
    port = int(server.url.rsplit(":", 1)[1])
    assert (
        checks["server"]["message"]
        == f"shopops serve runs on this workspace (pid {os.getpid()}, port {port})"
    )
    assert checks["warehouse"]["status"] == "ok" and "checkpoint" not in checks["warehouse"]["message"]
