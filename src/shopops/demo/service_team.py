"""The demo's customer-service (客服) team: who works in which shop, how, and each agent-day's truth.

Four teams. 云朵旗舰店 (赤兔) has four 售前 agents — a fast, high-converting star; an average one
whose 旺旺 is renamed 40 days before the end; a new hire (入职 70 days before the end) whose
conversion climbs from ~60 % of the team's to the team's while her response time falls; one who
slips over the last 14 days (response time ×2, 询单转化率 −⅓) — and two 售后 agents (few 询单, no
sales, many receptions and refunds). 小野家居 (赤兔) has three, one of whom leaves 30 days before
the end. The JD shop (咚咚) and the Douyin shop (飞鸽) have two and three; the apparel shop of the
stock demo (山岚服饰, 赤兔) three, when it is generated (a shop without 支付金额 in the manifest has no team).

The team's 客服销售额 on a day is drawn as ~33–41 % of the shop's 支付金额 at the agents' usual
conversion: it is the shop's traffic that brings the 询单, each agent's conversion that turns them
into sales (so a slipping agent sells less, and the team's share dips a little).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from shopops.demo.douyin import DOUYIN_SHOP
from shopops.demo.jd import JD_SHOP
from shopops.demo.profiles import CLOUD, FIELD
from shopops.demo.simulation import money
from shopops.demo.stock_catalog import SHOP as APPAREL_SHOP

SERVICE_DAYS = 120  # the team began using 赤兔 120 days before the demo's end
RENAME_DAYS, LEAVE_DAYS, NEW_HIRE_DAYS, SLIP_DAYS = 40, 30, 70, 14
RAMP_DAYS = 56  # the new hire reaches the team's conversion after eight weeks

Figures = dict[str, int | float | Decimal | None]

# shop → (tool, 客单价 of a 客服 buyer, usual 询单->最终付款 conversion)
SHOPS: dict[str, tuple[str, float, float]] = {
    CLOUD.name: ("chitu", 128.0, 0.42),
    FIELD.name: ("chitu", 165.0, 0.38),
    JD_SHOP: ("dongdong", 112.0, 0.36),
    DOUYIN_SHOP: ("feige", 78.0, 0.31),
    APPAREL_SHOP: ("chitu", 189.0, 0.35),  # last: the other shops' seeds keep their index
}
# style → (load weight, conversion factor, avg response seconds, 答问比, aov factor, 满意 weights)
STYLES: dict[str, tuple[float, float, float, float, float, tuple[float, ...]]] = {
    "star": (1.3, 1.25, 11.0, 1.35, 1.08, (0.80, 0.15, 0.03, 0.015, 0.005)),
    "average": (1.0, 1.0, 19.0, 1.2, 1.0, (0.68, 0.22, 0.06, 0.03, 0.01)),
    "new_hire": (0.8, 1.05, 19.0, 1.45, 0.95, (0.62, 0.25, 0.08, 0.04, 0.01)),
    "slipping": (1.0, 1.0, 18.0, 1.2, 1.0, (0.66, 0.23, 0.06, 0.04, 0.01)),
    "left": (1.0, 0.95, 21.0, 1.15, 1.0, (0.65, 0.24, 0.06, 0.04, 0.01)),
    "after_sales": (1.0, 0.0, 26.0, 1.1, 1.0, (0.55, 0.27, 0.10, 0.06, 0.02)),
}
SATISFACTION = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")


@dataclass(frozen=True)
class Agent:
    shop: str
    person: str
    accounts: tuple[str, ...]  # the 旺旺/客服 account names, the old one first
    group: str  # 售前 / 售后
    style: str
    start_date: dt.date
    left_date: dt.date | None  # the last day employed
    renamed_on: dt.date | None  # accounts[1] is used from this day on
    rest_weekday: int
    shift: tuple[int, int]  # usual first and last online, seconds after midnight

    def account_on(self, day: dt.date) -> str:
        return (
            self.accounts[1] if self.renamed_on is not None and day >= self.renamed_on else self.accounts[0]
        )

    def employed(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.left_date is None or day <= self.left_date)


EARLY, LATE, DAY = (
    (8 * 3600 + 40 * 60, 17 * 3600 + 50 * 60),
    (14 * 3600, 23 * 3600 + 45 * 60),
    (9 * 3600, 18 * 3600),
)
# shop, person, account names, group, style, 入职 (days before the end), rest weekday, shift
TEAM = (
    (CLOUD.name, "小美", ("小美",), "售前", "star", 760, 1, EARLY),
    (CLOUD.name, "阿宁", ("阿宁", "宁宁"), "售前", "average", 430, 2, LATE),
    (CLOUD.name, "小雨", ("小雨",), "售前", "new_hire", NEW_HIRE_DAYS, 3, EARLY),
    (CLOUD.name, "大壮", ("大壮",), "售前", "slipping", 520, 4, LATE),
    (CLOUD.name, "乐乐", ("乐乐",), "售后", "after_sales", 390, 0, DAY),
    (CLOUD.name, "安安", ("安安",), "售后", "after_sales", 260, 5, DAY),
    (FIELD.name, "豆豆", ("豆豆",), "售前", "average", 610, 6, EARLY),
    (FIELD.name, "阿飞", ("阿飞",), "售前", "left", 300, 2, LATE),
    (FIELD.name, "小溪", ("小溪",), "售后", "after_sales", 450, 3, DAY),
    (JD_SHOP, "小周", ("云朵京东_小周",), "售前", "star", 500, 0, EARLY),
    (JD_SHOP, "京京", ("云朵京东_京京",), "售前", "average", 340, 4, LATE),
    (DOUYIN_SHOP, "小桃", ("山野-小桃",), "售前", "star", 400, 1, EARLY),
    (DOUYIN_SHOP, "阿杰", ("山野-阿杰",), "售前", "average", 280, 5, LATE),
    (DOUYIN_SHOP, "木木", ("山野-木木",), "售后", "after_sales", 230, 2, DAY),
    (APPAREL_SHOP, "青青", ("青青",), "售前", "star", 330, 3, EARLY),
    (APPAREL_SHOP, "阿岚", ("阿岚",), "售前", "average", 210, 6, LATE),
    (APPAREL_SHOP, "小满", ("小满",), "售后", "after_sales", 180, 1, DAY),
)


def service_window(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The days with service data: the last min(days, 120) days of the demo window."""
    return max(start, end - dt.timedelta(days=SERVICE_DAYS - 1)), end


