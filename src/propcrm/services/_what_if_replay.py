"""What one policy decides for the stored events: the replay behind ``what_if``.

The store is read once (:func:`read_events`); :func:`replay` then runs the
engines over what was read under one policy — the grading engine through the
complaint desk's own :meth:`~propcrm.services.ComplaintDesk.regrade`, the SLA
evaluator, the callback planners — and scores each community by the
scorecard service's own code (:func:`~propcrm.services._scorecard.score_records`);
it writes nothing. Public through :func:`propcrm.services.what_if`; this module
is private.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from attrs import field, frozen

from propcrm._time import FixedClock
from propcrm.callbacks import (
    CallbackTask,
    CompletedRepair,
    RoleShareAllocator,
    plan_after_complaint,
    plan_after_repair,
)
from propcrm.complaints import Complaint, Grade
from propcrm.errors import NotFoundError
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.records import ComplaintCase, RepairSlip
from propcrm.satisfaction import Attainment, SurveyResponse
from propcrm.services._paging import PAGE, all_pages
from propcrm.services._periods import Period
from propcrm.services._scorecard import CommunityScorecard, complaint_timeline, score_records
from propcrm.services._sweeps import ComplaintDesk
from propcrm.sla import EventKind, SlaEvaluator, SlaState, Timeline
from propcrm.storage import Store
from propcrm.work_orders import WorkOrder, WorkOrderState

__all__ = [
    "CallbackOutcome",
    "ComplaintOutcome",
    "Replay",
    "StoredEvents",
    "read_events",
    "replay",
]

_FIRST_DAY, _LAST_DAY = date(1, 1, 1), date(9999, 12, 31)


@frozen
class StoredEvents:
    """What the store holds up to a moment, read once for every policy replayed.

    Attributes:
        at: The moment; records received after it are left out.
        cases: The complaint register, oldest received first.
        complaints: The stored complaints by id.
        orders: The work orders, oldest received first.
        slips: The repair slips by work-order id.
        tasks: The callback tasks planned by the desks, by id.
        responses: The survey responses of every community.
        fingerprints: The policy fingerprints on the stored grade decisions.
    """

    at: datetime
    cases: tuple[ComplaintCase, ...]
    complaints: dict[str, Complaint]
    orders: tuple[WorkOrder, ...]
    slips: dict[str, RepairSlip]
    tasks: dict[str, CallbackTask]
    responses: tuple[SurveyResponse, ...]
    fingerprints: tuple[str, ...]


@frozen
class ComplaintOutcome:
    """What one policy decides for one complaint at the moment of evaluation.

    Attributes:
        grade: The grade it holds then (002 §40).
        escalated: Its grade rose by time after it was received (one week or
            one month unresolved).
        on_time: Handled by ``resolve_by``; ``None`` while neither handled nor due.
        resolve_by: The resolution deadline of its grade.
        reasons: Why it holds that grade (not compared: the grade is).
    """

    grade: Grade
    escalated: bool
    on_time: bool | None
    resolve_by: datetime
    reasons: tuple[Reason, ...] = field(eq=False)


@frozen
class CallbackOutcome:
    """What one policy plans for one callback the desks planned.

    Attributes:
        owner_role: The role that owns it (a role share, or the VIP assistant).
        due: When it is due.
        on_time: Made (the customer reached) by ``due``; ``None`` while neither made nor due.
    """

    owner_role: str
    due: datetime
    on_time: bool | None


@frozen
class Replay:
    """Everything one policy decides for the stored events.

    Attributes:
        complaints: By complaint id.
        sla: By work-order id, the state of each of its targets.
        callbacks: By callback task id.
        measures: Per measure (each SLA target of the work orders by name,
            ``"resolution"`` of the complaints, ``"callbacks"``), how many
            decided items met it.
        scorecards: The scorecard of each community, by community.
    """

    complaints: dict[str, ComplaintOutcome]
    sla: dict[str, dict[str, SlaState]]
    callbacks: dict[str, CallbackOutcome]
    measures: dict[str, Attainment]
    scorecards: dict[str, CommunityScorecard]


def read_events(store: Store, *, at: datetime) -> StoredEvents:
    """Read what :func:`replay` needs from ``store``: records received by ``at``."""
    cases = tuple(
        c
        for c in all_pages(
            lambda after: store.complaint_cases.list(
                order_by="received_at", limit=PAGE, after=after
            )
        )
        if c.received_at <= at
    )
    complaints = {c.id: store.complaints.get(c.id) for c in cases}
    orders = sorted(
        (o for state in WorkOrderState for o in store.work_orders.in_state(state)),
        key=lambda o: (o.received_at, o.id),
    )
    kept = tuple(o for o in orders if o.received_at <= at)
    slips = {}
    for order in kept:
        try:
            slips[order.id] = store.repair_slips.get(order.id)
        except NotFoundError:  # an order written without the desk has no slip
            continue
    wanted = [c.callback_task_id for c in cases] + [s.callback_task_id for s in slips.values()]
    tasks = {i: store.callback_tasks.get(i) for i in wanted if i is not None}
    communities = sorted({c.community for c in cases} | {o.community for o in kept} - {""})
    responses = tuple(
        r
        for community in communities
        for r in store.survey_responses.for_community(community, _FIRST_DAY, _LAST_DAY)
        if r.answered_on <= at.date()
    )
    fingerprints = {r.policy_fingerprint for c in cases for r in store.grade_records.history(c.id)}
    return StoredEvents(
        at, cases, complaints, kept, slips, tasks, responses, tuple(sorted(fingerprints))
    )


def replay(
    store: Store,
    events: StoredEvents,
    policy: Policy,
    *,
    period: Period,
    households: Mapping[str, int],
) -> Replay:
    """Run the engines over ``events`` under ``policy``; nothing is written.

    Each community with a complaint or a repair slip received in ``period`` is
    scored over ``period``, judged at the earlier of ``events.at`` and the
    period's end.
    """
    at = events.at
    evaluator = SlaEvaluator(policy=policy)
    complaints, timelines = _complaints(store, events, policy, evaluator)
    sla = {
        o.id: {s.target: s.state for s in evaluator.evaluate(o.timeline, at=at)}
        for o in events.orders
    }
    callbacks = {**_complaint_callbacks(events, policy), **_repair_callbacks(events, policy)}
    measures = evaluator.attainment([o.timeline for o in events.orders], at=at)
    measures["resolution"] = _count(o.on_time for o in complaints.values())
    measures["callbacks"] = _count(o.on_time for o in callbacks.values())
    start, end = period.bounds(policy.tz)
    received = [(c.community, c.received_at) for c in events.cases]
    received += [(s.community, s.received_at) for s in events.slips.values()]
    communities = sorted({c for c, moment in received if start <= moment < end})
    orders = {o.id: o for o in events.orders}
    scorecards = {
        community: score_records(
            community=community,
            period=period,
            at=min(at, end),
            cases=events.cases,
            complaint_timelines=timelines,
            slips=events.slips.values(),
            work_orders=orders,
            tasks=events.tasks,
            responses=events.responses,
            households=households.get(community),
            policy=policy,
        )
        for community in communities
    }
    return Replay(complaints, sla, callbacks, measures, scorecards)


def _count(verdicts: Iterable[bool | None]) -> Attainment:
    decided = [v for v in verdicts if v is not None]
    return Attainment(sum(decided), len(decided))


def _complaints(
    store: Store, events: StoredEvents, policy: Policy, evaluator: SlaEvaluator
) -> tuple[dict[str, ComplaintOutcome], dict[str, Timeline]]:
    """Grade each complaint as the desk grades it, on receipt, as time raises it, and at ``at``.

    Each complaint's timeline carries the grades the policy gives it; its SLA
    ``resolution`` target says whether it was handled in time, for the
    complaint's outcome and for the scorecard alike.
    """
    at = events.at
    desk = ComplaintDesk(store, clock=FixedClock(at), policy=policy)
    found, timelines = {}, {}
    for case in events.cases:
        complaint = events.complaints[case.id]
        received = desk.regrade(case.id, policy=policy, at=complaint.received_at)
        grades: list[tuple[datetime, Grade]] = [(complaint.received_at, received.grade)]
        decision = received
        while (moment := decision.next_escalation_at) is not None and decision.at < moment <= at:
            decision = desk.regrade(case.id, policy=policy, at=moment)
            grades.append((moment, decision.grade))
        now = desk.regrade(case.id, policy=policy, at=at)
        grades.append((at, now.grade))
        timeline = timelines[case.id] = complaint_timeline(case, grades)
        states = {s.target: s.state for s in evaluator.evaluate(timeline, at=at)}
        found[case.id] = ComplaintOutcome(
            now.grade,
            now.grade > received.grade,
            _on_time(states.get("resolution")),
            now.resolve_by,
            now.reasons,
        )
    return found, timelines


def _on_time(state: SlaState | None) -> bool | None:
    if state is SlaState.MET:
        return True
    return False if state is SlaState.BREACHED else None


def _verdict(task: CallbackTask, due: datetime, at: datetime) -> bool | None:
    outcome = task.outcome
    if outcome is not None and outcome.reached and outcome.at <= at:
        return outcome.at <= due
    return False if due <= at else None


def _complaint_callbacks(events: StoredEvents, policy: Policy) -> dict[str, CallbackOutcome]:
    """Plan each handled complaint's callback again, as the desk plans it at handling."""
    contact = policy.calendar(policy.callbacks.contact_calendar)
    found = {}
    for case in events.cases:
        stored = events.tasks.get(case.callback_task_id or "")
        if stored is None or case.handled_at is None or case.handled_at > events.at:
            continue
        plan = plan_after_complaint(
            case.id,
            customer_id=case.customer_id,
            handled_at=case.handled_at,
            calendar=contact,
            policy=policy,
        )
        task = (*plan.tasks, *plan.late)[0]
        owner = policy.callbacks.vip_role if case.vip else task.owner_role
        found[stored.id] = CallbackOutcome(owner, task.due, _verdict(stored, task.due, events.at))
    return found


