"""Callbacks and care: the policy, planners by rule, calling hours, greetings, outcomes."""

from __future__ import annotations

import warnings
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from propcrm import (
    BusinessCalendar,
    CalendarPolicy,
    CompletedRepair,
    Policy,
    PolicyError,
    ProvisionalCalendarWarning,
    RoleShareAllocator,
    ValidationError,
    plan_after_repair,
)
from propcrm._policy_keys import KEYS
from propcrm.callbacks import (
    CallbackKind,
    CallbackPlan,
    CallbackPolicy,
    CallbackTask,
    Outcome,
    Subject,
    SubjectKind,
    TaskStatus,
    plan_after_complaint,
    plan_after_service,
    plan_rounds,
    plan_tier_visits,
    plan_vip_care,
    record_outcome,
)
from propcrm.testing.strategies import completed_repairs

SH = ZoneInfo("Asia/Shanghai")
POLICY = CallbackPolicy()


def contact_calendar() -> BusinessCalendar:
    """Calling hours of RULES § 6: every day 09:00-20:00, no lunch gap, closed on holidays.

    Years after China's last official holiday schedule are provisional; the
    calendar warns once when it first covers them, so cover them here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        return Policy().calendar("contact", years=range(2024, 2031))


CONTACT = contact_calendar()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def only(plan: CallbackPlan) -> CallbackTask:
    (task,) = plan.tasks
    return task


def repair(kind: str = "ordinary", done: datetime | None = None) -> CompletedRepair:
    return CompletedRepair("WO-1", "C-1", done or at(2025, 3, 3, 10), kind, "T-7")


def sources() -> dict[str, str]:
    """The source of each callback setting, as the policy-key descriptions give it."""
    return {f.name: KEYS[f"callbacks.{f.name}"].source for f in attrs.fields(CallbackPolicy)}


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
    assert POLICY.coverage_target == 0.85
    assert POLICY.contact_calendar == "contact"


def test_repair_role_shares_use_the_role_vocabulary() -> None:
    """经理 >= 10 %, 主管 >= 30 %, 维修负责人 >= 60 % are the service-centre manager, ..."""
    expected = {"service_centre_manager": 0.1, "engineering_supervisor": 0.3, "repair_lead": 0.6}
    assert expected == POLICY.role_shares


def test_callback_owners_are_roles_of_the_vocabulary() -> None:
    """VIP callbacks by the VIP assistant; rounds by the office director and property officers."""
    expected = ("vip_assistant", "office_director", "property_officer", "desk_staff", "desk_staff")
    actual = (
        POLICY.vip_role,
        POLICY.director_role,
        POLICY.officer_role,
        POLICY.service_role,
        POLICY.complaint_role,
    )
    assert expected == actual


def test_unknown_role_is_an_error_listing_the_known_ones() -> None:
    """A role outside propcrm.roles.Role is refused, and the message lists the known roles."""
    with pytest.raises(ValidationError, match=r"vip_role: expected a role .* use one of general_"):
        CallbackPolicy(vip_role="assistant")


def test_role_shares_with_an_unknown_role_are_refused() -> None:
    """The old share names (manager, supervisor) are not roles."""
    with pytest.raises(ValidationError, match=r"role_shares.manager: expected a role"):
        CallbackPolicy(role_shares={"manager": 0.1, "repair_lead": 0.6})


def test_a_file_gives_a_default_roles_share_to_another_role() -> None:
    """engineering_supervisor = 0 and department_head = 0.3: the department head takes 30 %."""
    policy = Policy.from_toml(
        "[callbacks.role_shares]\ndepartment_head = 0.3\nengineering_supervisor = 0\n"
    )
    allocator = RoleShareAllocator.from_policy(policy)
    owners = [allocator.assign() for _ in range(10)]
    counts = {role: owners.count(role) for role in policy.callbacks.role_shares}
    assert counts == {
        "service_centre_manager": 1,
        "engineering_supervisor": 0,
        "repair_lead": 6,
        "department_head": 3,
    }


def test_naming_another_role_without_zeroing_a_default_says_how() -> None:
    """The merged shares sum to 1.3; the message says to set a role's share to 0."""
    with pytest.raises(PolicyError, match="set a role's share to 0 to leave it out"):
        Policy.from_toml("[callbacks.role_shares]\ndepartment_head = 0.3\n")


