"""Giving callbacks to people (balancing) and measuring the month's coverage.

Private module: import these names from :mod:`propcrm.callbacks`.
"""

# Annotations are evaluated here, not postponed: the classes are shown as
# propcrm.callbacks.<name>, so their type hints must resolve without this module.

import heapq
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import attrs
from attrs import field, frozen

from propcrm import _callback_rounds as _rounds
from propcrm._calendar_build import HORIZON
from propcrm._callback_policy import DONGKE, CallbackPolicy
from propcrm._callback_tasks import DECISION, CallbackTask, TaskStatus, greeting_hours
from propcrm._checks import (
    date_limits,
    require_date,
    require_instance,
    require_int,
    require_items,
)
from propcrm._slices import policy_slice
from propcrm._time import zone
from propcrm._validators import int_at_least, non_empty_str, optional
from propcrm.calendar import BusinessCalendar
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = ["Assignment", "BalancePlan", "Coverage", "StaffMember", "balance", "coverage"]


def _role(instance: object, attribute: Any, value: Any) -> None:
    _rounds.role_value(value, attribute.name)


@frozen
class StaffMember:
    """A person callbacks can be given to.

    Attributes:
        id: The person's id.
        role: Their :class:`~propcrm.roles.Role` value; they take tasks owned by that role.
        daily_capacity: Callbacks they can do per day; ``None`` uses the policy's.
    """

    id: str = field(validator=non_empty_str)
    role: str = field(converter=_rounds.role_text, validator=_role)
    daily_capacity: int | None = field(default=None, validator=optional(int_at_least(0)))


@frozen
class Assignment:
    """A task given to a person for a day.

    Attributes:
        task_id: The task.
        staff_id: The person.
        on: The calling day it is planned for.
    """

    task_id: str
    staff_id: str
    on: date


@frozen
class BalancePlan:
    """What :func:`balance` decided.

    Attributes:
        assignments: Tasks given to people, each on a day inside its window.
        late: Tasks that cannot be done in time (no person with the role, a
            ``staff_id`` not among the staff, no capacity, or no calling time
            before the due time) — reported, never scheduled late. Each carries
            the balancer's reason last in its ``reasons``.
        deferred: Tasks whose window lies beyond the planning horizon.
        closed: Tasks no longer to be made — done, unreached or cancelled (a
            revoked VIP card's greetings) — given to nobody.
    """

    assignments: tuple[Assignment, ...]
    late: tuple[CallbackTask, ...]
    deferred: tuple[CallbackTask, ...]
    closed: tuple[CallbackTask, ...] = ()

    def load(self) -> dict[tuple[str, date], int]:
        """Count the tasks given to each (person, day)."""
        out: dict[tuple[str, date], int] = {}
        for a in self.assignments:
            out[a.staff_id, a.on] = out.get((a.staff_id, a.on), 0) + 1
        return out


@frozen
class Coverage:
    """Share of customers reached by a callback in a month, against the target.

    Attributes:
        month: The first day of the month.
        customers: How many customers there are.
        reached: How many were reached at least once in the month.
        share: ``reached / customers``.
        target: The policy target (85 % by default).
        met: Whether ``share >= target``.
        unreached_ids: The customers not reached, sorted.
        reasons: Why it is met or not.
    """

    month: date
    customers: int
    reached: int
    share: float
    target: float
    met: bool
    unreached_ids: tuple[str, ...]
    reasons: tuple[Reason, ...]


def balance(
    tasks: Iterable[CallbackTask],
    staff: Sequence[StaffMember],
    *,
    start: date,
    days: int,
    calendar: BusinessCalendar,
    policy: object = None,
) -> BalancePlan:
    """Give tasks to people, earliest due first, within each person's daily capacity.

    A task goes to a person with its ``owner_role`` (or to its ``staff_id`` if
    already set) on the first calling day of its window with capacity left,
    to the person with the most capacity left that day. Routine callbacks
    avoid the calendar's closed days; greetings go out on their day, holidays
    included (RULES § 6). What cannot be done before its due time is reported
    in ``late``, never scheduled late; tasks whose window lies beyond
    ``start + days`` are ``deferred``. A task whose ``staff_id`` is not one of
    ``staff`` is reported in ``late`` with the rule
    ``callback.balance.unknown_staff``, whenever it is due. Only planned
    tasks are given out: a task already done, unreached or cancelled is
    returned in ``closed``.

    Args:
        tasks: The tasks to give out.
        staff: The people, with their roles and capacities.
        start: The first day of the planning horizon.
        days: How many days the horizon has (at least 1).
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults);
            ``daily_capacity`` applies to people without their own.
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    require_int(days, "days", low=1, high=HORIZON.days)
    require_date(start, "start")
    tasks = require_items(tasks, "tasks", CallbackTask, "a list of CallbackTask")
    staff = require_items(staff, "staff", StaffMember, "a list of StaffMember")
    require_instance(calendar, BusinessCalendar, "calendar", "a BusinessCalendar")
    closed = tuple(task for task in tasks if task.status is not TaskStatus.PLANNED)
    if closed:
        tasks = [task for task in tasks if task.status is TaskStatus.PLANNED]
    with date_limits("start"):
        placed, refused, deferred = _balance_core(
            tasks,
            staff,
            start=start,
            days=days,
            capacity=settings.daily_capacity,
            calendar=calendar,
        )
    late = tuple(
        attrs.evolve(
            task,
            reasons=(*task.reasons, Reason(f"callback.balance.{rule}", message, facts, DECISION)),
        )
        for task, rule, message, facts in refused
    )
    return BalancePlan(
        tuple(Assignment(task.id, person, day) for task, person, day in placed),
        late,
        tuple(deferred),
        closed,
    )


def coverage(
    customer_ids: Iterable[str],
    tasks: Iterable[CallbackTask],
    *,
    month: date,
    tz: str | tzinfo,
    policy: object = None,
) -> Coverage:
    """Share of customers reached by any callback in ``month`` (Dongke plan: 85 %, 002).

    A customer counts as reached when a task for them has a reached outcome
    whose time falls in the month, in zone ``tz``.

    Args:
        customer_ids: Every customer who should be reached.
        tasks: Callback tasks with their outcomes.
        month: Any date of the month measured.
        tz: The zone that decides which month a callback falls in.
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).

    Raises:
        ValidationError: ``customer_ids`` is empty.
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    zone_ = zone(tz)
    everyone = set(require_items(customer_ids, "customer_ids", str, "a list of customer ids"))
    if not everyone:
        raise ValidationError.expected("customer_ids", "at least one customer id", [])
    tasks = require_items(tasks, "tasks", CallbackTask, "a list of CallbackTask")
    first = require_date(month, "month").replace(day=1)
    with date_limits("month"):
        after = (first + timedelta(days=32)).replace(day=1)
    reached = {
        t.customer_id
        for t in tasks
        if t.outcome is not None
        and t.outcome.reached
        and t.customer_id in everyone
        and first <= t.outcome.at.astimezone(zone_).date() < after
    }
    share = len(reached) / len(everyone)
    target = settings.coverage_target
    met = share >= target
    reason = Reason(
        "callback.coverage." + ("met" if met else "below_target"),
        f"{len(reached)} of {len(everyone)} customers reached in {first:%Y-%m} "
        f"({share:.1%}; target {target:.0%})",
        {"reached": len(reached), "customers": len(everyone), "target": target},
        f"{DONGKE} 职责",
    )
    return Coverage(
        first,
        len(everyone),
        len(reached),
        share,
        target,
        met,
        tuple(sorted(everyone - reached)),
        (reason,),
    )


