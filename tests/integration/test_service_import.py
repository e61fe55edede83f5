"""客服 exports imported through the normal path, checked against the demo generator's manifest.

Every quirk of the real 赤兔/千牛/飞鸽/咚咚 files (next-batch-research.md §1.1) is in the generated
files: 汇总/均值 rows, 延迟统计, 8分48秒, 首次响应时长（秒), 聊天人数(原咨询人数), the attribution option
and the period in the file name, 0…23 and 0点…23点 hours, a renamed 旺旺 and a leaver in the roster.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from shopops.demo.run import configure, generate
from shopops.demo.service import file_shops, write_from_truth
from shopops.domains.service.agents import agent_table
from shopops.workspace import Workspace

END = dt.date(2026, 11, 29)
DAILY = "赤兔_售前明细_下单优先判定"
TMALL = "云朵旗舰店"


@dataclasses.dataclass
class Demo:
    root: Path
    manifest: dict[str, Any]
    results: dict[str, Any]  # file name → ImportResult (the last import of that name)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("service")
    generated = generate(root / "exports", days=60, end=END, seed=7, platforms=True, service=True)
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    with Workspace.init(root / "ws") as workspace:
        configure(workspace, platforms=True)
    shops = file_shops(root / "exports", manifest)
    results = {}
    with Workspace(root / "ws") as ws:
        for path in generated.files:
            results[path.name + ("@" + path.parent.name if path in shops else "")] = ws.import_file(
                path, shop=shops.get(path)
            )
    return Demo(root, manifest, results)


def connect(demo: Demo) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo.root / "ws" / "warehouse.duckdb"), read_only=True)


def stored(demo: Demo, report: str, shop: str = TMALL) -> dict[tuple[str, str], dict[str, Any]]:
    with connect(demo) as con:
        cursor = con.execute(
            "SELECT * FROM service_agent_period WHERE shop = ? AND report = ? AND period_start = period_end",
            [shop, report],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {(row["agent"], row["period_start"].isoformat()): row for row in rows}


def daily_result(demo: Demo, shop: str = TMALL) -> Any:
    return next(r for name, r in demo.results.items() if name.startswith(DAILY) and name.endswith(shop))


def test_daily_export_every_figure_as_the_manifest_says(demo: Demo) -> None:
    truth = demo.manifest["service"]
    delayed = set(truth["delayed"]["final"])
    rows = stored(demo, "售前明细")
    expected = {(a, d): f for a, days in truth["days"][TMALL].items() for d, f in days.items()}
    assert set(rows) == set(expected)
    for key, figures in expected.items():
        row = rows[key]
        assert row["attribution"] == "下单优先判定"
        assert row["chats"] == figures["chats"]  # 聊天人数(原咨询人数)
        assert row["receptions"] == figures["receptions"]
        assert row["inquiries"] == figures["inquiries"]
        assert row["sales"] == Decimal(figures["sales"])
        assert row["refund_amount"] == Decimal(figures["refund_amount"])
        assert row["avg_session_seconds"] == figures["avg_session_seconds"]  # 7分15秒 → 435
        assert row["first_response_seconds"] == figures["first_response_seconds"]  # 首次响应时长（秒)
        assert row["unreplied"] == figures["unreplied"]
        if key[1] in delayed:  # 延迟统计: unknown, the row marked, never a zero
            assert row["inquiry_paid"] is None and row["inquiry_ordered"] is None
            assert row["pending"] is True
        else:
            assert row["inquiry_paid"] == figures["inquiry_paid"]
            assert row["inquiry_ordered"] == figures["inquiry_ordered"]


def test_daily_import_says_what_it_skipped_and_what_is_pending(demo: Demo) -> None:
    truth = demo.manifest["service"]
    result = daily_result(demo)
    rows = sum(len(days) for days in truth["days"][TMALL].values())
    delayed = set(truth["delayed"]["final"]) | set(truth["delayed"]["next_day"])
    pending = sum(1 for days in truth["days"][TMALL].values() for d in days if d in delayed)
    assert result.rows == rows
    assert result.skipped == (("合计/汇总", 2),)  # the 汇总 and 均值 rows
    assert result.pending_rows == pending
    assert result.pending_columns == (
        "询单->最终下单人数",
        "询单->最终付款人数",
        "询单->次日付款人数",
        "询单->最终付款成功率",
    )
    assert result.date_min == dt.date.fromisoformat(truth["start"]) and result.date_max == END


def test_custom_report_takes_period_report_and_attribution_from_its_name(demo: Demo) -> None:
    week = demo.manifest["service"]["week"][TMALL]
    start, end = dt.date.fromisoformat(week["from"]), dt.date.fromisoformat(week["to"])
    with connect(demo) as con:
        rows = con.execute(
            "SELECT agent, report, attribution, chats, receptions, avg_session_seconds FROM service_agent_period"
            " WHERE shop = ? AND period_start = ? AND period_end = ?",
            [TMALL, start, end],
        ).fetchall()
    assert {r[0] for r in rows} == set(week["agents"])
    for agent, report, attribution, chats, receptions, session in rows:
        figures = week["agents"][agent]
        assert (report, attribution) == ("客服数据23年新", "付款优先判定")
        assert (chats, receptions, session) == (
            figures["chats"],
            figures["receptions"],
            figures["avg_session_seconds"],
        )


def test_a_week_export_is_not_the_sum_of_its_days(demo: Demo) -> None:
    truth = demo.manifest["service"]
    week = truth["week"][TMALL]
    start, end = dt.date.fromisoformat(week["from"]), dt.date.fromisoformat(week["to"])
    with connect(demo) as con:
        summed = agent_table(con, start, end, [TMALL])  # 下单优先判定: the day rows, 日累加
        whole = agent_table(con, start, end, [TMALL], attribution="付款优先判定")  # the week row
    agent = "小美"
    days = {
        d: f for d, f in truth["days"][TMALL][f"{TMALL}:{agent}"].items() if week["from"] <= d <= week["to"]
    }
    day_row = summed.frame.filter(summed.frame["agent"] == agent).row(0, named=True)
    week_row = whole.frame.filter(whole.frame["agent"] == agent).row(0, named=True)
    assert day_row["basis"] == "days" and week_row["basis"] == "period"
    assert day_row["receptions"] == sum(f["receptions"] for f in days.values())
    assert week_row["receptions"] == week["agents"][f"{TMALL}:{agent}"]["receptions"]
    assert week_row["receptions"] < day_row["receptions"]  # a buyer on two days counts once
    assert any("日累加" in note for note in summed.notes)
    assert any("付款优先判定" in note and "未合并" in note for note in summed.notes)


def test_conversion_is_from_counts_over_settled_days(demo: Demo) -> None:
    truth = demo.manifest["service"]
    delayed = set(truth["delayed"]["final"])
    start, end = dt.date(2026, 11, 1), END
    with connect(demo) as con:
        table = agent_table(con, start, end, [TMALL])
    for row in table.frame.iter_rows(named=True):
        person = next(a for a in truth["agents"] if a["shop"] == TMALL and a["person"] == row["agent"])
        figures = [
            f
            for account in person["accounts"]
            for d, f in truth["days"][TMALL].get(account, {}).items()
            if start.isoformat() <= d <= end.isoformat()
        ]
        settled = [
            f
            for account in person["accounts"]
            for d, f in truth["days"][TMALL].get(account, {}).items()
            if start.isoformat() <= d <= end.isoformat() and d not in delayed
        ]
        assert row["inquiries"] == sum(f["inquiries"] for f in figures)
        assert row["inquiry_buyers"] == sum(f["inquiry_paid"] for f in settled)
        assert row["inquiry_conversion"] == pytest.approx(
            sum(f["inquiry_paid"] for f in settled) / sum(f["inquiries"] for f in settled)
        )
        assert row["sales"] == sum(Decimal(f["sales"]) for f in figures)
        receptions = sum(f["receptions"] for f in figures)
        assert row["reply_rate"] == pytest.approx(1 - sum(f["unreplied"] for f in figures) / receptions)
        assert row["avg_response_seconds"] == pytest.approx(
            sum(f["avg_response_seconds"] * f["receptions"] for f in figures) / receptions
        )
        assert row["provisional"] is True  # the last 4 days are not settled


def test_a_renamed_account_is_one_person_and_the_leaver_is_marked(demo: Demo) -> None:
    rename = demo.manifest["service"]["rename"]
    left = demo.manifest["service"]["left"]
    with connect(demo) as con:
        table = agent_table(con, dt.date(2026, 10, 1), END)
    frame = table.frame
    renamed = frame.filter(frame["agent"] == rename["person"]).row(0, named=True)
    assert renamed["accounts"] == "、".join(sorted([rename["old"], rename["new"]]))
    assert renamed["group"] == "售前"
    leaver = frame.filter(frame["agent"] == left["person"]).row(0, named=True)
    assert leaver["status"] == "离职"


def test_settled_export_replaces_the_provisional_rows(demo: Demo, tmp_path: Path) -> None:
    truth = dict(demo.manifest["service"])
    truth["as_of"] = (END + dt.timedelta(days=6)).isoformat()
    files = write_from_truth(tmp_path, truth)
    daily = next((p, s) for p, s in files if p.name.startswith(DAILY) and s == TMALL)
    copy = demo.root / "settled"
    copy.mkdir(exist_ok=True)
    for name in ("warehouse.duckdb", "shopops.yaml"):
        shutil.copy(demo.root / "ws" / name, copy / name)
    with Workspace(copy) as ws:
        result = ws.import_file(daily[0], shop=TMALL)
        assert result.pending_rows == 0
        assert result.rows_replaced == result.rows  # every day of every agent, replaced
        rows = ws.connection.execute(
            "SELECT count(*) FILTER (WHERE pending), count(*) FILTER (WHERE inquiry_paid IS NULL)"
            " FROM service_agent_period WHERE shop = ? AND report = '售前明细'",
            [TMALL],
        ).fetchone()
    assert rows == (0, 0)


def test_attendance_hours_and_other_platforms(demo: Demo) -> None:
    truth = demo.manifest["service"]
    with connect(demo) as con:
        attendance = dict(
            con.execute(
                "SELECT agent, online_seconds FROM service_attendance WHERE shop = ?", [TMALL]
            ).fetchall()
        )
        assert attendance == {a: v["online_seconds"] for a, v in truth["attendance"][TMALL].items()}
        for shop in ("云朵旗舰店", "小野家居"):  # 0…23 and the older 0点…23点 headers
            hours = con.execute(
                f"SELECT date, [{', '.join(f'h{h}' for h in range(24))}] FROM service_hourly WHERE shop = ?",
                [shop],
            ).fetchall()
            assert {d.isoformat(): list(h) for d, h in hours} == truth["hourly"][shop]
        feige = con.execute(
            "SELECT agent, sum(receptions), sum(sales) FROM service_agent_period"
            " WHERE shop = '山野好物抖音店' GROUP BY agent"
        ).fetchall()
        jd = con.execute(
            "SELECT agent, sum(sales), sum(sessions) FILTER (WHERE report = '咚咚工作量') FROM service_agent_period"
            " WHERE shop = '云朵京东旗舰店' GROUP BY agent"
        ).fetchall()
    douyin = truth["days"]["山野好物抖音店"]
    assert {a: (r, s) for a, r, s in feige} == {
        a: (sum(f["receptions"] for f in d.values()), sum(Decimal(f["sales"]) for f in d.values()))
        for a, d in douyin.items()
    }
    jd_truth = truth["days"]["云朵京东旗舰店"]
    assert {a: (s, r) for a, s, r in jd} == {
        a: (sum(Decimal(f["ordered_amount"]) for f in d.values()), sum(f["sessions"] for f in d.values()))
        for a, d in jd_truth.items()
    }


def test_master_table_service_columns_match_the_manifest(demo: Demo) -> None:
    truth = demo.manifest["shops"]
    start = dt.date.fromisoformat(demo.manifest["service"]["start"])
    with Workspace(demo.root / "ws") as ws:
        frame = ws.master_table(start, END)
    checked = 0
    for row in frame.iter_rows(named=True):
        day = truth[row["shop"]]["days"][row["date"].isoformat()]
        for key in ("service_inquiries", "inquiry_conversion", "service_sales", "service_sales_share"):
            want = day[key]
            if want is None:
                assert row[key] is None, (row["shop"], row["date"], key)
            else:
                assert float(row[key]) == pytest.approx(float(want)), (row["shop"], row["date"], key)
            checked += 1
    assert checked == 4 * 4 * ((END - start).days + 1)
