"""Hypothesis strategies for propcrm's domain types, for your own property tests.

Each strategy is a function returning ``SearchStrategy[T]`` and takes
keyword-only arguments.

>>> from hypothesis import given
>>> from propcrm.testing.strategies import policies
>>> @given(policies())
... def test_round_trip(policy):
...     assert type(policy).from_toml(policy.to_toml()) == policy
>>> test_round_trip()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.sla import (
    GRADES,
    TIERS,
    Allowance,
    Event,
    EventKind,
    SlaPolicy,
    SlaTarget,
    TargetSet,
    Timeline,
)

__all__ = [
    "allowances",
    "policies",
    "sla_policies",
    "sla_targets",
    "time_zones",
    "timelines",
]

_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Urumqi",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
)


def time_zones() -> st.SearchStrategy[str]:
    """IANA zone names, China's first, plus zones with daylight saving time."""
    return st.sampled_from(_ZONES)


def policies() -> st.SearchStrategy[Policy]:
    """Valid :class:`~propcrm.policy.Policy` trees, every sub-policy varied."""
    return st.builds(Policy, timezone=time_zones(), sla=sla_policies())


def _minutes(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda m: timedelta(minutes=m))


def allowances() -> st.SearchStrategy[Allowance]:
    """Every shape of :class:`~propcrm.sla.Allowance`, in whole minutes."""
    return st.one_of(
        _minutes(1, 7 * 24 * 60).map(Allowance.business),
        _minutes(1, 7 * 24 * 60).map(Allowance.wall),
        st.integers(0, 10).map(Allowance.working_days),
        st.builds(Allowance.appointment, _minutes(1, 600), _minutes(0, 120)),
    )


_REASONS = ("waiting_on_customer", "waiting_on_parts")
_MILESTONES = (
    EventKind.RECEIVED,
    EventKind.ANSWERED,
    EventKind.DISPATCHED,
    EventKind.ARRIVED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
)


def sla_targets(
    *, calendars: Sequence[str] = ("24x7", "desk", "office"), name: str | None = None
) -> st.SearchStrategy[SlaTarget]:
    """Valid :class:`~propcrm.sla.SlaTarget` values running on one of ``calendars``."""
    if not calendars:
        raise ValidationError.expected("calendars", "at least one calendar name", calendars)
    pairs = st.sampled_from(
        [(a, b) for i, a in enumerate(_MILESTONES[:4]) for b in _MILESTONES[i + 1 :]]
    )
    return st.builds(
        lambda pair, **kw: SlaTarget(start=pair[0], stop=pair[1], **kw),
        pairs,
        name=st.just(name) if name else st.sampled_from(("answer", "dispatch", "fixed", "x.y")),
        allowance=allowances(),
        calendar=st.sampled_from(tuple(calendars)),
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
        kinds=st.lists(st.sampled_from(("repair.in_home", "complaint")), unique=True).map(tuple),
        grades=st.lists(st.sampled_from(GRADES), unique=True).map(tuple),
        tiers=st.lists(st.sampled_from(TIERS), unique=True).map(tuple),
    )


def sla_policies() -> st.SearchStrategy[SlaPolicy]:
    """Valid :class:`~propcrm.sla.SlaPolicy` values, the default among them."""
    sets = st.lists(_target_sets(), min_size=1, max_size=3, unique_by=lambda s: s.name)
    return st.one_of(
        st.just(SlaPolicy()),
        sets.flatmap(
            lambda found: st.builds(
                SlaPolicy,
                sets=st.just(tuple(found)),
                default=st.sampled_from([s.name for s in found]),
                goal=st.sampled_from((0.9, 0.95, 1.0)),
            )
        ),
    )


_SHANGHAI = ZoneInfo("Asia/Shanghai")


@st.composite
def _timeline(
    draw: st.DrawFn,
    starts: st.SearchStrategy[datetime],
    kinds: Sequence[str],
    max_events: int,
    step: timedelta,
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
        choices += [EventKind.RESUMED] if paused else [] if resolved else [EventKind.PAUSED]
        choices += [EventKind.REOPENED, EventKind.CLOSED] if resolved else [EventKind.RESOLVED]
        kind = draw(st.sampled_from(choices))
        extra: dict[str, object] = {}
        if kind is EventKind.PAUSED:
            extra["reason"] = draw(st.sampled_from(_REASONS))
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
    return Timeline(tuple(events), kind=draw(st.sampled_from(tuple(kinds))), grade=grade, tier=tier)


def timelines(
    *,
    kinds: Sequence[str] = ("repair.in_home", "repair.public.minor", "complaint", "call"),
    max_events: int = 8,
    starts: st.SearchStrategy[datetime] | None = None,
    step: timedelta = timedelta(hours=30),
) -> st.SearchStrategy[Timeline]:
    """Valid :class:`~propcrm.sla.Timeline` values: possible event sequences only.

    Args:
        kinds: Request kinds to draw from.
        max_events: At most this many events (the first is always ``received``).
        starts: When items are received; default whole minutes of 2025-2026 in Shanghai.
        step: The longest gap between two events (and from an event to an appointment).
    """
    if max_events < 1:
        raise ValidationError.expected("max_events", "an integer >= 1", max_events)
    if not kinds:
        raise ValidationError.expected("kinds", "at least one request kind", kinds)
    if starts is None:
        base = datetime(2025, 1, 1, tzinfo=_SHANGHAI)
        starts = st.integers(0, 700 * 24 * 60).map(lambda m: base + timedelta(minutes=m))
    return _timeline(starts, kinds, max_events, step)
