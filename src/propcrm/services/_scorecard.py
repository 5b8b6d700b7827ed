"""The scorecard service: a community's KPI scorecard for a period, from what the store holds.

Public in :mod:`propcrm.services`; this module is private. The figures are
counted from the stored records and judged by the engines: the SLA engine's
attainment (:meth:`~propcrm.sla.SlaEvaluator.attainment`), the KPI scorecard
(:class:`~propcrm.satisfaction.KpiScorecard`) and the callback coverage
(:func:`~propcrm.callbacks.coverage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from attrs import frozen

from propcrm._checks import require_int
from propcrm._time import Clock, zone
from propcrm.callbacks import CallbackTask, Coverage, coverage
from propcrm.complaints import Grade
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.records import ComplaintCase, RepairSlip
from propcrm.satisfaction import (
    Attainment,
    Indicator,
    Kpi,
    KpiGroup,
    KpiScorecard,
    KpiStatus,
    ServiceFigures,
    SurveyResponse,
)
from propcrm.services._commands import Actor, CommandRunner, policy_fingerprint, require_actor
from propcrm.services._paging import PAGE, all_pages
from propcrm.services._periods import Period, period_of
from propcrm.sla import Event, EventKind, SlaEvaluator, Timeline
from propcrm.storage import Store
from propcrm.work_orders import WorkOrder

__all__ = [
    "KPI_MEASURES",
    "CommunityScorecard",
    "ScorecardService",
    "complaint_timeline",
    "score_records",
]

KPI_MEASURES: Mapping[Kpi, tuple[str, ...]] = MappingProxyType(
    {
        Kpi.RESPONSE_TIMELINESS: ("answer", "dispatch", "on_site"),
        Kpi.PROBLEM_RESOLUTION_TIMELINESS: ("fixed",),
        Kpi.COMPLAINT_HANDLING_TIMELINESS: ("resolution",),
    }
)
"""The stored measures each timeliness KPI counts: SLA targets, by name, of the stored
timelines; every decided target (met or breached) counts once.

* response timeliness (需求响应及时率): ``answer``, ``dispatch`` and ``on_site`` —
  the "3-1-2" standard of the demand-response stage, answer within 3 minutes,
  dispatch within 1 hour, on site within 2 hours (000 § 3.2);
* problem-resolution timeliness (问题解决及时率): the work orders' ``fixed``
  target (Decision, RULES § 7);
* complaint handling timeliness (投诉处理及时率): the complaints' ``resolution``
  target, by the grade they hold (Decision, RULES § 7).

Both :class:`ScorecardService` and :func:`what_if` count by this table."""


def complaint_timeline(case: ComplaintCase, grades: Sequence[tuple[datetime, Grade]]) -> Timeline:
    """The complaint's SLA timeline: received, each change of grade, handled.

    Args:
        case: The complaint's case.
        grades: The grades it held, each from a moment, oldest first; the first
            is the grade on receipt (its moment is not used).
    """
    first = grades[0][1] if grades else case.grade
    events = [Event(EventKind.RECEIVED, case.received_at)]
    held = first
    for at, grade in grades[1:]:
        if grade is not held:
            events.append(Event(EventKind.REGRADED, at, grade=grade))
            held = grade
    if case.handled_at is not None:
        events.append(Event(EventKind.RESOLVED, case.handled_at))
    return Timeline(events, kind="complaint", grade=first)


@frozen
class CommunityScorecard:
    """A community's KPI scorecard for one period: each KPI passed or failed, with reasons.

    Attributes:
        community: The community.
        period: The period scored.
        at: The moment the stored records were judged at: the end of the
            period, or the clock's time while the period runs.
        figures: The counts read from the store for the period.
        group: The engine's indicators (:class:`~propcrm.satisfaction.KpiGroup`):
            value, sample size, interval, target, verdict and reason per KPI.
        coverage: The callback coverage of each month of the period with a
            callback due (:class:`~propcrm.callbacks.Coverage`).
        policy_fingerprint: The fingerprint of the policy that judged it.
    """

    community: str
    period: Period
    at: datetime
    figures: ServiceFigures
    group: KpiGroup
    coverage: tuple[Coverage, ...]
    policy_fingerprint: str

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """One indicator per KPI, each with ``passed`` and its ``reason``."""
        return self.group.indicators

    @property
    def missed(self) -> tuple[Indicator, ...]:
        """The indicators that missed their target."""
        return self.group.missed

    @property
    def passed(self) -> bool:
        """Whether no KPI missed its target and every month's coverage met its target."""
        return not self.missed and all(c.met for c in self.coverage)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """One reason per KPI, saying why it passed or failed, then the coverage's reasons."""
        return (
            *(i.reason for i in self.indicators),
            *(r for c in self.coverage for r in c.reasons),
        )

    def status(self, kpi: Kpi) -> KpiStatus:
        """The status of ``kpi`` (a :class:`~propcrm.satisfaction.Kpi`).

        Raises:
            ValidationError: ``kpi`` is not a Kpi.
        """
        return self.group[kpi].status


