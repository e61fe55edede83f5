"""The demo's 绩效 team (staff KPI): its 员工名单, 绩效录入 and 目标表, and their true scores.

The team: the 客服 of the 赤兔 shops from the service demo (云朵旗舰店, 小野家居, and 山岚服饰 when the
stock shop is generated), 客服售前 or 客服售后 by their group, from the same 入职 day — 阿飞 leaves
30 days before the end and is pro-rated; two 运营 (云朵旗舰店 + 小野家居, and 山岚服饰), one 推广 for
every shop and one 美工. The JD (咚咚) and Douyin (飞鸽) agents are left out: their exports give no
销售人数 (咚咚) and no 回复 counts (飞鸽, 咚咚), so the preset 客服售前 card cannot score them; for the
same reason the 美工's 用户反馈 (the shops' 支付转化率) leaves out 山野好物抖音店, whose exports have no
访客数 (the 合计 of shops with one unknown is unknown), and no 运营 answers for the JD and Douyin shops
(no 退款金额 in the JD exports, no 访客数 in the Douyin ones).

Files (in the exports folder, imported like the others):
- ``员工名单.xlsx`` — `shopops template staff-list`'s columns; 登录账号 for 小美 and 老王, whose dashboard
  accounts (and a 主管 account ``zhuguan``) are ``manifest["staff"]["accounts"]``;
- ``绩效录入.xlsx`` — for every month of the service window that has ended and every person in the
  role then, what their preset card needs: 客服售前 销售目标 and 客单价目标 (set around the agent's own
  usual level, each person with their own stretch, so scores spread over 金/银/铜/待改进) and 出勤率
  (days worked of days rostered, from the agent-days); 客服售后 质检分 and 出勤率; 运营/推广 主管评分;
  美工 设计评分 and 按时完成率. Targets are entered on the month's first day, the rest on the first
  days of the next month;
- ``目标表.xlsx`` — the shops' monthly 支付金额 and 支付转化率 targets (each shop, and the 店铺组 of a
  person with several shops, ``manifest["staff"]["groups"]``, defined before the import), set near
  the month's truth so that 完成率 spreads around 95 %, and the quarters' 支付转化率.

``manifest["staff"]["scores"]`` holds the true scores (:mod:`staff_truth`) of the last month that
ends 4 days before the demo's end (so its 询单->最终付款 has settled in the exports), the month
before, and the last such quarter — valid when the exports are imported on ``import_day`` or later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from shopops.analysis.targets.periods import TargetPeriod
from shopops.analysis.targets.store import define_group
from shopops.demo.jd import JD_SHOP
from shopops.demo.profiles import CLOUD, FIELD
from shopops.demo.service import SATISFACTION_SHOPS
from shopops.demo.service_team import roster
from shopops.demo.staff_truth import SETTLE_DAYS, Books, Person, score_board, shop_figures
from shopops.demo.stock_catalog import SHOP as APPAREL_SHOP
from shopops.demo.writers import write_xlsx

STAFF_LIST_HEADER = ["姓名", "岗位", "负责店铺", "登录账号", "入职日期", "离职日期", "状态"]
INPUTS_HEADER = ["期间", "姓名", "项目", "数值", "录入人", "录入日期", "备注"]
TARGETS_HEADER = [
    "期间", "店铺", "店铺组", "支付金额", "净销售额", "毛利", "净利", "支付订单数", "支付件数", "推广预算",
    "淘客佣金预算", "退款金额上限", "客单价", "推广ROI", "支付转化率", "退款率上限", "推广费比上限",
]  # fmt: skip
STAFF_LIST, INPUTS_FILE, TARGETS_FILE = "员工名单.xlsx", "绩效录入.xlsx", "目标表.xlsx"
MANAGER, BOSS = "张主管", "李总"  # who enters the 客服's inputs, and the others'
# person, role, shops (None: every shop), 入职 (days before the end)
OFFICE: tuple[tuple[str, str, tuple[str, ...] | None, int], ...] = (
    ("老王", "运营", (CLOUD.name, FIELD.name), 1210),
    ("林娜", "运营", (APPAREL_SHOP,), 380),
    ("阿凯", "推广", None, 640),
    ("阿美", "美工", (CLOUD.name, FIELD.name, APPAREL_SHOP, JD_SHOP), 905),
)
LOGINS = {"小美": "xiaomei", "老王": "laowang"}  # 登录账号 in the staff list
# dashboard accounts: name, role, whose (a 主管 is an account role, not a scored role)
ACCOUNTS = (("zhuguan", "manager", MANAGER), ("xiaomei", "operator", "小美"), ("laowang", "operator", "老王"))


def add_staff(
    manifest: dict[str, Any], folder: Path, end: dt.date, seed: int, import_day: dt.date | None = None
) -> list[Path]:
    """Write the three sheets into ``folder`` and put ``manifest["staff"]``; needs the service demo."""
    service, shops = manifest["service"], manifest["shops"]
    people, rows = _team(service, shops, end)
    months = _months(service, end)
    input_rows = _inputs(people, months, service, end, seed)
    groups = _groups(people, shops)
    targets, target_rows = _targets(shops, groups, months, seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        write_xlsx(folder / STAFF_LIST, STAFF_LIST_HEADER, rows, sheet="员工名单"),
        write_xlsx(folder / INPUTS_FILE, INPUTS_HEADER, input_rows, sheet="绩效手工录入"),
        write_xlsx(folder / TARGETS_FILE, TARGETS_HEADER, target_rows, sheet="目标表"),
    ]
    books = Books(
        service=service,
        shops=shops,
        rated_shops=frozenset(SATISFACTION_SHOPS),
        inputs={(str(r[0]), str(r[1]), str(r[2])): _read(r[3]) for r in input_rows},
        targets=targets,
        groups={name: tuple(members) for name, members in groups.items()},
        import_day=import_day or dt.date.today(),
    )
    scored = _scored(end, months)
    member_keys = ("person", "role", "shops", "user_name", "start_date", "end_date", "status")
    input_keys = ("period", "person", "item", "text", "entered_by", "entered_on", "note")
    manifest["staff"] = {
        "members": [
            dict(zip(member_keys, [p.person, p.role, _shop_list(p), *row[3:]], strict=True))
            for p, row in zip(people, rows, strict=True)
        ],
        "accounts": [
            {"name": name, "role": role, "whose": whose, "shops": _account_shops(whose, people)}
            for name, role, whose in ACCOUNTS
        ],
        "groups": groups,
        "inputs": [dict(zip(input_keys, row, strict=True)) | {"value": _read(row[3])} for row in input_rows],
        "targets": [
            {"period": p, "scope": s, "metric": m, "value": str(v)} for (p, s, m), v in targets.items()
        ],
        "files": [{"path": path.name, "shop": None} for path in files],
        "import_day": books.import_day.isoformat(),
        "scored": {kind: period.key for kind, period in scored.items()},
        "scores": {period.key: score_board(people, period, books) for period in scored.values()},
    }
    return files


def define_staff_groups(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> None:
    """The 店铺组 the demo's 目标表 names (before it is imported)."""
    for name, shops in manifest.get("staff", {}).get("groups", {}).items():
        define_group(con, name, list(shops))