def roster(end: dt.date, shops: Mapping[str, object] | None = None) -> list[Agent]:
    """Every agent of the demo's shops (only ``shops`` when given), dated from ``end``."""
    agents = []
    for shop, person, names, group, style, hired, rest, shift in TEAM:
        if shops is not None and shop not in shops:
            continue
        tool = SHOPS[shop][0]
        accounts = tuple(f"{shop}:{name}" if tool == "chitu" else name for name in names)
        agents.append(
            Agent(
                shop=shop,
                person=person,
                accounts=accounts,
                group=group,
                style=style,
                start_date=end - dt.timedelta(days=hired),
                left_date=end - dt.timedelta(days=LEAVE_DAYS) if style == "left" else None,
                renamed_on=end - dt.timedelta(days=RENAME_DAYS) if len(accounts) > 1 else None,
                rest_weekday=rest,
                shift=shift,
            )
        )
    return agents


def _dates(first: dt.date, end: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]


def working(agents: list[Agent], days: list[dt.date], rng: np.random.Generator) -> np.ndarray:
    """Who works which day: a weekly rest day, a rare day of leave, never a day without 售前."""
    works = np.array(
        [[a.employed(d) and d.weekday() != a.rest_weekday for d in days] for a in agents], dtype=bool
    )
    works &= rng.random(works.shape) > 0.03
    presale = np.array([a.group == "售前" for a in agents])
    employed = np.array([[a.employed(d) for d in days] for a in agents], dtype=bool)
    for column in np.flatnonzero(~(works & presale[:, None]).any(axis=0)):
        cover = np.flatnonzero(presale & employed[:, column])[:1]
        works[cover, column] = True  # someone covers: the shop is never left without 售前
    return works


