"""The demo team's figures over other grains: a de-duplicated week (赤兔 自定义报表), receptions per
hour (分时接待) and online time (遵时率) — all drawn from the agent-days of :mod:`service_team`."""

from __future__ import annotations

import datetime as dt

import numpy as np

from shopops.demo.service_team import SLIP_DAYS, Agent, Figures

# receptions per hour of day: nights near 0, peaks at 10–11 and 20–22
HOURLY = np.array(
    [0.6, 0.3, 0.15, 0.08, 0.06, 0.08, 0.25, 0.9, 2.4, 4.6, 6.6, 6.8, 5.0, 4.7, 5.4, 5.6,
     5.3, 4.9, 4.4, 5.2, 6.9, 7.4, 7.0, 3.2]
)  # fmt: skip
DEDUPED = ("chats", "receptions", "transfers_out", "replied", "slow_responses", "long_sessions")


def last_full_week(end: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the last whole week that ends on or before ``end``."""
    sunday = end - dt.timedelta(days=(end.weekday() + 1) % 7)
    return sunday - dt.timedelta(days=6), sunday


def week_figures(
    days: dict[str, dict[str, Figures]], monday: dt.date, sunday: dt.date, rng: np.random.Generator
) -> dict[str, dict[str, int | float | None]]:
    """Per account, the week as a range export gives it: a buyer who chats on two days counts once
    (person counts ≈ 0.85–0.95 × the daily sum), messages summed, seconds weighted by receptions."""
    week: dict[str, dict[str, int | float | None]] = {}
    for account, by_day in days.items():
        rows = [f for d, f in sorted(by_day.items()) if monday.isoformat() <= d <= sunday.isoformat()]
        if not rows:
            continue
        total = {
            key: sum(int(r[key] or 0) for r in rows) for key in (*DEDUPED, "buyer_messages", "agent_messages")
        }
        share = float(rng.uniform(0.85, 0.95))
        once = {key: round(total[key] * share) for key in DEDUPED}
        receptions = min(once["receptions"], once["chats"])
        replied = min(once["replied"], receptions)
        forwarded = round(receptions * float(rng.uniform(0.03, 0.08)))
        weights = [int(r["receptions"] or 0) for r in rows]
        week[account] = {
            "chats": once["chats"],
            "receptions": receptions,
            "direct_receptions": receptions - forwarded,
            "forwarded_receptions": forwarded,
            "transfers_out": once["transfers_out"],
            "total_messages": total["buyer_messages"] + total["agent_messages"],
            "buyer_messages": total["buyer_messages"],
            "agent_messages": total["agent_messages"],
            "agent_characters": round(total["agent_messages"] * float(rng.uniform(11, 16))),
            "max_concurrent": int(rng.integers(4, 11)),
            "replied": replied,
            "unreplied": receptions - replied,
            "slow_receptions": once["slow_responses"],
            "long_sessions": once["long_sessions"],
            "first_response_seconds": _weighted(rows, "first_response_seconds", weights, 1),
            "avg_response_seconds": _weighted(rows, "avg_response_seconds", weights, 1),
            "avg_session_seconds": _weighted(rows, "avg_session_seconds", weights, 0),
        }
    return week


def _weighted(rows: list[Figures], key: str, weights: list[int], digits: int) -> int | float | None:
    if sum(weights) == 0:
        return None
    mean = sum(float(r[key] or 0) * w for r, w in zip(rows, weights, strict=True)) / sum(weights)
    return round(mean, 1) if digits else round(mean)


def hourly(days: dict[str, dict[str, Figures]], rng: np.random.Generator) -> dict[str, list[int]]:
    """Receptions per hour for each date: the day's receptions of the whole team spread over 24 hours."""
    totals: dict[str, int] = {}
    for by_day in days.values():
        for date, figures in by_day.items():
            totals[date] = totals.get(date, 0) + int(figures["receptions"] or 0)
    profile = HOURLY / HOURLY.sum()
    return {date: [int(v) for v in rng.multinomial(totals[date], profile)] for date in sorted(totals)}


def attendance(
    agents: list[Agent], days: dict[str, dict[str, Figures]], end: dt.date, rng: np.random.Generator
) -> dict[str, dict[str, int | str]]:
    """Per account over the window: days worked, average first/last online time and the durations."""
    slip_from = (end - dt.timedelta(days=SLIP_DAYS - 1)).isoformat()
    out: dict[str, dict[str, int | str]] = {}
    for agent in agents:
        for account in agent.accounts:
            dates = sorted(days.get(account, {}))
            if not dates:
                continue
            late = np.array([agent.style == "slipping" and d >= slip_from for d in dates])
            n = len(dates)
            first = agent.shift[0] + rng.normal(0, 360, n) + np.where(late, 1500, 0)
            last = agent.shift[1] + rng.normal(0, 600, n)
            online = np.rint(last - first - rng.uniform(1800, 3600, n))
            hangup = np.rint(online * np.where(late, rng.uniform(0.10, 0.15, n), rng.uniform(0.02, 0.06, n)))
            out[account] = {
                "person": agent.person,
                "work_days": n,
                "avg_first_online_seconds": round(float(first.mean())),
                "avg_last_online_seconds": round(float(last.mean())),
                "online_seconds": int(online.sum()),
                "avg_daily_online_seconds": round(float(online.sum()) / n),
                "service_seconds": int(np.rint(online * rng.uniform(0.72, 0.86, n)).sum()),
                "hangup_seconds": int(hangup.sum()),
            }
    return out
