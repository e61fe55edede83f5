"""Holidays and 调休 days from shopops.yaml: parsed with one-line errors, used by the baselines like
chinese-calendar's own, and counted by the coverage check (`shopops doctor`'s 节假日 line)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
import yaml

from shopops.analysis.anomalies.baseline import robust_baseline
from shopops.analysis.anomalies.config import alert_settings
from shopops.analysis.calendar import (
    PromoCalendar,
    builtin_knows,
    holiday_coverage,
    load_calendar,
    package_version,
)
from shopops.errors import WorkspaceError
from shopops.health import holiday_check
from shopops.settings import load_settings

# Made-up 2027 dates for the tests (not the official schedule): 9 days off like 2026's 春节.
USER_2027 = {"holidays": {"2027-01-01": "元旦", "2027-02-05..2027-02-13": "春节"}, "workdays": ["2027-02-20"]}
SPRING_2026 = [dt.date(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)]  # chinese-calendar's
SPRING_2027 = [dt.date(2027, 2, 5) + dt.timedelta(days=n) for n in range(9)]  # USER_2027's
WEEKDAY = (1.0, 0.94, 0.93, 0.97, 1.06, 1.22, 1.18)
# Written when chinese-calendar (1.11) knew holidays up to 2026; a release that knows 2027 leaves
# nothing to warn about at the end of 2026.
unknown_2027 = pytest.mark.skipif(builtin_knows(2027), reason="this chinese-calendar knows 2027")


def write_config(folder: Path, text: str) -> Path:
    path = folder / "shopops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_holidays_and_workdays_are_read_from_shopops_yaml(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        'holidays:\n  2027-01-01: 元旦\n  "2027-02-05..2027-02-13": 春节\nworkdays: [2027-02-20, "2027-02-21"]\n',
    )
    settings = load_settings(path)
    assert settings.holidays[dt.date(2027, 1, 1)] == "元旦"
    assert [d for d, name in settings.holidays.items() if name == "春节"] == SPRING_2027
    assert settings.workdays == {dt.date(2027, 2, 20), dt.date(2027, 2, 21)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'holidays: {"2027-02-30": 春节}',
            "shopops.yaml: holidays: '2027-02-30' is not a day — write \"YYYY-MM-DD\" or"
            ' "YYYY-MM-DD..YYYY-MM-DD" (in quotes)',
        ),
        (
            'holidays: {"2027-02-13..2027-02-05": 春节}',
            "shopops.yaml: holidays: 2027-02-13..2027-02-05 must run from the first to the last day,"
            " at most 31 days",
        ),
        ('holidays: {"2027-02-06": ""}', "shopops.yaml: holidays: 2027-02-06 needs a name, such as 春节"),
        (
            "holidays: [2027-02-06]",
            'shopops.yaml: holidays must map days to names, such as {"2027-02-06": 春节}',
        ),
        ("workdays: 2027-02-14", 'shopops.yaml: workdays must be a list of days, such as ["2027-02-14"]'),
        (
            'workdays: ["2027-02-31"]',
            "shopops.yaml: workdays: '2027-02-31' is not a day — write \"YYYY-MM-DD\"",
        ),
        (
            'holidays: {"2027-02-06": 春节}\nworkdays: ["2027-02-06"]',
            "shopops.yaml: 2027-02-06 is both in holidays and in workdays — keep one",
        ),
    ],
)
def test_a_mistake_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(WorkspaceError) as caught:
        load_settings(write_config(tmp_path, text))
    assert str(caught.value) == message
    with pytest.raises(WorkspaceError) as again:  # the same answer where findings read the raw file
        alert_settings(yaml.safe_load((tmp_path / "shopops.yaml").read_text(encoding="utf-8")))
    assert str(again.value) == message


def test_an_unquoted_day_that_does_not_exist_is_one_line_too(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as caught:
        load_settings(write_config(tmp_path, "workdays: [2027-02-31]\n"))
    assert str(caught.value) == (
        "shopops.yaml has a date that does not exist (day is out of range for month) — correct it"
    )


def test_user_days_join_the_calendar() -> None:
    calendar = alert_settings(USER_2027).calendar
    day = calendar.day(dt.date(2027, 2, 8))
    assert (day.kind, day.label, day.special) == ("holiday", "春节", True)
    assert day.range_for("volume") == load_calendar().day(dt.date(2026, 2, 17)).range_for("volume")
    assert calendar.holiday(dt.date(2027, 1, 1)) == "元旦"
    assert calendar.day(dt.date(2027, 2, 20)).special is False  # 调休: a working Saturday
    assert calendar.day(dt.date(2027, 2, 8)).label == "春节"
    assert load_calendar().day(dt.date(2027, 2, 8)).special is False  # what happens without them
    # a workday wins over chinese-calendar's holiday; a user holiday is added to a known year
    changed = load_calendar(holidays={"2026-07-15": "店休"}, workdays=["2026-10-07"])
    assert changed.holiday(dt.date(2026, 10, 7)) is None and load_calendar().holiday(dt.date(2026, 10, 7))
    assert changed.day(dt.date(2026, 7, 15)).label == "店休"


def series_findings(calendar: PromoCalendar, holiday: list[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """A weekday-shaped daily series from 20 weeks before to 5 weeks after a 春节 with half the sales:
    (the days the calendar leaves out of the baseline, the days found outside their range)."""
    start = holiday[0] - dt.timedelta(weeks=20)
    dates = [start + dt.timedelta(days=n) for n in range(25 * 7)]
    rng = random.Random(5)
    values = np.array([10_000 * WEEKDAY[d.weekday()] * rng.uniform(0.95, 1.05) for d in dates])
    for n, day in enumerate(dates):
        if day in holiday:
            values[n] *= 0.5  # people are at home, not shopping
    contexts = [calendar.day(d) for d in dates]
    excluded = np.array([c.special for c in contexts])
    baseline = robust_baseline(values, excluded, weeks=8, min_weeks=4, z=4.0)
    flagged = [d for n, d in enumerate(dates) if baseline.distance(n, contexts[n].range_for("volume"))]
    return [d for d, c in zip(dates, contexts, strict=True) if "春节" in c.label], flagged


@unknown_2027
def test_a_user_holiday_is_left_out_of_the_baseline_like_a_built_in_one() -> None:
    built_in = series_findings(load_calendar(), SPRING_2026)
    assert built_in == (SPRING_2026, [])  # chinese-calendar's 春节 2026: excluded, not an alarm
    user = series_findings(alert_settings(USER_2027).calendar, SPRING_2027)
    assert user == (SPRING_2027, [])  # shopops.yaml's 春节 2027: the same
    unknown = series_findings(load_calendar(), SPRING_2027)
    assert unknown[0] == [] and unknown[1] == SPRING_2027  # without it: nine false alarms


@unknown_2027
def test_coverage_of_the_next_60_days() -> None:
    late_2026 = holiday_coverage(load_calendar(), dt.date(2026, 11, 30))
    assert (late_2026.end, late_2026.missing, late_2026.builtin_last) == (dt.date(2027, 1, 29), (2027,), 2026)
    assert late_2026.first_missing_day == dt.date(2027, 1, 1)
    assert holiday_coverage(load_calendar(), dt.date(2026, 10, 1)).missing == ()
    covered = holiday_coverage(alert_settings(USER_2027).calendar, dt.date(2026, 11, 30))
    assert (covered.missing, covered.user_years) == ((), (2027,))


@unknown_2027
def test_the_doctor_line_names_the_year_and_the_fix(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "display: {money_unit: 元}\n"))
    check = holiday_check(settings, dt.date(2026, 11, 30))
    assert (check.key, check.status) == ("holidays", "warn")
    assert check.message == (
        f"no holiday data for 2027, which begins within 60 days (chinese-calendar {package_version()} knows"
        " holidays up to 2026): its 春节 and other holidays would count as ordinary days in the baselines"
        " from 2027-01-01"
    )
    assert check.fix == (
        "pip install -U chinese-calendar (once a release knows 2027), or add 2027's days off"
        " under holidays: and 调休 days under workdays: in shopops.yaml"
    )
    user = load_settings(
        write_config(tmp_path, 'holidays: {"2027-01-01": 元旦, "2027-02-05..2027-02-13": 春节}\n')
    )
    check = holiday_check(user, dt.date(2026, 11, 30))
    assert (check.status, check.fix) == ("ok", "")
    assert check.message == (
        f"holiday data through 2027-01-29 (chinese-calendar {package_version()} knows holidays up to 2026;"
        " 2027 from shopops.yaml (10 days off))"
    )


def test_the_example_in_the_init_template_reads_when_uncommented(tmp_path: Path) -> None:
    from shopops.settings import DEFAULT_CONFIG

    lines = DEFAULT_CONFIG.splitlines()
    start = lines.index("#   holidays:")
    example = [line.removeprefix("#   ") for line in lines[start:] if line.startswith("#   ")][:4]
    settings = load_settings(write_config(tmp_path, DEFAULT_CONFIG + "\n".join(example) + "\n"))
    assert settings.holidays[dt.date(2027, 2, 5)] == "春节" and len(settings.holidays) == 8
    assert settings.workdays == {dt.date(2027, 2, 14)}
