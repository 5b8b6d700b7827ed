"""Service levels (SLA, 服务时效): clocks with pauses on business calendars, breaches, attainment.

A work order or complaint is a :class:`Timeline` of typed :class:`Event` items
(received, dispatched, arrived, paused, resolved, ...). An :class:`SlaTarget`
says when its clock starts and stops, how much time is allowed
(:class:`Allowance`) and on which business calendar it runs. An
:class:`SlaPolicy` chooses a set of targets by work-order kind, complaint grade
and customer tier, and its :class:`Overlay` items adjust named targets by tier
or property type. :func:`evaluate` recomputes every status from the event log
at a given instant, so a calendar edit or a regrade reaches open items.

Semantics (RULES.md §5):

* A clock started outside working time starts at the next working instant.
* Paused time is measured in business time: a pause over a weekend on a
  weekday calendar costs nothing extra.
* A breach stays a breach: meeting the target later, moving an appointment
  or regrading to a looser target never clears it.
* A regrade keeps the clock (the same start) and changes the allowance from
  the moment of the regrade on.
* An unknown work-order kind, property type or pause reason is an error that
  lists the known ones; the policy is the list.

>>> from propcrm.sla import Event, EventKind, Timeline, evaluate
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> night = datetime(2025, 11, 10, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> order = Timeline([Event(EventKind.RECEIVED, night)], kind="repair.in_home")
>>> for s in evaluate(order, at=night):
...     print(s.target, s.state.value, s.due_at and f"{s.due_at:%a %H:%M}")
dispatch running Tue 09:30
on_site not_started None
fixed running Tue 16:30
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any

from propcrm._checks import require_iterable
from propcrm._sla_clock import breach, counted, deadline
from propcrm._sla_plans import Era, Plan, check_reasons, pause_reasons, spans
from propcrm._sla_policy import SlaPolicy
from propcrm._sla_status import SlaState, TargetStatus
from propcrm._sla_targets import (
    Allowance,
    AllowanceKind,
    Overlay,
    SlaCalendar,
    SlaTarget,
    TargetSet,
)
from propcrm._sla_timeline import Event, EventKind, Timeline, TimelineIndex
from propcrm._slices import ROOT_MARKER, policy_slice
from propcrm._time import require_aware
from propcrm.calendar import CalendarPolicy
from propcrm.errors import ValidationError
from propcrm.satisfaction import Attainment

__all__ = [
    "Allowance",
    "AllowanceKind",
    "Event",
    "EventKind",
    "Overlay",
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

# The value types live in private modules below this one (no import cycles); they are
# presented, documented and stored as propcrm.sla's own.
for _public in (
    Allowance, AllowanceKind, Event, EventKind, Overlay, SlaCalendar, SlaPolicy, SlaState,
    SlaTarget, TargetSet, TargetStatus, Timeline,
):  # fmt: skip
    _public.__module__ = __name__

_ZERO = timedelta(0)
#: Builds a status from its fields in order without the named tuple's own ``__new__``
#: (a Python-level call): evaluation's one allocation per target.
_new_status = tuple.__new__
_NO_GAPS: list[tuple[datetime, datetime]] = []  # never changed: shared by every clock without

_NO_RUNS: list[timedelta] = []  # likewise
_BREACHED, _MET, _PAUSED, _RUNNING = (
    SlaState.BREACHED,
    SlaState.MET,
    SlaState.PAUSED,
    SlaState.RUNNING,
)


@cache
def _default_calendars() -> Mapping[str, SlaCalendar]:
    """The default named calendars, in the default policy's zone, built once."""
    named = CalendarPolicy()
    return MappingProxyType({name: named[name].build(_DEFAULT_TZ) for name in named})


_DEFAULT_TZ = "Asia/Shanghai"  # the default Policy.tz (the engine does not import the policy)


