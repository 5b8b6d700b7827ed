"""What a :class:`~propcrm.calendar.BusinessCalendar` answers beyond its fast paths.

When an instant falls outside the engine's current table the calendar asks the
engine itself, which grows its tables or ends the search with a
:class:`~propcrm.errors.CalendarRangeError`; the one-call queries (interval
ends, previous working time, working days and intervals) always ask it; and
when a date has no working time, the engine's layers say why, as a
:class:`~propcrm.explain.Reason`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta

from propcrm._calendar_build import HORIZON, US
from propcrm._calendar_checks import (
    beyond_days,
    beyond_horizon,
    check_count,
    check_order,
    instant,
)
from propcrm._calendar_holidays import HolidaysArg, holiday_label
from propcrm._calendar_table import Engine
from propcrm._calendar_text import WEEKDAYS, WorkWeek, check_date
from propcrm.errors import CalendarRangeError
from propcrm.explain import Reason

__all__ = [
    "add_slow",
    "close_of_day_slow",
    "closed_reason",
    "elapsed_slow",
    "interval_end",
    "next_working_time_slow",
    "nth_working_day",
    "previous_working_time",
    "working_days",
    "working_intervals",
]


# --- slow paths: tables to grow --------------------------------------------------------------


def add_slow(engine: Engine, start: datetime, d: int) -> datetime:
    """``start`` plus ``d`` microseconds of business time, found by the engine."""
    s = instant(start, "start")
    if d == 0:
        return engine.moment(s)
    found = engine.add(s, d)
    if found is None:
        raise beyond_horizon(start, d * US)
    return engine.moment(found)


def next_working_time_slow(engine: Engine, at: datetime) -> datetime:
    """The first working instant at or after ``at``, found by the engine."""
    found = engine.next_open(instant(at, "at"))
    if found is None:
        raise CalendarRangeError(f"no working time within {HORIZON.days} days of {at}")
    return engine.moment(found)


def close_of_day_slow(engine: Engine, at: datetime) -> datetime:
    """The close of the working day holding ``at`` (or the next), found by the engine."""
    found = engine.close_after(instant(at, "at"))
    if found is None:
        raise CalendarRangeError(f"no working day closes within {HORIZON.days} days of {at}")
    return engine.moment(found)


def elapsed_slow(engine: Engine, start: datetime, end: datetime) -> timedelta:
    """Business time from ``start`` to ``end``, counted by the engine."""
    return engine.elapsed(instant(start, "start"), instant(end, "end")) * US


# --- the one-call queries: always the engine's -------------------------------------------------


def nth_working_day(engine: Engine, start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n < 0``)."""
    check_date(start, "start")
    check_count(n)
    found = engine.nth_working_day(start, n)
    if found is None:
        raise beyond_days(start, n)
    return date.fromordinal(found)


def interval_end(engine: Engine, at: datetime) -> datetime:
    """The close of the working interval holding ``at``, or else of the next one."""
    found = engine.interval_end(instant(at, "at"))
    if found is None:
        raise CalendarRangeError(f"no working interval closes within {HORIZON.days} days of {at}")
    return engine.moment(found)


def previous_working_time(engine: Engine, at: datetime) -> datetime:
    """The latest working instant at or before ``at``."""
    found = engine.previous_working(instant(at, "at"))
    if found is None:
        raise CalendarRangeError(f"no working time within {HORIZON.days} days before {at}")
    return engine.moment(found)


def working_days(engine: Engine, start: date, end: date) -> Iterator[date]:
    """The working days ``start <= day < end``; the range is checked (and built) now."""
    check_date(start, "start")
    check_date(end, "end")
    check_order(start, end)
    return map(date.fromordinal, engine.days_between(start, end))


def working_intervals(
    engine: Engine, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The working intervals clipped to ``[start, end)``; the range is checked (and built) now."""
    s, e = instant(start, "start"), instant(end, "end")
    check_order(start, end)
    moment = engine.moment
    return ((moment(a), moment(b)) for a, b in engine.intervals(s, e))


# --- why a date is closed ------------------------------------------------------------------


def closed_reason(
    engine: Engine,
    on: date,
    holidays: HolidaysArg,
    week: WorkWeek,
    extra_from: int | None,
    overrides: Mapping[date, str],
) -> Reason:
    """Why ``on``, a date without working time, is closed: the layer that closed it."""
    layer, name = engine.layer(on)
    facts: dict[str, object] = {"on": on}
    if layer == "holiday":
        facts.update(holiday=name, holidays=holiday_label(holidays))
        message = f"{name}: a public holiday ({holiday_label(holidays)})"
        return Reason("calendar.holiday", message, facts)
    if layer == "company":
        return Reason("calendar.company_closure", "a company closure", facts)
    if layer == "override" and not overrides[on]:
        return Reason("calendar.override", "an override closes the date", facts)
    weekday = WEEKDAYS[on.weekday()]
    facts["weekday"] = weekday
    if layer == "week" and not week.days[on.weekday()]:
        message = f"the working week has no hours on {weekday}"
        return Reason("calendar.weekend", message, facts)
    if layer in ("extra", "makeup") and extra_from is None:
        message = "extra working days have no hours: the working week has none"
        return Reason("calendar.no_hours", message, facts)
    # The date has hours, but they fall in a spring-forward gap.
    message = "its working hours fall in a clock change"
    return Reason("calendar.clock_change", message, facts)
