"""How a :class:`~propcrm.calendar.BusinessCalendar` is set up from its arguments.

Each argument is checked (naming it) and turned into what the engine of
``_calendar_table`` works on: microseconds of each weekday's hours, ordinals of
the closed and extra dates, and the overrides' hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, tzinfo

from propcrm._calendar_holidays import HolidaysArg, provisional_warning, schedule_for
from propcrm._calendar_table import Engine
from propcrm._calendar_text import (
    WEEKDAYS,
    WorkWeek,
    check_date,
    check_years,
    dates,
    day_hours,
    hours_text,
    to_us,
)
from propcrm._checks import require_mapping
from propcrm.errors import ValidationError

__all__ = ["Spec", "set_up"]

Spec = tuple[frozenset[int], frozenset[int], dict[date, str]]
"""The company's own dates as given: closed and extra ordinals, overrides as text."""

_OVERRIDES = "a mapping of date -> hours text, e.g. {date(2025, 10, 9): '09:00-12:00'}"


def set_up(
    week: WorkWeek,
    tz: tzinfo,
    holidays: HolidaysArg,
    *,
    closed: Iterable[date],
    extra_working: Iterable[date],
    overrides: Mapping[date, str] | None,
    extra_hours_from: str | None,
    years: Iterable[int] | None,
) -> tuple[int | None, Spec, Engine]:
    """The weekday extra days borrow hours from, the company's dates, and the engine.

    Raises:
        ValidationError: an unknown holiday source, bad dates or hours, or a bad
            ``extra_hours_from`` — in that order.
    """
    schedule = schedule_for(holidays)
    closed_days = dates(closed, "closed")
    extra_days = dates(extra_working, "extra_working")
    override_text: dict[date, str] = {}
    override_us: dict[int, tuple[tuple[int, int], ...]] = {}
    given = {} if overrides is None else require_mapping(overrides, "overrides", _OVERRIDES)
    for day, text in given.items():
        check_date(day, "overrides")
        hours = day_hours(text, f"overrides[{day.isoformat()}]")
        override_text[day] = hours_text(hours)
        override_us[day.toordinal()] = to_us(hours)
    extra_from = _extra_weekday(week, extra_hours_from)
    week_us = tuple(to_us(hours) for hours in week.days)
    extra_us = () if extra_from is None else week_us[extra_from]
    wanted = None if years is None else check_years(years)
    engine = Engine(
        tz,
        week_us,
        extra_us,
        closed_days,
        extra_days,
        override_us,
        schedule,
        provisional_warning,
    )
    if wanted is not None:
        engine.cover(min(wanted), max(wanted))
    return extra_from, (closed_days, extra_days, override_text), engine


def _extra_weekday(week: WorkWeek, name: str | None) -> int | None:
    """The weekday whose hours extra working dates work: ``name``, or the first with hours."""
    if name is None:
        return next((i for i, hours in enumerate(week.days) if hours), None)
    if name not in WEEKDAYS:
        raise ValidationError.expected("extra_hours_from", "one of " + ", ".join(WEEKDAYS), name)
    if not week.days[WEEKDAYS.index(name)]:
        raise ValidationError.expected(
            "extra_hours_from",
            "a weekday that has working hours",
            name,
            f"the week is {str(week)!r}",
        )
    return WEEKDAYS.index(name)
