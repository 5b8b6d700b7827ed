"""Strategies for :mod:`propcrm.complaints`: grading policies and complaints."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from propcrm.complaints import Complaint, Grade, GradeDurations, GradeRoles, GradingPolicy
from propcrm.roles import Role
from propcrm.testing.strategies._common import check_bool, check_strategy

__all__ = ["complaints", "grading_policies"]

_ROLES = st.sampled_from([role.value for role in Role])
_KEY_FIELDS = ("community", "category", "subject", "channel")
_HOURS = st.integers(min_value=1, max_value=240).map(lambda h: timedelta(hours=h))
_COMMUNITIES = ("Garden", "Lakeside", "Pine Court")
_CATEGORIES = ("noise", "repair", "security", "cleaning")
_SUBJECTS = ("pump room", "lift", "gate")
_RARELY = st.integers(min_value=0, max_value=5).map(lambda n: n == 0)


@st.composite
def _grading(draw: st.DrawFn) -> GradingPolicy:
    hot_people = draw(st.integers(min_value=2, max_value=9))
    major_months = draw(st.integers(min_value=1, max_value=12))
    roles = st.builds(GradeRoles, _ROLES, _ROLES, _ROLES, _ROLES)
    return GradingPolicy(
        collective_hot_people=hot_people,
        collective_major_people=draw(st.integers(min_value=hot_people + 1, max_value=50)),
        repeat_complainants=draw(st.integers(min_value=2, max_value=10)),
        repeat_window_months=draw(st.integers(min_value=1, max_value=12)),
        major_after_months=major_months,
        hot_after=timedelta(hours=draw(st.integers(1, 28 * 24 * major_months - 1))),
        same_complaint_key=tuple(
            draw(st.lists(st.sampled_from(_KEY_FIELDS), min_size=1, max_size=4, unique=True))
        ),
        categories=tuple(draw(st.lists(st.sampled_from(_CATEGORIES), unique=True))),
        handler_roles=draw(roles),
        supervisor_roles=draw(roles),
        resolve_within=draw(st.builds(GradeDurations, _HOURS, _HOURS, _HOURS, _HOURS)),
        task_force_from=draw(st.sampled_from(Grade)),
        callback_after_handling=draw(st.booleans()),
    )


def grading_policies() -> st.SearchStrategy[GradingPolicy]:
    """Valid :class:`~propcrm.complaints.GradingPolicy` values, every setting varied.

    Durations are whole hours, so they round-trip through TOML and JSON.
    """
    return _grading()


@st.composite
def _complaint(
    draw: st.DrawFn,
    received: st.SearchStrategy[datetime],
    complainant_ids: st.SearchStrategy[str],
    open_only: bool,
) -> Complaint:
    received_at = draw(received)
    named = draw(st.lists(complainant_ids, min_size=1, max_size=4, unique=True))
    extra = draw(st.none() | st.integers(min_value=0, max_value=12))
    resolved = None
    if not open_only:
        after = draw(st.none() | st.integers(min_value=0, max_value=60 * 24 * 3600))
        resolved = None if after is None else received_at + timedelta(seconds=after)
    repeat_of_id = "C-earlier" if draw(_RARELY) else None
    return Complaint(
        draw(st.uuids()).hex,
        community=draw(st.sampled_from(_COMMUNITIES)),
        category=draw(st.sampled_from(_CATEGORIES)),
        subject=draw(st.sampled_from(_SUBJECTS)),
        complainant_ids=tuple(named),
        headcount=None if extra is None else len(named) + extra,
        received_at=received_at,
        channel=draw(st.sampled_from(["phone", "desk", "wechat"])),
        first_receiver_id=draw(st.sampled_from(["", "staff-1", "staff-2"])),
        litigation_filed=draw(_RARELY),
        media_exposed=draw(_RARELY),
        litigation_risk=draw(_RARELY),
        media_risk=draw(_RARELY),
        needs_other_departments=draw(_RARELY),
        second_after_handling=draw(_RARELY),
        repeat_of_id=repeat_of_id,
        resolved_at=resolved,
        delay_attributable_to_company=draw(st.booleans()),
    )


def complaints(
    *,
    received_at: st.SearchStrategy[datetime] | None = None,
    complainant_ids: st.SearchStrategy[str] | None = None,
    open_only: bool = False,
) -> st.SearchStrategy[Complaint]:
    """Valid :class:`~propcrm.complaints.Complaint` values.

    Args:
        received_at: Moments of receipt (aware); by default whole minutes in
            2024-2026, Asia/Shanghai, which cross month ends and a leap day.
        complainant_ids: Customer ids; by default a handful, so that the same
            person and the same complaint recur.
        open_only: Only unresolved complaints.

    Raises:
        ValidationError: an argument is not a strategy, or ``open_only`` not a bool.
    """
    check_strategy("received_at", received_at)
    check_strategy("complainant_ids", complainant_ids)
    check_bool("open_only", open_only)
    if received_at is None:
        shanghai = ZoneInfo("Asia/Shanghai")
        received_at = st.integers(min_value=0, max_value=3 * 366 * 24 * 60).map(
            lambda m: datetime(2024, 1, 1, tzinfo=shanghai) + timedelta(minutes=m)
        )
    if complainant_ids is None:
        complainant_ids = st.sampled_from([f"cust-{i}" for i in range(8)])
    return _complaint(received_at, complainant_ids, open_only)
