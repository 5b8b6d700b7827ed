"""Strategies for :mod:`propcrm.calendar`: working weeks, business calendars, calendar policies."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from propcrm.calendar import BusinessCalendar, CalendarPolicy, CalendarSpec, WorkWeek
from propcrm.errors import ValidationError
from propcrm.testing.strategies._common import (
    Hours,
    check_bool,
    check_date,
    check_int,
    check_strategy,
    hours_text,
    time_zones,
)

__all__ = ["business_calendars", "calendar_policies", "work_weeks"]


def _check_grid(grid_minutes: int, max_per_day: int) -> None:
    bad = isinstance(grid_minutes, bool) or not isinstance(grid_minutes, int)
    if bad or grid_minutes < 1 or 1440 % grid_minutes:
        raise ValidationError.expected(
            "grid_minutes", "a whole number of minutes that divides a day (1440)", grid_minutes
        )
    check_int("max_per_day", max_per_day, 1)


def _day_hours(grid_minutes: int, max_per_day: int, night: bool) -> st.SearchStrategy[Hours]:
    """One day's intervals on the grid, the last one sometimes running past midnight."""
    steps = 1440 // grid_minutes

    @st.composite
    def day(draw: st.DrawFn) -> Hours:
        count = draw(st.integers(0, max_per_day))
        cuts = sorted(draw(st.sets(st.integers(0, steps), min_size=2 * count, max_size=2 * count)))
        hours = [
            (cuts[i] * grid_minutes, cuts[i + 1] * grid_minutes) for i in range(0, 2 * count, 2)
        ]
        if hours and night and draw(st.integers(0, 4)) == 0:
            opens = hours[-1][0]
            closes = draw(st.integers(1, max(1, opens // grid_minutes - 1))) * grid_minutes
            if closes < opens:
                hours[-1] = (opens, closes)
        return tuple(hours)

    return day()


def work_weeks(
    *, grid_minutes: int = 15, max_per_day: int = 2, night: bool = True, allow_empty: bool = True
) -> st.SearchStrategy[WorkWeek]:
    """Valid :class:`~propcrm.calendar.WorkWeek` values on a grid of minutes.

    Args:
        grid_minutes: Every open and close falls on a multiple of this (it must divide 1440).
        max_per_day: At most this many intervals a day.
        night: Whether intervals may run past midnight.
        allow_empty: Whether a week without any working time may come.

    Raises:
        ValidationError: an argument out of range, named.
    """
    _check_grid(grid_minutes, max_per_day)
    check_bool("night", night)
    check_bool("allow_empty", allow_empty)
    days = st.tuples(*[_day_hours(grid_minutes, max_per_day, night)] * 7)

    def valid(week: tuple[Hours, ...]) -> bool:
        try:
            WorkWeek(week)
        except ValidationError:
            return False
        return allow_empty or any(week)

    return days.filter(valid).map(WorkWeek)


def business_calendars(
    *,
    zones: st.SearchStrategy[str] | None = None,
    start: date = date(2025, 1, 1),
    days: int = 60,
    grid_minutes: int = 15,
    max_per_day: int = 2,
) -> st.SearchStrategy[BusinessCalendar]:
    """:class:`~propcrm.calendar.BusinessCalendar` values with closures, extra days and overrides.

    Their special dates fall in ``days`` days from ``start``; every week has
    some working time. No public holidays are used, so the calendars do not
    depend on the installed ``holidays`` release.

    Raises:
        ValidationError: an argument out of range, named.
    """
    _check_grid(grid_minutes, max_per_day)
    check_strategy("zones", zones)
    check_date("start", start)
    check_int("days", days, 1)
    dates = st.integers(0, days - 1).map(lambda n: start + timedelta(days=n))
    hours = _day_hours(grid_minutes, max_per_day, night=True).map(hours_text)
    return st.builds(
        BusinessCalendar,
        work_weeks(grid_minutes=grid_minutes, max_per_day=max_per_day, allow_empty=False),
        tz=zones if zones is not None else time_zones(),
        closed=st.frozensets(dates, max_size=4),
        extra_working=st.frozensets(dates, max_size=3),
        overrides=st.dictionaries(dates, hours, max_size=3),
    )


def calendar_policies() -> st.SearchStrategy[CalendarPolicy]:
    """:class:`~propcrm.calendar.CalendarPolicy` values: the defaults, changed and added to."""
    days = st.dates(date(2024, 1, 1), date(2027, 12, 31))
    specs = st.builds(
        CalendarSpec,
        week=work_weeks(grid_minutes=30),
        holidays=st.sampled_from(("CN", "HK", "US-NY", "none")),
        tz=st.just("") | time_zones(),
        closed=st.lists(days, max_size=3).map(tuple),
        extra_working=st.lists(days, max_size=2).map(tuple),
        overrides=st.dictionaries(
            days.map(date.isoformat),
            _day_hours(30, 2, night=True).map(hours_text),
            max_size=2,
        ),
    )
    names = st.sampled_from(("office", "desk", "repair", "night", "维修"))
    return st.dictionaries(names, specs, max_size=3).map(CalendarPolicy)
