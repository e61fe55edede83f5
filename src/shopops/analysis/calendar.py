"""The promo calendar (大促日历) and Chinese statutory holidays: days when sales are expected to move.

Anomaly detection leaves these days out of the baselines and compares them with a widened range
(the ``lift`` of the day) instead of the normal one, so 双11 is a peak, not an alarm.
The default calendar ships as ``promo_calendar.yaml``; ``promo_calendar:`` in shopops.yaml
changes it (same keys replace, new keys add, ``enabled: false`` removes).

Holidays come from chinese-calendar, which knows the State Council's schedule only up to the year
of its release; ``holidays:`` and ``workdays:`` in shopops.yaml add days for later years (or
correct earlier ones), and ``holiday_coverage`` says which coming days have no holiday data at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
import yaml

from shopops.errors import WorkspaceError
from shopops.holiday_settings import user_holidays

KINDS = ("volume", "rate", "refund")
Lift = tuple[float, float]
NORMAL_LIFT: Mapping[str, Lift] = dict.fromkeys(KINDS, (1.0, 1.0))

HOLIDAY_LABELS = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class Promotion:
    key: str
    label: str
    start: str  # MM-DD
    end: str  # MM-DD
    peak: tuple[str, ...] = ()
    after: int = 0
    years: Mapping[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    lift: Mapping[str, Lift] = field(default_factory=dict)
    peak_lift: Mapping[str, Lift] = field(default_factory=dict)

    def window(self, year: int) -> tuple[dt.date, dt.date]:
        if year in self.years:
            return self.years[year]
        start = _month_day(year, self.start)
        end = _month_day(year, self.end)
        if end < start:  # a window across new year belongs to the year it ends in
            start = _month_day(year - 1, self.start)
        return start, end


@dataclass(frozen=True)
class DayContext:
    """What kind of day a date is: normal, a promotion (预热/大促日), the days after one, a holiday."""

    kind: str  # normal | promo | peak | after | holiday
    label: str  # 中文: 双11预热, 双11, 双11后, 国庆节 …
    lift: Mapping[str, Lift]

    @property
    def special(self) -> bool:
        return self.kind != "normal"

    def range_for(self, metric_kind: str) -> Lift:
        return self.lift.get(metric_kind, (1.0, 1.0))


NORMAL_DAY = DayContext("normal", "", NORMAL_LIFT)


@dataclass(frozen=True)
class PromoCalendar:
    promotions: tuple[Promotion, ...]
    holiday_lift: Mapping[str, Lift]
    after_lift: Mapping[str, Lift]
    user_holidays: Mapping[dt.date, str] = field(default_factory=dict)  # holidays: in shopops.yaml
    user_workdays: frozenset[dt.date] = frozenset()  # workdays: (调休上班) in shopops.yaml

    def holiday(self, day: dt.date) -> str | None:
        """The holiday a day belongs to: shopops.yaml's days first, then chinese-calendar's."""
        if day in self.user_workdays:
            return None
        return self.user_holidays.get(day) or holiday_name(day)

    def user_years(self) -> set[int]:
        """The years for which shopops.yaml gives holidays or 调休 working days."""
        return {d.year for d in (*self.user_holidays, *self.user_workdays)}

    def day(self, day: dt.date) -> DayContext:
        """The context of one day; where several apply (a holiday inside a promotion) their lifts unite."""
        found: list[DayContext] = []
        for promotion in self.promotions:
            for year in (day.year, day.year + 1):
                start, end = promotion.window(year)
                peaks = {_month_day(end.year, p) for p in promotion.peak}
                if day in peaks:
                    found.append(DayContext("peak", promotion.label, promotion.peak_lift or promotion.lift))
                elif start <= day <= end:
                    warm = (
                        f"{promotion.label}预热" if promotion.peak and day < min(peaks) else promotion.label
                    )
                    found.append(DayContext("promo", warm, promotion.lift))
                elif end < day <= end + dt.timedelta(days=promotion.after):
                    found.append(DayContext("after", f"{promotion.label}后", self.after_lift))
        holiday = self.holiday(day)
        if holiday:
            found.append(DayContext("holiday", holiday, self.holiday_lift))
        if not found:
            return NORMAL_DAY
        rank = {"peak": 0, "promo": 1, "holiday": 2, "after": 3}
        found.sort(key=lambda c: rank[c.kind])
        lift = {
            kind: (min(c.range_for(kind)[0] for c in found), max(c.range_for(kind)[1] for c in found))
            for kind in KINDS
        }
        labels = list(dict.fromkeys(c.label for c in found))
        return DayContext(found[0].kind, "、".join(labels), lift)


def holiday_name(day: dt.date) -> str | None:
    """The statutory holiday a day belongs to (春节, 国庆节 …); None on other days and weekends.

    chinese-calendar knows the State Council's schedule up to its release; later years count as
    having no holidays until the package is updated or shopops.yaml gives them (``PromoCalendar.holiday``).
    """
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not is_holiday or not name:
        return None
    return HOLIDAY_LABELS.get(str(name), str(name))


def _month_day(year: int, text: str) -> dt.date:
    month, day = (int(part) for part in text.split("-"))
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return dt.date(year, month, day)


def _lift(value: Any, where: str, problems: list[str], default: Mapping[str, Lift]) -> dict[str, Lift]:
    result = dict(default)
    if value is None:
        return result
    if not isinstance(value, dict):
        problems.append(f"{where} must map {', '.join(KINDS)} to [low, high]")
        return result
    for kind, pair in value.items():
        if kind not in KINDS:
            problems.append(f"{where}.{kind} is not one of {', '.join(KINDS)}")
            continue
        try:
            low, high = (float(x) for x in pair)
        except (TypeError, ValueError):
            problems.append(f"{where}.{kind} must be [low, high] such as [0.5, 2.0]")
            continue
        if not 0 <= low <= 1 <= high:
            problems.append(
                f"{where}.{kind} is [{low}, {high}]; low must be ≤ 1 ≤ high (multiples of normal)"
            )
            continue
        result[str(kind)] = (low, high)
    return result


def _month_day_text(value: Any, where: str, problems: list[str]) -> str:
    text = str(value or "").strip()
    try:
        _month_day(2024, text)
    except (ValueError, TypeError):
        problems.append(f'{where} is {value!r}; write a month-day such as "11-11" (in quotes)')
        return "01-01"
    return text


def _promotion(raw: Any, where: str, problems: list[str]) -> Promotion | None:
    if not isinstance(raw, dict) or not raw.get("key"):
        problems.append(f"{where} needs at least key, label, start and end")
        return None
    years: dict[int, tuple[dt.date, dt.date]] = {}
    for year, pair in (raw.get("years") or {}).items():
        try:
            first, last = (dt.date.fromisoformat(str(x)) for x in pair)
            years[int(year)] = (first, last)
        except (TypeError, ValueError):
            problems.append(f"{where}.years.{year} must be [YYYY-MM-DD, YYYY-MM-DD]")
    peaks = raw.get("peak") or []
    peak = tuple(
        _month_day_text(p, f"{where}.peak", problems) for p in (peaks if isinstance(peaks, list) else [peaks])
    )
    try:
        after = int(raw.get("after") or 0)
    except (TypeError, ValueError):
        problems.append(f"{where}.after must be a number of days")
        after = 0
    lift = _lift(raw.get("lift"), f"{where}.lift", problems, NORMAL_LIFT)
    return Promotion(
        key=str(raw["key"]),
        label=str(raw.get("label") or raw["key"]),
        start=_month_day_text(raw.get("start"), f"{where}.start", problems),
        end=_month_day_text(raw.get("end"), f"{where}.end", problems),
        peak=peak,
        after=after,
        years=years,
        lift=lift,
        peak_lift=_lift(raw.get("peak_lift"), f"{where}.peak_lift", problems, lift),
    )


@cache
def _default_data() -> dict[str, Any]:
    text = resources.files("shopops.analysis").joinpath("promo_calendar.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def load_calendar(
    override: Any = None,
    *,
    where: str = "shopops.yaml: promo_calendar",
    holidays: Any = None,
    workdays: Any = None,
) -> PromoCalendar:
    """The default calendar, changed by the ``promo_calendar:`` mapping of shopops.yaml (if any),
    with the ``holidays:`` and ``workdays:`` of shopops.yaml added to chinese-calendar's."""
    problems: list[str] = []
    days_off, working = user_holidays(holidays, workdays, problems)
    if problems:
        raise WorkspaceError("shopops.yaml: " + "; ".join(problems))
    default = _default_data()
    if override is not None and not isinstance(override, dict):
        raise WorkspaceError(f"{where} must be a mapping with promotions:, holidays:, after:")
    override = override or {}
    entries: dict[str, Any] = {str(p["key"]): p for p in default["promotions"]}
    extra = override.get("promotions") or []
    if not isinstance(extra, list):
        problems.append(f"{where}.promotions must be a list of promotions")
        extra = []
    for position, raw in enumerate(extra):
        if isinstance(raw, dict) and raw.get("key") and raw.get("enabled", True) is False:
            entries.pop(str(raw["key"]), None)
        elif isinstance(raw, dict) and raw.get("key") in entries:
            entries[str(raw["key"])] = {**entries[str(raw["key"])], **raw}
        elif isinstance(raw, dict) and raw.get("key"):
            entries[str(raw["key"])] = raw
        else:
            problems.append(f"{where}.promotions[{position}] needs a key")
    promotions = [
        p for key, raw in entries.items() if (p := _promotion(raw, f"{where}.promotions ({key})", problems))
    ]
    holiday_lift = _lift(
        (override.get("holidays") or {}).get("lift"),
        f"{where}.holidays.lift",
        problems,
        _lift(default["holidays"]["lift"], "holidays", problems, NORMAL_LIFT),
    )
    after = _lift(
        (override.get("after") or {}).get("lift"),
        f"{where}.after.lift",
        problems,
        _lift(default["after"]["lift"], "after", problems, NORMAL_LIFT),
    )
    if problems:
        raise WorkspaceError("; ".join(problems))
    return PromoCalendar(tuple(promotions), holiday_lift, after, days_off, working)


