"""The scorecard service: a community's KPI scorecard for a period, from what the store holds.

Public in :mod:`propcrm.services`; this module is private. The figures are
counted from the stored records and judged by the engines: the SLA engine's
attainment (:meth:`~propcrm.sla.SlaEvaluator.attainment`), the KPI scorecard
(:class:`~propcrm.satisfaction.KpiScorecard`) and the callback coverage
(:func:`~propcrm.callbacks.coverage`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from attrs import frozen

from propcrm._checks import require_int
from propcrm._time import Clock, zone
from propcrm.callbacks import CallbackTask, Coverage, coverage
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
)
from propcrm.services._commands import Actor, CommandRunner, require_actor
from propcrm.services._periods import Period, period_of
from propcrm.sla import Event, EventKind, SlaEvaluator, Timeline
from propcrm.storage import Cursor, Page, Store

__all__ = ["RESPONSE_TARGETS", "CommunityScorecard", "ScorecardService", "all_pages"]

T = TypeVar("T")

RESPONSE_TARGETS = ("dispatch", "on_site")
"""The SLA targets of a work order that measure response (需求响应及时率): dispatch
and arrival on site (Decision, RULES § 7); its ``fixed`` target measures resolution."""

_PAGE = 1000


def all_pages(read: Callable[[Cursor | None], Page[T]]) -> list[T]:
    """Every item of a listing, read page by page (``read(after)`` returns one page)."""
    found: list[T] = []
    after = None
    while True:
        page = read(after)
        found.extend(page.items)
        if page.next is None:
            return found
        after = page.next


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
      complaint-resolution satisfaction from the callbacks' answers;
    * response timeliness from the work orders' :data:`~propcrm.services.RESPONSE_TARGETS`,
      problem resolution (resolved by the moment judged) and its timeliness
      (the ``fixed`` target);
    * callback handling (件件有回音): of the callbacks due by the moment
      judged, those with an outcome (Decision, RULES § 7); callback coverage
      per month;
    * the survey indicators from the community's survey responses.

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
        if households is not None:
            require_int(households, "households", low=1)
        tz = zone(self.policy.tz)
        start, end = span.bounds(tz)
        at = min(self._runner.clock.now(), end)
        cases = self._cases(community, start, end)
        slips = self._slips(community, start, end)
        tasks = self._tasks([*cases, *slips])
        figures = self._figures(community, span, at, cases, slips, tasks, households or 0)
        responses = self.store.survey_responses.for_community(community, span.start, span.end)
        group = KpiScorecard.build(responses, [figures], policy=self.policy).group()
        reached = [
            coverage({t.customer_id for t in due}, tasks, month=month, tz=tz, policy=self.policy)
            for month, due in _due_by_month(tasks, span, tz)
        ]
        return CommunityScorecard(
            community, span, at, figures, group, tuple(reached), self._runner.fingerprint
        )

    def _cases(self, community: str, start: datetime, end: datetime) -> list[ComplaintCase]:
        return all_pages(
            lambda after: self.store.complaint_cases.list(
                community=community,
                received_from=start,
                received_before=end,
                order_by="received_at",
                limit=_PAGE,
                after=after,
            )
        )

    def _slips(self, community: str, start: datetime, end: datetime) -> list[RepairSlip]:
        return all_pages(
            lambda after: self.store.repair_slips.list(
                community=community,
                received_from=start,
                received_before=end,
                order_by="received_at",
                limit=_PAGE,
                after=after,
            )
        )

    def _tasks(self, records: Iterable[ComplaintCase | RepairSlip]) -> list[CallbackTask]:
        get = self.store.callback_tasks.get
        return [get(r.callback_task_id) for r in records if r.callback_task_id is not None]

    def _figures(
        self,
        community: str,
        period: Period,
        at: datetime,
        cases: list[ComplaintCase],
        slips: list[RepairSlip],
        tasks: list[CallbackTask],
        households: int,
    ) -> ServiceFigures:
        sla = SlaEvaluator(policy=self.policy)
        complaints = sla.attainment([self._complaint_timeline(c) for c in cases], at=at)
        orders = [self.store.work_orders.get(slip.id).timeline for slip in slips]
        repairs = sla.attainment(orders, at=at)
        answered = [c.satisfied for c in cases if c.satisfied is not None]
        due = [t for t in tasks if t.due <= at]
        return ServiceFigures(
            community,
            period.start,
            households=households,
            complaints=len(cases),
            repeat_complaints=sum(c.repeat_of_id is not None for c in cases),
            response_timeliness=sum(
                (repairs.get(name, Attainment()) for name in RESPONSE_TARGETS), Attainment()
            ),
            problem_resolution=Attainment(sum(_resolved(t, at) for t in orders), len(orders)),
            problem_resolution_timeliness=repairs.get("fixed", Attainment()),
            complaint_handling_timeliness=complaints.get("resolution", Attainment()),
            callback_handling=Attainment(sum(t.outcome is not None for t in due), len(due)),
            complaint_resolution_satisfaction=Attainment(sum(answered), len(answered)),
        )

    def _complaint_timeline(self, case: ComplaintCase) -> Timeline:
        """The complaint's SLA timeline, from its stored grade history and handling."""
        history = self.store.grade_records.history(case.id)
        first = history[0].grade if history else case.grade
        events = [Event(EventKind.RECEIVED, case.received_at)]
        held = first
        for record in history[1:]:
            if record.grade is not held:
                events.append(Event(EventKind.REGRADED, record.decision.at, grade=record.grade))
                held = record.grade
        if case.handled_at is not None:
            events.append(Event(EventKind.RESOLVED, case.handled_at))
        return Timeline(events, kind="complaint", grade=first)


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
