"""The report's figures, computed from stored records by propcrm's own engines.

Tiers by :func:`~propcrm.customers.classify_tier`, SLA attainment by
:class:`~propcrm.sla.SlaEvaluator` over the stored timelines, NPS and CSAT by
:func:`~propcrm.satisfaction.nps` and :func:`~propcrm.satisfaction.csat`,
callback coverage by :func:`~propcrm.callbacks.coverage`, and the KPI scorecard
by :class:`~propcrm.satisfaction.KpiScorecard`. This module is private.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from attrs import frozen

from propcrm.callbacks import coverage
from propcrm.complaints import Grade
from propcrm.customers import classify_tier
from propcrm.policy import Policy
from propcrm.records import (
    CaseEventKind,
    CaseState,
    ComplaintCase,
    NotificationKind,
    VipArchiveEventKind,
)
from propcrm.report._read import Records
from propcrm.report._scorecard import scorecard_rows
from propcrm.satisfaction import Attainment, csat, nps
from propcrm.sla import Event, EventKind, SlaEvaluator, Timeline
from propcrm.storage import Store

__all__ = ["Estimate", "Report", "SlaRow", "complaint_timeline", "figures", "month_of"]


@frozen
class Estimate:
    """A score with its 95 % interval and sample size."""

    value: float
    low: float
    high: float
    n: int


@frozen
class SlaRow:
    """One SLA target's attainment against the policy's target for its family."""

    family: str  # "work orders" or "complaints"
    target: str
    met: int
    total: int
    goal: float


@frozen
class Report:
    """Everything the report shows; every figure computed from stored records."""

    scope: str
    period: str
    as_of: datetime
    tiers: dict[str, int]
    vip_archives: int
    vip_issued: int
    vip_renewed: int
    vip_active: int
    vip_expiring: int
    vip_reminders: int
    vip_care: dict[str, tuple[int, int]]  # callback kind -> (due, reached)
    grades: dict[str, int]
    grades_by_month: dict[str, dict[str, int]]
    top_reasons: dict[str, list[tuple[str, int]]]
    escalations: int
    collective: int
    media_risk: int
    second_complaints: int
    sla: list[SlaRow]
    callbacks: dict[str, tuple[int, int]]  # owner role -> (planned, reached)
    coverage: list[tuple[str, int, int, float]]  # month, reached, owed, share
    coverage_goal: float
    nps: dict[str, Estimate]  # community ("" for all) -> NPS in points
    csat: dict[str, Estimate]  # community ("" for all) -> share satisfied
    notifications: dict[str, tuple[int, int]]  # kind -> (written, delivered)
    scorecard: list[tuple[str, str, str, str, int]]  # kpi, value, target, verdict, n


def month_of(at: datetime | date, tz: object) -> str:
    """``YYYY-MM`` of an instant in ``tz`` (or of a date)."""
    day = at.astimezone(tz).date() if isinstance(at, datetime) else at  # type: ignore[arg-type]
    return f"{day:%Y-%m}"


def complaint_timeline(case: ComplaintCase, records: Records) -> Timeline:
    """The SLA timeline of a stored complaint: received, each regrade, handled, closed."""
    history = records.grades.get(case.id, [])
    first = history[0].decision.grade.value if history else case.grade.value
    events = [Event(EventKind.RECEIVED, case.received_at)]
    held = first
    closed_at = None
    for event in records.events.get(case.id, []):
        if event.kind in (CaseEventKind.GRADED, CaseEventKind.ESCALATED) and event.note != held:
            if event.at > case.received_at and Grade(event.note) > Grade(held):
                events.append(Event(EventKind.REGRADED, event.at, grade=event.note))
                held = event.note
        elif event.kind is CaseEventKind.HANDLED:
            events.append(Event(EventKind.RESOLVED, event.at))
        elif event.kind is CaseEventKind.SATISFACTION and case.state is CaseState.CLOSED:
            closed_at = event.at
    if closed_at is not None:
        events.append(Event(EventKind.CLOSED, closed_at))
    return Timeline(events, kind="complaint", grade=first)


def _attainment(
    evaluator: SlaEvaluator, timelines: Iterable[Timeline], at: datetime
) -> dict[str, Attainment]:
    return evaluator.attainment(list(timelines), at=at)


def figures(
    records: Records,
    store: Store,
    *,
    scope: str,
    period: str,
    start: datetime,
    as_of: datetime,
    policy: Policy,
) -> Report:
    """Compute the report of ``records`` as of ``as_of`` (records received from ``start``)."""
    tz = start.tzinfo
    today = as_of.astimezone(tz).date()
    tiers = Counter(classify_tier(c, on=today, policy=policy).tier.value for c in records.customers)
    lead = policy.callbacks.card_expiry_reminder_lead
    current = [store.vip_cards.get(a.card_id) for a in records.archives]
    valid = [c for c in current if c.change is None and c.is_valid_on(today)]
    care: dict[str, tuple[int, int]] = {}
    for task in records.care:
        due, reached = care.get(task.kind.value, (0, 0))
        care[task.kind.value] = (due + 1, reached + bool(task.outcome and task.outcome.reached))

    cases = records.cases
    grades = Counter(c.grade.value for c in cases)
    by_month: dict[str, dict[str, int]] = {}
    reasons: dict[str, Counter[str]] = {}
    for case in cases:
        counts = by_month.setdefault(month_of(case.received_at, tz), {})
        counts[case.grade.value] = counts.get(case.grade.value, 0) + 1
        history = records.grades.get(case.id, [])
        if history:
            final = max(history, key=lambda g: (g.decision.grade, g.seq))
            counted = reasons.setdefault(case.grade.value, Counter())
            counted.update(r.rule for r in final.decision.reasons)
    escalated = sum(
        1 for c in cases for e in records.events.get(c.id, []) if e.kind is CaseEventKind.ESCALATED
    )
    evaluator = SlaEvaluator(policy=policy)
    targets = policy.satisfaction.targets
    rows = [
        SlaRow("work orders", name, a.met, a.total, targets["response_timeliness"])
        for name, a in sorted(
            _attainment(evaluator, (o.timeline for o in records.orders.values()), as_of).items()
        )
    ]
    timelines = [complaint_timeline(c, records) for c in cases]
    rows += [
        SlaRow("complaints", name, a.met, a.total, targets["complaint_handling_timeliness"])
        for name, a in sorted(_attainment(evaluator, timelines, as_of).items())
    ]

    roles: dict[str, tuple[int, int]] = {}
    for task in records.tasks.values():
        planned, reached = roles.get(task.owner_role, (0, 0))
        got = task.outcome is not None and task.outcome.reached
        roles[task.owner_role] = (planned + 1, reached + got)
    months = sorted(
        {
            month_of(t.due, tz)
            for t in records.tasks.values()
            if t.due.astimezone(tz).date() <= today
        }
    )
    covered = []
    for month in months:
        owed = sorted(
            {t.customer_id for t in records.tasks.values() if month_of(t.due, tz) == month}
        )
        found = coverage(
            owed, list(records.tasks.values()), month=date.fromisoformat(f"{month}-01"),
            tz=tz or "Asia/Shanghai", policy=policy,
        )  # fmt: skip
        covered.append((month, found.reached, found.customers, found.share))

    nps_by: dict[str, Estimate] = {}
    csat_by: dict[str, Estimate] = {}
    for name in ["", *records.communities]:
        answers = [r for r in records.responses if not name or r.community == name]
        scores = [r.recommend for r in answers if r.recommend is not None]
        if scores:
            result = nps(scores)
            ci = result.ci()
            nps_by[name] = Estimate(result.score, ci.low, ci.high, result.n)
        overall = [r.overall for r in answers if r.overall is not None]
        if overall:
            rated = csat(overall, policy=policy)
            ci = rated.ci()
            csat_by[name] = Estimate(rated.rate, ci.low, ci.high, rated.n)

    notes: dict[str, tuple[int, int]] = {}
    for note in records.notifications:
        written, delivered = notes.get(note.kind.value, (0, 0))
        notes[note.kind.value] = (written + 1, delivered + (note.delivered_at is not None))
    return Report(
        scope=scope,
        period=period,
        as_of=as_of,
        tiers=dict(sorted(tiers.items())),
        vip_archives=len(records.archives),
        vip_issued=sum(1 for e in records.vip_events if e.kind is VipArchiveEventKind.ISSUED),
        vip_renewed=sum(1 for e in records.vip_events if e.kind is VipArchiveEventKind.RENEWED),
        vip_active=len(valid),
        vip_expiring=sum(1 for c in valid if c.expires_on < today + lead),
        vip_reminders=sum(
            1 for n in records.notifications if n.kind is NotificationKind.VIP_EXPIRY
        ),
        vip_care=dict(sorted(care.items())),
        grades={g.value: grades.get(g.value, 0) for g in Grade},
        grades_by_month=dict(sorted(by_month.items())),
        top_reasons={g: c.most_common(3) for g, c in sorted(reasons.items())},
        escalations=escalated,
        collective=sum(1 for c in cases if len(_complainants(store, c)) > 1),
        media_risk=sum(1 for c in cases if store.complaints.get(c.id).media_risk),
        second_complaints=sum(1 for c in cases if c.repeat_of_id),
        sla=rows,
        callbacks=dict(sorted(roles.items())),
        coverage=covered,
        coverage_goal=policy.callbacks.coverage_target,
        nps=nps_by,
        csat=csat_by,
        notifications=dict(sorted(notes.items())),
        scorecard=scorecard_rows(records, timelines, evaluator, as_of, tz, policy),
    )


def _complainants(store: Store, case: ComplaintCase) -> tuple[str, ...]:
    return store.complaints.get(case.id).complainant_ids
