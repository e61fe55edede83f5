"""The minute-level 直播复盘 on a tiny workspace whose every figure is worked out by hand below.

Shop 云朵抖音店 (douyin), own room (no 直播间 column: room ''). Two 罗盘 sessions (基本信息 only):

- 7001: 2026-11-28 23:00 – 2026-11-29 01:00, with a 主播排班表 whose middle shift crosses midnight
  (阿泽 23:30–00:30) and a 直播计划 of three product slots;
- 7002: 2026-11-30 20:00 – 21:00, no 排班表 and no 计划 for it, and a board that restarts counting.

Session 7001's board readings (cumulative) and the intervals between them. ``mid`` is the interval's
middle: the anchor on the 排班表 and the product in the plan at that moment get the whole interval.

    reading  成交金额 订单 消耗  曝光   观看 商品曝光 商品点击
    23:00      500     5  100  1000   100    400     40   opening: 500 already counted (not credited)
    23:10     1500    15  300  3000   300   1200    120
    23:20     2700    27  500  5000   600   2000    220
    23:26     3000    30  600  6000   700   2400    260
    23:36     4000    38  850  8000   900   3400    360
    23:43     = 23:36 (every figure the same: the page did not refresh → folded into the next interval)
    23:50     5400    52 1200 10800  1180   4800    500
    00:00     6300    61 1500 12800  1480   5700    590
    00:10     6900    67 1700 14800  1680   6300    650
    00:20     7500    72 1850 16300  1830   6800    700
    00:46    10100    98 2370 21500  2350   9400    960   26 min after 00:20: a gap (usual step 10 min)
    00:56    10900   106 2570 22500  2450   9800   1000
    01:04    11300   110 2670 23300  2530  10120   1032   its interval's middle 01:00 is past the end

    interval        min  mid    anchor product  Δ成交 Δ订单 Δ消耗 Δ观看 Δ商品曝光 Δ商品点击
    I1 23:00–23:10   10  23:05  小鹿   羽绒服   1000   10   200   200    800       80
    I2 23:10–23:20   10  23:15  小鹿   羽绒服   1200   12   200   300    800      100
    I3 23:20–23:26    6  23:23  小鹿   羽绒服    300    3   100   100    400       40
    I4 23:26–23:36   10  23:31  阿泽   羽绒服   1000    8   250   200   1000      100  ← straddles the 23:30 shift change
    I5 23:36–23:50   14  23:43  阿泽   围巾     1400   14   350   280   1400      140  ← 1 stale; straddles 23:40
    I6 23:50–00:00   10  23:55  阿泽   围巾      900    9   300   300    900       90
    I7 00:00–00:10   10  00:05  阿泽   围巾      600    6   200   200    600       60  ← after midnight, same shift
    I8 00:10–00:20   10  00:15  阿泽   围巾      600    5   150   150    500       50
    I9 00:20–00:46   26  00:33  小鹿   羽绒服   2600   26   520   520   2600      260  ← gap
    I10 00:46–00:56  10  00:51  小鹿   羽绒服    800    8   200   100    400       40
    I11 00:56–01:04   8  01:00  (outside the session: 01:00 is not before 01:00) 400 — not counted

The usual step is the median of 10 10 6 10 7(=14/2, one stale) 10 10 10 26 10 8 = 10 min; I9's 26 min
is over 2 × 10 (a gap); I5 holds a stale reading, so it is not a gap.
The session's GMV: Σ Δ成交 of I1–I10 = 10400 (= 10900 − 500); 订单 101; 消耗 2470; 116 minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from shopops.domains.live.cli_review import NO_FEED
from shopops.domains.live.feed import FeedRows
from shopops.domains.live.feed_store import store_batch
from shopops.domains.live.review_minutes import minute_review
from shopops.workspace import Workspace
from tests.conftest import run_cli

SHOP = "云朵抖音店"
BOARD_HEADER = "采集时间,整体成交金额(元),整体成交订单数,整体消耗(元),直播间整体曝光次数,直播间整体观看人数,直播间商品曝光次数,直播间商品点击次数"
BOARD = [
    "2026-11-28 23:00:00,500,5,100,1000,100,400,40",
    "2026-11-28 23:10:00,1500,15,300,3000,300,1200,120",
    "2026-11-28 23:20:00,2700,27,500,5000,600,2000,220",
    "2026-11-28 23:26:00,3000,30,600,6000,700,2400,260",
    "2026-11-28 23:36:00,4000,38,850,8000,900,3400,360",
    "2026-11-28 23:43:00,4000,38,850,8000,900,3400,360",
    "2026-11-28 23:50:00,5400,52,1200,10800,1180,4800,500",
    "2026-11-29 00:00:00,6300,61,1500,12800,1480,5700,590",
    "2026-11-29 00:10:00,6900,67,1700,14800,1680,6300,650",
    "2026-11-29 00:20:00,7500,72,1850,16300,1830,6800,700",
    "2026-11-29 00:46:00,10100,98,2370,21500,2350,9400,960",
    "2026-11-29 00:56:00,10900,106,2570,22500,2450,9800,1000",
    "2026-11-29 01:04:00,11300,110,2670,23300,2530,10120,1032",
    # Session 7002 (two days later, far beyond the 60-min silence that ends a feed session).
    # 20:20 reads less than 20:10: the board restarted counting, so 20:10–20:20 is counted from zero.
    #   20:00–20:10: Δ成交 1000 Δ订单 10 Δ消耗 200;  20:10–20:20 (reset): 300 3 50;  20:20–20:30: 600 6 100
    "2026-11-30 20:00:00,0,0,0,0,0,0,0",
    "2026-11-30 20:10:00,1000,10,200,2000,200,800,80",
    "2026-11-30 20:20:00,300,3,50,500,50,200,20",
    "2026-11-30 20:30:00,900,9,150,1500,150,600,60",
]
LUOPAN = [
    "直播ID,日期,直播开始时间,直播结束时间,直播标题",
    "7001,2026-11-28,2026-11-28 23:00:00,2026-11-29 01:00:00,羽绒服夜场",
    "7002,2026-11-30,2026-11-30 20:00:00,2026-11-30 21:00:00,围巾专场",
    "7003,2026-12-02,2026-12-02 19:00:00,2026-12-02 21:00:00,没有采集的一场",
]
SCHEDULE = [
    "日期,主播,上播时间,下播时间",
    "2026-11-28,小鹿,2026-11-28 23:00,2026-11-28 23:30",
    "2026-11-28,阿泽,2026-11-28 23:30,2026-11-29 00:30",  # crosses midnight
    "2026-11-28,小鹿,2026-11-29 00:30,2026-11-29 01:00",
]
PLAN = [
    "日期,开始时间,结束时间,目标成交金额,千川预算,商品ID,商品名称",
    "2026-11-28,2026-11-28 23:00,2026-11-28 23:40,4000,800,3601,云朵羽绒服",
    "2026-11-28,2026-11-28 23:40,2026-11-29 00:20,4000,1000,3602,云朵围巾",
    "2026-11-28,2026-11-29 00:20,2026-11-29 01:00,4000,700,3601,云朵羽绒服",
]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("live_minutes")
    root = base / "ws"
    files = {
        "直播大屏累计数据.csv": [BOARD_HEADER, *BOARD],
        "罗盘_基本信息.csv": LUOPAN,
        "主播排班表.csv": SCHEDULE,
        "直播计划.csv": PLAN,
    }
    with Workspace.init(root) as workspace:
        workspace.add_shop(SHOP, "douyin")
        for name, lines in files.items():
            path = base / name
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            result = workspace.import_file(path, shop=SHOP)
            assert result.rows == len(lines) - 1, name  # every line but the header
    return root


def _review(root: Path, session: str) -> dict[str, Any]:
    result = run_cli("-w", root, "live", "review", "--session", session, "--format", "json")
    assert result.exit_code == 0, result.output
    reviews: list[dict[str, Any]] = json.loads(result.stdout)
    (review,) = reviews
    return review


def _rows(rows: list[dict[str, Any]], key: str) -> list[tuple[Any, ...]]:
    return [
        (r[key], r["start"][11:16], r["end"][11:16], r["minutes"], r["gmv"], r["orders"], r["spend"])
        for r in rows
    ]


def test_minutes_by_anchor_credit_each_interval_at_its_middle(root: Path) -> None:
    review = _review(root, "7001")
    anchors = review["minutes_by_anchor"]
    # 小鹿 I1–I3; 阿泽 I4 (23:26–23:36, middle 23:31 > 23:30) to I8, across midnight; 小鹿 I9–I10.
    assert _rows(anchors, "anchor") == [
        ("小鹿", "23:00", "23:26", 26, 2500, 25, 500),  # 1000+1200+300; 10+12+3; 200+200+100
        (
            "阿泽",
            "23:26",
            "00:20",
            54,
            4500,
            42,
            1250,
        ),  # 1000+1400+900+600+600; 8+14+9+6+5; 250+350+300+200+150
        ("小鹿", "00:20", "00:56", 36, 3400, 34, 720),  # 2600+800; 26+8; 520+200
    ]
    xiaolu, aze, _ = anchors
    # 小鹿: 2500/26 a minute; 观看-成交 25/600; 点击-成交 25/220; 商品点击率 220/2000; ROI 2500/500; share 2500/10400
    assert xiaolu["gmv_per_minute"] == pytest.approx(2500 / 26)
    assert xiaolu["view_to_order_rate"] == pytest.approx(25 / 600)
    assert xiaolu["click_to_order_rate"] == pytest.approx(25 / 220)
    assert xiaolu["product_click_rate"] == pytest.approx(220 / 2000)
    assert xiaolu["roi"] == pytest.approx(5.0)
    assert xiaolu["gmv_share"] == pytest.approx(2500 / 10400)
    # 阿泽: 观看 200+280+300+200+150 = 1130 → 42/1130 = 3.717 %, not the mean of the intervals'
    # 8/200, 14/280, 9/300, 6/200, 5/150 (3.667 %); 商品点击 440 of 商品曝光 4400; ROI 4500/1250 = 3.6
    assert aze["view_to_order_rate"] == pytest.approx(42 / 1130)
    assert aze["view_to_order_rate"] != pytest.approx((8 / 200 + 14 / 280 + 9 / 300 + 6 / 200 + 5 / 150) / 5)
    assert aze["click_to_order_rate"] == pytest.approx(42 / 440)
    assert aze["product_click_rate"] == pytest.approx(0.1)
    assert aze["roi"] == pytest.approx(3.6)
    assert aze["gmv_per_minute"] == pytest.approx(4500 / 54)
    assert sum(a["gmv_share"] for a in anchors) == pytest.approx(1.0)


def test_minutes_by_product_follow_the_plans_run_order(root: Path) -> None:
    review = _review(root, "7001")
    products = review["minutes_by_product"]
    # I5 (23:36–23:50) has its middle at 23:43, past the 23:40 change: the whole interval is 围巾's.
    assert _rows(products, "product") == [
        ("云朵羽绒服", "23:00", "23:36", 36, 3500, 33, 750),  # I1–I4: 1000+1200+300+1000; 10+12+3+8
        ("云朵围巾", "23:36", "00:20", 44, 3500, 34, 1000),  # I5–I8: 1400+900+600+600; 14+9+6+5
        ("云朵羽绒服", "00:20", "00:56", 36, 3400, 34, 720),  # I9–I10, the second run of the same product
    ]
    jacket, scarf, _ = products
    assert jacket["view_to_order_rate"] == pytest.approx(33 / 800)  # 观看 200+300+100+200
    assert jacket["click_to_order_rate"] == pytest.approx(33 / 320)  # 商品点击 80+100+40+100
    assert jacket["product_click_rate"] == pytest.approx(320 / 3000)  # 商品曝光 800+800+400+1000
    assert jacket["roi"] == pytest.approx(3500 / 750)
    assert scarf["gmv_per_minute"] == pytest.approx(3500 / 44)
    assert scarf["view_to_order_rate"] == pytest.approx(34 / 930)  # 280+300+200+150
    assert scarf["roi"] == pytest.approx(3.5)  # 3500 / 1000
    assert [p["gmv_share"] for p in products] == pytest.approx([3500 / 10400, 3500 / 10400, 3400 / 10400])


def test_the_feed_summary_and_its_notes(root: Path) -> None:
    feed = _review(root, "7001")["minutes_feed"]
    assert (feed["room"], feed["start"], feed["end"]) == ("", "2026-11-28 23:00:00", "2026-11-29 00:56:00")
    # 13 readings (the stale one too), 10 counted intervals, 116 minutes; the totals are Σ of I1–I10
    assert (feed["snapshots"], feed["intervals"], feed["minutes"]) == (13, 10, 116)
    assert (feed["gmv"], feed["orders"], feed["spend"]) == (10400, 101, 2470)
    assert (feed["resets"], feed["stale_snapshots"], feed["gaps"], feed["breaks"]) == (0, 1, 1, 0)
    assert feed["notes"] == [
        "1 次采集数字没变（页面未刷新），并入下一区间",
        "断档 1 处（00:20–00:46），整段按中点归属",
        "首次采集（23:00）时大屏已累计成交 500.00，未分到主播/商品",
        "本场时间之外的 1 个区间未计入（成交 400.00）",
    ]


def test_a_board_reset_and_a_session_without_schedule_or_plan(root: Path) -> None:
    review = _review(root, "7002")
    feed = review["minutes_feed"]
    # 1000 + 300 (counted from zero after the restart) + 600; 10 + 3 + 6 orders; 200 + 50 + 100 spent
    assert (feed["gmv"], feed["orders"], feed["spend"], feed["minutes"]) == (1900, 19, 350, 30)
    assert feed["resets"] == 1
    assert feed["notes"] == ["大屏重新计数 1 次（20:20，重新计数前未读到的成交不在表里）"]
    assert review["minutes_by_anchor"] == [] and review["minutes_by_product"] == []


def test_a_session_without_a_feed_says_so(root: Path) -> None:
    review = _review(root, "7003")  # no board reading anywhere near 2026-12-02 19:00–21:00
    assert (review["minutes_feed"], review["minutes_by_anchor"], review["minutes_by_product"]) == (
        None,
        [],
        [],
    )
    table = run_cli("-w", root, "live", "review", "--session", "7003")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[-1] == NO_FEED


def test_without_an_end_time_the_feed_session_under_way_is_taken(root: Path) -> None:
    with Workspace.open(root) as workspace:
        minutes = minute_review(workspace.connection, SHOP, dt.datetime(2026, 11, 30, 20, 0), None)
    # 7002's feed, whole (1000 + 300 + 600); not 11-28's, nor anything after it
    assert minutes is not None and (minutes.total.gmv, minutes.total.minutes) == (1900, 30)


def test_a_replay_is_no_live_room(root: Path, tmp_path: Path) -> None:
    """A room written by `shopops live replay` during session 7003 does not make its minutes."""
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    rows = [
        {"captured_at": dt.datetime(2026, 12, 2, 19, minute), "gmv": Decimal(gmv), "source_row": line}
        for line, (minute, gmv) in enumerate(((10, 0), (20, 800)), start=2)
    ]
    with Workspace.open(copy) as workspace:
        feed = FeedRows(
            name="回放.csv", lines=2, rows=rows, types={"captured_at": "timestamp", "gmv": "money"}
        )
        stored = store_batch(
            workspace.connection, feed, shop=SHOP, room="回放", origin="replay:回放.csv", replay=True
        )
        assert stored.added == 2
        assert (
            minute_review(
                workspace.connection, SHOP, dt.datetime(2026, 12, 2, 19), dt.datetime(2026, 12, 2, 21)
            )
            is None
        )


def test_the_tables_fit_80_columns(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("-w", root, "live", "review", "--session", "7001")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("分钟级 · 按主播班次")
    tables = lines[start - 2 : start + 16]
    assert all(cell_len(line) <= 80 for line in tables), [line for line in tables if cell_len(line) > 80]
    assert tables[:2] == [
        "直播大屏 云朵抖音店：13 次采集，23:00–00:56（本场 23:00–01:00），10 个区间",
        "每个区间整段归给它中点时的主播/商品；比率由各段的增量合计重算",
    ]
    # at 80 columns: 主播 时段 分钟 成交金额 每分钟成交 观看-成交率 ROI 占比 (the others left out, and said)
    assert [line.split() for line in tables[6:10]] == [
        ["小鹿", "23:00–23:26", "26.0", "2,500.00", "96.15", "4.17%", "5.00", "24.04%"],
        ["阿泽", "23:26–00:20", "54.0", "4,500.00", "83.33", "3.72%", "3.60", "43.27%"],
        ["小鹿", "00:20–00:56", "36.0", "3,400.00", "94.44", "5.48%", "4.72", "32.69%"],
        ["合计", "23:00–00:56", "116.0", "10,400.00", "89.66", "4.30%", "4.21", "100.00%"],
    ]  # 合计: 10400/116 a minute; 观看-成交 101/2350 (2450 − 100); ROI 10400/2470
    assert tables[10] == "分钟级 · 按商品段落（直播计划排品）"
    assert [line.split()[:2] for line in tables[14:18]] == [
        ["云朵羽绒服", "23:00–23:36"], ["云朵围巾", "23:36–00:20"], ["云朵羽绒服", "00:20–00:56"], ["合计", "23:00–00:56"]
    ]  # fmt: skip
    assert lines[start + 16 :] == [
        "终端较窄，未显示：成交订单、点击-成交率、商品点击率、消耗（加宽终端，或用 --format csv / json 查看全部列）",
        "采集情况：1 次采集数字没变（页面未刷新），并入下一区间；断档 1 处（00:20–00:46），整段按中点归属；"
        "首次采集（23:00）时大屏已累计成交 500.00，未分到主播/商品；本场时间之外的 1 个区间未计入（成交 400.00）",
    ]
