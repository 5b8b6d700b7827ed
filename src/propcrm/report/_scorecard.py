"""The report's KPI scorecard: monthly service figures from stored records, then the engine.

Each community's month becomes one :class:`~propcrm.satisfaction.ServiceFigures`
(households known to its records, complaints and second complaints, SLA
attainment of its work orders and complaints, complaint callbacks satisfied,
problems raised in repair callbacks that got a rectification notice);
:class:`~propcrm.satisfaction.KpiScorecard` scores them with the survey answers
against the policy's targets. This module is private.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo

from propcrm._satisfaction_policy import LOWER_IS_BETTER
from propcrm._stats import percent
from propcrm.policy import Policy
from propcrm.records import NotificationKind
from propcrm.report._read import Records
from propcrm.satisfaction import Attainment, Kpi, KpiScorecard, KpiStatus, ServiceFigures
from propcrm.services import KPI_MEASURES
from propcrm.sla import SlaEvaluator, Timeline

__all__ = ["scorecard_rows"]

_NONE = Attainment()


def _month(at: datetime, tz: tzinfo | None) -> str:
    return f"{at.astimezone(tz):%Y-%m}"


def _measured(attained: Mapping[str, Attainment], kpi: Kpi) -> Attainment:
    """The KPI's attainment: the SLA targets :data:`~propcrm.services.KPI_MEASURES` names."""
    return sum((attained.get(name, _NONE) for name in KPI_MEASURES[kpi]), Attainment())


def scorecard_rows(
    records: Records,
    complaint_timelines: Sequence[Timeline],
    evaluator: SlaEvaluator,
    as_of: datetime,
    tz: tzinfo | None,
    policy: Policy,
) -> list[tuple[str, str, str, str, int]]:
    """The scorecard of every indicator: (KPI, value, target, verdict, n), all communities."""
    keys = sorted(
        {(r.community, f"{r.answered_on:%Y-%m}") for r in records.responses}
        | {(c.community, _month(c.received_at, tz)) for c in records.cases}
        | {(s.community, _month(s.received_at, tz)) for s in records.slips}
    )
    rectified = {
        n.subject_id for n in records.notifications if n.kind is NotificationKind.RECTIFICATION
    }
    figures = []
    for community, month in keys:
        slips = [
            s
            for s in records.slips
            if s.community == community and _month(s.received_at, tz) == month
        ]
        timelines = [records.orders[s.id].timeline for s in slips]
        orders = evaluator.attainment(timelines, at=as_of)
        resolved = sum(1 for t in timelines if t.events[-1].kind.value in ("resolved", "closed"))
        picked = [
            (c, t)
            for c, t in zip(records.cases, complaint_timelines, strict=True)
            if c.community == community and _month(c.received_at, tz) == month
        ]
        handled = evaluator.attainment([t for _, t in picked], at=as_of)
        calls = [records.tasks[c.callback_task_id] for c, _ in picked if c.callback_task_id]
        answered = [t.outcome for t in calls if t.outcome is not None and t.outcome.reached]
        problems = [
            s.id
            for s in slips
            if s.callback_task_id
            and (outcome := records.tasks[s.callback_task_id].outcome) is not None
            and outcome.problem
        ]
        figures.append(
            ServiceFigures(
                community,
                date.fromisoformat(f"{month}-01"),
                households=len(records.households.get(community, ())),
                complaints=len(picked),
                repeat_complaints=sum(1 for c, _ in picked if c.repeat_of_id),
                response_timeliness=_measured(orders, Kpi.RESPONSE_TIMELINESS),
                problem_resolution=Attainment(resolved, len(timelines)),
                problem_resolution_timeliness=_measured(orders, Kpi.PROBLEM_RESOLUTION_TIMELINESS),
                complaint_handling_timeliness=_measured(handled, Kpi.COMPLAINT_HANDLING_TIMELINESS),
                callback_handling=Attainment(sum(p in rectified for p in problems), len(problems)),
                complaint_resolution_satisfaction=Attainment(
                    sum(o.satisfied for o in answered), len(answered)
                ),
            )
        )
    card = KpiScorecard.build(records.responses, figures, policy=policy)
    if not card.groups:
        return []
    rows = []
    for indicator in card.groups[0].indicators:
        kpi = indicator.kpi
        points = kpi.value in ("nps", "satisfaction_index")
        value = indicator.value
        goal = indicator.target
        shown = (
            "—" if value is None else f"{value:.1f}" if points
            else percent(value, goal, lower_is_better=kpi in LOWER_IS_BETTER)
        )  # fmt: skip
        target = "—" if goal is None else f"{goal:g}" if points else f"{goal:.0%}"
        verdict = {
            KpiStatus.MET: "pass",
            KpiStatus.MISSED: "FAIL",
            KpiStatus.NO_TARGET: "no target",
            KpiStatus.NO_DATA: "no data",
        }[indicator.status]
        rows.append((kpi.value, shown, target, verdict, indicator.n))
    return rows
