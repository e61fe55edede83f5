"""绩效 (staff KPI) benchmark: N 客服售前 agents × D days scored for a month, its quarter and its year.

Data: the service benchmark's generator (one 赤兔 售前明细 CSV with the real headers and quirks, the
last 4 days 延迟统计, and the 客服名单), every agent 售前, one shop; a 员工名单 of everyone as 客服售前
(``客服0011`` joins on the month's 10th, ``客服0012`` leaves on its 20th, ``客服0013`` is there from the
5th to the 25th, ``客服0014`` left before it) and a 运营 owning the shop; a 绩效手工录入 (销售目标,
客单价目标, 出勤率 per agent and month; 主管评分); a 生意参谋 店铺整体 and a 目标表 for the 运营's lines —
all through ``Workspace.import_file``. In a fresh ``spawn`` subprocess it times ``score_period`` for
the month, quarter and year; the naive per-person path (``person_table(…, people=[person])`` per agent,
the card's own metrics over the month), the same figures in one query (what ``score_period`` runs) and
the floor (DuckDB's own GROUP BY over ``service_agent_period``); and ``shopops staff score --format
json`` as a subprocess. It exits 1 when a figure is wrong (``checks``) or a step passes ``--max-rss-mb``.
The month is the data's last whole one (2026-11 at full size; the preset cards start in 2026-01).

    python benchmarks/staff_benchmark.py                         # full size: 1,000 agents × 365 days
    python benchmarks/staff_benchmark.py --agents 30 --days 62   # smoke run (seconds)
    python benchmarks/staff_benchmark.py --profile 30            # + cProfile of the month's scoring
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import io
import json
import multiprocessing as mp
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import psutil  # type: ignore[import-untyped,unused-ignore]

import service_benchmark as service  # the script's folder is on sys.path
from memory_watch import MB, Watcher
from service_benchmark import PENDING_DAYS, SHOP, START, person
from shopops.analysis.targets.periods import TargetPeriod, parse_period
from shopops.demo.staff import INPUTS_HEADER, STAFF_LIST_HEADER

ROLE, OPS, OPS_ROLE = "客服售前", "运营甲", "运营"
MANAGER = "张主管"
SEED = 20261117
CHECKED = (0, 1, 10)  # 询单转化率 checked against the generator: a whole month, the slipping one, a joiner
SETTLE_DAYS = 4  # a day imported less than 4 days after it is pending (shopops.domains.service.providers)
FIRST_CARD = dt.date(2026, 1, 1)  # the presets' `from`


def every_agent_presale(index: np.ndarray) -> np.ndarray:
    """The team is 客服售前 only: the generator's every-fifth 售后 agent sells nothing (no 客单价)."""
    return np.ones(np.shape(index), dtype=bool)


def scored_month(days: int) -> TargetPeriod:
    end = START + dt.timedelta(days=days - 1)
    month = TargetPeriod.containing(end, "month")
    return month if month.end == end else TargetPeriod.containing(month.start - dt.timedelta(days=1), "month")


