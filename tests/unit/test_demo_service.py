"""The demo's 客服 exports: real headers and quirks, read back from the files, against the manifest."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from shopops.demo.run import generate
from shopops.demo.service import gmv_from_manifest, shop_day_totals, write_from_truth, write_service_exports
from shopops.demo.service_exports import chitu_daily_workbook, duration_text

END = dt.date(2026, 11, 24)  # a Tuesday
DAYS = 120
SEED = 7
CLOUD, FIELD, JD, DOUYIN = "云朵旗舰店", "小野家居", "云朵京东旗舰店", "山野好物抖音店"
SPAN = "2026-07-28至2026-11-24"
DAILY = f"赤兔_售前明细_下单优先判定_{SPAN}.xlsx"
CUSTOM = "自定义报表_客服数据23年新_付款优先判定_2026-11-16至2026-11-22.xlsx"
DAILY_HEADER = [
    "日期", "店铺", "旺旺", "接待人数", "聊天人数(原咨询人数)", "询单人数", "询单->最终下单人数", "询单->最终付款人数",
    "询单->最终付款成功率", "询单->次日付款人数", "销售额", "销售量", "销售人数", "成交笔数", "客单价", "客件数",
    "平均响应(秒)", "首次响应时长\uff08秒)", "平均接待时长", "回复率", "未回复人数", "慢响应人数", "长接待人数",
    "买家消息数", "客服消息数", "答问比", "转出人数", "退款笔数", "完成退款金额", "退款率",
]  # fmt: skip
CUSTOM_HEADER = [
    "客服昵称", "聊天人数(原咨询人数)", "接待人数", "直接接入人数", "转发接入人数", "转出人数", "总消息数", "买家消息数",
    "客服消息数", "答问比", "客服字数", "最大同时聊天数", "未回复人数", "回复率", "慢接待人数", "长接待人数",
    "首次响应(秒)", "平均响应(秒)", "平均接待时长",
]  # fmt: skip
OTHER_HEADERS = {
    f"{CLOUD}/赤兔_遵时率_{SPAN}.xlsx": [
        "客服", "旺旺", "上班天数", "平均上线时间", "平均最后在线时间", "在线总时长", "在线总时长(秒)", "平均日在线时长",
        "平均日在线时长(秒)", "服务总时长", "服务总时长(秒)", "挂起总时长", "挂起总时长(秒)",
    ],
    f"{CLOUD}/赤兔_分时接待_{SPAN}.xlsx": ["日期", *(str(h) for h in range(24)), "全天"],
    f"{FIELD}/赤兔_分时接待_{SPAN}.xlsx": ["日期", *(f"{h}点" for h in range(24)), "全天"],
    f"{CLOUD}/千牛_客服数据汇总_{SPAN}.xlsx": [
        "日期", "旺旺", "接待人数", "平均响应(秒)", "回复率", "询单->最终付款成功率", "上班天数", "评价发送率", "客户满意比",
        "很满意", "满意", "一般", "不满意", "很不满意",
    ],
    f"{DOUYIN}/飞鸽_客服接待量_{SPAN}.xlsx": [
        "日期", "店铺名称", "客服昵称", "账号名称", "人工已接待人数", "人工已接待会话量", "不满意率", "3分钟人工回复率",
        "首次响应时长（秒）", "平均响应时长（秒）", "满意率", "客服销售额（元）", "询单人数", "下单人数", "支付人数", "询单转化率",
    ],
    f"{JD}/咚咚_客服绩效_{SPAN}.xlsx": ["日期", "客服", "促成下单商品金额", "促成下单人数", "售前接待人数"],
    f"{JD}/咚咚_工作量_{SPAN}.xlsx": ["日期", "客服", "接待量", "首次平均响应时间", "平均响应时间", "30s应答率"],
    "客服名单.xlsx": ["客服", "旺旺", "店铺", "分组", "入职日期", "状态", "离职日期"],
}  # fmt: skip
DELAYED_FINAL = ("询单->最终下单人数", "询单->最终付款人数", "询单->最终付款成功率")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("service")
    generated = generate(folder, days=DAYS, end=END, seed=SEED, platforms=True, service=True)
    return folder, json.loads(generated.manifest.read_text(encoding="utf-8"))


def sheet(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def records(path: Path) -> list[dict[str, Any]]:
    header, *rows = sheet(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


def service(demo: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    return demo[1]["service"]


def test_the_files_have_the_tools_real_headers(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    listed = {entry["path"] for entry in manifest["service"]["files"]}
    assert {
        f"{CLOUD}/{DAILY}",
        f"{FIELD}/{DAILY}",
        f"{CLOUD}/{CUSTOM}",
        f"{FIELD}/{CUSTOM}",
        *OTHER_HEADERS,
    } <= listed
    for shop in (CLOUD, FIELD):
        header = sheet(folder / shop / DAILY)[0]
        assert header == DAILY_HEADER
        assert "首次响应时长（秒)" in header  # full-width open, half-width close, as 赤兔 writes it
        assert sheet(folder / shop / CUSTOM)[0] == CUSTOM_HEADER
    for name, header in OTHER_HEADERS.items():
        assert sheet(folder / name)[0] == header, name


def test_summary_rows_are_last_and_rebuilt_from_counts(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = demo
    for name in (f"{CLOUD}/{DAILY}", f"{FIELD}/{DAILY}", f"{CLOUD}/{CUSTOM}"):
        rows = records(folder / name)
        key = "日期" if "售前明细" in name else "客服昵称"
        labels = [row[key] for row in rows]
        assert labels[-2:] == ["汇总", "均值"]
        assert "汇总" not in labels[:-2] and "均值" not in labels[:-2]
        agents, total = rows[:-2], rows[-2]
        assert total["接待人数"] == sum(row["接待人数"] for row in agents)
        assert total["回复率"] == f"{(total['接待人数'] - total['未回复人数']) / total['接待人数']:.2%}"
        assert rows[-1]["接待人数"] == round(
            total["接待人数"] / len({row.get("旺旺", row[key]) for row in agents}), 2
        )


def test_delayed_fields_of_the_last_days_then_the_settled_re_export(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, manifest = demo
    truth = manifest["service"]
    assert truth["as_of"] == "2026-11-25"
    assert truth["delayed"] == {"final": ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"], "next_day": ["2026-11-24"]}  # fmt: skip
    rows = records(folder / CLOUD / DAILY)[:-2]
    for row in rows:
        late = row["日期"] in truth["delayed"]["final"]
        assert [row[k] == "延迟统计" for k in DELAYED_FINAL] == [late] * 3, row
        assert (row["询单->次日付款人数"] == "延迟统计") == (row["日期"] == "2026-11-24")
        others = [v for k, v in row.items() if k not in (*DELAYED_FINAL, "询单->次日付款人数")]
        assert "延迟统计" not in others
    settled = chitu_daily_workbook(
        tmp_path / DAILY, CLOUD, truth["days"][CLOUD], as_of=END + dt.timedelta(days=5)
    )
    again = records(settled)
    assert not any(v == "延迟统计" for row in again for v in row.values())
    days = truth["days"][CLOUD]
    for row in again[:-2]:
        figures = days[row["旺旺"]][row["日期"]]
        assert row["询单->最终付款人数"] == figures["inquiry_paid"]
        assert row["询单->最终下单人数"] == figures["inquiry_ordered"]
        assert row["询单->次日付款人数"] == figures["inquiry_next_day_paid"]
    # the provisional file agrees with the settled one wherever it is not 延迟统计
    for old, new in zip(rows, again[:-2], strict=True):
        assert {k: v for k, v in old.items() if v != "延迟统计"} == {
            k: new[k] for k, v in old.items() if v != "延迟统计"
        }


def test_file_figures_are_the_manifest_figures(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    days = manifest["service"]["days"][CLOUD]
    rows = records(folder / CLOUD / DAILY)[:-2]
    assert len(rows) == sum(len(by_day) for by_day in days.values())
    for row in rows:
        f = days[row["旺旺"]][row["日期"]]
        assert row["店铺"] == CLOUD
        assert (row["接待人数"], row["聊天人数(原咨询人数)"], row["询单人数"]) == (
            f["receptions"],
            f["chats"],
            f["inquiries"],
        )
        assert Decimal(str(row["销售额"])) == Decimal(f["sales"])
        assert Decimal(str(row["完成退款金额"])) == Decimal(f["refund_amount"])
        assert row["平均响应(秒)"] == f["avg_response_seconds"]
        assert row["首次响应时长（秒)"] == f["first_response_seconds"]
        assert row["未回复人数"] == f["receptions"] - f["replied"] == f["unreplied"]
        assert f["inquiry_next_day_paid"] <= f["inquiry_paid"] <= f["inquiry_ordered"] <= f["inquiries"]
        assert f["inquiries"] <= f["receptions"] <= f["chats"]
        if f["sales_buyers"]:
            assert row["客单价"] == round(float(f["sales"]) / f["sales_buyers"], 2)
    settled = [f for by_day in days.values() for d, f in by_day.items() if d < "2026-11-21"]
    paid = sum(f["inquiry_paid"] for f in settled)
    asked = sum(f["inquiries"] for f in settled)
    in_file = [r for r in rows if r["询单->最终付款人数"] != "延迟统计"]
    assert sum(r["询单->最终付款人数"] for r in in_file) / sum(r["询单人数"] for r in in_file) == paid / asked


def test_durations_are_text(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    assert duration_text(528) == "8分48秒"
    assert duration_text(48) == "48秒"
    assert duration_text(152 * 3600 + 3 * 60 + 20) == "152小时3分20秒"
    days = manifest["service"]["days"][FIELD]
    for row in records(folder / FIELD / DAILY)[:-2]:
        assert re.fullmatch(r"(\d+分)?\d+秒", row["平均接待时长"])
        assert row["平均接待时长"] == duration_text(days[row["旺旺"]][row["日期"]]["avg_session_seconds"])
    for row in records(folder / CLOUD / f"赤兔_遵时率_{SPAN}.xlsx"):
        assert row["在线总时长"] == duration_text(row["在线总时长(秒)"])
        assert re.fullmatch(r"\d\d:\d\d:\d\d", row["平均上线时间"])
        assert row["上班天数"] == len(manifest["service"]["days"][CLOUD][row["旺旺"]])


def test_the_week_report_is_deduplicated_not_the_sum_of_days(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    week = manifest["service"]["week"][CLOUD]
    assert (week["from"], week["to"]) == ("2026-11-16", "2026-11-22")
    assert dt.date.fromisoformat(week["from"]).weekday() == 0
    rows = records(folder / CLOUD / CUSTOM)[:-2]
    days = manifest["service"]["days"][CLOUD]
    assert {r["客服昵称"] for r in rows} == set(week["agents"])
    for row in rows:
        daily = [f for d, f in days[row["客服昵称"]].items() if week["from"] <= d <= week["to"]]
        for header, key in (("聊天人数(原咨询人数)", "chats"), ("接待人数", "receptions")):
            summed = sum(f[key] for f in daily)
            assert 0.84 * summed <= row[header] < summed
        assert row["买家消息数"] == sum(f["buyer_messages"] for f in daily)  # messages are not de-duplicated
        assert row["直接接入人数"] + row["转发接入人数"] == row["接待人数"]


def test_rename_and_leaver(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    truth = manifest["service"]
    rename, left = truth["rename"], truth["left"]
    assert rename == {"shop": CLOUD, "person": "阿宁", "old": "云朵旗舰店:阿宁", "new": "云朵旗舰店:宁宁", "on": "2026-10-15"}  # fmt: skip
    assert left == {"shop": FIELD, "person": "阿飞", "account": "小野家居:阿飞", "date": "2026-10-25"}
    roster = records(folder / "客服名单.xlsx")
    ning = [r for r in roster if r["客服"] == "阿宁"]
    assert {r["旺旺"] for r in ning} == {"云朵旗舰店:阿宁", "云朵旗舰店:宁宁"}
    assert {r["状态"] for r in ning} == {"在职"}
    fei = [r for r in roster if r["客服"] == "阿飞"]
    assert [(r["状态"], r["离职日期"], r["分组"]) for r in fei] == [("离职", "2026-10-25", "售前")]
    assert sum(r["店铺"] == FIELD for r in roster) == 3
    rows = records(folder / CLOUD / DAILY)[:-2]
    assert max(r["日期"] for r in rows if r["旺旺"] == rename["old"]) < rename["on"]
    assert min(r["日期"] for r in rows if r["旺旺"] == rename["new"]) >= rename["on"]
    assert (
        max(r["日期"] for r in records(folder / FIELD / DAILY)[:-2] if r["旺旺"] == left["account"])
        <= left["date"]
    )


def _conversion(rows: list[dict[str, Any]]) -> float:
    return sum(f["inquiry_paid"] for f in rows) / sum(f["inquiries"] for f in rows)


def _response(rows: list[dict[str, Any]]) -> float:
    return sum(f["avg_response_seconds"] for f in rows) / len(rows)


def test_the_slipping_agent_and_the_new_hire(demo: tuple[Path, dict[str, Any]]) -> None:
    truth = service(demo)
    slip = truth["slipping"]
    assert (slip["shop"], slip["from"]) == (CLOUD, "2026-11-11")
    days = truth["days"][CLOUD][slip["account"]]
    before = [f for d, f in days.items() if d < slip["from"]]
    after = [f for d, f in days.items() if d >= slip["from"]]
    assert _response(after) >= 1.8 * _response(before)
    assert _conversion(after) <= 0.75 * _conversion(before)
    hire = truth["new_hire"]
    assert hire["start_date"] == "2026-09-15"
    mine = truth["days"][CLOUD][hire["account"]]
    dates = sorted(mine)
    assert dates[0] >= hire["start_date"]
    first, last = [mine[d] for d in dates[:18]], [mine[d] for d in dates[-18:]]
    assert _conversion(last) >= 1.25 * _conversion(first)
    assert _response(last) < 0.8 * _response(first)
    others = [
        f
        for a in truth["agents"]
        if a["shop"] == CLOUD and a["group"] == "售前" and a["style"] != "new_hire"
        for account in a["accounts"]
        for d, f in truth["days"][CLOUD].get(account, {}).items()
        if dates[0] <= d <= dates[17]
    ]
    assert 0.5 <= _conversion(first) / _conversion(others) <= 0.75
    after_sales = [a for a in truth["agents"] if a["group"] == "售后" and a["shop"] == CLOUD]
    assert len(after_sales) == 2
    assert all(
        f["sales"] == "0.00" for a in after_sales for f in truth["days"][CLOUD][a["accounts"][0]].values()
    )


def test_team_sales_are_a_share_of_the_shop_gmv(demo: tuple[Path, dict[str, Any]]) -> None:
    _, manifest = demo
    gmv = gmv_from_manifest(manifest)
    for shop, accounts in manifest["service"]["days"].items():
        daily: dict[str, Decimal] = {}
        for by_day in accounts.values():
            for date, f in by_day.items():
                daily[date] = daily.get(date, Decimal(0)) + Decimal(f.get("sales", f.get("ordered_amount")))
        shop_gmv = {d: gmv[shop][dt.date.fromisoformat(d)] for d in daily}
        assert 0.25 <= sum(daily.values()) / sum(shop_gmv.values()) <= 0.5, shop
        assert all(0.15 <= daily[d] / shop_gmv[d] <= 0.7 for d in daily), shop
        assert len(daily) == DAYS


def test_qianniu_agrees_with_chitu(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = demo
    chitu = {(r["日期"], r["旺旺"]): r for r in records(folder / CLOUD / DAILY)[:-2]}
    qianniu = records(folder / CLOUD / f"千牛_客服数据汇总_{SPAN}.xlsx")
    assert {(r["日期"], r["旺旺"]) for r in qianniu} == set(chitu)
    for row in qianniu:
        same = chitu[(row["日期"], row["旺旺"])]
        assert (row["接待人数"], row["平均响应(秒)"], row["回复率"]) == (
            same["接待人数"],
            same["平均响应(秒)"],
            same["回复率"],
        )
        rate = same["询单->最终付款成功率"]
        assert row["询单->最终付款成功率"] == ("-" if rate == "延迟统计" else rate)
        rated = sum(row[k] for k in ("很满意", "满意", "一般", "不满意", "很不满意"))
        assert row["客户满意比"] == ("-" if not rated else f"{(row['很满意'] + row['满意']) / rated:.2%}")


def test_hourly_receptions(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    days = manifest["service"]["days"][CLOUD]
    rows = sheet(folder / CLOUD / f"赤兔_分时接待_{SPAN}.xlsx")[1:]
    assert len(rows) == DAYS
    for date, *hours, whole in rows:
        assert (
            whole
            == sum(hours)
            == sum(by_day[date]["receptions"] for by_day in days.values() if date in by_day)
        )
    night = sum(sum(r[3:7]) for r in rows)  # 02:00–05:59
    peak = sum(sum(r[11:13]) + sum(r[21:24]) for r in rows)  # 10–11 and 20–22
    assert night * 30 < peak


def test_platform_files_follow_the_manifest(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    feige = manifest["service"]["days"][DOUYIN]
    for row in records(folder / DOUYIN / f"飞鸽_客服接待量_{SPAN}.xlsx"):
        f = feige[row["客服昵称"]][row["日期"]]
        assert row["店铺名称"] == DOUYIN
        assert (row["人工已接待人数"], row["支付人数"]) == (f["receptions"], f["inquiry_paid"])
        assert row["询单转化率"] == (f"{f['inquiry_paid'] / f['inquiries']:.2%}" if f["inquiries"] else "-")
    jd = manifest["service"]["days"][JD]
    for row in records(folder / JD / f"咚咚_工作量_{SPAN}.xlsx"):
        f = jd[row["客服"]][row["日期"]]
        assert row["30s应答率"] == f"{f['replied_30s'] / f['sessions']:.2%}"


def test_same_seed_same_files(demo: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, manifest = demo
    gmv = gmv_from_manifest(manifest)
    start = END - dt.timedelta(days=DAYS - 1)
    files, truth = write_service_exports(tmp_path / "again", gmv, start, END, SEED)
    assert json.loads(json.dumps(truth, ensure_ascii=False)) == manifest["service"]
    for path in files:
        assert sheet(path) == sheet(folder / path.relative_to(tmp_path / "again")), path
    _, other = write_service_exports(tmp_path / "other", gmv, start, END, SEED + 1)
    assert other["days"] != truth["days"]
    later = dict(truth, as_of="2026-12-01")
    rewritten = dict(write_from_truth(tmp_path / "settled", later))
    assert not any("延迟统计" in row for path in rewritten for row in sheet(path))


def test_shop_day_totals_are_the_sums_the_files_state(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, manifest = demo
    totals = shop_day_totals(manifest["service"])
    rows = records(folder / CLOUD / DAILY)[:-2]
    for date in ("2026-11-01", "2026-11-21"):
        day = [r for r in rows if r["日期"] == date]
        expected_paid = None if date == "2026-11-21" else sum(r["询单->最终付款人数"] for r in day)
        stated = {
            key: value
            for key, value in totals[CLOUD][date].items()
            if key in ("inquiries", "inquiry_paid", "sales")
        }
        assert stated == {
            "inquiries": sum(r["询单人数"] for r in day),
            "inquiry_paid": expected_paid,
            "sales": str(sum(Decimal(str(r["销售额"])) for r in day).quantize(Decimal("0.01"))),
        }
        # the 总表's other 客服 measures, as the same file states them
        receptions = sum(r["接待人数"] for r in day)
        assert totals[CLOUD][date]["receptions"] == receptions
        assert totals[CLOUD][date]["sales_buyers"] == sum(r["销售人数"] for r in day)
        assert totals[CLOUD][date]["replied"] == receptions - sum(r["未回复人数"] for r in day)
    assert {d["inquiries"] for d in totals[JD].values()} == {None}
    assert len(totals[FIELD]) == DAYS
