"""The month-end forecast on the real Tmall export of February 2020, as a new user sees it.

The shop collapsed on 02-10 (epidemic), sold nothing on 02-16 and recovered from 02-17 to far above
its old level: February closed at ¥2,474,347.07 (24,081 orders, 退款率 23.12 %). On 02-20 the old
forecast said ¥615,995 (同星期基线 over the collapse) with no range. Now the forecast follows the
level since the shift, and its range — widened for the shift, and saying so — holds the actual.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from shopops.analysis.targets.forecast_eval import backtest
from shopops.analysis.targets.periods import TargetPeriod
from shopops.workspace import Workspace
from tests.conftest import DATASETS, run_cli

TMALL = DATASETS / "tmall_order_report.csv"
FEBRUARY = TargetPeriod.month(2020, 2)

pytestmark = pytest.mark.skipif(
    not TMALL.is_file(), reason=f"{TMALL} is absent (see shared/datasets/SOURCES.md)"
)


def ok(root: Path, *args: str | Path) -> str:
    result = run_cli("--workspace", root, *args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forecast-real") / "ws"
    assert run_cli("init", folder).exit_code == 0
    ok(folder, "shop", "add", "天猫店", "--platform", "tmall")
    ok(folder, "import", TMALL, "--shop", "天猫店")
    ok(folder, "targets", "set", "--period", "2020-02", "--metric", "gmv", "--value", "2000000")
    ok(folder, "targets", "set", "--period", "2020-02", "--metric", "paid_orders", "--value", "20000")
    ok(folder, "targets", "set", "--period", "2020-02", "--metric", "refund_rate", "--value", "30%")
    return folder


def pace(root: Path, day: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(ok(root, "targets", "pace", "--date", day, "--format", "json"))
    return {row["metric"]: row for row in rows}


def actual(root: Path) -> dict[str, Any]:
    text = ok(root, "table", "master", "--from", "2020-02-01", "--to", "2020-02-29", "--grain", "month",
              "--format", "json")  # fmt: skip
    row: dict[str, Any] = json.loads(text)[0]
    return row


def test_on_02_20_the_range_is_wide_and_holds_the_actual(root: Path) -> None:
    month = actual(root)
    assert (month["gmv"], month["paid_orders"], month["refund_rate"]) == (2474347.07, 24081, 0.231236)
    rows = pace(root, "2020-02-20")
    gmv = rows["gmv"]
    assert gmv["achieved"] == 494269.68
    assert (gmv["forecast"], gmv["forecast_low"], gmv["forecast_high"]) == (1222666.19, 495138.18, 2570644.08)
    assert gmv["forecast_low"] <= month["gmv"] <= gmv["forecast_high"]
    assert gmv["forecast_method"] == "近7天水平"
    assert gmv["forecast_note"] == (
        "按 7 次同跨度（9 天）回测选出，误差 102.6%；近期水平突变：2020-02-17 起上升（约 ×28.8），区间已放宽"
    )
    orders = rows["paid_orders"]
    assert orders["forecast_low"] <= month["paid_orders"] <= orders["forecast_high"]
    assert orders["forecast_note"].endswith("区间已放宽")
    refunds = rows["refund_rate"]  # a ratio target: recomputed from the forecast sums of its parts
    assert refunds["kind"] == "ratio" and refunds["achieved"] == 0.293903
    assert (refunds["forecast"], refunds["forecast_low"], refunds["forecast_high"]) == (
        0.26078,
        0.139791,
        0.293701,
    )
    assert refunds["forecast_low"] <= month["refund_rate"] <= refunds["forecast_high"]
    assert refunds["forecast_note"].startswith("比率 = 分子合计 / 分母合计")


def test_before_the_shift_can_be_told_there_is_no_range(root: Path) -> None:
    gmv = pace(root, "2020-02-18")["gmv"]
    assert gmv["forecast"] == 294695.54  # the point, from the last 7 days
    assert gmv["forecast_low"] is None and gmv["forecast_high"] is None  # never a made-up range
    assert gmv["forecast_note"] == (
        "按 3 次同跨度（11 天）回测选出，误差 134.4%；"
        "不给区间：可用的回测一次也没有（需 8 次，另有 3 次预测与本次相差 10 倍以上，不计）"
    )
    early = pace(root, "2020-02-05")["gmv"]
    assert early["forecast_low"] is None
    assert early["forecast_note"].startswith("历史太短：24 天跨度的回测一次也没有")
    table = ok(root, "targets", "pace", "--date", "2020-02-18", "--format", "csv")
    record = next(r for r in csv.DictReader(io.StringIO(table)) if r["metric"] == "gmv")
    assert record["forecast_low"] == "" and "不给区间" in record["forecast_note"]


def test_no_range_of_february_excludes_the_actual(root: Path) -> None:
    with Workspace(root) as workspace:
        frame = workspace.master_table(FEBRUARY.start, dt.date(2020, 3, 1))
    for metric, ranged in (("gmv", 8), ("paid_orders", 8)):
        series = {
            day: None if value is None else float(value)
            for day, value in zip(frame["date"].to_list(), frame[metric].to_list(), strict=True)
        }
        result = backtest(series, [FEBRUARY])
        assert result.forecasts == 24  # from 02-05: five days make a level
        assert (result.ranged, result.coverage) == (ranged, 1.0), metric
