"""Calendar-month arithmetic on the wall clock, for complaint grading's windows and deadlines.

One calendar month after 31 January is 28 February (29 in a leap year): the day
is clamped to the end of the shorter month, as ``dateutil.relativedelta`` does.
Grading shifts a moment by one month for every complaint it sees (the start of
the repeat window, the MAJOR deadline), so this module does it with one
subtraction of a ready-made :class:`~datetime.timedelta`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["add_months"]

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS = {d: timedelta(days=d) for d in range(-399, 400)}


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_length(year: int, month: int) -> int:
    if month == 2 and _leap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months on its wall clock, clamping the day.

    The same as ``moment + relativedelta(months=months)``:

    >>> from propcrm._months import add_months
    >>> from datetime import datetime
    >>> add_months(datetime(2025, 1, 31, 10), 1)
    datetime.datetime(2025, 2, 28, 10, 0)
    >>> add_months(datetime(2024, 3, 31, 10), -1)
    datetime.datetime(2024, 2, 29, 10, 0)
    """
    year, month, day = moment.year, moment.month, moment.day
    if months == -1:  # the window start: the common case, without a loop
        # The length of the month before: month 1 reads December's 31.
        before = (29 if _leap(year) else 28) if month == 3 else _DAYS_IN_MONTH[month - 2]
        return moment - _DAYS[day if day > before else before]
    if months == 1:  # the escalation to MAJOR of a HOT complaint: the other common case
        leap = _leap(year)
        length = 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]
        after = 29 if month == 1 and leap else _DAYS_IN_MONTH[month % 12]  # 12 reads Jan
        return moment + _DAYS[length - day + after if day > after else length]
    days = 0
    if months >= 0:
        for _ in range(months):
            days += _month_length(year, month)
            month += 1
            if month == 13:
                year, month = year + 1, 1
    else:
        for _ in range(-months):
            month -= 1
            if month == 0:
                year, month = year - 1, 12
            days -= _month_length(year, month)
    last = _month_length(year, month)
    if day > last:
        days -= day - last
    return moment + _DAYS[days] if -400 < days < 400 else moment + timedelta(days=days)
