"""Time at the boundary: aware-datetime guards, durations in text, and clocks.

Engines never read the clock; they take time as an argument. Services take a
:class:`Clock` so tests can pin and step time with :class:`FixedClock`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from propcrm.errors import CalendarRangeError, ValidationError

__all__ = [
    "Clock",
    "FixedClock",
    "SystemClock",
    "format_duration",
    "parse_duration",
    "require_aware",
    "require_duration",
    "steady_offset",
    "zone",
]


def require_aware(value: object, field: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise :class:`ValidationError`.

    >>> from datetime import datetime
    >>> from propcrm._time import require_aware
    >>> require_aware(datetime(2025, 1, 1, 8), "start")
    Traceback (most recent call last):
    ...
    propcrm.errors.ValidationError: start must be timezone-aware (got 2025-01-01 08:00:00); \
attach a zone, e.g. ZoneInfo('Asia/Shanghai')
    """
    if not isinstance(value, datetime):
        raise ValidationError.expected(
            field, "a timezone-aware datetime", value, "pass a datetime.datetime with tzinfo"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            field,
            f"{field} must be timezone-aware (got {value}); "
            "attach a zone, e.g. ZoneInfo('Asia/Shanghai')",
            value,
        )
    return value


def steady_offset(zone: tzinfo | None, year: int) -> timedelta | None:
    """``zone``'s UTC offset if it keeps that one offset all through ``year``, else ``None``.

    Sampled every hour from 31 December of the year before to 2 January of the
    year after (in UTC, so the local year is covered at both ends); no zone
    changes its offset and back again within one hour. Within such a year, two
    moments of the zone compare by their wall clock exactly as by their instants.

    The answer is cached per (zone, year). A zone that cannot be hashed (dateutil's
    ``tzfile``, a standard ``tzinfo`` all the same) cannot be cached, so it is taken
    as varying: its moments are then handled in UTC, which is right for any zone.
    """
    if type(zone).__hash__ is None:  # unhashable: cannot be cached, taken as varying
        return None
    if not 1 < year < 9999:  # the samples would leave the years datetime holds
        return None
    return _steady_offset(zone, year)