class ScorecardService:
    """The KPI scorecard (关键业绩指标) of a community and a period, from stored data.

    Read-only: it writes nothing, so it takes no command id. It is asked by an
    :class:`Actor`, who must act for the community.

    What it counts, for the records received in the period (RULES § 7):

    * complaints and repeat complaints (二次投诉) from the complaint register;
      complaint handling timeliness from each complaint's SLA ``resolution``
      target, its timeline rebuilt from the stored grade history and handling;
      complaint-resolution satisfaction from the complaint callbacks that
      reached the complainant;
    * response and problem-resolution timeliness from the SLA targets of the
      work orders the desk opened (with a repair slip) that
      :data:`~propcrm.services.KPI_MEASURES` names; problem resolution
      (resolved by the moment judged);
    * callback handling (件件有回音): of the callbacks due by the moment
      judged, those with an outcome by then (Decision, RULES § 7); callback
      coverage per month;
    * the survey indicators from the community's survey responses.

    :func:`~propcrm.services.what_if` scores each policy it tries by the same
    code, from the same records.

    Args:
        store: The store.
        clock: Tells the time: a running period is judged at the clock's time.
        policy: The rules; ``None`` for the defaults.

    Raises:
        ValidationError: ``clock`` has no ``now()`` or ``policy`` is not a Policy.
    """

    def __init__(self, store: Store, *, clock: Clock, policy: Policy | None = None) -> None:
        self._runner = CommandRunner(store, clock=clock, policy=policy)
        self.store = store
        self.policy = self._runner.policy

    def scorecard(
        self,
        *,
        actor: Actor,
        community: str,
        period: Period | str,
        households: int | None = None,
    ) -> CommunityScorecard:
        """Score ``community`` over ``period`` against the policy's targets.

        Args:
            actor: Who asks; they must act for ``community``.
            community: The community (小区).
            period: A :class:`Period`, a month ``"2025-07"`` or a quarter ``"2025-Q3"``.
            households: The households the community serves, for the complaint
                rate; ``None`` leaves that KPI without data.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ValidationError: ``period`` or ``households`` is invalid.
        """
        require_actor(actor, community)
        span = period_of(period)
        start, end = span.bounds(zone(self.policy.tz))
        store = self.store
        cases = all_pages(
            lambda after: store.complaint_cases.list(
                community=community, received_from=start, received_before=end,
                order_by="received_at", limit=PAGE, after=after,
            )
        )  # fmt: skip
        slips = all_pages(
            lambda after: store.repair_slips.list(
                community=community, received_from=start, received_before=end,
                order_by="received_at", limit=PAGE, after=after,
            )
        )  # fmt: skip
        wanted = [c.callback_task_id for c in cases] + [s.callback_task_id for s in slips]
        return score_records(
            community=community,
            period=span,
            at=min(self._runner.clock.now(), end),
            cases=cases,
            complaint_timelines={c.id: self._complaint_timeline(c) for c in cases},
            slips=slips,
            work_orders={s.id: store.work_orders.get(s.id) for s in slips},
            tasks={i: store.callback_tasks.get(i) for i in wanted if i is not None},
            responses=store.survey_responses.for_community(community, span.start, span.end),
            households=households,
            policy=self.policy,
        )

    def _complaint_timeline(self, case: ComplaintCase) -> Timeline:
        """The complaint's SLA timeline, from its stored grade history and handling."""
        history = self.store.grade_records.history(case.id)
        return complaint_timeline(case, [(r.decision.at, r.grade) for r in history])


