"""Role shares and staff balancing for :mod:`propcrm.callbacks` (re-exported there).

Private module: import these names from :mod:`propcrm.callbacks`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from propcrm._callback_rounds import share_weights
from propcrm._validators import int_at_least, non_empty_str, optional
from propcrm.errors import ValidationError

if TYPE_CHECKING:
    from propcrm.callbacks import CallbackPolicy, CallbackTask, ContactCalendar

__all__ = ["Assignment", "RoleShareAllocator", "StaffMember", "balance_core"]


class RoleShareAllocator:
    """Give each repair one callback owner so each role's share holds at every prefix.

    The shares are minimums (manager >= 10 %, supervisor >= 30 %, repair lead
    >= 60 % — 002 回访工作制度 §1). Each item goes to the role with the largest
    deficit ``share * n - count`` (``n`` counting the new item; ties go to the
    larger share, then the name). After every item each role's count is
    within one item of ``share * n``. The allocator is deterministic and
    resumes from stored counts. Shares summing to less than 1 are scaled up
    in proportion, so every minimum still holds.

    >>> allocator = RoleShareAllocator({"manager": 0.1, "supervisor": 0.3, "repair_lead": 0.6})
    >>> [allocator.assign() for _ in range(10)].count("manager")
    1
    >>> RoleShareAllocator(allocator.shares, counts=allocator.counts).counts == allocator.counts
    True
    """

    __module__ = "propcrm.callbacks"  # public there; this module is private

    __slots__ = ("_counts", "_order", "_roles", "_shares", "_total", "_weights", "_whole")

    def __init__(
        self, shares: Mapping[str, float], counts: Mapping[str, int] | None = None
    ) -> None:
        weights = share_weights(shares, "shares")
        stored = dict(counts or {})
        for role, count in stored.items():
            if role not in weights:
                raise ValidationError.expected(
                    f"counts.{role}", f"one of the roles {sorted(weights)}", role
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValidationError.expected(f"counts.{role}", "an integer >= 0", count)
        self._shares = {role: float(share) for role, share in shares.items()}
        self._roles = sorted(weights, key=lambda r: (-weights[r], r))
        self._weights = [weights[r] for r in self._roles]
        self._whole = sum(self._weights)
        self._counts = [stored.get(r, 0) for r in self._roles]
        self._total = sum(self._counts)
        self._order = range(len(self._roles))

    @classmethod
    def from_policy(
        cls, policy: CallbackPolicy, counts: Mapping[str, int] | None = None
    ) -> RoleShareAllocator:
        """Build from ``policy.role_shares``, resuming from ``counts`` if given."""
        return cls(policy.role_shares, counts)

    @property
    def shares(self) -> dict[str, float]:
        """The minimum share of each role, as given."""
        return dict(self._shares)

    @property
    def counts(self) -> dict[str, int]:
        """How many items each role has been given so far (store these to resume)."""
        return dict(zip(self._roles, self._counts, strict=True))

    @property
    def total(self) -> int:
        """How many items have been assigned so far."""
        return self._total

    def assign(self) -> str:
        """Return the owner role of the next item and count it."""
        n = self._total + 1
        weights, counts, whole = self._weights, self._counts, self._whole
        best = max(self._order, key=lambda i: weights[i] * n - counts[i] * whole)
        counts[best] += 1
        self._total = n
        return self._roles[best]

    def __repr__(self) -> str:
        return f"RoleShareAllocator({self._shares!r}, counts={self.counts!r})"


@frozen
class StaffMember:
    """A person callbacks can be given to.

    Attributes:
        id: The person's id.
        role: Their role; they take tasks owned by that role.
        daily_capacity: Callbacks they can do per day; ``None`` uses the policy's.
    """

    __module__ = "propcrm.callbacks"  # public there; this module is private

    id: str = field(validator=non_empty_str)
    role: str = field(validator=non_empty_str)
    daily_capacity: int | None = field(default=None, validator=optional(int_at_least(0)))


@frozen
class Assignment:
    """A task given to a person for a day."""

    __module__ = "propcrm.callbacks"  # public there; this module is private

    task_id: str
    staff: str
    day: date


# --- the balancer core ---------------------------------------------------------------------


#: (task, staff id, day) for each assignment.
Placed = tuple["CallbackTask", str, date]
#: (task, rule suffix, message, facts) for each task reported late.
Refused = tuple["CallbackTask", str, str, dict[str, Any]]


def balance_core(
    tasks: Iterable[CallbackTask],
    staff: Sequence[StaffMember],
    *,
    start: date,
    days: int,
    capacity: int,
    calendar: ContactCalendar,
) -> tuple[list[Placed], list[Refused], list[CallbackTask]]:
    """Earliest-due-first assignment with per-person daily capacity.

    For each role a max-heap per day holds (capacity left, person) and a
    "next day with room" pointer (path-compressed) skips full days, so each
    task costs about ``O(log staff)``.
    """
    tz = calendar.tz
    horizon = [start + timedelta(days=i) for i in range(days)]
    hours = _ContactDays(calendar)
    people = {p.id: i for i, p in enumerate(staff)}
    left = [
        [
            (capacity if p.daily_capacity is None else p.daily_capacity) if hours.open(d) else 0
            for d in horizon
        ]
        for p in staff
    ]
    by_role: dict[str, list[int]] = {}
    for i, p in enumerate(staff):
        by_role.setdefault(p.role, []).append(i)
    heaps: dict[str, list[list[tuple[int, int]]]] = {
        role: [[(-left[i][d], i) for i in members if left[i][d] > 0] for d in range(days)]
        for role, members in by_role.items()
    }
    for role_heaps in heaps.values():
        for heap in role_heaps:
            heapq.heapify(heap)
    skip: dict[str, list[int]] = {role: list(range(days + 1)) for role in by_role}

    placed: list[Placed] = []
    refused: list[Refused] = []
    deferred: list[CallbackTask] = []
    end = start + timedelta(days=days - 1)
    for task in sorted(tasks, key=_edf):
        if task.staff and task.staff not in people:
            refused.append(
                (
                    task,
                    "unknown_staff",
                    f"staff {task.staff!r} is not in staff; add them or clear task.staff",
                    {"staff": task.staff, "owner_role": task.owner_role},
                )
            )
            continue
        earliest = task.earliest if task.earliest.tzinfo is tz else task.earliest.astimezone(tz)
        due = task.due if task.due.tzinfo is tz else task.due.astimezone(tz)
        first_day = hours.first_day(earliest)
        last_day = due.date()
        opens = hours.open(last_day)
        if opens is None or opens >= due:
            last_day -= timedelta(days=1)
        same_day = first_day == last_day == earliest.date()
        if first_day > last_day or (same_day and calendar.next_working_time(earliest) >= due):
            refused.append(
                (
                    task,
                    "no_contact_time",
                    "no contact-allowed time before it is due",
                    {"earliest": earliest.isoformat(), "due": due.isoformat()},
                )
            )
            continue
        first_day = max(start, first_day)
        if first_day > end:
            deferred.append(task)
            continue
        if last_day < start:
            refused.append(
                (
                    task,
                    "due_before_horizon",
                    "it is due before the planning horizon",
                    {"due": due.isoformat(), "start": start.isoformat()},
                )
            )
            continue
        lo, hi = (first_day - start).days, (min(last_day, end) - start).days
        if task.staff:
            pick = _fixed(people[task.staff], left, lo, hi)
        else:
            if task.owner_role not in heaps:
                refused.append(
                    (
                        task,
                        "no_staff",
                        f"nobody has the role {task.owner_role!r}",
                        {"owner_role": task.owner_role},
                    )
                )
                continue
            pick = _pooled(heaps[task.owner_role], skip[task.owner_role], left, lo, hi)
        if pick is not None:
            person, d = pick
            placed.append((task, staff[person].id, horizon[d]))
        elif last_day > end:
            deferred.append(task)
        else:
            refused.append(
                (
                    task,
                    "no_capacity",
                    "no capacity left on any contact day before it is due",
                    {"due": due.isoformat(), "owner_role": task.owner_role, "staff": task.staff},
                )
            )
    return placed, refused, deferred


class _ContactDays:
    """Each date's first contact time and close, asked of the calendar once per date."""

    __slots__ = ("_calendar", "_days", "_next")

    def __init__(self, calendar: ContactCalendar) -> None:
        self._calendar = calendar
        self._days: dict[date, tuple[datetime, datetime] | None] = {}
        self._next: dict[date, date] = {}

    def _hours(self, day: date) -> tuple[datetime, datetime] | None:
        if day not in self._days:
            midnight = datetime.combine(day, time(0), tzinfo=self._calendar.tz)
            first = self._calendar.next_working_time(midnight)
            self._days[day] = (
                (first, self._calendar.close_of_day(first)) if first.date() == day else None
            )
        return self._days[day]

    def open(self, day: date) -> datetime | None:
        """The first contact time of ``day``, or ``None`` if it has none."""
        hours = self._hours(day)
        return None if hours is None else hours[0]

    def first_day(self, moment: datetime) -> date:
        """The first date with contact time at or after ``moment``."""
        day = moment.date()
        hours = self._hours(day)
        if hours is not None and moment < hours[1]:
            return day
        if day not in self._next:
            after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self._calendar.tz)
            self._next[day] = self._calendar.next_working_time(after).date()
        return self._next[day]


