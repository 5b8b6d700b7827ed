"""Callbacks: repair role shares, balancing tasks across staff, and the month's coverage."""

from __future__ import annotations

import warnings
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import (
    BusinessCalendar,
    CompletedRepair,
    Policy,
    ProvisionalCalendarWarning,
    RoleShareAllocator,
    StaffMember,
    ValidationError,
    balance,
    coverage,
)
from propcrm.callbacks import (
    CallbackKind,
    CallbackPolicy,
    CallbackTask,
    Outcome,
    Subject,
    SubjectKind,
    TaskStatus,
    plan_repair_callbacks,
)
from propcrm.roles import Role
from propcrm.testing.strategies import (
    callback_tasks,
    completed_repairs,
    role_shares,
    staff_members,
)

SH = ZoneInfo("Asia/Shanghai")
POLICY = CallbackPolicy()
with warnings.catch_warnings():  # later years are provisional; cover them quietly
    warnings.simplefilter("ignore", ProvisionalCalendarWarning)
    CONTACT = BusinessCalendar.china("mon-sun 09:00-20:00", years=range(2024, 2031))
GREETING_HOURS = BusinessCalendar("mon-sun 09:00-20:00")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


# --- role shares ---------------------------------------------------------------------------


def test_role_shares_of_the_first_ten_repairs() -> None:
    """Ten repairs: 1 manager, 3 supervisors, 6 repair leads (002 回访工作制度 一)."""
    allocator = RoleShareAllocator.from_policy(POLICY)
    roles = [allocator.assign() for _ in range(10)]
    expected = {"service_centre_manager": 1, "engineering_supervisor": 3, "repair_lead": 6}
    assert expected == allocator.counts
    assert expected == {r: roles.count(r) for r in roles}


def test_a_tie_goes_to_the_larger_share() -> None:
    """Shares 3/4 and 1/4: the second repair ties at a deficit of 1/2 each and goes to 3/4."""
    allocator = RoleShareAllocator({"service_centre_manager": 0.75, "engineering_supervisor": 0.25})
    roles = [allocator.assign() for _ in range(4)]
    manager, supervisor = "service_centre_manager", "engineering_supervisor"
    assert roles == [manager, manager, supervisor, manager]


def test_a_tie_between_equal_shares_goes_by_role_name() -> None:
    """Equal shares tie on the first repair; "engineering..." sorts before "service..."."""
    allocator = RoleShareAllocator({"service_centre_manager": 0.5, "engineering_supervisor": 0.5})
    roles = [allocator.assign() for _ in range(4)]
    manager, supervisor = "service_centre_manager", "engineering_supervisor"
    assert roles == [supervisor, manager, supervisor, manager]


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
    shares = {"desk_staff": 0.5, "repair_lead": 0.5}
    allocator = RoleShareAllocator(shares, counts={"desk_staff": 2})
    assert (allocator.shares, allocator.total) == (shares, 2)
    expected = (
        "RoleShareAllocator({'desk_staff': 0.5, 'repair_lead': 0.5}, "
        "counts={'desk_staff': 2, 'repair_lead': 0})"
    )
    assert expected == repr(allocator)
    assert allocator.assign() == "repair_lead"


@pytest.mark.parametrize("shares", [{}, [], {"repair_lead": True}, {"": 0.5}, {"boss": 0.5}])
def test_allocator_refuses_bad_shares(shares: object) -> None:
    """Shares must be a non-empty table of known role -> number in (0, 1]."""
    with pytest.raises(ValidationError, match="shares"):
        RoleShareAllocator(shares)  # type: ignore[arg-type]


def test_allocator_refuses_bad_counts() -> None:
    """Counts for an unknown role or negative counts are refused."""
    with pytest.raises(ValidationError, match="counts.boss"):
        RoleShareAllocator(POLICY.role_shares, counts={"boss": 1})
    with pytest.raises(ValidationError, match="counts.repair_lead: expected an integer >= 0"):
        RoleShareAllocator(POLICY.role_shares, counts={"repair_lead": -1})


