"""What every strategy module shares: time zones, the hours of a day, and argument checks.

Each check raises :class:`~propcrm.errors.ValidationError` naming the strategy's
argument, so a bad argument fails when the strategy is built, not deep inside
a test run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from typing import TypeVar

from hypothesis import strategies as st

from propcrm._time import zone
from propcrm.errors import ValidationError

E = TypeVar("E", bound=Enum)

Hours = tuple[tuple[int, int], ...]
"""One day's working intervals, as minutes after midnight."""

_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Urumqi",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
)


def time_zones() -> st.SearchStrategy[str]:
    """IANA zone names, China's first, plus zones with daylight saving time."""
    return st.sampled_from(_ZONES)


def hours_text(hours: Hours) -> str:
    """The text form of one day's hours: ``"08:30-12:00,13:30-18:00"``."""
    return ",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in hours)


def moments(tz: tzinfo) -> st.SearchStrategy[datetime]:
    """Whole minutes of 2025-2026, shown in ``tz``."""
    base = datetime(2025, 1, 1, tzinfo=UTC)
    minutes = 2 * 365 * 24 * 60
    return st.integers(0, minutes).map(lambda m: (base + timedelta(minutes=m)).astimezone(tz))


# --- argument checks ------------------------------------------------------------------------


def check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """``value`` as an integer in ``[minimum, maximum]``, or a ValidationError naming ``name``."""
    wanted = f"an integer >= {minimum}"
    if maximum is not None:
        wanted = f"an integer from {minimum} to {maximum}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.expected(name, wanted, value)
    if value < minimum or (maximum is not None and value > maximum):
        raise ValidationError.expected(name, wanted, value)
    return value


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise ValidationError.expected(name, "True or False", value)
    return value


def check_date(name: str, value: object) -> date:
    """``value`` if it is a date (not a datetime)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value)
    return value


def check_days(first_name: str, first: object, last_name: str, last: object) -> None:
    """Two dates, the first not after the second."""
    if check_date(first_name, first) > check_date(last_name, last):
        raise ValidationError.expected(
            last_name, f"a date on or after {first_name} ({first})", last
        )


def check_strategy(name: str, value: object) -> None:
    """``None`` or a hypothesis strategy."""
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise ValidationError.expected(name, "a hypothesis strategy", value)


def check_texts(name: str, values: object, what: str) -> tuple[str, ...]:
    """A non-empty sequence of non-empty texts (``what`` says what each names)."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValidationError.expected(name, f"a sequence of {what}", values)
    if not values or not all(isinstance(v, str) and v for v in values):
        raise ValidationError.expected(name, f"at least one {what}, each a non-empty text", values)
    return tuple(values)


def check_member(name: str, value: object, kind: type[E]) -> E | None:
    """``None``, a member of the enum ``kind``, or the value of one."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(repr(m.value) for m in kind)
        raise ValidationError.expected(name, f"a {kind.__name__} (one of {known})", value) from None


def check_zone(name: str, value: str | tzinfo) -> tzinfo:
    """The zone an IANA name (or a ``tzinfo``) stands for."""
    return zone(value, name)
