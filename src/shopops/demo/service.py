"""The demo's customer-service (客服) data: the team's truths (``manifest["service"]``) and the exports
written from them. See :mod:`service_team` for the team and its stories, :mod:`service_exports` for
the files.

Files (per shop in a folder named after the shop, since the tools' file names do not carry it):
赤兔 售前明细, 自定义报表 (last whole week), 遵时率 and 分时接待 for the Taobao shops (山岚服饰 too
when the stock shop is generated); 千牛 客服数据汇总 for 云朵旗舰店; 飞鸽 接待量 for the Douyin shop; 咚咚 绩效 and 工作量 for the JD shop;
and one 客服名单 for every shop beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from shopops.demo import service_exports as ex
from shopops.demo.manifest import to_json
from shopops.demo.profiles import CLOUD
from shopops.demo.service_periods import attendance, hourly, last_full_week, week_figures
from shopops.demo.service_team import (
    NEW_HIRE_DAYS,
    RAMP_DAYS,
    SATISFACTION,
    SHOPS,
    SLIP_DAYS,
    Agent,
    roster,
    service_window,
    shop_days,
)

CHITU_KEYS = (
    "chats", "receptions", "inquiries", "inquiry_ordered", "inquiry_paid", "inquiry_next_day_paid", "sales",
    "units", "sales_buyers", "sales_orders", "avg_response_seconds", "first_response_seconds",
    "avg_session_seconds", "replied", "unreplied", "slow_responses", "long_sessions", "buyer_messages",
    "agent_messages", "transfers_out", "refunds", "refund_amount", "work_days",
)  # fmt: skip
RATED_KEYS = ("evaluations_sent", *SATISFACTION)  # only where a file carries 满意度 (千牛, for 云朵旗舰店)
FEIGE_KEYS = (
    "receptions", "sessions", "inquiries", "inquiry_ordered", "inquiry_paid", "sales", "first_response_seconds",
    "avg_response_seconds", "replied_3min", *SATISFACTION, "work_days",
)  # fmt: skip
DONGDONG_KEYS = (
    "receptions", "sessions", "inquiry_ordered", "ordered_amount", "first_response_seconds",
    "avg_response_seconds", "replied_30s", "work_days",
)  # fmt: skip
SATISFACTION_SHOPS = (CLOUD.name,)
OLD_HOURLY_HEADERS = ("小野家居",)  # its 赤兔 分时接待 export still has 0点 … 23点


def _keys(shop: str) -> tuple[str, ...]:
    tool = SHOPS[shop][0]
    if tool == "feige":
        return FEIGE_KEYS
    if tool == "dongdong":
        return DONGDONG_KEYS
    return CHITU_KEYS + (RATED_KEYS if shop in SATISFACTION_SHOPS else ())


def gmv_from_manifest(manifest: Mapping[str, Any]) -> dict[str, dict[dt.date, Decimal]]:
    """Each demo shop's 支付金额 per day, from the manifest ``generate`` builds."""
    return {
        shop: {dt.date.fromisoformat(d): Decimal(v["gmv"]) for d, v in truth["days"].items() if v["gmv"]}
        for shop, truth in manifest["shops"].items()
        if shop in SHOPS
    }


def file_shops(folder: Path, manifest: Mapping[str, Any]) -> dict[Path, str | None]:
    """The shop of each 客服 export under ``folder`` (most tools' files do not say it): ``--shop``."""
    return {folder / f["path"]: f["shop"] for f in manifest.get("service", {}).get("files", [])}