def _repair_callbacks(events: StoredEvents, policy: Policy) -> dict[str, CallbackOutcome]:
    """Plan each signed-off repair's callback again, owners drawn by role share per community."""
    contact = policy.calendar(policy.callbacks.contact_calendar)
    allocators: dict[str, RoleShareAllocator] = {}
    signed = sorted(
        (s for s in events.slips.values() if s.signed_off_at is not None),
        key=lambda s: (s.signed_off_at, s.id),
    )
    orders = {o.id: o for o in events.orders}
    found = {}
    for slip in signed:
        stored = events.tasks.get(slip.callback_task_id or "")
        if stored is None or slip.signed_off_at > events.at:  # type: ignore[operator]
            continue
        order = orders[slip.id]
        fixed = [e.at for e in order.timeline.events if e.kind is EventKind.RESOLVED]
        allocator = allocators.setdefault(
            slip.community, RoleShareAllocator.from_policy(policy.callbacks)
        )
        repair = CompletedRepair(
            slip.id, slip.customer_id, fixed[-1], order.callback_kind, slip.technician_id or ""
        )
        plan = plan_after_repair(repair, calendar=contact, policy=policy, allocator=allocator)
        task = (*plan.tasks, *plan.late)[0]
        found[stored.id] = CallbackOutcome(
            task.owner_role, task.due, _verdict(stored, task.due, events.at)
        )
    return found