def _calendars_of(
    policy: object, calendars: Mapping[str, SlaCalendar] | None
) -> Mapping[str, SlaCalendar]:
    """``calendars`` if given; else the root policy's named calendars, or the defaults.

    A bare :class:`SlaPolicy` carries no calendars: given one without
    ``calendars=``, this refuses rather than quietly use the default calendars
    where the company's were meant.
    """
    if calendars is not None:
        if not isinstance(calendars, Mapping):
            raise ValidationError.expected(
                "calendars", "business calendars by name", calendars, "e.g. {'desk': ...}"
            )
        return calendars
    if getattr(type(policy), ROOT_MARKER, False):
        root: Any = policy  # the root Policy, which this engine does not import
        return {name: root.calendar(name) for name in root.calendars}
    if policy is None:
        return _default_calendars()
    raise ValidationError(
        "calendars",
        "calendars: an SlaPolicy carries no business calendars; pass the whole Policy, "
        "or add calendars={name: policy.calendar(name) for name in policy.calendars}",
        None,
    )


class SlaEvaluator:
    """Evaluates many timelines against one policy, resolving targets and calendars once.

    Args:
        policy: The root :class:`~propcrm.policy.Policy`, its ``sla`` slice, or
            ``None`` for the defaults.
        calendars: Business calendars by name; every target's calendar must be
            present. By default the root policy's calendars (``policy.calendar(name)``
            for each name), or the default calendars when ``policy`` is ``None``.
            Required with a bare ``sla`` slice, which carries no calendars.
        targets: A fixed list of targets for every item, instead of the policy's
            sets (any kind; no overlays).

    Raises:
        ValidationError: ``policy`` is another object, an ``sla`` slice comes
            without ``calendars=``, or a target names a calendar that is not given.
    """

    def __init__(
        self,
        *,
        policy: object = None,
        calendars: Mapping[str, SlaCalendar] | None = None,
        targets: Sequence[SlaTarget] | None = None,
    ) -> None:
        sla = policy_slice(policy, SlaPolicy, "sla")
        if targets is None:
            self._policy: SlaPolicy | None = sla
            named = [(s.name, t) for s in sla.sets for t in s.targets]
            self._fixed: tuple[SlaTarget, ...] = ()
        else:
            self._policy = None
            if not isinstance(targets, Sequence) or not all(
                isinstance(t, SlaTarget) for t in targets
            ):
                raise ValidationError.expected(
                    "targets", "a list of SlaTarget", targets, "or leave it out to use the policy"
                )
            self._fixed = tuple(targets)
            named = [("targets", t) for t in self._fixed]
        calendars = _calendars_of(policy, calendars)
        for set_name, target in named:
            if target.calendar not in calendars:
                raise ValidationError.expected(
                    f"{set_name}.{target.name}.calendar",
                    f"a calendar name among {sorted(calendars)}",
                    target.calendar,
                    "pass that calendar in calendars= or change the target",
                )
        self._calendars = dict(calendars)
        self._selected: dict[tuple[str, str, str, str], dict[str, Plan]] = {}
        self._plans: dict[SlaTarget, Plan] = {}
        #: The pause reasons known to the targets of a run of eras, by their plans' ids.
        self._reasons: dict[int | tuple[int, ...], frozenset[str]] = {}

    def evaluate(self, timeline: Timeline, *, at: datetime) -> tuple[TargetStatus, ...]:
        """One status per target that applies to ``timeline`` at ``at`` (later events ignored).

        Raises:
            ValidationError: ``at`` is naive; the timeline's kind or property type
                is unknown to the policy, or it pauses for a reason none of its
                targets pauses on (listing the known ones).
        """
        require_aware(at, "at")
        return self._evaluate(_timeline(timeline), at)

    def evaluate_many(
        self, timelines: Iterable[Timeline], *, at: datetime
    ) -> list[tuple[TargetStatus, ...]]:
        """:meth:`evaluate` for each timeline, in order.

        Raises:
            ValidationError: An item is not a Timeline or cannot be evaluated;
                the field names its position (``timelines[i]`` or
                ``timelines[i].events[j].reason``) and nothing is returned.
        """
        require_aware(at, "at")
        given = require_iterable(timelines, "timelines", _TIMELINES)
        one = self._evaluate
        results: list[tuple[TargetStatus, ...]] = []
        append = results.append
        try:
            for timeline in given:
                append(one(timeline if type(timeline) is Timeline else _timeline(timeline), at))
        except ValidationError as e:
            raise _located(e, f"timelines[{len(results)}]") from e
        return results

    def attainment(self, timelines: Iterable[Timeline], *, at: datetime) -> dict[str, Attainment]:
        """Per target, how many ``timelines`` decided by ``at`` met it (see :func:`attainment`)."""
        require_aware(at, "at")
        met: dict[str, int] = {}
        total: dict[str, int] = {}
        for i, timeline in enumerate(require_iterable(timelines, "timelines", _TIMELINES)):
            try:
                statuses = self._evaluate(_timeline(timeline), at)
            except ValidationError as e:
                raise _located(e, f"timelines[{i}]") from e
            for status in statuses:
                if status.state is SlaState.MET or status.state is SlaState.BREACHED:
                    total[status.target] = total.get(status.target, 0) + 1
                    met[status.target] = met.get(status.target, 0) + (status.state is SlaState.MET)
        return {name: Attainment(met[name], count) for name, count in total.items()}

    def _evaluate(self, timeline: Timeline, at: datetime) -> tuple[TargetStatus, ...]:
        index = timeline._index
        times = index.times
        cut = bisect_right(times, at)
        kind, grade, tier = timeline.kind, timeline.grade, timeline.tier
        key = (kind, grade, tier, timeline.property_type)
        plans = self._selected.get(key) or self._targets(key)
        eras: list[Era] = [(None, plans, None)]
        if index.changes:
            appointment: datetime | None = None
            for i, new_grade, new_appointment in index.changes:
                if i >= cut:
                    break
                grade = new_grade or grade
                appointment = new_appointment or appointment
                plans = self._targets((kind, grade, tier, timeline.property_type))
                eras.append((times[i], plans, appointment))
        if index.reasons:
            # The plans live as long as the evaluator, so their ids name them.
            ids = id(plans) if len(eras) == 1 else tuple([id(era[1]) for era in eras])
            known = self._reasons.get(ids)
            if known is None:
                known = self._reasons[ids] = pause_reasons(eras)
            check_reasons(index, cut, known, kind if self._policy else "")
        return self._statuses(plans.values(), index, cut, eras, at)

    def _targets(self, key: tuple[str, str, str, str]) -> dict[str, Plan]:
        found = self._selected.get(key)
        if found is None:
            chosen = self._policy.select(*key).targets if self._policy else self._fixed
            found = self._selected[key] = {t.name: self._plan(t) for t in chosen}
        return found

    def _plan(self, target: SlaTarget) -> Plan:
        plan = self._plans.get(target)
        if plan is None:
            plan = self._plans[target] = Plan(target, self._calendars[target.calendar])
        return plan

    def _statuses(
        self, plans: Iterable[Plan], index: TimelineIndex, cut: int, eras: list[Era], at: datetime
    ) -> tuple[TargetStatus, ...]:
        """One status per plan, for an item whose events before ``cut`` have happened."""
        times, first_of = index.times, index.first
        resolved = index.resolutions[0] if index.resolutions else cut
        # What the item's targets share, by a plan's start_key and runs_key: the clock's
        # start on a calendar and, pausing for the same reasons, the business time
        # between its pauses.
        shared: dict[tuple[Any, ...], Any] = {}
        found: list[TargetStatus] = []
        changed = len(eras) > 1  # regraded or appointed: each allowance in its own span
        for p in plans:
            first = first_of.get(p.start, cut)
            if first >= cut:
                found.append(p.not_started)
                continue
            cal = p.cal
            started = shared.get(p.start_key)
            if started is None:
                started = shared[p.start_key] = cal.next_working_time(times[first])
            stop = first_of.get(p.stop, cut)
            if (
                index.reopened
                if p.reopenable
                else stop < first
                # resolved before its own stop event (an enquiry answered without a dispatch)
                or (resolved < cut and not first < stop < resolved)
            ):
                stops, final_stop = index.stops(p.stop, p.reopenable, first, cut)
            else:  # the usual case: the stop event's first occurrence (never reopened), or none
                stops, final_stop = _NO_GAPS, times[stop] if stop < cut else None
            end = at if final_stop is None else final_stop
            paused = False
            gaps = stops
            runs = _NO_RUNS  # (read only where there are gaps)
            if p.pause_on and index.pauses:  # a pause still open when the clock stops ends there
                pauses, paused = index.paused(p.pause_on, first, end)
                if pauses:
                    gaps = sorted(pauses + stops) if stops else pauses
            if gaps:
                runs = [] if stops else shared.setdefault(p.runs_key, [])
            if changed:
                breached_at = None
                in_force = spans(p.name, eras)
                for i, (span_start, allowance, appointment) in enumerate(in_force):
                    budget, due = deadline(cal, allowance, started, appointment, gaps, runs)
                    if breached_at is None:
                        span_end = in_force[i + 1][0] if i + 1 < len(in_force) else None
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
                    breached_at = due if due < end else None
            if end <= started:
                elapsed = _ZERO
            elif gaps:
                elapsed = counted(cal, started, end, gaps, runs)
            else:
                elapsed = cal.elapsed(started, end)
            if breached_at is not None:
                state = _BREACHED
            elif final_stop is not None:
                state = _MET
            else:
                state = _PAUSED if paused else _RUNNING
            year = due.year if due.tzinfo is p.tz else due.astimezone(p.tz).year
            provisional = p.provisional.get(year)
            if provisional is None:
                provisional = p.provisional[year] = cal.is_provisional(date(year, 12, 31))
            found.append(
                _new_status(
                    TargetStatus,
                    (
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
                    ),
                )
            )
        return tuple(found)