# -- coverage: which coming days have holiday data -------------------------------------------


@cache
def builtin_knows(year: int) -> bool:
    """Whether chinese-calendar has the holiday schedule of ``year``."""
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def builtin_last_year(near: int) -> int | None:
    """The last year chinese-calendar knows, looking back from ``near``; None if none is known."""
    return next((y for y in range(near, near - 30, -1) if builtin_knows(y)), None)


def package_version() -> str:
    try:
        return metadata.version("chinese-calendar")
    except metadata.PackageNotFoundError:
        return "?"


@dataclass(frozen=True)
class HolidayCoverage:
    """Holiday data for the days from ``start`` to ``end``: the years without any (``missing``)."""

    start: dt.date
    end: dt.date
    missing: tuple[int, ...]  # years of the window known neither to chinese-calendar nor to shopops.yaml
    user_years: tuple[int, ...]  # years of the window whose holidays come from shopops.yaml
    builtin_last: int | None  # the last year chinese-calendar knows
    version: str  # of chinese-calendar

    @property
    def first_missing_day(self) -> dt.date | None:
        return max(self.start, dt.date(self.missing[0], 1, 1)) if self.missing else None


def holiday_coverage(calendar: PromoCalendar, today: dt.date, days: int = 60) -> HolidayCoverage:
    """Which years of today and the next ``days`` days have no holiday data (neither built in nor
    in shopops.yaml): their 春节, 国庆 … would count as ordinary days in the baselines."""
    end = today + dt.timedelta(days=days)
    years = range(today.year, end.year + 1)
    given = calendar.user_years()
    return HolidayCoverage(
        start=today,
        end=end,
        missing=tuple(y for y in years if not builtin_knows(y) and y not in given),
        user_years=tuple(y for y in years if y in given),
        builtin_last=builtin_last_year(end.year),
        version=package_version(),
    )
