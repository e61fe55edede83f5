"""客服 (customer service) benchmark: N agents × D days of a 赤兔 售前明细 export, imported and read back.

Generates (vectorised numpy, fixed seed) one 赤兔 售前明细 CSV with the real headers and quirks —
``首次响应时长（秒)``, ``平均接待时长`` as ``8分48秒``, rates as ``12.34%``, ``延迟统计`` in the fields
the last 4 days have not settled, the trailing ``汇总``/``均值`` rows, the attribution option and the
period in the file name — plus a 客服名单 roster CSV. One agent (``客服0002``) slips over the last 14
days (平均响应 ×2.1, 询单转化率 ×0.62). Then in a fresh ``spawn`` subprocess it measures:

* the baseline — DuckDB's own ``CREATE TABLE t AS SELECT * FROM read_csv(…, all_varchar=true)`` of the
  same file into a fresh DuckDB file (same process, same session; typed, the sniffer's guess from the
  first rows fails on the last days' ``延迟统计``);
* import — ``Workspace.init`` + ``add_shop`` + ``import_file(path, shop=…)``; then the roster;
* ``agent_table`` for the last month and the whole range, ``team_trend`` by day over the whole range,
  ``coach`` for the slipping agent's last month, ``service_findings`` for the last 7 days (what
  ``shopops findings`` runs daily) and for the whole range.

It prints seconds and peak RSS per step (and the import's ratio to the baseline), and exits 1 when a
figure is wrong: rows imported = N × D, the year's summed 询单人数 = the generator's, the pending rows
= the agent-days of the last 4 days, … (see ``checks``). A step whose RSS passes ``--max-rss-mb`` is
stopped (the subprocess ends) and reported, so that the benchmark cannot take a shared machine down.

    python benchmarks/service_benchmark.py                          # full size: 1,000 agents × 365 days
    python benchmarks/service_benchmark.py --agents 1000 --days 90  # a quarter
    python benchmarks/service_benchmark.py --agents 30 --days 40    # smoke run (seconds)

At full size the whole-range findings pass 10 GB and are stopped (exit status 1): see the docs.

See docs/benchmarks.md for the measured figures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from memory_watch import MB, Watcher  # the script's folder is on sys.path
from shopops.demo.service_exports import DAILY_HEADER, DAILY_NAME, DELAYED, ROSTER_HEADER

START = dt.date(2025, 12, 1)  # 365 days end on 2026-11-30: the last month is a whole November
SHOP = "客服中心旗舰店"
SEED = 20241111
SLIPPING = 1  # index of the agent who slips over the last SLIP_DAYS days
SLIP_DAYS = 14
PENDING_DAYS = 4  # 询单->最终付款 is 延迟统计 for the last 4 days of the export (次日付款: the last one)


def person(index: int) -> str:
    return f"客服{index + 1:04d}"


def account(index: int) -> str:
    return f"{SHOP}:kf{index + 1:04d}"


def is_presale(index: np.ndarray) -> np.ndarray:
    return np.asarray(index % 5 != 4)  # every fifth agent is 售后


# -- generation ---------------------------------------------------------------------------------


def service_days(agents: int, days: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Every agent works every day: arrays of agents × days, flattened day-major (the export's order)."""
    rng = np.random.default_rng(seed)
    shape = (days, agents)
    index = np.arange(agents)
    presale = is_presale(index)[None, :]
    offsets = np.arange(days)
    weekday = (np.array([START.weekday()]) + offsets) % 7
    weekly = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.2])[weekday]
    season = 1 + 0.25 * np.sin(2 * np.pi * offsets / 365)
    load = rng.uniform(0.6, 1.4, agents)
    receptions = rng.poisson(110 * load[None, :] * (weekly * season)[:, None])
    share = np.where(presale, rng.uniform(0.55, 0.7, agents)[None, :], 0.03)
    inquiries = rng.binomial(receptions, share)
    slipping = (index == SLIPPING)[None, :] & (offsets >= days - SLIP_DAYS)[:, None]
    conversion = np.where(presale, rng.uniform(0.32, 0.48, agents)[None, :], 0.0)
    paid = rng.binomial(inquiries, np.where(slipping, conversion * 0.62, conversion))
    buyers = paid + rng.binomial(paid, 0.12)
    orders = buyers + rng.binomial(buyers, 0.04)
    aov = rng.uniform(90, 180, agents)[None, :]
    average = np.round(
        rng.uniform(10, 28, agents)[None, :] * rng.lognormal(0, 0.1, shape) * np.where(slipping, 2.1, 1.0), 1
    )
    unreplied = rng.binomial(receptions, np.where(slipping, 0.02, 0.004))
    buyer_messages = np.rint(receptions * rng.uniform(5.0, 8.0, shape)).astype(np.int64)
    refunds = np.where(presale, rng.binomial(orders, 0.04), rng.binomial(receptions, 0.08))
    figures = {
        "receptions": receptions,
        "chats": receptions + rng.binomial(receptions, 0.05),
        "inquiries": inquiries,
        "inquiry_ordered": paid + rng.binomial(inquiries - paid, 0.08),
        "inquiry_paid": paid,
        "inquiry_next_day_paid": rng.binomial(paid, 0.9),
        "sales_cents": np.rint(buyers * aov * rng.lognormal(0, 0.07, shape) * 100).astype(np.int64),
        "units": buyers + rng.binomial(buyers, 0.25),
        "sales_buyers": buyers,
        "sales_orders": orders,
        "avg_response_seconds": average,
        "first_response_seconds": np.round(average * rng.uniform(0.55, 0.7, shape), 1),
        "avg_session_seconds": np.rint(np.where(presale, 480, 720) * rng.lognormal(0, 0.15, shape)).astype(
            np.int64
        ),
        "unreplied": unreplied,
        "slow_responses": rng.binomial(receptions, np.minimum(0.5, (average / 120) ** 1.3)),
        "long_sessions": rng.binomial(receptions, np.where(presale, 0.04, 0.08)),
        "buyer_messages": buyer_messages,
        "agent_messages": np.rint(
            buyer_messages * rng.uniform(1.1, 1.4, agents)[None, :] * rng.lognormal(0, 0.05, shape)
        ).astype(np.int64),
        "transfers_out": rng.binomial(receptions, np.where(presale, 0.02, 0.05)),
        "refunds": refunds,
        "refund_cents": np.rint(refunds * aov * rng.uniform(0.7, 1.0, shape) * 100).astype(np.int64),
    }
    return {key: np.asarray(value).reshape(-1) for key, value in figures.items()}


