"""Argument checks and error messages shared by :mod:`propcrm.calendar`'s queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from propcrm._calendar_build import EPOCH, HORIZON, US
from propcrm._time import require_aware, require_duration
from propcrm.errors import CalendarRangeError, ValidationError

__all__ = [
    "bad_arguments",
    "beyond_days",
    "beyond_horizon",
    "check_count",
    "check_order",
    "instant",
    "zone_name",
]


def instant(at: object, name: str) -> int:
    """An aware datetime as UTC microseconds, or the ValidationError naming ``name``."""
    return (require_aware(at, name) - EPOCH) // US


def check_order(start: date, end: date) -> None:
    """Refuse a range whose ``end`` comes before its ``start``."""
    if end < start:
        raise ValidationError.expected("end", f"a value at or after start ({start})", end)


def check_count(n: object) -> None:
    """Accept a whole number of days."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValidationError.expected("n", "a whole number of days", n)


def bad_arguments(
    first: object, first_name: str, second: object, second_name: str = ""
) -> Exception:
    """The ValidationError for arguments that failed the fast path."""
    try:
        require_aware(first, first_name)
        if second_name:
            require_aware(second, second_name)
        else:
            require_duration(second, "duration")
    except ValidationError as e:
        return e
    # Both passed their guards yet the arithmetic failed: an exotic tzinfo.
    return ValidationError(  # pragma: no cover
        first_name, f"{first_name}: cannot use {first!r}", first
    )


def beyond_horizon(start: datetime, duration: timedelta) -> CalendarRangeError:
    """The error for a deadline more than ten years away."""
    return CalendarRangeError(
        f"{duration} of business time from {start} ends more than {HORIZON.days} days away "
        "(or never): check the duration and that the calendar has working time"
    )


def beyond_days(start: date, n: int) -> CalendarRangeError:
    """The error for a working day more than ten years away."""
    return CalendarRangeError(f"working day {n:+d} from {start} is beyond {HORIZON.days} days")


def zone_name(tz: tzinfo) -> str:
    """A zone's IANA key, or its text."""
    return str(getattr(tz, "key", tz))
