"""Complaint grading (002 §§40-43): grades, reasons, escalation, the sliding-month history."""

import inspect
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby
from operator import attrgetter
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from propcrm import Policy, PolicyError, Reason, ValidationError
from propcrm._months import add_months
from propcrm.complaints import (
    Complainants,
    Complaint,
    ComplaintHistory,
    Grade,
    GradeDurations,
    GradeRoles,
    GradingPolicy,
    grade,
    sweep,
)
from propcrm.roles import Role
from propcrm.sla import SlaPolicy
from propcrm.testing.strategies import complaints, grading_policies

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=SH)


def _complaint(
    cid: str = "C1",
    *,
    who: tuple[str, ...] = ("cust-1",),
    at: datetime = T0,
    subject: str = "pump room",
    **kw: object,
) -> Complaint:
    return Complaint(
        cid,
        community="Garden",
        category="noise",
        subject=subject,
        complainant_ids=who,
        received_at=at,
        **kw,  # type: ignore[arg-type]
    )


def _rules(decision: object) -> list[str]:
    return [r.rule for r in decision.reasons]  # type: ignore[attr-defined]


# --- grades -----------------------------------------------------------------------------------


def test_grades_are_ordered_and_have_chinese_labels() -> None:
    """GENERAL < IMPORTANT < HOT < MAJOR, labelled as in 002 §40."""
    assert sorted(Grade, reverse=True) == [Grade.MAJOR, Grade.HOT, Grade.IMPORTANT, Grade.GENERAL]
    assert [g.label for g in Grade] == ["一般投诉", "重要投诉", "热点投诉", "重大投诉"]
    assert Grade.HOT.__lt__(3) is NotImplemented


# --- one example per criterion (RULES §4) ------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "expected", "rule"),
    [
        ({"litigation_filed": True}, Grade.MAJOR, "complaint.major.litigation_filed"),
        ({"media_exposed": True}, Grade.MAJOR, "complaint.major.media_exposed"),
        ({"litigation_risk": True}, Grade.HOT, "complaint.hot.litigation_risk"),
        ({"media_risk": True}, Grade.HOT, "complaint.hot.media_risk"),
        ({"second_after_handling": True}, Grade.IMPORTANT, "complaint.important.second_complaint"),
        ({"repeat_of_id": "C0"}, Grade.IMPORTANT, "complaint.important.second_complaint"),
        (
            {"needs_other_departments": True},
            Grade.IMPORTANT,
            "complaint.important.other_departments",
        ),
        ({}, Grade.GENERAL, "complaint.general"),
    ],
)
def test_each_flag_criterion_of_002_s40(
    flags: dict[str, object], expected: Grade, rule: str
) -> None:
    """002 §40: litigation, media, their risks, second complaints, other departments."""
    decision = grade(_complaint(**flags), at=T0)
    assert (expected, [rule]) == (decision.grade, _rules(decision))
    assert decision.reasons[0].source == "002 §40"


def test_collective_complaint_of_ten_is_major() -> None:
    """002 §40: a collective complaint by 10 or more people is MAJOR."""
    decision = grade(_complaint(who=("a", "b"), headcount=10), at=T0)
    assert (decision.grade, _rules(decision)) == (Grade.MAJOR, ["complaint.major.collective"])
    assert decision.reasons[0].facts == {"people": 10, "threshold": 10}


def test_collective_complaint_of_three_is_hot() -> None:
    """002 §40: a collective complaint by 3 or more people is HOT."""
    decision = grade(_complaint(who=("a", "b", "c")), at=T0)
    assert (decision.grade, _rules(decision)) == (Grade.HOT, ["complaint.hot.collective"])


def test_unresolved_a_month_is_major() -> None:
    """002 §40: not resolved one month on, the company's delay: MAJOR."""
    decision = grade(_complaint(), at=T0 + relativedelta(months=1))
    assert (decision.grade, _rules(decision)) == (Grade.MAJOR, ["complaint.major.unresolved"])


def test_unresolved_a_week_is_hot() -> None:
    """002 §40: unresolved one week on, the company's delay: HOT."""
    decision = grade(_complaint(), at=T0 + timedelta(days=7))
    assert (decision.grade, _rules(decision)) == (Grade.HOT, ["complaint.hot.unresolved"])


def test_same_complaint_from_three_complainants_in_a_month_is_hot() -> None:
    """002 §40: the same complaint from 3 different complainants within one month: HOT."""
    history = ComplaintHistory()
    history.extend(
        [
            _complaint("C1", who=("a",), at=T0),
            _complaint("C2", who=("b",), at=T0 + timedelta(days=10)),
        ]
    )
    third = _complaint("C3", who=("c",), at=T0 + timedelta(days=20))
    decision = grade(third, at=third.received_at, history=history)
    assert (decision.grade, _rules(decision)) == (Grade.HOT, ["complaint.hot.repeated"])
    assert decision.reasons[0].facts["complainants"] == 3


# --- boundaries --------------------------------------------------------------------------------


@pytest.mark.parametrize(("people", "expected"), [(2, Grade.GENERAL), (3, Grade.HOT)])
def test_two_versus_three_people(people: int, expected: Grade) -> None:
    """002 §40: the HOT collective threshold is 3 people, inclusive."""
    assert expected == grade(_complaint(headcount=people), at=T0).grade


@pytest.mark.parametrize(("people", "expected"), [(9, Grade.HOT), (10, Grade.MAJOR)])
def test_nine_versus_ten_people(people: int, expected: Grade) -> None:
    """002 §40: the MAJOR collective threshold is 10 people, inclusive."""
    assert expected == grade(_complaint(headcount=people), at=T0).grade


@pytest.mark.parametrize(
    ("after", "expected"),
    [(timedelta(days=6, hours=23, minutes=59), Grade.GENERAL), (timedelta(days=7), Grade.HOT)],
)
def test_six_days_23_59_versus_seven_days(after: timedelta, expected: Grade) -> None:
    """002 §40: HOT exactly one week after receipt, not a minute earlier."""
    assert expected == grade(_complaint(), at=T0 + after).grade


