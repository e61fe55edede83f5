"""Two Douyin shops with live rooms, for the 直播 page's tests (web and browser).

- 云朵抖音旗舰店 (``LIVE_A``) has 云朵官方直播间 (``ROOM_A``): yesterday's session (小云 then 阿杰:
  their usual figures) and today's, on air now — readings every minute (two missed, one frozen),
  小云 then 阿杰, a 直播计划 whose 千川 budget the room spends about 35 % too fast, and orders that
  stall after reading 16 (the 点击-成交率 drops);
- 小野抖音店 (``LIVE_B``) has 小野家居直播间 (``ROOM_B``), on air too.

Users: ``admin``; ``zhuli`` (operator of A); ``guest`` (viewer of A). Readings go in the way the
capture tool sends them: the board's CSV (``board_csv``), through :class:`LiveService` (or the API).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from shopops.domains.live.room import china_now
from shopops.domains.live.runtime import LiveService
from shopops.web import accounts
from shopops.web.app import create_app
from shopops.workspace import Workspace
from tests.web.conftest import PASSWORD, WebDemo

LIVE_A = "云朵抖音旗舰店"
LIVE_B = "小野抖音店"
ROOM_A = "云朵官方直播间"
ROOM_B = "小野家居直播间"
HOSTILE_ROOM = "<script>alert(1)</script>"
HOSTILE_ANCHOR = '"><img src=x onerror=alert(2)>'
OPERATOR, VIEWER = "zhuli", "guest"
HEADER = (
    "采集时间",
    "主播",
    "整体成交金额(元)",
    "整体成交订单数",
    "整体消耗(元)",
    "直播间整体曝光次数",
    "直播间整体观看人数",
    "直播间商品曝光次数",
    "直播间商品点击次数",
    "实时在线人数",
)
STEP = dt.timedelta(minutes=1)
SEEDED = 20  # today's readings 0 … 19 are on record before a test starts; 20 … are the test's
TOTAL = SEEDED + 3  # the last of them is read in the current minute: the seeded ones end 3 minutes ago
MISSED = (5, 6)  # readings the capture tool missed: one interval of 3 minutes (断档)
FROZEN = 9  # a reading with the figures of the one before (the board did not refresh: 未刷新)
SEEDED_SNAPSHOTS = SEEDED - len(MISSED)
SEEDED_INTERVALS = SEEDED_SNAPSHOTS - 2  # the first reading opens the session; the frozen one joins the next
STALL = 16  # orders grow 6–7 a minute up to this reading, then one every other minute
PLAN_HOUR_BUDGET = Decimal("10700.00")  # 240 a minute spent vs 178.33 planned: +35 %
PLAN_HOUR_TARGET = Decimal("24000.00")


def orders_at(i: int) -> int:
    if i <= STALL:
        return 5 + 6 * i + i // 2
    return orders_at(STALL) + (i - STALL) // 2


def figures(i: int) -> dict[str, Decimal | int]:
    """The board's running totals at reading ``i`` of a session (0: the first reading)."""
    orders = orders_at(i)
    return {
        "gmv": Decimal("99.90") * orders,
        "orders": orders,
        "spend": Decimal(150 + 240 * i),
        "exposures": 2000 + 1500 * i + 37 * (i % 5),
        "viewers": 300 + 210 * i + 7 * (i % 3),
        "product_exposures": 800 + 620 * i,
        "product_clicks": 90 + 64 * i + i % 4,
        "online_viewers": 800 + 20 * i,
    }


def reading(at: dt.datetime, i: int, anchor: str) -> list[str]:
    f = figures(i)
    return [
        at.strftime("%Y-%m-%d %H:%M:%S"),
        anchor,
        f"{f['gmv']:,.2f}",  # as the board shows it: thousands commas
        str(f["orders"]),
        f"{f['spend']:.2f}",
        str(f["exposures"]),
        str(f["viewers"]),
        str(f["product_exposures"]),
        str(f["product_clicks"]),
        str(f["online_viewers"]),
    ]


def anchor_at(i: int) -> str:
    return "小云" if i < 12 else "阿杰"


def board_csv(lines: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([list(HEADER), *lines])
    return buffer.getvalue()


def session_start(now: dt.datetime | None = None) -> dt.datetime:
    """Today's session: its last reading (``TOTAL - 1``) falls on the current minute."""
    now = (now or china_now()).replace(second=0, microsecond=0)
    return now - (TOTAL - 1) * STEP


def today_line(start: dt.datetime, i: int) -> list[str]:
    return reading(start + i * STEP, i, anchor_at(i))


def seeded_lines(start: dt.datetime, seeded: int = SEEDED) -> list[list[str]]:
    """Today's readings before the test: 0 … seeded − 1, less the missed ones, one of them frozen."""
    lines = []
    for i in range(seeded):
        if i in MISSED:
            continue
        lines.append(reading(start + i * STEP, i - 1, anchor_at(i)) if i == FROZEN else today_line(start, i))
    return lines


def plan_file(folder: Path, start: dt.datetime) -> Path:
    rows = [
        (start + dt.timedelta(hours=h), start + dt.timedelta(hours=h + 1), product)
        for h, product in enumerate(("云朵羽绒服", "云朵围巾"))
    ]
    lines = ["日期,直播间,开始时间,结束时间,目标成交金额,千川预算,商品ID,商品名称"]
    lines += [
        f"{start.date()},{ROOM_A},{a:%Y-%m-%d %H:%M},{b:%Y-%m-%d %H:%M},{PLAN_HOUR_TARGET},{PLAN_HOUR_BUDGET},"
        f"360123456789{n},{p}"
        for n, (a, b, p) in enumerate(rows)
    ]
    path = folder / "直播计划.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_live_web(base: Path, *, seeded: int = SEEDED) -> tuple[WebDemo, dt.datetime]:
    """The workspace (two Douyin shops, their rooms, the plan, the users) and today's session start."""
    root = base / "ws"
    workspace = Workspace.init(root)
    workspace.add_shop(LIVE_A, "douyin")
    workspace.add_shop(LIVE_B, "douyin")
    con = workspace.connection
    accounts.add_user(con, "admin", PASSWORD, "admin", None)
    accounts.add_user(con, OPERATOR, PASSWORD, "operator", [LIVE_A])
    accounts.add_user(con, VIEWER, PASSWORD, "viewer", [LIVE_A])
    tokens = {name: accounts.create_token(con, name) for name in ("admin", OPERATOR, VIEWER)}
    start = session_start()
    base.mkdir(parents=True, exist_ok=True)
    result = workspace.import_file(plan_file(base, start), shop=LIVE_A)
    assert result.rows == 2, result
    service = LiveService(workspace, watch=False, push=False)
    yesterday = start - dt.timedelta(days=1)
    past = [reading(yesterday + i * STEP, i, "小云" if i < 20 else "阿杰") for i in range(40)]
    service.ingest(board_csv(past), "昨天.csv", origin="test", room=ROOM_A, shop=LIVE_A)
    today = seeded_lines(start, seeded)
    service.ingest(board_csv(today), "今天.csv", origin="test", room=ROOM_A, shop=LIVE_A)
    other = [reading(start + i * STEP, i, "小野") for i in range(SEEDED - 4)]  # ends before A
    service.ingest(board_csv(other), "小野.csv", origin="test", room=ROOM_B, shop=LIVE_B)
    demo = WebDemo(root, base, base, workspace, create_app(workspace), tokens)
    return demo, start
