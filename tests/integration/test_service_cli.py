"""`shopops service agents|team|coach` on the demo's 客服 team: exact figures against the manifest,
the 80-column table, CSV/JSON, the no-data line, and the coaching card's weakest figures and changes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from shopops.domains.service.agents import AGENT_COLUMNS
from shopops.domains.service.team import TEAM_COLUMNS
from tests.conftest import run_cli
from tests.integration.service_fixture import CLOUD, FIELD, ServiceDemo, money, service_demo

SETTLED_WEEK = (dt.date(2026, 11, 9), dt.date(2026, 11, 15))  # Mon–Sun, every day settled
CUSTOM_WEEK = (dt.date(2026, 11, 16), dt.date(2026, 11, 22))  # the 自定义报表's week; 11-21, 11-22 延迟统计


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ServiceDemo:
    return service_demo(tmp_path_factory)


def people(demo: ServiceDemo, shop: str) -> list[str]:
    return [a["person"] for a in demo.service["agents"] if a["shop"] == shop]


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def weighted(days: Sequence[dict[str, Any]], key: str) -> float:
    return sum(d[key] * d["receptions"] for d in days) / sum(d["receptions"] for d in days)


def test_agents_over_a_settled_week_are_the_manifests_sums(demo: ServiceDemo) -> None:
    first, last = SETTLED_WEEK
    rows = demo.json("service", "agents", "--from", str(first), "--to", str(last), "--shop", CLOUD)
    by_agent = {r["agent"]: r for r in rows}
    assert sorted(by_agent) == sorted(p for p in people(demo, CLOUD) if demo.days(CLOUD, p, first, last))
    assert list(rows[0]) == list(AGENT_COLUMNS)
    for person, row in by_agent.items():
        days = demo.days(CLOUD, person, first, last)
        inquiries, paid = sum(d["inquiries"] for d in days), sum(d["inquiry_paid"] for d in days)
        sales, buyers = sum(money(d["sales"]) for d in days), sum(d["sales_buyers"] for d in days)
        receptions, unreplied = sum(d["receptions"] for d in days), sum(d["unreplied"] for d in days)
        assert (row["shop"], row["days"], row["provisional"], row["basis"]) == (
            CLOUD,
            len(days),
            False,
            "days",
        )
        assert (row["inquiries"], row["inquiry_buyers"]) == (inquiries, paid)
        assert row["inquiry_conversion"] == pytest.approx(ratio(paid, inquiries), abs=1e-6)
        assert money(row["sales"]) == sales
        assert row["sales_orders"] == sum(d["sales_orders"] for d in days)
        assert row["aov"] == pytest.approx(ratio(float(sales), buyers), abs=1e-6)
        assert row["avg_response_seconds"] == pytest.approx(weighted(days, "avg_response_seconds"), abs=1e-6)
        assert row["first_response_seconds"] == pytest.approx(
            weighted(days, "first_response_seconds"), abs=1e-6
        )
        assert row["reply_rate"] == pytest.approx(1 - unreplied / receptions, abs=1e-6)
        assert row["slow_responses"] == sum(d["slow_responses"] for d in days)
        assert money(row["refund_amount"]) == sum(money(d["refund_amount"]) for d in days)
        assert row["satisfaction_rate"] is None  # 赤兔 售前明细 has no 满意度: unknown, not 0
    groups = {a["person"]: a["group"] for a in demo.service["agents"] if a["shop"] == CLOUD}
    assert all(row["group"] == groups[person] for person, row in by_agent.items())


def test_unsettled_days_are_left_out_of_the_conversion_and_the_other_option_is_named(
    demo: ServiceDemo,
) -> None:
    first, last = CUSTOM_WEEK
    result = demo.cli(
        "service", "agents", "--from", str(first), "--to", str(last), "-s", CLOUD, "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = {r["agent"]: r for r in json.loads(result.stdout)}
    slipping = demo.service["slipping"]["person"]
    days = demo.days(CLOUD, slipping, first, last)
    settled = [d for d in days if demo.settled(d["date"])]
    assert len(settled) < len(days)  # 11-21 and 11-22 are still 延迟统计
    row = rows[slipping]
    assert row["provisional"] is True
    assert row["inquiries"] == sum(d["inquiries"] for d in days)  # known on every day …
    assert row["inquiry_buyers"] == sum(d["inquiry_paid"] for d in settled)  # … paid only when settled
    assert row["inquiry_conversion"] == pytest.approx(
        sum(d["inquiry_paid"] for d in settled) / sum(d["inquiries"] for d in settled), abs=1e-6
    )
    notes = result.stderr.splitlines()
    assert (
        f"{CLOUD}：客服销售额按 下单优先判定；另有 付款优先判定 6 行 未合并（口径不同，用 --attribution 查看）"
        in notes
    )
    assert "询单转化率 = 询单->最终付款人数 ÷ 询单人数（已结算的日期）" in notes
    ordered = demo.json(
        "service", "agents", "--from", str(first), "--to", str(last), "-s", CLOUD, "--conversion", "ordered"
    )
    mine = next(r for r in ordered if r["agent"] == slipping)
    assert mine["inquiry_conversion"] == pytest.approx(
        sum(d["inquiry_ordered"] for d in settled) / sum(d["inquiries"] for d in settled), abs=1e-6
    )


def test_group_keeps_one_group(demo: ServiceDemo) -> None:
    rows = demo.json("service", "agents", "--from", "2026-11-09", "--to", "2026-11-15", "--group", "售后")
    after_sales = {(a["shop"], a["person"]) for a in demo.service["agents"] if a["group"] == "售后"}
    assert {(r["shop"], r["agent"]) for r in rows} == after_sales
    assert {r["group"] for r in rows} == {"售后"}


def test_the_table_fits_80_columns(demo: ServiceDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = demo.cli("service", "agents", "--from", "2026-11-09", "--to", "2026-11-15")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    assert lines[0] == f"客服 2026-11-09 ~ 2026-11-15 · {CLOUD}"  # one table per shop, the shop in the title
    assert f"客服 2026-11-09 ~ 2026-11-15 · {FIELD}" in lines
    rows = demo.json("service", "agents", "--from", "2026-11-09", "--to", "2026-11-15")
    for row in rows:
        line = next(line for line in lines if line.startswith(row["agent"] + " "))
        cells = line.split()
        assert f"{row['inquiry_conversion']:.2%}" in cells
        assert f"{row['sales']:,.2f}" in cells
    flat = "".join(lines)  # notes wrap at the terminal's width
    omitted = flat[
        flat.index("终端较窄，未显示：") : flat.index("（加宽终端，或用 --format csv / json 查看全部列）")
    ]
    assert "满意率" in omitted and "退款金额" in omitted  # no 满意率 known at all: left out first
    assert "数据口径：日累加" in lines


def test_a_wide_terminal_shows_every_column_in_one_table(
    demo: ServiceDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    lines = demo.cli("service", "agents", "--from", "2026-11-09", "--to", "2026-11-15").stdout.splitlines()
    header = " ".join(lines[1:3])
    for label in ("客服", "店铺", "分组", "天数", "询单", "转化率", "销售额", "订单数", "客单价", "平均响应", "首次响应",
                  "回复率", "慢响应", "满意率", "退款金额", "暂定"):  # fmt: skip
        assert label in header, label
    assert not any(line.startswith("终端较窄") for line in lines)


def test_csv_has_the_english_columns_and_notes_go_to_stderr(demo: ServiceDemo, tmp_path: Path) -> None:
    result = demo.cli("service", "agents", "--from", "2026-11-09", "--to", "2026-11-15", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(AGENT_COLUMNS)
    assert {r["satisfaction_rate"] for r in rows} == {""}  # unknown is an empty cell
    assert "询单转化率 = 询单->最终付款人数 ÷ 询单人数（已结算的日期）" in result.stderr
    assert "询单转化率 =" not in result.stdout
    target = tmp_path / "agents.csv"
    written = demo.cli(
        "service", "agents", "--from", "2026-11-09", "--to", "2026-11-15", "--format", "csv", "-o", target
    )
    assert written.exit_code == 0 and target.read_text(encoding="utf-8") == result.stdout


def test_no_data_is_one_line_and_exit_0(demo: ServiceDemo, tmp_path: Path) -> None:
    result = demo.cli("service", "agents", "--from", "2025-01-01", "--to", "2025-01-07")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("2025-01-01 ~ 2025-01-07 没有客服数据：先导入 赤兔 售前明细/客服绩效")
    assert "`shopops sources`" in result.stdout
    as_json = demo.cli("service", "agents", "--from", "2025-01-01", "--to", "2025-01-07", "--format", "json")
    assert (as_json.exit_code, as_json.stdout, as_json.stderr.count("\n")) == (0, "[]\n", 1)
    empty = tmp_path / "empty"
    assert run_cli("init", empty).exit_code == 0
    nothing = run_cli("--workspace", empty, "service", "agents")
    assert nothing.exit_code == 0 and nothing.stdout.startswith("没有客服数据：先导入 赤兔 售前明细/客服绩效")


def test_an_unknown_shop_is_one_line(demo: ServiceDemo) -> None:
    result = demo.cli("service", "agents", "--shop", "不存在的店")
    assert result.exit_code == 1
    assert (
        result.output
        == "错误 店铺 '不存在的店' 未登记（已有：云朵旗舰店, 小野家居）— 见 `shopops shop list`\n"
    )


def test_team_days_against_the_shops_own_figures(demo: ServiceDemo) -> None:
    first, last = SETTLED_WEEK
    rows = demo.json("service", "team", "--from", str(first), "--to", str(last), "--shop", CLOUD)
    assert [r["period"] for r in rows] == [(first + dt.timedelta(days=n)).isoformat() for n in range(7)]
    assert list(rows[0]) == list(TEAM_COLUMNS)
    for row in rows:
        day = dt.date.fromisoformat(row["period"])
        agents = [d for p in people(demo, CLOUD) for d in demo.days(CLOUD, p, day, day)]
        shop = demo.manifest["shops"][CLOUD]["days"][row["period"]]
        inquiries, paid = sum(d["inquiries"] for d in agents), sum(d["inquiry_paid"] for d in agents)
        sales = sum(money(d["sales"]) for d in agents)
        assert (row["agents"], row["receptions"]) == (len(agents), sum(d["receptions"] for d in agents))
        assert (row["inquiries"], row["inquiry_buyers"]) == (inquiries, paid)
        assert row["inquiry_conversion"] == pytest.approx(paid / inquiries, abs=1e-6)
        assert row["avg_response_seconds"] == pytest.approx(
            weighted(agents, "avg_response_seconds"), abs=1e-6
        )
        assert money(row["service_sales"]) == sales
        assert (money(row["gmv"]), row["visitors"], row["buyers"]) == (
            money(shop["gmv"]),
            shop["visitors"],
            shop["buyers"],
        )
        assert row["conversion_rate"] == pytest.approx(shop["buyers"] / shop["visitors"], abs=1e-6)
        assert row["service_sales_share"] == pytest.approx(float(sales / money(shop["gmv"])), abs=1e-6)
        assert (row["provisional"], row["basis"]) == (False, "days")


def test_team_weeks_are_their_days_added_up(demo: ServiceDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = demo.json(
        "service", "team", "--by", "week", "--from", "2026-11-09", "--to", "2026-11-22", "-s", CLOUD
    )
    assert [(r["period"], r["days"], r["basis"]) for r in rows] == [
        ("2026-11-09", 7, "week_days"),
        ("2026-11-16", 7, "week_days"),
    ]
    week = rows[1]
    first, last = CUSTOM_WEEK
    agents = [d for p in people(demo, CLOUD) for d in demo.days(CLOUD, p, first, last)]
    settled = [d for d in agents if demo.settled(d["date"])]
    shop_days = [
        demo.manifest["shops"][CLOUD]["days"][(first + dt.timedelta(days=n)).isoformat()] for n in range(7)
    ]
    assert week["inquiries"] == sum(d["inquiries"] for d in agents)
    assert week["inquiry_conversion"] == pytest.approx(
        sum(d["inquiry_paid"] for d in settled) / sum(d["inquiries"] for d in settled), abs=1e-6
    )
    assert week["visitors"] == sum(d["visitors"] for d in shop_days)
    assert week["conversion_rate"] == pytest.approx(
        sum(d["buyers"] for d in shop_days) / sum(d["visitors"] for d in shop_days), abs=1e-6
    )
    assert week["provisional"] is True
    monkeypatch.setenv("COLUMNS", "80")
    table = demo.cli("service", "team", "--by", "week", "--from", "2026-11-09", "--to", "2026-11-22")
    lines = table.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    assert "按周（周一起）：日累加，人数、访客、买家为每天之和；首尾两周只含窗口内的日期" in "".join(lines)


def test_coach_card_of_the_slipping_agent(demo: ServiceDemo) -> None:
    story = demo.service["slipping"]
    card = demo.json("service", "coach", story["person"], "--month", "2026-11")
    assert (card["agent"], card["shop"], card["group"], card["month"]) == (
        story["person"],
        CLOUD,
        "售前",
        "2026-11",
    )
    first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    days = demo.days(CLOUD, story["person"], first, last)
    assert card["days"] == len(days)
    weakest = {w["metric"]: w for w in card["weakest"]}
    assert len(card["weakest"]) == 3
    response = weakest.get("avg_response_seconds") or weakest["first_response_seconds"]
    key = response["metric"]
    assert response["value"] == pytest.approx(weighted(days, key), abs=1e-6)
    team = [a["person"] for a in demo.service["agents"] if a["shop"] == CLOUD and a["group"] == "售前"]
    medians = [weighted(demo.days(CLOUD, p, first, last), key) for p in team]
    assert response["team_median"] == pytest.approx(statistics.median(medians), abs=1e-6)
    assert response["shortfall"] == pytest.approx(response["value"] / response["team_median"] - 1, abs=1e-9)
    assert [h["month"] for h in response["history"]] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    october = demo.days(CLOUD, story["person"], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert response["history"][2]["value"] == pytest.approx(weighted(october, key), abs=1e-6)
    # Evidence: the month's slowest days, each as the manifest has it, slowest first.
    by_day = {d["date"].isoformat(): d[key] for d in days}
    evidence = [(w["date"], w["value"]) for w in response["worst_days"]]
    assert evidence == sorted(((d, v) for d, v in by_day.items()), key=lambda p: (-p[1], p[0]))[:3]
    assert all(d >= story["from"] for d, _ in evidence)  # all inside the slip
    changed = {c["metric"]: c for c in card["changes"]}
    assert changed["avg_response_seconds"]["better"] is False
    assert changed["avg_response_seconds"]["before"] == pytest.approx(
        weighted(october, "avg_response_seconds"), abs=1e-6
    )
    assert changed["inquiry_conversion"]["better"] is False


def test_coach_card_of_the_new_hire_shows_her_improving(demo: ServiceDemo) -> None:
    story = demo.service["new_hire"]
    card = demo.json("service", "coach", story["person"], "--month", "2026-11")
    changed = {c["metric"]: c for c in card["changes"]}
    assert changed["inquiry_conversion"]["better"] is True
    assert changed["avg_response_seconds"]["better"] is True
    october = demo.days(CLOUD, story["person"], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    november = [
        d
        for d in demo.days(CLOUD, story["person"], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        if demo.settled(d["date"])
    ]
    before = sum(d["inquiry_paid"] for d in october) / sum(d["inquiries"] for d in october)
    after = sum(d["inquiry_paid"] for d in november) / sum(d["inquiries"] for d in november)
    conversion = changed["inquiry_conversion"]
    assert (conversion["before"], conversion["after"]) == (pytest.approx(before), pytest.approx(after))
    assert conversion["change"] == pytest.approx(after - before) and conversion["change"] >= 0.03


def test_coach_by_account_and_unknown_agents(demo: ServiceDemo, monkeypatch: pytest.MonkeyPatch) -> None:
    rename = demo.service["rename"]
    card = demo.json("service", "coach", rename["new"].split(":")[1], "--month", "2026-11")
    assert card["agent"] == rename["person"] and set(card["accounts"].split("、")) == {
        rename["old"],
        rename["new"],
    }
    assert demo.json("service", "coach", rename["old"], "--month", "2026-11")["agent"] == rename["person"]
    result = demo.cli("service", "coach", "小梅", "--month", "2026-11")
    assert result.exit_code == 1 and result.output.strip().count("\n") == 0
    line = result.output
    assert line.startswith("错误 没有客服 '小梅' — 客服（最接近的在前）：")
    assert line.index("小美（云朵旗舰店）") < line.index("豆豆（小野家居）")
    monkeypatch.setenv("COLUMNS", "80")
    table = demo.cli("service", "coach", demo.service["slipping"]["person"], "--month", "2026-11")
    lines = table.stdout.splitlines()
    assert lines[0] == f"客服辅导卡 · {demo.service['slipping']['person']}（{CLOUD} · 售前）· 2026-11"
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    assert "最弱的 3 项（与团队中位数相比，差得最多的在前）" in lines
    assert "与上月（2026-10）相比" in lines