@pytest.mark.parametrize(
    ("received", "month_on"),
    [
        (datetime(2025, 1, 31, 10, tzinfo=SH), datetime(2025, 2, 28, 10, tzinfo=SH)),
        (datetime(2024, 1, 31, 10, tzinfo=SH), datetime(2024, 2, 29, 10, tzinfo=SH)),
        (datetime(2025, 3, 31, 10, tzinfo=SH), datetime(2025, 4, 30, 10, tzinfo=SH)),
        (datetime(2025, 12, 31, 10, tzinfo=SH), datetime(2026, 1, 31, 10, tzinfo=SH)),
    ],
)
def test_month_end_escalation(received: datetime, month_on: datetime) -> None:
    """002 §40: one calendar month after Jan 31 is Feb 28 (Feb 29 in a leap year)."""
    complaint = _complaint(at=received)
    before = grade(complaint, at=month_on - timedelta(minutes=1))
    assert (Grade.HOT, month_on, Grade.MAJOR) == (
        before.grade,
        before.next_escalation_at,
        before.next_grade,
    )
    assert grade(complaint, at=month_on).grade == Grade.MAJOR


def test_three_complaints_by_one_person_are_not_hot() -> None:
    """002 §40: three complaints need three *different* complainants."""
    history = ComplaintHistory()
    for day in (0, 5, 10):
        history.add(_complaint(f"C{day}", who=("a",), at=T0 + timedelta(days=day)))
    last = _complaint("C99", who=("a",), at=T0 + timedelta(days=12))
    assert grade(last, at=last.received_at, history=history).grade == Grade.GENERAL


def test_three_people_over_more_than_a_month_are_not_hot() -> None:
    """002 §40: the three complainants must fall within one month."""
    history = ComplaintHistory()
    history.add(_complaint("C1", who=("a",), at=T0))
    history.add(_complaint("C2", who=("b",), at=T0 + timedelta(days=20)))
    third = _complaint("C3", who=("c",), at=T0 + relativedelta(months=1))
    assert grade(third, at=third.received_at, history=history).grade == Grade.GENERAL


def test_window_is_half_open() -> None:
    """RULES §4: the window is (received_at - 1 month, received_at]; a second later counts."""
    third = _complaint("C3", who=("c",), at=T0 + relativedelta(months=1))
    for offset, expected in ((timedelta(0), Grade.GENERAL), (timedelta(seconds=1), Grade.HOT)):
        history = ComplaintHistory()
        history.add(_complaint("C1", who=("a",), at=T0 + offset))
        history.add(_complaint("C2", who=("b",), at=third.received_at))
        assert expected == grade(third, at=third.received_at, history=history).grade


def test_a_complaint_counts_its_own_complainants() -> None:
    """RULES §4: two earlier complainants plus this one make three, added or not."""
    history = ComplaintHistory(streaming=True)
    history.add(_complaint("C1", who=("a",), at=T0))
    history.add(_complaint("C2", who=("b",), at=T0 + timedelta(hours=1)))
    third = _complaint("C3", who=("c",), at=T0 + timedelta(hours=2))
    assert grade(third, at=third.received_at, history=history).grade == Grade.HOT
    history.add(third)
    assert history.complainants_within(third) == 3


# --- combinations ------------------------------------------------------------------------------


def test_the_most_severe_wins_and_every_reason_is_listed() -> None:
    """002 §40: each criterion that fires is listed, most severe first."""
    complaint = _complaint(
        who=("a", "b", "c"),
        litigation_filed=True,
        media_risk=True,
        needs_other_departments=True,
        repeat_of_id="C0",
    )
    decision = grade(complaint, at=T0 + timedelta(days=8))
    assert decision.grade == Grade.MAJOR
    assert _rules(decision) == [
        "complaint.major.litigation_filed",
        "complaint.hot.media_risk",
        "complaint.hot.collective",
        "complaint.hot.unresolved",
        "complaint.important.second_complaint",
        "complaint.important.other_departments",
    ]


def test_month_reason_replaces_the_week_reason() -> None:
    """One reason per criterion, at the highest grade it reaches."""
    decision = grade(_complaint(), at=T0 + timedelta(days=40))
    assert _rules(decision) == ["complaint.major.unresolved"]


# --- escalation by time ------------------------------------------------------------------------


def test_next_escalation_walks_general_hot_major() -> None:
    """RULES §4: +1 week -> HOT, +1 calendar month -> MAJOR, then nothing."""
    complaint = _complaint()
    steps = [grade(complaint, at=T0 + timedelta(days=d)) for d in (0, 7, 31)]
    assert [
        (Grade.GENERAL, T0 + timedelta(days=7), Grade.HOT),
        (Grade.HOT, datetime(2025, 4, 3, 9, tzinfo=SH), Grade.MAJOR),
        (Grade.MAJOR, None, None),
    ] == [(d.grade, d.next_escalation_at, d.next_grade) for d in steps]


def test_hot_by_flag_next_escalates_to_major_at_a_month() -> None:
    """A HOT complaint still open escalates only at +1 month."""
    decision = grade(_complaint(media_risk=True), at=T0)
    assert (datetime(2025, 4, 3, 9, tzinfo=SH), Grade.MAJOR) == (
        decision.next_escalation_at,
        decision.next_grade,
    )


def test_no_escalation_when_the_delay_is_not_the_companys() -> None:
    """002 §40: only delays for reasons attributable to the company escalate."""
    decision = grade(_complaint(delay_attributable_to_company=False), at=T0 + timedelta(days=60))
    assert (decision.grade, decision.next_escalation_at) == (Grade.GENERAL, None)


def test_no_escalation_once_resolved_in_time() -> None:
    """Resolved within the week: it never becomes HOT and will not escalate."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=6))
    decision = grade(complaint, at=T0 + timedelta(days=60))
    assert (decision.grade, decision.next_escalation_at) == (Grade.GENERAL, None)


def test_no_escalation_is_promised_past_a_recorded_resolution() -> None:
    """Resolved on day 2 (recorded ahead of a day-1 grading): no HOT at +1 week is promised."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=2))
    decision = grade(complaint, at=T0 + timedelta(days=1))
    assert (decision.next_escalation_at, decision.next_grade) == (None, None)
    assert grade(complaint, at=T0 + timedelta(days=8)).grade == Grade.GENERAL


def test_an_escalation_before_a_recorded_resolution_is_promised() -> None:
    """Resolved on day 10: the HOT escalation at +1 week still happens and is announced."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=10))
    decision = grade(complaint, at=T0 + timedelta(days=1))
    assert (decision.next_escalation_at, decision.next_grade) == (
        T0 + timedelta(days=7),
        Grade.HOT,
    )
    later = grade(complaint, at=T0 + timedelta(days=8))
    assert (later.grade, later.next_escalation_at) == (Grade.HOT, None)


def test_resolution_on_the_deadline_is_in_time() -> None:
    """Resolved exactly at +1 week: not 'still unresolved one week after'."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=7))
    assert grade(complaint, at=T0 + timedelta(days=9)).grade == Grade.GENERAL