def test_every_default_cites_a_stated_source_or_decision() -> None:
    """Tier frequencies are a Decision (002 §10 is a heading); coverage cites the Dongke plan."""
    cited = sources()
    assert "002 §10" not in cited.values()
    assert cited["visits_per_year_by_tier"] == "Decision"
    assert (
        cited["complaint_callback_within"] == "Decision"
    )  # 000 §3.2 states 24 h after a service, not a complaint
    assert cited["coverage_target"] == "002 东科物业客户关系管理维护方案 职责"
    assert cited["role_shares"] == "002 回访工作制度 一"
    assert cited["repair_within"] == "002 回访工作制度 二"
    assert cited["rectification_within"] == "002 回访工作制度 四"
    assert cited["forums_per_year"] == "002 回访制度 2(3)"


def test_wrong_policy_object_is_a_short_error_naming_the_path() -> None:
    """Passing another capability's slice says to pass policy.callbacks, in one short line."""
    with pytest.raises(ValidationError) as info:
        plan_after_service(
            "WO-1",
            customer_id="C-1",
            completed_at=at(2025, 3, 3, 10),
            calendar=CONTACT,
            policy=CalendarPolicy(),
        )
    message = str(info.value)
    assert len(message) < 300
    assert "policy.callbacks" in message
    assert "\n" not in message


def test_root_policy_is_accepted_and_its_callback_slice_used() -> None:
    """The whole Policy works: a company's 12 h phone callback is what the planner uses."""
    company = Policy.from_toml('[callbacks]\nservice_phone_within = "12h"\n')
    plan = plan_after_service(
        "WO-1", customer_id="C-1", completed_at=at(2025, 3, 3, 8), calendar=CONTACT, policy=company
    )
    assert at(2025, 3, 3, 20) == plan.tasks[0].due


def test_contact_calendar_is_the_named_business_calendar() -> None:
    """The contact window is 09:00-20:00, no lunch gap, closed on China's holidays (RULES §6)."""
    expected = [at(2025, 3, 3, 9), at(2025, 3, 3, 12, 30), at(2025, 10, 9, 9)]
    moments = [at(2025, 3, 3, 7), at(2025, 3, 3, 12, 30), at(2025, 10, 1, 10)]
    assert [CONTACT.next_working_time(m) for m in moments] == expected


def test_contact_calendar_name_must_exist() -> None:
    """A policy naming a calendar the company does not define is an error saying which exist."""
    policy = Policy(callbacks=CallbackPolicy(contact_calendar="phones"))
    with pytest.raises(ValidationError, match=r"no calendar is named 'phones'; the policy's"):
        policy.calendar(policy.callbacks.contact_calendar)


def test_policy_is_on_the_root_and_loads_from_toml() -> None:
    """A company overrides callback numbers in its policy file."""
    policy = Policy.from_toml('[callbacks]\nservice_phone_within = "12h"\ndaily_capacity = 25\n')
    assert timedelta(hours=12) == policy.callbacks.service_phone_within
    assert policy.callbacks.daily_capacity == 25


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (
            "role_shares = {repair_lead = 0.5, engineering_supervisor = 0.6}",
            "callbacks.role_shares: expected shares",
        ),
        (
            "role_shares = {repair_lead = -0.1}",
            "callbacks.role_shares.repair_lead: expected a share from 0 to 1",
        ),
        (
            "role_shares = {service_centre_manager = 0, engineering_supervisor = 0, "
            "repair_lead = 0}",
            "callbacks.role_shares: expected at least one share above 0",
        ),
        (
            "role_shares = {department_head = 0.3}",
            "callbacks.role_shares: expected shares summing to at most 1",
        ),
        ("forums_per_year = 5", "callbacks.forums_per_year: expected 1, 2, 3, 4, 6 or 12"),
        ("visits_per_year_by_tier = {E = 1}", "callbacks.visits_per_year_by_tier: expected"),
        ("visits_per_year_by_tier = {A = 5}", "callbacks.visits_per_year_by_tier.A: expected"),
        ('festivals = ["Christmas"]', "callbacks.festivals: expected names of China's"),
        ('festivals = ["Day"]', "callbacks.festivals: expected names of China's"),
        ('vip_role = "boss"', "callbacks.vip_role: expected a role of propcrm.roles.Role"),
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
        "WO-9", customer_id="C-1", completed_at=at(2025, 3, 3, 10), policy=POLICY, calendar=CONTACT
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
    """Within a week; safety facilities within 2 days; leaks within 3 (002 回访工作制度 二)."""
    task = only(
        plan_after_repair(
            repair(kind), owner_role="engineering_supervisor", policy=POLICY, calendar=CONTACT
        )
    )
    assert at(2025, 3, 3 + days, 10) == task.due
    assert (
        task.owner_role,
        task.technician_id,
        task.kind,
    ) == ("engineering_supervisor", "T-7", CallbackKind.VISIT)
    assert task.reasons[0].source == "002 回访工作制度 二"


