"""JD and Douyin shops beside the Taobao ones: every new export imported, the master table and the
live review equal the generator's true values, and cross-platform totals carry their 口径 note."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopops.demo.douyin import AFFILIATE, DOUYIN_SHOP, anchor_slots, own_room, simulate_douyin
from shopops.demo.jd import JD_SHOP
from shopops.metrics.basis import basis_note
from shopops.metrics.catalog import load_catalog
from shopops.workspace import Workspace
from tests.conftest import DEMO_DAYS, DEMO_END, DemoWorkspace, build_platforms_demo
from tests.integration.test_master_table import assert_equal, master_csv

SEED = 7


@pytest.fixture(scope="module")
def platforms_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    base = tmp_path_factory.mktemp("platforms")
    return build_platforms_demo(base, SEED)


def test_every_new_export_type_is_detected(platforms_demo: DemoWorkspace) -> None:
    sources = {row[3] for row in _imports(platforms_demo.root)}
    expected = {
        "jd_shop_daily", "jd_sku_daily", "jd_orders", "jd_jzt_report", "jd_union", "jd_coupons",
        "douyin_orders", "douyin_live_basic", "douyin_live_overview", "douyin_live_funnel",
        "douyin_live_channel", "douyin_live_items", "qianchuan_report", "douyin_short_video", "anchor_schedule",
    }  # fmt: skip
    assert expected <= sources


def _imports(root: Path) -> list[tuple[Any, ...]]:
    with Workspace.open(root) as workspace:
        return workspace.imports(limit=1000)


def test_master_table_of_all_four_shops_equals_the_manifest(platforms_demo: DemoWorkspace) -> None:
    catalog = load_catalog()
    rows = master_csv(platforms_demo)
    shops = platforms_demo.manifest["shops"]
    assert {r["shop"] for r in rows} == set(shops) and len(shops) == 4
    for row in rows:
        truth = shops[row["shop"]]["days"][row["date"]]
        assert row["platform"] == shops[row["shop"]]["platform"]
        for key, metric in catalog.metrics.items():
            assert_equal(key, metric.unit, row[key], truth[key], f"{row['shop']} {row['date']}")


def test_live_figures_sit_in_the_master_table(platforms_demo: DemoWorkspace) -> None:
    rows = {(r["shop"], r["date"]): r for r in master_csv(platforms_demo)}
    end = platforms_demo.manifest["end"]
    douyin = rows[(DOUYIN_SHOP, end)]
    assert douyin["live_gmv"] and douyin["live_viewers"] and douyin["gpm"]
    expected = Decimal(douyin["live_gmv"]) * 1000 / int(douyin["live_viewers"])
    assert Decimal(douyin["gpm"]) == expected.quantize(Decimal("0.01"))
    assert rows[(JD_SHOP, end)]["live_gmv"] == "" and rows[("云朵旗舰店", end)]["gpm"] == ""


def _review(demo: DemoWorkspace, *extra: str) -> list[dict[str, Any]]:
    result = demo.cli("live", "review", *extra, "--format", "json")
    assert result.exit_code == 0, result.output
    reviews: list[dict[str, Any]] = json.loads(result.output)
    return reviews


def test_live_review_equals_the_known_totals(platforms_demo: DemoWorkspace) -> None:
    start = DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
    lines, sessions = simulate_douyin(start, DEMO_DAYS, SEED)
    session = sessions[-1]
    (review,) = _review(platforms_demo, "--session", session.session_id)
    room = [line for line in lines if own_room(line, session)]
    gmv = sum((line.payable for line in room), Decimal(0))
    assert Decimal(str(review["gmv"])) == gmv
    assert review["user_paid_amount"] != review["gmv"]  # 用户支付金额 is not 成交金额
    assert next(step["step"] for step in review["funnel"]) == "直播间曝光人数"
    assert review["funnel"][-1]["people"] == len({line.order_id for line in room})
    assert Decimal(str(review["qianchuan_spend"])) == session.qianchuan
    assert review["qianchuan_roi"] == pytest.approx(float(gmv / session.qianchuan))
    assert sum(Decimal(str(p["gmv"])) for p in review["products"]) == gmv
    assert sum(Decimal(str(c["gmv"])) for c in review["channels"]) == gmv
    live = [line for line in lines if line.kind == "直播" and line.paid_at is not None]
    for excluded, flags in ((False, ()), (True, ("--exclude-affiliate",))):
        (credited,) = _review(platforms_demo, "--session", session.session_id, *flags)
        for anchor, begin, until in anchor_slots(session):
            want = sum(
                (
                    line.payable
                    for line in live
                    if begin <= line.paid_at < until and not (excluded and line.source == AFFILIATE)  # type: ignore[operator]
                ),
                Decimal(0),
            )
            got = next(a for a in credited["anchors"] if a["anchor"] == anchor)
            assert Decimal(str(got["gmv"])) == want
        hours = sum(Decimal(str(h["gmv"])) for h in credited["hours"])
        assert hours == sum(Decimal(str(a["gmv"])) for a in credited["anchors"])


def test_review_by_date_and_a_clear_answer_without_sessions(platforms_demo: DemoWorkspace) -> None:
    assert len(_review(platforms_demo, "--date", platforms_demo.manifest["end"])) == 1
    result = platforms_demo.cli("live", "review", "--date", "2020-01-01")
    assert (
        result.exit_code == 1
        and result.output
        == "错误 没有找到2020-01-01 的直播场次 — 先导入 罗盘 直播复盘 工作簿（`shopops import`）\n"
    )
    assert platforms_demo.cli("live", "review", "--date", platforms_demo.manifest["end"]).exit_code == 0


def test_cross_platform_total_carries_the_basis_note(platforms_demo: DemoWorkspace) -> None:
    end = platforms_demo.manifest["end"]
    result = platforms_demo.cli(
        "table", "master", "--from", end, "--to", end, "--total", "--format", "json",
        "--shop", JD_SHOP, "--shop", "云朵旗舰店",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    total = next(r for r in rows if r["shop"] == "合计")
    assert total["basis_note"] and "京东" in total["basis_note"] and "成交客户数" in total["basis_note"]
    assert Decimal(str(total["gmv"])) == sum(Decimal(str(r["gmv"])) for r in rows if r["shop"] != "合计")


def test_jd_and_taobao_gmv_are_never_summed_without_the_note(platforms_demo: DemoWorkspace) -> None:
    """Every total over shops of different platforms must say what it adds up."""
    with Workspace.open(platforms_demo.root) as workspace:
        platforms = {name: platform for name, platform, _ in workspace.shops()}
        end = dt.date.fromisoformat(platforms_demo.manifest["end"])
        for shops in ([JD_SHOP, "云朵旗舰店"], [DOUYIN_SHOP, "小野家居"], list(platforms)):
            frame = workspace.master_table(end, end, shops=shops, total=True)
            total = frame.filter(frame["shop"] == "合计").row(0, named=True)
            assert total["gmv"] is not None
            assert total["basis_note"] == basis_note(platforms[s] for s in shops)
            assert total["basis_note"], f"{shops}: GMV summed across platforms without a 口径 note"
        same = workspace.master_table(end, end, shops=["云朵旗舰店", "小野家居"], total=True)
        assert same.filter(same["shop"] == "合计")["basis_note"][0] is None  # tmall + taobao: one 口径


def test_daily_report_states_the_note(platforms_demo: DemoWorkspace) -> None:
    from python_calamine import CalamineWorkbook

    result = platforms_demo.cli("report", "daily", "--date", platforms_demo.manifest["end"])
    assert result.exit_code == 0, result.output
    path = next((platforms_demo.root / "reports").glob("日报_*.xlsx"))
    cells = [
        str(c)
        for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("总表").to_python()
        for c in row
    ]
    assert any(c.startswith("口径：跨平台合计") and "京东" in c and "抖音" in c for c in cells)


def test_jd_views_price_changes_listings_and_coupons(platforms_demo: DemoWorkspace) -> None:
    from shopops.demo.jd import JD_SKUS, coupon_totals, simulate_jd

    start = DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
    change = start + dt.timedelta(days=DEMO_DAYS // 3)
    span = ("--from", start.isoformat(), "--to", DEMO_END.isoformat(), "--format", "json")
    prices = json.loads(platforms_demo.cli("jd", "prices", *span).output)
    assert [(p["sku_id"], p["date"], p["old_price"], p["new_price"]) for p in prices] == [
        (JD_SKUS[0][0], change.isoformat(), float(JD_SKUS[0][2]), float(JD_SKUS[0][3]))  # type: ignore[arg-type]
    ]
    listings = json.loads(platforms_demo.cli("jd", "listings", *span).output)
    assert [(item["sku_id"], item["event"]) for item in listings] == [(JD_SKUS[1][0], "delisted")]
    coupons = json.loads(platforms_demo.cli("jd", "coupons", *span).output)
    truth = coupon_totals(simulate_jd(start, DEMO_DAYS, SEED))
    for coupon in coupons:
        cost, gmv = truth[coupon["coupon_id"]]
        assert Decimal(str(coupon["cost"])) == cost and Decimal(str(coupon["gmv"])) == gmv
        assert coupon["roi"] == pytest.approx(float(gmv / cost))


def test_a_bad_sheet_rejects_the_whole_session_workbook(tmp_path: Path) -> None:
    import xlsxwriter

    from tests.conftest import run_cli

    root = tmp_path / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop(DOUYIN_SHOP, "douyin", Decimal("0.05"))
    path = tmp_path / f"罗盘_直播复盘_{DOUYIN_SHOP}_1.xlsx"
    book = xlsxwriter.Workbook(path)
    sheets = {
        "基本信息": [["直播ID", "日期", "直播开始时间", "直播间用户支付金额"], ["S1", "2026-11-24", "2026-11-24 19:00:00", "10.00"]],
        "商品明细": [["直播ID", "日期", "商品ID", "成交件数", "成交金额"], ["S1", "2026-11-24", "P1", "2", "12,3x4"]],
    }  # fmt: skip
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    book.close()
    result = run_cli("-w", root, "import", path)
    assert result.exit_code == 1 and "成交金额" in result.output and "12,3x4" in result.output
    with Workspace.open(root) as workspace:
        assert workspace.connection.execute("SELECT count(*) FROM live_session").fetchone() == (0,)
        assert workspace.imports() == []
    book = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, [c.replace("12,3x4", "1,234.00") for c in row])
    book.close()
    result = run_cli("-w", root, "import", path)
    assert result.exit_code == 0, result.output
    assert "douyin_live_basic" in result.output and "douyin_live_items" in result.output


def test_dashboard_and_summary_state_the_note(platforms_demo: DemoWorkspace) -> None:
    """总览 and 总表 over shops of several platforms say what their 合计 adds up; one shop says nothing."""
    from fastapi.testclient import TestClient

    from shopops.web import accounts
    from shopops.web.app import create_app

    with Workspace.open(platforms_demo.root) as workspace:
        accounts.add_user(workspace.connection, "boss", "correct-horse-1", "admin", None)
        platforms = [platform for _, platform, _ in workspace.shops()]
        note = basis_note(platforms)
        assert note is not None and "京东" in note and "天猫/淘宝" in note
        client = TestClient(create_app(workspace))
        login = client.post(
            "/login", data={"name": "boss", "password": "correct-horse-1"}, follow_redirects=False
        )
        assert login.status_code in (302, 303)
        for page in (f"/?date={DEMO_END}", f"/table?from={DEMO_END}&to={DEMO_END}"):
            html = client.get(page).text
            assert note in html, page
            assert note not in client.get(f"{page}&shop={JD_SHOP}").text, page
        summary = run_summary(workspace)
    assert summary.startswith(f"店铺日报 {DEMO_END}（周二）\n【合计】")
    assert summary.splitlines()[1].endswith(
        "（跨平台合计（抖音、京东、天猫/淘宝）：各平台口径不同，合计为各店数值直接相加）"
    )


def run_summary(workspace: Workspace) -> str:
    from shopops.reports.summary import compose_summary

    return compose_summary(workspace, DEMO_END).text
