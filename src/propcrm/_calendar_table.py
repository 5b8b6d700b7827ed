"""The engine under :mod:`propcrm.calendar`: working time as sorted integer tables.

A :class:`Table` covers whole local years ``[first, last]`` of one calendar. It
holds every working interval of those years as UTC epoch microseconds, merged
and sorted in one flat list of boundaries, beside the business time elapsed
at each boundary. Business time up to an instant is then one ``bisect`` and
one subtraction, and the instant at which a business total is reached is one
``bisect`` on the running totals — no walking over days.

Wall times become instants by the zone's own rule for ``datetime(...,
tzinfo=zone)`` (``fold=0``): a wall time in a spring-forward gap reads with
the offset in force before the gap, and a repeated wall time means its first
occurrence. Offsets are sampled every :data:`SAMPLE_DAYS` days and each change
is located to the second; no zone of the tz database changes its offset
twice within six days (the closest pair since 1900 is 6.9 days apart).
"""

from __future__ import annotations

import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo

from holidays import HolidayBase
from holidays.countries.china import China

from propcrm.errors import CalendarRangeError

__all__ = [
    "DAY_US",
    "EPOCH",
    "FIRST_YEAR",
    "HORIZON",
    "HORIZON_US",
    "LAST_YEAR",
    "MAX_SPAN_YEARS",
    "MINUTE_US",
    "US",
    "ChinaSchedule",
    "Engine",
    "Table",
    "build_table",
]

US = timedelta(microseconds=1)
MINUTE_US = 60_000_000
DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.toordinal()
SAMPLE_DAYS = 3
#: How far from its start a deadline or a search may go: ten years.
HORIZON = timedelta(days=3653)
HORIZON_US = HORIZON // US
#: Local years a search may build beyond the one it starts in.
HORIZON_YEARS = HORIZON.days // 365 + 1
#: The widest range of local years one calculation may span.
MAX_SPAN_YEARS = 50
FIRST_YEAR, LAST_YEAR = 2, 9998
_NO_ZONE = object()

#: Working intervals of one local date, as microseconds after its midnight;
#: a close past one day means the interval runs past midnight.
DayRule = Callable[[int], tuple[tuple[int, int], ...]]


class Table:
    """Working time of the local years ``first..last`` (see the module docstring).

    Attributes:
        first: First local year covered.
        last: Last local year covered.
        lo: Instant (UTC µs) of local midnight starting ``first``; valid from here.
        hi: Instant of local midnight after ``last``; valid before here.
        bounds: ``[lo, lo, open0, close0, open1, close1, ..., hi, hi]``: merged
            working intervals between two empty sentinel intervals.
        cum: Business µs from ``lo`` up to each boundary.
        shift: ``bounds[i] - cum[i]``; an instant in interval ``k`` holding business
            total ``b`` is ``shift[2k] + b``.
        n: ``len(bounds)``.
        fixed: The zone's offset in µs when it is constant over the table, else None.
        zone: The zone when ``fixed`` is set, else a marker no datetime carries.
        epoch: The zone's wall clock at the UTC epoch when ``fixed`` is set: for a
            datetime ``d`` in ``zone``, ``(d - epoch) // US`` is its UTC µs, and
            ``epoch + t * US`` is instant ``t`` in ``zone`` (same-zone datetime
            arithmetic is wall-clock arithmetic, with no offset lookups).
        days: Ordinals of the local dates that have working time, ascending.
        day_closes: The close of the last interval of each of ``days``.
        close_reach: Running maximum of ``day_closes`` (for ``bisect``).
    """

    __slots__ = (
        "bounds",
        "close_reach",
        "cum",
        "day_closes",
        "days",
        "epoch",
        "first",
        "fixed",
        "hi",
        "last",
        "lo",
        "n",
        "shift",
        "zone",
    )

    def __init__(self) -> None:
        self.first = 0
        self.last = -1
        self.lo = 0
        self.hi = 0
        self.bounds: list[int] = []
        self.cum: list[int] = []
        self.shift: list[int] = []
        self.n = 0
        self.fixed: int | None = None
        self.zone: object = _NO_ZONE
        self.epoch = EPOCH
        self.days: list[int] = []
        self.day_closes: list[int] = []
        self.close_reach: list[int] = []

    def business(self, t: int) -> int:
        """Business µs from ``lo`` to instant ``t`` (``lo <= t < hi``)."""
        j = bisect_right(self.bounds, t)
        if j & 1:
            return t - self.shift[j - 1]
        return self.cum[j - 1]


