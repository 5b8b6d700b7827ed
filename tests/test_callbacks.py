"""Callbacks and care: planners by rule, the contact window, role shares, balancing, coverage."""

from __future__ import annotations

import warnings
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import (
    BusinessCalendar,
    Policy,
    PolicyError,
    ProvisionalCalendarWarning,
    ValidationError,
)
from propcrm.callbacks import (
    CallbackKind,
    CallbackPlan,
    CallbackPolicy,
    CallbackTask,
    CompletedRepair,
    Outcome,
    RoleShareAllocator,
    StaffMember,
    Subject,
    SubjectKind,
    TaskStatus,
    balance,
    coverage,
    plan_after_complaint,
    plan_after_repair,
    plan_after_service,
    plan_repair_callbacks,
    plan_rounds,
    plan_tier_visits,
    plan_vip_care,
    record_outcome,
)
from propcrm.testing.strategies import (
    callback_tasks,
    completed_repairs,
    role_shares,
    staff_members,
)

SH = ZoneInfo("Asia/Shanghai")
POLICY = CallbackPolicy()


def _contact() -> BusinessCalendar:
    """The default policy's contact calendar, prepared for 2024-2030.

    Years after China's last official holiday schedule are provisional; the
    calendar warns once when it first covers them, so cover them here.
    """
    policy = Policy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        return policy.callbacks.build_contact_calendar(
            policy.calendars, policy.timezone, years=range(2024, 2031)
        )


CONTACT = _contact()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def only(plan: CallbackPlan) -> CallbackTask:
    (task,) = plan.tasks
    return task


def repair(kind: str = "ordinary", done: datetime | None = None) -> CompletedRepair:
    return CompletedRepair("WO-1", "C-1", done or at(2025, 3, 3, 10), kind, "T-7")


# --- the policy ----------------------------------------------------------------------------


def test_policy_defaults_are_the_rules() -> None:
    """Defaults come from 000 §3.2 and 002 回访工作制度 (RULES §6)."""
    expected = (timedelta(hours=24), timedelta(days=7), timedelta(days=30), timedelta(hours=24))
    actual = (
        POLICY.service_phone_within,
        POLICY.service_visit_within,
        POLICY.service_questionnaire_within,
        POLICY.rectification_within,
    )
    assert expected == actual
    assert POLICY.role_shares == {"manager": 0.1, "supervisor": 0.3, "repair_lead": 0.6}
    assert POLICY.coverage_target == 0.85
    assert POLICY.contact_calendar == "contact"


def test_contact_calendar_is_the_named_business_calendar() -> None:
    """The contact window is 09:00-20:00, no lunch gap, closed on China's holidays (RULES §6)."""
    expected = [at(2025, 3, 3, 9), at(2025, 3, 3, 12, 30), at(2025, 10, 9, 9)]
    moments = [at(2025, 3, 3, 7), at(2025, 3, 3, 12, 30), at(2025, 10, 1, 10)]
    assert [CONTACT.next_working_time(m) for m in moments] == expected


def test_contact_calendar_name_must_exist() -> None:
    """A policy naming a calendar the company does not define is an error saying which exist."""
    policy = CallbackPolicy(contact_calendar="phones")
    with pytest.raises(ValidationError, match=r"contact_calendar: expected one of the policy's"):
        policy.build_contact_calendar(Policy().calendars)


def test_policy_is_on_the_root_and_loads_from_toml() -> None:
    """A company overrides callback numbers in its policy file."""
    policy = Policy.from_toml('[callbacks]\nservice_phone_within = "12h"\ndaily_capacity = 25\n')
    assert timedelta(hours=12) == policy.callbacks.service_phone_within
    assert policy.callbacks.daily_capacity == 25


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (
            "role_shares = {manager = 0.5, supervisor = 0.6}",
            "callbacks.role_shares: expected shares",
        ),
        ("role_shares = {manager = 0.0}", "callbacks.role_shares.manager: expected a share"),
        ("forums_per_year = 5", "callbacks.forums_per_year: expected 1, 2, 3, 4, 6 or 12"),
        ("visits_per_year_by_tier = {E = 1}", "callbacks.visits_per_year_by_tier: expected"),
        ("visits_per_year_by_tier = {A = 5}", "callbacks.visits_per_year_by_tier.A: expected"),
        ('festivals = ["Christmas"]', "callbacks.festivals: expected names of China's"),
        ('festivals = ["Day"]', "callbacks.festivals: expected names of China's"),
        ("repair_within = {}", "callbacks.repair_within: expected a non-empty table"),
        ('repair_within = {leak = "0s"}', "callbacks.repair_within.leak: expected a positive"),
        ("coverage_target = 1.5", "callbacks.coverage_target: expected a number from 0"),
    ],
)
def test_invalid_callback_settings_name_their_path(toml: str, problem: str) -> None:
    """Every threshold is validated, and the error names the dotted path."""
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(f"[callbacks]\n{toml}\n")
    assert str(info.value.problems[0]).startswith(problem)