def score_records(
    *,
    community: str,
    period: Period,
    at: datetime,
    cases: Iterable[ComplaintCase],
    complaint_timelines: Mapping[str, Timeline],
    slips: Iterable[RepairSlip],
    work_orders: Mapping[str, WorkOrder],
    tasks: Mapping[str, CallbackTask],
    responses: Iterable[SurveyResponse],
    households: int | None,
    policy: Policy,
) -> CommunityScorecard:
    """Score ``community`` over ``period`` at ``at`` from records already read, under ``policy``.

    The one way a scorecard is counted: :class:`ScorecardService` passes what
    it read for the community and the period, :func:`~propcrm.services.what_if`
    everything it read, with the complaint timelines each policy grades.
    Only the community's records received in the period by ``at`` count, and
    the survey responses answered in the period by ``at``'s day.

    Args:
        community: The community.
        period: The period.
        at: The moment the records are judged at.
        cases: Complaint cases.
        complaint_timelines: Each case's SLA timeline (:func:`complaint_timeline`), by id.
        slips: Repair slips: the work orders the desk opened.
        work_orders: The work orders, by id (every slip's among them).
        tasks: The callback tasks, by id (every task the cases and slips name).
        responses: Survey responses.
        households: The households the community serves; ``None`` leaves the
            complaint rate without data.
        policy: The rules.

    Raises:
        ValidationError: ``households`` is not a count of at least 1, or a
            timeline names a kind the policy does not know.
    """
    if households is not None:
        require_int(households, "households", low=1)
    tz = zone(policy.tz)
    start, end = period.bounds(tz)

    def counted(community_of: str, received_at: datetime) -> bool:
        return community_of == community and start <= received_at < end and received_at <= at

    kept = [c for c in cases if counted(c.community, c.received_at)]
    repairs = [s for s in slips if counted(s.community, s.received_at)]
    wanted = [c.callback_task_id for c in kept] + [s.callback_task_id for s in repairs]
    planned = [t for i in wanted if (t := tasks.get(i or ""))]
    orders = [work_orders[s.id].timeline for s in repairs]
    sla = SlaEvaluator(policy=policy)
    repaired = sla.attainment(orders, at=at)
    handled = sla.attainment([complaint_timelines[c.id] for c in kept], at=at)
    called = [t.outcome for c in kept if (t := tasks.get(c.callback_task_id or "")) and t.outcome]
    answered = [o for o in called if o.reached and o.at <= at]
    due = [t for t in planned if t.due <= at]
    figures = ServiceFigures(
        community,
        period.start,
        households=households or 0,
        complaints=len(kept),
        repeat_complaints=sum(c.repeat_of_id is not None for c in kept),
        response_timeliness=_measured(repaired, Kpi.RESPONSE_TIMELINESS),
        problem_resolution=Attainment(sum(_resolved(t, at) for t in orders), len(orders)),
        problem_resolution_timeliness=_measured(repaired, Kpi.PROBLEM_RESOLUTION_TIMELINESS),
        complaint_handling_timeliness=_measured(handled, Kpi.COMPLAINT_HANDLING_TIMELINESS),
        callback_handling=Attainment(
            sum(t.outcome is not None and t.outcome.at <= at for t in due), len(due)
        ),
        complaint_resolution_satisfaction=Attainment(
            sum(o.satisfied for o in answered), len(answered)
        ),
    )
    last = at.astimezone(tz).date()
    surveyed = [
        r
        for r in responses
        if r.community == community and period.start <= r.answered_on < period.end
        if r.answered_on <= last
    ]
    group = KpiScorecard.build(surveyed, [figures], policy=policy).group()
    reached = [
        coverage({t.customer_id for t in month_due}, planned, month=month, tz=tz, policy=policy)
        for month, month_due in _due_by_month(planned, period, tz)
    ]
    return CommunityScorecard(
        community, period, at, figures, group, tuple(reached), policy_fingerprint(policy)
    )


def _measured(attained: Mapping[str, Attainment], kpi: Kpi) -> Attainment:
    return sum((attained.get(name, Attainment()) for name in KPI_MEASURES[kpi]), Attainment())


def _resolved(timeline: Timeline, at: datetime) -> bool:
    return any(e.kind is EventKind.RESOLVED and e.at <= at for e in timeline.events)


def _due_by_month(
    tasks: list[CallbackTask], period: Period, tz: Any
) -> list[tuple[date, list[CallbackTask]]]:
    """The period's months with the callbacks due in each, months without any left out."""
    found = []
    for month in period.months():
        due = [
            t
            for t in tasks
            if (d := t.due.astimezone(tz).date()).year == month.year and d.month == month.month
        ]
        if due:
            found.append((month, due))
    return found
