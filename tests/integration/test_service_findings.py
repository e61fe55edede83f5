"""The 客服 findings in `shopops findings`: the demo's slipping agent is found (slower, converting less)
with the money at stake from the manifest, provisional days raise no conversion finding, unanswered
buyers are found per shop-day, and the team rule tells a service problem from a traffic one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from shopops.domains.service.findings import team_findings
from shopops.domains.service.service_rules import ServiceRules
from tests.integration.service_fixture import CLOUD, FIELD, ServiceDemo, money, service_demo

AGENT_RULES = ("service_response", "service_conversion")
RULES = ServiceRules()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ServiceDemo:
    return service_demo(tmp_path_factory)


def service(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"].startswith("service_")]


def window(
    demo: ServiceDemo, person: str, day: dt.date, *, settled: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The person's recent 7 days up to ``day`` and the 28 before, settled days only if asked."""
    recent = demo.days(CLOUD, person, day - dt.timedelta(days=6), day)
    base = demo.days(CLOUD, person, day - dt.timedelta(days=34), day - dt.timedelta(days=7))
    if settled:
        return [d for d in recent if demo.settled(d["date"])], [d for d in base if demo.settled(d["date"])]
    return recent, base


def conversion(days: list[dict[str, Any]]) -> float:
    return sum(d["inquiry_paid"] for d in days) / sum(d["inquiries"] for d in days)


def aov(days: list[dict[str, Any]]) -> float:
    return float(sum(money(d["sales"]) for d in days)) / sum(d["sales_buyers"] for d in days)


def test_the_slipping_agent_is_found_and_no_one_else(demo: ServiceDemo) -> None:
    story = demo.service["slipping"]
    found = service(demo.json("findings", "--from", "2026-11-18", "--to", "2026-11-24"))
    agents = [f for f in found if f["rule"] in AGENT_RULES]
    assert sorted((f["rule"], f["shop"], f["item"]) for f in agents) == [
        ("service_conversion", CLOUD, story["person"]),
        ("service_response", CLOUD, story["person"]),
    ]
    slip = dt.date.fromisoformat(story["from"])
    response = next(f for f in agents if f["rule"] == "service_response")
    worked = [d["date"] for d in demo.days(CLOUD, story["person"], slip, dt.date(2026, 11, 24))]
    assert response["date"] == worked[-1].isoformat()  # the run goes on to the last day worked
    assert slip <= dt.date.fromisoformat(response["since"]) < dt.date.fromisoformat(response["date"])
    recent, base = window(demo, story["person"], worked[-1], settled=False)
    now = sum(d["avg_response_seconds"] * d["receptions"] for d in recent) / sum(
        d["receptions"] for d in recent
    )
    before = sum(d["avg_response_seconds"] * d["receptions"] for d in base) / sum(
        d["receptions"] for d in base
    )
    assert (response["value"], response["expected_low"]) == (pytest.approx(now), pytest.approx(before))
    assert response["value"] >= 1.3 * response["expected_low"]
    assert (response["metric_label"], response["severity"], response["provisional"]) == (
        "客服响应变慢",
        "critical",
        False,
    )
    assert response["explanation"].startswith(f"客服 {story['person']} 近7天平均响应 {now:.1f} 秒")


def test_the_conversion_finding_comes_from_settled_days_with_the_sales_lost(demo: ServiceDemo) -> None:
    story = demo.service["slipping"]
    found = service(demo.json("findings", "--from", "2026-11-18", "--to", "2026-11-24"))
    finding = next(f for f in found if f["rule"] == "service_conversion")
    day = dt.date.fromisoformat(finding["date"])
    assert demo.settled(day) and day.isoformat() not in demo.service["delayed"]["final"]
    recent, base = window(demo, story["person"], day, settled=True)
    now, before = conversion(recent), conversion(base)
    inquiries = sum(d["inquiries"] for d in recent)
    assert finding["value"] == pytest.approx(now)
    assert finding["expected_high"] == pytest.approx(before)
    assert finding["impact"] == pytest.approx((before - now) * inquiries * aov(base), abs=0.01)
    assert finding["metric"] == "inquiry_conversion" and finding["provisional"] is False
    assert dt.date.fromisoformat(finding["since"]) >= dt.date.fromisoformat(story["from"])


