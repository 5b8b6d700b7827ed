"""Private helpers of :mod:`propcrm.callbacks`: recurrences, festivals, roles, shares, time.

Kept apart so the public module reads as types, planners and rules; nothing
here is public API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from functools import cache
from math import lcm

from dateutil.rrule import MONTHLY, rrule
from holidays import country_holidays

from propcrm._calendar_table import FIRST_YEAR, LAST_YEAR
from propcrm._checks import beyond_dates
from propcrm.errors import ValidationError
from propcrm.roles import Role

__all__: list[str] = []

#: A year whose official schedule names every festival, to check festival names against.
_REFERENCE_YEAR = 2025


@cache
def festival_names() -> frozenset[str]:
    """English names of China's public holidays, and their bracketed alternatives.

    ``"Chinese New Year (Spring Festival)"`` gives both that name and
    ``"Spring Festival"``; observed days are left out. Immutable, computed once.
    """
    names = country_holidays("CN", years=_REFERENCE_YEAR, language="en_US").values()
    found = set()
    for part in (p.strip() for name in names for p in name.split(";")):
        if "(observed)" in part or "substituted" in part:
            continue
        found.add(part)
        found.update(inner.strip() for inner in re.findall(r"\(([^)]*)\)", part))
    return frozenset(found)


def festival_days(festivals: Iterable[str], year: int) -> tuple[list[tuple[str, date]], list[str]]:
    """First day of each named festival in ``year``, and the names not found that year."""
    calendar = country_holidays("CN", years=year, language="en_US")
    found: list[tuple[str, date]] = []
    missing: list[str] = []
    for name in festivals:
        days = [d for d in calendar.get_named(name) if d.year == year]
        if days:
            found.append((name, min(days)))
        else:
            missing.append(name)
    return found, missing


def birthday_in(born: date, year: int) -> date:
    """The birthday of someone born on ``born`` in ``year`` (29 Feb -> 28 Feb in common years)."""
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def periods(year: int, per_year: int, tz: tzinfo) -> list[tuple[datetime, datetime]]:
    """Split ``year`` into ``per_year`` equal runs of months, as [start, end) windows."""
    starts = list(
        rrule(
            MONTHLY,
            interval=12 // per_year,
            count=per_year,
            dtstart=datetime(year, 1, 1, tzinfo=tz),
        )
    )
    ends = [*starts[1:], datetime(year + 1, 1, 1, tzinfo=tz)]
    return list(zip(starts, ends, strict=True))


# --- small shared helpers --------------------------------------------------------------------


def role_value(value: object, name: str) -> str:
    """The value string of a :class:`~propcrm.roles.Role`, or an error listing the known roles."""
    if isinstance(value, Role):
        return value.value
    if isinstance(value, str) and value in _ROLE_VALUES:
        return value
    raise ValidationError.expected(
        name, "a role of propcrm.roles.Role", value, f"use one of {', '.join(_ROLE_VALUES)}"
    )


_ROLE_VALUES = tuple(role.value for role in Role)


def role_text(value: str) -> str:
    """A :class:`~propcrm.roles.Role` member as its value string; other values unchanged."""
    return value.value if isinstance(value, Role) else value


def share_weights(shares: object, name: str) -> dict[str, int]:
    """Validate role shares as integer weights.

    Each share is in [0, 1] and they sum to at most 1, at least one above 0. A
    share of 0 means the role takes no minimum share (and, as a share is the
    only way to be given repair callbacks, none at all): that is how a policy
    file, which merges with the default roles, leaves a default role out.
    """
    if not isinstance(shares, Mapping) or not shares:
        raise ValidationError.expected(name, "a non-empty table of role -> share", shares)
    exact: dict[str, Fraction] = {}
    for role, share in shares.items():
        key = role_value(role, f"{name}.{role}")
        ok = isinstance(share, int | float) and not isinstance(share, bool)
        if not ok or not 0 <= share <= 1:
            raise ValidationError.expected(
                f"{name}.{key}", "a share from 0 to 1", share, "0: the role takes no share"
            )
        exact[key] = Fraction(repr(float(share)))
    if sum(exact.values()) > 1:
        raise ValidationError.expected(
            name,
            "shares summing to at most 1",
            dict(shares),
            "each share is a minimum; set a role's share to 0 to leave it out",
        )
    if not any(exact.values()):
        raise ValidationError.expected(name, "at least one share above 0", dict(shares))
    scale = lcm(*(value.denominator for value in exact.values()))
    return {role: int(value * scale) for role, value in exact.items()}


def plus(moment: datetime, delta: timedelta) -> datetime:
    """Elapsed-time arithmetic, correct across daylight-saving changes."""
    try:
        return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)
    except OverflowError as e:
        raise beyond_dates("at", moment) from e


def midnight(day: date, tz: tzinfo) -> datetime:
    """The start of ``day`` in ``tz``."""
    return datetime.combine(day, time(0), tzinfo=tz)


def human(delta: timedelta) -> str:
    """``7 days``, ``1 day`` or ``24 h``."""
    if delta % timedelta(days=1) == timedelta(0):
        return f"{delta.days} day" + ("s" if delta.days != 1 else "")
    return f"{delta / timedelta(hours=1):g} h"


def require_year(value: object, name: str = "year") -> int:
    """Return ``value`` if it is an int year business calendars cover, else raise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not FIRST_YEAR <= value <= LAST_YEAR
    ):
        raise ValidationError.expected(
            name,
            f"an integer year between {FIRST_YEAR} and {LAST_YEAR}",
            value,
            "business calendars cover those years; pass e.g. year=2025",
        )
    return value