# --- planners, one rule each ---------------------------------------------------------------


def test_three_step_callback_after_a_service() -> None:
    """Phone within 24 h, visit within a week, questionnaire within a month (000 §3.2)."""
    plan = plan_after_service(
        "WO-9", customer="C-1", completed_at=at(2025, 3, 3, 10), policy=POLICY, calendar=CONTACT
    )
    expected = [
        (CallbackKind.PHONE, at(2025, 3, 4, 10), "000 §3.2"),
        (CallbackKind.VISIT, at(2025, 3, 10, 10), "000 §3.2"),
        (CallbackKind.QUESTIONNAIRE, at(2025, 4, 2, 10), "000 §3.2"),
    ]
    assert expected == [(t.kind, t.due, t.reasons[0].source) for t in plan.tasks]
    assert {at(2025, 3, 3, 10)} == {t.earliest for t in plan.tasks}


@pytest.mark.parametrize(("kind", "days"), [("ordinary", 7), ("safety", 2), ("leak", 3)])
def test_repair_callback_window_by_kind(kind: str, days: int) -> None:
    """Within a week; safety facilities within 2 days; leaks within 3 (002 回访工作制度 §2)."""
    task = only(
        plan_after_repair(repair(kind), owner_role="supervisor", policy=POLICY, calendar=CONTACT)
    )
    assert at(2025, 3, 3 + days, 10) == task.due
    assert (
        task.owner_role,
        task.technician,
        task.kind,
    ) == ("supervisor", "T-7", CallbackKind.VISIT)
    assert task.reasons[0].source == "002 回访工作制度 §2"


def test_unknown_repair_kind_is_refused() -> None:
    """A repair kind the policy does not know is an error naming the kinds it knows."""
    with pytest.raises(ValidationError, match=r"kind: expected one of the repair kinds \["):
        plan_after_repair(repair("boiler"), owner_role="manager", policy=POLICY, calendar=CONTACT)


def test_complaint_callback_after_handling() -> None:
    """The complainant is called back after the complaint is handled (002 §42)."""
    task = only(
        plan_after_complaint(
            "CP-3", customer="C-2", handled_at=at(2025, 3, 3, 15), policy=POLICY, calendar=CONTACT
        )
    )
    assert (Subject(SubjectKind.COMPLAINT, "CP-3"), CallbackKind.PHONE) == (task.subject, task.kind)
    assert ("customer_service", at(2025, 3, 4, 15)) == (task.owner_role, task.due)
    assert task.reasons[0].source == "002 §42"


def test_director_visits_each_household_once_a_year() -> None:
    """The office director visits each household 1-2 times a year (002 回访制度 2(1))."""
    plan = plan_rounds(year=2025, households=["H1", "H2"], policy=POLICY, calendar=CONTACT)
    assert [("H1", at(2026, 1, 1)), ("H2", at(2026, 1, 1))] == [
        (t.customer, t.due) for t in plan.tasks
    ]
    assert {"office_director"} == {t.owner_role for t in plan.tasks}


def test_officers_call_each_household_of_their_area_quarterly() -> None:
    """Property officers call back each area every quarter (002 回访制度 2(2))."""
    plan = plan_rounds(year=2025, areas={"north": ["H1"]}, policy=POLICY, calendar=CONTACT)
    expected = [
        (at(2025, 1, 2, 9), at(2025, 4, 1)),  # New Year's Day is closed for calls
        (at(2025, 4, 1, 9), at(2025, 7, 1)),
        (at(2025, 7, 1, 9), at(2025, 10, 1)),
        (at(2025, 10, 9, 9), at(2026, 1, 1)),  # the National Day break is closed for calls
    ]
    assert expected == [(t.earliest, t.due) for t in plan.tasks]


def test_residents_forum_each_quarter() -> None:
    """A residents' forum each quarter, per community (002 回访制度 2(3))."""
    plan = plan_rounds(year=2025, communities=["Garden"], policy=POLICY, calendar=CONTACT)
    assert len(plan.tasks) == 4
    assert {(CallbackKind.FORUM, SubjectKind.COMMUNITY, "")} == {
        (t.kind, t.subject.kind, t.customer) for t in plan.tasks
    }


