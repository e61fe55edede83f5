"""A 绩效 team for the web demo: the 客服 exports of tests/web/service_data.py, a staff list (员工名单)
and the manual inputs (绩效手工录入) written by the test, and the dashboard users the access rules are
about. The scores are the presets' (presets.yaml) over November 2026, whose data ends on DEMO_END
(11-24) and settles on 11-20 (赤兔's 延迟统计 on the last 4 days).

- 小美, 阿宁, 大壮, 小雨 are 客服售前 of shop A (小雨 only from 11-10: pro-rated), 乐乐 客服售后 of A;
- 豆豆 客服售前 and 小溪 客服售后 of shop B (B's 赤兔 files carry no 满意度: 小溪's total is unknown);
- 老王 运营 of every shop; a 美工 of shop B and a person of shop A whose names (and the latter's role)
  are markup — shown as text, the role without a card listed as not scored.

Users: ``mei`` (operator of A, 登录账号 of 小美), ``viewer`` (viewer of A, of 乐乐), ``alice``
(operator of A, nobody's), ``boss`` (主管 of A), ``admin``."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopops.analysis.targets import Scope, parse_period, set_target
from shopops.web import accounts
from shopops.workspace import Workspace
from tests.conftest import DEMO_END
from tests.web.conftest import PASSWORD, SHOP_A, SHOP_B, WebDemo
from tests.web.service_data import ServiceData, add_service_data, agent_days

PERIOD = "2026-11"
HOSTILE_PERSON = "<script>alert(1)</script>"  # also its role: a role without a card
HOSTILE_DESIGNER = '"><img src=x onerror=alert(1)>'
JOINED = dt.date(2026, 11, 10)  # 小雨's first day in the role: 21 of November's 30 days
STAFF = (
    # 姓名, 岗位, 负责店铺, 登录账号, 入职日期, 离职日期, 状态
    ("小美", "客服售前", SHOP_A, "mei", "2024-10-25", "", "在职"),
    ("阿宁", "客服售前", SHOP_A, "", "2025-09-20", "", "在职"),
    ("大壮", "客服售前", SHOP_A, "", "2025-06-22", "", "在职"),
    ("小雨", "客服售前", SHOP_A, "", JOINED.isoformat(), "", "在职"),
    ("乐乐", "客服售后", SHOP_A, "viewer", "2025-10-30", "", "在职"),
    ("豆豆", "客服售前", SHOP_B, "", "2025-03-24", "", "在职"),
    ("小溪", "客服售后", SHOP_B, "", "2025-08-31", "", "在职"),
    ("老王", "运营", "", "", "2023-06-01", "", "在职"),
    (HOSTILE_DESIGNER, "美工", SHOP_B, "", "2025-01-01", "", "在职"),
    (HOSTILE_PERSON, HOSTILE_PERSON, SHOP_A, "", "2025-01-01", "", "在职"),
)
PEOPLE_A = ("小美", "阿宁", "大壮", "小雨", "乐乐", HOSTILE_PERSON)
PEOPLE_B = ("豆豆", "小溪", HOSTILE_DESIGNER)
SALES_TARGET = {"小美": 52000, "阿宁": 40000, "大壮": 60000, "小雨": 30000, "豆豆": 45000}
AOV_TARGET = {"小美": 130, "阿宁": 150, "大壮": 120, "小雨": 140, "豆豆": 135}
ATTENDANCE = {"小美": 1.0, "阿宁": 0.96, "大壮": 0.92, "小雨": 1.0, "豆豆": 0.85, "乐乐": 1.0, "小溪": 0.97}
QUALITY = {"乐乐": 88, "小溪": 72}  # 质检分 (客服售后)
MANAGER_SCORE = 90  # 老王's 主管评分
DESIGN = (84, 0.93)  # the 美工's 设计评分 and 按时完成率
CONVERSION_TARGETS = {SHOP_A: "0.05", SHOP_B: "0.05"}  # 支付转化率 targets of November (运营, 美工)
ENTERED_BY = "张主管"


@dataclass(frozen=True)
class StaffData:
    service: ServiceData
    staff_list: Path
    inputs: Path


def add_staff_data(demo: WebDemo, base: Path) -> StaffData:
    """Import the 客服 exports, the staff list and the inputs into the demo; add the users."""
    service = add_service_data(demo.workspace, demo.exports, base / "service")
    staff_list = write_csv(
        base / "员工名单.csv", ("姓名", "岗位", "负责店铺", "登录账号", "入职日期", "离职日期", "状态"), STAFF
    )
    inputs = write_csv(
        base / "绩效录入_2026-11.csv",
        ("期间", "姓名", "项目", "数值", "录入人", "录入日期", "备注"),
        input_rows(),
    )
    workspace = demo.workspace
    for path in (staff_list, inputs):
        result = workspace.import_file(path)
        assert result.rows == len(STAFF) if path == staff_list else result.rows > 0, path
    add_users(workspace)
    november = parse_period(PERIOD)
    assert november is not None
    for shop, value in CONVERSION_TARGETS.items():
        set_target(workspace.connection, november, Scope("shop", shop), "conversion_rate", Decimal(value))
    set_target(workspace.connection, november, Scope("all"), "conversion_rate", Decimal("0.05"))
    return StaffData(service, staff_list, inputs)


def input_rows() -> list[tuple[str, ...]]:
    rows = []

    def add(person: str, item: str, value: object) -> None:
        rows.append((PERIOD, person, item, str(value), ENTERED_BY, "2026-12-01", ""))

    for person, target in SALES_TARGET.items():
        add(person, "销售目标", target)
        add(person, "客单价目标", AOV_TARGET[person])
    for person, share in ATTENDANCE.items():
        add(person, "出勤率", f"{share:.0%}")
    for person, score in QUALITY.items():
        add(person, "质检分", score)
    add("老王", "主管评分", MANAGER_SCORE)
    add(HOSTILE_DESIGNER, "设计评分", DESIGN[0])
    add(HOSTILE_DESIGNER, "按时完成率", f"{DESIGN[1]:.0%}")
    return rows


def add_users(workspace: Workspace) -> None:
    con = workspace.connection
    known = {row[0] for row in con.execute("SELECT name FROM users").fetchall()}
    for name, role, shops in (("mei", "operator", [SHOP_A]), ("boss", "manager", [SHOP_A])):
        if name not in known:
            accounts.add_user(con, name, PASSWORD, role, shops)


def write_csv(path: Path, header: tuple[str, ...], rows: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]
    return path


# -- the scores, by hand: the presets' bands (presets.yaml) over the truths of the 客服 exports ------

# (line, weight %, direction, bands) of the two 客服 cards; a value reaching no band scores 0.
PRE_SALES = (
    ("指标完成率", 30, "up", ((1.0, 100), (0.9, 85), (0.8, 70), (0.7, 55), (0.6, 40), (0.4, 20))),
    ("询单转化率", 20, "up", ((0.45, 100), (0.40, 80), (0.35, 60))),
    ("客单价", 20, "up", ((1.0, 100), (0.95, 85), (0.9, 70), (0.8, 50))),
    ("回复率", 20, "up", ((0.98, 100), (0.95, 80), (0.92, 60))),
    ("响应时间", 5, "down", ((35, 100), (45, 80), (55, 60))),
    ("出勤率", 5, "up", ((1.0, 100), (0.95, 80), (0.9, 60))),
)
AFTER_SALES = (
    ("满意率", 30, "up", ((0.95, 100), (0.9, 80), (0.85, 60))),
    ("回复率", 25, "up", ((0.98, 100), (0.95, 80), (0.92, 60))),
    ("响应时间", 20, "down", ((35, 100), (45, 80), (55, 60))),
    ("质检分", 20, "linear", ((60, 0), (100, 100))),  # 60 scores 0, 100 scores 100
    ("出勤率", 5, "up", ((1.0, 100), (0.95, 80), (0.9, 60))),
)
PERIOD_START, PERIOD_END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


@dataclass(frozen=True)
class Expected:
    person: str
    figures: dict[str, Any]  # the person's own figures over their settled days
    scores: dict[str, Decimal]  # line → score
    total: Decimal
    tier: str


def band(direction: str, bands: tuple[tuple[float, int], ...], value: float) -> Decimal:
    if direction == "linear":
        (floor, _), (top, _) = bands
        return Decimal(str(max(0.0, min(100.0, (value - floor) / (top - floor) * 100)))).quantize(CENT)
    for threshold, score in bands:
        if (value >= threshold) if direction == "up" else (value <= threshold):
            return Decimal(score).quantize(CENT)
    return Decimal(0).quantize(CENT)


def settled_figures(truth: dict[str, Any], shop: str, person: str, start: dt.date) -> dict[str, Any]:
    """The person's own sums over their days from ``start``, leaving out the unsettled ones (赤兔's
    延迟统计: every measure over the same settled days), and the figures of the cards from them."""
    delayed = set(truth["delayed"]["final"])
    days = agent_days(truth, shop, person, start, PERIOD_END)
    settled = [f for day, f in days.items() if day not in delayed]

    def total(key: str) -> Any:
        return sum((Decimal(str(f[key])) for f in settled), Decimal(0))

    receptions = total("receptions")
    found = {
        "days": len(settled),
        "pending": sorted(day for day in days if day in delayed),
        "sales": total("sales"),
        "buyers": total("sales_buyers"),
        "inquiry_paid": total("inquiry_paid"),
        "inquiries": total("inquiries"),
        "replied": receptions - total("unreplied"),
        "receptions": receptions,
        "response": sum(Decimal(str(f["avg_response_seconds"])) * f["receptions"] for f in settled)
        / receptions,
    }
    if all("very_satisfied" in f for f in settled):
        pleased = total("very_satisfied") + total("satisfied")
        rated = pleased + total("neutral") + total("dissatisfied") + total("very_dissatisfied")
        found["satisfaction"] = pleased / rated
    return found


def expected_scores(truth: dict[str, Any]) -> dict[str, Expected]:
    """The 客服 people's scores for November, worked out here from the truths and the inputs."""
    found = {}
    for person, _role, shop, _login, start, *_ in STAFF:
        if person in SALES_TARGET:
            first = max(PERIOD_START, dt.date.fromisoformat(start))
            figures = settled_figures(truth, shop, person, first)
            # November is not over (the data ends on DEMO_END): an own 销售目标 is cut to the days that
            # count — held, up to the data's last day, less the unsettled days left out.
            counted = (min(PERIOD_END, DEMO_END) - first).days + 1 - len(figures["pending"])
            share = Decimal(counted) / 30
            aov = figures["sales"] / figures["buyers"]
            values = (
                figures["sales"] / (SALES_TARGET[person] * share),
                figures["inquiry_paid"] / figures["inquiries"],
                aov / AOV_TARGET[person],
                figures["replied"] / figures["receptions"],
                figures["response"],
                Decimal(str(ATTENDANCE[person])),
            )
            card = PRE_SALES
        elif person in QUALITY and person in PEOPLE_A:  # 小溪 (shop B) has no 满意度: no total
            figures = settled_figures(truth, shop, person, PERIOD_START)
            values = (
                figures["satisfaction"],
                figures["replied"] / figures["receptions"],
                figures["response"],
                Decimal(QUALITY[person]),
                Decimal(str(ATTENDANCE[person])),
            )
            card = AFTER_SALES
        else:
            continue
        scores = {
            name: band(direction, bands, float(value))
            for (name, _, direction, bands), value in zip(card, values, strict=True)
        }
        total = sum(((scores[name] * weight / 100).quantize(CENT) for name, weight, _, _ in card), Decimal(0))
        tier = next(label for label, floor in TIERS if total >= floor)
        found[person] = Expected(person, figures, scores, total, tier)
    return found


CENT = Decimal("0.01")
TIERS = (("金牌", 90), ("银牌", 80), ("铜牌", 70), ("待改进", 0))