def test_provisional_days_raise_no_conversion_finding(demo: ServiceDemo) -> None:
    unsettled = demo.service["delayed"]["final"]
    found = service(demo.json("findings", "--from", unsettled[0], "--to", unsettled[-1]))
    assert [f for f in found if f["rule"] in ("service_conversion", "service_team_conversion")] == []
    assert any(f["rule"] == "service_response" for f in found)  # response times do not wait to settle


def test_steady_agents_raise_nothing(demo: ServiceDemo) -> None:
    found = service(demo.json("findings", "--from", "2026-09-01", "--to", "2026-11-10"))
    assert [f for f in found if f["rule"] != "service_unreplied"] == []


def test_unanswered_buyers_per_shop_day(demo: ServiceDemo) -> None:
    """A shop-day with ≥ 3 未回复 and at least twice the shop's share of the 28 days before."""
    first, last = dt.date(2026, 10, 1), dt.date(2026, 11, 24)
    found = service(demo.json("findings", "--from", str(first), "--to", str(last)))
    unreplied = {(f["shop"], f["date"]): f for f in found if f["rule"] == "service_unreplied"}
    expected = {}
    for shop in (CLOUD, FIELD):
        totals: dict[dt.date, list[int]] = {}
        for days in demo.service["days"][shop].values():
            for day, figures in days.items():
                total = totals.setdefault(dt.date.fromisoformat(day), [0, 0])
                total[0] += figures["unreplied"]
                total[1] += figures["receptions"]
        for day, (count, receptions) in totals.items():
            before = [totals[d] for d in totals if day - dt.timedelta(days=RULES.baseline_days) <= d < day]
            base = sum(b[1] for b in before)
            usual = sum(b[0] for b in before) / base if base else None
            unusual = usual is None or count / receptions >= RULES.unreplied_ratio * usual
            if first <= day <= last and count >= RULES.unreplied_min and unusual:
                expected[(shop, str(day))] = count
    assert expected  # the demo has such days
    assert {key: f["value"] for key, f in unreplied.items()} == expected
    assert all(f["metric_label"] == "客服未回复" and f["impact"] > 0 for f in unreplied.values())


def _team_rows(conversions: list[float], settled_from: int | None = None) -> pl.DataFrame:
    """Two agents' day rows: 100 询单 a day each, the day's conversion from ``conversions``."""
    start = dt.date(2026, 1, 1)
    rows = []
    for n, rate in enumerate(conversions):
        for person in ("甲", "乙"):
            rows.append(
                {
                    "shop": "店", "person": person, "date": start + dt.timedelta(days=n), "receptions": 160,
                    "inquiries": 100, "inquiry_paid": round(100 * rate), "sales": 100 * rate * 120.0,
                    "sales_buyers": round(100 * rate), "avg_response_seconds": 20.0,
                    "settled": settled_from is None or n < settled_from,
                }
            )  # fmt: skip
    return pl.DataFrame(rows)


def _visitors(values: list[int]) -> pl.DataFrame:
    start = dt.date(2026, 1, 1)
    return pl.DataFrame(
        {"shop": "店", "date": [start + dt.timedelta(days=n) for n in range(len(values))], "visitors": values}
    )


def test_the_team_rule_tells_service_from_traffic() -> None:
    rates = [0.45] * 35 + [0.36] * 7  # the last week converts a fifth less
    rows, last = _team_rows(rates), dt.date(2026, 2, 11)
    steady = team_findings(rows, _visitors([1000] * 35 + [1030] * 7), last, last, RULES)
    (finding,) = steady
    assert (finding.rule, finding.metric, finding.date) == (
        "service_team_conversion",
        "inquiry_conversion",
        last,
    )
    assert finding.value == pytest.approx(0.36) and finding.expected_high == pytest.approx(0.45)
    assert finding.impact == pytest.approx((0.45 - 0.36) * 1400 * 120.0, abs=0.01)
    assert "流量平稳" in finding.explanation and "是客服的问题，不是流量的问题" in finding.explanation
    assert (
        team_findings(rows, _visitors([1000] * 35 + [700] * 7), last, last, RULES) == []
    )  # traffic fell too
    unsettled = _team_rows(rates, settled_from=35)  # the weak week is not settled yet
    assert team_findings(unsettled, _visitors([1000] * 42), last, last, RULES) == []