def test_tier_visits_follow_the_policy_frequencies() -> None:
    """Tier A monthly, B and D quarterly, C yearly by default (002 §10; policy decision)."""
    plan = plan_tier_visits(
        {"a": "A", "b": "B", "c": "C", "d": "D"}, year=2025, policy=POLICY, calendar=CONTACT
    )
    counts = {c: sum(t.customer == c for t in plan.tasks) for c in "abcd"}
    owners = {t.customer: t.owner_role for t in plan.tasks}
    assert owners == {
        "a": "vip_assistant",
        "b": "property_officer",
        "c": "property_officer",
        "d": "property_officer",
    }
    assert counts == {"a": 12, "b": 4, "c": 1, "d": 4}


def test_tier_with_no_visits_and_bad_tier() -> None:
    """A tier set to 0 gets no visits; a label outside A-D is refused."""
    policy = CallbackPolicy(visits_per_year_by_tier={"C": 0})
    assert plan_tier_visits({"c": "C"}, year=2025, policy=policy, calendar=CONTACT).tasks == ()
    with pytest.raises(ValidationError, match="tiers.x: expected a tier"):
        plan_tier_visits({"x": "E"}, year=2025, policy=policy, calendar=CONTACT)


def test_ids_of_different_planners_for_one_subject_differ() -> None:
    """A service visit and a repair visit, a director's and a tier visit, get their own ids."""
    done = at(2025, 3, 3, 15)
    service = plan_after_service(
        "WO-1", customer="C-1", completed_at=done, policy=POLICY, calendar=CONTACT
    )
    repair = plan_after_repair(
        CompletedRepair("WO-1", "C-1", done, "leak"),
        owner_role="supervisor",
        policy=POLICY,
        calendar=CONTACT,
    )
    director = plan_rounds(year=2025, households=["H-1"], policy=POLICY, calendar=CONTACT)
    tier = plan_tier_visits({"H-1": "C"}, year=2025, policy=POLICY, calendar=CONTACT)
    expected = [
        "work_order:WO-1:service:phone",
        "work_order:WO-1:service:visit",
        "work_order:WO-1:service:questionnaire",
        "work_order:WO-1:repair:visit",
        "customer:H-1:rounds.director:visit:2025-01",
        "customer:H-1:tier:visit:2025-01",
    ]
    assert expected == [t.id for plan in (service, repair, director, tier) for t in plan.tasks]


@given(
    st.text("ABCxyz-019", min_size=1, max_size=6),
    st.sampled_from(["A", "B", "C", "D"]),
    st.sampled_from(["ordinary", "safety", "leak"]),
    st.integers(2025, 2027),
)
def test_planners_never_give_two_tasks_of_one_subject_the_same_id(
    subject: str, tier: str, kind: str, year: int
) -> None:
    """Every planner run on one subject id gives pairwise distinct task ids."""
    done = at(year, 3, 3, 15)
    plans = [
        plan_after_service(
            subject, customer="C", completed_at=done, policy=POLICY, calendar=CONTACT
        ),
        plan_after_repair(
            CompletedRepair(subject, "C", done, kind),
            owner_role="supervisor",
            policy=POLICY,
            calendar=CONTACT,
        ),
        plan_after_complaint(
            subject, customer="C", handled_at=done, policy=POLICY, calendar=CONTACT
        ),
        plan_rounds(
            year=year,
            households=[subject],
            areas={"north": [subject]},
            communities=[subject],
            policy=POLICY,
            calendar=CONTACT,
        ),
        plan_tier_visits({subject: tier}, year=year, policy=POLICY, calendar=CONTACT),
        plan_vip_care(
            subject,
            customer=subject,
            birthdays={"self": date(1980, 2, 29), "spouse": date(1982, 2, 28)},
            card_expires=date(year, 12, 1),
            year=year,
            policy=POLICY,
            calendar=CONTACT,
        ),
    ]
    ids = [t.id for plan in plans for t in plan.tasks]
    assert len(ids) == len(set(ids))


def _vip(year: int, born: date, expires: date = date(2030, 1, 1)) -> CallbackPlan:
    return plan_vip_care(
        "JK1001",
        customer="V-1",
        birthdays={"spouse": born},
        card_expires=expires,
        year=year,
        policy=POLICY,
        calendar=CONTACT,
    )


def test_vip_festival_greetings_use_china_holiday_dates() -> None:
    """Greetings on the major festivals, dated by China's holiday calendar (002 §33)."""
    plan = _vip(2025, date(1970, 5, 5))
    festivals = {t.id.split(":")[5]: t.due.date() for t in plan.tasks if "festival" in t.id}
    expected = {
        "Spring Festival": date(2025, 1, 30),
        "Dragon Boat Festival": date(2025, 6, 1),
        "Mid-Autumn Festival": date(2025, 10, 7),
        "National Day": date(2025, 10, 2),
    }
    assert expected == festivals