def test_late_resolution_keeps_the_escalation_it_earned() -> None:
    """Resolved after the week but within the month: it was HOT, and stays so."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=10))
    decision = grade(complaint, at=T0 + timedelta(days=60))
    assert (
        decision.grade,
        _rules(decision),
        decision.next_escalation_at,
    ) == (Grade.HOT, ["complaint.hot.unresolved"], None)


def test_resolution_after_a_month_keeps_major() -> None:
    """Resolved after the month: MAJOR."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=45))
    assert grade(complaint, at=T0 + timedelta(days=60)).grade == Grade.MAJOR


def test_a_future_resolution_leaves_the_complaint_open_until_then() -> None:
    """Grading as of ``at`` treats a later resolution as still open: the week still counts."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=9))
    decision = grade(complaint, at=T0 + timedelta(days=8))
    assert (decision.grade, decision.next_escalation_at) == (Grade.HOT, None)


# --- roles, allowances, deadlines --------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "handler", "supervisor", "within"),
    [
        ({}, Role.CUSTOMER_SUPERVISOR, Role.CUSTOMER_SUPERVISOR, timedelta(hours=24)),
        (
            {"needs_other_departments": True},
            Role.PROJECT_MANAGER,
            Role.CUSTOMER_SUPERVISOR,
            timedelta(hours=48),
        ),
        (
            {"media_risk": True},
            Role.ASSISTANT_GENERAL_MANAGER,
            Role.GENERAL_AFFAIRS_MANAGER,
            timedelta(hours=48),
        ),
        (
            {"media_exposed": True},
            Role.GENERAL_MANAGER,
            Role.GENERAL_AFFAIRS_MANAGER,
            timedelta(hours=72),
        ),
    ],
)
def test_roles_and_allowances_by_grade(
    flags: dict[str, object], handler: Role, supervisor: Role, within: timedelta
) -> None:
    """002 §41 roles; 000 §3.2 allowances (HOT 48 h is propcrm's decision)."""
    decision = grade(_complaint(**flags), at=T0)
    assert (handler, supervisor, within, T0 + within) == (
        decision.handler_role,
        decision.supervisor_role,
        decision.resolve_within,
        decision.resolve_by,
    )
    assert type(decision.handler_role) is Role


# --- resolution deadlines on the 24x7 clock (RULES §4, turn 2) ---------------------------------


def test_general_received_monday_morning_is_due_tuesday_morning() -> None:
    """GENERAL received Mon 2025-03-03 09:00: 24 clock hours later is Tue 09:00."""
    decision = grade(_complaint(), at=T0)
    assert decision.resolve_by == datetime(2025, 3, 4, 9, 0, tzinfo=SH)


def test_general_received_friday_evening_is_due_saturday_evening() -> None:
    """The desk never closes: Fri 2025-03-07 20:00 + 24 h is Sat 20:00, not Monday."""
    received = datetime(2025, 3, 7, 20, 0, tzinfo=SH)
    decision = grade(_complaint(at=received), at=received)
    assert decision.resolve_by == datetime(2025, 3, 8, 20, 0, tzinfo=SH)


def test_major_over_national_day_is_due_three_days_later() -> None:
    """MAJOR received 2025-09-30 10:00: 72 clock hours is 10-03 10:00, holidays or not."""
    received = datetime(2025, 9, 30, 10, 0, tzinfo=SH)
    decision = grade(_complaint(at=received, litigation_filed=True), at=received)
    assert (decision.grade, decision.resolve_by) == (
        Grade.MAJOR,
        datetime(2025, 10, 3, 10, 0, tzinfo=SH),
    )


def test_clock_hours_are_elapsed_hours_across_daylight_saving() -> None:
    """New York 2025-03-08 12:00 EST + 24 h: the clocks jump at 02:00, so 13:00 EDT."""
    new_york = ZoneInfo("America/New_York")
    received = datetime(2025, 3, 8, 12, 0, tzinfo=new_york)
    decision = grade(_complaint(at=received), at=received)
    assert decision.resolve_by.isoformat() == "2025-03-09T13:00:00-04:00"


def test_a_deadline_in_the_next_year_is_in_clock_hours() -> None:
    """GENERAL received 2025-12-31 20:00 in Shanghai: due 2026-01-01 20:00."""
    received = datetime(2025, 12, 31, 20, 0, tzinfo=SH)
    decision = grade(_complaint(at=received), at=received)
    assert decision.resolve_by.isoformat() == "2026-01-01T20:00:00+08:00"


def test_a_fixed_offset_deadline_keeps_its_offset() -> None:
    """Received 2025-03-03 09:00 at UTC+8 (a fixed offset): due 2025-03-04 09:00 at UTC+8."""
    received = datetime(2025, 3, 3, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    decision = grade(_complaint(at=received), at=received)
    assert decision.resolve_by.isoformat() == "2025-03-04T09:00:00+08:00"


def test_grade_takes_no_calendar() -> None:
    """Complaint deadlines follow no business calendar: grade() has no calendar argument."""
    assert "calendar" not in inspect.signature(grade).parameters
    assert "calendar" not in inspect.signature(sweep).parameters


@given(complaints(), grading_policies())
def test_resolve_by_is_the_allowance_in_elapsed_time(c: Complaint, policy: GradingPolicy) -> None:
    """Under any policy, resolve_by - received_at is the grade's allowance of real time."""
    policy = evolve(policy, categories=())  # any category: this test is about the deadline
    decision = grade(c, at=c.received_at, policy=policy)
    elapsed = decision.resolve_by.astimezone(UTC) - c.received_at.astimezone(UTC)
    assert elapsed == policy.resolve_within[decision.grade]


def test_task_force_callback_and_owner() -> None:
    """000 §3.2 task force for MAJOR; 002 §42 callback after handling; first receiver owns it."""
    major = grade(_complaint(litigation_filed=True, first_receiver_id="staff-7"), at=T0)
    general = grade(_complaint(), at=T0)
    assert (
        major.task_force,
        major.callback_due_after_handling,
        major.owner_id,
    ) == (True, True, "staff-7")
    assert False is general.task_force


def test_the_policy_changes_thresholds_roles_and_allowances() -> None:
    """Every number comes from the policy."""
    policy = GradingPolicy(
        collective_hot_people=5,
        collective_major_people=20,
        hot_after=timedelta(days=3),
        handler_roles=GradeRoles(hot="service_centre_manager"),
        resolve_within=GradeDurations(hot=timedelta(hours=12)),
        task_force_from=Grade.HOT,
        callback_after_handling=False,
    )
    assert grade(_complaint(headcount=4), at=T0, policy=policy).grade == Grade.GENERAL
    decision = grade(_complaint(), at=T0 + timedelta(days=3), policy=policy)
    assert (Grade.HOT, Role.SERVICE_CENTRE_MANAGER, timedelta(hours=12), True, False) == (
        decision.grade,
        decision.handler_role,
        decision.resolve_within,
        decision.task_force,
        decision.callback_due_after_handling,
    )
    assert grade(_complaint(headcount=19), at=T0, policy=policy).grade == Grade.HOT


def test_same_complaint_key_is_configurable() -> None:
    """RULES §4: a key of community + category ignores the subject."""
    policy = GradingPolicy(same_complaint_key=("community", "category"))
    history = ComplaintHistory(policy=policy)
    history.add(_complaint("C1", who=("a",), subject="lift"))
    history.add(_complaint("C2", who=("b",), subject="gate"))
    third = _complaint("C3", who=("c",), subject="pump room")
    assert grade(third, at=T0, history=history, policy=policy).grade == Grade.HOT
    default = ComplaintHistory()
    default.extend([_complaint("C1", who=("a",), subject="lift")])
    assert grade(third, at=T0, history=default).grade == Grade.GENERAL


def test_policy_round_trips_through_the_root_policy() -> None:
    """The grading policy is part of the root policy and loads from TOML."""
    policy = Policy.from_toml('[grading]\nhot_after = "3d"\ncategories = ["noise"]\n')
    assert (timedelta(days=3), ("noise",)) == (
        policy.grading.hot_after,
        policy.grading.categories,
    )


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"headcount": 1, "who": ("a", "b")}, "headcount"),
        ({"headcount": -1}, "headcount"),
        ({"headcount": True}, "headcount"),
        ({"at": datetime(2025, 3, 3, 9)}, "received_at"),
        ({"resolved_at": datetime(2025, 3, 4)}, "resolved_at"),
        ({"resolved_at": T0 - timedelta(hours=1)}, "resolved_at"),
        ({"who": ("a", "")}, "complainant_ids"),
        ({"litigation_filed": "yes"}, "litigation_filed"),
        ({"channel": 3}, "channel"),
        ({"version": -1}, "version"),
    ],
)
def test_bad_complaints_are_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    """A bad value says which field and what was expected."""
    with pytest.raises(ValidationError) as info:
        _complaint(**changes)  # type: ignore[arg-type]
    assert field == info.value.field


