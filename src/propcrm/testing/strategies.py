"""Hypothesis strategies for propcrm's domain types, for your own property tests.

Each strategy is a function returning ``SearchStrategy[T]`` and takes
keyword-only arguments.

>>> from hypothesis import given
>>> from propcrm.testing.strategies import policies
>>> @given(policies())
... def test_round_trip(policy):
...     assert type(policy).from_toml(policy.to_toml()) == policy
>>> test_round_trip()
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from propcrm.policy import Policy
from propcrm.satisfaction import (
    Attainment,
    Dimension,
    Kpi,
    SatisfactionPolicy,
    ServiceFigures,
    SurveyResponse,
)

__all__ = [
    "attainments",
    "nps_answers",
    "policies",
    "satisfaction_policies",
    "service_figures",
    "survey_responses",
    "time_zones",
]

_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Urumqi",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
)


def time_zones() -> st.SearchStrategy[str]:
    """IANA zone names, China's first, plus zones with daylight saving time."""
    return st.sampled_from(_ZONES)


def policies() -> st.SearchStrategy[Policy]:
    """Valid :class:`~propcrm.policy.Policy` trees, every sub-policy varied."""
    return st.builds(Policy, timezone=time_zones(), satisfaction=satisfaction_policies())


_RATE_KPIS = tuple(k.value for k in Kpi if k not in (Kpi.NPS, Kpi.SATISFACTION_INDEX))


@st.composite
def _weights(draw: st.DrawFn) -> dict[str, float]:
    chosen = draw(st.lists(st.sampled_from(list(Dimension)), min_size=1, max_size=7, unique=True))
    raw = [draw(st.integers(min_value=1, max_value=20)) for _ in chosen]
    return {d.value: r / sum(raw) for d, r in zip(chosen, raw, strict=True)}


@st.composite
def _satisfaction_policy(draw: st.DrawFn) -> SatisfactionPolicy:
    weights = draw(_weights())
    targets = draw(
        st.dictionaries(
            st.sampled_from(_RATE_KPIS), st.floats(min_value=0, max_value=1), max_size=4
        )
    )
    if draw(st.booleans()):
        targets["nps"] = draw(st.floats(min_value=-100, max_value=100))
    return SatisfactionPolicy(
        confidence=draw(st.sampled_from([0.8, 0.9, 0.95, 0.99])),
        weights=weights,
        min_answered_dimensions=draw(st.integers(min_value=1, max_value=len(weights))),
        satisfied_from=draw(st.integers(min_value=2, max_value=5)),
        loyal_from=draw(st.integers(min_value=1, max_value=10)),
        targets=targets,
    )


def satisfaction_policies() -> st.SearchStrategy[SatisfactionPolicy]:
    """Valid :class:`~propcrm.satisfaction.SatisfactionPolicy` values: weights over a
    random subset of dimensions summing to 1, targets for a random subset of KPIs."""
    return _satisfaction_policy()


def nps_answers(*, min_size: int = 1, max_size: int = 200) -> st.SearchStrategy[list[int]]:
    """Lists of 0-10 recommendation answers."""
    if not 0 <= min_size <= max_size:
        raise ValueError(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    return st.lists(st.integers(min_value=0, max_value=10), min_size=min_size, max_size=max_size)


def attainments(*, max_total: int = 1000) -> st.SearchStrategy[Attainment]:
    """``Attainment(met, total)`` pairs with ``0 <= met <= total <= max_total``."""
    if max_total < 0:
        raise ValueError(f"max_total must be >= 0, got {max_total}")
    return st.integers(min_value=0, max_value=max_total).flatmap(
        lambda total: st.builds(
            Attainment, met=st.integers(min_value=0, max_value=total), total=st.just(total)
        )
    )


_COMMUNITIES = ("Garden Court", "Lakeside", "翠湖花园")
_TIERS = ("A", "B", "C", "D", "")
_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


def survey_responses(
    *, communities: tuple[str, ...] = _COMMUNITIES
) -> st.SearchStrategy[SurveyResponse]:
    """Survey answers; any answer may be skipped (``None`` or a missing dimension)."""
    if not communities:
        raise ValueError("communities must name at least one community")
    rating = st.integers(min_value=1, max_value=5)
    return st.builds(
        SurveyResponse,
        household_id=st.from_regex(r"H-[0-9]{1,5}", fullmatch=True),
        community=st.sampled_from(communities),
        answered_on=_DAYS,
        tier=st.sampled_from(_TIERS),
        recommend=st.none() | st.integers(min_value=0, max_value=10),
        overall=st.none() | rating,
        ratings=st.dictionaries(st.sampled_from(list(Dimension)), rating),
    )


def service_figures(
    *, communities: tuple[str, ...] = _COMMUNITIES
) -> st.SearchStrategy[ServiceFigures]:
    """Monthly operational counts with consistent complaints and repeats."""
    if not communities:
        raise ValueError("communities must name at least one community")
    return st.integers(min_value=0, max_value=50).flatmap(
        lambda complaints: st.builds(
            ServiceFigures,
            community=st.sampled_from(communities),
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