def test_greeting_before_a_closed_festival_day() -> None:
    """The contact calendar is closed on National Day, so the greeting goes out before it."""
    plan = _vip(2025, date(1970, 5, 5))
    (national,) = [t for t in plan.tasks if "National Day" in t.id]
    assert (at(2025, 9, 24, 9), at(2025, 10, 2)) == (national.earliest, national.due)
    assert national.fits_window


def test_festival_inside_a_closed_break_is_greeted_before_it() -> None:
    """Mid-Autumn 2025 (Oct 6) falls in the National Day break: greet on Sep 29-30."""
    plan = _vip(2025, date(1970, 5, 5))
    (mid_autumn,) = [t for t in plan.tasks if "Mid-Autumn" in t.id]
    assert (at(2025, 9, 29, 9), at(2025, 10, 7)) == (mid_autumn.earliest, mid_autumn.due)
    assert mid_autumn.fits_window
    assert plan.late == ()


@pytest.mark.parametrize(("year", "day"), [(2025, date(2025, 2, 28)), (2028, date(2028, 2, 29))])
def test_leap_day_birthday_falls_on_february_28_in_common_years(year: int, day: date) -> None:
    """A 29 February birthday is greeted on 28 February in common years (002 §33)."""
    (birthday,) = [t for t in _vip(year, date(1992, 2, 29)).tasks if "birthday" in t.id]
    assert day == (birthday.due - timedelta(days=1)).date()


def test_card_expiry_reminder_planned_once_in_the_year_it_starts() -> None:
    """The reminder runs from 30 days before the card's first invalid day (002 §26)."""
    reminders = [
        [
            t
            for t in _vip(y, date(1970, 5, 5), date(2026, 1, 20)).tasks
            if t.kind is CallbackKind.REMINDER
        ]
        for y in (2025, 2026)
    ]
    assert [len(r) for r in reminders] == [1, 0]
    assert (at(2025, 12, 21, 9), at(2026, 1, 20)) == (reminders[0][0].earliest, reminders[0][0].due)


def test_no_greeting_for_someone_not_born_yet() -> None:
    """A family member born after the planned year gets no birthday greeting that year."""
    assert not [t for t in _vip(2025, date(2026, 7, 1)).tasks if "birthday" in t.id]


def test_festivals_given_as_one_string_are_refused() -> None:
    """One string is not a list of festivals: it would split into letters."""
    with pytest.raises(ValidationError, match=r"festivals: expected a list of festival names"):
        CallbackPolicy(festivals="National Day")
    with pytest.raises(ValidationError, match=r"festivals: expected a list"):
        CallbackPolicy(festivals=5)
    expected = ("National Day",)
    assert expected == CallbackPolicy(festivals=["National Day"]).festivals


@pytest.mark.parametrize("year", ["2025", 2025.0, True, 1, 9999])
def test_planners_refuse_a_year_that_is_not_a_supported_int(year: Any) -> None:
    """A year must be an int the business calendars cover, not a string or 9999."""
    calls = [
        lambda: plan_rounds(year=year, households=["H"], policy=POLICY, calendar=CONTACT),
        lambda: plan_tier_visits({"c": "A"}, year=year, policy=POLICY, calendar=CONTACT),
        lambda: plan_vip_care(
            "JK1",
            customer="V",
            birthdays={},
            card_expires=date(2026, 1, 1),
            year=year,
            policy=POLICY,
            calendar=CONTACT,
        ),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="year: expected an integer year between 2 and"):
            call()


def test_festival_missing_from_the_holiday_calendar_is_a_note() -> None:
    """A year before China's holiday calendar begins gets notes, not silent gaps."""
    plan = _vip(1948, date(1970, 5, 5))
    assert len([n for n in plan.notes if n.rule == "callback.vip.festival_missing"]) == 4


# --- outcomes ------------------------------------------------------------------------------


def _task() -> CallbackTask:
    return only(plan_after_repair(repair(), owner_role="manager", policy=POLICY, calendar=CONTACT))


def test_problem_found_creates_a_rectification_notice_due_within_24h() -> None:
    """A problem found on a callback is notified in writing within 24 h (002 回访工作制度 §4)."""
    outcome = Outcome(at=at(2025, 3, 5, 16), reached=True, problem="still leaks", signed_by="Li")
    result = record_outcome(_task(), outcome, policy=POLICY)
    assert result.notice is not None
    assert (at(2025, 3, 6, 16), "T-7", "still leaks") == (
        result.notice.due,
        result.notice.technician,
        result.notice.problem,
    )
    assert (result.task.status, result.task.version) == (TaskStatus.DONE, 2)