def spans(month: TargetPeriod) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Agents who are not there for the whole month: index → (入职, 离职)."""
    first = month.start
    return {
        10: (first + dt.timedelta(days=9), None),
        11: (None, first + dt.timedelta(days=19)),
        12: (first + dt.timedelta(days=4), first + dt.timedelta(days=24)),
        13: (None, first - dt.timedelta(days=10)),
    }


def all_months(days: int) -> list[TargetPeriod]:
    """Every month of the years the data touches (a quarter's or a year's inputs need all of theirs)."""
    end = START + dt.timedelta(days=days - 1)
    return [TargetPeriod.month(y, m) for y in range(START.year, end.year + 1) for m in range(1, 13)]


# -- the files (besides the service benchmark's 售前明细 and 客服名单) -----------------------------


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_staff_list(agents: int, month: TargetPeriod, folder: Path) -> Path:
    moving = spans(month)
    rows: list[list[object]] = []
    for i in range(agents):
        joined, left = moving.get(i, (None, None))
        start = joined or START - dt.timedelta(days=30 + i % 400)
        rows.append([person(i), ROLE, SHOP, "", start.isoformat(), left.isoformat() if left else "",
                     "离职" if left else "在职"])  # fmt: skip
    rows.append([OPS, OPS_ROLE, SHOP, "ops", "2024-01-01", "", "在职"])
    return _write(folder / "员工名单.csv", STAFF_LIST_HEADER, rows)


def write_inputs(figures: dict[str, np.ndarray], agents: int, days: int, folder: Path) -> Path:
    """销售目标 and 客单价目标 around each agent's own level (each month its own stretch), 出勤率."""
    rng = np.random.default_rng(SEED)
    shape = (days, agents)
    sales = figures["sales_cents"].reshape(shape).sum(axis=0) / 100
    buyers = figures["sales_buyers"].reshape(shape).sum(axis=0)
    daily = sales / days
    aov = np.where(buyers > 0, sales / np.maximum(buyers, 1), 100.0)
    months = all_months(days)
    stretch = rng.uniform(0.85, 1.2, (len(months), agents))
    aov_stretch = rng.uniform(0.9, 1.1, (len(months), agents))
    levels = np.array(["100%", "97%", "93%", "88%"])
    attendance = rng.choice(levels, (len(months), agents), p=[0.6, 0.25, 0.1, 0.05])
    rows: list[list[object]] = []
    for m, month in enumerate(months):
        set_on, checked_on = month.start.isoformat(), (month.end + dt.timedelta(days=2)).isoformat()
        for i in range(agents):
            who = person(i)
            rows.append([month.key, who, "销售目标", f"{max(1.0, daily[i] * month.days * stretch[m, i]):.0f}",
                         MANAGER, set_on, "月初定"])  # fmt: skip
            aim = f"{aov[i] * aov_stretch[m, i]:.2f}"
            rows.append([month.key, who, "客单价目标", aim, MANAGER, set_on, ""])
            rows.append([month.key, who, "出勤率", str(attendance[m, i]), MANAGER, checked_on, ""])
        rows.append([month.key, OPS, "主管评分", "85", "李总", checked_on, ""])
    return _write(folder / "绩效录入.csv", INPUTS_HEADER, rows)