def test_unknown_repair_kind_is_refused() -> None:
    """A repair kind the policy does not know is an error naming the kinds it knows."""
    known = r"kind: expected one of the repair kinds \['leak', 'ordinary', 'safety'\]"
    with pytest.raises(ValidationError, match=known):
        plan_after_repair(
            repair("boiler"), owner_role="service_centre_manager", policy=POLICY, calendar=CONTACT
        )


def test_complaint_callback_after_handling() -> None:
    """The complainant is called back after the complaint is handled (002 §42)."""
    task = only(
        plan_after_complaint(
            "CP-3",
            customer_id="C-2",
            handled_at=at(2025, 3, 3, 15),
            policy=POLICY,
            calendar=CONTACT,
        )
    )
    assert (Subject(SubjectKind.COMPLAINT, "CP-3"), CallbackKind.PHONE) == (task.subject, task.kind)
    assert ("desk_staff", at(2025, 3, 4, 15)) == (task.owner_role, task.due)
    assert task.reasons[0].source == "002 §42"  # the callback duty; its 24 h is a Decision


def test_service_finished_at_21_gets_its_phone_callback_by_20_next_day() -> None:
    """Due 24 h later would be 21:00, after calling hours: due by 20:00 the next day (RULES §6)."""
    plan = plan_after_service(
        "WO-9", customer_id="C-1", completed_at=at(2025, 3, 3, 21), calendar=CONTACT
    )
    expected = [
        (CallbackKind.PHONE, at(2025, 3, 4, 9), at(2025, 3, 4, 20)),
        (CallbackKind.VISIT, at(2025, 3, 4, 9), at(2025, 3, 10, 20)),
        (CallbackKind.QUESTIONNAIRE, at(2025, 3, 4, 9), at(2025, 4, 2, 20)),
    ]
    assert expected == [(t.kind, t.earliest, t.due) for t in plan.tasks]
    assert "callback.contact_window.due_in_hours" in [r.rule for r in plan.tasks[0].reasons]
    assert plan.late == ()


def test_service_finished_before_national_day_is_called_by_20_on_the_first_calling_day() -> None:
    """Done 2025-09-30 21:00, calling closed 10-01..10-08: phone and visit due 10-09 20:00."""
    plan = plan_after_service(
        "WO-9", customer_id="C-1", completed_at=at(2025, 9, 30, 21), calendar=CONTACT
    )
    expected = [
        # 24 h -> 10-01 21:00, a closed day: by the close of the first calling day, 10-09
        (CallbackKind.PHONE, at(2025, 10, 9, 9), at(2025, 10, 9, 20)),
        # 7 days -> 10-07 21:00, still closed: the same
        (CallbackKind.VISIT, at(2025, 10, 9, 9), at(2025, 10, 9, 20)),
        # 30 days -> 10-30 21:00, after calling hours: back to 20:00 that day
        (CallbackKind.QUESTIONNAIRE, at(2025, 10, 9, 9), at(2025, 10, 30, 20)),
    ]
    assert expected == [(t.kind, t.earliest, t.due) for t in plan.tasks]
    assert "callback.contact_window.next_calling_day" in [r.rule for r in plan.tasks[0].reasons]
    assert plan.late == ()


def test_due_moment_inside_calling_hours_is_kept() -> None:
    """A phone callback due at 15:00 stays due at 15:00 and gives no extra reason."""
    plan = plan_after_service(
        "WO-9", customer_id="C-1", completed_at=at(2025, 3, 3, 15), calendar=CONTACT
    )
    assert at(2025, 3, 4, 15) == plan.tasks[0].due
    assert [r.rule for r in plan.tasks[0].reasons] == ["callback.service.phone"]


