"""Targets & pacing (目标与进度): targets per year/quarter/month and shop/group, 时间进度 vs
完成进度, the run-rate needed, a period-end forecast with its range, splits and the 复盘.

The Python API::

    from shopops.analysis.targets import pace
    for row in pace(workspace):             # targets whose period contains the latest data day
        print(row.period.key, row.metric.label, row.time_progress, row.completion, row.status)
"""

from shopops.analysis.targets.forecast import Forecast, forecast_with_range
from shopops.analysis.targets.forecast_eval import Backtest, backtest
from shopops.analysis.targets.pacing import STATUS_NOTES, Pace, PaceSource, pace, pace_target
from shopops.analysis.targets.periods import PERIOD_HINT, TargetPeriod, parse_period
from shopops.analysis.targets.review import ReviewRow, ReviewSection, review, review_sections
from shopops.analysis.targets.split import METHODS, Split, allocate, split_target
from shopops.analysis.targets.store import (
    ALL_SHOPS,
    TARGET_METRICS,
    Scope,
    Target,
    check_metric,
    define_group,
    groups,
    load_targets,
    parse_value,
    remove_target,
    scope_of,
    set_target,
    target_kind,
)

__all__ = [
    "ALL_SHOPS",
    "METHODS",
    "PERIOD_HINT",
    "STATUS_NOTES",
    "TARGET_METRICS",
    "Backtest",
    "Forecast",
    "Pace",
    "PaceSource",
    "ReviewRow",
    "ReviewSection",
    "Scope",
    "Split",
    "Target",
    "TargetPeriod",
    "allocate",
    "backtest",
    "check_metric",
    "define_group",
    "forecast_with_range",
    "groups",
    "load_targets",
    "pace",
    "pace_target",
    "parse_period",
    "parse_value",
    "remove_target",
    "review",
    "review_sections",
    "scope_of",
    "set_target",
    "split_target",
    "target_kind",
]