def test_headcount_below_named_complainants_says_how_to_fix() -> None:
    """The message names the number of named complainants."""
    with pytest.raises(ValidationError, match="at least the 2 named complainants"):
        _complaint(who=("a", "b"), headcount=1)


def test_duplicate_complainants_count_once() -> None:
    """The same customer named twice is one complainant."""
    assert _complaint(who=("a", "b", "a")).complainant_ids == ("a", "b")
    assert Complaint(
        "C", community="x", category="y", subject="z", complainant_ids="a", received_at=T0
    ).complainant_ids == ("a",)  # type: ignore[arg-type]


def test_naive_or_early_at_is_refused() -> None:
    """`at` must be aware and not before the complaint was received."""
    with pytest.raises(ValidationError, match="at must be timezone-aware"):
        grade(_complaint(), at=datetime(2025, 3, 4))
    with pytest.raises(ValidationError, match="at: expected a moment at or after"):
        grade(_complaint(), at=T0 - timedelta(seconds=1))


def test_unknown_category_is_refused_when_the_policy_restricts_them() -> None:
    """A category outside the policy's list is an error naming the allowed ones."""
    policy = GradingPolicy(categories=("repair", "security"))
    with pytest.raises(ValidationError, match=r"category: expected one of the policy's categories"):
        grade(_complaint(), at=T0, policy=policy)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"collective_major_people": 3}, "more than collective_hot_people"),
        ({"collective_hot_people": 1}, "an integer >= 2"),
        ({"hot_after": timedelta(days=28)}, "less than major_after_months"),
        ({"hot_after": timedelta(0)}, "a positive duration"),
        ({"same_complaint_key": ("community", "community")}, "distinct field names"),
        ({"same_complaint_key": ("owner",)}, "distinct field names"),
        ({"same_complaint_key": ()}, "distinct field names"),
        ({"categories": ("noise", "")}, "category names"),
        ({"task_force_from": "major"}, "task_force_from: expected a Grade"),
        ({"repeat_window_months": 0}, "an integer from 1 to 12"),
    ],
)
def test_bad_policies_are_refused(settings: dict[str, object], message: str) -> None:
    """Every threshold is validated."""
    with pytest.raises(ValidationError, match=message):
        GradingPolicy(**settings)  # type: ignore[arg-type]


def test_history_with_another_key_is_refused() -> None:
    """A history built for another key or window cannot answer for this policy."""
    history = ComplaintHistory(policy=GradingPolicy(repeat_window_months=2))
    with pytest.raises(ValidationError, match="history: expected a ComplaintHistory"):
        grade(_complaint(), at=T0, history=history)


def test_equal_policies_share_a_history() -> None:
    """An equal policy (another instance) may use the history."""
    history = ComplaintHistory(policy=GradingPolicy())
    assert grade(_complaint(), at=T0, history=history).grade == Grade.GENERAL


def test_streaming_history_refuses_complaints_out_of_order() -> None:
    """Streaming mode needs time order, for adding and for asking."""
    history = ComplaintHistory(streaming=True)
    history.add(_complaint("C2", at=T0 + timedelta(hours=1)))
    earlier = _complaint("C1", at=T0)
    with pytest.raises(ValidationError, match="add complaints in time order"):
        history.add(earlier)
    with pytest.raises(ValidationError, match="answers only for its newest complaints"):
        history.complainants_within(earlier)


# --- the streaming window and non-monotone month starts ----------------------------------------

# Pairs (t1 < t2) whose window starts run backwards: t2 - 1 month < t1 - 1 month, because the
# day is clamped to a shorter previous month. A streaming index that evicted at t1's own start
# would lose an entry t2 still needs.
_BACKWARDS = [
    (datetime(2025, m, d, 23, tzinfo=SH), datetime(2025, m, d + 1, 1, tzinfo=SH))
    for m, d in [(3, 28), (3, 29), (3, 30), (5, 30), (7, 30), (10, 30), (12, 30)]
]