def test_repair_owner_drawn_by_the_allocator_needs_no_role() -> None:
    """With an allocator, plan_after_repair takes the next owner by share."""
    allocator = RoleShareAllocator.from_policy(counts={"repair_lead": 1})
    task = only(plan_after_repair(repair("leak"), allocator=allocator, calendar=CONTACT))
    assert (task.owner_role, allocator.total) == ("engineering_supervisor", 2)


def test_repair_needs_exactly_one_of_owner_role_and_allocator() -> None:
    """Neither (or both) is an error saying how to pass one."""
    with pytest.raises(ValidationError, match="owner_role: expected exactly one of owner_role="):
        plan_after_repair(repair(), calendar=CONTACT)


def test_repair_with_an_unknown_owner_role_is_refused() -> None:
    """The owner must be a role of the vocabulary."""
    with pytest.raises(ValidationError, match="owner_role: expected a role"):
        plan_after_repair(repair(), owner_role="supervisor", calendar=CONTACT)


def test_a_company_adds_a_repair_kind() -> None:
    """Repair kinds are policy data: an elevator repair called back within 1 day."""
    policy = CallbackPolicy(repair_within={**POLICY.repair_within, "elevator": timedelta(days=1)})
    task = only(
        plan_after_repair(
            repair("elevator"), owner_role="repair_lead", calendar=CONTACT, policy=policy
        )
    )
    assert at(2025, 3, 4, 10) == task.due


def test_unknown_repair_kind_does_not_advance_the_allocator() -> None:
    """A refused repair draws no owner: nothing half-done."""
    allocator = RoleShareAllocator.from_policy()
    with pytest.raises(ValidationError, match="kind: expected one of the repair kinds"):
        plan_after_repair(repair("boiler"), allocator=allocator, calendar=CONTACT)
    assert allocator.total == 0


def test_director_visits_each_household_once_a_year() -> None:
    """The office director visits each household 1-2 times a year (002 回访制度 2(1))."""
    plan = plan_rounds(year=2025, households=["H1", "H2"], policy=POLICY, calendar=CONTACT)
    assert [("H1", at(2025, 12, 31, 20)), ("H2", at(2025, 12, 31, 20))] == [
        (t.customer_id, t.due) for t in plan.tasks
    ]
    assert {"office_director"} == {t.owner_role for t in plan.tasks}


def test_officers_call_each_household_of_their_area_quarterly() -> None:
    """Property officers call back each area every quarter (002 回访制度 2(2))."""
    plan = plan_rounds(year=2025, areas={"north": ["H1"]}, policy=POLICY, calendar=CONTACT)
    expected = [
        (at(2025, 1, 2, 9), at(2025, 3, 31, 20)),  # New Year's Day is closed for calls
        (at(2025, 4, 1, 9), at(2025, 6, 30, 20)),
        (at(2025, 7, 1, 9), at(2025, 9, 30, 20)),
        (at(2025, 10, 9, 9), at(2025, 12, 31, 20)),  # the National Day break is closed
    ]
    assert expected == [(t.earliest, t.due) for t in plan.tasks]


def test_residents_forum_each_quarter() -> None:
    """A residents' forum each quarter, per community (002 回访制度 2(3))."""
    plan = plan_rounds(year=2025, communities=["Garden"], policy=POLICY, calendar=CONTACT)
    assert len(plan.tasks) == 4
    assert {(CallbackKind.FORUM, SubjectKind.COMMUNITY, "")} == {
        (t.kind, t.subject.kind, t.customer_id) for t in plan.tasks
    }


