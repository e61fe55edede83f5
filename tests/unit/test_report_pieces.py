"""Report periods, page layout, date ranges and the catalog rules the 合计 row relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.errors import DefinitionError
from shopops.metrics.catalog import load_catalog, parse_catalog
from shopops.metrics.totals import is_additive, is_recomputed, optional_parts
from shopops.reports.workbook.data import resolve_period
from shopops.reports.workbook.layout import print_pages
from shopops.reports.workbook.sources_sheet import date_ranges

TUESDAY = dt.date(2026, 11, 24)


def test_daily_period_is_the_day_or_the_latest_day() -> None:
    assert resolve_period("daily", None, TUESDAY).start == TUESDAY
    period = resolve_period("daily", dt.date(2026, 11, 3), TUESDAY)
    assert (period.start, period.end, period.complete) == (dt.date(2026, 11, 3),) * 2 + (True,)
    assert period.file_stem == "日报_2026-11-03" and period.label == "2026-11-03（周二）"


def test_weekly_and_monthly_default_to_the_latest_complete_period() -> None:
    week = resolve_period("weekly", None, TUESDAY)
    assert (week.start, week.end, week.complete) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22), True)
    assert week.file_stem == "周报_2026-W47"
    sunday = dt.date(2026, 11, 22)
    assert resolve_period("weekly", None, sunday).start == dt.date(2026, 11, 16)
    month = resolve_period("monthly", None, TUESDAY)
    assert (month.start, month.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert resolve_period("monthly", None, dt.date(2026, 11, 30)).start == dt.date(2026, 11, 1)
    assert [name for name, _ in month.comparisons] == ["prev", "yoy"]


def test_a_period_the_data_has_not_finished_is_marked() -> None:
    week = resolve_period("weekly", TUESDAY, TUESDAY)
    assert (week.start, week.end, week.full_end) == (dt.date(2026, 11, 23), TUESDAY, dt.date(2026, 11, 29))
    assert not week.complete and "数据截至 2026-11-24" in week.label
    assert resolve_period("monthly", dt.date(2026, 12, 5), TUESDAY).end == dt.date(2026, 12, 1)


def test_trend_window_reaches_back_by_grain() -> None:
    assert resolve_period("daily", TUESDAY, TUESDAY).trend_start() == dt.date(2026, 10, 26)
    assert resolve_period("monthly", None, TUESDAY).trend_start() == dt.date(2025, 10, 1)


def test_date_ranges_join_consecutive_days() -> None:
    days = [dt.date(2026, 11, d) for d in (24, 20, 21, 22)]
    assert date_ranges(days) == "2026-11-20 ~ 2026-11-22、2026-11-24"


def test_print_pages_keep_sections_whole_when_they_fit() -> None:
    block = [10.0, 7.5, 7.5]
    scale, breaks = print_pages([12, 6], [[block] * 2, [block] * 2, [block] * 2])
    assert scale == 100
    assert breaks == [8, 14]  # between sections: two sections do not fit one page
    wide = [[block] * 12]
    scale, breaks = print_pages([12, 6], wide)
    assert scale == 75 and breaks  # a section wider than a page is split between metrics


def test_totals_follow_the_catalog() -> None:
    catalog = load_catalog()
    metrics = catalog.metrics
    assert is_additive(metrics["gmv"]) and is_additive(metrics["gross_profit"])
    assert is_recomputed(metrics["conversion_rate"]) and is_recomputed(metrics["aov"])
    assert not is_additive(metrics["dsr_service"]) and not is_recomputed(metrics["dsr_service"])
    assert optional_parts(catalog) == {k for k, m in metrics.items() if m.channel}
    assert catalog.sections[:2] == ("综合销售", "推广")


def test_catalog_sections_are_validated() -> None:
    metric = {
        "key": "x",
        "label": "x",
        "section": "其他",
        "definition": "d",
        "formula": "x",
        "unit": "count",
        "direction": "up",
        "display": "fancy",
    }
    with pytest.raises(DefinitionError) as caught:
        parse_catalog({"sections": ["综合销售"], "measures": {"x": {}}, "metrics": [metric]})
    assert "section '其他' is not one of" in str(caught.value)
    assert "display 'fancy'" in str(caught.value)
    with pytest.raises(DefinitionError, match="sections: list the report sections"):
        parse_catalog({"measures": {"x": {}}, "metrics": [{**metric, "display": ""}]})
