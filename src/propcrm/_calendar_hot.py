"""The hot paths of :class:`~propcrm.calendar.BusinessCalendar`, read straight off its table.

:meth:`add`, :meth:`elapsed`, :meth:`next_working_time` and :meth:`close_of_day`
are methods of the calendar (its class body takes them from here) and answer
from the engine's current table with one ``bisect`` in the common case; when the
table does not hold the answer they ask the engine, which grows its tables.

An instant is an integer of UTC microseconds. A datetime in a calendar zone
whose offset is constant over the table (China's since 1992) is read from its
own fields: its date's midnight, looked up by ordinal, plus its time of day.
That keeps the arithmetic on small integers and narrows the ``bisect`` to the
boundaries of that one date. Any other aware datetime is converted through UTC.

The table remembers the last answer of :meth:`next_working_time` with its business
total (``held``): a clock starts there, and its deadlines and elapsed times all
count from that start, so each question about it skips the lookup. Only that
answer is remembered, so a run of unrelated questions pays for a comparison, not
for keeping what it will not ask again.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from propcrm._calendar_answers import (
    add_slow,
    close_of_day_slow,
    elapsed_slow,
    next_working_time_slow,
)
from propcrm._calendar_build import EPOCH, HORIZON_US, US
from propcrm._calendar_checks import bad_arguments, beyond_horizon
from propcrm._calendar_table import Engine

__all__ = ["add", "close_of_day", "elapsed", "next_working_time"]


class Calendar(Protocol):
    """What the hot paths read of a calendar: its engine and its zone."""

    _engine: Engine
    _tz: tzinfo


def add(self: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The deadline: the earliest instant when ``duration`` of business time has passed.

    A clock started outside working time starts at the next working
    instant; a negative ``duration`` counts backwards (the latest instant
    that much business time before ``start``); zero gives ``start``.

    Raises:
        ValidationError: a naive ``start``, or a ``duration`` that is not a timedelta.
        CalendarRangeError: the instant lies more than ten years away, or never comes.
    """
    tab = self._engine.table
    try:
        d = duration // US
        if start is tab.held_at and (held := tab.held)[0] is start:  # see next_working_time()
            b = held[1] + d
        elif start.tzinfo is tab.local:  # read from the date's own fields
            opens, closes, inside, done = tab.dates[start.toordinal()]
            t = start.hour * 3600 + start.minute * 60 + start.second
            j = bisect_right(opens, t) - 1
            if t < closes[j]:
                b = (inside[j] + t) * 1_000_000 + start.microsecond + d
            else:
                b = done[j] * 1_000_000 + d
        else:
            s = (start - EPOCH) // US
            j = bisect_right(tab.bounds, s)
            if j & 1:
                b = s - tab.shift[j - 1] + d
            elif 1 < j < tab.n - 1:
                b = tab.cum[j - 1] + d
            else:
                return add_slow(self._engine, start, d)
    except KeyError:  # a date the table does not cover
        return add_slow(self._engine, start, d)
    except (TypeError, AttributeError):
        raise bad_arguments(start, "start", duration) from None
    if d > 0:
        k = bisect_left(tab.cum, b)
        if k == tab.n:
            return add_slow(self._engine, start, d)
    elif d < 0:
        k = bisect_right(tab.cum, b)
        if k == 0:
            return add_slow(self._engine, start, d)
    else:
        return start.astimezone(self._tz)
    r = tab.shift[k] + b
    # Within a table no wider than the horizon every answer is within it.
    if tab.wide and not -HORIZON_US <= r - (start - EPOCH) // US <= HORIZON_US:
        raise beyond_horizon(start, duration)
    if tab.fixed is not None:
        return tab.epoch + r * US
    return (EPOCH + r * US).astimezone(self._tz)


