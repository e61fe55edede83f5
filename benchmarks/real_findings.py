"""Findings on the real public files (../shared/datasets): what is found, what is grouped, which day is "today".

    python benchmarks/real_findings.py          # both files, when present
    python benchmarks/anomaly_eval.py --real    # the same, from the anomaly benchmark

- tmall_order_report.csv (a Tmall order export, Feb 2020, a shop hit by the epidemic): the days an
  operator must hear about — the 02-08 drop, the 02-10…02-15 collapse, 02-16 without orders, the
  02-17/18 recovery — are each a finding although the file has less than 4 weeks of history; the
  other findings are listed; 03-01 (six payments of February orders) is incomplete and no default
  uses it.
- cosmetic.csv (22 rival cosmetic shops, daily snapshots 2016-11-05…14): top-level findings per
  day, the children they group, and that no finding is lost (children add up).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections import Counter
from pathlib import Path

from shopops.analysis.anomalies import Finding, alert_settings, detect
from shopops.workspace import Workspace

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TMALL, COSMETIC = DATASETS / "tmall_order_report.csv", DATASETS / "cosmetic.csv"
COSMETIC_MAP = {
    "update_time": "date",
    "id": "item_id",
    "title": "title",
    "price": "price",
    "sale_count": "sales_total",
    "comment_count": "review_count",
    "店名": "rival_shop",
}
# The days of the Tmall file an operator must hear about, and the direction.
TMALL_EXPECTED = {
    **{dt.date(2020, 2, d): "down" for d in (8, 10, 11, 12, 13, 14, 15, 16)},
    dt.date(2020, 2, 17): "up",
    dt.date(2020, 2, 18): "up",
}


def _findings(workspace: Workspace, start: dt.date, end: dt.date) -> tuple[list[Finding], list[str], float]:
    began = time.perf_counter()
    detection = detect(
        workspace.connection,
        start,
        end,
        settings=alert_settings(workspace.settings.raw),
        shipping=workspace.shipping_rates(),
    )
    return detection.findings, [s.text() for s in detection.skipped], time.perf_counter() - began


def tmall(folder: Path) -> dict[str, float]:
    with Workspace.init(folder / "tmall") as workspace:
        workspace.add_shop("天猫店", "tmall")
        workspace.import_file(TMALL, shop="天猫店")
        findings, skipped, seconds = _findings(workspace, dt.date(2020, 2, 1), dt.date(2020, 2, 29))
        latest, incomplete = workspace.data_dates()[1], workspace.incomplete_days()
    shop_sales = [f for f in findings if f.metric == "gmv" and not f.item]
    found = [
        d for d, way in TMALL_EXPECTED.items() if any(f.date == d and f.direction == way for f in shop_sales)
    ]
    others = [f for f in findings if f.date not in TMALL_EXPECTED]
    print(f"tmall_order_report.csv: detect {seconds:.2f}s, {len(findings)} findings 02-01…02-29")
    print(f"  days that must be found: {len(found)}/{len(TMALL_EXPECTED)}")
    for day in TMALL_EXPECTED:
        hit = next((f for f in shop_sales if f.date == day), None)
        print(
            f"    {'✓' if day in found else '✗'} {day} {hit.rule if hit else '—'} {hit.explanation[:60] if hit else ''}"
        )
    print(f"  other findings: {len(others)}")
    for f in others:
        print(f"    {f.date} {f.metric} {f.rule} {f.severity} ¥{f.impact or 0:,.0f}")
    for line in skipped:
        print(f"  未能检查：{line}")
    print(f"  latest complete day: {latest}; skipped: {[p.text() for p in incomplete]}")
    return {"found": len(found), "expected": len(TMALL_EXPECTED), "others": len(others)}


def cosmetic(folder: Path) -> dict[str, float]:
    with Workspace.init(folder / "cosmetic") as workspace:
        workspace.import_file(COSMETIC, mapping=COSMETIC_MAP, save_source="美妆竞品")
        findings, _, seconds = _findings(workspace, dt.date(2016, 11, 5), dt.date(2016, 11, 14))
    print(f"cosmetic.csv: detect {seconds:.2f}s")
    top = Counter(f.date for f in findings)
    children = Counter(f.date for f in findings for _ in range(f.count))
    print("  day         top-level  they stand for")
    for day in sorted(top):
        print(f"  {day}  {top[day]:>9}  {children[day]:>14}")
    peak = dt.date(2016, 11, 11)
    print(f"  11-11: {top[peak]} top-level findings (goal ≤ 30), standing for {children[peak]}")
    return {
        "top_1111": top[peak],
        "all_1111": children[peak],
        "top": sum(top.values()),
        "all": sum(children.values()),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(Path(folder))


def run(folder: Path) -> None:
    for path, case in ((TMALL, tmall), (COSMETIC, cosmetic)):
        if path.is_file():
            case(folder)
        else:
            print(f"{path.name}: absent, skipped (see shared/datasets/SOURCES.md)")


if __name__ == "__main__":
    main()
