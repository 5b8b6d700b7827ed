"""The contract's part for migration ``0012``: work-order steps and problem analyses.

:class:`~propcrm.testing.contract.StoreContract` inherits :class:`AnalysisContract`
and adds :data:`ANALYSIS_SAMPLES` to its samples, so every adapter keeps who did
each work-order step, under which policy, and the periodic analyses of recurring
complaints like every other aggregate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from propcrm.explain import Reason
from propcrm.records import ProblemAnalysis, WorkOrderStep, WorkOrderStepKind
from propcrm.testing.contract._records import RecordSample, _ids, _pages, _strategy

__all__ = ["ANALYSIS_SAMPLES", "AnalysisContract"]

_T0 = datetime(2025, 7, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
_HOUR = timedelta(hours=1)
_KINDS = tuple(WorkOrderStepKind)


def _step(n: int, text: str) -> WorkOrderStep:
    return WorkOrderStep(
        f"WO-{n % 3}:{n:04d}",
        work_order_id=f"WO-{n % 3}",
        seq=n,
        kind=_KINDS[n % len(_KINDS)],
        at=_T0 + n * _HOUR,
        actor_id=f"desk-{n % 2}",
        command_id=f"cmd-{n}",
        policy_fingerprint=("fp-a", "fp-b")[n % 2],
        sla_states={"dispatch": ("met", "breached")[n % 2]},
        note=text,
    )


def _analysis(n: int, text: str) -> ProblemAnalysis:
    return ProblemAnalysis(
        f"东区:2025-0{n % 2 + 7}:{n:03d}",
        community=("东区", "西区")[n % 3 == 0],
        period=f"2025-0{n % 2 + 7}",
        key_fields=("community", "category", "subject"),
        key=("东区", "noise", f"pump {n}"),
        complaint_ids=(f"C-{n}", f"C-{n + 1}"),
        complainants=3,
        root_cause=f"cause: {text}",
        preventive_measure="replace the mounts every year",
        analysed_by="desk-1",
        analysed_at=_T0 + n * _HOUR,
        command_id=f"a-{n}",
        policy_fingerprint="fp-a",
        reasons=(Reason("complaint.analysis.recurring", "3 complainants", {}, "002 §40"),),
    )


ANALYSIS_SAMPLES = (
    RecordSample(
        "work_order_steps",
        _step,
        lambda s: s.note,
        lambda s, t: attrs.evolve(s, note=t),
        _strategy(_step),
        lambda repo: [
            _ids(repo.of_work_order("WO-1")),
            _pages(repo, policy_fingerprint="fp-b", order_by="at"),
            _pages(repo, actor_id="desk-0", kind=WorkOrderStepKind.ACCEPTED),
        ],
        lambda s, id: attrs.evolve(s, id=id),
    ),
    RecordSample(
        "problem_analyses",
        _analysis,
        lambda a: a.root_cause.removeprefix("cause: "),
        lambda a, t: attrs.evolve(a, root_cause=f"cause: {t}"),
        _strategy(_analysis),
        lambda repo: [
            _pages(repo, period="2025-07"),
            _pages(repo, community="西区", order_by="analysed_at"),
        ],
        lambda a, id: attrs.evolve(a, id=id),
    ),
)
"""The samples of migration ``0012``'s records, in the shape of :class:`RecordSample`."""


class AnalysisContract:
    """Work-order steps and problem analyses, as every adapter must keep them."""

    def test_steps_of_an_order_come_in_order(self, store: Any) -> None:
        """of_work_order() gives one order's steps, first first, whatever the adding order."""
        store.work_order_steps.add_all(_step(n, "") for n in (7, 1, 4, 2))
        # WO-1: n % 3 == 1 -> 1, 4, 7
        assert _ids(store.work_order_steps.of_work_order("WO-1")) == [
            "WO-1:0001",
            "WO-1:0004",
            "WO-1:0007",
        ]

    def test_a_steps_sla_snapshot_reads_back(self, store: Any) -> None:
        """The SLA states, actor and fingerprint of a step survive the store."""
        store.work_order_steps.add(_step(1, "¥80"))
        step = store.work_order_steps.get("WO-1:0001")
        assert (step.sla_states, step.actor_id, step.policy_fingerprint, step.note) == (
            {"dispatch": "breached"},
            "desk-1",
            "fp-b",
            "¥80",
        )

    def test_analyses_list_by_period(self, store: Any) -> None:
        """period= keeps one period's analyses: odd n are August's, even n July's."""
        store.problem_analyses.add_all(_analysis(n, "") for n in range(1, 6))
        assert _pages(store.problem_analyses, period="2025-07") == [
            "东区:2025-07:002",
            "东区:2025-07:004",
        ]

    def test_an_analysis_reads_back_with_its_reasons(self, store: Any) -> None:
        """The key, the complaints and the reasons come back as stored."""
        store.problem_analyses.add(_analysis(2, "pump worn"))
        found = store.problem_analyses.get("东区:2025-07:002")
        assert (found.key, found.complaint_ids, found.reasons[0].rule, found.root_cause) == (
            ("东区", "noise", "pump 2"),
            ("C-2", "C-3"),
            "complaint.analysis.recurring",
            "cause: pump worn",
        )