def staff_files(folder: Path, manifest: Mapping[str, Any]) -> dict[Path, str | None]:
    """The shop to import each of the staff files for (none: the sheets name their shops)."""
    return {folder / f["path"]: f["shop"] for f in manifest.get("staff", {}).get("files", [])}


# -- the team ------------------------------------------------------------------------------------


def _team(
    service: Mapping[str, Any], shops: Mapping[str, Any], end: dt.date
) -> tuple[list[Person], list[list[object]]]:
    people: list[Person] = []
    rows: list[list[object]] = []
    for agent in service["agents"]:
        if agent["tool"] != "chitu":  # 咚咚 and 飞鸽: see the module
            continue
        left = dt.date.fromisoformat(agent["left_date"]) if agent["left_date"] else None
        role = "客服售前" if agent["group"] == "售前" else "客服售后"
        person = Person(
            agent["person"], role, (agent["shop"],), dt.date.fromisoformat(agent["start_date"]), left
        )
        people.append(person)
        rows.append(_row(person, "离职" if left else "在职"))
    for name, role, chosen, hired in OFFICE:
        mine = None if chosen is None else tuple(s for s in chosen if s in shops)
        if mine is not None and not mine:
            continue  # 山岚服饰 is only there with the stock demo
        person = Person(name, role, mine, end - dt.timedelta(days=hired), None)
        people.append(person)
        rows.append(_row(person, "在职"))
    return people, rows


def _row(person: Person, status: str) -> list[object]:
    return [
        person.person,
        person.role,
        "" if person.shops is None else "、".join(person.shops),
        LOGINS.get(person.person, ""),
        person.start.isoformat() if person.start else "",
        person.end.isoformat() if person.end else "",
        status,
    ]


def _shop_list(person: Person) -> list[str] | None:
    return None if person.shops is None else list(person.shops)