def test_no_problem_no_notice_and_unreached_status() -> None:
    """Without a problem there is no notice; an unreached attempt is recorded as such."""
    result = record_outcome(_task(), Outcome(at=at(2025, 3, 5, 16), reached=False), policy=POLICY)
    assert (result.notice, result.task.status) == (None, TaskStatus.UNREACHED)


def test_outcome_is_recorded_once() -> None:
    """Recording a second outcome is refused."""
    done = record_outcome(_task(), Outcome(at=at(2025, 3, 5), reached=True), policy=POLICY)
    with pytest.raises(ValidationError, match="a task without an outcome"):
        record_outcome(done.task, Outcome(at=at(2025, 3, 5), reached=True), policy=POLICY)


def test_late_outcome_is_reported() -> None:
    """A callback made after its due time says so."""
    result = record_outcome(_task(), Outcome(at=at(2025, 3, 20), reached=True), policy=POLICY)
    assert [r.rule for r in result.reasons] == ["callback.done_late"]


def test_unreached_outcome_cannot_carry_satisfaction() -> None:
    """Satisfaction, a problem or a signature need the customer to have been reached."""
    with pytest.raises(ValidationError, match="reached: expected True"):
        Outcome(at=at(2025, 3, 5), reached=False, satisfied=True)


# --- the contact window --------------------------------------------------------------------


def test_task_opening_at_night_moves_into_the_morning_window() -> None:
    """A callback due from 22:30 starts at 09:00 next morning, and says why (RULES §6)."""
    task = only(
        plan_after_complaint(
            "CP-1",
            customer="C-1",
            handled_at=at(2025, 3, 3, 22, 30),
            policy=POLICY,
            calendar=CONTACT,
        )
    )
    assert at(2025, 3, 4, 9) == task.earliest
    assert task.fits_window
    assert "callback.contact_window.moved" in [r.rule for r in task.reasons]


def test_task_due_before_the_next_contact_time_is_reported() -> None:
    """A window wholly at night is never quietly moved past its due time (RULES §6)."""
    policy = CallbackPolicy(complaint_callback_within=timedelta(hours=4))
    plan = plan_after_complaint(
        "CP-1", customer="C-1", handled_at=at(2025, 3, 3, 21), policy=policy, calendar=CONTACT
    )
    assert plan.tasks == plan.late
    assert "callback.contact_window.past_due" in [r.rule for r in plan.late[0].reasons]


@given(completed_repairs(), st.integers(1, 24 * 8))
def test_task_times_fall_in_the_contact_window_or_are_reported(
    done: CompletedRepair, hours: int
) -> None:
    """Earliest is contact time no sooner than the repair; if it is past due, it is reported."""
    policy = CallbackPolicy(repair_within={done.kind: timedelta(hours=hours)})
    plan = plan_after_repair(done, owner_role="manager", policy=policy, calendar=CONTACT)
    task = only(plan)
    assert CONTACT.next_working_time(task.earliest) == task.earliest
    assert task.earliest >= done.completed_at
    if task.earliest >= task.due:
        assert (task,) == plan.late
        assert "callback.contact_window.past_due" in [r.rule for r in task.reasons]


# --- role shares ---------------------------------------------------------------------------


def test_role_shares_of_the_first_ten_repairs() -> None:
    """Ten repairs: 1 manager, 3 supervisors, 6 repair leads (002 回访工作制度 §1)."""
    allocator = RoleShareAllocator.from_policy(POLICY)
    roles = [allocator.assign() for _ in range(10)]
    assert allocator.counts == {"manager": 1, "supervisor": 3, "repair_lead": 6}
    assert {r: roles.count(r) for r in roles} == {"manager": 1, "supervisor": 3, "repair_lead": 6}


@given(role_shares(), st.integers(1, 300))
def test_each_share_holds_at_every_prefix_within_one_item(
    shares: dict[str, float], items: int
) -> None:
    """At every prefix each role's count is within one item of its share (scaled to sum 1)."""
    allocator = RoleShareAllocator(shares)
    exact = {r: Fraction(repr(s)) for r, s in shares.items()}
    whole = sum(exact.values())
    for n in range(1, items + 1):
        allocator.assign()
        for role, count in allocator.counts.items():
            target = exact[role] / whole * n
            assert abs(count - target) < 1
            assert count >= exact[role] * n - 1


