"""What would change under another policy: :func:`what_if` over the stored events.

The question a manager asks before changing a threshold. The store's
complaints (with their case events and stored grade decisions), work orders,
callback tasks and survey responses are read once; both policies are replayed
over them by the same engines the desks use; the differences come back, each
with the record it concerns. Public in :mod:`propcrm.services`; this module is
private.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from attrs import frozen

from propcrm._checks import date_limits, require_instance, require_int
from propcrm._time import require_aware, zone
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.satisfaction import Attainment, Indicator, Kpi
from propcrm.services._commands import policy_fingerprint, require_store
from propcrm.services._periods import Period, period_of
from propcrm.services._scorecard import KPI_MEASURES, CommunityScorecard
from propcrm.services._what_if_replay import (
    CallbackOutcome,
    ComplaintOutcome,
    Replay,
    StoredEvents,
    read_events,
    replay,
)
from propcrm.sla import SlaState
from propcrm.storage import Store

__all__ = [
    "CallbackChange",
    "CallbackOutcome",
    "ComplaintChange",
    "ComplaintOutcome",
    "KpiChange",
    "MeasureChange",
    "TargetChange",
    "WhatIfReport",
    "what_if",
]


@frozen
class ComplaintChange:
    """A complaint whose grade, escalation or timeliness the other policy changes.

    Attributes:
        complaint_id: The complaint.
        community: Its community (小区).
        before: What the baseline policy decides.
        after: What the other policy decides.
    """

    complaint_id: str
    community: str
    before: ComplaintOutcome
    after: ComplaintOutcome

    @property
    def new_reasons(self) -> tuple[Reason, ...]:
        """The reasons of ``after`` whose rule the baseline did not fire: why it changed."""
        fired = {r.rule for r in self.before.reasons}
        return tuple(r for r in self.after.reasons if r.rule not in fired)

    @property
    def dropped_reasons(self) -> tuple[Reason, ...]:
        """The reasons of ``before`` whose rule the other policy does not fire."""
        fired = {r.rule for r in self.after.reasons}
        return tuple(r for r in self.before.reasons if r.rule not in fired)


@frozen
class TargetChange:
    """A work order whose state on one SLA target the other policy changes.

    Attributes:
        work_order_id: The work order.
        community: Its community.
        target: The target's name, e.g. ``"dispatch"``.
        before: Its state under the baseline; ``None`` when the target does not apply.
        after: Its state under the other policy; ``None`` when it does not apply.
    """

    work_order_id: str
    community: str
    target: str
    before: SlaState | None
    after: SlaState | None


@frozen
class CallbackChange:
    """A callback whose owner, due moment or timeliness the other policy changes.

    Attributes:
        task_id: The callback task the desk planned.
        subject_id: The complaint or work order it follows up.
        community: Its community.
        before: What the baseline plans.
        after: What the other policy plans.
    """

    task_id: str
    subject_id: str
    community: str
    before: CallbackOutcome
    after: CallbackOutcome


@frozen
class MeasureChange:
    """One measure over every stored item, under both policies.

    Attributes:
        name: A work-order SLA target's name (``"dispatch"``, ``"on_site"``,
            ``"fixed"``, ...), ``"resolution"`` (complaints handled within the
            resolution target of their grade) or ``"callbacks"`` (made by their
            due moment).
        before: How many decided items met it under the baseline.
        after: ... under the other policy.
        target: The target under the other policy of the KPI it counts towards
            (:data:`~propcrm.services.KPI_MEASURES`), or ``None``.
        baseline_target: The same target under the baseline.
    """

    name: str
    before: Attainment
    after: Attainment
    target: float | None
    baseline_target: float | None

    @property
    def changed(self) -> bool:
        """Whether the counts or the target differ."""
        return self.before != self.after or self.target != self.baseline_target


@frozen
class KpiChange:
    """A KPI of one community whose value or verdict the other policy changes.

    A target changed where there is no data is not a change.

    Attributes:
        community: The community.
        kpi: The indicator.
        before: The indicator under the baseline.
        after: The indicator under the other policy.
    """

    community: str
    kpi: Kpi
    before: Indicator
    after: Indicator


@frozen
class WhatIfReport:
    """What another policy would change in the stored events, and for whom.

    Attributes:
        at: The moment both policies were evaluated at.
        period: The period the scorecards cover.
        baseline_fingerprint: The fingerprint of the baseline policy.
        policy_fingerprint: The fingerprint of the other policy.
        stored_fingerprints: The fingerprints on the stored grade decisions: the
            policies the desks actually ran (compare with ``baseline_fingerprint``).
        complaints: Complaints whose grade, escalation or timeliness changes.
        work_orders: Work-order targets whose state changes.
        callbacks: Callbacks whose owner, due moment or timeliness changes.
        measures: Every measure under both policies, by name.
        scorecard: KPIs that change, per community.
        baseline_scorecards: Each community's scorecard under the baseline, as
            :class:`~propcrm.services.ScorecardService` scores it.
        policy_scorecards: ... under the other policy.
        complaints_read: How many complaints were re-evaluated.
        work_orders_read: ... work orders.
        callbacks_read: ... callbacks.
    """

    at: datetime
    period: Period
    baseline_fingerprint: str
    policy_fingerprint: str
    stored_fingerprints: tuple[str, ...]
    complaints: tuple[ComplaintChange, ...]
    work_orders: tuple[TargetChange, ...]
    callbacks: tuple[CallbackChange, ...]
    measures: tuple[MeasureChange, ...]
    scorecard: tuple[KpiChange, ...]
    baseline_scorecards: tuple[CommunityScorecard, ...]
    policy_scorecards: tuple[CommunityScorecard, ...]
    complaints_read: int
    work_orders_read: int
    callbacks_read: int

    @property
    def changed(self) -> bool:
        """Whether anything changes."""
        return bool(
            self.complaints
            or self.work_orders
            or self.callbacks
            or self.scorecard
            or any(m.changed for m in self.measures)
        )

    @property
    def baseline_ran_the_store(self) -> bool:
        """Whether every stored grade decision was made under the baseline policy."""
        return set(self.stored_fingerprints) <= {self.baseline_fingerprint}


def what_if(
    store: Store,
    *,
    policy: Policy,
    at: datetime,
    baseline: Policy | None = None,
    period: Period | str | None = None,
    households: Mapping[str, int] | None = None,
) -> WhatIfReport:
    """Re-evaluate the stored events under ``policy`` and say what changes against ``baseline``.

    Both policies are replayed the same way over the same records received by
    ``at``: each complaint graded as the desk grades it (002 §40, with the
    complaints of the same key in the repeat window), each work order's SLA
    targets evaluated at ``at``, each planned callback planned again (repair
    callback owners drawn by role share per community, in sign-off order),
    and each community's scorecard for ``period`` counted by the code of
    :class:`~propcrm.services.ScorecardService`. Nothing is written: a
    read-only store will do (``SqliteStore(path, read_only=True)``).

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from propcrm import FixedClock
    >>> from propcrm.policy import Policy
    >>> from propcrm.services import Actor, ComplaintDesk, what_if
    >>> from propcrm.storage.memory import MemoryStore
    >>> at = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> store = MemoryStore()
    >>> desk = ComplaintDesk(store, clock=FixedClock(at))
    >>> clerk = Actor("desk-1", roles=["desk_staff"], communities=["东区"])
    >>> _ = desk.register(command_id="r-1", actor=clerk, complaint_id="C-17", community="东区",
    ...                   customer_id="cust-1", summary="lift stops between floors",
    ...                   category="lift", subject="lift 2", headcount=2)
    >>> stricter = Policy.from_mapping({"grading": {"collective_hot_people": 2}})
    >>> report = what_if(store, policy=stricter, at=at)
    >>> [(c.complaint_id, c.before.grade.label, c.after.grade.label) for c in report.complaints]
    [('C-17', '一般投诉', '热点投诉')]
    >>> what_if(store, policy=Policy(), at=at).changed
    False

    Args:
        store: The store the desks wrote.
        policy: The policy to try.
        at: The moment to evaluate at (aware); later records are left out.
        baseline: The policy to compare with; the defaults when ``None``. Give
            the policy the desks ran (see ``stored_fingerprints``).
        period: The period the scorecards cover: a :class:`Period`, a month
            ``"2025-07"`` or a quarter ``"2025-Q3"``; ``None`` for the month
            holding ``at`` (on the baseline's wall clock).
        households: The households each community serves, by community, for
            the complaint rate; a community left out has no complaint rate.

    Raises:
        ValidationError: An argument is of the wrong type, ``at`` is naive, a
            household count is not a whole number of at least 1, or a stored
            record names a kind the policy does not know (the message lists the
            known ones).
    """
    require_store(store)
    require_instance(policy, Policy, "policy", "a Policy", "e.g. Policy.load('company.toml')")
    if baseline is None:
        baseline = Policy()
    require_instance(baseline, Policy, "baseline", "a Policy or None", "e.g. Policy()")
    moment = require_aware(at, "at")
    if period is None:
        with date_limits("at"):
            day = moment.astimezone(zone(baseline.tz)).date()
        period = Period.parse(f"{day.year:04d}-{day.month:02d}")
    span = period_of(period)
    counts = _households(households)
    events = read_events(store, at=moment)
    before = replay(store, events, baseline, period=span, households=counts)
    after = replay(store, events, policy, period=span, households=counts)
    return WhatIfReport(
        at=moment,
        period=span,
        baseline_fingerprint=policy_fingerprint(baseline),
        policy_fingerprint=policy_fingerprint(policy),
        stored_fingerprints=events.fingerprints,
        complaints=_complaint_changes(events, before, after),
        work_orders=_target_changes(events, before, after),
        callbacks=_callback_changes(events, before, after),
        measures=_measures(before, after, baseline, policy),
        scorecard=_kpi_changes(before, after),
        baseline_scorecards=tuple(before.scorecards[c] for c in sorted(before.scorecards)),
        policy_scorecards=tuple(after.scorecards[c] for c in sorted(after.scorecards)),
        complaints_read=len(events.cases),
        work_orders_read=len(events.orders),
        callbacks_read=len(after.callbacks),
    )


def _households(households: Mapping[str, int] | None) -> dict[str, int]:
    if households is None:
        return {}
    require_instance(
        households, Mapping, "households", "a mapping", "e.g. {'东区': 200}: community -> count"
    )
    return {
        community: require_int(count, f"households[{community!r}]", low=1)
        for community, count in households.items()
    }


def _complaint_changes(
    events: StoredEvents, before: Replay, after: Replay
) -> tuple[ComplaintChange, ...]:
    return tuple(
        ComplaintChange(c.id, c.community, before.complaints[c.id], after.complaints[c.id])
        for c in events.cases
        if before.complaints[c.id] != after.complaints[c.id]
    )


def _target_changes(
    events: StoredEvents, before: Replay, after: Replay
) -> tuple[TargetChange, ...]:
    found = []
    for order in events.orders:
        old, new = before.sla[order.id], after.sla[order.id]
        for target in sorted(old.keys() | new.keys()):
            if old.get(target) is not new.get(target):
                found.append(
                    TargetChange(
                        order.id, order.community, target, old.get(target), new.get(target)
                    )
                )
    return tuple(found)


def _callback_changes(
    events: StoredEvents, before: Replay, after: Replay
) -> tuple[CallbackChange, ...]:
    communities = {c.callback_task_id: c.community for c in events.cases}
    communities.update({s.callback_task_id: s.community for s in events.slips.values()})
    return tuple(
        CallbackChange(
            task_id,
            events.tasks[task_id].subject.record_id,
            communities[task_id],
            before.callbacks[task_id],
            after.callbacks[task_id],
        )
        for task_id in sorted(after.callbacks)
        if before.callbacks[task_id] != after.callbacks[task_id]
    )


def _target(policy: Policy, name: str) -> float | None:
    kpi = next((k for k, names in KPI_MEASURES.items() if name in names), None)
    return None if kpi is None else policy.satisfaction.targets.get(kpi.value)


def _measures(
    before: Replay, after: Replay, baseline: Policy, policy: Policy
) -> tuple[MeasureChange, ...]:
    names = sorted(before.measures.keys() | after.measures.keys())
    return tuple(
        MeasureChange(
            name,
            before.measures.get(name, Attainment()),
            after.measures.get(name, Attainment()),
            _target(policy, name),
            _target(baseline, name),
        )
        for name in names
    )


def _kpi_changes(before: Replay, after: Replay) -> tuple[KpiChange, ...]:
    found = []
    for community in sorted(after.scorecards):
        old = before.scorecards[community]
        for new_indicator in after.scorecards[community].indicators:
            old_indicator = old.group[new_indicator.kpi]
            old_target = old_indicator.target if old_indicator.value is not None else None
            new_target = new_indicator.target if new_indicator.value is not None else None
            if (old_indicator.status, old_indicator.value, old_target) != (
                new_indicator.status,
                new_indicator.value,
                new_target,
            ):
                found.append(KpiChange(community, new_indicator.kpi, old_indicator, new_indicator))
    return tuple(found)
