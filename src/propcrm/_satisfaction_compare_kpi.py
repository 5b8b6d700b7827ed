"""Comparing two groups of a KPI scorecard: is the change of one KPI significant?

Public in :mod:`propcrm.satisfaction`; this module is private.
"""

from __future__ import annotations

from propcrm._checks import require_instance
from propcrm._satisfaction_compare import (
    Comparison,
    compare_event_rate,
    compare_nps,
    compare_rate,
)
from propcrm._satisfaction_compare_index import compare_index
from propcrm._satisfaction_policy import Kpi
from propcrm._satisfaction_scorecard import Indicator, KpiGroup, KpiStatus
from propcrm._satisfaction_scores import Attainment, NoDataError

__all__ = ["compare_kpi"]


def compare_kpi(before: KpiGroup, after: KpiGroup, kpi: Kpi, *, level: float = 0.95) -> Comparison:
    """Is the change of one KPI between two scorecard groups (periods) significant?

    Rates use :func:`compare_rate` (two-proportion z), the complaint rate
    :func:`compare_event_rate` (Poisson), NPS :func:`compare_nps` and the index
    :func:`compare_index` (Welch). The groups are read as independent
    samples; for the same households in both waves use the ``*_paired`` functions.

    Raises:
        NoDataError: either group has no data for ``kpi``.

    >>> from propcrm.satisfaction import (Attainment, GroupBy, Kpi, KpiScorecard,
    ...                                   ServiceFigures, compare_kpi)
    >>> from datetime import date
    >>> q1 = ServiceFigures("Lakeside", date(2025, 1, 1), callback_handling=Attainment(45, 50))
    >>> q2 = ServiceFigures("Lakeside", date(2025, 4, 1), callback_handling=Attainment(50, 50))
    >>> card = KpiScorecard.build([], [q1, q2], by=GroupBy.QUARTER)
    >>> change = compare_kpi(card.group("2025-Q1"), card.group("2025-Q2"),
    ...                      Kpi.CALLBACK_HANDLING_RATE)
    >>> change.method, round(change.p_value, 4)
    ('two-proportion', 0.0218)
    """
    require_instance(kpi, Kpi, "kpi", "a Kpi", "e.g. Kpi.NPS")
    require_instance(before, KpiGroup, "before", "a KpiGroup", "e.g. scorecard.group('2025-Q1')")
    require_instance(after, KpiGroup, "after", "a KpiGroup", "e.g. scorecard.group('2025-Q2')")
    first = _indicator(before, kpi)
    second = _indicator(after, kpi)
    if first is None or first.status is KpiStatus.NO_DATA:
        raise NoDataError("before", f"before: no data for {kpi.value} in this group")
    if second is None or second.status is KpiStatus.NO_DATA:
        raise NoDataError("after", f"after: no data for {kpi.value} in this group")
    if kpi is Kpi.NPS:
        assert before.nps is not None  # data implies a result
        assert after.nps is not None
        return compare_nps(before.nps, after.nps, level=level)
    if kpi is Kpi.SATISFACTION_INDEX:
        assert before.index is not None
        assert after.index is not None
        return compare_index(before.index, after.index, level=level)
    assert first.count is not None  # a rate with data
    assert second.count is not None
    if kpi is Kpi.COMPLAINT_RATE:
        return compare_event_rate((first.count, first.n), (second.count, second.n), level=level)
    return compare_rate(Attainment(first.count, first.n), Attainment(second.count, second.n),
                        level=level, measure=kpi.value)  # fmt: skip


def _indicator(group: KpiGroup, kpi: Kpi) -> Indicator | None:
    return next((i for i in group.indicators if i.kpi is kpi), None)