def test_allocator_messages_name_the_argument_and_the_value() -> None:
    """Each refusal names the argument (or the role in it), what it expects and the value."""
    shares = {"repair_lead": 1.0}
    cases = [
        ({}, None, "shares: expected a non-empty table of role -> share, got {}"),
        (
            shares,
            "x",
            "counts: expected a mapping of role -> items given so far, e.g. allocator.counts,"
            " got 'x'; pass a dict",
        ),
        (shares, {"boss": 1}, "counts.boss: expected one of the roles ['repair_lead'], got 'boss'"),
        (shares, {"repair_lead": "3"}, "counts.repair_lead: expected an integer >= 0, got '3'"),
    ]
    for bad_shares, counts, message in cases:
        with pytest.raises(ValidationError) as raised:
            RoleShareAllocator(bad_shares, counts=counts)  # type: ignore[arg-type]
        assert str(raised.value) == message


def test_allocator_keyed_by_role_members_reports_plain_role_names() -> None:
    """Shares keyed by Role members show as plain role names in shares and repr."""
    allocator = RoleShareAllocator({Role.REPAIR_LEAD: 1.0}, counts={Role.REPAIR_LEAD: 2})
    assert repr(allocator) == "RoleShareAllocator({'repair_lead': 1.0}, counts={'repair_lead': 2})"


def test_allocator_from_the_root_policy_takes_its_role_shares() -> None:
    """A root Policy with a 50/50 lead/manager split: the tie goes by name, lead first."""
    shares = {"service_centre_manager": 0.5, "repair_lead": 0.5}
    policy = attrs.evolve(Policy(), callbacks=CallbackPolicy(role_shares=shares))
    allocator = RoleShareAllocator.from_policy(policy)
    assert allocator.shares == shares
    assert [allocator.assign() for _ in range(2)] == ["repair_lead", "service_centre_manager"]


def test_batch_repair_callbacks_draw_owners_from_the_allocator() -> None:
    """Each repair gets exactly one callback and one owner."""
    repairs = [CompletedRepair(f"WO-{i}", "C-1", at(2025, 3, 3, 10)) for i in range(20)]
    plan = plan_repair_callbacks(repairs, calendar=CONTACT)
    assert {r: sum(t.owner_role == r for t in plan.tasks) for r in POLICY.role_shares} == {
        "service_centre_manager": 2,
        "engineering_supervisor": 6,
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
        (a.task_id, a.on) for a in plan.assignments
    ]
    assert [t.reasons[-1].rule for t in plan.late] == ["callback.balance.no_capacity"] * 3


def test_balancer_gives_out_planned_tasks_only() -> None:
    """Of four tasks, one done, one unreached, one cancelled: only the planned one is given out."""
    statuses = [TaskStatus.PLANNED, TaskStatus.DONE, TaskStatus.UNREACHED, TaskStatus.CANCELLED]
    tasks = [
        attrs.evolve(_callback(i, at(2025, 3, 3, 9), at(2025, 3, 10)), status=status)
        for i, status in enumerate(statuses)
    ]
    plan = balance(
        tasks,
        [StaffMember("S-1", "repair_lead", 5)],
        start=date(2025, 3, 3),
        days=7,
        policy=POLICY,
        calendar=CONTACT,
    )
    assert [(a.task_id, a.on) for a in plan.assignments] == [("t0", date(2025, 3, 3))]
    assert ([t.id for t in plan.closed], plan.late, plan.deferred) == (["t1", "t2", "t3"], (), ())


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
    assert [(a.task_id, a.on.day) for a in plan.assignments] == [
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
        _callback(1, at(2025, 3, 3, 9), at(2025, 3, 5), role="service_centre_manager"),
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
    assert {t.id: t.reasons[-1].rule for t in plan.late} == {
        "t1": "callback.balance.no_staff",
        "t3": "callback.balance.due_before_horizon",
        "t4": "callback.balance.no_contact_time",
    }
    assert [t.id for t in plan.deferred] == ["t2"]


def test_balancer_keeps_a_task_with_its_assigned_person() -> None:
    """A task already given to someone stays with them and uses their capacity."""
    task = _callback(1, at(2025, 3, 3, 9), at(2025, 3, 6))
    task.staff_id = "S-2"
    staff = [StaffMember("S-1", "repair_lead", 1), StaffMember("S-2", "repair_lead", 3)]
    plan = balance(
        [task, _callback(2, at(2025, 3, 3, 9), at(2025, 3, 6))],
        staff,
        start=date(2025, 3, 3),
        days=3,
        policy=POLICY,
        calendar=CONTACT,
    )
    assert {a.task_id: a.staff_id for a in plan.assignments} == {"t1": "S-2", "t2": "S-2"}


def test_balancer_moves_on_when_a_fixed_task_took_the_last_place() -> None:
    """Room used by a fixed assignment is not offered twice; overflow past the horizon waits."""
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 9)) for i in range(1, 6)]
    tasks[0].staff_id = "S-2"
    staff = [StaffMember("S-1", "repair_lead", 1), StaffMember("S-2", "repair_lead", 1)]
    plan = balance(tasks, staff, start=date(2025, 3, 3), days=2, policy=POLICY, calendar=CONTACT)
    assert [(a.task_id, a.staff_id, a.on.day) for a in plan.assignments] == [
        ("t1", "S-2", 3),
        ("t2", "S-1", 3),
        ("t3", "S-1", 4),
        ("t4", "S-2", 4),
    ]
    assert ([t.id for t in plan.deferred], plan.late) == (["t5"], ())


