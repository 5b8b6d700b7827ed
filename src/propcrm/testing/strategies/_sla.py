"""Strategies for :mod:`propcrm.sla` and :mod:`propcrm.work_orders`: targets, timelines, orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from propcrm._sla_timeline import GRADES, TIERS
from propcrm.complaints import GradeDurations
from propcrm.errors import ValidationError
from propcrm.sla import Allowance, Event, EventKind, SlaPolicy, SlaTarget, TargetSet, Timeline
from propcrm.testing.strategies._common import check_int, check_strategy, check_texts
from propcrm.work_orders import WorkOrder

__all__ = ["allowances", "sla_policies", "sla_targets", "timelines", "work_orders"]

_REASONS = ("waiting_on_customer", "waiting_on_parts")
_MILESTONES = (
    EventKind.RECEIVED,
    EventKind.ANSWERED,
    EventKind.DISPATCHED,
    EventKind.ARRIVED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
)
_SHANGHAI = ZoneInfo("Asia/Shanghai")


def _minutes(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda m: timedelta(minutes=m))


# --- policies -------------------------------------------------------------------------------


def allowances() -> st.SearchStrategy[Allowance]:
    """Every shape of :class:`~propcrm.sla.Allowance`, in whole minutes."""
    return st.one_of(
        _minutes(1, 7 * 24 * 60).map(Allowance.business),
        _minutes(1, 7 * 24 * 60).map(Allowance.wall),
        st.integers(0, 10).map(Allowance.working_days),
        _minutes(0, 12 * 60).map(Allowance.same_day),
        st.builds(Allowance.appointment, _minutes(1, 600), _minutes(0, 120)),
    )


def sla_targets(
    *, calendars: Sequence[str] = ("24x7", "desk", "office"), name: str | None = None
) -> st.SearchStrategy[SlaTarget]:
    """Valid :class:`~propcrm.sla.SlaTarget` values running on one of ``calendars``.

    Raises:
        ValidationError: ``calendars`` names no calendar, or ``name`` is not a text.
    """
    names = check_texts("calendars", calendars, "calendar name")
    if name is not None and not isinstance(name, str):
        raise ValidationError.expected("name", "a target name or None", name)
    pairs = st.sampled_from(
        [(a, b) for i, a in enumerate(_MILESTONES[:4]) for b in _MILESTONES[i + 1 :]]
    )
    return st.builds(
        lambda pair, **kw: SlaTarget(start=pair[0], stop=pair[1], **kw),
        pairs,
        name=st.just(name) if name else st.sampled_from(("answer", "dispatch", "fixed", "x.y")),
        allowance=allowances(),
        calendar=st.sampled_from(names),
        pause_on=st.lists(st.sampled_from(_REASONS), unique=True).map(tuple),
        warnings=st.lists(st.sampled_from((0.25, 0.5, 0.75, 0.9)), unique=True).map(
            lambda ws: tuple(sorted(ws))
        ),
        source=st.sampled_from(("", "000 §3.2")),
    )


def _target_sets() -> st.SearchStrategy[TargetSet]:
    return st.builds(
        TargetSet,
        name=st.sampled_from(("request", "repair", "complaint", "vip")),
        targets=st.lists(sla_targets(), max_size=3, unique_by=lambda t: t.name).map(tuple),
        kinds=st.lists(st.sampled_from(("repair.in_home", "request")), min_size=1, unique=True).map(
            tuple
        ),
        grades=st.lists(st.sampled_from(GRADES), unique=True).map(tuple),
        tiers=st.lists(st.sampled_from(TIERS), unique=True).map(tuple),
    )


def sla_policies(*, resolve_within: GradeDurations | None = None) -> st.SearchStrategy[SlaPolicy]:
    """Valid :class:`~propcrm.sla.SlaPolicy` values, the default among them.

    Args:
        resolve_within: Complaint resolution allowances the default's complaint sets
            take (:meth:`~propcrm.sla.SlaPolicy.default_for`); the other generated
            sets have no ``resolution`` target, so every value agrees with them.

    Raises:
        ValidationError: ``resolve_within`` is not a
            :class:`~propcrm.complaints.GradeDurations`.
    """
    if resolve_within is not None and not isinstance(resolve_within, GradeDurations):
        raise ValidationError.expected(
            "resolve_within", "a GradeDurations (policy.grading.resolve_within)", resolve_within
        )
    sets = st.lists(_target_sets(), min_size=1, max_size=3, unique_by=lambda s: s.name)
    default = SlaPolicy() if resolve_within is None else SlaPolicy.default_for(resolve_within)
    return st.one_of(
        st.just(default),
        sets.map(lambda found: SlaPolicy(sets=tuple(found), overlays=())),
    )


# --- timelines and work orders --------------------------------------------------------------


@st.composite
def _timeline(
    draw: st.DrawFn,
    starts: st.SearchStrategy[datetime],
    kinds: Sequence[str],
    max_events: int,
    step: timedelta,
    reasons: Sequence[str],
    property_types: Sequence[str],
) -> Timeline:
    at = draw(starts)
    events = [Event(EventKind.RECEIVED, at)]
    paused = resolved = appointed = dispatched = False
    steps = st.integers(0, step // timedelta(minutes=1)).map(lambda m: timedelta(minutes=m))
    for _ in range(draw(st.integers(0, max_events - 1))):
        at += draw(steps)
        choices = [EventKind.ANSWERED, EventKind.DISPATCHED, EventKind.APPOINTMENT_SET]
        choices += [EventKind.REGRADED]
        choices += [EventKind.ARRIVED] if dispatched else []
        choices += [EventKind.APPOINTMENT_CHANGED] if appointed else []
        pausing = [EventKind.PAUSED] if reasons and not resolved else []
        choices += [EventKind.RESUMED] if paused else pausing
        choices += [EventKind.REOPENED, EventKind.CLOSED] if resolved else [EventKind.RESOLVED]
        kind = draw(st.sampled_from(choices))
        extra: dict[str, object] = {}
        if kind is EventKind.PAUSED:
            extra["reason"] = draw(st.sampled_from(tuple(reasons)))
        elif kind is EventKind.REGRADED:
            extra["grade"] = draw(st.sampled_from(GRADES))
        elif kind is EventKind.APPOINTMENT_SET or kind is EventKind.APPOINTMENT_CHANGED:
            extra["appointment"] = at + draw(steps)
        events.append(Event(kind, at, **extra))  # type: ignore[arg-type]
        dispatched = dispatched or kind is EventKind.DISPATCHED
        appointed = appointed or kind is EventKind.APPOINTMENT_SET
        if kind in (EventKind.PAUSED, EventKind.RESUMED):
            paused = kind is EventKind.PAUSED
        if kind in (EventKind.RESOLVED, EventKind.REOPENED):
            resolved = kind is EventKind.RESOLVED
    grade = draw(st.sampled_from(("", *GRADES)))
    tier = draw(st.sampled_from(("", *TIERS)))
    return Timeline(
        tuple(events),
        kind=draw(st.sampled_from(tuple(kinds))),
        grade=grade,
        tier=tier,
        property_type=draw(st.sampled_from(("", *property_types))),
    )


def timelines(
    *,
    kinds: Sequence[str] = ("repair.in_home", "repair.public.minor", "complaint", "call"),
    max_events: int = 8,
    starts: st.SearchStrategy[datetime] | None = None,
    step: timedelta = timedelta(hours=30),
    reasons: Sequence[str] = _REASONS,
    property_types: Sequence[str] = ("residential", "commercial", "office"),
) -> st.SearchStrategy[Timeline]:
    """Valid :class:`~propcrm.sla.Timeline` values: possible event sequences only.

    Args:
        kinds: Work-order kinds to draw from.
        max_events: At most this many events (the first is always ``received``).
        starts: When items are received; default whole minutes of 2025-2026 in Shanghai.
        step: The longest gap between two events (and from an event to an appointment).
        reasons: Pause reasons to draw from; empty for timelines that never pause.
        property_types: Property types to draw from (besides none).

    Raises:
        ValidationError: an argument of the wrong type or out of range, named.
    """
    check_int("max_events", max_events, 1)
    kind_names = check_texts("kinds", kinds, "request kind")
    check_strategy("starts", starts)
    if not isinstance(step, timedelta) or step < timedelta(0):
        raise ValidationError.expected("step", "a timedelta of zero or more", step)
    pause_reasons = () if not reasons else check_texts("reasons", reasons, "pause reason")
    types = () if not property_types else check_texts("property_types", property_types, "type")
    if starts is None:
        base = datetime(2025, 1, 1, tzinfo=_SHANGHAI)
        starts = st.integers(0, 700 * 24 * 60).map(lambda m: base + timedelta(minutes=m))
    return _timeline(starts, kind_names, max_events, step, pause_reasons, types)


def work_orders(
    *, timeline: st.SearchStrategy[Timeline] | None = None
) -> st.SearchStrategy[WorkOrder]:
    """:class:`~propcrm.work_orders.WorkOrder` entities around valid timelines.

    Args:
        timeline: The timelines to wrap; by default :func:`timelines` of repair kinds.

    Raises:
        ValidationError: ``timeline`` is not a strategy.
    """
    check_strategy("timeline", timeline)
    if timeline is None:
        timeline = timelines(kinds=("repair.in_home", "repair.public.minor"))
    return st.builds(
        WorkOrder,
        id=st.from_regex(r"WO-[0-9]{1,6}", fullmatch=True),
        timeline=timeline,
        callback_kind=st.sampled_from(["ordinary", "safety", "leak"]),
        community=st.sampled_from(["", "东区", "西区", "Block 7"]),
        customer_id=st.sampled_from(["", "C-1", "C-42"]),
        version=st.integers(0, 5),
    )