@pytest.mark.parametrize(("t1", "t2"), _BACKWARDS, ids=lambda t: t.strftime("%b%d"))
def test_streaming_keeps_entries_a_later_window_still_needs(t1: datetime, t2: datetime) -> None:
    """Mar 28 23:00 starts at Feb 28 23:00 but Mar 29 01:00 at Feb 28 01:00: both are right."""
    start1, start2 = t1 - relativedelta(months=1), t2 - relativedelta(months=1)
    assert start2 < start1  # the premise: window starts are not monotone here
    early = _complaint("C0", who=("a",), at=start2 + (start1 - start2) / 2)
    second = _complaint("C1", who=("b",), at=t1)
    third = _complaint("C2", who=("c",), at=t2)
    history = ComplaintHistory(streaming=True)
    history.add(early)
    history.add(second)
    assert history.complainants_within(second) == 1  # "a" is outside t1's window
    history.add(third)
    assert history.complainants_within(third) == 3  # ... but inside t2's
    assert grade(third, at=t2, history=history).grade == Grade.HOT


def test_streaming_memory_is_bounded_by_the_window() -> None:
    """A year of daily complaints leaves about one window of them live."""
    history = ComplaintHistory(streaming=True)
    for day in range(365):
        history.add(_complaint(f"C{day}", who=(f"c{day}",), at=T0 + timedelta(days=day)))
    assert 31 <= len(history) <= 33


def test_unordered_history_counts_its_complaints() -> None:
    """Unordered mode keeps everything, in any order."""
    history = ComplaintHistory()
    assert len(history) == 0
    history.add(_complaint("C2", who=("a", "b"), at=T0 + timedelta(days=40)))
    history.add(_complaint("C1", who=("c",), at=T0))
    assert len(history) == 2


def test_a_history_counts_complainants_as_it_counts_complaints() -> None:
    """002 §40: two earlier people given as Complainants (UTC instants) make the third HOT."""
    history = ComplaintHistory()
    # 9:00 in Shanghai (UTC+8) on 3 March is 1:00 UTC; a day and two days later.
    history.extend(
        [
            Complainants("C1", "Garden", "noise", "pump room", "phone", ("a",),
                         datetime(2025, 3, 4, 1, tzinfo=UTC)),
            Complainants("C2", "Garden", "noise", "pump room", "phone", ("b", "a"),
                         datetime(2025, 3, 5, 1, tzinfo=UTC)),
        ]
    )  # fmt: skip
    third = _complaint("C3", who=("c",), at=T0 + timedelta(days=3))
    assert history.complainants_within(third) == 3
    assert grade(third, at=third.received_at, history=history).grade == Grade.HOT
    other = _complaint("C4", who=("c",), at=T0 + timedelta(days=3), subject="lift")
    assert history.complainants_within(other) == 1


def test_a_zone_that_changed_its_offset_last_year_still_counts_by_instant() -> None:
    """002 §40: São Paulo kept UTC-3 through 2020 but not 2019; three people in January are HOT."""
    sao_paulo = ZoneInfo("America/Sao_Paulo")
    history = ComplaintHistory(streaming=True)
    for day, who in ((3, "a"), (10, "b")):
        history.add(
            _complaint(f"C{day}", who=(who,), at=datetime(2020, 1, day, 9, tzinfo=sao_paulo))
        )
    third = _complaint("C20", who=("c",), at=datetime(2020, 1, 20, 9, tzinfo=sao_paulo))
    history.add(third)
    assert history.complainants_within(third) == 3
    assert grade(third, at=third.received_at, history=history).grade == Grade.HOT


def test_complainants_older_than_a_month_are_outside_the_window() -> None:
    """RULES §4: the window is (received_at - 1 month, received_at], Complainants too."""
    history = ComplaintHistory(streaming=True)
    for cid, who, day in (("C1", "a", 1), ("C2", "b", 3)):
        history.add(
            Complainants(cid, "Garden", "noise", "pump room", "phone", (who,),
                         datetime(2025, 3, day, 1, tzinfo=UTC))
        )  # fmt: skip
    # 3 April 9:00 in Shanghai: its window starts 3 March 9:00 (= 1:00 UTC), open.
    third = _complaint("C3", who=("c",), at=T0 + relativedelta(months=1))
    history.add(third)
    assert history.complainants_within(third) == 1


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("C1", "complaint: expected a Complaint or Complainants, got 'str'"),
        (
            Complainants("C1", "Garden", 5, "pump room", "phone", ("a",), T0),  # type: ignore[arg-type]
            "complaint.category: expected a string, got 5",
        ),
        (
            Complainants("C1", "Garden", "noise", "pump room", "phone", ["a"], T0),  # type: ignore[arg-type]
            "complaint.complainant_ids: expected a tuple of customer ids",
        ),
        (
            Complainants("C1", "Garden", "noise", "pump room", "phone", ("a",),
                         datetime(2025, 3, 3, 9)),
            "complaint.received_at must be timezone-aware",
        ),
    ],
)  # fmt: skip
def test_history_refuses_what_is_not_a_complaint_or_its_complainants(
    bad: object, message: str
) -> None:
    """add() names the bad field of a Complainants and says what it expected."""
    history = ComplaintHistory()
    with pytest.raises(ValidationError) as caught:
        history.add(bad)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert len(history) == 0


