"""A reporting period: a month, a quarter or any span of days.

Public in :mod:`propcrm.services`; this module is private.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from attrs import field, frozen

from propcrm._checks import beyond_dates
from propcrm._time import zone
from propcrm._validators import is_date
from propcrm.errors import ValidationError

__all__ = ["Period", "period_of"]

_MONTH = re.compile(r"(\d{4})-(\d{2})\Z", re.ASCII)  # ASCII: one text per month
_QUARTER = re.compile(r"(\d{4})-Q([1-4])\Z", re.ASCII)
_HINT = "give a month '2025-07', a quarter '2025-Q3' or Period(start, end) with dates"


def _next_month(year: int, month: int) -> date:
    if year + month // 12 > date.max.year:  # date() says ValueError, not OverflowError
        raise beyond_dates("period", f"{year}-{month:02d}")
    return date(year + month // 12, month % 12 + 1, 1)


@frozen
class Period:
    """The days ``[start, end)`` a report covers, with the label it is filed under.

    >>> from propcrm.services import Period
    >>> Period.parse("2025-Q3")
    Period(start=datetime.date(2025, 7, 1), end=datetime.date(2025, 10, 1), label='2025-Q3')
    >>> Period.parse("2025-02").end
    datetime.date(2025, 3, 1)

    Attributes:
        start: The first day.
        end: The day after the last (half-open, like every window of propcrm).
        label: ``"2025-07"``, ``"2025-Q3"``, or ``"{start}/{end}"`` by default.

    Raises:
        ValidationError: ``start`` or ``end`` is not a date, or ``end`` is not after ``start``.
    """

    start: date = field(validator=is_date)
    end: date = field(validator=is_date)
    label: str = field(kw_only=True, default="")

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationError.expected(
                "end", f"a day after start ({self.start})", self.end, "end is excluded"
            )
        if not isinstance(self.label, str):
            raise ValidationError.expected("label", "text", type(self.label).__name__)
        if not self.label.strip():
            object.__setattr__(self, "label", f"{self.start}/{self.end}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """The month ``"2025-07"`` or the quarter ``"2025-Q3"`` named by ``text``.

        Raises:
            ValidationError: ``text`` names neither (the message shows both forms).
            CalendarRangeError: The period would end after year 9999.
        """
        if isinstance(text, str):
            month = _MONTH.match(text)
            if month and int(month[1]) >= 1 and 1 <= int(month[2]) <= 12:
                year, number = int(month[1]), int(month[2])
                return cls(date(year, number, 1), _next_month(year, number), label=text)
            quarter = _QUARTER.match(text)
            if quarter and int(quarter[1]) >= 1:
                year, first = int(quarter[1]), 3 * int(quarter[2]) - 2
                return cls(date(year, first, 1), _next_month(year, first + 2), label=text)
        raise ValidationError.expected("period", "a month or a quarter", text, _HINT)

    def bounds(self, tz: str | tzinfo) -> tuple[datetime, datetime]:
        """The instants ``[start 00:00, end 00:00)`` on the wall clock of ``tz``.

        Raises:
            ValidationError: ``tz`` is not a time zone.
        """
        where = zone(tz, "tz")
        return (
            datetime.combine(self.start, time(0), where),
            datetime.combine(self.end, time(0), where),
        )

    def months(self) -> tuple[date, ...]:
        """The first day of every month the period touches, in order."""
        last = self.end - timedelta(days=1)
        day, found = self.start.replace(day=1), []
        while True:
            found.append(day)
            if (day.year, day.month) == (last.year, last.month):
                return tuple(found)
            day = _next_month(day.year, day.month)


def period_of(value: object) -> Period:
    """``value`` as a :class:`Period`: a Period, a month or a quarter.

    Raises:
        ValidationError: It is neither.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return Period.parse(value)
    raise ValidationError.expected("period", "a Period or its text", type(value).__name__, _HINT)
