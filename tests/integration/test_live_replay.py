"""`shopops live replay` of the demo's recorded session, against the generator's manifest: the replay
twin's intervals are the imported room's to the cent, and its alerts are exactly the designed events —
one per event, at its time, nothing else (no alert on noise, none for the 4-minute frozen page)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from shopops.demo.douyin import DOUYIN_SHOP
from shopops.demo.live_feed import live_file_shops
from shopops.demo.run import configure, generate
from shopops.workspace import Workspace
from tests.conftest import run_cli

END, DAYS, SEED = dt.date(2026, 11, 27), 40, 20261125
TWIN = f"{DOUYIN_SHOP}·回放"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("live_replay")
    exports = root / "exports"
    generated = generate(exports, days=DAYS, end=END, seed=SEED, platforms=True, live=True)
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    with Workspace.init(root) as workspace:
        configure(workspace, platforms=True)
    files = list(live_file_shops(exports, manifest))
    assert run_cli("-w", root, "import", "--shop", DOUYIN_SHOP, *files).exit_code == 0
    replay = manifest["live"]["replay"]
    result = run_cli("-w", root, "live", "replay", exports / replay["file"], "--speed", "0", "--no-monitor")
    assert result.exit_code == 0, result.output
    lines = replay["readings"] + 1  # a line written twice: read once
    assert (
        f"回放了 {replay['readings']} 次采集（文件 {lines} 行）到「{TWIN}」：166 个间隔，6 条提醒"
        in result.stdout
    )
    return root, manifest["live"]


def cli_json(root: Path, *args: str) -> list[dict[str, Any]]:
    result = run_cli("-w", root, "live", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_the_replay_twin_has_the_manifests_intervals(demo: tuple[Path, dict[str, Any]]) -> None:
    root, live = demo
    day = live["replay"]["date"]
    twin = cli_json(root, "intervals", "--room", TWIN, "--date", day)
    room = cli_json(root, "intervals", "--room", DOUYIN_SHOP, "--date", day)
    truth = live["replay"]["intervals"]
    assert len(twin) == len(room) == len(truth) == 166
    keys = ("start", "end", "gmv_delta", "orders_delta", "spend_delta", "online_viewers")
    assert [{k: r[k] for k in keys} for r in twin] == [{k: r[k] for k in keys} for r in room]
    for row, want in zip(twin, truth, strict=True):
        assert row["start"] == want["start"].replace("T", " ") and row["end"] == want["end"].replace("T", " ")
        assert f"{row['gmv_delta']:.2f}" == want["gmv_delta"] and row["orders_delta"] == want["orders_delta"]
        assert f"{row['spend_delta']:.2f}" == want["spend_delta"]
        assert (row["stale"], row["gap"]) == (want["stale"], want["gap"])


def test_the_replays_alerts_are_exactly_the_designed_events(demo: tuple[Path, dict[str, Any]]) -> None:
    root, live = demo
    events = live["replay"]["events"]
    alerts = cli_json(root, "alerts", "--room", TWIN, "--date", live["replay"]["date"])
    at = {a["kind"]: dt.datetime.fromisoformat(a["at"]) for a in alerts}
    assert len(at) == len(alerts) == 6  # one of each kind, nothing else

    def within(kind: str, start: str, end: str) -> bool:
        return dt.datetime.fromisoformat(start) < at[kind] <= dt.datetime.fromisoformat(end)

    sold = events["sold_out"]
    assert within("drop:click_to_order_rate", sold["at"], sold["until"])
    assert within("drop:view_to_order_rate", sold["at"], sold["until"])
    assert within("spend_fast", events["spend_burst"]["from"], events["spend_burst"]["until"])
    assert at["viewers_cliff"] == dt.datetime.fromisoformat(events["online_cliff"]["at"])
    last_before_gap = dt.datetime.fromisoformat(events["gap"]["interval"][0])
    assert at["feed_stale"] == last_before_gap + dt.timedelta(minutes=5)
    spike = events["refund_spike"]
    assert within("refund_spike", spike["from"], spike["until"])
    by_kind = {a["kind"]: a for a in alerts}
    assert by_kind["drop:click_to_order_rate"]["product"] == sold["product"]
    assert by_kind["viewers_cliff"]["detail"].startswith(
        f"在线人数 {events['online_cliff']['before']} → {events['online_cliff']['after']}"
    )


def test_the_imported_room_says_the_same_alerts_as_its_replay(demo: tuple[Path, dict[str, Any]]) -> None:
    root, live = demo
    day = live["replay"]["date"]
    ours = [(a["kind"], a["at"]) for a in cli_json(root, "alerts", "--room", DOUYIN_SHOP, "--date", day)]
    twin = [(a["kind"], a["at"]) for a in cli_json(root, "alerts", "--room", TWIN, "--date", day)]
    assert ours == twin