def test_balancer_reports_a_fixed_person_who_is_full_or_unknown() -> None:
    """A task tied to a person without room, or to nobody on the team, is reported late."""
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 3, 20)) for i in range(4)]
    tasks[0].staff_id = tasks[1].staff_id = "S-1"
    tasks[2].staff_id = "S-9"
    staff = [StaffMember("S-1", "repair_lead", 1), StaffMember("S-2", "repair_lead", 1)]
    plan = balance(tasks, staff, start=date(2025, 3, 3), days=1, policy=POLICY, calendar=CONTACT)
    assert {a.task_id: a.staff_id for a in plan.assignments} == {"t0": "S-1", "t3": "S-2"}
    expected = [("t1", "callback.balance.no_capacity"), ("t2", "callback.balance.unknown_staff")]
    assert expected == [(t.id, t.reasons[-1].rule) for t in plan.late]


def test_balancer_reports_an_unknown_person_even_when_due_after_the_horizon() -> None:
    """A task tied to someone not on the team is reported, never deferred without a word."""
    soon = _callback(1, at(2025, 3, 3, 9), at(2025, 3, 4, 18))
    later = _callback(2, at(2025, 3, 3, 9), at(2025, 3, 20, 18))
    soon.staff_id = later.staff_id = "S-9"
    staff = [StaffMember("S-1", "repair_lead")]
    plan = balance(
        [soon, later], staff, start=date(2025, 3, 3), days=7, policy=POLICY, calendar=CONTACT
    )
    assert not plan.assignments
    assert not plan.deferred
    rule = "callback.balance.unknown_staff"
    assert [("t1", rule), ("t2", rule)] == [(t.id, t.reasons[-1].rule) for t in plan.late]
    message = "staff 'S-9' is not in staff; add them or clear task.staff_id"
    assert message == plan.late[1].reasons[-1].message


def test_late_holds_tasks_with_the_balancer_reason_last() -> None:
    """BalancePlan.late holds tasks, as CallbackPlan.late does; the reason is appended."""
    task = _callback(1, at(2025, 3, 3, 9), at(2025, 3, 5), role="desk_staff")
    plan = balance([task], [], start=date(2025, 3, 3), days=3, calendar=CONTACT)
    (late,) = plan.late
    assert isinstance(late, CallbackTask)
    assert (late.id, late.reasons[-1].rule) == ("t1", "callback.balance.no_staff")


def test_a_greeting_is_given_out_on_a_public_holiday() -> None:
    """Spring Festival 2026 (17 Feb) is closed for routine calls, but its greeting goes out."""
    greeting = CallbackTask(
        "g1",
        Subject(SubjectKind.VIP_CARD, "JK1001"),
        CallbackKind.GREETING,
        "V-1",
        "vip_assistant",
        at(2026, 2, 17, 9),
        at(2026, 2, 17, 20),
    )
    routine = _callback(2, at(2026, 2, 17, 9), at(2026, 2, 17, 20), role="vip_assistant")
    plan = balance(
        [greeting, routine],
        [StaffMember("A-1", "vip_assistant")],
        start=date(2026, 2, 16),
        days=3,
        calendar=CONTACT,
    )
    assert [("g1", "A-1", date(2026, 2, 17))] == [
        (a.task_id, a.staff_id, a.on) for a in plan.assignments
    ]
    assert [(t.id, t.reasons[-1].rule) for t in plan.late] == [
        ("t2", "callback.balance.no_contact_time")
    ]


