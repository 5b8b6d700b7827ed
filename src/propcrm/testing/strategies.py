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

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from propcrm.callbacks import (
    CallbackKind,
    CallbackPolicy,
    CallbackTask,
    CompletedRepair,
    StaffMember,
    Subject,
    SubjectKind,
)
from propcrm.policy import Policy

__all__ = [
    "callback_policies",
    "callback_tasks",
    "completed_repairs",
    "policies",
    "role_shares",
    "staff_members",
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
    return st.builds(Policy, timezone=time_zones(), callbacks=callback_policies())


_ROLES = ("manager", "supervisor", "repair_lead", "customer_service", "vip_assistant")
_PER_YEAR = st.sampled_from((1, 2, 3, 4, 6, 12))
_FESTIVALS = (
    "Spring Festival",
    "Dragon Boat Festival",
    "Mid-Autumn Festival",
    "National Day",
    "Tomb-Sweeping Day",
    "Labor Day",
    "New Year's Day",
)


def _hours(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda h: timedelta(hours=h))


def role_shares(*, min_roles: int = 1, max_roles: int = 4) -> st.SearchStrategy[dict[str, float]]:
    """Role -> minimum share, each in (0, 1] with two decimals, summing to at most 1."""
    if not 1 <= min_roles <= max_roles <= len(_ROLES):
        raise ValueError(f"need 1 <= min_roles <= max_roles <= {len(_ROLES)}")

    def shares(cents: list[int]) -> dict[str, float]:
        return {role: c / 100 for role, c in zip(_ROLES, cents, strict=False)}

    return (
        st.lists(st.integers(1, 100), min_size=min_roles, max_size=max_roles)
        .filter(lambda cents: sum(cents) <= 100)
        .map(shares)
    )


def callback_policies() -> st.SearchStrategy[CallbackPolicy]:
    """Valid :class:`~propcrm.callbacks.CallbackPolicy` values, every setting varied."""
    return st.builds(
        CallbackPolicy,
        service_phone_within=_hours(1, 72),
        service_visit_within=_hours(24, 24 * 14),
        service_questionnaire_within=_hours(24, 24 * 45),
        repair_within=st.dictionaries(
            st.sampled_from(("ordinary", "safety", "leak", "gas", "lift")),
            _hours(1, 24 * 10),
            min_size=1,
        ),
        rectification_within=_hours(1, 72),
        complaint_callback_within=_hours(1, 96),
        role_shares=role_shares(),
        director_visits_per_year=_PER_YEAR,
        officer_rounds_per_year=_PER_YEAR,
        forums_per_year=_PER_YEAR,
        visits_per_year_by_tier=st.dictionaries(
            st.sampled_from("ABCD"), st.sampled_from((0, 1, 2, 3, 4, 6, 12))
        ),
        festivals=st.lists(st.sampled_from(_FESTIVALS), unique=True).map(tuple),
        greeting_lead=_hours(1, 24 * 7),
        card_expiry_reminder_lead=_hours(24, 24 * 90),
        daily_capacity=st.integers(1, 200),
        coverage_target=st.integers(0, 100).map(lambda p: p / 100),
    )


def completed_repairs(
    *, kinds: tuple[str, ...] = ("ordinary", "safety", "leak"), tz: str = "Asia/Shanghai"
) -> st.SearchStrategy[CompletedRepair]:
    """Completed repairs in 2025-2026 at any minute of the day, of the given ``kinds``."""
    if not kinds:
        raise ValueError("kinds must name at least one repair kind")
    zone = ZoneInfo(tz)
    return st.builds(
        CompletedRepair,
        order_id=st.integers(1, 10**6).map(lambda n: f"WO-{n}"),
        customer=st.integers(1, 500).map(lambda n: f"C-{n}"),
        completed_at=_moments(zone),
        kind=st.sampled_from(kinds),
        technician=st.sampled_from(("T-1", "T-2", "T-3")),
    )


def callback_tasks(
    *, roles: tuple[str, ...] = ("repair_lead",), tz: str = "Asia/Shanghai"
) -> st.SearchStrategy[CallbackTask]:
    """Planned, unassigned callback tasks with windows from one hour to ten days.

    Ids are unique only by chance; draw lists with ``unique_by=lambda t: t.id``.
    """
    if not roles:
        raise ValueError("roles must name at least one owner role")
    zone = ZoneInfo(tz)

    def build(n: int, kind: CallbackKind, role: str, at: datetime, hours: int) -> CallbackTask:
        subject = Subject(SubjectKind.WORK_ORDER, f"WO-{n}")
        return CallbackTask(
            f"{subject}:{kind.value}",
            subject,
            kind,
            f"C-{n % 97}",
            role,
            at,
            at + timedelta(hours=hours),
        )

    return st.builds(
        build,
        st.integers(1, 10**6),
        st.sampled_from(CallbackKind),
        st.sampled_from(roles),
        _moments(zone),
        st.integers(1, 240),
    )


def staff_members(
    *, roles: tuple[str, ...] = ("repair_lead",), max_capacity: int = 5
) -> st.SearchStrategy[StaffMember]:
    """Staff with one of ``roles`` and a daily capacity from 0 to ``max_capacity`` (or none)."""
    if not roles or max_capacity < 0:
        raise ValueError("need at least one role and max_capacity >= 0")
    return st.builds(
        StaffMember,
        id=st.integers(1, 10**4).map(lambda n: f"S-{n}"),
        role=st.sampled_from(roles),
        daily_capacity=st.none() | st.integers(0, max_capacity),
    )


def _moments(zone: ZoneInfo) -> st.SearchStrategy[datetime]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    minutes = 2 * 365 * 24 * 60
    return st.integers(0, minutes).map(lambda m: (base + timedelta(minutes=m)).astimezone(zone))
