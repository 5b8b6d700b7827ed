"""Text forms of :mod:`propcrm.calendar`: the :class:`WorkWeek`, hours such as ``08:30-12:00``.

Reading errors say what could not be read and where (the column), so a
company can fix its policy file without guessing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date, datetime

from attrs import field, frozen

from propcrm._calendar_build import FIRST_YEAR, LAST_YEAR
from propcrm._checks import require_text
from propcrm.errors import ValidationError, shown

__all__ = [
    "WEEKDAYS",
    "Hours",
    "WorkWeek",
    "check_date",
    "check_hours",
    "check_years",
    "dates",
    "day_hours",
    "days_text",
    "hours_problem",
    "hours_text",
    "parse_days",
    "parse_hours",
    "text_error",
    "to_us",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Working intervals of one day: ``(open, close)`` in minutes after midnight;
#: ``close < open`` runs past midnight into the next day.
Hours = tuple[tuple[int, int], ...]

_INTERVAL = re.compile(r"([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})")
_MINUTE_US = 60_000_000


def parse_hours(text: str, field: str, whole: str) -> Hours:
    """Read ``"08:30-12:00,13:30-18:00"`` into sorted minute pairs (``""`` is not allowed)."""
    hours = []
    for piece in text.split(","):
        piece = piece.strip()
        match = _INTERVAL.fullmatch(piece)
        if not match:
            raise text_error(field, whole, piece, "expected hours like 08:30-12:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise text_error(field, whole, piece, "not a time of day (00:00 to 24:00)")
        opens, closes = h1 * 60 + m1, h2 * 60 + m2
        if closes == 0:
            closes = 1440
        if closes == opens:
            raise text_error(field, whole, piece, "an empty interval (it opens when it closes)")
        hours.append((opens, closes))
    return tuple(sorted(hours))


def parse_days(names: str, field: str, whole: str) -> list[int]:
    """Read ``"mon-fri"``, ``"sat,sun"`` or ``"mon,wed-fri"`` into weekday numbers."""
    days: list[int] = []
    for part in names.lower().split(","):
        first, dash, last = part.partition("-")
        for name in (first, last) if dash else (first,):
            if name not in WEEKDAYS:
                raise text_error(
                    field, whole, name or part, "unknown weekday; use " + ", ".join(WEEKDAYS)
                )
        a = WEEKDAYS.index(first)
        b = WEEKDAYS.index(last) if dash else a
        if b < a:
            raise text_error(field, whole, part, "a range of days runs forward, e.g. mon-fri")
        days.extend(range(a, b + 1))
    return days


def hours_problem(hours: Hours) -> str | None:
    """Why one day's sorted intervals are invalid (they overlap), or None."""
    for (a1, b1), (a2, b2) in itertools.pairwise(hours):
        if b1 < a1 or b1 > a2:
            return f"intervals {hours_text(((a1, b1),))} and {hours_text(((a2, b2),))} overlap"
    return None


def check_hours(hours: object, name: str) -> None:
    """Validate one day of a :class:`~propcrm.calendar.WorkWeek` given as minute pairs."""
    ok = isinstance(hours, tuple) and all(
        isinstance(pair, tuple)
        and len(pair) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in pair)
        and 0 <= pair[0] < 1440
        and 0 < pair[1] <= 1440
        and pair[0] != pair[1]
        for pair in hours
    )
    if not ok:
        raise ValidationError.expected(
            name, "(open, close) minute pairs, open 0..1439, close 1..1440", hours
        )
    assert isinstance(hours, tuple)
    if list(hours) != sorted(hours):
        raise ValidationError.expected(name, "intervals sorted by opening time", hours)
    problem = hours_problem(hours)
    if problem:
        raise ValidationError(name, f"{name}: {problem}", hours)


def to_us(hours: Hours) -> tuple[tuple[int, int], ...]:
    """Minute pairs as microseconds after midnight, a night close moved to the next day."""
    return tuple((a * _MINUTE_US, (b if b > a else b + 1440) * _MINUTE_US) for a, b in hours)


def hours_text(hours: Hours) -> str:
    """Minute pairs back in text form."""
    return ",".join(f"{_clock(a)}-{_clock(b)}" for a, b in hours)


def days_text(days: list[int]) -> str:
    """Weekday numbers as ``mon-fri`` or ``mon,wed-fri``."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        WEEKDAYS[r[0]] if len(r) == 1 else f"{WEEKDAYS[r[0]]}-{WEEKDAYS[r[-1]]}" for r in runs
    )


def text_error(field: str, whole: str, part: str, problem: str) -> ValidationError:
    """A ValidationError naming the text, the problem, the part and its column."""
    column = whole.find(part) + 1 if part else 0
    where = f" at column {column}" if column > 0 else ""
    prefix = f"{field}: " if field else ""
    return ValidationError(
        field, f"{prefix}cannot read {shown(whole)}: {problem} ({shown(part)}{where})", whole
    )


def dates(values: Iterable[date], name: str) -> frozenset[int]:
    """Validate a collection of dates; return their ordinals."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError.expected(name, "a collection of dates", values)
    ordinals = set()
    for value in values:
        check_date(value, name)
        ordinals.add(value.toordinal())
    return frozenset(ordinals)


