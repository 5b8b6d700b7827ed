"""The tables of migration ``0012``: work-order steps and problem analyses.

Declared like the desks' records of ``_records``, each with a :class:`Listing`,
so every adapter lists them with the same filters and pages.
"""

from __future__ import annotations

from typing import Any

from propcrm.records import ProblemAnalysis, WorkOrderStep, WorkOrderStepKind
from propcrm.storage import _repair_tables
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import Column, Query, Table, Where, storable_text
from propcrm.storage._listing import Filter, Listing, ListingRepo, as_instant, as_text, as_value_of

__all__ = [
    "PROBLEM_ANALYSES",
    "TABLES",
    "WORK_ORDER_STEPS",
    "ProblemAnalysisRepo",
    "WorkOrderStepRepo",
]

WORK_ORDER_STEPS = Table(
    "work_order_steps",
    WorkOrderStep,
    (
        Column("work_order_id", "TEXT"),
        Column("kind", "TEXT"),
        Column("actor", "TEXT"),
        Column("fingerprint", "TEXT"),
        Column("at_us", "INTEGER"),
    ),
    lambda s: (s.work_order_id, s.kind.value, s.actor_id, s.policy_fingerprint, epoch_micros(s.at)),
    (Query("of_work_order", (Where("work_order_id", "=", "work_order_id"),)),),
)


class WorkOrderStepRepo(ListingRepo[WorkOrderStep]):
    """The steps of every work order, each with its actor and policy fingerprint.

    ``list()`` filters: ``work_order_id``, ``actor_id``, ``policy_fingerprint``
    (text), ``kind`` (:class:`~propcrm.records.WorkOrderStepKind`), ``at_from`` /
    ``at_before`` (aware datetimes); orders: ``"id"``, ``"at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "work_order_id": Filter("work_order_id", "=", as_text),
            "actor_id": Filter("actor", "=", as_text),
            "policy_fingerprint": Filter("fingerprint", "=", as_text),
            "kind": Filter("kind", "=", as_value_of(WorkOrderStepKind)),
            "at_from": Filter("at_us", ">=", as_instant),
            "at_before": Filter("at_us", "<", as_instant),
        },
        {"at": "at_us"},
    )

    def of_work_order(self, work_order_id: str) -> list[WorkOrderStep]:
        """Every step of ``work_order_id``, first first."""
        params = {"work_order_id": storable_text(work_order_id, "work_order_id")}
        return self._engine.select(_STEPS_OF, params)


_STEPS_OF = WORK_ORDER_STEPS.query("of_work_order")

PROBLEM_ANALYSES = Table(
    "problem_analyses",
    ProblemAnalysis,
    (
        Column("community", "TEXT"),
        Column("period", "TEXT"),
        Column("analysed_us", "INTEGER"),
    ),
    lambda a: (a.community, a.period, epoch_micros(a.analysed_at)),
)


class ProblemAnalysisRepo(ListingRepo[ProblemAnalysis]):
    """Recurring problems with their root causes and preventive measures.

    ``list()`` filters: ``community``, ``period`` (text, e.g. ``"2025-07"``);
    orders: ``"id"``, ``"analysed_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "period": Filter("period", "=", as_text),
        },
        {"analysed_at": "analysed_us"},
    )


TABLES: tuple[Table[Any], ...] = (*_repair_tables.TABLES, WORK_ORDER_STEPS, PROBLEM_ANALYSES)
"""Every table, in schema order."""