def test_tier_visits_follow_the_policy_frequencies() -> None:
    """Tier A monthly, B and D quarterly, C yearly by default (a Decision, cited as such)."""
    plan = plan_tier_visits(
        {"a": "A", "b": "B", "c": "C", "d": "D"}, year=2025, policy=POLICY, calendar=CONTACT
    )
    counts = {c: sum(t.customer_id == c for t in plan.tasks) for c in "abcd"}
    owners = {t.customer_id: t.owner_role for t in plan.tasks}
    assert owners == {
        "a": "vip_assistant",
        "b": "property_officer",
        "c": "property_officer",
        "d": "property_officer",
    }
    assert counts == {"a": 12, "b": 4, "c": 1, "d": 4}
    assert {"Decision (RULES §6)"} == {t.reasons[0].source for t in plan.tasks}


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
        "WO-1", customer_id="C-1", completed_at=done, policy=POLICY, calendar=CONTACT
    )
    repair = plan_after_repair(
        CompletedRepair("WO-1", "C-1", done, "leak"),
        owner_role="engineering_supervisor",
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
            subject, customer_id="C", completed_at=done, policy=POLICY, calendar=CONTACT
        ),
        plan_after_repair(
            CompletedRepair(subject, "C", done, kind),
            owner_role="engineering_supervisor",
            policy=POLICY,
            calendar=CONTACT,
        ),
        plan_after_complaint(
            subject, customer_id="C", handled_at=done, policy=POLICY, calendar=CONTACT
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
            customer_id=subject,
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
        customer_id="V-1",
        birthdays={"spouse": born},
        card_expires=expires,
        year=year,
        policy=POLICY,
        calendar=CONTACT,
    )


def test_vip_festival_greetings_go_out_on_the_festival_itself() -> None:
    """Each greeting runs 09:00-20:00 on the festival day, holidays included (RULES §6)."""
    plan = _vip(2025, date(1970, 5, 5))
    festivals = {t.id.split(":")[5]: (t.earliest, t.due) for t in plan.tasks if "festival" in t.id}
    expected = {
        "Spring Festival": (at(2025, 1, 29, 9), at(2025, 1, 29, 20)),
        "Dragon Boat Festival": (at(2025, 5, 31, 9), at(2025, 5, 31, 20)),
        "Mid-Autumn Festival": (at(2025, 10, 6, 9), at(2025, 10, 6, 20)),
        "National Day": (at(2025, 10, 1, 9), at(2025, 10, 1, 20)),
    }
    assert expected == festivals
    assert plan.late == ()


def test_spring_festival_2026_greeting_on_the_day() -> None:
    """Spring Festival 2026 falls on 17 February, inside the closed break: greet that day."""
    (spring,) = [t for t in _vip(2026, date(1970, 5, 5)).tasks if "Spring Festival" in t.id]
    assert (at(2026, 2, 17, 9), at(2026, 2, 17, 20)) == (spring.earliest, spring.due)
    assert not CONTACT.is_working_day(date(2026, 2, 17))


def test_greeting_on_a_weekday_without_calling_hours_is_reported() -> None:
    """A company that never calls on Sundays cannot greet on a Sunday birthday: it is late."""
    weekdays = BusinessCalendar("mon-sat 09:00-20:00")
    plan = plan_vip_care(
        "JK1001",
        customer_id="V-1",
        birthdays={"self": date(1970, 3, 2)},  # 2025-03-02 is a Sunday
        card_expires=date(2030, 1, 1),
        year=2025,
        calendar=weekdays,
        policy=CallbackPolicy(festivals=[]),
    )
    (birthday,) = plan.late
    assert at(2025, 3, 3, 9) == birthday.earliest
    assert "callback.contact_window.past_due" in [r.rule for r in birthday.reasons]


@pytest.mark.parametrize(("year", "day"), [(2025, date(2025, 2, 28)), (2028, date(2028, 2, 29))])
def test_leap_day_birthday_falls_on_february_28_in_common_years(year: int, day: date) -> None:
    """A 29 February birthday is greeted on 28 February in common years (002 §33)."""
    (birthday,) = [t for t in _vip(year, date(1992, 2, 29)).tasks if "birthday" in t.id]
    assert (day, day) == (birthday.earliest.date(), birthday.due.date())


def test_card_expiry_reminder_planned_once_in_the_year_it_starts() -> None:
    """From 30 days before the first invalid day, due by the last calling time before it."""
    reminders = [
        [
            t
            for t in _vip(y, date(1970, 5, 5), date(2026, 1, 20)).tasks
            if t.kind is CallbackKind.REMINDER
        ]
        for y in (2025, 2026)
    ]
    assert [len(r) for r in reminders] == [1, 0]
    expected = (at(2025, 12, 21, 9), at(2026, 1, 19, 20))
    assert expected == (reminders[0][0].earliest, reminders[0][0].due)


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
            customer_id="V",
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
    return only(
        plan_after_repair(
            repair(), owner_role="service_centre_manager", policy=POLICY, calendar=CONTACT
        )
    )


