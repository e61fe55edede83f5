"""Precision and recall of anomaly detection on demo data with a seeded set of planted anomalies.

    python benchmarks/anomaly_eval.py                 # 50 plants, seed 1 (the figures in the docs)
    python benchmarks/anomaly_eval.py --count 80 --seed 3 --verbose
    python benchmarks/anomaly_eval.py --real          # and the real files (tmall_order_report, cosmetic)

The demo generator writes ~7 months of exports for its two shops with the plants (淘客 spikes,
conversion drops, traffic lost from one ad channel, refund surges, zero-sales days, DSR drops) on
ordinary days — not in promotions or holidays — at least 4 days apart per shop; the exports are
imported through the normal path and ``detect_findings`` runs over the months after an 8-week
warm-up. A finding is a true positive when its shop and day carry a plant (or one of the demo's
built-in events: the 淘客 spike, the bestseller's 10-day stock-out); a plant is found when a finding on its shop and day names the right driver.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from shopops.analysis.anomalies import Finding, alert_settings, detect_findings
from shopops.analysis.calendar import load_calendar
from shopops.demo.planting import KINDS, Plant, random_plants
from shopops.demo.profiles import PROFILES
from shopops.demo.run import configure, generate
from shopops.demo.simulation import affiliate_spike_day, stock_out_days
from shopops.workspace import Workspace

REFUND_KEYS = {"refund_amount", "refund_orders", "refund_rate"}


def names_driver(plant: Plant, finding: Finding, channels: dict[str, str]) -> bool:
    """Whether a finding on the plant's shop and day names what was planted."""
    keys = {finding.metric, finding.driver}
    if plant.kind == "affiliate_spike":
        return "affiliate_commission" in keys
    if plant.kind == "conversion_drop":
        return "conversion_rate" in keys
    if plant.kind == "traffic_loss":
        return f"ad_spend_{plant.channel or channels[plant.shop]}" in keys
    if plant.kind == "refund_surge":
        return bool(keys & REFUND_KEYS)
    if plant.kind == "zero_sales":
        return "zero_sales" in finding.rule
    return any(k.startswith("dsr_") for k in keys if k)


def _visible(plant: Plant, blind: dt.date) -> Plant:
    """A DSR drop planted on the demo's day without DSR ("-") is moved to the next day: nobody can
    see a score fall on a day the platform shows no score (the other plants stay where they are)."""
    if plant.kind == "dsr_drop" and plant.date == blind:
        return replace(plant, date=blind + dt.timedelta(days=1))
    return plant


def evaluate(count: int, seed: int, days: int, end: dt.date, folder: Path, verbose: bool) -> dict[str, float]:
    start = end - dt.timedelta(days=days - 1)
    warm_up = max(start + dt.timedelta(days=56), dt.date(end.year, 4, 1))
    calendar = load_calendar()
    spike = affiliate_spike_day(start, days)
    plants = random_plants(
        [p.name for p in PROFILES],
        warm_up,
        end,
        count,
        seed,
        allowed=lambda d: (
            not calendar.day(d).special
            and abs((d - spike).days) > 3
            and not stock_out_days(start, days)[0] - dt.timedelta(days=3)
            <= d
            <= stock_out_days(start, days)[1]
        ),
        spacing=3,
    )
    plants = [_visible(plant, start + dt.timedelta(days=days // 2)) for plant in plants]
    began = time.perf_counter()
    generated = generate(folder / "exports", days=days, end=end, seed=seed, plants=plants)
    with Workspace.init(folder / "ws") as workspace:
        configure(workspace)
    with Workspace(folder / "ws") as workspace:
        for path in generated.files:
            workspace.import_file(path)
        prepared = time.perf_counter() - began
        began = time.perf_counter()
        findings = detect_findings(
            workspace.connection,
            warm_up,
            end,
            settings=alert_settings(workspace.settings.raw),
            shipping=workspace.shipping_rates(),
        )
        detected = time.perf_counter() - began
    channels = {p.name: max(p.channels, key=lambda c: p.channels[c][0] * p.channels[c][1]) for p in PROFILES}
    # Known events of every demo: the 淘客 spike and the bestseller's 10-day stock-out.
    first, last = stock_out_days(start, days)
    stock_out = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    known = {(p.name, day) for p in PROFILES for day in [spike, *stock_out]}
    truth = {(p.shop, p.date) for p in plants} | known
    true_findings = [f for f in findings if (f.shop, f.date) in truth]
    found = [
        p
        for p in plants
        if any(f.shop == p.shop and f.date == p.date and names_driver(p, f, channels) for f in findings)
    ]
    precision = len(true_findings) / len(findings) if findings else 1.0
    recall = len(found) / len(plants)
    by_kind = Counter(p.kind for p in plants)
    found_kind = Counter(p.kind for p in found)
    print(f"plants: {len(plants)} (seed {seed}), days {start}…{end}, detection {warm_up}…{end}")
    print(f"prepare (generate + import) {prepared:.1f}s, detect {detected:.2f}s")
    print(f"findings: {len(findings)}, on planted days: {len(true_findings)}")
    print(
        f"precision {precision:.3f}  recall {recall:.3f} ({len(found)}/{len(plants)} found with the right driver)"
    )
    for kind in KINDS:
        if by_kind[kind]:
            print(f"  {kind:16} {found_kind[kind]:>2}/{by_kind[kind]:<2}")
    if verbose:
        for plant in plants:
            mark = "✓" if plant in found else "✗"
            print(f"  {mark} {plant.date} {plant.shop} {plant.kind} {plant.amount}")
            for f in findings:
                if f.shop == plant.shop and f.date == plant.date:
                    print(f"      {f.metric} {f.rule} {f.severity} driver={f.driver} | {f.explanation}")
        for f in findings:
            if (f.shop, f.date) not in truth:
                print(
                    f"  FP {f.date} {f.shop} {f.metric} {f.rule} {f.severity} {f.value} [{f.expected_low}, {f.expected_high}] | {f.explanation}"
                )
    return {"precision": precision, "recall": recall, "findings": len(findings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=322)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 18))
    parser.add_argument("--keep", type=Path, help="Keep the generated workspace in this folder.")
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument(
        "--real",
        action="store_true",
        help="Also the real public files of shared/datasets (real_findings.py).",
    )
    args = parser.parse_args()
    if args.real:
        from real_findings import run  # the script's folder is on sys.path

        with tempfile.TemporaryDirectory() as folder:
            run(Path(folder))
    if args.keep:
        evaluate(args.count, args.seed, args.days, args.end, args.keep, args.verbose)
        return
    with tempfile.TemporaryDirectory() as folder:
        evaluate(args.count, args.seed, args.days, args.end, Path(folder), args.verbose)


if __name__ == "__main__":
    main()
