"""The 直播计划 template: imported, checked across its rows (a bad plan changes nothing), and read by the
room's pace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from shopops.domains.live.live_settings import LiveSettings
from shopops.domains.live.room import room_sessions, room_view
from shopops.errors import SheetRowsError
from shopops.workspace import Workspace

SHOP = "山野好物抖音店"
HEADER = "日期,直播间,开始时间,结束时间,目标成交金额,千川预算,商品ID,商品名称\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws")
    ws.add_shop(SHOP, "douyin", Decimal("0.05"))
    return ws


def plan(tmp_path: Path, rows: str, name: str = "直播计划.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


GOOD = (
    "2026-11-28,,2026-11-28 20:00,2026-11-28 21:00,30000,600,,\n"
    "2026-11-28,,2026-11-28 21:00,2026-11-28 22:00,45000,1200,,\n"
    "2026-11-28,,2026-11-28 20:00,2026-11-28 20:30,,,3601,羽绒服\n"
    "2026-11-28,,2026-11-28 20:30,2026-11-28 22:00,,,3602,围巾\n"
)


def test_a_plan_imports_and_the_room_is_paced_by_it(workspace: Workspace, tmp_path: Path) -> None:
    result = workspace.import_file(plan(tmp_path, GOOD), shop=SHOP)
    assert (result.source_key, result.rows) == ("live_plan", 4)
    board = tmp_path / "2026-11-28_直播大屏累计数据.csv"
    board.write_text(
        "采集时间,整体成交金额(元),整体消耗(元),直播间商品点击次数\n"
        "2026-11-28 20:00:00,0,0,0\n"
        "2026-11-28 20:15:00,9000,300,1000\n"
        "2026-11-28 20:50:00,19000,700,2000\n",
        encoding="utf-8",
    )
    workspace.import_file(board, shop=SHOP)
    (session,) = room_sessions(workspace.connection, SHOP, "", LiveSettings(), day=dt.date(2026, 11, 28))
    # By each interval's middle: 20:07:30 羽绒服, 20:32:30 围巾.
    assert [i.product for i in session.session.intervals] == ["羽绒服", "围巾"]
    view = room_view(session, [], now=None, settings=LiveSettings())
    # By 20:50 the plan had 30,000 × 50/60 = 25,000 GMV and 600 × 50/60 = 500 of budget.
    assert view["pace"]["planned_gmv"] == 25000.0 and view["pace"]["planned_spend"] == 500.0
    assert view["pace"]["gmv_pace"] == pytest.approx(19000 / 25000 - 1)
    assert view["pace"]["spend_pace"] == pytest.approx(700 / 500 - 1)
    assert (view["pace"]["target_gmv"], view["pace"]["budget"]) == (75000.0, 1800.0)


BAD_PLANS = [
    (
        "2026-11-28,,2026-11-28 20:00,2026-11-28 21:00,30000,600,,\n"
        "2026-11-28,,2026-11-28 20:30,2026-11-28 21:30,45000,1200,,\n",
        "直播计划.csv 未导入（直播计划有问题，改好后再导入）：第 2 行和第 3 行的目标/预算时段重叠（20:00–21:00 与 20:30–21:30）",
    ),
    (
        "2026-11-28,,2026-11-28 21:00,2026-11-28 20:00,30000,600,,\n",
        "直播计划.csv 未导入（直播计划有问题，改好后再导入）：第 2 行 结束时间 20:00 不晚于开始时间 21:00",
    ),
    (
        "2026-11-28,,2026-11-30 20:00,2026-11-30 21:00,30000,,,\n"
        "2026-11-28,,2026-11-28 20:00,2026-11-28 21:00,,,,\n",
        "直播计划.csv 未导入（直播计划有问题，改好后再导入）：\n"
        "第 2 行 开始时间 2026-11-30 20:00 不在 2026-11-28 这场（日期写开播那天）\n"
        "第 3 行 既没有目标/预算，也没有商品 — 删掉这行或填上",
    ),
]


@pytest.mark.parametrize(("rows", "message"), BAD_PLANS)
def test_a_plan_that_does_not_hold_together_is_refused_whole(
    workspace: Workspace, tmp_path: Path, rows: str, message: str
) -> None:
    with pytest.raises(SheetRowsError) as error:
        workspace.import_file(plan(tmp_path, rows), shop=SHOP)
    assert error.value.render() == message
    assert workspace.connection.execute("SELECT count(*) FROM live_plan").fetchall() == [(0,)]


def test_a_budget_only_plan_without_product_columns_imports(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "直播计划_预算.csv"
    path.write_text(
        "日期,开始时间,结束时间,千川预算\n2026-11-28,2026-11-28 20:00,2026-11-28 21:00,600\n",
        encoding="utf-8",
    )
    assert workspace.import_file(path, shop=SHOP).rows == 1