class Engine:
    """The tables of one calendar, grown (or rebuilt) as calculations need them.

    The calendar's hot paths read :attr:`table` directly; everything that may
    need another year of tables goes through the methods here, which also
    enforce the horizon so that no search runs forever.
    """

    __slots__ = (
        "_china",
        "_closed",
        "_extra",
        "_extra_us",
        "_on_provisional",
        "_overrides",
        "_week",
        "never",
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
        china: ChinaSchedule | None,
        on_provisional: Callable[[int], Warning],
    ) -> None:
        self.zone = zone
        self._week, self._extra_us = week, extra_us
        self._closed, self._extra, self._overrides = closed, extra, overrides
        self._china = china
        self._on_provisional = on_provisional
        self.warned = False
        #: No date can ever work: searches give up at once instead of at the horizon.
        self.never = not any(week) and not any(overrides.values())
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
        cn_closed: frozenset[int] = frozenset()
        cn_makeup: frozenset[int] = frozenset()
        china = self._china
        if china is not None:
            china.load(range(first, last + 1))
            cn_closed, cn_makeup = china.closed, china.makeup
            if not self.warned and last > china.official_until:
                warnings.warn(self._on_provisional(china.official_until), stacklevel=5)
                self.warned = True
        closed, extra = self._closed, self._extra
        overrides, week, extra_us = self._overrides, self._week, self._extra_us

        def rule(ordinal: int) -> tuple[tuple[int, int], ...]:
            # Later layers first: the company's own dates beat China's schedule,
            # so a typhoon closure on a make-up working day closes it.
            if ordinal in overrides:
                return overrides[ordinal]
            if ordinal in extra:
                return extra_us
            if ordinal in closed:
                return ()
            if ordinal in cn_makeup:
                return extra_us
            if ordinal in cn_closed:
                return ()
            return week[(ordinal - 1) % 7]

        self.table = build_table(first, last, self.zone, rule)
        return self.table

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
                tab = self.cover(year, tab.last + self._years_for(tab, b - tab.cum[-1]))
            else:
                k = bisect_right(tab.cum, b)
                if k > 0:
                    break
                if s - tab.lo > HORIZON_US:
                    return None
                tab = self.cover(tab.first - self._years_for(tab, -b), year)
        r = tab.shift[k] + b
        return r if abs(r - s) <= HORIZON_US else None

    @staticmethod
    def _years_for(tab: Table, missing: int) -> int:
        """How many more years to build for ``missing`` business µs, judged by this table.

        Growing a year at a time would rebuild a sparse calendar's table ten
        times; this jumps once by the table's own rate of business time,
        plus a year's margin (the horizon still bounds the search).
        """
        total = tab.cum[-1]
        years = tab.last - tab.first + 1
        if total <= 0:
            return HORIZON_YEARS
        return min(HORIZON_YEARS, 1 + missing * years // total)

    def elapsed(self, s: int, e: int) -> int:
        """Business µs from ``s`` to ``e``."""
        first, last = sorted((self.year(s), self.year(e)))
        tab = self.cover(first, last)
        return tab.business(e) - tab.business(s)

    def next_open(self, t: int) -> int | None:
        """``t`` if it is working time, else the next opening; None beyond the horizon."""
        if self.never:
            return None
        tab = self.covering(t)
        year = self.year(t)
        while True:
            j = bisect_right(tab.bounds, t)
            if j & 1:
                return t
            if j < tab.n - 2:
                return tab.bounds[j] if tab.bounds[j] - t <= HORIZON_US else None
            if tab.hi - t > HORIZON_US:
                return None
            tab = self.cover(year, min(year + HORIZON_YEARS, 2 * tab.last - year + 1))

    def close_after(self, t: int) -> int | None:
        """The first close of a working day after ``t``; None beyond the horizon."""
        if self.never:
            return None
        tab = self.covering(t)
        year = self.year(t)
        while True:
            i = bisect_right(tab.close_reach, t)
            if i < len(tab.days):
                close = tab.day_closes[i]
                return close if close - t <= HORIZON_US else None
            if tab.hi - t > HORIZON_US:
                return None
            tab = self.cover(year, min(year + HORIZON_YEARS, 2 * tab.last - year + 1))

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
            years = tab.last - tab.first + 1
            more = 1 + abs(n) * years // len(days) if days else HORIZON_YEARS
            if i >= 0:
                if tab.last >= day.year + HORIZON_YEARS:
                    return None
                tab = self.cover(day.year, min(day.year + HORIZON_YEARS, tab.last + more))
            else:
                if tab.first <= day.year - HORIZON_YEARS:
                    return None
                tab = self.cover(max(day.year - HORIZON_YEARS, tab.first - more), day.year)


def build_table(first: int, last: int, zone: tzinfo, rule: DayRule) -> Table:
    """Build the table of local years ``first..last`` from a per-date ``rule``."""
    first_ord = date(first, 1, 1).toordinal()
    end_ord = date(last + 1, 1, 1).toordinal()
    lo_wall = (first_ord - EPOCH_ORDINAL) * DAY_US
    hi_wall = (end_ord - EPOCH_ORDINAL) * DAY_US
    to_utc, fixed = _wall_to_utc(zone, lo_wall - 2 * DAY_US, hi_wall + 3 * DAY_US)
    table = Table()
    table.first, table.last, table.fixed = first, last, fixed
    if fixed is not None:
        table.zone = zone
        table.epoch = datetime(1970, 1, 1, tzinfo=zone) + fixed * US
    lo = table.lo = to_utc(lo_wall)
    hi = table.hi = to_utc(hi_wall)

    days = table.days
    day_closes = table.day_closes
    opens: list[int] = []
    closes: list[int] = []
    shift = 0 if fixed is None else fixed
    unordered, last_open = False, lo - 2 * DAY_US
    # The day before ``first`` may run a night interval into it.
    for ordinal in range(first_ord - 1, end_ord):
        intervals = rule(ordinal)
        if not intervals:
            continue
        base = (ordinal - EPOCH_ORDINAL) * DAY_US - shift
        count = len(opens)
        for open_us, close_us in intervals:
            if fixed is None:
                a, b = to_utc(base + open_us), to_utc(base + close_us)
                # fold=0 maps a wall time in a spring-forward gap later than the
                # wall times just after it, so instants can come out of order.
                unordered = unordered or (a < last_open)
                last_open = a
            else:
                a, b = base + open_us, base + close_us
            if b > a:  # an interval inside a spring-forward gap has no length
                opens.append(a)
                closes.append(b)
        if len(opens) > count:
            days.append(ordinal)
            day_closes.append(max(closes[count:]) if unordered else closes[-1])

    reach = 0
    close_reach = table.close_reach
    for close in day_closes:
        reach = max(reach, close)
        close_reach.append(reach)

    # Merge overlapping intervals (a night interval running into the next day's
    # hours) and clip them to [lo, hi], between the two sentinels; in time
    # order, so sort them if a spring-forward gap put them out of order.
    pairs = zip(opens, closes, strict=True)
    bounds = table.bounds = [lo, lo]
    total = 0
    run_open = run_close = lo
    for a, b in sorted(pairs) if unordered else pairs:
        if a <= run_close:
            if b > run_close:
                run_close = min(b, hi)
            continue
        if run_close > run_open:
            bounds += (run_open, run_close)
        run_open, run_close = a, min(b, hi)  # every interval opens before hi
    if run_close > run_open:
        bounds += (run_open, run_close)
    bounds += (hi, hi)
    cum = table.cum = [0] * len(bounds)
    for i in range(3, len(bounds) - 2, 2):
        total += bounds[i] - bounds[i - 1]
        cum[i] = cum[i + 1] = total
    cum[-1] = total
    table.shift = [x - c for x, c in zip(bounds, cum, strict=True)]
    table.n = len(bounds)
    return table


def _offset_at(zone: tzinfo, second: int) -> int:
    offset = datetime.fromtimestamp(second, zone).utcoffset()
    assert offset is not None  # zones that build tables always have offsets
    return offset // US


def _wall_to_utc(
    zone: tzinfo, lo_wall: int, hi_wall: int
) -> tuple[Callable[[int], int], int | None]:
    """Return the zone's wall-µs -> UTC-µs map over a range, and its offset if constant."""
    start = lo_wall // 1_000_000 - 86_400
    stop = hi_wall // 1_000_000 + 86_400
    step = SAMPLE_DAYS * 86_400
    changes: list[int] = []  # UTC µs at which the offset changes
    offsets = [_offset_at(zone, start)]
    previous = start
    for second in range(start + step, stop + step, step):
        offset = _offset_at(zone, second)
        if offset != offsets[-1]:
            low, high = previous, second  # offset(low) is the old one, offset(high) the new
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_at(zone, middle) == offset:
                    high = middle
                else:
                    low = middle
            changes.append(high * 1_000_000)
            offsets.append(offset)
        previous = second
    if not changes:
        constant = offsets[0]
        return (lambda wall: wall - constant), constant
    # fold=0: a wall time keeps the earlier offset until it is past both readings.
    thresholds = [
        change + max(before, after)
        for change, before, after in zip(changes, offsets, offsets[1:], strict=False)
    ]

    def to_utc(wall: int) -> int:
        return wall - offsets[bisect_right(thresholds, wall)]

    return to_utc, None


class ChinaSchedule:
    """China's closed days and make-up working days (调休), loaded a year at a time.

    Closed days are the official rest periods (放假): the public holidays and
    days off that the ``holidays`` package lists, plus every Saturday or Sunday
    joined to them by a run of non-working days — the State Council's notices
    count "Oct 1 to 8" as one period, weekend included.
    """

    __slots__ = ("_closed", "_holidays", "_loaded", "_makeup", "_makeup_ordinals", "_official")

    def __init__(self) -> None:
        self._official: int | None = None
        self._loaded: set[int] = set()
        self._holidays: set[date] = set()
        self._makeup: set[date] = set()
        self._closed: frozenset[int] = frozenset()
        self._makeup_ordinals: frozenset[int] = frozenset()

    def load(self, years: Iterable[int]) -> None:
        """Make sure the given years (and their neighbours) are loaded."""
        wanted = {y for year in years for y in (year - 1, year, year + 1) if 1 <= y <= 9999}
        missing = sorted(wanted - self._loaded)
        if not missing:
            return
        source = _china(missing)
        if self._official is None:
            self._official = _official_until(source)
        holidays = self._holidays | {d for d in source if d.year in missing}
        makeup = self._makeup | {d for d in source.weekend_workdays if d.year in missing}
        self._holidays, self._makeup = holidays, makeup
        self._closed = frozenset(d.toordinal() for d in _rest_periods(holidays, makeup))
        self._makeup_ordinals = frozenset(d.toordinal() for d in makeup)
        self._loaded.update(missing)

    @property
    def official_until(self) -> int:
        """The last year with an official schedule in the installed ``holidays``."""
        if self._official is None:
            self._official = _official_until(_china([]))
        return self._official

    @property
    def closed(self) -> frozenset[int]:
        """Ordinals of the closed days loaded so far."""
        return self._closed

    @property
    def makeup(self) -> frozenset[int]:
        """Ordinals of the make-up working days loaded so far."""
        return self._makeup_ordinals


def _china(years: list[int]) -> HolidayBase:
    # The holidays package leaves its country constructors unannotated.
    return China(years=years)  # type: ignore[no-untyped-call]


def _official_until(source: HolidayBase) -> int:
    # The make-up-day table lists the years the State Council has published.
    table = getattr(source, "special_public_holidays", None) or getattr(
        China, "special_public_holidays", None
    )
    if table:
        return int(max(table))
    return max((d.year for d in source.weekend_workdays), default=0)  # pragma: no cover


def _rest_periods(holidays: set[date], makeup: set[date]) -> set[date]:
    closed = set(holidays)
    one = timedelta(days=1)
    for day in holidays:
        for step in (one, -one):
            other = day + step
            while other.weekday() >= 5 and other not in makeup and other not in closed:
                closed.add(other)
                other += step
    return closed