def elapsed(self: Calendar, start: datetime, end: datetime) -> timedelta:
    """Business time between two instants; negative when ``end`` is before ``start``.

    Raises:
        ValidationError: a naive datetime.
        CalendarRangeError: the instants lie more than 50 years apart.
    """
    tab = self._engine.table
    local, dates = tab.local, tab.dates
    try:
        if start is tab.held_at and (held := tab.held)[0] is start:  # see next_working_time()
            s = held[1]
        elif start.tzinfo is local:  # read from the date's own fields
            opens, closes, inside, done = dates[start.toordinal()]
            t = start.hour * 3600 + start.minute * 60 + start.second
            j = bisect_right(opens, t) - 1
            s = (inside[j] + t) * 10**6 + start.microsecond if t < closes[j] else done[j] * 10**6
        else:
            s = (start - EPOCH) // US
            j = bisect_right(tab.bounds, s)
            if j & 1:
                s -= tab.shift[j - 1]
            elif 1 < j < tab.n - 1:
                s = tab.cum[j - 1]
            else:
                return elapsed_slow(self._engine, start, end)
        if end.tzinfo is local:
            opens, closes, inside, done = dates[end.toordinal()]
            t = end.hour * 3600 + end.minute * 60 + end.second
            j = bisect_right(opens, t) - 1
            e = (inside[j] + t) * 10**6 + end.microsecond if t < closes[j] else done[j] * 10**6
        else:
            e = (end - EPOCH) // US
            j = bisect_right(tab.bounds, e)
            if j & 1:
                e -= tab.shift[j - 1]
            elif 1 < j < tab.n - 1:
                e = tab.cum[j - 1]
            else:
                return elapsed_slow(self._engine, start, end)
    except KeyError:  # a date the table does not cover
        return elapsed_slow(self._engine, start, end)
    except (TypeError, AttributeError):
        raise bad_arguments(start, "start", end, "end") from None
    return (e - s) * US


def next_working_time(self: Calendar, at: datetime) -> datetime:
    """``at`` itself if it is working time, else the next opening.

    Raises:
        CalendarRangeError: nothing opens within ten years.
    """
    tab = self._engine.table
    try:
        # The same fast path as add(): one bisect on the current table.
        t = (at - tab.epoch) // US if at.tzinfo is tab.zone else (at - EPOCH) // US
    except (TypeError, AttributeError):
        return next_working_time_slow(self._engine, at)
    j = bisect_right(tab.bounds, t)
    if j & 1:
        p = t - tab.shift[j - 1]
    else:  # closed: the next opening, if this table holds it
        if not 1 < j < tab.n - 2 or tab.bounds[j] - t > HORIZON_US:
            return next_working_time_slow(self._engine, at)
        t = tab.bounds[j]
        p = tab.cum[j]
    moment = tab.epoch + t * US if tab.fixed is not None else (EPOCH + t * US).astimezone(self._tz)
    # A clock's start: its deadlines and elapsed times are asked next. The pair is
    # replaced whole, and held_at only tells that it may be worth reading.
    tab.held = (moment, p)
    tab.held_at = moment
    return moment


def close_of_day(self: Calendar, at: datetime) -> datetime:
    """The close of the working day holding ``at``, or else of the next one.

    A working day closes at the end of its last interval, so a night
    interval ``18:30-08:30`` closes the next morning. This is the deadline
    of "not overnight" (不过夜) targets.

    Raises:
        CalendarRangeError: no working day closes within ten years.
    """
    tab = self._engine.table
    try:
        t = (at - tab.epoch) // US if at.tzinfo is tab.zone else (at - EPOCH) // US
    except (TypeError, AttributeError):
        return close_of_day_slow(self._engine, at)
    i = bisect_right(tab.close_reach, t)
    if not tab.lo <= t < tab.hi or i == len(tab.days) or tab.day_closes[i] - t > HORIZON_US:
        return close_of_day_slow(self._engine, at)
    close = tab.day_closes[i]
    if tab.fixed is not None:
        return tab.epoch + close * US
    return (EPOCH + close * US).astimezone(self._tz)
