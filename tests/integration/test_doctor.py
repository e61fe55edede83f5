"""`shopops doctor` on real workspaces: each check says ok / warning / failure with its fix; exit 1
only when a check fails. "Today" is a parameter (--date), never a patched clock."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rich.cells import cell_len

from shopops.analysis.calendar import builtin_knows, package_version
from shopops.health import disk_check
from shopops.warehouse.connection import migration_scripts
from shopops.web.security import SERVE_FILE, write_serve_file
from tests.conftest import DEMO_END, DemoWorkspace, run_cli
from tests.integration.test_push import DING_SECRET, FakePlatforms

TODAY = dt.date.today()  # the demo's imports are stamped with the real clock
KEYS = ["settings", "warehouse", "schema", "disk", "imports", "backup", "push", "holidays", "server"]
NEWEST = max(version for version, _, _ in migration_scripts())


def doctor(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("-w", root, "doctor", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def by_key(report: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for check in report["checks"]:
        found.setdefault(check["key"], []).append(check)
    return found


def one(report: dict[str, Any], key: str) -> tuple[str, str, str]:
    [check] = by_key(report)[key]
    return check["status"], check["message"], check["fix"]


@pytest.fixture
def demo_copy(imported_demo: DemoWorkspace, tmp_path: Path) -> Path:
    """A copy of the imported demo workspace that a test may change."""
    root = tmp_path / "ws"
    root.mkdir()
    for name in ("shopops.yaml", "warehouse.duckdb", "warehouse.duckdb.wal"):
        if (imported_demo.root / name).exists():
            shutil.copy2(imported_demo.root / name, root / name)
    return root


def test_a_healthy_workspace_warns_and_exits_0_in_80_columns(demo_copy: Path) -> None:
    result = run_cli("-w", demo_copy, "--lang", "zh", "doctor", "--date", str(TODAY))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert lines[-1] in ("正常 6 项，警告 3 项，失败 0 项", "正常 5 项，警告 4 项，失败 0 项")
    assert lines[0] == "    检查      结果 · 修复"
    assert " ✓  配置      shopops.yaml 读取正常" in lines
    assert re.search(
        r"^ ✓  数据仓库  warehouse\.duckdb（[\d.]+ MB）可读：\d+ 张表，[\d,]+", result.stdout, re.M
    )
    assert re.search(r"^ ✓  导入      2 个店铺的 13 种导出都在 3 天内导入过（最近一次 ", result.stdout, re.M)
    at = lines.index(" !  备份      还没有备份（backups/ 里没有）")
    assert lines[at + 1 : at + 3] == [
        "              → 现在运行 shopops backup；之后 shopops run daily 会保留最新的",
        "              backup.keep（14）份",
    ]
    at = lines.index(" !  推送      没有推送渠道：每日简报发不出去")
    assert lines[at + 1].startswith("              → 在 shopops.yaml 的 push.channels")
    assert " ✓  服务      没有服务文件：shopops serve 没有在运行" in lines
    english = run_cli("-w", demo_copy, "--lang", "en", "doctor", "--date", str(TODAY)).stdout.splitlines()
    assert english[0] == "    check      result · fix"
    assert " !  backup     no backup yet (none in backups/)" in english
    assert english[-1] in ("6 ok, 3 warnings, 0 failed", "5 ok, 4 warnings, 0 failed")
    code, report = doctor(demo_copy, "--date", str(TODAY))
    assert code == 0 and report["status"] == "warn" and report["date"] == str(TODAY)
    assert [c["key"] for c in report["checks"]] == KEYS
    assert one(report, "settings") == ("ok", "shopops.yaml reads without problems", "")
    status, message, _ = one(report, "warehouse")
    assert status == "ok" and message.endswith("; checkpoint done")
    assert one(report, "schema") == ("ok", f"schema {NEWEST:03d}, the newest this ShopOps 0.1.0 knows", "")
    assert one(report, "disk")[0] == "ok"
    status, message, _ = one(report, "imports")
    assert status == "ok" and message.startswith("13 exports of 2 shops imported within 3 days (newest ")
    assert one(report, "backup") == (
        "warn",
        "no backup yet (none in backups/)",
        "run shopops backup now; shopops run daily then keeps the newest backup.keep (14) of them",
    )
    assert one(report, "push") == (
        "warn",
        "no push channels: the daily summary goes nowhere",
        "add one under push.channels in shopops.yaml (see its commented example), then shopops push test",
    )
    assert one(report, "server") == ("ok", "no server file: shopops serve is not running", "")

    result = run_cli("-w", demo_copy, "backup")
    assert result.exit_code == 0, result.output
    [made] = (demo_copy / "backups").glob("*.zip")
    stamp = dt.datetime.fromtimestamp(made.stat().st_mtime)
    _, report = doctor(demo_copy, "--date", str(stamp.date() + dt.timedelta(days=8)), "--import-days", "30")
    assert one(report, "backup") == (
        "warn",
        f"last backup backups/{made.name}, {stamp:%Y-%m-%d %H:%M} (8 days old)",
        "run shopops backup, and schedule shopops run daily (cron / 任务计划): it keeps backups",
    )
    _, report = doctor(demo_copy, "--date", str(stamp.date()))
    assert one(report, "backup") == (
        "ok",
        f"last backup backups/{made.name}, {stamp:%Y-%m-%d %H:%M} (0 days old)",
        "",
    )


def test_an_export_a_shop_stopped_sending_is_named_with_its_age(fresh_demo: DemoWorkspace) -> None:
    refunds = next(f for f in fresh_demo.files if f.name == "退款管理_云朵旗舰店.csv")
    assert fresh_demo.cli("import", refunds).exit_code == 0
    code, report = doctor(fresh_demo.root, "--date", str(TODAY + dt.timedelta(days=5)))
    assert code == 0
    assert one(report, "imports") == (
        "warn",
        f"云朵旗舰店 has no 千牛 · 退款管理 export for 5 days (last imported {TODAY}, data up to {DEMO_END})",
        "download and import it (shopops import FILE, or inbox/); ignore it if 云朵旗舰店 no longer uses that export",
    )
    _, report = doctor(fresh_demo.root, "--date", str(TODAY + dt.timedelta(days=3)))
    assert one(report, "imports")[0] == "ok"  # 3 days is not late yet
    _, report = doctor(fresh_demo.root, "--date", str(TODAY + dt.timedelta(days=3)), "--import-days", "2")
    assert one(report, "imports")[0] == "warn"

    others = [f for f in fresh_demo.files if "小野家居" in f.name]
    assert fresh_demo.cli("import", *others).exit_code == 0
    _, report = doctor(fresh_demo.root, "--date", str(TODAY + dt.timedelta(days=9)))
    late = {c["message"].split(" has ")[0]: c["message"] for c in by_key(report)["imports"]}
    assert set(late) == {"云朵旗舰店", "小野家居"}  # one line per shop
    assert re.fullmatch(r"小野家居 has \d+ exports late: .*千牛 · 退款管理 9 days.*", late["小野家居"])


@pytest.mark.skipif(builtin_knows(2027), reason="this chinese-calendar knows 2027 already")
def test_the_holiday_calendar_must_reach_60_days_ahead(demo_copy: Path) -> None:
    code, report = doctor(demo_copy, "--date", "2026-11-30", "--import-days", "365")
    assert code == 0
    assert one(report, "holidays") == (
        "warn",
        f"no holiday data for 2027, which begins within 60 days (chinese-calendar {package_version()} knows"
        " holidays up to 2026): its 春节 and other holidays would count as ordinary days in the baselines"
        " from 2027-01-01",
        "pip install -U chinese-calendar (once a release knows 2027), or add 2027's days off"
        " under holidays: and 调休 days under workdays: in shopops.yaml",
    )
    _, report = doctor(demo_copy, "--date", "2026-10-31", "--import-days", "365")
    assert one(report, "holidays")[0] == "ok"  # 2027 is more than 60 days away
    config = demo_copy / "shopops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\nholidays:\n  2027-01-01: 元旦\n  "2027-02-05..2027-02-13": 春节\nworkdays: ["2027-02-20"]\n',
        encoding="utf-8",
    )
    _, report = doctor(demo_copy, "--date", "2026-11-30", "--import-days", "365")
    assert one(report, "holidays") == (
        "ok",
        f"holiday data through 2027-01-29 (chinese-calendar {package_version()} knows holidays up to 2026;"
        " 2027 from shopops.yaml (10 days off))",
        "",
    )


def test_a_damaged_warehouse_fails_and_the_other_checks_still_run(demo_copy: Path) -> None:
    (demo_copy / "warehouse.duckdb").write_bytes(os.urandom(300_000))
    (demo_copy / "warehouse.duckdb.wal").unlink(missing_ok=True)
    result = run_cli("-w", demo_copy, "--lang", "zh", "doctor")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].endswith("，失败 1 项")
    # (a check made from a user error "what — fix" is said as that error is)
    assert (
        "              → 恢复备份（shopops restore 文件），或将它移走后重新导入文件"
        in result.stdout.splitlines()
    )
    code, report = doctor(demo_copy)
    assert code == 1 and report["status"] == "fail"
    assert [c["key"] for c in report["checks"]] == [
        "settings",
        "warehouse",
        "disk",
        "backup",
        "push",
        "holidays",
        "server",
    ]
    status, message, fix = one(report, "warehouse")
    assert status == "fail"
    assert message.startswith(f"warehouse.duckdb in {demo_copy} cannot be opened (") and message.endswith(
        "): it is damaged"
    )
    assert fix == "restore a backup (shopops restore FILE) or move it away and import your files again"


def test_a_warehouse_of_a_newer_shopops_fails_the_schema_check(demo_copy: Path) -> None:
    with duckdb.connect(str(demo_copy / "warehouse.duckdb")) as con:
        con.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?, 'from_the_future')", [NEWEST + 1]
        )
    code, report = doctor(demo_copy)
    assert code == 1
    assert one(report, "warehouse")[0] == "ok"
    assert one(report, "schema") == (
        "fail",
        f"warehouse.duckdb was written by a newer ShopOps (schema {NEWEST + 1:03d} > {NEWEST:03d} known here)",
        "upgrade ShopOps (pip install -U shopops); reading is still possible",
    )


def test_a_mistake_in_shopops_yaml_fails_and_the_warehouse_is_still_checked(demo_copy: Path) -> None:
    config = demo_copy / "shopops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\nholidays: {"2027-02-30": 春节}\n', encoding="utf-8"
    )
    code, report = doctor(demo_copy)
    assert code == 1
    assert one(report, "settings") == (
        "fail",
        "shopops.yaml: holidays: '2027-02-30' is not a day",
        'write "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (in quotes)',
    )
    assert one(report, "warehouse")[0] == one(report, "schema")[0] == "ok"
    assert "holidays" not in by_key(report)  # they need the settings


@pytest.fixture
def writer(demo_copy: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the warehouse for writing (an import, `shopops run daily` …)."""
    code = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(demo_copy / "warehouse.duckdb")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "open\n"
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_warehouse_busy_in_another_process_is_a_warning(
    demo_copy: Path, writer: subprocess.Popen[str]
) -> None:
    code, report = doctor(demo_copy)
    assert code == 0
    assert one(report, "warehouse") == (
        "warn",
        f"warehouse.duckdb is being written by another ShopOps process (pid {writer.pid})",
        "run shopops doctor again when it has finished",
    )