@given(role_shares(), st.integers(0, 60), st.integers(0, 60))
def test_allocator_resumes_from_stored_counts(
    shares: dict[str, float], first: int, then: int
) -> None:
    """Stopping, storing the counts and resuming gives the same owners as one run."""
    straight = RoleShareAllocator(shares)
    expected = [straight.assign() for _ in range(first + then)]
    part = RoleShareAllocator(shares)
    actual = [part.assign() for _ in range(first)]
    resumed = RoleShareAllocator(shares, counts=part.counts)
    actual += [resumed.assign() for _ in range(then)]
    assert expected == actual


def test_allocator_reports_its_state() -> None:
    """Shares, total and repr show what a caller stores to resume."""
    allocator = RoleShareAllocator({"a": 0.5, "b": 0.5}, counts={"a": 2})
    assert (allocator.shares, allocator.total) == ({"a": 0.5, "b": 0.5}, 2)
    assert repr(allocator) == "RoleShareAllocator({'a': 0.5, 'b': 0.5}, counts={'a': 2, 'b': 0})"
    assert allocator.assign() == "b"


@pytest.mark.parametrize("shares", [{}, [], {"a": True}, {"": 0.5}])
def test_allocator_refuses_bad_shares(shares: object) -> None:
    """Shares must be a non-empty table of role -> number in (0, 1]."""
    with pytest.raises(ValidationError, match="shares"):
        RoleShareAllocator(shares)  # type: ignore[arg-type]


def test_allocator_refuses_bad_counts() -> None:
    """Counts for an unknown role or negative counts are refused."""
    with pytest.raises(ValidationError, match="counts.boss"):
        RoleShareAllocator(POLICY.role_shares, counts={"boss": 1})
    with pytest.raises(ValidationError, match="counts.manager: expected an integer >= 0"):
        RoleShareAllocator(POLICY.role_shares, counts={"manager": -1})


def test_batch_repair_callbacks_draw_owners_from_the_allocator() -> None:
    """Each repair gets exactly one callback and one owner."""
    allocator = RoleShareAllocator.from_policy(POLICY)
    repairs = [CompletedRepair(f"WO-{i}", "C-1", at(2025, 3, 3, 10)) for i in range(20)]
    plan = plan_repair_callbacks(repairs, allocator=allocator, policy=POLICY, calendar=CONTACT)
    assert {r: sum(t.owner_role == r for t in plan.tasks) for r in POLICY.role_shares} == {
        "manager": 2,
        "supervisor": 6,
        "repair_lead": 12,
    }
    assert len({t.id for t in plan.tasks}) == 20


# --- balancing -----------------------------------------------------------------------------


def _callback(n: int, earliest: datetime, due: datetime, role: str = "repair_lead") -> CallbackTask:
    subject = Subject(SubjectKind.WORK_ORDER, f"WO-{n}")
    return CallbackTask(f"t{n}", subject, CallbackKind.PHONE, "C-1", role, earliest, due)


def test_balancer_reports_what_capacity_cannot_fit_in_time() -> None:
    """Capacity 2 a day and five tasks due tomorrow morning: two done, three reported late."""
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 4, 8)) for i in range(5)]
    plan = balance(
        tasks,
        [StaffMember("S-1", "repair_lead", 2)],
        start=date(2025, 3, 3),
        days=7,
        policy=POLICY,
        calendar=CONTACT,
    )
    assert [("t0", date(2025, 3, 3)), ("t1", date(2025, 3, 3))] == [
        (a.task_id, a.day) for a in plan.assignments
    ]
    assert [u.reason.rule for u in plan.late] == ["callback.balance.no_capacity"] * 3


def test_balancer_fills_the_earliest_days_first() -> None:
    """With room for one a day, tasks go to consecutive days, earliest due first."""
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 10 + i)) for i in range(4)]
    plan = balance(
        tasks,
        [StaffMember("S-1", "repair_lead", 1)],
        start=date(2025, 3, 3),
        days=7,
        policy=POLICY,
        calendar=CONTACT,
    )
    assert [(a.task_id, a.day.day) for a in plan.assignments] == [
        ("t0", 3),
        ("t1", 4),
        ("t2", 5),
        ("t3", 6),
    ]


def test_balancer_spreads_a_day_over_people_and_skips_closed_days() -> None:
    """The person with most room takes the next task; closed contact days get none."""
    tasks = [_callback(i, at(2025, 9, 30, 21), at(2025, 10, 12)) for i in range(4)]
    staff = [StaffMember("S-1", "repair_lead"), StaffMember("S-2", "repair_lead")]
    plan = balance(tasks, staff, start=date(2025, 9, 30), days=14, policy=POLICY, calendar=CONTACT)
    assert {("S-1", date(2025, 10, 9)): 2, ("S-2", date(2025, 10, 9)): 2} == plan.load()