def shop_day_totals(truth: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per shop and day, the team's sums as the daily exports state them: ``inquiries`` (询单人数),
    ``inquiry_paid`` (询单->最终付款人数; None on a day the export says 延迟统计) and ``sales``
    (客服销售额; 咚咚's 促成下单商品金额), money as text; None where the shop's files lack it."""
    delayed = set(truth["delayed"]["final"])
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for shop, accounts in truth["days"].items():
        tool = SHOPS[shop][0]
        days: dict[str, dict[str, Any]] = {}
        for by_day in accounts.values():
            for date, f in by_day.items():
                day = days.setdefault(date, dict.fromkeys(_KPI_SUMS, 0) | {"sales": Decimal(0)})
                day["inquiries"] += f.get("inquiries", 0)
                day["inquiry_paid"] += f.get("inquiry_paid", 0)
                day["sales"] += Decimal(f["ordered_amount" if tool == "dongdong" else "sales"])
                _add_kpi_sums(day, f)
        for date, day in days.items():
            if tool == "dongdong":
                day["inquiries"] = day["inquiry_paid"] = None
            elif tool == "chitu" and date in delayed:
                day["inquiry_paid"] = None
            _blank_missing(day, tool, shop)
            day["sales"] = str(day["sales"])
        out[shop] = dict(sorted(days.items()))
    return out


# What each tool's day exports give, summed over a shop's accounts (the 总表's 客服 measures):
# 赤兔 售前明细 has 销售人数, 未回复人数 and 平均响应 with 接待人数; 千牛 客服数据汇总 (SATISFACTION_SHOPS)
# the 满意 counts; 飞鸽 接待人数 and 平均响应 (满意 only as a rate); 咚咚 售前接待人数, its 平均响应 in
# another report (工作量, per 接待量), so no 接待-weighted response.
_KPI_SUMS = (
    "inquiries",
    "inquiry_paid",
    "sales_buyers",
    "receptions",
    "replied",
    "response_total",
    "pleased",
    "rated",
)
_KPI_KNOWN = {
    "chitu": ("sales_buyers", "receptions", "replied", "response_total"),
    "feige": ("receptions", "response_total"),
    "dongdong": ("receptions",),
}


def _add_kpi_sums(day: dict[str, Any], f: Mapping[str, Any]) -> None:
    day["sales_buyers"] += f.get("sales_buyers") or 0
    day["receptions"] += f["receptions"]
    day["replied"] += f["receptions"] - f.get("unreplied", 0)
    day["response_total"] += f["avg_response_seconds"] * f["receptions"]
    # 满意 counts exist only where a 千牛 export is written (SATISFACTION_SHOPS; blanked elsewhere)
    day["pleased"] += f.get("very_satisfied", 0) + f.get("satisfied", 0)
    day["rated"] += sum(f.get(key, 0) for key in SATISFACTION)


def _blank_missing(day: dict[str, Any], tool: str, shop: str) -> None:
    known = set(_KPI_KNOWN[tool]) | ({"pleased", "rated"} if shop in SATISFACTION_SHOPS else set())
    for key in ("sales_buyers", "receptions", "replied", "response_total", "pleased", "rated"):
        if key not in known:
            day[key] = None


def service_team(
    gmv: Mapping[str, Mapping[dt.date, Decimal]],
    start: dt.date,
    end: dt.date,
    seed: int,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """The truths of the service team of the shops in ``gmv`` (JSON-able: ``manifest["service"]``)."""
    first, _ = service_window(start, end)
    as_of = as_of or end + dt.timedelta(days=1)
    days_list = [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]
    agents = roster(end, gmv)
    truth: dict[str, Any] = {
        "start": first.isoformat(),
        "end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "attribution": {"daily": "下单优先判定", "custom": "付款优先判定"},
        "agents": [_agent_json(a, [b for b in agents if b.shop == a.shop].index(a)) for a in agents],
        "days": {},
        "week": {},
        "hourly": {},
        "attendance": {},
        "delayed": {
            "final": [d.isoformat() for d in days_list if ex.is_delayed(d.isoformat(), as_of, ex.FINAL_LAG)],
            "next_day": [
                d.isoformat() for d in days_list if ex.is_delayed(d.isoformat(), as_of, ex.NEXT_DAY_LAG)
            ],
        },
    }
    monday, sunday = last_full_week(end)
    for shop in (s for s in SHOPS if s in gmv):
        team = [a for a in agents if a.shop == shop]
        figures, _ = shop_days(team, gmv[shop], days_list, end, seed)
        keys = _keys(shop)
        truth["days"][shop] = {
            account: {d: {k: to_json(f[k]) for k in keys} for d, f in by_day.items()}
            for account, by_day in figures.items()
        }
        if SHOPS[shop][0] != "chitu":
            continue
        number = list(SHOPS).index(shop)
        week = week_figures(figures, monday, sunday, np.random.default_rng([seed, 14, number, 1]))
        truth["week"][shop] = {"from": monday.isoformat(), "to": sunday.isoformat(), "agents": week}
        truth["hourly"][shop] = hourly(figures, np.random.default_rng([seed, 14, number, 2]))
        truth["attendance"][shop] = attendance(
            team, figures, end, np.random.default_rng([seed, 14, number, 3])
        )
    truth.update(_stories(agents, end))
    return truth


def _agent_json(agent: Agent, index: int) -> dict[str, Any]:
    tool = SHOPS[agent.shop][0]
    return {
        "shop": agent.shop,
        "person": agent.person,
        "accounts": list(agent.accounts),
        "group": agent.group,
        "start_date": agent.start_date.isoformat(),
        "left_date": agent.left_date.isoformat() if agent.left_date else None,
        "style": agent.style,
        "tool": tool,
        "login": f"{agent.shop}_kf{index + 1:02d}" if tool == "feige" else None,  # 飞鸽 账号名称
    }


def _stories(agents: list[Agent], end: dt.date) -> dict[str, Any]:
    """Where the slipping agent, the new hire, the 旺旺 rename and the leaver are (None if absent)."""
    stories: dict[str, Any] = dict.fromkeys(("slipping", "new_hire", "rename", "left"))
    for a in agents:
        if a.style == "slipping":
            since = end - dt.timedelta(days=SLIP_DAYS - 1)
            stories["slipping"] = {
                "shop": a.shop,
                "person": a.person,
                "account": a.accounts[-1],
                "from": since.isoformat(),
            }
        if a.style == "new_hire":
            stories["new_hire"] = {
                "shop": a.shop, "person": a.person, "account": a.accounts[-1],
                "start_date": a.start_date.isoformat(), "ramp_days": RAMP_DAYS, "tenure_at_end": NEW_HIRE_DAYS,
            }  # fmt: skip
        if a.renamed_on is not None:
            stories["rename"] = {
                "shop": a.shop, "person": a.person, "old": a.accounts[0], "new": a.accounts[1],
                "on": a.renamed_on.isoformat(),
            }  # fmt: skip
        if a.left_date is not None:
            stories["left"] = {
                "shop": a.shop,
                "person": a.person,
                "account": a.accounts[0],
                "date": a.left_date.isoformat(),
            }
    return stories


def write_service_exports(
    folder: Path,
    gmv: Mapping[str, Mapping[dt.date, Decimal]],
    start: dt.date,
    end: dt.date,
    seed: int,
    as_of: dt.date | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Write every 客服 export of the shops in ``gmv`` (``folder/<shop>/…`` and ``folder/客服名单.xlsx``)
    and return the files and the truths they were written from (``manifest["service"]``)."""
    truth = service_team(gmv, start, end, seed, as_of)
    files = write_from_truth(folder, truth)
    truth["files"] = [{"path": path.relative_to(folder).as_posix(), "shop": shop} for path, shop in files]
    return [path for path, _ in files], truth


def write_from_truth(folder: Path, truth: Mapping[str, Any]) -> list[tuple[Path, str | None]]:
    """The exports of ``manifest["service"]`` (a later ``as_of`` in it gives the settled re-export)."""
    span = f"{truth['start']}至{truth['end']}"
    as_of = dt.date.fromisoformat(truth["as_of"])
    files: list[tuple[Path, str | None]] = []
    for shop, days in truth["days"].items():
        target = folder / shop
        target.mkdir(parents=True, exist_ok=True)
        tool = SHOPS[shop][0]
        written: list[Path] = []
        if tool == "chitu":
            week = truth["week"][shop]
            written += [
                ex.chitu_daily_workbook(target / ex.DAILY_NAME.format(start=truth["start"], end=truth["end"]), shop, days, as_of),
                ex.custom_week_workbook(target / ex.CUSTOM_NAME.format(start=week["from"], end=week["to"]), week["agents"]),
                ex.attendance_workbook(target / f"赤兔_遵时率_{span}.xlsx", truth["attendance"][shop]),
                ex.hourly_workbook(target / f"赤兔_分时接待_{span}.xlsx", truth["hourly"][shop], old_headers=shop in OLD_HOURLY_HEADERS),
            ]  # fmt: skip
            if shop in SATISFACTION_SHOPS:
                written.append(ex.qianniu_workbook(target / f"千牛_客服数据汇总_{span}.xlsx", days, as_of))
        elif tool == "feige":
            logins = {a["accounts"][0]: a["login"] for a in truth["agents"] if a["shop"] == shop}
            written.append(ex.feige_workbook(target / f"飞鸽_客服接待量_{span}.xlsx", shop, days, logins))
        else:
            written += ex.dongdong_workbooks(target, days, span)
        files += [(path, shop) for path in written]
    folder.mkdir(parents=True, exist_ok=True)
    files.append((ex.roster_workbook(folder / "客服名单.xlsx", truth["agents"]), None))
    return files