def test_a_routine_task_tied_to_a_person_skips_closed_days() -> None:
    """A fixed person's task waits for the first calling day after the National Day break."""
    task = _callback(1, at(2025, 9, 30, 21), at(2025, 10, 12))
    task.staff_id = "S-1"
    plan = balance(
        [task], [StaffMember("S-1", "repair_lead")], start=date(2025, 9, 30), days=14,
        calendar=CONTACT,
    )  # fmt: skip
    assert [date(2025, 10, 9)] == [a.on for a in plan.assignments]


def test_balancer_takes_the_root_policy_capacity() -> None:
    """The root Policy's daily_capacity applies to people without their own."""
    company = Policy.from_toml("[callbacks]\ndaily_capacity = 1\n")
    tasks = [_callback(i, at(2025, 3, 3, 9), at(2025, 3, 3, 20)) for i in range(2)]
    plan = balance(
        tasks, [StaffMember("S-1", "repair_lead")], start=date(2025, 3, 3), days=1,
        calendar=CONTACT, policy=company,
    )  # fmt: skip
    assert (len(plan.assignments), len(plan.late)) == (1, 1)


@pytest.mark.parametrize("days", [0, 3654, 1.5, "7", True])
def test_balancer_refuses_a_bad_horizon(days: Any) -> None:
    """The horizon needs a date and a whole number of days, from one to ten years (3653)."""
    with pytest.raises(ValidationError, match="days: expected an integer from 1 to 3653"):
        balance([], [], start=date(2025, 3, 3), days=days, policy=POLICY, calendar=CONTACT)
    with pytest.raises(ValidationError, match="start: expected a datetime.date"):
        balance([], [], start=at(2025, 3, 3), days=1, policy=POLICY, calendar=CONTACT)


TWO_ROLES = ("repair_lead", "engineering_supervisor")


@given(
    st.lists(callback_tasks(roles=TWO_ROLES), max_size=40, unique_by=lambda t: t.id),
    st.lists(staff_members(roles=TWO_ROLES), max_size=5, unique_by=lambda s: s.id),
    st.integers(1, 20),
)
def test_balancer_never_exceeds_capacity_nor_hides_a_task(
    tasks: list[CallbackTask], staff: list[StaffMember], days: int
) -> None:
    """Every task is assigned in its window, reported late or deferred; no one is overloaded."""
    start = date(2025, 1, 1)
    plan = balance(tasks, staff, start=start, days=days, policy=POLICY, calendar=CONTACT)
    seen = [a.task_id for a in plan.assignments]
    seen += [t.id for t in plan.late] + [t.id for t in plan.deferred]
    assert sorted(t.id for t in tasks) == sorted(seen)
    capacity = {
        s.id: POLICY.daily_capacity if s.daily_capacity is None else s.daily_capacity for s in staff
    }
    for (person, _day), count in plan.load().items():
        assert count <= capacity[person]
    by_id = {t.id: t for t in tasks}
    for task in plan.late:
        hours = GREETING_HOURS if task.on_closed_days else CONTACT
        if task.reasons[-1].rule == "callback.balance.no_contact_time":
            assert hours.next_working_time(task.earliest) >= task.due
    roles = {s.id: s.role for s in staff}
    for a in plan.assignments:
        task = by_id[a.task_id]
        hours = GREETING_HOURS if task.on_closed_days else CONTACT
        midnight = datetime.combine(a.on, time(0), tzinfo=SH)
        contact = hours.next_working_time(max(task.earliest, midnight))
        assert contact.date() == a.on
        assert contact < task.due
        assert start <= a.on < start + timedelta(days=days)
        assert roles[a.staff_id] == task.owner_role


# --- coverage ------------------------------------------------------------------------------


def _reached(customer: str, when: datetime) -> CallbackTask:
    task = _callback(0, at(2025, 3, 1, 9), at(2025, 3, 31))
    task.customer_id = customer
    task.outcome = Outcome(at=when, reached=True)
    return task


def test_coverage_meets_85_percent() -> None:
    """17 of 20 customers reached in the month meets the 85 % target (002 Dongke plan)."""
    customers = [f"C-{i}" for i in range(20)]
    tasks = [_reached(c, at(2025, 3, 10, 10)) for c in customers[:17]]
    report = coverage(customers, tasks, month=date(2025, 3, 17), tz="Asia/Shanghai", policy=POLICY)
    assert (report.reached, report.customers, report.share, report.met) == (17, 20, 0.85, True)
    assert report.unreached_ids == ("C-17", "C-18", "C-19")


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
    with pytest.raises(ValidationError, match="customer_ids: expected at least one"):
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
    with pytest.raises(ValidationError):
        make()