def test_balancer_reports_missing_roles_and_windows_outside_the_horizon() -> None:
    """No person with the role is reported; windows after the horizon are deferred."""
    tasks = [
        _callback(1, at(2025, 3, 3, 9), at(2025, 3, 5), role="manager"),
        _callback(2, at(2025, 4, 3, 9), at(2025, 4, 5)),
        _callback(3, at(2025, 2, 10, 9), at(2025, 2, 12)),
        _callback(4, at(2025, 3, 3, 21), at(2025, 3, 3, 22)),
    ]
    plan = balance(
        tasks,
        [StaffMember("S-1", "repair_lead")],
        start=date(2025, 3, 3),
        days=7,
        policy=POLICY,
        calendar=CONTACT,
    )
    assert {u.task.id: u.reason.rule for u in plan.late} == {
        "t1": "callback.balance.no_staff",
        "t3": "callback.balance.due_before_horizon",
        "t4": "callback.balance.no_contact_time",
    }
    assert [t.id for t in plan.deferred] == ["t2"]


def test_balancer_keeps_a_task_with_its_assigned_person() -> None:
    """A task already given to someone stays with them and uses their capacity."""
    task = _callback(1, at(2025, 3, 3, 9), at(2025, 3, 6))
    task.staff = "S-2"
    staff = [StaffMember("S-1", "repair_lead", 1), StaffMember("S-2", "repair_lead", 3)]
    plan = balance(
        [task, _callback(2, at(2025, 3, 3, 9), at(2025, 3, 6))],
        staff,
        start=date(2025, 3, 3),
        days=3,
        policy=POLICY,
        calendar=CONTACT,
    )
    assert {a.task_id: a.staff for a in plan.assignments} == {"t1": "S-2", "t2": "S-2"}


def test_balancer_moves_on_when_a_fixed_task_took_the_last_place() -> None:
    """Room used by a fixed assignment is not offered twice; overflow past the horizon waits."""
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 9)) for i in range(1, 6)]
    tasks[0].staff = "S-2"
    staff = [StaffMember("S-1", "repair_lead", 1), StaffMember("S-2", "repair_lead", 1)]
    plan = balance(tasks, staff, start=date(2025, 3, 3), days=2, policy=POLICY, calendar=CONTACT)
    assert [(a.task_id, a.staff, a.day.day) for a in plan.assignments] == [
        ("t1", "S-2", 3),
        ("t2", "S-1", 3),
        ("t3", "S-1", 4),
        ("t4", "S-2", 4),
    ]
    assert ([t.id for t in plan.deferred], plan.late) == (["t5"], ())


def test_balancer_reports_a_fixed_person_who_is_full_or_unknown() -> None:
    """A task tied to a person without room, or to nobody on the team, is reported late."""
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 3, 20)) for i in range(4)]
    tasks[0].staff = tasks[1].staff = "S-1"
    tasks[2].staff = "S-9"
    staff = [StaffMember("S-1", "repair_lead", 1), StaffMember("S-2", "repair_lead", 1)]
    plan = balance(tasks, staff, start=date(2025, 3, 3), days=1, policy=POLICY, calendar=CONTACT)
    assert {a.task_id: a.staff for a in plan.assignments} == {"t0": "S-1", "t3": "S-2"}
    expected = [("t1", "callback.balance.no_capacity"), ("t2", "callback.balance.unknown_staff")]
    assert expected == [(u.task.id, u.reason.rule) for u in plan.late]


def test_balancer_reports_an_unknown_person_even_when_due_after_the_horizon() -> None:
    """A task tied to someone not on the team is reported, never deferred without a word."""
    soon = _callback(1, at(2025, 3, 3, 9), at(2025, 3, 4, 18))
    later = _callback(2, at(2025, 3, 3, 9), at(2025, 3, 20, 18))
    soon.staff = later.staff = "S-9"
    staff = [StaffMember("S-1", "repair_lead")]
    plan = balance(
        [soon, later], staff, start=date(2025, 3, 3), days=7, policy=POLICY, calendar=CONTACT
    )
    assert not plan.assignments
    assert not plan.deferred
    rule = "callback.balance.unknown_staff"
    assert [("t1", rule), ("t2", rule)] == [(u.task.id, u.reason.rule) for u in plan.late]
    message = "staff 'S-9' is not in staff; add them or clear task.staff"
    assert message == plan.late[1].reason.message


