"""The complaint history: distinct complainants of "the same complaint" in a sliding month.

Public in :mod:`propcrm.complaints`; this module is private.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

from propcrm._checks import require_instance, require_iterable
from propcrm._complaints_policy import GradingPolicy, HasGrading, grading_of, plan_of
from propcrm._complaints_types import Complainants, Complaint
from propcrm._months import add_months
from propcrm._time import require_aware, steady_offset
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
    wall clock of ``t`` (Mar 31 - 1 month = Feb 28). Moments are compared as
    instants, in any zone and in the hour a daylight-saving change repeats.

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
        "_added",
        "_count",
        "_day",
        "_evict_at",
        "_index",
        "_key",
        "_last",
        "_latest",
        "_months",
        "_plain",
        "_plain_key",
        "_queue",
        "_queue_keys",
        "_queue_named",
        "_reach",
        "_shift",
        "_start",
        "_years",
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
        self._years = -(-self._reach.days // 365)  # the years before one a window reaches
        self._index: dict[object, Any] = {}
        self._added = 0  # the complaints added (unordered: every one is held)
        # The eviction queue, in time order, kept as three columns (times, keys, names)
        # rather than a tuple per complaint: the garbage collector then has one tracked
        # object less to count and visit for every complaint added.
        self._queue: deque[datetime] = deque()
        self._queue_keys: deque[object] = deque()
        self._queue_named: deque[tuple[str, ...]] = deque()
        self._evict_at = _LONG_AGO  # when to look at the queue's oldest entries again
        self._latest: datetime | None = None
        # The newest complaint added (streaming) ...
        self._last: Complaint | Complainants | None = None
        self._count = 0  # ... and its complainants_within()
        self._start: datetime | None = None  # ... and its window start, if computed
        self._day = 0  # the date (ordinal) of the newest window start computed ...
        self._shift = timedelta(0)  # ... and the window's length in days on that date
        # The last (zone, year) whose moments are held as given (see _held).
        self._plain: tuple[object, int] = (None, 0)

    def __len__(self) -> int:
        """The number of complaints held (the live complaints in streaming mode)."""
        return len(self._queue) if self.streaming else self._added

    def add(self, complaint: Complaint | Complainants) -> None:
        """Record a complaint, whole or as its :class:`~propcrm.complaints.Complainants`.

        Raises:
            ValidationError: ``complaint`` is neither, a ``Complainants`` holds a
                value of the wrong type, or in streaming mode ``complaint`` is
                older than the newest one.
        """
        if type(complaint) is not Complaint and not isinstance(complaint, Complaint):
            _require_complainants(complaint, "complaint")
        self._add(complaint)

    def _held(self, t: datetime) -> datetime:
        """``t`` as the history holds it: as given where its zone's wall clock orders
        moments as their instants, else in UTC.

        Python compares two moments of one zone by its wall clock, which in the hour a
        daylight-saving change repeats is not their order (moments of different zones
        compare as instants). A fixed offset, or a zone that keeps one offset through
        every year a window can reach (China's since 1992), keeps ``t`` as it is: no
        conversion, and the quick comparisons of one zone.
        """
        zone = t.tzinfo
        year = t.year
        if self._plain[0] is zone and self._plain[1] == year:
            return t
        if type(zone) is timezone:
            return t
        offset = steady_offset(zone, year)
        if offset is not None and all(
            steady_offset(zone, y) == offset for y in range(year - self._years, year)
        ):
            self._plain = (zone, year)
            return t
        return t.astimezone(UTC)

    def _add(self, complaint: Complaint | Complainants) -> None:
        t = complaint.received_at
        at = self._held(t)
        if self._plain_key:  # the default key, read without attrgetter's generic lookups
            key = (complaint.community, complaint.category, complaint.subject)
        else:
            key = self._key(complaint)
        named = complaint.complainant_ids
        if not self.streaming:
            entries = self._index.setdefault(key, [])
            for who in named:
                bisect.insort(entries, (at, who), key=_TIME)
            self._added += 1
            self._latest = at if self._latest is None or at > self._latest else self._latest
            return
        latest = self._latest
        if latest is not None and at < latest:
            raise ValidationError.expected(
                "received_at",
                f"a moment at or after the newest complaint ({latest})",
                t,
                "add complaints in time order, or use ComplaintHistory(streaming=False)",
            )
        self._latest = at
        if at >= self._evict_at:
            self._evict(at)
        self._queue.append(at)
        self._queue_keys.append(key)
        self._queue_named.append(named)
        index = self._index
        seen = index.get(key)
        if seen is None:
            index[key] = dict.fromkeys(named, at)
            self._last, self._count, self._start = complaint, len(named), None
            return
        for who in named:
            if who in seen:
                del seen[who]  # re-insert so the dict stays ordered by latest time
            seen[who] = at
        # Count now, while the key is at hand: grading usually asks next. The window's
        # length in days depends only on the date, so it is computed once a day.
        day = t.toordinal()
        if day != self._day:
            self._day, self._shift = day, t - add_months(t, self._months)
        start = t - self._shift
        bound = start if at is t else start.astimezone(UTC)
        stale = 0  # _count_after(seen, bound), inline: one call less per complaint
        for when in seen.values():
            if when > bound:
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

    def extend(self, complaints: Iterable[Complaint | Complainants]) -> None:
        """Record several complaints (in time order in streaming mode): all of them or none.

        Raises:
            ValidationError: ``complaints[i]`` is neither a Complaint nor a valid
                Complainants, or (streaming) is older than the one before it;
                nothing is recorded.
        """
        batch = list(require_iterable(complaints, "complaints", "complaints"))
        latest = self._latest if self.streaming else None
        for i, complaint in enumerate(batch):
            if not isinstance(complaint, Complaint):
                _require_complainants(complaint, f"complaints[{i}]")
            if self.streaming:
                t = self._held(complaint.received_at)  # compared as _add compares them
                if latest is not None and t < latest:
                    raise ValidationError.expected(
                        f"complaints[{i}].received_at",
                        f"a moment at or after the complaint before it ({latest})",
                        complaint.received_at,
                        "add complaints in time order, or use ComplaintHistory(streaming=False)",
                    )
                latest = t
        add = self._add
        for complaint in batch:
            add(complaint)

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
        t = self._held(complaint.received_at)
        if t is not complaint.received_at:
            start = start.astimezone(UTC)  # compared as the moments held
        key = self._key(complaint)
        own = complaint.complainant_ids
        if self.streaming:
            if self._latest is not None and t < self._latest:
                raise ValidationError.expected(
                    "received_at",
                    f"a moment at or after the newest complaint ({self._latest})",
                    complaint.received_at,
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


def _require_complainants(value: object, name: str) -> None:
    """Refuse what is neither a Complaint nor a well-typed :class:`Complainants`."""
    if not isinstance(value, Complainants):
        raise ValidationError.expected(name, "a Complaint or Complainants", type(value).__name__)
    for i, field_name in enumerate(Complainants._fields[:5]):
        if not isinstance(value[i], str):
            raise ValidationError.expected(f"{name}.{field_name}", "a string", value[i])
    ids = value.complainant_ids
    if not isinstance(ids, tuple) or not all(isinstance(who, str) for who in ids):
        raise ValidationError.expected(
            f"{name}.complainant_ids", "a tuple of customer ids (strings)", ids
        )
    require_aware(value.received_at, f"{name}.received_at")


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
