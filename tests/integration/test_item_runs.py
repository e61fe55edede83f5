"""Item findings over several days: a stock-out is one finding with its span (started before the
window, or ended inside it), several items of one shop, day and rule are one finding with children,
and every item finding carries the money at stake.

The data: a 商品效果 export from 06-29 (after 618) to 09-30 with flat daily sales, so each usual day
is exact: 爆款 羽绒服 ¥3,000, 常规 围巾 ¥1,000, 保暖 手套 ¥800, 加绒 卫衣 ¥600, 节日 礼盒 ¥1,000,
月饼 ¥1,000 and 小件 发圈 ¥50 (below the ¥500 watched) — a usual shop day of ¥7,450.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.analysis.anomalies import Finding, alert_settings, detect_findings
from shopops.analysis.calendar import load_calendar
from shopops.workspace import Workspace

SHOP = "某某旗舰店"
FIRST, LAST = dt.date(2026, 6, 29), dt.date(2026, 9, 30)
ITEMS = {  # id: (title, usual 支付金额)
    "601": ("爆款 羽绒服", 3000),
    "602": ("常规 围巾", 1000),
    "603": ("保暖 手套", 800),
    "604": ("加绒 卫衣", 600),
    "605": ("节日 礼盒", 1000),
    "606": ("月饼", 1000),
    "607": ("小件 发圈", 50),
}


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(f"2026-{text}")


def _span(first: str, last: str) -> set[dt.date]:
    return {_d(first) + dt.timedelta(days=i) for i in range((_d(last) - _d(first)).days + 1)}


SOLD = {  # what differs from the usual day
    "601": dict.fromkeys(_span("09-08", "09-20"), 0),  # out of stock 13 days, back on 09-21
    "602": dict.fromkeys(_span("09-15", "09-17"), 0),  # 3 days, back on 09-18
    "603": {_d("09-17"): 0},  # one day
    "604": {_d("09-16"): 100},  # −83 %
    "605": dict.fromkeys(_span("09-24", "09-30"), 0),  # through 中秋 (09-25…27), still out
    "606": {**dict.fromkeys(_span("09-23", "09-28"), 0), _d("09-25"): 1000},  # sells on 中秋 day one
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("item_runs")
    lines = ["统计日期,商品ID,商品名称,支付金额"]
    for day in sorted(_span("06-29", "09-30")):
        for item, (title, usual) in ITEMS.items():
            lines.append(f"{day},{item},{title},{SOLD.get(item, {}).get(day, usual)}")
    path = folder / f"商品效果_{SHOP}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = Workspace.init(folder / "ws")
    ws.add_shop(SHOP, "tmall")
    assert ws.import_file(path).rows == 94 * len(ITEMS)
    yield ws  # type: ignore[misc]
    ws.close()


def _items(workspace: Workspace, start: str, end: str) -> list[Finding]:
    findings = detect_findings(workspace.connection, _d(start), _d(end), settings=alert_settings(None))
    return [f for f in findings if f.driver == "item"]


def _row(f: Finding) -> tuple[object, ...]:
    return (str(f.date), f.rule, f.severity, f.impact, f.since and str(f.since), f.count, f.metric_label)


def test_a_week_lists_each_stock_out_once_on_its_last_day(workspace: Workspace) -> None:
    findings = _items(workspace, "09-14", "09-20")
    assert [_row(f) for f in findings] == [
        ("2026-09-16", "item_drop", "warning", 500.0, None, 1, "单品支付金额·加绒 卫衣"),
        ("2026-09-17", "item_zero", "warning", 3800.0, "2026-09-15", 2, "单品断销·2 件"),
        ("2026-09-20", "item_zero", "critical", 39000.0, "2026-09-08", 1, "单品支付金额·爆款 羽绒服"),
    ]
    drop, pair, stock_out = findings
    # The usual shop day is ¥7,450 (the median of 8 Wednesdays, one of them lower in the stock-out).
    assert (
        drop.explanation == "单品「加绒 卫衣」支付金额 ¥100（-83%），平时同星期约 ¥600，占店铺支付金额约 8%"
    )
    assert (drop.value, drop.expected_low, drop.expected_high) == (100.0, 180.0, 2400.0)
    # Started before the window (09-08): looked back for, its 13 days of usual sales are the loss.
    assert stock_out.explanation == (
        "单品「爆款 羽绒服」已连续 13 天支付金额为 0（09-08 起；断货、下架或链接失效？），"
        "平时同星期约 ¥3,000，占店铺约 40%，累计少卖约 ¥39,000"
    )
    assert (stock_out.value, stock_out.item, stock_out.children) == (0.0, "601", ())
    # Ended inside the window (sold again on 09-18), grouped with a one-day zero of the same day.
    assert (
        pair.explanation == "2 件单品断销（合计平时约 ¥1,800/天）：「常规 围巾」连续 3 天、「保暖 手套」当天"
    )
    assert (pair.value, pair.item, pair.expected_low) == (None, "", None)
    scarf, gloves = pair.children
    assert _row(scarf) == (
        "2026-09-17",
        "item_zero",
        "warning",
        3000.0,
        "2026-09-15",
        1,
        "单品支付金额·常规 围巾",
    )
    assert scarf.explanation == (
        "单品「常规 围巾」连续 3 天支付金额为 0（09-15 至 09-17；断货、下架或链接失效？），"
        "平时同星期约 ¥1,000，占店铺约 13%，累计少卖约 ¥3,000"
    )
    assert _row(gloves) == ("2026-09-17", "item_zero", "warning", 800.0, None, 1, "单品支付金额·保暖 手套")
    assert gloves.explanation == (
        "单品「保暖 手套」支付金额为 0（断货、下架或链接失效？），平时同星期约 ¥800，占店铺支付金额约 11%"
    )


def test_one_day_shows_every_run_still_going_on_it(workspace: Workspace) -> None:
    """The 日报 of 09-17: three items at 0, one finding; the runs so far, not their ends."""
    (finding,) = _items(workspace, "09-17", "09-17")
    assert _row(finding) == ("2026-09-17", "item_zero", "critical", 33800.0, "2026-09-08", 3, "单品断销·3 件")
    assert finding.explanation == (
        "3 件单品断销（合计平时约 ¥4,800/天）：「爆款 羽绒服」连续 10 天、「常规 围巾」连续 3 天、「保暖 手套」当天"
    )
    assert [(c.item, c.since and str(c.since), c.impact) for c in finding.children] == [
        ("601", "2026-09-08", 30000.0),
        ("602", "2026-09-15", 3000.0),
        ("603", None, 800.0),
    ]
    assert "已连续 3 天支付金额为 0（09-15 起；" in finding.children[1].explanation
    record = finding.to_record()
    assert (record["since"], record["impact"], record["item"], len(record["children"])) == (
        "2026-09-08",
        33800.0,
        None,
        3,
    )
    assert record["children"][0]["item"] == "601"


def test_a_holiday_continues_a_run_only_while_the_item_sells_nothing(workspace: Workspace) -> None:
    calendar = load_calendar()
    assert [calendar.day(day).label for day in sorted(_span("09-25", "09-27"))] == ["中秋节"] * 3
    findings = _items(workspace, "09-21", "09-28")
    assert [_row(f) for f in findings] == [
        ("2026-09-24", "item_zero", "warning", 2000.0, "2026-09-23", 1, "单品支付金额·月饼"),
        ("2026-09-28", "item_zero", "warning", 8000.0, "2026-09-24", 2, "单品断销·2 件"),
    ]
    assert findings[0].explanation.startswith("单品「月饼」连续 2 天支付金额为 0（09-23 至 09-24；")
    assert findings[1].explanation == (
        "2 件单品断销（合计平时约 ¥2,000/天）：「节日 礼盒」连续 5 天、「月饼」连续 3 天"
    )
    gift, mooncake = findings[1].children
    assert (gift.since, gift.impact, mooncake.since, mooncake.impact) == (
        _d("09-24"),
        5000.0,
        _d("09-26"),
        3000.0,
    )
    assert gift.explanation.startswith("单品「节日 礼盒」已连续 5 天支付金额为 0（09-24 起；")


def test_a_run_is_dated_on_its_last_day_inside_the_window(workspace: Workspace) -> None:
    """Asked up to 09-10, the 爆款's stock-out (still going) is 3 days old; from 09-21 on it is over."""
    assert [_row(f) for f in _items(workspace, "09-01", "09-10")] == [
        ("2026-09-10", "item_zero", "critical", 9000.0, "2026-09-08", 1, "单品支付金额·爆款 羽绒服")
    ]
    assert not [f for f in _items(workspace, "09-21", "09-22") if f.item == "601"]
