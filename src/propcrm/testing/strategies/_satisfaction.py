"""Strategies for :mod:`propcrm.satisfaction`: policies, survey answers and service figures."""

from __future__ import annotations

from datetime import date

import attrs
from hypothesis import strategies as st

from propcrm.satisfaction import (
    Attainment,
    Kpi,
    SatisfactionPolicy,
    ServiceFigures,
    SurveyDimension,
    SurveyResponse,
)
from propcrm.testing.strategies._common import check_int, check_texts

__all__ = [
    "attainments",
    "nps_answers",
    "satisfaction_policies",
    "service_figures",
    "survey_responses",
]

_RATE_KPIS = tuple(k.value for k in Kpi if k not in (Kpi.NPS, Kpi.SATISFACTION_INDEX))
_COMMUNITIES = ("Garden Court", "Lakeside", "翠湖花园")
_CORE_DIMENSIONS = SatisfactionPolicy().enabled
_TIERS = ("A", "B", "C", "D", "")
_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def _dimensions(draw: st.DrawFn) -> dict[str, SurveyDimension]:
    # a policy file keeps the default dimensions it does not name, so every policy has them
    defaults = SatisfactionPolicy().dimensions
    names = draw(st.lists(st.sampled_from(sorted(defaults)), min_size=1, max_size=9, unique=True))
    chosen = dict(defaults)
    chosen.update({n: attrs.evolve(defaults[n], weight=draw(st.integers(0, 20))) for n in names})
    first = chosen[names[0]]
    chosen[names[0]] = attrs.evolve(first, enabled=True, weight=max(1, int(first.weight)))
    if draw(st.booleans()):
        chosen["parking"] = SurveyDimension("停车 parking", draw(st.integers(1, 5)))
    return chosen


@st.composite
def _satisfaction_policy(draw: st.DrawFn) -> SatisfactionPolicy:
    dimensions = draw(_dimensions())
    weighted = sum(1 for d in dimensions.values() if d.enabled and d.weight > 0)
    # a policy file keeps the default targets it does not name, so every policy has them
    targets = {**SatisfactionPolicy().targets}
    targets |= draw(
        st.dictionaries(
            st.sampled_from(_RATE_KPIS), st.floats(min_value=0, max_value=1), max_size=4
        )
    )
    if draw(st.booleans()):
        targets["nps"] = draw(st.floats(min_value=-100, max_value=100))
    return SatisfactionPolicy(
        confidence=draw(st.sampled_from([0.8, 0.9, 0.95, 0.99])),
        dimensions=dimensions,
        min_answered_dimensions=draw(st.integers(min_value=1, max_value=weighted)),
        satisfied_from=draw(st.integers(min_value=2, max_value=5)),
        loyal_from=draw(st.integers(min_value=1, max_value=10)),
        targets=targets,
    )


def satisfaction_policies() -> st.SearchStrategy[SatisfactionPolicy]:
    """Valid :class:`~propcrm.satisfaction.SatisfactionPolicy` values: the default
    dimensions with a random subset reweighted (some switched on), sometimes a
    company's own dimension, and the default targets with others for a random
    subset of KPIs."""
    return _satisfaction_policy()


def nps_answers(*, min_size: int = 1, max_size: int = 200) -> st.SearchStrategy[list[int]]:
    """Lists of 0-10 recommendation answers.

    Raises:
        ValidationError: ``min_size`` below 0, or ``max_size`` below ``min_size``.
    """
    check_int("min_size", min_size, 0)
    check_int("max_size", max_size, min_size)
    return st.lists(st.integers(min_value=0, max_value=10), min_size=min_size, max_size=max_size)


def attainments(*, max_total: int = 1000) -> st.SearchStrategy[Attainment]:
    """``Attainment(met, total)`` pairs with ``0 <= met <= total <= max_total``.

    Raises:
        ValidationError: ``max_total`` below 0.
    """
    check_int("max_total", max_total, 0)
    return st.integers(min_value=0, max_value=max_total).flatmap(
        lambda total: st.builds(
            Attainment, met=st.integers(min_value=0, max_value=total), total=st.just(total)
        )
    )


def survey_responses(
    *, communities: tuple[str, ...] = _COMMUNITIES
) -> st.SearchStrategy[SurveyResponse]:
    """Survey answers; any answer may be skipped (``None`` or a missing dimension).

    Raises:
        ValidationError: ``communities`` names no community.
    """
    names = check_texts("communities", communities, "community name")
    rating = st.integers(min_value=1, max_value=5)
    return st.builds(
        SurveyResponse,
        household_id=st.from_regex(r"H-[0-9]{1,5}", fullmatch=True),
        community=st.sampled_from(names),
        answered_on=_DAYS,
        tier=st.sampled_from(_TIERS),
        recommend=st.none() | st.integers(min_value=0, max_value=10),
        overall=st.none() | rating,
        ratings=st.dictionaries(st.sampled_from(_CORE_DIMENSIONS), rating),
    )


def service_figures(
    *, communities: tuple[str, ...] = _COMMUNITIES
) -> st.SearchStrategy[ServiceFigures]:
    """Monthly operational counts with consistent complaints and repeats.

    Raises:
        ValidationError: ``communities`` names no community.
    """
    names = check_texts("communities", communities, "community name")
    return st.integers(min_value=0, max_value=50).flatmap(
        lambda complaints: st.builds(
            ServiceFigures,
            community=st.sampled_from(names),
            month=_DAYS,
            tier=st.sampled_from(_TIERS),
            households=st.integers(min_value=0, max_value=5000),
            complaints=st.just(complaints),
            repeat_complaints=st.integers(min_value=0, max_value=complaints),
            response_timeliness=attainments(),
            complaint_handling_timeliness=attainments(max_total=complaints),
            complaint_resolution_satisfaction=attainments(max_total=complaints),
        )
    )
