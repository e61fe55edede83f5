"""The live feed: the capture tool's real header, its cell quirks read as the importer reads them,
each snapshot stored once with its provenance, and a gallery of bad feeds with their messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from shopops.domains.live.feed import FeedError, parse_feed
from shopops.domains.live.feed_store import store_batch
from shopops.domains.live.feed_values import Bad, read_cell
from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.runtime_rooms import RoomError, resolve_room
from shopops.domains.live.store import load_snapshots
from shopops.ingest.values import VALUE_TYPES, install_parsers
from shopops.workspace import Workspace

SHOP = "山野好物抖音店"
# The header xiaoyu312/qianchuan-live-board-tool writes (next-batch-research §6.1), in its order.
TOOL_METRICS = [
    "净成交订单数",
    "净成交订单成本(元)",
    "用户实际支付净成交金额(元)",
    "净成交金额结算率",
    "净成交订单结算率",
    "1小时内退款订单数",
    "1小时内退款金额(元)",
    "1小时内退款率",
    "整体成交订单数",
    "GPM(元)",
    "观看成交转化率",
    "整体成交订单成本(元)",
    "用户实际支付金额(元)",
    "整体成交智能优惠券金额(元)",
    "电商平台补贴金额(元)",
    "整体未完结预售订单预估金额(元)",
    "直播间退款金额(元)",
    "直播间退款率",
    "实时在线人数",
    "直播间整体曝光次数",
    "曝光观看率(次数)",
    "直播间整体观看人数",
    "直播间平均停留时长(整场)",
    "直播间整体新增粉丝数",
    "直播间评论次数",
    "直播间商品曝光次数",
    "直播间商品点击次数",
    "商品点击率",
    "商品转化率",
    "分享次数",
    "分享率",
    "打赏次数",
    "点赞率",
    "整体消耗(元)",
    "整体支付ROI",
    "整体成交金额(元)",
    "净成交ROI",
    "净成交金额(元)",
]
HEADER = ["采集时间", "主播", *TOOL_METRICS]


def line(when: str, **cells: str) -> list[str]:
    row = dict.fromkeys(HEADER, "--")
    row.update({"采集时间": when, "主播": "小雅"}, **cells)
    return [row[h] for h in HEADER]


def csv_text(*rows: list[str]) -> str:
    return (
        "\ufeff" + "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in [HEADER, *rows]) + "\n"
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws")
    ws.add_shop(SHOP, "douyin", Decimal("0.05"))
    return ws


# -- cells ----------------------------------------------------------------------------------------

GALLERY = {
    "money": ["1,234.50", "1，234.50", "¥88", "3.4万", " 12 ", "--", "-", "", "+5", "abc", "1.2.3"],
    "int": ["1,234", "12", "7.0", "7.5", "--", "x", "1万"],
    "ratio": ["5.95%", "5.95％", "0.0595", "--", "%", "a%"],
    "duration": ["1分23秒", "83", "2小时3分", "0:01:23", "--", "三分钟", "1分钟20秒"],
    "timestamp": [
        "2026-11-28 20:01:00",
        "2026/11/28 20:01",
        "2026-11-28T20:01:00",
        "2026-11-28",
        "--",
        "昨天",
        "1999-01-01 10:00:00",
    ],
    "text": ["小雅", " 小雅 ", "--"],
}


@pytest.mark.parametrize("kind", sorted(GALLERY))
def test_the_feed_reads_every_cell_as_the_importer_does(kind: str) -> None:
    con = duckdb.connect()
    install_parsers(con)
    value_type = VALUE_TYPES[kind]
    for cell in GALLERY[kind]:
        flag = value_type.flag("c") if value_type.problem else "false"
        parsed, bad = con.execute(
            f"SELECT {value_type.parse('c')}, {flag} FROM (SELECT ?::VARCHAR AS c)", [cell]
        ).fetchall()[0]
        try:
            ours, refused = read_cell(kind, cell), False
        except Bad:
            ours, refused = None, True
        # A cell the importer flags bad is refused whatever its parser returned (a date out of range).
        assert (ours, refused) == (None if bad else parsed, bool(bad)), f"{kind} {cell!r}"


# -- a feed ------------------------------------------------------------------------------------------


def test_the_capture_tools_file_reads_whole_and_its_own_ratios_are_not_counted_as_unused(
    workspace: Workspace,
) -> None:
    text = csv_text(
        line(
            "2026-11-28 20:01:00",
            **{
                "整体成交金额(元)": "1,234.50",
                "整体成交订单数": "12",
                "实时在线人数": "1，020",
                "直播间平均停留时长(整场)": "1分23秒",
                "观看成交转化率": "2.5％",
                "整体消耗(元)": "300",
            },
        ),
        line("2026-11-28 20:02:00", **{"整体成交金额(元)": "1,500.00", "整体成交订单数": "14"}),
    )
    feed = parse_feed(workspace.registry.get("live_board"), text, "2026-11-28_直播大屏累计数据.csv")
    assert (feed.lines, len(feed.rows), feed.skipped, feed.unused_columns) == (
        2,
        2,
        [],
        (
            "用户实际支付净成交金额(元)",
            "整体成交智能优惠券金额(元)",
            "电商平台补贴金额(元)",
            "整体未完结预售订单预估金额(元)",
            "打赏次数",
        ),
    )
    first = feed.rows[0]
    assert first["captured_at"] == dt.datetime(2026, 11, 28, 20, 1)
    assert (first["gmv"], first["orders"], first["online_viewers"]) == (Decimal("1234.50"), 12, 1020)
    assert (first["avg_stay_seconds"], first["board_view_to_order"]) == (83.0, 0.025)
    assert first["net_gmv"] is None  # "--" is unknown, never 0
    assert first["anchor"] == "小雅"


def test_each_reading_is_stored_once_with_its_batch_and_a_changed_repeat_is_kept_out_and_said(
    workspace: Workspace,
) -> None:
    spec = workspace.registry.get("live_board")
    cursor = workspace.connection.cursor()
    first = csv_text(
        line("2026-11-28 20:01:00", **{"整体成交金额(元)": "100"}),
        line("2026-11-28 20:02:00", **{"整体成交金额(元)": "200"}),
    )
    result = store_batch(
        cursor, parse_feed(spec, first, "a.csv"), shop=SHOP, room="", origin="inbox/live/a.csv"
    )
    assert (result.lines, result.added, result.repeated, result.conflicting, result.skipped) == (
        2,
        2,
        0,
        0,
        0,
    )
    grown = csv_text(
        line("2026-11-28 20:01:00", **{"整体成交金额(元)": "100"}),  # the same again
        line("2026-11-28 20:02:00", **{"整体成交金额(元)": "250"}),  # other figures for a stored time
        line("2026-11-28 20:03:00", **{"整体成交金额(元)": "300"}),
        line("2026-11-28 20:03:00", **{"整体成交金额(元)": "300"}),  # twice in the file
        line("2026-11-28 20:04:00", **{"整体成交订单数": "x"}),
        ["合计", *[""] * (len(HEADER) - 1)],
    )
    again = store_batch(
        cursor, parse_feed(spec, grown, "a.csv"), shop=SHOP, room="", origin="inbox/live/a.csv"
    )
    assert (again.lines, again.added, again.repeated, again.conflicting, again.skipped) == (6, 1, 2, 1, 2)
    assert again.lines == again.added + again.repeated + again.conflicting + again.skipped
    assert again.notes == [
        "第 6 行「整体成交订单数」的值 'x' is not a whole number（write a plain number such as 1234.56 (¥ and thousands separators are fine)）",
        "第 7 行是合计行，不是一次采集",
        "第 3 行 2026-11-28 20:02:00 已有一次采集，数不同：保留先到的",
    ]
    stored = load_snapshots(cursor, SHOP, "", dt.datetime(2026, 11, 28), dt.datetime(2026, 11, 29))
    assert [(s.captured_at.minute, s.values["gmv"]) for s in stored] == [(1, 100), (2, 200), (3, 300)]
    batches = cursor.execute(
        "SELECT origin, lines, added, repeated, conflicting, skipped FROM live_feed_batch ORDER BY batch_id"
    ).fetchall()
    assert batches == [("inbox/live/a.csv", 2, 2, 0, 0, 0), ("inbox/live/a.csv", 6, 1, 2, 1, 2)]
    unchanged = store_batch(
        cursor, parse_feed(spec, first, "a.csv"), shop=SHOP, room="", origin="inbox/live/a.csv"
    )
    assert unchanged.batch_id is None  # a file read again unchanged writes nothing


def test_a_board_file_imported_with_shopops_import_gives_the_same_snapshots_as_the_feed(
    workspace: Workspace, tmp_path: Path
) -> None:
    text = csv_text(
        line(
            "2026-11-28 20:01:00",
            **{
                "整体成交金额(元)": "1,234.50",
                "直播间平均停留时长(整场)": "1分23秒",
                "观看成交转化率": "2.5％",
            },
        ),
        line("2026-11-28 20:02:00", **{"整体成交金额(元)": "1，500", "实时在线人数": "1,020"}),
    )
    path = tmp_path / "2026-11-28_直播大屏累计数据.csv"
    path.write_text(text, encoding="utf-8")
    result = workspace.import_file(path, shop=SHOP)
    assert (result.source_key, result.rows) == ("live_board", 2)
    window = (dt.datetime(2026, 11, 28), dt.datetime(2026, 11, 29))
    imported = load_snapshots(workspace.connection, SHOP, "", *window)
    cursor = workspace.connection.cursor()
    store_batch(
        cursor,
        parse_feed(workspace.registry.get("live_board"), text, "feed"),
        shop=SHOP,
        room="twin",
        origin="t",
    )
    fed = load_snapshots(cursor, SHOP, "twin", *window)
    assert [(s.captured_at, dict(s.values), s.anchor) for s in imported] == [
        (s.captured_at, dict(s.values), s.anchor) for s in fed
    ]


# -- the gallery of bad feeds ----------------------------------------------------------------------

BAD_FEEDS = [
    ("empty.csv", "\ufeff\n\n", "empty.csv: 文件是空的 (the file is empty) — 采集工具还没写入数据时不用导入"),
    (
        "no_time.csv",
        "主播,整体成交金额(元)\n小雅,100\n",
        "no_time.csv: 没有「采集时间」列 (no 采集时间 column) — 直播大屏累计数据的第一列应是采集时间；找到的列：主播、整体成交金额(元)",
    ),
    (
        "broken.jsonl",
        '{"采集时间": "2026-11-28 20:01:00"}\n{"采集时间": \n',
        "broken.jsonl: 第 2 行不是有效的 JSON（Expecting value）— 每行一个 JSON 对象",
    ),
    (
        "list.json",
        '[["2026-11-28 20:01:00", 100]]',
        'list.json: 第 1 行不是 JSON 对象 — 每行（或列表的每项）写一个 {"采集时间": …}',
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FEEDS, ids=[b[0] for b in BAD_FEEDS])
def test_a_feed_that_cannot_be_read_says_so_in_one_line(
    workspace: Workspace, name: str, text: str, message: str
) -> None:
    with pytest.raises(FeedError) as error:
        parse_feed(workspace.registry.get("live_board"), text, name)
    assert str(error.value) == message


def test_a_json_reading_reads_like_a_csv_line(workspace: Workspace) -> None:
    text = '{"采集时间": "2026-11-28 20:01:00", "整体成交金额(元)": "1,200", "实时在线人数": 300, "直播间": "山野好物直播间"}\n'
    feed = parse_feed(workspace.registry.get("live_board"), text, "api")
    assert (feed.rows[0]["gmv"], feed.rows[0]["online_viewers"], feed.rooms) == (
        Decimal("1200.00"),
        300,
        ("山野好物直播间",),
    )


ROOMS = [
    (
        {"room": None, "shop": None},
        (),
        "f.csv: 不知道是哪个直播间的 — 放进 inbox/live/<直播间或店铺名>/，或用 --room 直播间",
    ),
    (
        {"room": "A", "shop": None},
        ("A", "B"),
        "f.csv: 一个文件只能是一个直播间的数据，这个文件有 A、B — 按直播间分开保存",
    ),
    ({"room": "A", "shop": None}, ("B",), "f.csv: 文件里的直播间是「B」，不是「A」— 放进 inbox/live/B/"),
    (
        {"room": "A", "shop": "没有的店"},
        (),
        "f.csv: 没有店铺「没有的店」— 先 shopops shop add，或写已有的店铺名",
    ),
    (
        {"room": "新直播间", "shop": None},
        (),
        "f.csv: 直播间「新直播间」不知道是哪个店铺的 — 在 shopops.yaml 的 live.rooms 下写「新直播间: 店铺名」，或第一次发送时带上店铺（--shop / ?shop=）",
    ),
]


@pytest.mark.parametrize(("given", "in_file", "message"), ROOMS)
def test_a_feed_whose_room_or_shop_cannot_be_told_says_how_to_tell_it(
    workspace: Workspace, given: dict[str, str | None], in_file: tuple[str, ...], message: str
) -> None:
    workspace.add_shop("第二家抖音店", "douyin", Decimal("0.05"))  # with one, a file naming no room is its
    with pytest.raises(RoomError) as error:
        resolve_room(workspace.connection, LiveSettings(), "f.csv", in_file=in_file, **given)
    assert str(error.value) == message


def test_rooms_resolve_from_the_settings_the_shop_name_or_the_rooms_own_readings(
    workspace: Workspace,
) -> None:
    con, settings = workspace.connection, LiveSettings(rooms={"山野好物直播间": SHOP})
    assert resolve_room(con, settings, "f", room="山野好物直播间", shop=None) == (
        SHOP,
        "山野好物直播间",
    )
    assert resolve_room(con, settings, "f", room=SHOP, shop=None) == (SHOP, "")
    assert resolve_room(con, settings, "f", room="二号间", shop=SHOP) == (SHOP, "二号间")