def _account_shops(whose: str, people: Sequence[Person]) -> list[str] | None:
    """The shops of the account of ``whose`` (a 主管 not on the staff list: every shop)."""
    return next((_shop_list(p) for p in people if p.person == whose), None)


def _groups(people: Sequence[Person], shops: Mapping[str, Any]) -> dict[str, list[str]]:
    """A 店铺组 for each person answering for several (not all) shops: their 支付转化率 target."""
    every = set(shops)
    return {
        f"{p.person}负责店铺": list(p.shops)
        for p in people
        if p.shops is not None and len(p.shops) > 1 and set(p.shops) != every
    }


def _months(service: Mapping[str, Any], end: dt.date) -> list[TargetPeriod]:
    """Every month of the service window that has ended by ``end`` (the first may be partial)."""
    first = dt.date.fromisoformat(service["start"])
    months = []
    month = TargetPeriod.containing(first, "month")
    while month.end <= end:
        months.append(month)
        month = TargetPeriod.containing(month.end + dt.timedelta(days=1), "month")
    return months


def _scored(end: dt.date, months: Sequence[TargetPeriod]) -> dict[str, TargetPeriod]:
    settled = [m for m in months if m.end + dt.timedelta(days=SETTLE_DAYS) <= end]
    found: dict[str, TargetPeriod] = {}
    if settled:
        found["month"] = settled[-1]
    if len(settled) > 1:
        found["before"] = settled[-2]
    if settled:
        quarter = TargetPeriod.containing(settled[-1].start, "quarter")
        if quarter.end != settled[-1].end:
            quarter = TargetPeriod.containing(quarter.start - dt.timedelta(days=1), "quarter")
        found["quarter"] = quarter
    return found


# -- 绩效录入 --------------------------------------------------------------------------------------


def _inputs(
    people: Sequence[Person],
    months: Sequence[TargetPeriod],
    service: Mapping[str, Any],
    end: dt.date,
    seed: int,
) -> list[list[object]]:
    """The 绩效录入 rows: 期间, 姓名, 项目, 数值 (a number, or a percentage as text), 录入人, 录入日期, 备注."""
    rest = {a.person: a.rest_weekday for a in roster(end, service["days"])}
    window = (dt.date.fromisoformat(service["start"]), dt.date.fromisoformat(service["end"]))
    rows: list[list[object]] = []
    for index, person in enumerate(people):
        rng = np.random.default_rng([seed, 17, index])
        agent = _Agent(person, _agent_days(service, person.person), window, rest.get(person.person, -1), rng)
        for number, month in enumerate(months):
            if person.active(month) is None:
                continue
            by = BOSS if person.role in ("运营", "推广", "美工") else MANAGER
            after = month.end + dt.timedelta(days=1 + (index + number) % 3)  # the first days after it
            for item, value, note in agent.entries(month, rng):
                on = month.start if item.endswith("目标") else after  # targets are set at the start
                rows.append([month.key, person.person, item, value, by, on.isoformat(), note])
    return rows


class _Agent:
    """What a manager enters for one person: targets around their usual level, scores, 出勤率."""

    def __init__(
        self,
        person: Person,
        days: Mapping[dt.date, Mapping[str, Any]],
        window: tuple[dt.date, dt.date],
        rest: int,
        rng: np.random.Generator,
    ) -> None:
        self.person, self.days, self.window, self.rest = person, days, window, rest
        self.usual = _usual(days, person, window) if days else (0.0, 0.0)
        # each 客服's own stretch: how hard their targets are (scores spread over the tiers)
        self.stretch = (float(rng.uniform(0.85, 1.25)), float(rng.uniform(0.93, 1.1)))

    def entries(self, month: TargetPeriod, rng: np.random.Generator) -> list[tuple[str, object, str]]:
        role = self.person.role
        found: list[tuple[str, object, str]] = []
        if role == "客服售前":
            first, last = max(month.start, self.window[0]), min(month.end, self.window[1])
            covered = (last - first).days + 1
            sales = self.usual[0] * covered * self.stretch[0] * float(rng.uniform(0.97, 1.03))
            note = (
                "月初定"
                if covered == month.days
                else f"赤兔 {first:%m-%d} 起有数据，按 {covered}/{month.days} 天定"
            )
            found.append(("销售目标", max(500, round(sales / 500) * 500), note))
            aov = round(self.usual[1] * self.stretch[1] * float(rng.uniform(0.98, 1.02)))
            found.append(("客单价目标", aov, "月初定"))
        if role == "客服售后":
            found.append(("质检分", int(rng.integers(68, 99)), "抽检 30 单"))
        if role.startswith("客服") and (attendance := self.attendance(month)) is not None:
            found.append(("出勤率", *attendance))
        if role in ("运营", "推广"):
            found.append(("主管评分", int(rng.integers(70, 97)), ""))
        if role == "美工":
            found.append(("设计评分", int(rng.integers(72, 96)), ""))
            tasks = int(rng.integers(28, 46))
            done = tasks - int(rng.binomial(tasks, float(rng.uniform(0.02, 0.15))))
            found.append(("按时完成率", _percent(done, tasks), f"按时 {done}/{tasks} 项"))
        return found

    def attendance(self, month: TargetPeriod) -> tuple[str, str] | None:
        """出勤率 = days worked of the days rostered (every day but the weekly rest day, while employed)."""
        span = self.person.active(month)
        assert span is not None
        first, last = max(span[0], self.window[0]), min(span[1], self.window[1])
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        rostered = [day for day in days if day.weekday() != self.rest]
        if not rostered:
            return None
        present = sum(1 for day in rostered if day in self.days)
        return _percent(present, len(rostered)), f"排班 {len(rostered)} 天，出勤 {present} 天"