def evaluate(
    timeline: Timeline,
    *,
    at: datetime,
    policy: object = None,
    calendars: Mapping[str, SlaCalendar] | None = None,
    targets: Sequence[SlaTarget] | None = None,
) -> tuple[TargetStatus, ...]:
    """One status per target applying to ``timeline``, recomputed from its events up to ``at``.

    For many items, build one :class:`SlaEvaluator` instead: this resolves the
    policy's targets and (unless ``calendars`` is given) builds the calendars
    on every call.

    Args:
        timeline: The item's events; those after ``at`` have not happened yet.
        at: The instant of evaluation, timezone-aware.
        policy: The root :class:`~propcrm.policy.Policy`, its ``sla`` slice, or
            ``None`` for the defaults. Targets are chosen by kind, grade in
            force and tier, then adjusted by the overlays.
        calendars: Business calendars by the names targets use. By default
            the root policy's (``policy.calendar(name)``), or the default
            calendars when ``policy`` is ``None``; required with a bare ``sla``
            slice, which carries no calendars (see :class:`SlaEvaluator`).
        targets: A fixed list of targets instead of the policy's sets.

    Raises:
        ValidationError: ``at`` is naive, ``policy`` is another object, an
            ``sla`` slice comes without ``calendars=``, a target's calendar is
            missing, or the timeline's kind, property type or a pause reason is
            unknown to the policy.
    """
    evaluator = SlaEvaluator(policy=policy, calendars=calendars, targets=targets)
    return evaluator.evaluate(timeline, at=at)