def shop_days(figures: dict[str, np.ndarray], agents: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    """The shop's 支付金额 (cents) and 支付买家数 per day: the 客服's sales are 62 % of them."""
    gmv = np.rint(figures["sales_cents"].reshape(days, agents).sum(axis=1) / 0.62).astype(np.int64)
    buyers = np.rint(figures["sales_buyers"].reshape(days, agents).sum(axis=1) / 0.62).astype(np.int64)
    return gmv, buyers


def write_sycm(gmv: np.ndarray, buyers: np.ndarray, folder: Path) -> Path:
    header = ["统计日期", "访客数", "支付金额", "支付买家数", "支付转化率", "客单价", "成功退款金额"]
    rows = [[(START + dt.timedelta(days=d)).isoformat(), f"{int(paid / 0.035):,}", f"{cents / 100:,.2f}", paid,
             f"{paid / int(paid / 0.035):.2%}", f"{cents / 100 / paid:.2f}", f"{cents * 0.06 / 100:.2f}"]
            for d, (cents, paid) in enumerate(zip(gmv.tolist(), buyers.tolist(), strict=True))]  # fmt: skip
    return _write(folder / "生意参谋_店铺整体.csv", header, rows)


def write_targets(gmv: np.ndarray, days: int, folder: Path) -> Path:
    """The shop's 支付金额 target (the month's usual level × 1.05) and 支付转化率 (3.5 %) per month,
    quarter and year (支付转化率 does not add up: a quarter needs its own)."""
    per_day = float(gmv.sum()) / 100 / days * 1.05
    months = all_months(days)
    periods = months + sorted({TargetPeriod.containing(m.start, k) for m in months for k in ("quarter", "year")},
                              key=lambda p: (p.start, p.key))  # fmt: skip
    rows = [[p.key, SHOP, f"{per_day * p.days:.2f}", "3.50%"] for p in periods]
    return _write(folder / "目标表.csv", ["期间", "店铺", "支付金额", "支付转化率"], rows)


# -- measuring (in a fresh spawn subprocess) ------------------------------------------------------

Timed = Callable[[str, Callable[[], Any], Callable[[Any], dict[str, Any]]], Any]


def _run(paths: dict[str, str], month_key: str, args: argparse.Namespace, conn: Connection) -> None:
    from shopops.domains.staff.scoring import score_period

    watcher = Watcher(conn, args.max_rss_mb)

    def timed(name: str, call: Callable[[], Any], describe: Callable[[Any], dict[str, Any]]) -> Any:
        watcher.begin(name)
        began = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - began
        watcher.send({"step": name, "seconds": seconds, "peak_mb": watcher.step_peak / MB, **describe(value)})
        return value

    month = parse_period(month_key)
    assert month is not None
    workspace = timed("setup", lambda: _setup(paths), _imported)
    with workspace:
        con = workspace.connection
        through: dt.date = timed("score_month", lambda: score_period(con, month), _describe_board).through
        for kind in ("quarter", "year"):  # one board in memory at a time
            period: TargetPeriod = TargetPeriod.containing(month.start, kind)
            timed(f"score_{kind}", partial(score_period, con, period), _describe_board)
        _baselines(con, month, through, args.naive, timed)
        if args.profile:
            watcher.send({"profile": _profiled(lambda: score_period(con, month), args.profile)})
    watcher.begin("cli")
    began = time.perf_counter()
    run = _cli(paths["root"], month.key, args.max_rss_mb)
    watcher.send({"step": "cli", "seconds": time.perf_counter() - began, **run})
    watcher.stop.set()
    watcher.send({"done": True, "peak_mb": watcher.peak / MB})


def _setup(paths: dict[str, str]) -> Any:
    from shopops.workspace import Workspace

    workspace = Workspace.init(Path(paths["root"]))
    # DuckDB draws a progress bar on standard output for a statement over 2 s: not in our figures.
    workspace.connection.execute("SET enable_progress_bar = false")
    workspace.add_shop(SHOP, "tmall")
    for key in ("daily", "roster", "staff", "inputs", "sycm", "targets"):
        workspace.import_file(Path(paths[key]), shop=SHOP if key in ("daily", "sycm") else None)
    return workspace


def _imported(workspace: Any) -> dict[str, Any]:
    found = workspace.connection.execute("SELECT source_key, rows_imported FROM imports ORDER BY import_id")
    return {"imports": [list(row) for row in found.fetchall()]}


def _baselines(con: Any, month: TargetPeriod, through: dt.date, naive: int, timed: Timed) -> None:
    """The same own figures of the month: per person (naive), for everyone in one query as
    ``score_period`` fetches them (batched), and DuckDB's own GROUP BY (the floor)."""
    from shopops.domains.staff.cards import card_for
    from shopops.domains.staff.figures import own_figures
    from shopops.domains.staff.library import all_cards
    from shopops.domains.staff.team import load_members
    from shopops.metrics.catalog import load_catalog
    from shopops.metrics.people import person_table

    catalog = load_catalog()
    card = card_for(all_cards(con, catalog), ROLE, month)
    assert card is not None
    metrics = [line.metric for line in card.lines if line.metric and line.scope == "own"]
    agents = sorted(m.person for m in load_members(con) if m.role == ROLE and m.active(month))

    def per_person() -> dict[str, Any]:
        values = {}
        for who in agents[:naive]:
            table = person_table(con, month.start, through, metrics, people=[who], with_measures=True)
            values[who] = table.frame["inquiry_conversion"][0] if table.frame.height else None
        return values

    timed("naive", per_person, lambda values: {"people": len(values), "values": values})
    timed("batched", lambda: own_figures(con, month.start, through, agents, metrics, catalog), _counted)

    def floor() -> list[tuple[Any, ...]]:
        return con.execute(  # type: ignore[no-any-return]
            "SELECT agent, sum(inquiries), sum(inquiry_paid), sum(sales), sum(sales_buyers), sum(receptions),"
            " sum(receptions - unreplied), sum(avg_response_seconds * receptions) FROM service_agent_period"
            " WHERE period_start = period_end AND period_start BETWEEN ? AND ? AND NOT pending GROUP BY agent",
            [month.start, through],
        ).fetchall()

    timed("floor", floor, lambda rows: {"rows": len(rows)})


def _counted(found: Any) -> dict[str, Any]:
    return {"people": len(found)}


def _profiled(call: Callable[[], Any], lines: int) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(lines)
    return text.getvalue()


def _describe_board(board: Any) -> dict[str, Any]:
    """What the checks need of a scoreboard (plain data: it crosses the pipe)."""
    people = {}
    for p in board.people:
        weighted = [line.weighted for line in p.lines]
        people[p.member.person] = {
            "total": None if p.total is None else str(p.total),
            "sum_weighted": None if None in weighted else str(sum(weighted, Decimal(0))),
            "proration": float(p.proration),
            "notes": list(p.notes),
            "conversion": next((x.value for x in p.lines if x.line.metric == "inquiry_conversion"), None),
            "provisional": p.provisional,
            "tier": p.tier.label if p.tier else None,
        }
    unscored = [f"{member.person}: {why}" for member, why in board.unscored]
    return {"people": people, "unscored": unscored, "through": board.through.isoformat()}


def _cli(root: str, month: str, limit_mb: float) -> dict[str, Any]:
    """``shopops staff score --format json`` as the user runs it; its peak RSS polled every 10 ms."""
    script = Path(sys.executable).parent / "shopops"
    command = (
        [str(script)] if script.exists() else [sys.executable, "-c", "import shopops.cli.main as m;m.main()"]
    )
    command += ["-w", root, "staff", "score", "--period", month, "--format", "json"]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        watched, peak = psutil.Process(process.pid), 0
        while process.poll() is None:
            try:
                peak = max(peak, watched.memory_info().rss)
            except psutil.Error:
                break
            if peak > limit_mb * MB:
                process.kill()
            time.sleep(0.01)
        process.wait()
        text, errors = ((handle.seek(0), handle.read().decode())[1] for handle in (stdout, stderr))
    try:  # DESIGN §5: per person ``person role total tier lines[]``, each line ``metric weight score``
        rows = json.loads(text)
        totals = {row["person"]: row["total"] for row in rows}
        lines = all(
            row["lines"] and all({"metric", "weight", "score"} <= set(x) for x in row["lines"])
            for row in rows
        )
    except (ValueError, KeyError, TypeError):
        totals, lines = {}, False
    return {"peak_mb": peak / MB, "status": process.returncode, "totals": totals, "lines": lines,
            "stderr": errors[-2000:]}  # fmt: skip


# -- the parent: generate, run, check -------------------------------------------------------------

LABELS = {
    "setup": "setup: init + import the 6 files",
    "score_month": "score_period, month",
    "score_quarter": "score_period, quarter",
    "score_year": "score_period, year",
    "naive": "baseline: person_table per person, month",
    "batched": "own_figures, everyone in one query, month",
    "floor": "floor: one GROUP BY over the month",
    "cli": "shopops staff score --format json (subprocess)",
}


def truth(figures: dict[str, np.ndarray], agents: int, days: int, month: TargetPeriod) -> dict[str, Any]:
    """The generator's 询单转化率 of the checked people over their settled days of the month."""
    today = dt.date.today()
    shape = (days, agents)
    inquiries, paid = figures["inquiries"].reshape(shape), figures["inquiry_paid"].reshape(shape)
    moving = spans(month)
    found = {}
    for i in CHECKED:
        joined, left = moving.get(i, (None, None))
        first, last = max(month.start, joined or month.start), min(month.end, left or month.end)
        chosen = [
            d for d in range(days)
            if first <= START + dt.timedelta(days=d) <= last and d < days - PENDING_DAYS
            and today >= START + dt.timedelta(days=d + SETTLE_DAYS)
        ]  # fmt: skip
        found[person(i)] = (int(paid[chosen, i].sum()), int(inquiries[chosen, i].sum()))
    return found


def checks(
    steps: dict[str, dict[str, Any]], expected: dict[str, Any], agents: int, month: TargetPeriod
) -> dict[str, bool]:
    """Exact outcomes; a missing step (stopped, failed) fails its checks."""
    moving = spans(month)

    def active(period: TargetPeriod) -> set[str]:
        there = {i for i, (joined, left) in moving.items() if (left or period.end) < period.start}
        return {person(i) for i in range(agents) if i not in there} | {OPS}

    found: dict[str, bool] = {}
    for step, kind in (("score_month", "month"), ("score_quarter", "quarter"), ("score_year", "year")):
        wanted = active(TargetPeriod.containing(month.start, kind))
        board = steps.get(step, {})
        people = board.get("people", {})
        scored = set(people) == wanted and not board.get("unscored")
        found[f"{step}: everyone active scored, a total each"] = scored and all(
            p["total"] for p in people.values()
        )
        sums = [p["total"] == p["sum_weighted"] for p in people.values()]
        found[f"{step}: totals = Σ weighted line scores"] = bool(sums) and all(sums)
    month_people = steps.get("score_month", {}).get("people", {})
    for name, (numerator, denominator) in expected.items():
        got = month_people.get(name, {}).get("conversion")
        right = denominator > 0 and got == numerator / denominator
        found[f"month: {name} 询单转化率 = {numerator:,} / {denominator:,} (generator, settled days)"] = right
        naive = steps.get("naive", {}).get("values", {})
        if name in naive and all(person(i) != name for i in moving):  # the naive path takes the whole month
            found[f"baseline: {name} 询单转化率 the same"] = naive[name] == got
    prorated = {person(i) for i in moving if i != 13}
    found["month: the pro-rated people say so (入职/离职 … 折算)"] = bool(month_people) and all(
        (p["proration"] < 1 and any("折算" in note for note in p["notes"])) == (name in prorated)
        for name, p in month_people.items()
    )
    found["month: the 运营 is scored on the shop's 总表 and targets"] = bool(
        month_people.get(OPS, {}).get("total")
    )
    found["floor: one row per account"] = steps.get("floor", {}).get("rows") == agents
    cli = steps.get("cli", {})
    totals = {name: None if p["total"] is None else float(p["total"]) for name, p in month_people.items()}
    found["cli: exit 0, JSON totals = score_period's"] = (
        cli.get("status") == 0 and cli.get("totals") == totals
    )
    found["cli: every person's lines[] with metric, weight, score"] = cli.get("lines") is True
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--agents", type=int, default=1_000)
    add("--days", type=int, default=365)
    add("--naive", type=int, default=10**9, help="the per-person baseline for the first N agents only")
    add("--profile", type=int, default=0, help="cProfile the month's scoring: print N lines")
    add("--workdir", help="an empty folder to keep the files and the workspace in")
    add("--max-rss-mb", type=float, default=6_000, help="stop the measuring process past this")
    args = parser.parse_args()
    month = scored_month(args.days)
    if args.agents < 15 or month.start < FIRST_CARD:
        parser.error("--agents at least 15, --days at least 62 (a whole month from 2026-01)")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)")
    kept = contextlib.nullcontext(args.workdir) if args.workdir else None
    with kept or tempfile.TemporaryDirectory(prefix="staff-bench-") as name:
        paths, expected = generate(args.agents, args.days, month, Path(name))
        steps, ending, status = _measure(paths, month, args)
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    _print_steps(steps)
    if "aborted" in ending:
        print(f"STOPPED in {LABELS.get(ending['aborted'], ending['aborted'])} after {ending['after_s']:.1f} s:"
              f" RSS {ending['rss_mb']:,.0f} MB passed --max-rss-mb {args.max_rss_mb:,.0f}")  # fmt: skip
    elif "done" not in ending:
        print(f"the measuring process ended with status {status} before the last step")
    else:
        print(f"peak RSS of the measuring process: {ending['peak_mb']:,.0f} MB")
    _print_boards(steps)
    results = checks(steps, expected, args.agents, month)
    for check, passed in results.items():
        print(f"{'OK      ' if passed else 'MISMATCH'} {check}")
    return 0 if all(results.values()) and "done" in ending else 1


