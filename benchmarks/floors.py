"""Pure-Python floors for the hot paths: the least work a correct answer needs.

A floor answers the same questions as propcrm on a benchmark's inputs, from data
prepared ahead, and does none of what propcrm must do for every caller: no
argument checks, no horizon, no other time zones, no tables grown on demand, no
reasons. The benchmarks time propcrm against a floor in the same process and the
same interleaved rounds and check that both give the same answers, so the ratio
says what propcrm's own work costs on top of the arithmetic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from propcrm import BusinessCalendar
from propcrm._months import add_months
from propcrm.complaints import Complaint

US = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)


class CalendarFloor:
    """Business time as prefix sums in whole seconds, read with ``bisect``.

    Prepared per local date of the years given: the date's working intervals as
    seconds after its midnight. Flat over all those dates, one entry per
    interval: the business seconds counted at its close (the prefix sum), the
    close's second of the day and the date. An instant's business total is its
    date's entry plus its seconds into the interval it falls in, its
    microseconds carried beside as a remainder; a deadline is one ``bisect`` on
    the prefix sums and one ``datetime(...)`` built from small integers.
    Nothing exceeds ``2**30`` but the microseconds of the answer.

    Inputs must be datetimes in the calendar's own zone, with a fixed offset
    over the years given (China's since 1992); durations must be positive.
    """

    def __init__(self, calendar: BusinessCalendar, years: Iterable[int]) -> None:
        span = sorted(years)
        self.zone = zone = calendar.tz
        self.first = date(span[0], 1, 1).toordinal()
        #: Per date: its intervals' opens and closes (seconds after midnight), the
        #: business total at an open minus the open, and the total at each close.
        self.days: list[tuple[list[int], list[int], list[int], list[int]]] = []
        self.done: list[int] = []  # the business total at each interval's close
        self.close_of: list[int] = []  # each interval's close, seconds after its midnight
        self.date_of: list[tuple[int, int, int]] = []
        total = 0
        for ordinal in range(self.first, date(span[-1] + 1, 1, 1).toordinal()):
            day = date.fromordinal(ordinal)
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            opens: list[int] = []
            closes: list[int] = []
            inside: list[int] = []
            done: list[int] = []
            for a, b in calendar.working_intervals(midnight, midnight + timedelta(days=1)):
                opens.append((a - midnight) // SECOND)
                closes.append((b - midnight) // SECOND)
                inside.append(total - opens[-1])
                total += closes[-1] - opens[-1]
                done.append(total)
                self.done.append(total)
                self.close_of.append(closes[-1])
                self.date_of.append((day.year, day.month, day.day))
            self.days.append((opens, closes, inside, done))
        self.before_day = [0]  # the business total at each midnight
        for _opens, _closes, _inside, done in self.days:
            self.before_day.append(done[-1] if done else self.before_day[-1])

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant ``duration`` (> 0) of business time after ``start``."""
        i = start.toordinal() - self.first
        t = start.hour * 3600 + start.minute * 60 + start.second
        opens, closes, inside, done = self.days[i]
        j = bisect_right(opens, t) - 1
        if j < 0:
            b, us = self.before_day[i], 0
        elif t < closes[j]:
            b, us = inside[j] + t, start.microsecond
        else:
            b, us = done[j], 0
        b += duration.days * 86_400 + duration.seconds
        us += duration.microseconds
        if us >= 1_000_000:
            b, us = b + 1, us - 1_000_000
        # With a remainder the deadline lies strictly before the close holding b + 1.
        k = bisect_right(self.done, b) if us else bisect_left(self.done, b)
        t = self.close_of[k] - self.done[k] + b
        year, month, day = self.date_of[k]
        minute, second = divmod(t, 60)
        hour, minute = divmod(minute, 60)
        return datetime(year, month, day, hour, minute, second, us, self.zone)

    def _total(self, at: datetime) -> int:
        """Business µs from the first date's midnight to ``at``."""
        i = at.toordinal() - self.first
        t = at.hour * 3600 + at.minute * 60 + at.second
        opens, closes, inside, done = self.days[i]
        j = bisect_right(opens, t) - 1
        if j < 0:
            return self.before_day[i] * 1_000_000
        if t < closes[j]:
            return (inside[j] + t) * 1_000_000 + at.microsecond
        return done[j] * 1_000_000

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end``."""
        return (self._total(end) - self._total(start)) * US


class GradingFloor:
    """Complaint grades from the default policy's thresholds, answered from prebuilt values.

    :meth:`grade` ranks a complaint by the flags and headcount it carries and, in
    streaming use, the distinct complainants of its key in the month before it,
    and returns one of four prebuilt answers: no decision object, no reasons,
    no deadline. :meth:`add` keeps the window as a dict of complainant -> latest
    time per key, plus one queue to evict from; it must see complaints in time
    order. Defaults: MAJOR for litigation filed, media exposure or >= 10 people;
    HOT for either risk, >= 3 people, >= 3 complainants within one calendar
    month; IMPORTANT for a second complaint or one needing other departments.
    Complaints are graded at their receipt, so no time criterion applies.
    """

    ANSWERS = ("general", "important", "hot", "major")

    def __init__(self, *, hot_people: int = 3, major_people: int = 10, repeat: int = 3) -> None:
        self.hot_people, self.major_people, self.repeat = hot_people, major_people, repeat
        self.index: dict[tuple[str, str, str], dict[str, datetime]] = {}
        self.queue: deque[tuple[datetime, tuple[str, str, str], tuple[str, ...]]] = deque()
        self.reach = timedelta(days=32)  # no one-month window reaches further back
        self.day = 0
        self.shift = timedelta(0)
        self.count = 0

    def add(self, complaint: Complaint) -> None:
        """Record ``complaint`` and count its key's complainants in its window."""
        t = complaint.received_at
        queue, index = self.queue, self.index
        bound = t - self.reach
        while queue and queue[0][0] <= bound:
            old, old_key, old_who = queue.popleft()
            seen = index[old_key]
            for who in old_who:
                if seen.get(who) == old:
                    del seen[who]
            if not seen:
                del index[old_key]
        key = (complaint.community, complaint.category, complaint.subject)
        queue.append((t, key, complaint.complainant_ids))
        seen = index.setdefault(key, {})
        for who in complaint.complainant_ids:
            seen[who] = t
        day = t.toordinal()
        if day != self.day:  # the window's length in days depends only on the date
            self.day, self.shift = day, t - add_months(t, -1)
        start = t - self.shift
        self.count = sum(1 for when in seen.values() if when > start)

    def grade(self, complaint: Complaint, *, history: bool = False) -> str:
        """The grade's prebuilt answer; with ``history``, the count of the last :meth:`add`."""
        c = complaint
        people = len(c.complainant_ids) if c.headcount is None else c.headcount
        if c.litigation_filed or c.media_exposed or people >= self.major_people:
            return self.ANSWERS[3]
        if (
            c.litigation_risk
            or c.media_risk
            or people >= self.hot_people
            or (history and self.count >= self.repeat)
        ):
            return self.ANSWERS[2]
        if c.second_after_handling or c.repeat_of_id is not None or c.needs_other_departments:
            return self.ANSWERS[1]
        return self.ANSWERS[0]