def test_a_stale_server_file_is_removed_and_said(demo_copy: Path) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    info = write_serve_file(demo_copy, "127.0.0.1", 8123)
    serve_file = demo_copy / SERVE_FILE
    serve_file.write_text(json.dumps({**info.__dict__, "pid": ended.pid}), encoding="utf-8")
    result = run_cli("-w", demo_copy, "doctor", "--format", "json")
    assert one(json.loads(result.stdout), "server") == (
        "warn",
        f"removed a stale {SERVE_FILE} (pid {ended.pid} has ended)",
        "nothing more to do; stop shopops serve with Ctrl-C rather than killing it",
    )
    assert (
        result.stderr == f"注意：已删除过期的 {SERVE_FILE}（它的 `shopops serve`（pid {ended.pid}）已结束）\n"
    )
    assert not serve_file.exists()
    assert one(doctor(demo_copy)[1], "server")[0] == "ok"


def test_push_channels_their_variables_and_last_delivery(
    demo_copy: Path, platforms: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = demo_copy / "shopops.yaml"
    channels = f"""  channels:
    运营群: {{kind: dingtalk, webhook: "{platforms.url("dingtalk")}", secret: {DING_SECRET}}}
    企微群: {{kind: wecom, webhook_env: TEST_DOCTOR_WECOM}}
"""
    text = (
        config.read_text(encoding="utf-8")
        .replace("  channels: {}\n", channels)
        .replace("  backoff: 2 ", "  backoff: 0 ")
    )
    config.write_text(text, encoding="utf-8")
    monkeypatch.delenv("TEST_DOCTOR_WECOM", raising=False)
    code, report = doctor(demo_copy)
    assert code == 1
    assert [(c["status"], c["message"], c["fix"]) for c in by_key(report)["push"]] == [
        ("warn", "运营群 (dingtalk): never sent", "try it: shopops push test --channel 运营群"),
        (
            "fail",
            "企微群: TEST_DOCTOR_WECOM not set in this environment",
            "set TEST_DOCTOR_WECOM where shopops runs (also for cron), then shopops push test --channel 企微群",
        ),
    ]
    monkeypatch.setenv("TEST_DOCTOR_WECOM", platforms.url("wecom"))
    assert run_cli("-w", demo_copy, "push", "test").exit_code == 0
    platforms.script("dingtalk", (200, {"errcode": 310000, "errmsg": "keywords not in content"}))
    assert run_cli("-w", demo_copy, "push", "test", "-c", "运营群").exit_code == 1
    log = (demo_copy / "logs" / "push.log").read_text(encoding="utf-8").splitlines()
    stamps = {name: line[:19] for line in log for name in ("运营群", "企微群") if f" {name} (" in line}
    code, report = doctor(demo_copy)
    assert code == 0
    assert [(c["status"], c["message"], c["fix"]) for c in by_key(report)["push"]] == [
        (
            "warn",
            f"运营群 (dingtalk): last delivery {stamps['运营群']} failed — errcode 310000: keywords not in content",
            "see logs/push.log, fix the channel in shopops.yaml, then shopops push test --channel 运营群",
        ),
        ("ok", f"企微群 (wecom): last delivery {stamps['企微群']} ok", ""),
    ]


def test_the_disk_check_fails_below_the_warehouse_size_and_warns_below_three_times(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"\0" * (1024 * 1024))

    class Usage:
        def __init__(self, free: int) -> None:
            self.free = free

    def check(free: int) -> tuple[str, str]:
        found = disk_check(tmp_path, warehouse, usage=lambda _: Usage(free))
        return found.status, found.message

    assert check(100 * 1024**2) == ("fail", "100.0 MB free on the workspace's disk (warehouse 1.0 MB)")
    assert check(1024**3)[0] == "warn"
    assert check(3 * 1024**3) == ("ok", "3.0 GB free on the workspace's disk (warehouse 1.0 MB)")