def _decimal(column: pl.Expr | str) -> pl.Expr:
    """Hundredths as text with two decimals: 12345 → ``123.45``."""
    value = pl.col(column) if isinstance(column, str) else column
    return pl.concat_str(
        (value // 100).cast(pl.String), pl.lit("."), (value % 100).cast(pl.String).str.zfill(2)
    )


def _ratio(numerator: str, denominator: str, *, percent: bool = False) -> pl.Expr:
    """``12.34%`` (percent) or ``1.23``, ``-`` without a denominator, as 赤兔 writes them."""
    hundredths = (
        (pl.col(numerator) * (10_000 if percent else 100) / pl.col(denominator)).round(0).cast(pl.Int64)
    )
    text = pl.concat_str(_decimal(hundredths), pl.lit("%")) if percent else _decimal(hundredths)
    return pl.when(pl.col(denominator) > 0).then(text).otherwise(pl.lit("-"))


def _duration(column: str) -> pl.Expr:
    """赤兔's durations: ``48秒``, ``8分48秒``, ``1小时2分3秒``."""
    seconds = pl.col(column)
    hours, minutes, secs = (seconds // 3600).cast(pl.String), ((seconds % 3600) // 60), (seconds % 60)
    tail = pl.concat_str(minutes.cast(pl.String), pl.lit("分"), secs.cast(pl.String), pl.lit("秒"))
    return (
        pl.when(seconds >= 3600)
        .then(pl.concat_str(hours, pl.lit("小时"), tail))
        .when(minutes > 0)
        .then(tail)
        .otherwise(pl.concat_str(secs.cast(pl.String), pl.lit("秒")))
    )


def count(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def _delayed(text: pl.Expr, days: int) -> pl.Expr:
    """The cell as 赤兔 writes it on the export day: ``延迟统计`` for the last ``days`` days."""
    return pl.when(pl.col("day") >= pl.col("last_day") - (days - 1)).then(pl.lit(DELAYED)).otherwise(text)


def write_daily_csv(figures: dict[str, np.ndarray], agents: int, days: int, folder: Path) -> Path:
    """The 赤兔 售前明细 CSV: one row per 旺旺 per day (day-major), then ``汇总`` and ``均值``."""
    end = START + dt.timedelta(days=days - 1)
    frame = pl.DataFrame(figures).with_columns(
        day=pl.Series(np.repeat(np.arange(days), agents)),
        agent=pl.Series(np.tile(np.arange(agents), days)),
        last_day=pl.lit(days - 1),
        replied=pl.col("receptions") - pl.col("unreplied"),
    )
    accounts = pl.Series([account(i) for i in range(agents)])
    dates = pl.Series([(START + dt.timedelta(days=i)).isoformat() for i in range(days)])
    cells = [
        pl.col("day").map_batches(dates.gather, return_dtype=pl.String),
        pl.lit(SHOP),
        pl.col("agent").map_batches(accounts.gather, return_dtype=pl.String),
        count("receptions"),
        count("chats"),
        count("inquiries"),
        _delayed(count("inquiry_ordered"), PENDING_DAYS),
        _delayed(count("inquiry_paid"), PENDING_DAYS),
        _delayed(_ratio("inquiry_paid", "inquiries", percent=True), PENDING_DAYS),
        _delayed(count("inquiry_next_day_paid"), 1),
        _decimal("sales_cents"),
        count("units"),
        count("sales_buyers"),
        count("sales_orders"),
        pl.when(pl.col("sales_buyers") > 0)
        .then(_decimal((pl.col("sales_cents") / pl.col("sales_buyers")).round(0).cast(pl.Int64)))
        .otherwise(pl.lit("-")),
        _ratio("units", "sales_buyers"),
        count("avg_response_seconds"),
        count("first_response_seconds"),
        _duration("avg_session_seconds"),
        _ratio("replied", "receptions", percent=True),
        count("unreplied"),
        count("slow_responses"),
        count("long_sessions"),
        count("buyer_messages"),
        count("agent_messages"),
        _ratio("agent_messages", "buyer_messages"),
        count("transfers_out"),
        count("refunds"),
        _decimal("refund_cents"),
        _ratio("refund_cents", "sales_cents", percent=True),
    ]
    assert len(cells) == len(DAILY_HEADER)
    text = frame.select(*(cell.alias(name) for cell, name in zip(cells, DAILY_HEADER, strict=True)))
    path = folder / DAILY_NAME.replace(".xlsx", ".csv").format(start=START.isoformat(), end=end.isoformat())
    text.write_csv(path)
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows(_summaries(figures, agents))
    return path


def _summaries(figures: dict[str, np.ndarray], agents: int) -> list[list[object]]:
    """``汇总`` (counts summed, ratios from the sums) and ``均值`` (counts per agent, the same ratios)."""
    weighted = ("avg_response_seconds", "first_response_seconds", "avg_session_seconds")
    total = {key: int(values.sum()) for key, values in figures.items() if key not in weighted}
    receptions = figures["receptions"]
    mean = {key: float((figures[key] * receptions).sum()) / max(total["receptions"], 1) for key in weighted}
    replied = total["receptions"] - total["unreplied"]

    def pct(numerator: float, denominator: float) -> str:
        return f"{numerator / denominator:.2%}" if denominator else "-"

    def ratio(numerator: float, denominator: float) -> object:
        return round(numerator / denominator, 2) if denominator else "-"

    rows = []
    for label, per in (("汇总", 1), ("均值", agents)):

        def count(key: str, per: int = per) -> object:
            value = total[key] / 100 if key.endswith("cents") else total[key]
            return value if per == 1 else round(value / per, 2)

        rows.append(
            [label, "", "", count("receptions"), count("chats"), count("inquiries"), DELAYED, DELAYED, DELAYED, DELAYED,
             count("sales_cents"), count("units"), count("sales_buyers"), count("sales_orders"),
             ratio(total["sales_cents"] / 100, total["sales_buyers"]), ratio(total["units"], total["sales_buyers"]),
             round(mean["avg_response_seconds"], 1), round(mean["first_response_seconds"], 1),
             f"{int(mean['avg_session_seconds']) // 60}分{int(mean['avg_session_seconds']) % 60}秒",
             pct(replied, total["receptions"]), count("unreplied"), count("slow_responses"), count("long_sessions"),
             count("buyer_messages"), count("agent_messages"), ratio(total["agent_messages"], total["buyer_messages"]),
             count("transfers_out"), count("refunds"), count("refund_cents"),
             pct(total["refund_cents"], total["sales_cents"])]
        )  # fmt: skip
    return rows


def write_roster_csv(agents: int, folder: Path) -> Path:
    """Our 客服名单: one row per account (售前, every fifth 售后), all 在职."""
    groups = np.where(is_presale(np.arange(agents)), "售前", "售后")
    rows = [
        [person(i), account(i), SHOP, str(groups[i]), (START - dt.timedelta(days=30 + i % 400)).isoformat(), "在职", ""]
        for i in range(agents)
    ]  # fmt: skip
    path = folder / "客服名单.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ROSTER_HEADER)
        writer.writerows(rows)
    return path


# -- measuring (in a fresh spawn subprocess) ------------------------------------------------------


def _run(paths: dict[str, str], agents: int, days: int, limit_mb: float, conn: Connection) -> None:
    import duckdb

    from shopops.domains.service.agents import agent_table
    from shopops.domains.service.coaching import coach
    from shopops.domains.service.findings import service_findings
    from shopops.domains.service.team import team_trend
    from shopops.workspace import Workspace

    watcher = Watcher(conn, limit_mb)
    end = START + dt.timedelta(days=days - 1)
    month = end.replace(day=1)

    def timed(name: str, call: Callable[[], Any], describe: Callable[[Any], dict[str, Any]]) -> Any:
        watcher.begin(name)
        began = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - began
        watcher.send({"step": name, "seconds": seconds, "peak_mb": watcher.step_peak / MB, **describe(value)})
        return value

    def baseline() -> int:
        with duckdb.connect(paths["baseline"]) as con:
            con.execute("SET enable_progress_bar = false")
            # all_varchar: the sniffer types 询单->最终付款人数 BIGINT from the first 20,480 rows, and the
            # last 4 days' 延迟统计 then fail the read; the import reads every cell as text, too.
            con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar=true)", [paths["daily"]])
            row = con.execute("SELECT count(*) FROM t").fetchone()
        return int(row[0]) if row else 0

    timed("baseline", baseline, lambda rows: {"rows": rows})

    def import_daily() -> tuple[Workspace, Any]:
        workspace = Workspace.init(Path(paths["root"]))
        # DuckDB draws a progress bar on standard output for a statement over 2 s: not in our figures.
        workspace.connection.execute("SET enable_progress_bar = false")
        workspace.add_shop(SHOP, "tmall")
        return workspace, workspace.import_file(Path(paths["daily"]), shop=SHOP)

    workspace, result = timed(
        "import",
        import_daily,
        lambda value: {
            "rows": value[1].rows,
            "source": value[1].source_key,
            "pending_rows": value[1].pending_rows,
            "skipped": list(value[1].skipped),
        },
    )
    with workspace:
        roster = timed(
            "roster",
            lambda: workspace.import_file(Path(paths["roster"])),
            lambda value: {"rows": value.rows, "source": value.source_key},
        )
        del roster, result
        con = workspace.connection
        last_month = timed(
            "agents_month",
            lambda: agent_table(con, month, end),
            lambda table: {"rows": table.frame.height, "inquiries": int(table.frame["inquiries"].sum())},
        )
        del last_month
        timed(
            "agents_year",
            lambda: agent_table(con, START, end),
            lambda table: {
                "rows": table.frame.height,
                "inquiries": int(table.frame["inquiries"].sum()),
                "receptions": int(table.frame["receptions"].sum()),
                "sales_cents": int(table.frame["sales"].sum() * 100),
            },
        )
        timed(
            "team_year",
            lambda: team_trend(con, START, end, by="day"),
            lambda frame: {
                "rows": frame.height,
                "inquiries": int(frame["inquiries"].sum()),
                "agents_per_day": sorted(set(frame["agents"].to_list())),
            },
        )
        timed(
            "coach",
            lambda: coach(con, person(SLIPPING), month.strftime("%Y-%m")),
            lambda card: {
                "days": card.days,
                "team_size": card.team_size,
                "weakest": [f.key for f in card.weakest],
            },
        )
        timed(
            "findings_week",
            lambda: service_findings(con, end - dt.timedelta(days=6), end),
            _describe_findings,
        )
        timed("findings_year", lambda: service_findings(con, START, end), _describe_findings)
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


def _describe_findings(found: list[Any]) -> dict[str, Any]:
    flat = [child for finding in found for child in (finding.children or (finding,))]
    return {
        "findings": len(found),
        "by_rule": {rule: sum(1 for f in flat if f.rule == rule) for rule in sorted({f.rule for f in flat})},
        "slow_agents": sorted({f.item for f in flat if f.rule == "service_response"}),
        "conversion_agents": sorted({f.item for f in flat if f.rule == "service_conversion"}),
        "longest_explanation": max((len(f.explanation) for f in flat), default=0),
    }


# -- the parent: generate, run, check -------------------------------------------------------------

LABELS = {
    "baseline": "DuckDB read_csv → table (baseline)",
    "import": "import 售前明细 (init + add_shop + import_file)",
    "roster": "import 客服名单",
    "agents_month": "agent_table, last month",
    "agents_year": "agent_table, whole range",
    "team_year": "team_trend by day, whole range",
    "coach": "coach, one agent's last month",
    "findings_week": "service_findings, last 7 days",
    "findings_year": "service_findings, whole range",
}


def expected(figures: dict[str, np.ndarray], agents: int, days: int) -> dict[str, Any]:
    end = START + dt.timedelta(days=days - 1)
    return {
        "rows": agents * days,
        "inquiries": int(figures["inquiries"].sum()),
        "receptions": int(figures["receptions"].sum()),
        "sales_cents": int(figures["sales_cents"].sum()),
        "month_inquiries": int(figures["inquiries"][max(0, days - end.day) * agents :].sum()),
        "pending_rows": agents * min(PENDING_DAYS, days),
        "month_days": min(end.day, days),
        "presale": int(is_presale(np.arange(agents)).sum()),
    }


def checks(
    steps: dict[str, dict[str, Any]], truth: dict[str, Any], agents: int, days: int
) -> dict[str, bool]:
    """Exact outcomes; a missing step (stopped, failed) fails its checks."""

    def got(step: str, key: str) -> Any:
        return steps.get(step, {}).get(key)

    found = {
        "baseline rows = N×D + 汇总/均值": got("baseline", "rows") == truth["rows"] + 2,
        "import: source chitu_service": got("import", "source") == "chitu_service",
        "import: rows = N×D": got("import", "rows") == truth["rows"],
        "import: pending rows = agent-days of the last 4 days": got("import", "pending_rows") == truth["pending_rows"],
        "import: 汇总/均值 skipped": got("import", "skipped") == [("合计/汇总", 2)],
        "roster: N rows": got("roster", "rows") == agents,
        "agents, last month: N agents": got("agents_month", "rows") == agents,
        "agents, last month: Σ询单人数": got("agents_month", "inquiries") == truth["month_inquiries"],
        "agents, whole range: Σ询单人数 = generator's": got("agents_year", "inquiries") == truth["inquiries"],
        "agents, whole range: Σ接待人数 = generator's": got("agents_year", "receptions") == truth["receptions"],
        "agents, whole range: Σ销售额 = generator's": got("agents_year", "sales_cents") == truth["sales_cents"],
        "team: D days, N agents a day": got("team_year", "rows") == days and got("team_year", "agents_per_day") == [agents],
        "team: Σ询单人数 = generator's": got("team_year", "inquiries") == truth["inquiries"],
        "coach: days and 售前 team size": got("coach", "days") == truth["month_days"]
        and got("coach", "team_size") == truth["presale"],
    }  # fmt: skip
    if days >= 40:  # a baseline of 28 days behind the recent 7, and the slip inside the window
        slipping = person(SLIPPING)
        for step in ("findings_week", "findings_year"):
            found[f"{step}: the slipping agent is slower"] = slipping in (got(step, "slow_agents") or [])
            found[f"{step}: … and converts less"] = slipping in (got(step, "conversion_agents") or [])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--max-rss-mb", type=float, default=10_000, help="stop the measuring process past this RSS (MB)"
    )
    args = parser.parse_args()
    if args.agents < 5 or args.days < 7:
        parser.error("--agents at least 5, --days at least 7")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="service-bench-") as folder:
        began = time.perf_counter()
        figures = service_days(args.agents, args.days)
        daily = write_daily_csv(figures, args.agents, args.days, Path(folder))
        roster = write_roster_csv(args.agents, Path(folder))
        truth = expected(figures, args.agents, args.days)
        del figures
        size = daily.stat().st_size / MB
        print(
            f"generated {truth['rows']:,} agent-days ({args.agents:,} agents × {args.days} days, {size:,.0f} MB CSV"
            f" {daily.name}) in {time.perf_counter() - began:.1f} s"
        )
        paths = {
            "daily": str(daily),
            "roster": str(roster),
            "root": str(Path(folder) / "ws"),
            "baseline": str(Path(folder) / "baseline.duckdb"),
        }
        context = mp.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_run, args=(paths, args.agents, args.days, args.max_rss_mb, sender))
        process.start()
        sender.close()
        steps: dict[str, dict[str, Any]] = {}
        ending: dict[str, Any] = {}
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                break
            if "step" in message:
                steps[message["step"]] = message
            else:
                ending = message
        process.join()
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    _print_steps(steps)
    if "aborted" in ending:
        print(
            f"STOPPED in {LABELS.get(ending['aborted'], ending['aborted'])} after {ending['after_s']:.1f} s:"
            f" RSS {ending['rss_mb']:,.0f} MB passed --max-rss-mb {args.max_rss_mb:,.0f}"
        )
    elif "done" not in ending:
        print(f"the measuring process ended with status {process.exitcode} before the last step")
    else:
        print(f"peak RSS of the measuring process: {ending['peak_mb']:,.0f} MB")
    for step in ("findings_week", "findings_year"):
        if step in steps:
            s = steps[step]
            print(
                f"{LABELS[step]}: {s['findings']} findings, by rule (children counted) {s['by_rule']};"
                f" longest explanation {s['longest_explanation']:,} characters"
            )
    results = checks(steps, truth, args.agents, args.days)
    for name, passed in results.items():
        print(f"{'OK      ' if passed else 'MISMATCH'} {name}")
    return 0 if all(results.values()) and "done" in ending else 1


def _print_steps(steps: dict[str, dict[str, Any]]) -> None:
    base = steps.get("baseline", {}).get("seconds")
    print(f"| {'step':<48} | {'seconds':>8} | {'× baseline':>10} | {'peak MB':>8} |")
    print(f"|{'-' * 50}|{'-' * 9}:|{'-' * 11}:|{'-' * 9}:|")
    for step, label in LABELS.items():
        if step not in steps:
            print(f"| {label:<48} | {'—':>8} | {'':>10} | {'':>8} |")
            continue
        s = steps[step]
        ratio = f"{s['seconds'] / base:.2f}×" if step == "import" and base else ""
        print(f"| {label:<48} | {s['seconds']:>8.2f} | {ratio:>10} | {s['peak_mb']:>8,.0f} |")


if __name__ == "__main__":
    sys.exit(main())