def _edf(task: CallbackTask) -> tuple[datetime, datetime, str]:
    return task.due, task.earliest, task.id


def _fixed(person: int, left: list[list[int]], lo: int, hi: int) -> tuple[int, int] | None:
    for d in range(lo, hi + 1):
        if left[person][d] > 0:
            left[person][d] -= 1
            return person, d
    return None


def _pooled(
    heaps: list[list[tuple[int, int]]],
    skip: list[int],
    left: list[list[int]],
    lo: int,
    hi: int,
) -> tuple[int, int] | None:
    d = _find(skip, lo)
    while d <= hi:
        heap = heaps[d]
        while heap:
            snapshot, person = heapq.heappop(heap)
            now = left[person][d]
            if now <= 0:
                continue
            if -snapshot != now:  # a fixed assignment used some of it: re-file
                heapq.heappush(heap, (-now, person))
                continue
            left[person][d] = now - 1
            if now > 1:
                heapq.heappush(heap, (1 - now, person))
            if not heap:
                skip[d] = d + 1
            return person, d
        skip[d] = d + 1
        d = _find(skip, d)
    return None


def _find(skip: list[int], d: int) -> int:
    root = d
    while skip[root] != root:
        root = skip[root]
    while skip[d] != root:
        skip[d], d = root, skip[d]
    return root
