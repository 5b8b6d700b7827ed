"""Service levels (SLA, 服务时效): clocks with pauses on business calendars, breaches, attainment.

A work order or complaint is a :class:`Timeline` of typed :class:`Event` items
(received, dispatched, arrived, paused, resolved, ...). An :class:`SlaTarget`
says when its clock starts and stops, how much time is allowed
(:class:`Allowance`) and on which business calendar it runs. An
:class:`SlaPolicy` chooses a set of targets by request kind, complaint grade
and customer tier. :func:`evaluate` recomputes every status from the event log
at a given instant, so a calendar edit or a regrade reaches open items.

Semantics (RULES.md §5):

* A clock started outside working time starts at the next working instant.
* Paused time is measured in business time: a pause over a weekend on a
  weekday calendar costs nothing extra.
* A breach stays a breach: meeting the target later, moving an appointment
  or regrading to a looser target never clears it.
* A regrade keeps the clock (the same start) and changes the allowance from
  the moment of the regrade on.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from propcrm import Policy
>>> policy = Policy()
>>> calendars = {name: policy.calendar(name) for name in ("24x7", "desk")}
>>> night = datetime(2025, 11, 10, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> order = Timeline([Event(EventKind.RECEIVED, night)], kind="repair.in_home")
>>> for s in evaluate(policy.sla, order, night, calendars):
...     print(s.target, s.state.value, s.due_at and f"{s.due_at:%a %H:%M}")
dispatch running Tue 09:30
on_site not_started None
fixed running Tue 16:30
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum
from typing import Any, Protocol

from attrs import field, frozen

from propcrm._sla_clock import TimelineIndex, breach, check_sequence, counted, deadline
from propcrm._time import require_aware
from propcrm._validators import int_at_least, non_empty_str
from propcrm.complaints import Grade, GradeDurations
from propcrm.customers import Tier
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.satisfaction import Attainment

__all__ = [
    "Allowance",
    "AllowanceKind",
    "Event",
    "EventKind",
    "SlaCalendar",
    "SlaEvaluator",
    "SlaPolicy",
    "SlaState",
    "SlaTarget",
    "TargetSet",
    "TargetStatus",
    "Timeline",
    "attainment",
    "evaluate",
]

GRADES = tuple(grade.value for grade in Grade)  # "general" .. "major"
TIERS = tuple(tier.value for tier in Tier)  # "A" .. "D"
_ZERO = timedelta(0)
_NONE: tuple[list[tuple[datetime, datetime]], bool] = ([], False)


class SlaCalendar(Protocol):
    """The business-calendar operations an SLA clock needs (see ``propcrm.calendar``)."""

    @property
    def tz(self) -> tzinfo:
        """The calendar's zone."""
        ...

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant where the business time since ``start`` equals ``duration``."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants."""
        ...

    def next_working_time(self, moment: datetime) -> datetime:
        """``moment`` if it is working time, else the next working instant."""
        ...

    def close_of_day(self, moment: datetime) -> datetime:
        """Close of the working day containing ``moment``, or of the next one."""
        ...

    def add_working_days(self, day: date, n: int) -> date:
        """The working day ``n`` working days after ``day``."""
        ...

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` lies past the last official holiday schedule."""
        ...


def _label(value: object) -> Any:
    """A :class:`~propcrm.complaints.Grade` or :class:`~propcrm.customers.Tier` by its value."""
    return value.value if isinstance(value, Grade | Tier) else value


def _labels(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(_label(value) for value in values)


class EventKind(Enum):
    """What happened to a work order (工单) or complaint (投诉)."""

    RECEIVED = "received"  #: the request was received (受理); always the first event
    ANSWERED = "answered"  #: a call was picked up (接听)
    DISPATCHED = "dispatched"  #: a technician was sent (派工)
    ARRIVED = "arrived"  #: the technician is on site (到场); needs a dispatch first
    APPOINTMENT_SET = "appointment_set"  #: a visit time was agreed (预约)
    APPOINTMENT_CHANGED = "appointment_changed"  #: the agreed visit time moved
    PAUSED = "paused"  #: the clock waits, for a ``reason`` such as ``"waiting_on_customer"``
    RESUMED = "resumed"  #: the wait is over
    RESOLVED = "resolved"  #: handled (处理完毕)
    CLOSED = "closed"  #: closed loop (闭环): the customer was told the outcome
    REOPENED = "reopened"  #: a resolved item is open again
    REGRADED = "regraded"  #: the complaint's ``grade`` changed

    __hash__ = object.__hash__  # members are singletons; identity hashing keeps lookups cheap


_MILESTONES = frozenset(
    {
        EventKind.RECEIVED,
        EventKind.ANSWERED,
        EventKind.DISPATCHED,
        EventKind.ARRIVED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    }
)
_REOPENABLE = frozenset({EventKind.RESOLVED, EventKind.CLOSED})
_APPOINTMENTS = frozenset({EventKind.APPOINTMENT_SET, EventKind.APPOINTMENT_CHANGED})


@frozen
class Event:
    """One event of a timeline.

    Attributes:
        kind: What happened.
        at: When, timezone-aware.
        reason: Why the clock pauses (``PAUSED`` only), e.g. ``"waiting_on_customer"``.
        grade: The new complaint grade (``REGRADED`` only): a
            :class:`~propcrm.complaints.Grade` or its value, e.g. ``"hot"``.
        appointment: The agreed visit time (``APPOINTMENT_SET``/``_CHANGED`` only).
    """

    kind: EventKind
    at: datetime = field(validator=lambda i, a, v: require_aware(v, a.name))
    reason: str = ""
    grade: str = field(default="", converter=_label)
    appointment: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.kind, EventKind):
            raise ValidationError.expected("kind", "an EventKind", self.kind)
        needs_reason = self.kind is EventKind.PAUSED
        if needs_reason != bool(self.reason):
            what = "a non-empty reason" if needs_reason else "no reason"
            raise ValidationError.expected(
                "reason", f"{what} for a {self.kind.value} event", self.reason
            )
        if (self.kind is EventKind.REGRADED) != bool(self.grade):
            raise ValidationError.expected(
                "grade", f"a grade only on regraded events, one of {GRADES}", self.grade
            )
        if self.grade and self.grade not in GRADES:
            raise ValidationError.expected("grade", f"one of {GRADES}", self.grade)
        if (self.kind in _APPOINTMENTS) != (self.appointment is not None):
            raise ValidationError.expected(
                "appointment",
                f"an appointment time only on appointment events, not {self.kind.value}",
                self.appointment,
            )
        if self.appointment is not None:
            require_aware(self.appointment, "appointment")


def _events(value: Iterable[Event]) -> tuple[Event, ...]:
    events = tuple(value)
    for i, event in enumerate(events):
        if not isinstance(event, Event):
            raise ValidationError.expected(f"events[{i}]", "an Event", event)
    return events


@frozen
class Timeline:
    """The event log of one work order or complaint, checked for impossible sequences.

    Attributes:
        events: In time order; the first is ``RECEIVED``.
        kind: The request kind, e.g. ``"repair.in_home"`` or ``"complaint"``.
        grade: The complaint grade at receipt (a :class:`~propcrm.complaints.Grade`
            or its value, ``"general"`` .. ``"major"``), or empty.
        tier: The customer tier (a :class:`~propcrm.customers.Tier` or ``"A"`` .. ``"D"``),
            or empty.

    Raises:
        ValidationError: naming the event (``events[i]``) that cannot happen where it is.
    """

    events: tuple[Event, ...] = field(converter=_events)
    kind: str = ""
    grade: str = field(
        default="", converter=_label, validator=lambda i, a, v: _one_of_or_empty(a.name, v, GRADES)
    )
    tier: str = field(
        default="", converter=_label, validator=lambda i, a, v: _one_of_or_empty(a.name, v, TIERS)
    )

    _index: TimelineIndex = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_sequence(self.events)
        object.__setattr__(self, "_index", TimelineIndex(self.events))


class AllowanceKind(Enum):
    """How an allowance ends."""

    BUSINESS = "business"  #: ``duration`` of business time on the target's calendar
    WALL = "wall"  #: ``duration`` of calendar (wall-clock) time
    CLOSE_OF_DAY = "close_of_day"  #: close of the working day, ``days`` working days on
    APPOINTMENT = "appointment"  #: the agreed appointment + ``grace``; else ``duration``


@frozen
class Allowance:
    """The time a target allows. Build one with the class methods.

    Attributes:
        kind: Which of the four shapes.
        duration: ``BUSINESS``/``WALL``: the time allowed; ``APPOINTMENT``: the
            business time allowed while no appointment is agreed.
        days: ``CLOSE_OF_DAY``: 0 for the same working day (不过夜), n for the n-th next one.
        grace: ``APPOINTMENT``: how late after the appointment still counts as on time.
    """

    kind: AllowanceKind
    duration: timedelta = _ZERO
    days: int = field(default=0, validator=int_at_least(0))
    grace: timedelta = _ZERO

    def __attrs_post_init__(self) -> None:
        kind = self.kind
        if not isinstance(kind, AllowanceKind):
            raise ValidationError.expected("kind", "an AllowanceKind", kind)
        timed = kind is not AllowanceKind.CLOSE_OF_DAY
        if timed != (self.duration > _ZERO) or self.duration < _ZERO:
            what = "a positive duration" if timed else "no duration (0s)"
            raise ValidationError.expected(
                "duration", f"{what} for a {kind.value} allowance", self.duration
            )
        if self.days and timed:
            raise ValidationError.expected("days", f"0 for a {kind.value} allowance", self.days)
        if (self.grace and kind is not AllowanceKind.APPOINTMENT) or self.grace < _ZERO:
            raise ValidationError.expected(
                "grace", "0s, or a duration >= 0 on an appointment allowance", self.grace
            )

    @classmethod
    def business(cls, duration: timedelta) -> Allowance:
        """``duration`` of business time, e.g. 8 working hours."""
        return cls(AllowanceKind.BUSINESS, duration)

    @classmethod
    def wall(cls, duration: timedelta) -> Allowance:
        """``duration`` of calendar time, e.g. 3 days."""
        return cls(AllowanceKind.WALL, duration)

    @classmethod
    def same_day(cls) -> Allowance:
        """By close of the working day the clock starts in (不过夜)."""
        return cls(AllowanceKind.CLOSE_OF_DAY)

    @classmethod
    def working_days(cls, n: int) -> Allowance:
        """By close of the ``n``-th working day after the one the clock starts in."""
        return cls(AllowanceKind.CLOSE_OF_DAY, days=n)

    @classmethod
    def appointment(cls, otherwise: timedelta, grace: timedelta = _ZERO) -> Allowance:
        """At the agreed appointment (+ ``grace``); before one is agreed, ``otherwise``."""
        return cls(AllowanceKind.APPOINTMENT, otherwise, grace=grace)


def _warnings(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(value)


def _check_warnings(instance: object, attribute: Any, value: tuple[float, ...]) -> None:
    ok = all(isinstance(w, float | int) and not isinstance(w, bool) and 0 < w < 1 for w in value)
    if not ok or list(value) != sorted(set(value)):
        raise ValidationError.expected(
            attribute.name,
            "ascending fractions strictly between 0 and 1",
            value,
            "e.g. [0.5, 0.75, 0.9]",
        )


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_reasons(instance: object, attribute: Any, value: tuple[str, ...]) -> None:
    if not all(isinstance(r, str) and r.strip() for r in value):
        raise ValidationError.expected(attribute.name, "non-empty pause reasons", value)


@frozen
class SlaTarget:
    """One service-level target: a clock from ``start`` to ``stop`` with an allowance.

    Attributes:
        name: A stable name, e.g. ``"dispatch"``; statuses and attainment use it.
        start: The event that starts the clock (its first occurrence).
        stop: The event that stops it; a ``REOPENED`` item runs again until the next one.
            A clock whose stop event has not happened by the time the item is
            resolved (or closed) stops there: met if that was within the
            allowance, else breached at the due time; reopening runs it again.
        allowance: The time allowed.
        calendar: The name of the business calendar the clock runs on.
        pause_on: Pause reasons that stop this clock, e.g. ``("waiting_on_customer",)``.
            ``"appointment"`` pauses it while an agreed appointment is awaited:
            from ``APPOINTMENT_SET`` (or a change) until the agreed time, the
            next change or an arrival, whichever comes first.
        warnings: Fractions of the allowance that raise a warning when consumed.
        source: The article the target comes from, e.g. ``"000 §3.2"``.
    """

    name: str = field(validator=non_empty_str)
    start: EventKind = field()
    stop: EventKind = field()
    allowance: Allowance = field()
    calendar: str = field(default="desk", validator=non_empty_str)
    pause_on: tuple[str, ...] = field(default=(), converter=_strs, validator=_check_reasons)
    warnings: tuple[float, ...] = field(
        default=(0.5, 0.75, 0.9), converter=_warnings, validator=_check_warnings
    )
    source: str = ""

    @start.validator
    def _check_start(self, attribute: Any, value: object) -> None:
        if value not in _MILESTONES or value in _REOPENABLE:
            allowed = sorted(k.value for k in _MILESTONES - _REOPENABLE)
            raise ValidationError.expected("start", f"one of {allowed}", value)

    @stop.validator
    def _check_stop(self, attribute: Any, value: object) -> None:
        if value not in _MILESTONES or value is EventKind.RECEIVED or value is self.start:
            raise ValidationError.expected("stop", "a milestone event after the start event", value)

    @allowance.validator
    def _check_allowance(self, attribute: Any, value: object) -> None:
        if not isinstance(value, Allowance):
            raise ValidationError.expected("allowance", "an Allowance", value)


@frozen
class TargetSet:
    """A named set of targets and the conditions under which it applies (empty = any).

    Attributes:
        name: The set's name, e.g. ``"repair.in_home"``.
        targets: Its targets, names unique within the set.
        kinds: Request kinds it applies to.
        grades: Complaint grades it applies to.
        tiers: Customer tiers it applies to.
    """

    name: str = field(validator=non_empty_str)
    targets: tuple[SlaTarget, ...] = field(default=())
    kinds: tuple[str, ...] = field(default=(), converter=_strs)
    grades: tuple[str, ...] = field(default=(), converter=_labels)
    tiers: tuple[str, ...] = field(default=(), converter=_labels)

    @targets.validator
    def _check_targets(self, attribute: Any, value: tuple[SlaTarget, ...]) -> None:
        for i, target in enumerate(value):
            if not isinstance(target, SlaTarget):
                raise ValidationError.expected(f"targets[{i}]", "an SlaTarget", target)
        names = [t.name for t in value]
        if len(set(names)) != len(names):
            raise ValidationError.expected("targets", "targets with distinct names", names)

    @grades.validator
    def _check_grades(self, attribute: Any, value: tuple[str, ...]) -> None:
        _all_in("grades", value, GRADES)

    @tiers.validator
    def _check_tiers(self, attribute: Any, value: tuple[str, ...]) -> None:
        _all_in("tiers", value, TIERS)

    def applies_to(self, kind: str, grade: str, tier: str) -> bool:
        """Whether every condition of the set holds for the item."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.grades or grade in self.grades)
            and (not self.tiers or tier in self.tiers)
        )


@frozen
class SlaPolicy:
    """Which targets apply to which items: the first matching set, else the ``default`` set.

    Attributes:
        sets: Target sets in the order they are tried.
        default: The name of the set used when no set's conditions match.
    """

    sets: tuple[TargetSet, ...] = field(factory=lambda: _default_sets())
    default: str = field(default="request", validator=non_empty_str)

    @classmethod
    def default_for(cls, resolve_within: GradeDurations) -> SlaPolicy:
        """The default policy with complaint resolution allowed ``resolve_within`` per grade.

        The root :class:`~propcrm.policy.Policy` builds its default ``sla`` this
        way from ``grading.resolve_within``, so the two never disagree.

        >>> from propcrm.complaints import GradeDurations
        >>> longer = SlaPolicy.default_for(GradeDurations(major=timedelta(hours=96)))
        >>> [t.allowance.duration for t in longer.select("complaint", "major").targets]
        [datetime.timedelta(days=2), datetime.timedelta(days=4)]
        """
        return cls(sets=_default_sets(resolve_within))

    def __attrs_post_init__(self) -> None:
        names = [s.name for s in self.sets]
        if len(set(names)) != len(names):
            raise ValidationError.expected("sets", "sets with distinct names", names)
        if self.default not in names:
            raise ValidationError.expected(
                "default", f"the name of a set, one of {names}", self.default
            )

    def select(self, kind: str, grade: str = "", tier: str = "") -> TargetSet:
        """The set for an item of this kind, grade and tier.

        >>> SlaPolicy().select("complaint", "major").name
        'complaint.major'
        >>> SlaPolicy().select("enquiry").name
        'request'
        """
        for target_set in self.sets:
            if target_set.applies_to(kind, grade, tier):
                return target_set
        return next(s for s in self.sets if s.name == self.default)


class SlaState(Enum):
    """Where a target's clock is."""

    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


@frozen(slots=False)  # a dict class: ~30 % faster to build, and the batch path builds many
class TargetStatus:
    """One target's status at an instant.

    Attributes:
        target: The target's name.
        state: Not started, running, paused, met or breached (a breach stays a breach).
        started_at: When the clock started (the next working instant after the start event).
        due_at: The deadline in force; while paused, the deadline if resumed now.
        stopped_at: When the stop event happened (met or late), if it has; for a
            target whose stop event never came, when the item was resolved (or closed).
        elapsed: Business time counted so far (pauses excluded).
        allowed: The allowance in force, in business time.
        breached_at: When the clock first ran past its allowance in force.
        provisional: Whether ``due_at`` falls in a year with no official holiday schedule yet.
        warnings: The target's warning thresholds (see :attr:`warnings_passed`).
        source: The target's source article.
    """

    target: str
    state: SlaState
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    elapsed: timedelta
    allowed: timedelta
    breached_at: datetime | None
    provisional: bool
    warnings: tuple[float, ...] = ()
    source: str = ""

    @property
    def remaining(self) -> timedelta:
        """Business time left; negative once overdue."""
        return self.allowed - self.elapsed

    @property
    def fraction(self) -> float:
        """``elapsed`` over ``allowed`` (0.0 before the start, 1.0 when nothing is allowed)."""
        if self.state is SlaState.NOT_STARTED:
            return 0.0
        return self.elapsed / self.allowed if self.allowed else 1.0

    @property
    def warnings_passed(self) -> tuple[float, ...]:
        """The warning thresholds already consumed, e.g. ``(0.5, 0.75)``."""
        return self.warnings[: bisect.bisect_right(self.warnings, self.fraction)]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the status is what it is, citing the target's source."""
        facts = {"due_at": self.due_at, "elapsed": self.elapsed, "breached_at": self.breached_at}
        if self.breached_at is not None and self.due_at is not None:
            when = f"breached at {self.breached_at.isoformat()} (due {self.due_at.isoformat()})"
        elif self.due_at is not None:
            when = f"{self.state.value}, due {self.due_at.isoformat()}"
        else:
            when = "the clock has not started"
        return (Reason(f"sla.{self.state.value}", f"{self.target}: {when}", facts, self.source),)


class SlaEvaluator:
    """Evaluates many timelines against one policy, resolving targets and calendars once.

    Args:
        policy_or_targets: An :class:`SlaPolicy`, or a fixed list of targets for every item.
        calendars: Business calendars by name; every target's calendar must be present.

    Raises:
        ValidationError: a target names a calendar that is not given.
    """

    def __init__(
        self,
        policy_or_targets: SlaPolicy | Sequence[SlaTarget],
        calendars: Mapping[str, SlaCalendar],
    ) -> None:
        if isinstance(policy_or_targets, SlaPolicy):
            self._policy: SlaPolicy | None = policy_or_targets
            sets = policy_or_targets.sets
        else:
            self._policy = None
            if not isinstance(policy_or_targets, Sequence):
                raise ValidationError.expected(
                    "policy_or_targets", "an SlaPolicy or a list of SlaTarget", policy_or_targets
                )
            sets = (TargetSet("targets", tuple(policy_or_targets)),)
        self._fixed = sets[0]
        for target_set in sets:
            for target in target_set.targets:
                if target.calendar not in calendars:
                    raise ValidationError.expected(
                        f"{target_set.name}.{target.name}.calendar",
                        f"a calendar name among {sorted(calendars)}",
                        target.calendar,
                        "pass that calendar in calendars= or change the target",
                    )
        self._calendars = dict(calendars)
        self._selected: dict[tuple[str, str, str], dict[str, _Plan]] = {}
        self._plans: dict[SlaTarget, _Plan] = {}

    def evaluate(self, timeline: Timeline, at: datetime) -> tuple[TargetStatus, ...]:
        """One status per target that applies to ``timeline`` at ``at`` (later events ignored)."""
        require_aware(at, "at")
        return self._evaluate(timeline, at)

    def evaluate_many(
        self, timelines: Iterable[Timeline], at: datetime
    ) -> list[tuple[TargetStatus, ...]]:
        """:meth:`evaluate` for each timeline, in order."""
        require_aware(at, "at")
        return [self._evaluate(timeline, at) for timeline in timelines]

    def _evaluate(self, timeline: Timeline, at: datetime) -> tuple[TargetStatus, ...]:
        index = timeline._index
        cut = bisect.bisect_right(index.times, at)
        kind, grade, tier = timeline.kind, timeline.grade, timeline.tier
        plans = self._selected.get((kind, grade, tier)) or self._targets(kind, grade, tier)
        appointment: datetime | None = None
        eras: list[Era] = [(None, plans, None)]
        for i, new_grade, new_appointment in index.changes:
            if i >= cut:
                break
            grade = new_grade or grade
            appointment = new_appointment or appointment
            eras.append((index.times[i], self._targets(kind, grade, tier), appointment))
        shared: dict[tuple[Any, ...], Any] = {}  # work targets of this item share (see _status)
        status = self._status
        return tuple([status(t, index, cut, eras, at, shared) for t in eras[-1][1].values()])

    def _targets(self, kind: str, grade: str, tier: str) -> dict[str, _Plan]:
        key = (kind, grade, tier)
        found = self._selected.get(key)
        if found is None:
            chosen = self._policy.select(kind, grade, tier) if self._policy else self._fixed
            found = self._selected[key] = {t.name: self._plan(t) for t in chosen.targets}
        return found

    def _plan(self, target: SlaTarget) -> _Plan:
        plan = self._plans.get(target)
        if plan is None:
            plan = self._plans[target] = _Plan(target, self._calendars[target.calendar])
        return plan

    def _status(
        self,
        p: _Plan,
        index: TimelineIndex,
        cut: int,
        eras: list[Era],
        at: datetime,
        shared: dict[tuple[Any, ...], Any],
    ) -> TargetStatus:
        first = index.first.get(p.start, cut)
        if first >= cut:
            return p.not_started
        cal = p.cal
        # Targets starting at the same event on the same calendar share their start...
        started = shared.get((p.calendar, first))
        if started is None:
            started = shared[p.calendar, first] = cal.next_working_time(index.times[first])
        stop = index.first.get(p.stop, cut)
        resolved = index.resolutions[0] if index.resolutions else cut
        if (
            (index.reopened and p.reopenable)
            or (stop < first and not p.reopenable)
            # resolved before its own stop event (an enquiry answered without a dispatch)
            or (resolved < cut and not p.reopenable and not first < stop < resolved)
        ):
            stops, final_stop = index.stops(p.stop, p.reopenable, first, cut)
        else:  # the usual case: the stop event's first occurrence (never reopened), or none yet
            stops, final_stop = [], index.times[stop] if stop < cut else None
        if p.pause_on:  # a pause still open when the clock stopped ends there
            until = at if final_stop is None else final_stop
            pauses, paused = index.paused(p.pause_on, first, until)
        else:
            pauses, paused = _NONE
        gaps = sorted(pauses + stops) if pauses and stops else pauses or stops
        # ...and, pausing for the same reasons, the business time between their pauses.
        runs: list[timedelta] = []
        if gaps and not stops:
            runs = shared.setdefault((p.calendar, first, p.pause_on), runs)
        if len(eras) > 1:  # regraded or appointed: each allowance in force in its own span
            breached_at = None
            spans = _spans(p.name, eras)
            for i, (span_start, allowance, appointment) in enumerate(spans):
                budget, due = deadline(cal, allowance, started, appointment, gaps, runs)
                if breached_at is None:
                    span_end = spans[i + 1][0] if i + 1 < len(spans) else None
                    breached_at = breach(due, span_start, span_end, at, stops, final_stop)
        else:
            if p.business and not gaps:
                budget = p.duration
                due = cal.add(started, budget)
            else:
                budget, due = deadline(cal, p.allowance, started, None, gaps, runs)
            if stops:
                breached_at = breach(due, None, None, at, stops, final_stop)
            else:
                limit = at if final_stop is None or at < final_stop else final_stop
                breached_at = due if due < limit else None
        end = at if final_stop is None else final_stop
        if end <= started:
            elapsed = _ZERO
        elif gaps:
            elapsed = counted(cal, started, end, gaps, runs)
        else:
            elapsed = cal.elapsed(started, end)
        if breached_at is not None:
            state = SlaState.BREACHED
        elif final_stop is not None:
            state = SlaState.MET
        elif paused:
            state = SlaState.PAUSED
        else:
            state = SlaState.RUNNING
        year = due.year if due.tzinfo is p.tz else due.astimezone(p.tz).year
        provisional = p.provisional.get(year)
        if provisional is None:
            provisional = p.provisional[year] = cal.is_provisional(date(year, 12, 31))
        return TargetStatus(
            p.name,
            state,
            started,
            due,
            final_stop,
            elapsed,
            budget,
            breached_at,
            provisional,
            p.warnings,
            p.source,
        )


def evaluate(
    policy_or_targets: SlaPolicy | Sequence[SlaTarget],
    timeline: Timeline,
    at: datetime,
    calendars: Mapping[str, SlaCalendar],
) -> tuple[TargetStatus, ...]:
    """One status per target applying to ``timeline``, recomputed from its events up to ``at``.

    Args:
        policy_or_targets: An :class:`SlaPolicy` (targets chosen by kind, grade in
            force and tier) or a fixed list of targets.
        timeline: The item's events; those after ``at`` have not happened yet.
        at: The instant of evaluation, timezone-aware.
        calendars: Business calendars by the names targets use.

    Raises:
        ValidationError: ``at`` is naive, or a target's calendar is missing.
    """
    return SlaEvaluator(policy_or_targets, calendars).evaluate(timeline, at)


def attainment(statuses: Iterable[TargetStatus]) -> dict[str, Attainment]:
    """Per target, how many decided items (met or breached) met it; running ones do not count.

    The result is the :class:`~propcrm.satisfaction.Attainment` the KPI scorecard
    reads, e.g. as ``ServiceFigures.response_timeliness`` (000 §3.2: ≥ 95 %).
    """
    met: dict[str, int] = {}
    total: dict[str, int] = {}
    for status in statuses:
        if status.state is SlaState.MET or status.state is SlaState.BREACHED:
            total[status.target] = total.get(status.target, 0) + 1
            met[status.target] = met.get(status.target, 0) + (status.state is SlaState.MET)
    return {name: Attainment(met[name], count) for name, count in total.items()}


# --- private helpers ---------------------------------------------------------------------------


def _default_sets(resolve_within: GradeDurations | None = None) -> tuple[TargetSet, ...]:
    from propcrm._sla_defaults import default_sets  # the table is built from this module's types

    return default_sets(resolve_within)


def _all_in(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for i, value in enumerate(values):
        if value not in allowed:
            raise ValidationError.expected(f"{name}[{i}]", f"one of {', '.join(allowed)}", value)


def _one_of_or_empty(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value != "" and value not in allowed:
        raise ValidationError.expected(name, f"one of {', '.join(allowed)}", value)


class _Plan:
    """A target and what evaluating it needs, resolved once per evaluator."""

    __slots__ = (
        "allowance", "business", "cal", "calendar", "duration", "name", "not_started", "pause_on",
        "provisional", "reopenable", "source", "start", "stop", "tz", "warnings",
    )  # fmt: skip

    def __init__(self, target: SlaTarget, cal: SlaCalendar) -> None:
        self.name, self.start, self.stop = target.name, target.start, target.stop
        self.allowance, self.calendar, self.cal = target.allowance, target.calendar, cal
        self.business = target.allowance.kind is AllowanceKind.BUSINESS
        self.duration = target.allowance.duration
        self.reopenable = target.stop in _REOPENABLE
        self.pause_on, self.warnings, self.source = target.pause_on, target.warnings, target.source
        self.tz = cal.tz
        self.provisional: dict[int, bool] = {}  # by the due date's year
        self.not_started = TargetStatus(
            self.name, SlaState.NOT_STARTED, None, None, None, _ZERO, _ZERO, None, False,
            self.warnings, self.source,
        )  # fmt: skip


Era = tuple[datetime | None, dict[str, _Plan], datetime | None]
Span = tuple[datetime | None, Allowance, datetime | None]


def _spans(name: str, eras: list[Era]) -> list[Span]:
    """Stretches of time with one allowance (and appointment) in force for target ``name``."""
    spans: list[Span] = []
    last: tuple[Allowance, datetime | None] | None = None
    for era_start, targets, appointment in eras:
        target = targets.get(name)
        if target is None:
            key = None
        else:
            kind = target.allowance.kind
            key = (target.allowance, appointment if kind is AllowanceKind.APPOINTMENT else None)
        if key != last and key is not None:
            spans.append((era_start, *key))
        last = key
    return spans
