"""The engine under :mod:`propcrm.calendar`: tables grown as calculations need them.

The :class:`Engine` owns one calendar's current :class:`~propcrm._calendar_build.Table`
and the per-date rule it is built from: the layers of the calendar, later
winning — the working week, public holidays, substituted working days, the
company's closed dates, its extra working dates, and date overrides. Every
search that may need another year of tables goes through it, and stops at the
horizon of ten years.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta, tzinfo

from propcrm._calendar_build import (
    DAY_US,
    EPOCH,
    FIRST_YEAR,
    HORIZON,
    HORIZON_US,
    HORIZON_YEARS,
    LAST_YEAR,
    MAX_SPAN_YEARS,
    US,
    Table,
    build_table,
)
from propcrm._calendar_holidays import HolidaySchedule
from propcrm.errors import CalendarRangeError

# FIRST_YEAR and LAST_YEAR are re-exported for the callback planners.
__all__ = ["FIRST_YEAR", "LAST_YEAR", "Engine"]

#: The most dates one year of a table can add: 366, and the night before it.
_YEAR_DATES = 367
_ONE_DAY = timedelta(days=1)


class Engine:
    """The tables of one calendar, grown (or rebuilt) as calculations need them.

    The calendar's hot paths read :attr:`table` directly; everything that may
    need another year of tables goes through the methods here, which also
    enforce the horizon so that no search runs forever.
    """

    __slots__ = (
        "_closed",
        "_day_max",
        "_extra",
        "_extra_us",
        "_on_provisional",
        "_overrides",
        "_week",
        "never",
        "schedule",
        "table",
        "warned",
        "zone",
    )

    def __init__(
        self,
        zone: tzinfo,
        week: tuple[tuple[tuple[int, int], ...], ...],
        extra_us: tuple[tuple[int, int], ...],
        closed: frozenset[int],
        extra: frozenset[int],
        overrides: Mapping[int, tuple[tuple[int, int], ...]],
        schedule: HolidaySchedule | None,
        on_provisional: Callable[[int], Warning],
    ) -> None:
        self.zone = zone
        self._week, self._extra_us = week, extra_us
        self._closed, self._extra, self._overrides = closed, extra, overrides
        self.schedule = schedule
        self._on_provisional = on_provisional
        self.warned = False
        #: No date can ever work: searches give up at once instead of at the horizon.
        self.never = not any(week) and not any(overrides.values())
        #: The most business µs one date can add (its intervals' lengths): how a
        #: search bounds the years it still needs from below.
        self._day_max = max(
            (sum(b - a for a, b in hours) for hours in (*week, extra_us, *overrides.values())),
            default=0,
        )
        #: The current table; starts empty so every lookup takes the slow path.
        self.table = Table()

    def cover(self, first: int, last: int) -> Table:
        """A table covering the local years ``first..last``."""
        tab = self.table
        if tab.first <= first and last <= tab.last:
            return tab
        if tab.n and max(last, tab.last) - min(first, tab.first) <= MAX_SPAN_YEARS:
            first, last = min(first, tab.first), max(last, tab.last)
        if last - first > MAX_SPAN_YEARS:
            raise CalendarRangeError(
                f"a calculation may span at most {MAX_SPAN_YEARS} years, not {first}..{last}"
            )
        if first < FIRST_YEAR or last > LAST_YEAR:
            raise CalendarRangeError(
                f"business calendars cover the years {FIRST_YEAR}..{LAST_YEAR}, not {first}..{last}"
            )
        public_closed: frozenset[int] = frozenset()
        public_makeup: frozenset[int] = frozenset()
        schedule = self.schedule
        if schedule is not None:
            schedule.load(range(first, last + 1))
            public_closed, public_makeup = schedule.closed, schedule.makeup
            official = schedule.official_until
            if not self.warned and official is not None and last > official:
                warnings.warn(self._on_provisional(official), stacklevel=5)
                self.warned = True
        closed, extra = self._closed, self._extra
        overrides, week, extra_us = self._overrides, self._week, self._extra_us

        def rule(ordinal: int) -> tuple[tuple[int, int], ...]:
            # Later layers first: the company's own dates beat the public schedule,
            # so a typhoon closure on a make-up working day closes it.
            if ordinal in overrides:
                return overrides[ordinal]
            if ordinal in extra:
                return extra_us
            if ordinal in closed:
                return ()
            if ordinal in public_makeup:
                return extra_us
            if ordinal in public_closed:
                return ()
            return week[(ordinal - 1) % 7]

        self.table = build_table(first, last, self.zone, rule)
        return self.table

    def layer(self, day: date) -> tuple[str, str]:
        """Which layer of the calendar decides ``day``, and the holiday's name for a holiday.

        The layers are ``override``, ``extra``, ``company`` (closed), ``makeup``,
        ``holiday`` and ``week``, tried in that order as :meth:`cover`'s rule does.
        """
        ordinal = day.toordinal()
        if ordinal in self._overrides:
            return "override", ""
        if ordinal in self._extra:
            return "extra", ""
        if ordinal in self._closed:
            return "company", ""
        schedule = self.schedule
        if schedule is not None:
            schedule.load([day.year])
            if ordinal in schedule.makeup:
                return "makeup", ""
            if ordinal in schedule.closed:
                return "holiday", schedule.name(ordinal)
        return "week", ""

    def covering(self, t: int) -> Table:
        """A table whose ``[lo, hi)`` holds instant ``t``."""
        tab = self.table
        if tab.lo <= t < tab.hi:
            return tab
        year = self.year(t)
        return self.cover(year, year)

    def moment(self, t: int) -> datetime:
        """Instant ``t`` (UTC µs) as an aware datetime in the zone."""
        try:
            return (EPOCH + t * US).astimezone(self.zone)
        except OverflowError:
            raise CalendarRangeError(f"{t} µs after 1970 is outside datetime's range") from None

    def year(self, t: int) -> int:
        """The local year of instant ``t``."""
        return self.moment(t).year

    def add(self, s: int, d: int) -> int | None:
        """The instant ``d`` business µs from ``s``, or None beyond the horizon."""
        if self.never:
            return None
        year = self.year(s)
        tab = self.cover(year, year)
        while True:
            b = tab.business(s) + d
            if d > 0:
                k = bisect_left(tab.cum, b)
                if k < tab.n:
                    break
                if tab.hi - s > HORIZON_US:
                    return None
                tab = self.cover(year, tab.last + self._years_for(b - tab.cum[-1]))
            else:
                k = bisect_right(tab.cum, b)
                if k > 0:
                    break
                if s - tab.lo > HORIZON_US:
                    return None
                tab = self.cover(tab.first - self._years_for(-b), year)
        r = tab.shift[k] + b
        return r if abs(r - s) <= HORIZON_US else None

    def _years_for(self, missing: int) -> int:
        """The fewest more years that can hold ``missing`` business µs (at least one).

        A search must never build a year past its answer: that year may be
        provisional (and warn) or absent from a fixed holiday source. So it
        grows by a bound from below — every date of the years (and the one
        before them) working its longest day, plus a day for clock changes
        that lengthen a night — and again if that falls short.
        """
        per_year = _YEAR_DATES * self._day_max + DAY_US
        return min(HORIZON_YEARS, max(1, -(-missing // per_year)))

    def span(self, s: int, e: int) -> Table:
        """A table covering the instants ``[s, e)`` (``s <= e``), and not ``e``'s year.

        The range is half-open: an ``e`` at local midnight of 1 January needs
        none of its year, so no provisional year warns and no year past the
        calendar's last is refused.
        """
        return self.cover(self.year(s), self.year(e - 1) if e > s else self.year(s))

    def elapsed(self, s: int, e: int) -> int:
        """Business µs from ``s`` to ``e``."""
        tab = self.span(*sorted((s, e)))
        return tab.business(e) - tab.business(s)

    def next_open(self, t: int) -> int | None:
        """``t`` if it is working time, else the next opening; None beyond the horizon."""

        def look(tab: Table, t: int) -> int | None:
            j = bisect_right(tab.bounds, t)
            if j & 1:
                return t
            return tab.bounds[j] if j < tab.n - 2 else None

        return self._forward(t, look)

    def close_after(self, t: int) -> int | None:
        """The first close of a working day after ``t``; None beyond the horizon."""

        def look(tab: Table, t: int) -> int | None:
            i = bisect_right(tab.close_reach, t)
            return tab.day_closes[i] if i < len(tab.days) else None

        return self._forward(t, look)

    def interval_end(self, t: int) -> int | None:
        """The close of the working interval holding ``t``, or else of the next one.

        Intervals that touch are one interval. None beyond the horizon.
        """

        def look(tab: Table, t: int) -> int | None:
            j = bisect_right(tab.bounds, t)
            k = j if j & 1 else j + 1  # the close of the holding, or else the next, interval
            return tab.bounds[k] if k < tab.n - 2 and tab.bounds[k] < tab.hi else None

        return self._forward(t, look)

    def _forward(self, t: int, look: Callable[[Table, int], int | None]) -> int | None:
        """The first instant ``look`` finds at or after ``t``, growing the table forwards.

        ``look`` answers within one table, or None when the answer lies beyond it.
        None beyond the horizon (or for a calendar with no working time).
        """
        if self.never:
            return None
        tab = self.covering(t)
        year = self.year(t)
        while True:
            found = look(tab, t)
            if found is not None:
                return found if found - t <= HORIZON_US else None
            if tab.hi - t > HORIZON_US:
                return None
            tab = self.cover(year, tab.last + 1)

    def previous_working(self, t: int) -> int | None:
        """``t`` if it is working time or a close, else the latest close before it.

        None beyond the horizon.
        """
        if self.never:
            return None
        tab = self.covering(t)
        year = self.year(t)
        while True:
            j = bisect_right(tab.bounds, t)
            if j & 1:
                return t
            if j > 2:  # bounds[j - 1] is the close of a real interval
                close = tab.bounds[j - 1]
                return close if t - close <= HORIZON_US else None
            if t - tab.lo > HORIZON_US:
                return None
            tab = self.cover(tab.first - 1, year)

    def intervals(self, s: int, e: int) -> Iterator[tuple[int, int]]:
        """The working intervals between ``s`` and ``e`` (``s <= e``), clipped to ``[s, e)``.

        The table is built (or the range refused) now, not at the first ``next()``.
        """
        return _clipped(self.span(s, e), s, e)

    def days_between(self, start: date, end: date) -> list[int]:
        """Ordinals of the working days ``start <= day < end`` (``start <= end``)."""
        last = (end - _ONE_DAY).year if end > start else start.year
        days = self.cover(start.year, last).days
        return days[bisect_left(days, start.toordinal()) : bisect_left(days, end.toordinal())]

    def working_days(self, year: int) -> list[int]:
        """Ordinals of the working days, from a table covering ``year``."""
        return self.cover(year, year).days

    def nth_working_day(self, day: date, n: int) -> int | None:
        """The ordinal of the ``n``-th working day from ``day``; None beyond the horizon."""
        if self.never:
            return None
        ordinal = day.toordinal()
        tab = self.cover(day.year, day.year)
        while True:
            days = tab.days
            i = bisect_right(days, ordinal) + n - 1 if n > 0 else bisect_left(days, ordinal) + n
            if 0 <= i < len(days):
                return days[i] if abs(days[i] - ordinal) <= HORIZON.days else None
            # At most every date of a year works (and the one before it): never past the answer.
            more = -(-(i - len(days) + 1 if i >= 0 else -i) // _YEAR_DATES)
            if i >= 0:
                if tab.last >= day.year + HORIZON_YEARS:
                    return None
                tab = self.cover(day.year, min(day.year + HORIZON_YEARS, tab.last + more))
            else:
                if tab.first <= day.year - HORIZON_YEARS:
                    return None
                tab = self.cover(max(day.year - HORIZON_YEARS, tab.first - more), day.year)


def _clipped(tab: Table, s: int, e: int) -> Iterator[tuple[int, int]]:
    """The working intervals of ``tab`` between ``s`` and ``e``, clipped to ``[s, e)``."""
    bounds = tab.bounds
    j = bisect_right(bounds, s)
    k = j - 1 if j & 1 else j  # the open of the holding, or else the next, interval
    for i in range(k, tab.n - 2, 2):
        if bounds[i] >= e:
            return
        a, b = max(bounds[i], s), min(bounds[i + 1], e)
        if b > a:
            yield a, b