def test_problem_found_creates_a_rectification_notice_due_within_24h() -> None:
    """A problem found on a callback is notified in writing within 24 h (002 回访工作制度 §4)."""
    outcome = Outcome(at=at(2025, 3, 5, 16), reached=True, problem="still leaks", signed_by="Li")
    result = record_outcome(_task(), outcome, policy=POLICY)
    assert result.notice is not None
    assert (at(2025, 3, 6, 16), "T-7", "still leaks") == (
        result.notice.due,
        result.notice.technician_id,
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
            customer_id="C-1",
            handled_at=at(2025, 3, 3, 22, 30),
            policy=POLICY,
            calendar=CONTACT,
        )
    )
    assert (at(2025, 3, 4, 9), at(2025, 3, 4, 20)) == (task.earliest, task.due)
    assert task.fits_window
    assert "callback.contact_window.moved" in [r.rule for r in task.reasons]


def test_a_due_time_at_the_opening_of_calling_hours_comes_back_to_the_close_before() -> None:
    """A rule due at 09:00 sharp is due by 20:00 the evening before (RULES §6, [open, close))."""
    done = CompletedRepair(
        "WO-1", customer_id="C-1", completed_at=at(2025, 3, 3, 7), kind="ordinary"
    )
    policy = CallbackPolicy(repair_within={"ordinary": timedelta(hours=26)})
    task = only(
        plan_after_repair(
            done, owner_role="service_centre_manager", policy=policy, calendar=CONTACT
        )
    )
    # 07:00 + 26 h = 2025-03-04 09:00, the opening; the last calling time before it closes
    # at 2025-03-03 20:00.
    assert (at(2025, 3, 3, 9), at(2025, 3, 3, 20)) == (task.earliest, task.due)
    assert "callback.contact_window.due_in_hours" in [r.rule for r in task.reasons]


def test_callback_window_wholly_at_night_is_due_by_the_next_close() -> None:
    """Handled Mon 21:00 with 4 h (rule due 01:00): due Tue 20:00, saying why (RULES §6)."""
    policy = CallbackPolicy(complaint_callback_within=timedelta(hours=4))
    plan = plan_after_complaint(
        "CP-1", customer_id="C-1", handled_at=at(2025, 3, 3, 21), policy=policy, calendar=CONTACT
    )
    task = only(plan)
    assert (task.earliest, task.due, plan.late) == (at(2025, 3, 4, 9), at(2025, 3, 4, 20), ())
    assert "callback.contact_window.next_calling_day" in [r.rule for r in task.reasons]


@given(completed_repairs(), st.integers(1, 24 * 8))
# The rule's due moment, 2025-01-27 09:00, is the opening of a calling day: no calling
# time precedes it, so the task must be due by the close before it, 2025-01-26 20:00.
@example(
    done=CompletedRepair(
        "WO-1",
        customer_id="C-1",
        completed_at=datetime(2025, 1, 22, 7, tzinfo=SH),
        kind="ordinary",
        technician_id="T-1",
    ),
    hours=122,
)
def test_task_times_fall_in_the_contact_window(done: CompletedRepair, hours: int) -> None:
    """Earliest and due lie in calling hours: by the rule, else by the first calling close."""
    within = timedelta(hours=hours)
    policy = CallbackPolicy(repair_within={done.kind: within})
    plan = plan_after_repair(
        done, owner_role="service_centre_manager", policy=policy, calendar=CONTACT
    )
    task = only(plan)
    assert CONTACT.next_working_time(task.earliest) == task.earliest
    assert task.earliest >= done.completed_at
    assert plan.late == ()
    rule_due = done.completed_at + within
    if CONTACT.elapsed(done.completed_at, rule_due) == timedelta(0):
        assert task.due == CONTACT.close_of_day(task.earliest)
        assert "callback.contact_window.next_calling_day" in [r.rule for r in task.reasons]
    else:
        assert task.due <= rule_due
        assert CONTACT.is_working_time(task.due - timedelta(microseconds=1))
        assert CONTACT.elapsed(task.due, rule_due) == timedelta(0)
