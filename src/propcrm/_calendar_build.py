"""The tables under :mod:`propcrm.calendar`: working time as sorted integer lists.

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

from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo

__all__ = [
    "DAY_US",
    "EPOCH",
    "EPOCH_ORDINAL",
    "FIRST_YEAR",
    "HORIZON",
    "HORIZON_US",
    "HORIZON_YEARS",
    "LAST_YEAR",
    "MAX_SPAN_YEARS",
    "MINUTE_US",
    "US",
    "DateTable",
    "DayRule",
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

#: A local date's working time in whole seconds: see :func:`_fill_dates`.
DateTable = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]

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
        wide: Whether the table spans more than the horizon, so that an answer
            inside it may still lie beyond the horizon from its start.
        local: The zone when :attr:`dates` holds every covered date, else a marker.
        dates: Per ordinal of a covered local date, its working time in whole
            seconds, so that a datetime in ``local`` is read from its own fields
            as small integers (see :func:`_date_table`). Filled when ``fixed`` is
            set and every boundary falls on a whole second of local time.
        held: The last answer of ``next_working_time`` and its business total:
            ``(datetime, µs)``. A clock starts there and asks its deadlines and
            elapsed times from that very datetime, which then skip the lookup.
            The pair is replaced whole, so a reader in another thread sees a
            consistent one, and it holds the datetime, so its ``id`` stays its own.
        held_at: The datetime of ``held``, compared first: a start that is not it
            costs one comparison (a reader then checks the pair itself).
    """

    __slots__ = (
        "bounds",
        "close_reach",
        "cum",
        "dates",
        "day_closes",
        "days",
        "epoch",
        "first",
        "fixed",
        "held",
        "held_at",
        "hi",
        "last",
        "lo",
        "local",
        "n",
        "shift",
        "wide",
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
        self.wide = False
        self.local: object = _NO_ZONE
        self.dates: dict[int, DateTable] = {}
        self.held: tuple[object, int] = (_NO_ZONE, 0)
        self.held_at: object = _NO_ZONE

    def business(self, t: int) -> int:
        """Business µs from ``lo`` to instant ``t`` (``lo <= t < hi``)."""
        j = bisect_right(self.bounds, t)
        if j & 1:
            return t - self.shift[j - 1]
        return self.cum[j - 1]


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
    table.wide = hi - lo > HORIZON_US
    if fixed is not None and fixed % 1_000_000 == 0:
        _fill_dates(table, first_ord, end_ord)
    return table


def _fill_dates(table: Table, first_ord: int, end_ord: int) -> None:
    """Fill ``table.dates`` for a fixed-offset table, unless a boundary has a fraction of a second.

    Each date gets ``(opens, closes, inside, done)``: the opens and closes of its
    working intervals (clipped to the date) in seconds after its midnight, and
    in whole seconds of business time since ``lo``, the total at each open minus
    the open, and the total at each close. The first interval is an empty one at
    midnight holding the total there, so every instant of the date has an
    interval at or before it: ``j = bisect_right(opens, t) - 1`` is never negative,
    and the business time at second ``t`` (plus ``us``) of the date is
    ``(inside[j] + t) * 10**6 + us`` when ``t < closes[j]``, else ``done[j] * 10**6``.
    """
    bounds, cum, shift = table.bounds, table.cum, table.shift
    if any(x % 1_000_000 for x in bounds) or any(x % 1_000_000 for x in cum):
        return  # a zone offset with a fraction of a second: the UTC path serves it
    dates = table.dates
    midnight = table.lo
    k = bisect_right(bounds, midnight)
    for ordinal in range(first_ord, end_ord):
        following = midnight + DAY_US
        at = (midnight - shift[k - 1] if k & 1 else cum[k - 1]) // 1_000_000
        opens, closes, inside, done = [0], [0], [at], [at]
        if k & 1:  # an interval runs over midnight into this date
            close = min(bounds[k], following)
            opens.append(0)
            closes.append((close - midnight) // 1_000_000)
            inside.append(at)
            done.append(at + closes[-1])
            if bounds[k] <= following:  # else the next date starts inside it too
                k += 1
        while k < table.n - 2 and bounds[k] < following:
            a, b = bounds[k] - midnight, min(bounds[k + 1], following) - midnight
            opens.append(a // 1_000_000)
            closes.append(b // 1_000_000)
            inside.append(cum[k] // 1_000_000 - opens[-1])
            done.append(inside[-1] + closes[-1])
            k += 1 if bounds[k + 1] >= following else 2
        dates[ordinal] = (tuple(opens), tuple(closes), tuple(inside), tuple(done))
        midnight = following
    table.local = table.zone


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