def generate(
    agents: int, days: int, month: TargetPeriod, folder: Path
) -> tuple[dict[str, str], dict[str, Any]]:
    began = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    service.is_presale = every_agent_presale  # service_days and the roster read it
    figures = service.service_days(agents, days)
    gmv, buyers = shop_days(figures, agents, days)
    paths = {
        "daily": str(service.write_daily_csv(figures, agents, days, folder)),
        "roster": str(service.write_roster_csv(agents, folder)),
        "staff": str(write_staff_list(agents, month, folder)),
        "inputs": str(write_inputs(figures, agents, days, folder)),
        "sycm": str(write_sycm(gmv, buyers, folder)),
        "targets": str(write_targets(gmv, days, folder)),
        "root": str(folder / "ws"),
    }
    expected = truth(figures, agents, days, month)
    print(
        f"generated {agents:,} agents × {days} days in {time.perf_counter() - began:.1f} s; month {month.key}"
    )
    return paths, expected


def _measure(
    paths: dict[str, str], month: TargetPeriod, args: argparse.Namespace
) -> tuple[dict[str, dict[str, Any]], dict[str, Any], int | None]:
    context = mp.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(paths, month.key, args, sender))
    process.start()
    sender.close()
    steps: dict[str, dict[str, Any]] = {}
    ending: dict[str, Any] = {}
    with contextlib.suppress(EOFError):  # the process has ended
        while message := receiver.recv():
            if "step" in message:
                steps[message["step"]] = message
            elif "profile" in message:
                print(message["profile"])
            else:
                ending = message
    process.join()
    return steps, ending, process.exitcode