def test_extend_names_the_position_of_bad_complainants() -> None:
    """extend() records nothing and names complaints[1] when the second is not usable."""
    history = ComplaintHistory()
    good = Complainants("C1", "Garden", "noise", "pump room", "phone", ("a",), T0)
    bad = Complainants("C2", "Garden", "noise", "pump room", None, ("b",), T0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^complaints\[1\]\.channel: expected a string"):
        history.extend([good, bad])
    assert len(history) == 0


# --- the sweep ---------------------------------------------------------------------------------


def test_sweep_reports_the_complaints_whose_grade_rose() -> None:
    """A week on, the open GENERAL complaint is HOT; the resolved one and the MAJOR one are not."""
    open_one = _complaint("C1")
    resolved = _complaint("C2", resolved_at=T0 + timedelta(days=1))
    major = _complaint("C3", litigation_filed=True)
    found = sweep(
        [(open_one, Grade.GENERAL), (resolved, Grade.GENERAL), (major, Grade.MAJOR)],
        at=T0 + timedelta(days=7),
    )
    assert [(e.complaint_id, e.previous, e.grade) for e in found] == [
        ("C1", Grade.GENERAL, Grade.HOT)
    ]
    assert _rules(found[0].decision) == ["complaint.hot.unresolved"]


def test_sweep_keeps_the_held_grade_as_a_floor() -> None:
    """A complaint already HOT by repeat is not reported when time makes it HOT."""
    found = sweep([(_complaint(), Grade.HOT)], at=T0 + timedelta(days=7))
    assert found == []


def test_sweep_refuses_a_held_grade_that_is_not_a_grade() -> None:
    """The held grade must be a Grade."""
    with pytest.raises(ValidationError, match="grade: expected a Grade"):
        sweep([(_complaint(), "hot")], at=T0)  # type: ignore[list-item]


# --- properties --------------------------------------------------------------------------------

_moments = st.integers(min_value=0, max_value=120 * 24 * 60).map(lambda m: timedelta(minutes=m))


@given(complaints(open_only=True), _moments, _moments)
def test_grade_is_monotone_in_at_while_unresolved(c: Complaint, a: timedelta, b: timedelta) -> None:
    """Waiting never lowers the grade of an open complaint."""
    early, late = sorted((a, b))
    first = grade(c, at=c.received_at + early)
    second = grade(c, at=c.received_at + late)
    assert first.grade <= second.grade
    if first.next_escalation_at is not None and first.next_escalation_at <= c.received_at + late:
        assert first.next_grade is not None
        assert first.next_grade <= second.grade


@given(complaints(open_only=True), _moments)
def test_next_escalation_is_exactly_when_the_grade_rises(c: Complaint, wait: timedelta) -> None:
    """If nothing changes, the grade holds until next_escalation_at and is next_grade at it."""
    at = c.received_at + wait
    decision = grade(c, at=at)
    if decision.next_escalation_at is not None:
        assert decision.next_escalation_at > at
        before = grade(c, at=decision.next_escalation_at - timedelta(microseconds=1))
        on = grade(c, at=decision.next_escalation_at)
        assert (decision.grade, decision.next_grade) == (before.grade, on.grade)


@given(complaints(), _moments)
def test_a_promised_escalation_happens_even_with_a_known_resolution(
    c: Complaint, wait: timedelta
) -> None:
    """Resolved or not, the grade at next_escalation_at is the promised next_grade."""
    decision = grade(c, at=c.received_at + wait)
    if decision.next_escalation_at is not None:
        assert decision.next_grade == grade(c, at=decision.next_escalation_at).grade


@given(st.lists(complaints(), max_size=8), complaints())
def test_adding_history_never_lowers_a_grade(earlier: list[Complaint], c: Complaint) -> None:
    """More history can only add reasons."""
    history = ComplaintHistory()
    alone = grade(c, at=c.received_at, history=history)
    history.extend(earlier)
    assert alone.grade <= grade(c, at=c.received_at, history=history).grade


@given(st.lists(complaints(), max_size=25))
def test_every_decision_is_explained(batch: list[Complaint]) -> None:
    """There is always a reason, and each reason cites 002 §40."""
    history = ComplaintHistory()
    history.extend(batch)
    for c in batch:
        decision = grade(c, at=c.received_at + timedelta(days=3), history=history)
        assert decision.reasons
        assert {"002 §40"} == {r.source for r in decision.reasons}
        assert (decision.grade is Grade.GENERAL) == (_rules(decision) == ["complaint.general"])


_near_month_ends = st.integers(min_value=0, max_value=400 * 24).map(
    lambda h: datetime(2024, 12, 25, tzinfo=SH) + timedelta(hours=h)
)


@given(
    st.lists(
        complaints(
            received_at=_near_month_ends,
            complainant_ids=st.sampled_from(["a", "b", "c", "d", "e"]),
        ),
        max_size=40,
    ),
    grading_policies(),
)
def test_streaming_and_unordered_history_agree(
    batch: list[Complaint], policy: GradingPolicy
) -> None:
    """Streaming (in time order, by instant) and unordered histories count the same."""
    unordered = ComplaintHistory(policy=policy)
    unordered.extend(reversed(batch))
    streaming = ComplaintHistory(policy=policy, streaming=True)
    ordered = sorted(batch, key=attrgetter("received_at"))
    for _, same_instant in groupby(ordered, key=attrgetter("received_at")):
        group = list(same_instant)
        streaming.extend(group)
        for c in group:
            assert unordered.complainants_within(c) == streaming.complainants_within(c)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 12, 31),
        timezones=st.just(SH),
    ),
    st.integers(min_value=-24, max_value=24),
)
def test_add_months_is_relativedelta(moment: datetime, months: int) -> None:
    """Our fast month arithmetic equals dateutil's (Jan 31 + 1 month = Feb 28)."""
    assert moment + relativedelta(months=months) == add_months(moment, months)


@given(grading_policies())
def test_grading_policy_round_trips_through_toml(grading: GradingPolicy) -> None:
    """Every grading setting survives TOML."""
    policy = Policy(grading=grading)
    assert policy == Policy.from_toml(policy.to_toml())


def test_evolved_complaint_is_revalidated() -> None:
    """Changing a complaint re-runs its validators."""
    with pytest.raises(ValidationError):
        evolve(_complaint(), headcount=-2)


def test_naming_more_complainants_than_the_headcount_is_refused() -> None:
    """Assigning three complainants to a complaint of headcount 1 raises and changes nothing."""
    complaint = _complaint(headcount=1)
    with pytest.raises(ValidationError, match="complainant_ids: expected at most the headcount"):
        complaint.complainant_ids = ("cust-1", "cust-2", "cust-3")
    assert (complaint.complainant_ids, complaint.people) == (("cust-1",), 1)


def test_raising_the_headcount_first_allows_more_complainants() -> None:
    """With the headcount raised, the new complainants are accepted and counted."""
    complaint = _complaint(headcount=1)
    complaint.headcount = 3
    complaint.complainant_ids = ("cust-1", "cust-2", "cust-3")
    assert grade(complaint, at=T0).grade == Grade.HOT


def test_moving_receipt_after_resolution_is_refused() -> None:
    """received_at may not be assigned a moment after resolved_at; the complaint is unchanged."""
    complaint = _complaint(resolved_at=T0 + timedelta(days=1))
    with pytest.raises(ValidationError, match="received_at: expected a moment at or before"):
        complaint.received_at = T0 + timedelta(days=5)
    assert complaint.received_at == T0
    complaint.received_at = T0 + timedelta(hours=1)
    assert complaint.received_at == T0 + timedelta(hours=1)


def test_assigned_resolution_before_receipt_is_refused() -> None:
    """resolved_at may not be assigned a moment before received_at."""
    complaint = _complaint()
    with pytest.raises(ValidationError, match="resolved_at: expected a moment at or after"):
        complaint.resolved_at = T0 - timedelta(seconds=1)
    assert complaint.resolved_at is None