def _trends(agent: Agent, days: list[dt.date], end: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day: load weight, conversion factor and response-time factor of ``agent``'s style."""
    weight, conversion, _, _, _, _ = STYLES[agent.style]
    tenure = np.array([(d - agent.start_date).days for d in days], dtype=float)
    load = np.full(len(days), weight)
    conv = np.full(len(days), conversion)
    response = np.ones(len(days))
    if agent.style == "new_hire":
        progress = np.clip(tenure / RAMP_DAYS, 0.0, 1.0)
        conv = conversion * (0.6 + 0.4 * progress)
        load = weight * (0.7 + 0.3 * progress)
        response = 1.7 - 0.7 * progress
    if agent.style == "slipping":
        slipping = np.array([d > end - dt.timedelta(days=SLIP_DAYS) for d in days])
        conv = np.where(slipping, conversion * 0.62, conv)
        response = np.where(slipping, 2.1, response)
    return load, conv, response


def shop_days(
    agents: list[Agent], gmv: Mapping[dt.date, Decimal], days: list[dt.date], end: dt.date, seed: int
) -> tuple[dict[str, dict[str, Figures]], np.ndarray]:
    """Each account's figures per day (dates as ISO text) of one shop's team, and who worked when."""
    shop = agents[0].shop
    _, aov, usual = SHOPS[shop]
    rng = np.random.default_rng([seed, 14, list(SHOPS).index(shop)])
    n = len(days)
    works = working(agents, days, rng)
    presale = np.array([a.group == "售前" for a in agents])
    trends = [_trends(a, days, end) for a in agents]
    load = np.array([t[0] for t in trends]) * works * presale[:, None]
    nominal = np.array([STYLES[a.style][1] for a in agents])[:, None] * load
    money_in = np.array([float(gmv.get(d, Decimal(0))) for d in days])
    target = money_in * rng.uniform(0.33, 0.41, n)  # 客服销售额 at the agents' usual conversion
    staffed = np.maximum(load.sum(axis=0), 1e-9)
    team_inquiries = target / (aov * 1.12 * usual * np.maximum(nominal.sum(axis=0) / staffed, 1e-9))
    inquiries = np.rint(team_inquiries * load / staffed * rng.lognormal(0, 0.06, load.shape))
    after = np.array([a.group == "售后" for a in agents])[:, None] & works
    after_load = money_in / aov * rng.uniform(0.5, 0.7, n) / np.maximum(after.sum(axis=0), 1)
    columns = {
        "inquiries": np.where(presale[:, None], inquiries, rng.integers(0, 3, load.shape)),
        "slipping": np.array([[d > end - dt.timedelta(days=SLIP_DAYS) for d in days]] * len(agents)),
        "after_receptions": np.rint(after_load * rng.lognormal(0, 0.1, load.shape)),
    }
    out: dict[str, dict[str, Figures]] = {}
    for index, agent in enumerate(agents):
        load_trend, conv_trend, response_trend = trends[index]
        trend = (load_trend, conv_trend * usual, response_trend)
        figures = _agent_days(agent, trend, columns, index, aov * STYLES[agent.style][4], rng)
        for column in np.flatnonzero(works[index]):
            day = days[column]
            row: Figures = {key: _python(key, values[column]) for key, values in figures.items()}
            out.setdefault(agent.account_on(day), {})[day.isoformat()] = row
    return out, works


def _agent_days(
    agent: Agent,
    trend: tuple[np.ndarray, np.ndarray, np.ndarray],
    columns: dict[str, np.ndarray],
    index: int,
    aov: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """All of one agent's figures as arrays over the window (days off are dropped by the caller)."""
    _, conv, slow_factor = trend
    _, _, seconds, ratio, _, happiness = STYLES[agent.style]
    n = len(conv)
    inquiries = columns["inquiries"][index].astype(np.int64)
    presale = agent.group == "售前"
    paid = np.minimum(inquiries, np.rint(inquiries * conv * rng.lognormal(0, 0.05, n))).astype(np.int64)
    ordered = paid + np.rint((inquiries - paid) * rng.uniform(0.06, 0.12, n)).astype(np.int64)
    buyers = paid + np.rint(paid * rng.uniform(0.08, 0.16, n)).astype(np.int64)
    aov_day = aov * rng.lognormal(0, 0.07, n)
    if presale:
        receptions = np.rint(inquiries / rng.uniform(0.55, 0.68, n)).astype(np.int64)
    else:
        receptions = np.maximum(columns["after_receptions"][index].astype(np.int64), inquiries)
    average = np.round(seconds * slow_factor * rng.lognormal(0, 0.1, n), 1)
    slipping = columns["slipping"][index] & (agent.style == "slipping")
    unreplied = rng.binomial(receptions, np.where(slipping, 0.02, 0.004))
    buyer_messages = np.rint(receptions * rng.uniform(5.0, 8.0, n)).astype(np.int64)
    orders = buyers + np.rint(buyers * rng.uniform(0.0, 0.06, n)).astype(np.int64)
    refunds = rng.binomial(orders, 0.04) if presale else rng.binomial(receptions, 0.08)
    sent = rng.binomial(receptions, 0.7)
    sessions = receptions + np.rint(receptions * rng.uniform(0.1, 0.3, n)).astype(np.int64)
    rated = np.array([rng.multinomial(count, happiness) for count in rng.binomial(sent, 0.35)]).reshape(n, 5)
    figures: dict[str, np.ndarray] = {
        "chats": receptions + np.rint(receptions * rng.uniform(0.02, 0.07, n)).astype(np.int64),
        "receptions": receptions,
        "inquiries": inquiries,
        "inquiry_ordered": ordered,
        "inquiry_paid": paid,
        "inquiry_next_day_paid": np.rint(paid * rng.uniform(0.86, 0.95, n)).astype(np.int64),
        "sales": buyers * aov_day,  # money, to cents below
        "units": buyers + np.rint(buyers * rng.uniform(0.12, 0.32, n)).astype(np.int64),
        "sales_buyers": buyers,
        "sales_orders": orders,
        "avg_response_seconds": average,
        "first_response_seconds": np.round(average * rng.uniform(0.55, 0.7, n), 1),
        "avg_session_seconds": np.rint((480 if presale else 720) * rng.lognormal(0, 0.15, n)),
        "replied": receptions - unreplied,
        "unreplied": unreplied,
        "slow_responses": rng.binomial(receptions, np.minimum(0.5, (average / 120) ** 1.3)),
        "long_sessions": rng.binomial(receptions, 0.04 if presale else 0.08),
        "buyer_messages": buyer_messages,
        "agent_messages": np.rint(buyer_messages * ratio * rng.lognormal(0, 0.05, n)).astype(np.int64),
        "transfers_out": rng.binomial(receptions, 0.02 if presale else 0.05),
        "refunds": refunds.astype(np.int64),
        "refund_amount": refunds * aov * rng.uniform(0.7, 1.0, n),  # money
        "evaluations_sent": sent,
        "sessions": sessions,
        "replied_30s": rng.binomial(sessions, np.clip(1.02 - average / 400, 0.5, 0.99)),
        "replied_3min": rng.binomial(sessions, np.clip(1.0 - average / 1500, 0.5, 0.995)),
        "ordered_amount": buyers * aov_day * rng.uniform(1.03, 1.1, n),  # money
        **{key: rated[:, i] for i, key in enumerate(SATISFACTION)},
        "work_days": np.ones(n, dtype=np.int64),
    }
    for key in MONEY:
        figures[key] = np.array([money(float(v)) for v in figures[key]], dtype=object)
    return figures


MONEY = ("sales", "refund_amount", "ordered_amount")
SECONDS = ("avg_response_seconds", "first_response_seconds")  # one decimal; the rest are counts


def _python(key: str, value: object) -> int | float | Decimal:
    if key in MONEY:
        assert isinstance(value, Decimal)
        return value
    if key in SECONDS:
        return float(value)  # type: ignore[arg-type]
    return int(value)  # type: ignore[call-overload,no-any-return]