# --- the balancer core ---------------------------------------------------------------------


#: (task, staff id, day) for each assignment.
Placed = tuple[CallbackTask, str, date]
#: (task, rule suffix, message, facts) for each task reported late.
Refused = tuple[CallbackTask, str, str, dict[str, Any]]


def _balance_core(
    tasks: Iterable[CallbackTask],
    staff: Sequence[StaffMember],
    *,
    start: date,
    days: int,
    capacity: int,
    calendar: BusinessCalendar,
) -> tuple[list[Placed], list[Refused], list[CallbackTask]]:
    """Earliest-due-first assignment with per-person daily capacity.

    For each role a max-heap per day holds (capacity left, person) and a
    "next day with room" pointer (path-compressed) skips full days, so each
    task costs about ``O(log staff)``. People have capacity on every day of
    the calling week; routine tasks skip the calendar's closed days, whose
    capacity only greetings use.
    """
    tz = calendar.tz
    horizon = [start + timedelta(days=i) for i in range(days)]
    routine = _ContactDays(calendar)
    any_day = _ContactDays(greeting_hours(calendar))
    closed = [routine.open(d) is None for d in horizon]
    people = {p.id: i for i, p in enumerate(staff)}
    left = [
        [
            (capacity if p.daily_capacity is None else p.daily_capacity) if any_day.open(d) else 0
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
    skip_routine = [d + 1 if d < days and closed[d] else d for d in range(days + 1)]
    skip: dict[tuple[str, bool], list[int]] = {}
    for role in by_role:
        skip[role, False] = list(skip_routine)
        skip[role, True] = list(range(days + 1))

    placed: list[Placed] = []
    refused: list[Refused] = []
    deferred: list[CallbackTask] = []
    end = start + timedelta(days=days - 1)
    for task in sorted(tasks, key=_edf):
        if task.staff_id and task.staff_id not in people:
            refused.append(
                (
                    task,
                    "unknown_staff",
                    f"staff {task.staff_id!r} is not in staff; add them or clear task.staff_id",
                    {"staff_id": task.staff_id, "owner_role": task.owner_role},
                )
            )
            continue
        greeting = task.on_closed_days
        hours = any_day if greeting else routine
        earliest = task.earliest if task.earliest.tzinfo is tz else task.earliest.astimezone(tz)
        due = task.due if task.due.tzinfo is tz else task.due.astimezone(tz)
        first_day = hours.first_day(earliest)
        last_day = due.date()
        opens = hours.open(last_day)
        if opens is None or opens >= due:
            last_day -= timedelta(days=1)
        same_day = first_day == last_day == earliest.date()
        if first_day > last_day or (same_day and hours.next_time(earliest) >= due):
            refused.append(
                (
                    task,
                    "no_contact_time",
                    "no calling time before it is due",
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
        if task.staff_id:
            pick = _fixed(people[task.staff_id], left, lo, hi, None if greeting else closed)
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
            role = task.owner_role
            pick = _pooled(heaps[role], skip[role, greeting], left, lo, hi)
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
                    "no capacity left on any calling day before it is due",
                    {
                        "due": due.isoformat(),
                        "owner_role": task.owner_role,
                        "staff_id": task.staff_id,
                    },
                )
            )
    return placed, refused, deferred


class _ContactDays:
    """Each date's first calling time and close, asked of the calendar once per date."""

    __slots__ = ("_calendar", "_days", "_next")

    def __init__(self, calendar: BusinessCalendar) -> None:
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

    def next_time(self, moment: datetime) -> datetime:
        """The first calling instant at or after ``moment``."""
        return self._calendar.next_working_time(moment)

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


def _fixed(
    person: int, left: list[list[int]], lo: int, hi: int, closed: list[bool] | None
) -> tuple[int, int] | None:
    for d in range(lo, hi + 1):
        if left[person][d] > 0 and (closed is None or not closed[d]):
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