def _print_boards(steps: dict[str, dict[str, Any]]) -> None:
    for step in ("score_month", "score_quarter", "score_year"):
        board = steps.get(step, {})
        people = board.get("people", {})
        tiers: dict[str, int] = {}
        for p in people.values():
            tiers[p["tier"] or "—"] = tiers.get(p["tier"] or "—", 0) + 1
        provisional = sum(p["provisional"] for p in people.values())
        print(f"{step}: tiers {tiers}, {provisional} provisional, data through {board.get('through')}")
        missing = [f"{who}: {'；'.join(p['notes'])}" for who, p in people.items() if not p["total"]]
        for line in (board.get("unscored", []) + missing)[:5]:
            print(f"{step}: no total for {line}")
    if "setup" in steps:
        print("imports:", ", ".join(f"{key} {rows:,}" for key, rows in steps["setup"]["imports"]))
    if steps.get("cli", {}).get("status"):
        print(f"cli: status {steps['cli']['status']}: {steps['cli']['stderr']}")


def _print_steps(steps: dict[str, dict[str, Any]]) -> None:
    print(f"| {'step':<50} | {'people':>6} | {'seconds':>8} | {'peak MB':>8} |")
    print(f"|{'-' * 52}|{'-' * 7}:|{'-' * 9}:|{'-' * 9}:|")
    for step, label in LABELS.items():
        s = steps.get(step)
        if s is None:
            print(f"| {label:<50} | {'':>6} | {'—':>8} | {'':>8} |")
            continue
        people = s.get("people")
        count = len(people) if isinstance(people, dict) else (people if isinstance(people, int) else "")
        print(f"| {label:<50} | {count:>6} | {s['seconds']:>8.2f} | {s['peak_mb']:>8,.0f} |")
    seconds: dict[str, Any] = {
        k: steps.get(k, {}).get("seconds") for k in ("score_month", "naive", "batched", "floor")
    }
    if all(seconds.values()):
        month, naive, batched, floor = (float(v) for v in seconds.values())
        n = steps["naive"]["people"]
        print(f"naive: {naive / n * 1000:.1f} ms a person; score_period (month) = {month / naive:.3f}× the naive"
              f" path, {month / floor:,.0f}× the floor; own figures in one query = {batched / floor:,.0f}× the"
              f" floor, naive = {naive / floor:,.0f}× the floor")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
