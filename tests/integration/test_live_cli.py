"""`shopops live intervals | alerts | monitor` as a user runs them: the DESIGN §5 keys, an 80-column
terminal, and one clear line when there is nothing to show."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from shopops.domains.live.cli_screen import screen
from shopops.domains.live.runtime import LiveService
from shopops.workspace import Workspace
from tests.conftest import run_cli

SHOP = "山野好物抖音店"
HEADER = "采集时间,主播,整体成交金额(元),整体成交订单数,整体消耗(元),直播间整体观看人数,直播间商品点击次数,实时在线人数\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop(SHOP, "douyin", Decimal("0.05"))
        lines = [
            f"2026-11-28 23:{55 + m:02d}:00,小雅,{100 * m},{m},{20 * m},{80 * m},{100 * m},{300 + m}\n"
            for m in range(5)
        ] + [
            f"2026-11-29 00:{m:02d}:00,小雅,{100 * (m + 5)},{m + 5},{20 * (m + 5)},{80 * (m + 5)},{100 * (m + 5)},{305 + m}\n"
            for m in range(3)
        ]
        board = tmp_path / "2026-11-28_直播大屏累计数据.csv"
        board.write_text(HEADER + "".join(lines), encoding="utf-8")
        assert workspace.import_file(board, shop=SHOP).rows == 8
    return root


def test_intervals_as_json_carry_the_design_keys_and_cross_midnight(root: Path) -> None:
    result = run_cli("-w", root, "live", "intervals", "--date", "2026-11-28", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 7
    for key in ("start", "end", "gmv_delta", "orders_delta", "spend_delta", "online_viewers", "roi"):
        assert key in rows[0]
    assert (rows[-1]["start"], rows[-1]["end"]) == ("2026-11-29 00:01:00", "2026-11-29 00:02:00")
    assert (rows[0]["gmv_delta"], rows[0]["orders_delta"], rows[0]["spend_delta"], rows[0]["roi"]) == (
        100.0,
        1,
        20.0,
        5.0,
    )
    # The session started on the 28th: asked for the 29th, there is none.
    empty = run_cli("-w", root, "live", "intervals", "--date", "2026-11-29", "--format", "json")
    assert (empty.exit_code, empty.stdout) == (0, "[]\n")


def test_intervals_and_alerts_fit_an_80_column_terminal(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("-w", root, "live", "intervals", "--room", SHOP)
    assert result.exit_code == 0, result.output
    assert "23:55–23:56" in result.output and "00:01–00:02" in result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80  # a Chinese character is 2
    alerts = run_cli("-w", root, "live", "alerts", "--date", "2026-11-28")
    assert (alerts.exit_code, alerts.output.strip()) == (0, "这场直播没有提醒")


def test_no_readings_yet_says_where_to_put_them(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    Workspace.init(root).close()
    result = run_cli("-w", root, "live", "intervals")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "错误 这个工作区还没有直播大屏数据 — 把采集工具的 直播大屏累计数据.csv 放进 inbox/live/<直播间>/，或 shopops import"
    )


def test_the_monitor_screen_fits_80_columns(root: Path) -> None:
    with Workspace(root) as workspace:
        service = LiveService(workspace, watch=False, clock=lambda: dt.datetime(2026, 11, 29, 0, 2, 30))
        service.refresh(SHOP, "", quiet=True)
        picture = json.loads(service.hub.latest(SHOP, "") or "{}")
    console = Console(width=80, record=True, color_system=None)
    console.print(screen(picture, rows=5))
    text = console.export_text()
    assert all(cell_len(line) <= 80 for line in text.splitlines())
    assert text.splitlines()[0].startswith(f"{SHOP}  2026-11-28 23:55 起 · 最后一次 00:02:00 · 直播中")
    assert "成交 700" in text and "00:01–00:02" in text
    assert "23:56–23:57" not in text  # the 5 newest intervals only
