"""The complaint desk's periodic analysis: recurring problems, their causes and measures.

Public in :mod:`propcrm.services`; this module is private. Complaints are
analysed periodically; a recurring problem gets a root cause and a preventive
measure (客户服务管理制度【1】三.7; 002 § 43). A key of "the same complaint"
(RULES § 4) recurs in a period when one of the period's complaints with that
key counts at least the grading policy's ``repeat_complainants`` different
complainants within its repeat window (002 §40) — the complaint history
(:class:`~propcrm.complaints.ComplaintHistory`) counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import field, frozen

from propcrm._checks import require_items
from propcrm._months import add_months
from propcrm._time import zone
from propcrm._validators import non_empty_str
from propcrm.complaints import Complaint, ComplaintHistory
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.records import ProblemAnalysis
from propcrm.services._commands import Actor, CommandRunner, require_actor
from propcrm.services._paging import PAGE, all_pages
from propcrm.services._periods import Period, period_of
from propcrm.storage import Store

__all__ = ["AnalysisReport", "Finding", "RecurringProblem", "analyse", "recurring"]


def _key(value: object) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, tuple | list) or not all(
        isinstance(v, str) and v.strip() for v in items
    ):
        raise ValidationError.expected(
            "key", "the key's values as a tuple of text", value, "copy RecurringProblem.key"
        )
    return tuple(items)


@frozen
class RecurringProblem:
    """A key of "the same complaint" that recurred in the period.

    Attributes:
        key_fields: The key's fields (the grading policy's ``same_complaint_key``).
        key: The key's values, in ``key_fields`` order.
        complaint_ids: The period's complaints with this key, oldest first.
        complainants: The most distinct complainants the repeat window counted.
        reasons: Why it counts as recurring.
    """

    key_fields: tuple[str, ...]
    key: tuple[str, ...]
    complaint_ids: tuple[str, ...]
    complainants: int
    reasons: tuple[Reason, ...]


@frozen
class Finding:
    """The root cause and preventive measure found for one recurring key.

    Attributes:
        key: The recurring key's values (``RecurringProblem.key``).
        root_cause: Why the problem recurs.
        preventive_measure: What is done so that it does not recur.
    """

    key: tuple[str, ...] = field(converter=_key)
    root_cause: str = field(kw_only=True, validator=non_empty_str)
    preventive_measure: str = field(kw_only=True, validator=non_empty_str)


@frozen
class AnalysisReport:
    """What one periodic analysis recorded.

    Attributes:
        community: The community analysed.
        period: The period's label.
        analyses: One stored analysis per recurring key, by key.
    """

    community: str
    period: str
    analyses: tuple[ProblemAnalysis, ...] = ()


def recurring(
    store: Store, runner: CommandRunner, *, community: str, period: Period
) -> tuple[RecurringProblem, ...]:
    """The recurring keys among the community's complaints received in ``period``, by key."""
    grading = runner.policy.grading
    start, end = period.bounds(zone(runner.policy.tz))
    complaints: list[Complaint] = all_pages(
        lambda after: store.complaints.list(
            community=community,
            received_from=add_months(start, -grading.repeat_window_months),
            received_before=end,
            order_by="received_at",
            limit=PAGE,
            after=after,
        )
    )
    history = ComplaintHistory(policy=grading)
    history.extend(complaints)
    fields = grading.same_complaint_key
    counted: dict[tuple[str, ...], tuple[int, list[str]]] = {}
    for complaint in complaints:
        if complaint.received_at < start:
            continue
        key = tuple(str(getattr(complaint, f)) for f in fields)
        most, ids = counted.get(key, (0, []))
        counted[key] = (max(most, history.complainants_within(complaint)), [*ids, complaint.id])
    threshold = grading.repeat_complainants
    return tuple(
        RecurringProblem(
            fields,
            key,
            tuple(ids),
            most,
            (
                Reason(
                    "complaint.analysis.recurring",
                    f"{most} different complainants of the same complaint within "
                    f"{grading.repeat_window_months} month(s) (>= {threshold}) in {period.label}: "
                    "a recurring problem needs a root cause and a preventive measure",
                    {"complainants": most, "threshold": threshold, "complaints": len(ids)},
                    "002 §40; 客户服务管理制度【1】三.7",
                ),
            ),
        )
        for key, (most, ids) in sorted(counted.items())
        if most >= threshold
    )


def analyse(
    store: Store,
    runner: CommandRunner,
    *,
    command_id: str,
    actor: Actor,
    community: str,
    period: Period | str,
    findings: Iterable[Finding],
) -> AnalysisReport:
    """Record a root cause and preventive measure for every recurring key (one command)."""
    require_actor(actor, community)
    span = period_of(period)
    given = require_items(findings, "findings", Finding, "a list of Finding values")
    by_key = {f.key: f for f in given}

    def work(at: datetime) -> AnalysisReport:
        found = recurring(store, runner, community=community, period=span)
        keys = {p.key for p in found}
        missing = [p.key for p in found if p.key not in by_key]
        extra = [k for k in by_key if k not in keys]
        if missing or extra:
            raise ValidationError.expected(
                "findings",
                f"one Finding per recurring key of {span.label}: {sorted(keys)}",
                {"missing": missing, "not recurring": extra},
                "ask recurring() for the keys, and give each a root cause and a measure",
            )  # fmt: skip
        analyses = []
        for seq, problem in enumerate(found, start=1):
            finding = by_key[problem.key]
            analyses.append(
                store.problem_analyses.add(
                    ProblemAnalysis(
                        f"{community}:{span.label}:{seq:03d}",
                        community=community,
                        period=span.label,
                        key_fields=problem.key_fields,
                        key=problem.key,
                        complaint_ids=problem.complaint_ids,
                        complainants=problem.complainants,
                        root_cause=finding.root_cause,
                        preventive_measure=finding.preventive_measure,
                        analysed_by=actor.id,
                        analysed_at=at,
                        command_id=command_id,
                        policy_fingerprint=runner.fingerprint,
                        reasons=problem.reasons,
                    )
                )
            )
        return AnalysisReport(community, span.label, tuple(analyses))

    return runner.run(
        "complaints.analyse", command_id=command_id, actor=actor, result_type=AnalysisReport,
        work=work,
    )  # fmt: skip