def _agent_days(service: Mapping[str, Any], person: str) -> dict[dt.date, Mapping[str, Any]]:
    found: dict[dt.date, Mapping[str, Any]] = {}
    for agent in service["agents"]:
        if agent["person"] == person:
            by_account = service["days"].get(agent["shop"], {})
            for account in agent["accounts"]:
                for date, figures in by_account.get(account, {}).items():
                    found[dt.date.fromisoformat(date)] = figures
    return found


def _usual(
    days: Mapping[dt.date, Mapping[str, Any]], person: Person, window: tuple[dt.date, dt.date]
) -> tuple[float, float]:
    """The agent's usual 销售额 per calendar day employed and 客单价, over the whole window."""
    first = max(window[0], person.start or window[0])
    last = min(window[1], person.end or window[1])
    sales = sum(float(Decimal(str(f["sales"]))) for f in days.values())
    buyers = sum(int(f["sales_buyers"]) for f in days.values())
    return sales / max(1, (last - first).days + 1), sales / buyers if buyers else 100.0


def _percent(top: int, bottom: int) -> str:
    return f"{top / bottom * 100:.2f}%"


def _read(value: object) -> float:
    """A 数值 cell as the import reads it: ``96.15%`` → 0.9615, 88 → 88."""
    text = str(value)
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


# -- 目标表 ----------------------------------------------------------------------------------------


def _targets(
    shops: Mapping[str, Any], groups: Mapping[str, Sequence[str]], months: Sequence[TargetPeriod], seed: int
) -> tuple[dict[tuple[str, str, str], Decimal], list[list[object]]]:
    """Per month: each shop's 支付金额 (truth × 0.98–1.14, to the thousand) and 支付转化率 (truth ×
    0.95–1.07, to 0.01 pp), each group's 支付转化率; per whole quarter the 支付转化率 too."""
    scopes: list[tuple[str, str, str, list[str]]] = [(s, s, "", [s]) for s in sorted(shops)]
    scopes += [(f"group:{name}", "", name, list(members)) for name, members in groups.items()]
    periods = list(months)
    quarters = {TargetPeriod.containing(m.start, "quarter") for m in months}
    periods += sorted(q for q in quarters if all(m in months for m in q.months()))
    targets: dict[tuple[str, str, str], Decimal] = {}
    rows: list[list[object]] = []
    for number, (key, shop, group, members) in enumerate(scopes):
        rng = np.random.default_rng([seed, 17, 100 + number])
        for period in periods:
            truth = shop_figures(shops, members, period.start, period.end)
            gmv = truth.get("gmv")
            rate = truth.get("conversion_rate")
            row: list[object] = [period.key, shop, group, *[""] * (len(TARGETS_HEADER) - 3)]
            if gmv is not None and not group and period.kind == "month":
                value = Decimal(round(float(gmv) * float(rng.uniform(0.98, 1.14)), -3))
                targets[(period.key, key, "gmv")] = value
                row[3] = int(value)
            if rate is not None:
                ratio = round(float(rate) * float(rng.uniform(0.95, 1.07)), 4)
                targets[(period.key, key, "conversion_rate")] = Decimal(str(ratio))
                row[14] = ratio
            if any(cell != "" for cell in row[3:]):
                rows.append(row)
    return targets, rows