@lru_cache(maxsize=64)
def _steady_offset(zone: tzinfo | None, year: int) -> timedelta | None:
    first = datetime(year - 1, 12, 31, tzinfo=UTC)
    offsets = {(first + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(24 * 368)}
    return offsets.pop() if len(offsets) == 1 else None


def require_duration(value: object, field: str) -> timedelta:
    """Return ``value`` if it is a ``timedelta``, else raise :class:`ValidationError`."""
    if not isinstance(value, timedelta):
        raise ValidationError.expected(
            field, "a datetime.timedelta", value, "e.g. timedelta(hours=8)"
        )
    return value


def zone(name: str | tzinfo, field: str = "tz") -> tzinfo:
    """Resolve an IANA zone name, or check a ``tzinfo``.

    A ``ZoneInfo``, a fixed ``datetime.timezone`` and any ``tzinfo`` that
    follows the standard protocol (e.g. ``dateutil.tz``) pass through. A pytz
    zone — whose offset is only right after ``localize()``, so attaching it
    with ``tzinfo=`` reads the 1900s local mean time — is replaced by the
    ``ZoneInfo`` of the same name; a pytz-style zone without a name is kept
    only if its offset never varies, else refused.

    >>> from propcrm._time import zone
    >>> zone("Asia/Shanghai")
    zoneinfo.ZoneInfo(key='Asia/Shanghai')
    """
    if isinstance(name, ZoneInfo | timezone):
        return name
    if isinstance(name, tzinfo):
        return _checked_tzinfo(name, field)
    if not isinstance(name, str) or not name:
        raise ValidationError.expected(
            field, "an IANA time-zone name", name, "e.g. 'Asia/Shanghai'"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise ValidationError.expected(
            field, "an IANA time-zone name", name, "e.g. 'Asia/Shanghai' or 'UTC'"
        ) from e


# Wall times where a varying zone shows different offsets: local mean time, 1970, today.
# Naive on purpose: they are handed to the zone's own utcoffset().
_PROBES = tuple(datetime(y, m, 1) for y, m in ((1900, 1), (1970, 1), (2025, 1), (2025, 7)))  # noqa: DTZ001


def _checked_tzinfo(value: tzinfo, field: str) -> tzinfo:
    """A non-ZoneInfo ``tzinfo`` the calendar can attach with ``tzinfo=``, or an error."""
    key = getattr(value, "zone", None)
    if isinstance(key, str) and key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError) as e:
            raise _not_a_zone(field, value) from e
    if not hasattr(value, "localize"):
        return value  # a standard tzinfo (dateutil and the like) reads wall times correctly
    offsets = {value.utcoffset(moment) for moment in _PROBES}
    if len(offsets) == 1 and None not in offsets:
        return value  # a fixed offset means the same however it is attached
    raise _not_a_zone(field, value)


def _not_a_zone(field: str, value: tzinfo) -> ValidationError:
    return ValidationError.expected(
        field,
        "a zoneinfo.ZoneInfo or an IANA time-zone name",
        value,
        "pass ZoneInfo('Asia/Shanghai') or the name 'Asia/Shanghai'; a pytz-style zone "
        "without a zone name gives wrong offsets when attached with tzinfo=",
    )


# Longer unit names first, and no letter may follow a unit: "1ms" is never "1m" + "s".
_DURATION_PART = re.compile(r"\s*([0-9]{1,18})\s*(d|h|min|ms|us|m|s)(?![A-Za-z])")
_UNIT_MICROSECONDS = {
    "d": 86_400_000_000,
    "h": 3_600_000_000,
    "min": 60_000_000,
    "m": 60_000_000,
    "s": 1_000_000,
    "ms": 1_000,
    "us": 1,
}


def parse_duration(text: str, field: str = "duration") -> timedelta:
    """Parse a compact duration such as ``"48h"``, ``"1h30m"``, ``"15min"`` or ``"3d"``.

    Units: ``d`` days, ``h`` hours, ``m``/``min`` minutes, ``s`` seconds, ``ms``
    milliseconds and ``us`` microseconds. Each part is a whole number with its unit;
    parts may repeat, come in any order and be separated by spaces.

    >>> from propcrm import parse_duration
    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("1s500ms")
    datetime.timedelta(seconds=1, microseconds=500000)
    >>> parse_duration("0s")
    datetime.timedelta(0)
    """
    if not isinstance(text, str):
        raise ValidationError.expected(field, "a duration such as '48h' or '1h30m'", text)
    compact = text.strip()
    pos = 0
    microseconds = 0
    for match in _DURATION_PART.finditer(compact):
        if match.start() != pos:
            break
        microseconds += int(match.group(1)) * _UNIT_MICROSECONDS[match.group(2)]
        pos = match.end()
    if pos == 0 or pos != len(compact):
        raise ValidationError.expected(
            field,
            "a duration such as '48h', '1h30m', '15min' or '3d'",
            text,
            "use whole numbers with the units d, h, m (or min), s, ms and us",
        )
    try:
        return timedelta(microseconds=microseconds)
    except OverflowError as e:
        raise ValidationError.expected(
            field, f"a duration of at most {timedelta.max.days}d", text
        ) from e


def format_duration(value: timedelta) -> str:
    """Format a non-negative duration in the form :func:`parse_duration` reads.

    Durations under a week are written in hours, as service levels are quoted
    ("48 hours", "72 hours"), so that a business-time allowance never reads as
    working days; a week or more in days. ``d`` always means 24 hours. A fraction
    of a second is written in ``ms`` and ``us``, so every duration round-trips.

    >>> from datetime import timedelta
    >>> from propcrm import format_duration
    >>> format_duration(timedelta(hours=48))
    '48h'
    >>> format_duration(timedelta(minutes=90))
    '1h30m'
    >>> format_duration(timedelta(days=7))
    '7d'
    >>> format_duration(timedelta(seconds=2, microseconds=500250))
    '2s500ms250us'
    """
    if require_duration(value, "value") < timedelta(0):
        raise ValidationError.expected(
            "value", "a non-negative duration", value, "durations are spans, never negative"
        )
    total = value // timedelta(microseconds=1)
    if total == 0:
        return "0s"
    units: tuple[tuple[str, int], ...] = tuple(
        (unit, _UNIT_MICROSECONDS[unit]) for unit in ("d", "h", "m", "s", "ms", "us")
    )
    if value < timedelta(days=7):
        units = units[1:]
    parts = []
    for unit, size in units:
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current time as an aware datetime."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock, reporting in ``tz`` (UTC by default)."""

    def __init__(self, tz: str | tzinfo = UTC) -> None:
        self._tz = zone(tz)

    def now(self) -> datetime:
        """Return the current instant in this clock's zone."""
        return datetime.now(self._tz)

    def __repr__(self) -> str:
        return f"SystemClock(tz={self._tz!r})"


class FixedClock:
    """A clock for tests: it shows ``at`` until you :meth:`advance` or :meth:`set` it.

    >>> from datetime import datetime, timedelta
    >>> from propcrm import FixedClock
    >>> from zoneinfo import ZoneInfo
    >>> clock = FixedClock(datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    >>> clock.advance(timedelta(hours=2)).hour
    10
    """

    def __init__(self, at: datetime) -> None:
        self._at = require_aware(at, "at")

    def now(self) -> datetime:
        """Return the pinned instant."""
        return self._at

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (or back, for a negative ``delta``) and return the new time."""
        try:
            self._at = self._at + require_duration(delta, "delta")
        except OverflowError as e:
            raise CalendarRangeError(
                f"delta: {self._at} + {delta} is past the years 1 to 9999; advance by less"
            ) from e
        return self._at

    def set(self, at: datetime) -> None:
        """Pin the clock to ``at``."""
        self._at = require_aware(at, "at")

    def __repr__(self) -> str:
        return f"FixedClock({self._at!r})"
