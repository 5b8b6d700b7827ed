"""The complaint history: distinct complainants of "the same complaint" in a sliding month.

Public in :mod:`propcrm.complaints`; this module is private.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from propcrm._checks import require_instance, require_iterable
from propcrm._complaints_policy import GradingPolicy, HasGrading, grading_of, plan_of
from propcrm._complaints_types import Complaint
from propcrm._months import add_months
from propcrm.errors import ValidationError

__all__ = ["ComplaintHistory"]

_TIME = itemgetter(0)
_LONG_AGO = datetime.min.replace(tzinfo=UTC)  # before any complaint
_EVICTION_BATCH = timedelta(hours=1)
_DEFAULT_KEY = ("community", "category", "subject")  # GradingPolicy.same_complaint_key's


class ComplaintHistory:
    """The index behind "the same complaint from ≥ 3 different complainants within a month".

    Two modes:

    * unordered (default): complaints may be added in any order; every complaint
      is kept.
    * ``streaming=True``: complaints must be added in order of ``received_at``;
      entries older than any later window can reach are dropped, so memory stays
      bounded by the window. Grade a complaint after adding every complaint
      received at the same instant (the window includes them) and never ask about
      a complaint older than the newest one added.

    The window of a complaint received at ``t`` is ``(t - n months, t]`` with
    ``n = repeat_window_months`` of the grading policy, in calendar months on the
    wall clock of ``t`` (Mar 31 - 1 month = Feb 28).

    Args:
        policy: The root policy or its grading slice (``policy.grading``), whose
            key and window this history uses; ``None`` for the defaults.
        streaming: Whether complaints arrive in time order (see above).

    Raises:
        ValidationError: ``policy`` is neither the root policy, a
            :class:`GradingPolicy` nor ``None``.

    Attributes:
        policy: The grading slice the history counts by.
        streaming: Whether the history is in streaming mode.
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    __slots__ = (
        "_count",
        "_day",
        "_evict_at",
        "_index",
        "_key",
        "_last",
        "_latest",
        "_months",
        "_plain_key",
        "_queue",
        "_queue_keys",
        "_queue_named",
        "_reach",
        "_shift",
        "_start",
        "policy",
        "streaming",
    )

    def __init__(
        self, *, policy: GradingPolicy | HasGrading | None = None, streaming: bool = False
    ) -> None:
        grading = grading_of(policy)
        self.policy = grading
        self.streaming = streaming
        self._key = plan_of(grading).key
        self._plain_key = grading.same_complaint_key == _DEFAULT_KEY
        self._months = -grading.repeat_window_months
        # No window of a later complaint starts earlier than 31 days per month (plus a
        # day of daylight-saving slack) before this one: a safe, zone-free eviction bound.
        self._reach = timedelta(days=31 * grading.repeat_window_months + 1)
        self._index: dict[object, Any] = {}
        # The eviction queue, in time order, kept as three columns (times, keys, names)
        # rather than a tuple per complaint: the garbage collector then has one tracked
        # object less to count and visit for every complaint added.
        self._queue: deque[datetime] = deque()
        self._queue_keys: deque[object] = deque()
        self._queue_named: deque[tuple[str, ...]] = deque()
        self._evict_at = _LONG_AGO  # when to look at the queue's oldest entries again
        self._latest: datetime | None = None
        self._last: Complaint | None = None  # the newest complaint added (streaming) ...
        self._count = 0  # ... and its complainants_within()
        self._start: datetime | None = None  # ... and its window start, if computed
        self._day = 0  # the date (ordinal) of the newest window start computed ...
        self._shift = timedelta(0)  # ... and the window's length in days on that date

    def __len__(self) -> int:
        """The number of complaints held (the live complaints in streaming mode)."""
        if self.streaming:
            return len(self._queue)
        return sum(len(v) for v in self._index.values()) if self._index else 0

    def add(self, complaint: Complaint) -> None:
        """Record a complaint.

        Raises:
            ValidationError: in streaming mode, ``complaint`` is older than the newest one.
        """
        if type(complaint) is not Complaint and not isinstance(complaint, Complaint):
            require_instance(complaint, Complaint, "complaint", "a Complaint")
        t = complaint.received_at
        if self._plain_key:  # the default key, read without attrgetter's generic lookups
            key = (complaint.community, complaint.category, complaint.subject)
        else:
            key = self._key(complaint)
        named = complaint.complainant_ids
        if not self.streaming:
            entries = self._index.setdefault(key, [])
            for who in named:
                bisect.insort(entries, (t, who), key=_TIME)
            self._latest = t if self._latest is None or t > self._latest else self._latest
            return
        latest = self._latest
        if latest is not None and t < latest:
            raise ValidationError.expected(
                "received_at",
                f"a moment at or after the newest complaint ({latest})",
                t,
                "add complaints in time order, or use ComplaintHistory(streaming=False)",
            )
        self._latest = t
        if t >= self._evict_at:
            self._evict(t)
        self._queue.append(t)
        self._queue_keys.append(key)
        self._queue_named.append(named)
        index = self._index
        seen = index.get(key)
        if seen is None:
            index[key] = dict.fromkeys(named, t)
            self._last, self._count, self._start = complaint, len(named), None
            return
        for who in named:
            if who in seen:
                del seen[who]  # re-insert so the dict stays ordered by latest time
            seen[who] = t
        # Count now, while the key is at hand: grading usually asks next. The window's
        # length in days depends only on the date, so it is computed once a day.
        day = t.toordinal()
        if day != self._day:
            self._day, self._shift = day, t - add_months(t, self._months)
        start = t - self._shift
        stale = 0  # _count_after(seen, start), inline: one call less per complaint
        for when in seen.values():
            if when > start:
                break
            stale += 1
        self._last, self._count, self._start = complaint, len(seen) - stale, start

    def _evict(self, t: datetime) -> None:
        """Drop what no window of a complaint received at or after ``t`` can reach."""
        queue, keys, named = self._queue, self._queue_keys, self._queue_named
        bound = t - self._reach
        index = self._index
        while queue and queue[0] <= bound:
            old, old_key, old_who = queue.popleft(), keys.popleft(), named.popleft()
            seen = index.get(old_key)
            if seen is None:  # emptied by an earlier entry of the same instant
                continue
            for who in old_who:
                if seen.get(who) == old:
                    del seen[who]
            if not seen:
                del index[old_key]
        # Evict in batches, once the oldest entry is an hour past reach: one comparison
        # per complaint instead of a subtraction and a look at the queue.
        self._evict_at = (queue[0] if queue else t) + self._reach + _EVICTION_BATCH

    def extend(self, complaints: Iterable[Complaint]) -> None:
        """Record several complaints (in time order in streaming mode): all of them or none.

        Raises:
            ValidationError: ``complaints[i]`` is not a Complaint, or (streaming)
                is older than the one before it; nothing is recorded.
        """
        batch = list(require_iterable(complaints, "complaints", "complaints"))
        latest = self._latest if self.streaming else None
        for i, complaint in enumerate(batch):
            if not isinstance(complaint, Complaint):
                raise ValidationError.expected(
                    f"complaints[{i}]", "a Complaint", type(complaint).__name__
                )
            if self.streaming:
                t = complaint.received_at
                if latest is not None and t < latest:
                    raise ValidationError.expected(
                        f"complaints[{i}].received_at",
                        f"a moment at or after the complaint before it ({latest})",
                        t,
                        "add complaints in time order, or use ComplaintHistory(streaming=False)",
                    )
                latest = t
        for complaint in batch:
            self.add(complaint)

    def complainants_within(self, complaint: Complaint) -> int:
        """Distinct complainants of the same complaint in its window, its own included.

        Raises:
            ValidationError: in streaming mode, ``complaint`` is older than the newest one.
        """
        require_instance(complaint, Complaint, "complaint", "a Complaint")
        return self._tally(complaint)[0]

    def _tally(self, complaint: Complaint) -> tuple[int, datetime | None]:
        """Distinct complainants in ``complaint``'s window, and its start if it was computed.

        The streaming mode counts a complaint as it is added; grading then reads
        that count here instead of counting again.
        """
        if self.streaming and complaint is self._last:
            return self._count, self._start
        start = add_months(complaint.received_at, self._months)
        return self._within(complaint, start), start

    def _within(self, complaint: Complaint, start: datetime) -> int:
        t = complaint.received_at
        key = self._key(complaint)
        own = complaint.complainant_ids
        if self.streaming:
            if self._latest is not None and t < self._latest:
                raise ValidationError.expected(
                    "received_at",
                    f"a moment at or after the newest complaint ({self._latest})",
                    t,
                    "a streaming history answers only for its newest complaints",
                )
            seen = self._index.get(key)
            if not seen:
                return len(own)
            count = _count_after(seen, start)
            for who in own:
                when = seen.get(who)
                if when is None or when <= start:
                    count += 1
            return count
        entries = self._index.get(key)
        if not entries:
            return len(own)
        lo = bisect.bisect_right(entries, start, key=_TIME)
        hi = bisect.bisect_right(entries, t, key=_TIME)
        names = {who for _, who in entries[lo:hi]}
        names.update(own)
        return len(names)


def _count_after(seen: dict[str, datetime], start: datetime) -> int:
    """How many of ``seen`` (complainant -> latest time, oldest first) are after ``start``.

    Counts the few entries at or before ``start`` from the old end: eviction keeps
    at most a few days of them, while the window may hold a hundred on a busy key.
    """
    stale = 0
    for when in seen.values():
        if when > start:
            break
        stale += 1
    return len(seen) - stale
