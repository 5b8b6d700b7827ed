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

from hypothesis import strategies as st

from propcrm.policy import Policy

__all__ = ["policies", "time_zones"]

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
    return st.builds(Policy, timezone=time_zones())