@pytest.mark.parametrize("ids", [None, 7, [["cust-1"]]])
def test_complainant_ids_that_are_not_a_list_of_ids_are_refused(ids: object) -> None:
    """None, a number or a list inside the list is a ValidationError, not a TypeError."""
    with pytest.raises(ValidationError, match="^complainant_ids: expected a list of customer ids"):
        _complaint(who=ids)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"policy": {}}, "policy"),
        ({"policy": SlaPolicy()}, "policy"),
        ({"history": []}, "history"),
    ],
)
def test_grade_refuses_arguments_of_the_wrong_type(kwargs: dict[str, object], field: str) -> None:
    """A dict for the policy or a list for the history is named, not an AttributeError."""
    with pytest.raises(ValidationError, match=f"^{field}: expected a "):
        grade(_complaint(), at=T0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"handler_roles": "x"}, "handler_roles"),
        ({"supervisor_roles": None}, "supervisor_roles"),
        ({"resolve_within": None}, "resolve_within"),
        ({"task_force_from": "major"}, "task_force_from"),
        ({"callback_after_handling": "no"}, "callback_after_handling"),
    ],
)
def test_grading_policy_tables_and_flags_are_typed(kwargs: dict[str, object], field: str) -> None:
    """A role table given as a string or a flag as "no" is a ValidationError naming the field."""
    with pytest.raises(ValidationError, match=f"^{field}: expected "):
        GradingPolicy(**kwargs)  # type: ignore[arg-type]


def test_streaming_evicts_complaints_of_the_same_instant_and_key() -> None:
    """Two complaints at one instant on one key both leave the window."""
    history = ComplaintHistory(streaming=True)
    history.extend([_complaint("C1", who=("a",)), _complaint("C2", who=("a",))])
    later = _complaint("C3", who=("b",), at=T0 + timedelta(days=90))
    history.add(later)
    assert (len(history), history.complainants_within(later)) == (1, 1)


def test_reasons_built_on_the_fast_path_are_ordinary_reasons() -> None:
    """A collective reason equals one built through Reason's validating constructor."""
    decision = grade(_complaint(who=("a", "b", "c")), at=T0)
    expected = Reason(
        "complaint.hot.collective",
        "a collective complaint by 3 people (>= 3): HOT",
        {"people": 3, "threshold": 3},
        "002 §40",
    )
    assert decision.reasons == (expected,)


@pytest.mark.parametrize("months", [-1, 1])
def test_one_month_shortcuts_are_relativedelta_on_every_day(months: int) -> None:
    """Shifting by one month agrees with dateutil on every day of leap and common years."""
    days = [
        datetime(year, 1, 1, 23, 30, tzinfo=SH) + timedelta(days=n)
        for year in (2000, 2024, 2025, 2100)
        for n in range(366)
    ]
    assert [d + relativedelta(months=months) for d in days] == [add_months(d, months) for d in days]


def test_streaming_counts_a_busy_key_like_a_rescan() -> None:
    """On a key with a complaint every few hours for months, streaming counts as a rescan does."""
    stream = [
        _complaint(f"C{i}", who=(f"c{i % 211}",), at=T0 + timedelta(hours=5 * i))
        for i in range(1500)
    ]
    history = ComplaintHistory(streaming=True)
    for i, c in enumerate(stream):
        history.add(c)
        start = c.received_at - relativedelta(months=1)
        names = {who for e in stream[: i + 1] if e.received_at > start for who in e.complainant_ids}
        assert len(names) == history.complainants_within(c)


def test_repeat_reason_names_a_count_of_any_size() -> None:
    """The repeat reason's message states the count, however many complained."""
    history = ComplaintHistory()
    history.extend(_complaint(f"C{i}", who=(f"c{i}",)) for i in range(250))
    decision = grade(_complaint("C", who=("c",)), at=T0, history=history)
    assert decision.reasons[0].message == (
        "the same complaint from 251 different complainants within 1 month(s) (>= 3): HOT"
    )


def test_major_deadline_is_a_calendar_month_on_every_date() -> None:
    """A HOT complaint next escalates one calendar month on, whatever dates came before."""
    moments = [datetime(2024, 1, 27, 6, tzinfo=SH) + timedelta(hours=7 * n) for n in range(200)]
    moments += [datetime(2025, 3, 31, 23, tzinfo=SH), datetime(2025, 3, 31, 1, tzinfo=SH)]
    decisions = [grade(_complaint(at=m, litigation_risk=True), at=m) for m in moments]
    assert [m + relativedelta(months=1) for m in moments] == [
        d.next_escalation_at for d in decisions
    ]


# --- one policy convention (policy=: the root Policy, the slice, or None) ----------------------


def test_grade_takes_the_root_policy_or_its_grading_slice() -> None:
    """policy=Policy() and policy=Policy().grading grade alike; collective_hot_people 5 applies."""
    root = Policy(grading=GradingPolicy(collective_hot_people=5))
    four = _complaint(headcount=4)
    graded = [
        grade(four, at=T0, policy=root).grade,
        grade(four, at=T0, policy=root.grading).grade,
        grade(four, at=T0).grade,
    ]
    assert graded == [Grade.GENERAL, Grade.GENERAL, Grade.HOT]


def test_sweep_takes_the_root_policy() -> None:
    """A root policy with hot_after 3 days makes a day-3 sweep report HOT."""
    root = Policy(grading=GradingPolicy(hot_after=timedelta(days=3)))
    found = sweep([(_complaint(), Grade.GENERAL)], at=T0 + timedelta(days=3), policy=root)
    assert [e.grade for e in found] == [Grade.HOT]


def test_history_takes_the_root_policy_by_keyword() -> None:
    """ComplaintHistory(policy=Policy()) counts by the grading slice of the root."""
    root = Policy(grading=GradingPolicy(repeat_window_months=2))
    history = ComplaintHistory(policy=root)
    assert history.policy is root.grading
    assert grade(_complaint(), at=T0, history=history, policy=root).grade == Grade.GENERAL


@pytest.mark.parametrize(
    "call",
    [
        lambda: grade(_complaint(), at=T0, policy=SlaPolicy()),  # type: ignore[arg-type]
        lambda: sweep([], at=T0, policy=SlaPolicy()),  # type: ignore[arg-type]
        lambda: ComplaintHistory(policy=SlaPolicy()),  # type: ignore[arg-type]
    ],
    ids=["grade", "sweep", "ComplaintHistory"],
)
def test_a_wrong_policy_is_one_short_line_naming_policy_grading(call: object) -> None:
    """The error names the expected type and where to find it, in under 300 characters."""
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    message = str(info.value)
    assert message == (
        "policy: expected a GradingPolicy, got a SlaPolicy; pass policy.grading or the whole Policy"
    )
    assert len(message) < 300
    assert "\n" not in message