def attainment(
    timelines: Iterable[Timeline],
    *,
    at: datetime,
    policy: object = None,
    calendars: Mapping[str, SlaCalendar] | None = None,
    targets: Sequence[SlaTarget] | None = None,
) -> dict[str, Attainment]:
    """Per target, how many items decided by ``at`` (met or breached) met it.

    Items still running do not count. The result is the
    :class:`~propcrm.satisfaction.Attainment` the KPI scorecard reads, e.g. as
    ``ServiceFigures.response_timeliness`` (000 §3.2: ≥ 95 %). Arguments as
    for :func:`evaluate`.
    """
    evaluator = SlaEvaluator(policy=policy, calendars=calendars, targets=targets)
    return evaluator.attainment(timelines, at=at)


# --- private helpers ---------------------------------------------------------------------------

_TIMELINES = "a list of Timeline"


def _located(error: ValidationError, path: str) -> ValidationError:
    """``error`` named inside ``path``: ``timelines[3]``, or ``timelines[3].events[1].reason``."""
    field = path if error.field in ("", "timeline") else f"{path}.{error.field}"
    message = str(error)
    if error.field and message.startswith(f"{error.field}:"):
        message = message[len(error.field) + 1 :].lstrip()
    return ValidationError(field, f"{field}: {message}", error.value)


def _timeline(value: object) -> Timeline:
    if not isinstance(value, Timeline):
        raise ValidationError.expected(
            "timeline", "a Timeline", value, "a work order's is order.timeline"
        )
    return value


# Doctest finds the examples of methods defined in the private modules only through here.
__test__ = {
    "Timeline.with_event": Timeline.with_event,
    "SlaPolicy.default_for": SlaPolicy.default_for,
    "SlaPolicy.select": SlaPolicy.select,
}
