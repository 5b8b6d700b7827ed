"""Strategies for :mod:`propcrm.callbacks`: policies, role shares, repairs, tasks and staff."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

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
from propcrm.testing.strategies._common import check_int, check_texts, check_zone, moments

__all__ = [
    "callback_policies",
    "callback_tasks",
    "completed_repairs",
    "role_shares",
    "staff_members",
]

_CALLBACK_ROLES = (
    "service_centre_manager",
    "engineering_supervisor",
    "repair_lead",
    "desk_staff",
    "vip_assistant",
)
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
    """Role -> minimum share, each in (0, 1] with two decimals, summing to at most 1.

    Raises:
        ValidationError: ``min_roles`` below 1, or ``max_roles`` below ``min_roles`` or
            above the five roles there are.
    """
    check_int("min_roles", min_roles, 1, len(_CALLBACK_ROLES))
    check_int("max_roles", max_roles, min_roles, len(_CALLBACK_ROLES))

    def shares(cents: list[int]) -> dict[str, float]:
        return {role: c / 100 for role, c in zip(_CALLBACK_ROLES, cents, strict=False)}

    return (
        st.lists(st.integers(1, 100), min_size=min_roles, max_size=max_roles)
        .filter(lambda cents: sum(cents) <= 100)
        .map(shares)
    )


@st.composite
def _default_role_shares(draw: st.DrawFn) -> dict[str, float]:
    """Shares for the three default roles, in cents summing to at most 100, built directly."""
    manager = draw(st.integers(1, 98))
    supervisor = draw(st.integers(1, 99 - manager))
    repair_lead = draw(st.integers(1, 100 - manager - supervisor))
    cents = {
        "service_centre_manager": manager,
        "engineering_supervisor": supervisor,
        "repair_lead": repair_lead,
    }
    return {role: c / 100 for role, c in cents.items()}


def callback_policies() -> st.SearchStrategy[CallbackPolicy]:
    """Valid :class:`~propcrm.callbacks.CallbackPolicy` values, every setting varied."""
    return st.builds(
        CallbackPolicy,
        service_phone_within=_hours(1, 72),
        service_visit_within=_hours(24, 24 * 14),
        service_questionnaire_within=_hours(24, 24 * 45),
        # a policy file keeps the default entries of a table it does not name,
        # so every mapping holds them (the repair kinds, the roles, the tiers)
        repair_within=st.fixed_dictionaries(
            {kind: _hours(1, 24 * 10) for kind in ("ordinary", "safety", "leak")},
            optional={kind: _hours(1, 24 * 10) for kind in ("gas", "lift")},
        ),
        rectification_within=_hours(1, 72),
        complaint_callback_within=_hours(1, 96),
        role_shares=_default_role_shares(),
        director_visits_per_year=_PER_YEAR,
        officer_rounds_per_year=_PER_YEAR,
        forums_per_year=_PER_YEAR,
        visits_per_year_by_tier=st.fixed_dictionaries(
            {tier: st.sampled_from((0, 1, 2, 3, 4, 6, 12)) for tier in "ABCD"}
        ),
        festivals=st.lists(st.sampled_from(_FESTIVALS), unique=True).map(tuple),
        card_expiry_reminder_lead=_hours(24, 24 * 90),
        daily_capacity=st.integers(1, 200),
        coverage_target=st.integers(0, 100).map(lambda p: p / 100),
    )


def completed_repairs(
    *, kinds: tuple[str, ...] = ("ordinary", "safety", "leak"), tz: str = "Asia/Shanghai"
) -> st.SearchStrategy[CompletedRepair]:
    """Completed repairs in 2025-2026 at any minute of the day, of the given ``kinds``.

    Raises:
        ValidationError: ``kinds`` names no repair kind, or ``tz`` is not a time zone.
    """
    names = check_texts("kinds", kinds, "repair kind")
    zone = check_zone("tz", tz)
    return st.builds(
        CompletedRepair,
        work_order_id=st.integers(1, 10**6).map(lambda n: f"WO-{n}"),
        customer_id=st.integers(1, 500).map(lambda n: f"C-{n}"),
        completed_at=moments(zone),
        kind=st.sampled_from(names),
        technician_id=st.sampled_from(("T-1", "T-2", "T-3")),
    )


def callback_tasks(
    *, roles: tuple[str, ...] = ("repair_lead",), tz: str = "Asia/Shanghai"
) -> st.SearchStrategy[CallbackTask]:
    """Planned, unassigned callback tasks with windows from one hour to ten days.

    Ids are unique only by chance; draw lists with ``unique_by=lambda t: t.id``.

    Raises:
        ValidationError: ``roles`` names no owner role, or ``tz`` is not a time zone.
    """
    names = check_texts("roles", roles, "owner role")
    zone: tzinfo = check_zone("tz", tz)

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
        st.sampled_from(names),
        moments(zone),
        st.integers(1, 240),
    )


def staff_members(
    *, roles: tuple[str, ...] = ("repair_lead",), max_capacity: int = 5
) -> st.SearchStrategy[StaffMember]:
    """Staff with one of ``roles`` and a daily capacity from 0 to ``max_capacity`` (or none).

    Raises:
        ValidationError: ``roles`` names no role, or ``max_capacity`` is below 0.
    """
    names = check_texts("roles", roles, "role")
    check_int("max_capacity", max_capacity, 0)
    return st.builds(
        StaffMember,
        id=st.integers(1, 10**4).map(lambda n: f"S-{n}"),
        role=st.sampled_from(names),
        daily_capacity=st.none() | st.integers(0, max_capacity),
    )