@pytest.mark.parametrize("days", [0, 1.5, "7", True])
def test_balancer_refuses_a_bad_horizon(days: Any) -> None:
    """The horizon needs a date and a whole number of days, at least one."""
    with pytest.raises(ValidationError, match="days: expected an integer >= 1"):
        balance([], [], start=date(2025, 3, 3), days=days, policy=POLICY, calendar=CONTACT)
    with pytest.raises(ValidationError, match="start: expected a datetime.date"):
        balance([], [], start=at(2025, 3, 3), days=1, policy=POLICY, calendar=CONTACT)


@given(
    st.lists(callback_tasks(roles=("a", "b")), max_size=40, unique_by=lambda t: t.id),
    st.lists(staff_members(roles=("a", "b")), max_size=5, unique_by=lambda s: s.id),
    st.integers(1, 20),
)
def test_balancer_never_exceeds_capacity_nor_hides_a_task(
    tasks: list[CallbackTask], staff: list[StaffMember], days: int
) -> None:
    """Every task is assigned in its window, reported late or deferred; no one is overloaded."""
    start = date(2025, 1, 1)
    plan = balance(tasks, staff, start=start, days=days, policy=POLICY, calendar=CONTACT)
    seen = [a.task_id for a in plan.assignments]
    seen += [u.task.id for u in plan.late] + [t.id for t in plan.deferred]
    assert sorted(t.id for t in tasks) == sorted(seen)
    capacity = {
        s.id: POLICY.daily_capacity if s.daily_capacity is None else s.daily_capacity for s in staff
    }
    for (person, _day), count in plan.load().items():
        assert count <= capacity[person]
    by_id = {t.id: t for t in tasks}
    for unscheduled in plan.late:
        task = unscheduled.task
        if unscheduled.reason.rule == "callback.balance.no_contact_time":
            assert CONTACT.next_working_time(task.earliest) >= task.due
    roles = {s.id: s.role for s in staff}
    for a in plan.assignments:
        task = by_id[a.task_id]
        midnight = datetime.combine(a.day, time(0), tzinfo=SH)
        contact = CONTACT.next_working_time(max(task.earliest, midnight))
        assert contact.date() == a.day
        assert contact < task.due
        assert start <= a.day < start + timedelta(days=days)
        assert roles[a.staff] == task.owner_role


# --- coverage ------------------------------------------------------------------------------


def _reached(customer: str, when: datetime) -> CallbackTask:
    task = _callback(0, at(2025, 3, 1, 9), at(2025, 3, 31))
    task.customer = customer
    task.outcome = Outcome(at=when, reached=True)
    return task


def test_coverage_meets_85_percent() -> None:
    """17 of 20 customers reached in the month meets the 85 % target (002 Dongke plan)."""
    customers = [f"C-{i}" for i in range(20)]
    tasks = [_reached(c, at(2025, 3, 10, 10)) for c in customers[:17]]
    report = coverage(customers, tasks, month=date(2025, 3, 17), tz="Asia/Shanghai", policy=POLICY)
    assert (report.reached, report.customers, report.share, report.met) == (17, 20, 0.85, True)
    assert report.unreached == ("C-17", "C-18", "C-19")


def test_coverage_counts_only_the_month_in_its_zone() -> None:
    """A call at 23:30 UTC on 31 March is April in Shanghai; it does not count for March."""
    late = _reached("C-1", datetime(2025, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    unreached = _callback(1, at(2025, 3, 1, 9), at(2025, 3, 31))
    report = coverage(
        ["C-1", "C-2"], [late, unreached], month=date(2025, 3, 1), tz="Asia/Shanghai", policy=POLICY
    )
    assert (report.reached, report.met, report.reasons[0].rule) == (
        0,
        False,
        "callback.coverage.below_target",
    )


def test_coverage_needs_customers() -> None:
    """An empty customer list is an error, not a 0/0 share."""
    with pytest.raises(ValidationError, match="customers: expected at least one"):
        coverage([], [], month=date(2025, 3, 1), tz="Asia/Shanghai", policy=POLICY)


@pytest.mark.parametrize(
    "make",
    [
        lambda: role_shares(min_roles=0),
        lambda: completed_repairs(kinds=()),
        lambda: callback_tasks(roles=()),
        lambda: staff_members(max_capacity=-1),
    ],
)
def test_strategies_check_their_arguments_eagerly(make) -> None:  # type: ignore[no-untyped-def]
    """A strategy with impossible arguments fails when it is built, not when drawn."""
    with pytest.raises(ValueError, match="need|must"):
        make()