def check_date(value: object, name: str) -> None:
    """Accept a ``date`` that is not a ``datetime``."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value, "e.g. date(2025, 10, 1)")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@frozen
class WorkWeek:
    """Working intervals for each weekday (工作时间), Monday first.

    Written in policy files in a compact text form: clauses separated by
    ``;``, each a list of days (``mon-fri``, ``sat,sun``) and a list of
    intervals (``08:30-12:00,13:30-18:00``). Days not named do not work.
    ``24:00`` closes at midnight; a close before the open runs past midnight.

    >>> from propcrm.calendar import WorkWeek
    >>> week = WorkWeek.parse("mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00")
    >>> week.days[5]
    ((540, 720),)
    >>> str(week)
    'mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00'
    >>> str(WorkWeek.parse("mon-sun 18:30-08:30"))
    'mon-sun 18:30-08:30'

    Attributes:
        days: Seven tuples of ``(open, close)`` minute pairs (see ``Hours``).
    """

    __module__ = "propcrm.calendar"  # public there; this module is private

    # Spelled out (``Hours`` is private to this module) so the hints resolve where it is public.
    days: tuple[tuple[tuple[int, int], ...], ...] = field(default=((),) * 7)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.days, tuple) or len(self.days) != 7:
            raise ValidationError.expected("days", "seven tuples of intervals", self.days)
        for name, hours in zip(WEEKDAYS, self.days, strict=True):
            check_hours(hours, f"days.{name}")
        for index, hours in enumerate(self.days):
            after = self.days[(index + 1) % 7]
            if hours and after and hours[-1][1] < hours[-1][0] and hours[-1][1] > after[0][0]:
                raise ValidationError(
                    "days",
                    f"days: {WEEKDAYS[index]}'s interval {hours_text(hours[-1:])} runs into "
                    f"{WEEKDAYS[(index + 1) % 7]}'s {hours_text(after[:1])}; "
                    "intervals must not overlap",
                    self.days,
                )

    @classmethod
    def parse(cls, text: str, *, field: str = "week") -> WorkWeek:
        """Read the text form, e.g. ``"mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00"``.

        Raises:
            ValidationError: saying which clause and which part could not be read.
        """
        if not isinstance(field, str):
            require_text(field, "field", "the name of the argument read, e.g. 'week'")
        if not isinstance(text, str):
            raise ValidationError.expected(field, "a work week such as 'mon-fri 08:30-18:00'", text)
        days: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
        for clause in text.split(";"):
            clause = clause.strip()
            if not clause:
                continue
            names, _, spec = clause.partition(" ")
            if not spec.strip():
                raise text_error(field, text, clause, "no hours after the days")
            hours = parse_hours(spec, field, text)
            for day in parse_days(names, field, text):
                days[day].extend(hours)
        week = tuple(tuple(sorted(hours)) for hours in days)
        for name, hours in zip(WEEKDAYS, week, strict=True):
            problem = hours_problem(hours)
            if problem:
                raise text_error(field, text, name, problem)
        try:
            return cls(week)
        except ValidationError as e:
            raise text_error(field, text, text, str(e).removeprefix("days: ")) from None

    def __str__(self) -> str:
        groups: dict[Hours, list[int]] = {}
        for index, hours in enumerate(self.days):
            if hours:
                groups.setdefault(hours, []).append(index)
        return "; ".join(f"{days_text(days)} {hours_text(h)}" for h, days in groups.items())

    def is_always(self) -> bool:
        """Whether every day works ``00:00-24:00`` (a 24x7 week)."""
        return all(hours == ((0, 1440),) for hours in self.days)


def check_years(years: Iterable[int]) -> list[int]:
    """Validate the ``years=`` a calendar prepares; return them as a list."""
    wanted = list(years) if isinstance(years, Iterable) else [years]
    for year in wanted:
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValidationError.expected("years", "whole years", year)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError.expected("years", f"years from {FIRST_YEAR} to {LAST_YEAR}", year)
    if not wanted:
        raise ValidationError.expected("years", "at least one year, or None", years)
    return wanted


def day_hours(text: object, where: str) -> Hours:
    """One date's hours from text; ``""`` means closed."""
    if not isinstance(text, str):
        raise ValidationError.expected(where, "hours as text, e.g. '09:00-12:00' or ''", text)
    hours = parse_hours(text, where, text) if text.strip() else ()
    problem = hours_problem(hours)
    if problem:
        raise text_error(where, text, text, problem)
    return hours