def test_complaint_history_takes_its_policy_only_by_keyword() -> None:
    """ComplaintHistory(GradingPolicy()) is a TypeError: policy= is keyword-only."""
    with pytest.raises(TypeError):
        ComplaintHistory(GradingPolicy())  # type: ignore[misc]


# --- one role vocabulary (propcrm.roles.Role) --------------------------------------------------


def test_role_tables_store_the_role_value_string() -> None:
    """A Role given to GradeRoles is stored as its value; indexing gives the Role back."""
    roles = GradeRoles(general=Role.PROPERTY_OFFICER)
    assert (roles.general, type(roles.general), roles[Grade.GENERAL]) == (
        "property_officer",
        str,
        Role.PROPERTY_OFFICER,
    )


def test_an_unknown_role_is_refused_listing_the_known_ones() -> None:
    """An unknown role ('duty_manager'): the message names the field and lists every role."""
    with pytest.raises(ValidationError) as info:
        GradeRoles(hot="duty_manager")
    message = str(info.value)
    assert message.startswith("hot: expected a role, one of general_manager, ")
    assert all(role.value in message for role in Role)


def test_a_policy_file_names_roles_by_their_value() -> None:
    """[grading.handler_roles] general = "property_officer" loads; "物管员" is refused."""
    policy = Policy.from_toml('[grading.handler_roles]\ngeneral = "property_officer"\n')
    assert grade(_complaint(), at=T0, policy=policy).handler_role is Role.PROPERTY_OFFICER
    with pytest.raises(PolicyError, match="grading.handler_roles.general"):
        Policy.from_toml('[grading.handler_roles]\ngeneral = "物管员"\n')


def test_the_default_roles_follow_002_s41() -> None:
    """002 §41, MAJOR down: handlers 总经理 … 客户主管; supervisors 综合部经理 or 客户主管."""
    policy = GradingPolicy()
    by_grade = [
        (policy.handler_roles[g].label, policy.supervisor_roles[g].label)
        for g in sorted(Grade, reverse=True)
    ]
    assert by_grade == [
        ("总经理", "综合部经理"),
        ("总经理助理", "综合部经理"),
        ("项目经理", "客户主管"),
        ("客户主管", "客户主管"),
    ]


# --- ids: an entity's own id is id, a reference is <thing>_id ---------------------------------


def test_a_decision_refers_to_its_complaint_and_owner_by_id() -> None:
    """The decision carries complaint_id and owner_id; the second-complaint fact repeat_of_id."""
    complaint = _complaint("C-7", first_receiver_id="staff-3", repeat_of_id="C-1")
    decision = grade(complaint, at=T0)
    assert (decision.complaint_id, decision.owner_id, decision.reasons[0].facts) == (
        "C-7",
        "staff-3",
        {"repeat_of_id": "C-1"},
    )


# --- corners of the streaming history ---------------------------------------------------------


def test_a_first_complaint_naming_three_people_repeats_on_a_streaming_history() -> None:
    """Three named complainants on a new key: HOT by repeat over a one-month window."""
    history = ComplaintHistory(streaming=True)
    first = _complaint(who=("a", "b", "c"))
    history.add(first)
    decision = grade(first, at=T0, history=history)
    assert _rules(decision) == ["complaint.hot.repeated", "complaint.hot.collective"]
    assert decision.reasons[0].facts == {
        "complainants": 3,
        "threshold": 3,
        "window_months": 1,
        "key_fields": ("community", "category", "subject"),
    }


def test_repeats_with_as_many_complainants_share_one_reason() -> None:
    """Two keys each with three complainants: both decisions hold the same repeat reason."""
    history = ComplaintHistory(streaming=True)
    first = _complaint("C1", who=("a", "b", "c"))
    history.add(first)
    one = grade(first, at=T0, history=history)
    second = _complaint("C2", who=("d", "e", "f"), subject="gate", at=T0 + timedelta(hours=1))
    history.add(second)
    other = grade(second, at=second.received_at, history=history)
    assert one.reasons[0] is other.reasons[0]


def test_streaming_history_counts_a_complaint_it_was_not_given() -> None:
    """Asked about a later complaint on an unseen key, it counts the complaint's own people."""
    history = ComplaintHistory(streaming=True)
    history.add(_complaint("C1", who=("a",)))
    other = _complaint("C2", who=("b", "c"), subject="gate", at=T0 + timedelta(hours=1))
    assert history.complainants_within(other) == 2


def test_streaming_history_skips_entries_older_than_the_window() -> None:
    """An entry a month and an hour old, not yet evicted, is outside the window."""
    history = ComplaintHistory(streaming=True)
    history.add(_complaint("C1", who=("a",)))
    later = _complaint("C2", who=("b",), at=datetime(2025, 4, 3, 10, 0, tzinfo=SH))
    assert history.complainants_within(later) == 1


@pytest.mark.parametrize(
    ("flags", "expected"),
    [({}, False), ({"second_after_handling": True}, True), ({"repeat_of_id": "C0"}, True)],
)
def test_a_second_complaint_is_flagged_or_names_the_one_it_repeats(
    flags: dict[str, object], expected: bool
) -> None:
    """is_second_complaint: second_after_handling or a repeat_of_id."""
    assert _complaint(**flags).is_second_complaint is expected


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # 2025-03-08 02:30 EST is 07:30 UTC; 24 h on, 07:30 UTC is 03:30 EDT (02:30 is skipped).
        (datetime(2025, 3, 8, 2, 30), "2025-03-09T03:30:00-04:00"),
        # 2025-11-01 01:30 EDT is 05:30 UTC; 24 h on, 05:30 UTC is the first 01:30 (EDT).
        (datetime(2025, 11, 1, 1, 30), "2025-11-02T01:30:00-04:00"),
        # 2025-11-01 02:30 EDT is 06:30 UTC; 24 h on, 06:30 UTC is the second 01:30 (EST).
        (datetime(2025, 11, 1, 2, 30), "2025-11-02T01:30:00-05:00"),
    ],
    ids=["skipped-hour", "first-of-repeated-hour", "second-of-repeated-hour"],
)
def test_deadlines_that_land_in_a_changed_hour_are_real_wall_times(
    received: datetime, due: str
) -> None:
    """New York GENERAL complaints, 24 h: the deadline is a wall time that exists, at its offset."""
    start = received.replace(tzinfo=ZoneInfo("America/New_York"))
    assert grade(_complaint(at=start), at=start).resolve_by.isoformat() == due
