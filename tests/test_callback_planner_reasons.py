"""Callback planners reason by reason: rules, facts, sources, policies and argument errors.

RULES § 6: the three-step callback after a service (000 § 3.2), the repair callback by
kind and role share (002 回访工作制度 一-二), the complaint callback (002 § 42) and the
rectification notice within 24 h of a problem found (四). Every task and outcome says
why, with the facts it used. The calling-hours calendar is every day 09:00-20:00, so
the moments below (Monday 3 March 2025, 10:00 in Shanghai) need no moving.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from propcrm import (
    BusinessCalendar,
    CompletedRepair,
    Policy,
    ProvisionalCalendarWarning,
    RoleShareAllocator,
    ValidationError,
    plan_after_repair,
)
from propcrm.callbacks import (
    CallbackKind,
    CallbackPolicy,
    CallbackTask,
    Outcome,
    Subject,
    SubjectKind,
    plan_after_complaint,
    plan_after_service,
    plan_repair_callbacks,
    record_outcome,
)
from propcrm.explain import Reason

SH = ZoneInfo("Asia/Shanghai")
DONE = datetime(2025, 3, 3, 10, tzinfo=SH)  # a Monday, inside calling hours


def contact_calendar() -> BusinessCalendar:
    """Calling hours of RULES § 6 (09:00-20:00 every day, closed on holidays)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        return Policy().calendar("contact", years=range(2024, 2027))


CONTACT = contact_calendar()
MANAGERS_ONLY = {"service_centre_manager": 1.0}


def leak(kind: str = "leak") -> CompletedRepair:
    return CompletedRepair("WO-9", "C-3", DONE, kind, "T-7")


def visit(due: datetime = DONE + timedelta(days=3)) -> CallbackTask:
    return CallbackTask(
        "work_order:WO-9:repair:visit",
        Subject(SubjectKind.WORK_ORDER, "WO-9"),
        CallbackKind.VISIT,
        "C-3",
        "repair_lead",
        DONE,
        due,
        technician_id="T-7",
    )


# --- after a service (000 § 3.2) -------------------------------------------------------------


def test_the_service_phone_callback_gives_its_rule_message_facts_and_source() -> None:
    """The phone step: 'phone callback within 1 day of the service', the start and window."""
    plan = plan_after_service("WO-1", customer_id="C-1", completed_at=DONE, calendar=CONTACT)
    assert plan.tasks[0].reasons == (
        Reason(
            "callback.service.phone",
            "phone callback within 1 day of the service",
            {"completed_at": "2025-03-03T10:00:00+08:00", "within": timedelta(hours=24)},
            "000 §3.2",
        ),
    )


def test_service_callbacks_are_for_the_customer_and_technician_given() -> None:
    """Every step is addressed to the customer and names the technician who did the work."""
    plan = plan_after_service(
        "WO-1", customer_id="C-1", completed_at=DONE, calendar=CONTACT, technician_id="T-2"
    )
    assert [(t.customer_id, t.technician_id) for t in plan.tasks] == [("C-1", "T-2")] * 3


def test_service_callbacks_name_no_technician_unless_given() -> None:
    """Without technician_id the tasks carry the empty name, not a placeholder."""
    plan = plan_after_service("WO-1", customer_id="C-1", completed_at=DONE, calendar=CONTACT)
    assert [t.technician_id for t in plan.tasks] == ["", "", ""]


def test_a_naive_service_completion_names_completed_at() -> None:
    """A completion time without a zone is refused by its argument name."""
    with pytest.raises(ValidationError) as caught:
        plan_after_service(
            "WO-1", customer_id="C-1", completed_at=datetime(2025, 3, 3, 10), calendar=CONTACT
        )
    assert caught.value.field == "completed_at"
    assert str(caught.value) == (
        "completed_at must be timezone-aware (got 2025-03-03 10:00:00); "
        "attach a zone, e.g. ZoneInfo('Asia/Shanghai')"
    )


# --- after a complaint (002 § 42) ------------------------------------------------------------


def test_the_complaint_callback_gives_its_rule_message_facts_and_source() -> None:
    """002 §42: call the complainant back within 24 h; the handling time and window as facts."""
    plan = plan_after_complaint("K-1", customer_id="C-5", handled_at=DONE, calendar=CONTACT)
    task = plan.tasks[0]
    assert task.reasons == (
        Reason(
            "callback.complaint",
            "complaint handled: call the complainant back (002 §42) within 1 day "
            "to hear their view of the handling",
            {"handled_at": "2025-03-03T10:00:00+08:00", "within": timedelta(hours=24)},
            "002 §42",
        ),
    )


def test_the_complaint_callback_is_a_complaint_task_for_the_complainant() -> None:
    """Its id names the complaint family and it is addressed to the complainant."""
    plan = plan_after_complaint("K-1", customer_id="C-5", handled_at=DONE, calendar=CONTACT)
    task = plan.tasks[0]
    assert (task.id, task.customer_id) == ("complaint:K-1:complaint:phone", "C-5")


def test_the_complaint_callback_window_comes_from_the_root_policy() -> None:
    """A company's 2 h complaint callback: handled at 10:00, due at 12:00 the same day."""
    policy = Policy(callbacks=CallbackPolicy(complaint_callback_within=timedelta(hours=2)))
    task = plan_after_complaint(
        "K-1", customer_id="C-5", handled_at=DONE, calendar=CONTACT, policy=policy
    ).tasks[0]
    assert task.due == datetime(2025, 3, 3, 12, tzinfo=SH)


def test_a_naive_handling_time_names_handled_at() -> None:
    """A handling time without a zone is refused by its argument name."""
    with pytest.raises(ValidationError) as caught:
        plan_after_complaint(
            "K-1", customer_id="C-5", handled_at=datetime(2025, 3, 3, 10), calendar=CONTACT
        )
    assert caught.value.field == "handled_at"
    assert str(caught.value).startswith("handled_at must be timezone-aware")


def test_a_complaint_callback_policy_of_another_type_names_the_slice() -> None:
    """A policy that is neither Policy nor CallbackPolicy: the message names policy.callbacks."""
    with pytest.raises(ValidationError) as caught:
        plan_after_complaint(
            "K-1", customer_id="C-5", handled_at=DONE, calendar=CONTACT, policy="strict"
        )
    assert str(caught.value) == (
        "policy: expected a CallbackPolicy, got a str; pass policy.callbacks or the whole Policy"
    )


# --- after a repair (002 回访工作制度 一-二) ----------------------------------------------------


def test_the_repair_callback_gives_kind_window_and_owner_as_facts() -> None:
    """A leak: 'leak repair: callback within 3 days, owned by repair_lead' and its facts."""
    task = plan_after_repair(leak(), calendar=CONTACT, owner_role="repair_lead").tasks[0]
    assert task.reasons == (
        Reason(
            "callback.repair.leak",
            "leak repair: callback within 3 days, owned by repair_lead",
            {"kind": "leak", "within": timedelta(days=3), "owner_role": "repair_lead"},
            "002 回访工作制度 二",
        ),
    )


def test_the_repair_callback_is_a_visit_to_the_repair_s_customer() -> None:
    """The visit is addressed to the customer of the repair, due 3 days after a leak repair."""
    task = plan_after_repair(leak(), calendar=CONTACT, owner_role="repair_lead").tasks[0]
    assert (task.customer_id, task.due) == ("C-3", datetime(2025, 3, 6, 10, tzinfo=SH))


def test_a_repair_window_comes_from_the_root_policy() -> None:
    """A company's 1-day leak window: repaired Monday 10:00, visited by Tuesday 10:00."""
    policy = Policy(callbacks=CallbackPolicy(repair_within={"leak": timedelta(days=1)}))
    task = plan_after_repair(leak(), calendar=CONTACT, policy=policy, owner_role="repair_lead")
    assert task.tasks[0].due == datetime(2025, 3, 4, 10, tzinfo=SH)


def test_neither_owner_nor_allocator_is_refused_with_the_way_out() -> None:
    """Exactly one of owner_role= and allocator=: the message shows both and the fix."""
    with pytest.raises(ValidationError) as caught:
        plan_after_repair(leak(), calendar=CONTACT)
    assert str(caught.value) == (
        "owner_role: expected exactly one of owner_role= and allocator=, got (None, None); "
        "pass allocator=RoleShareAllocator.from_policy(policy) to draw owners by share"
    )


def test_a_repair_that_is_not_a_completed_repair_names_repair() -> None:
    """A work-order id instead of a CompletedRepair: 'repair: expected a CompletedRepair'."""
    with pytest.raises(ValidationError) as caught:
        plan_after_repair("WO-9", calendar=CONTACT, owner_role="repair_lead")  # type: ignore[arg-type]
    assert str(caught.value) == "repair: expected a CompletedRepair, got 'WO-9'"


def test_a_repair_allocator_of_another_type_names_allocator() -> None:
    """A role-share table instead of an allocator: 'allocator: expected a RoleShareAllocator'."""
    with pytest.raises(ValidationError) as caught:
        plan_after_repair(leak(), calendar=CONTACT, allocator=MANAGERS_ONLY)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "allocator: expected a RoleShareAllocator or None, got {'service_centre_manager': 1.0}"
    )


# --- a batch of repairs ---------------------------------------------------------------------


def test_a_batch_draws_owners_from_the_allocator_given() -> None:
    """An allocator giving every repair to the manager: both callbacks are the manager's."""
    plan = plan_repair_callbacks(
        [leak(), leak("safety")], calendar=CONTACT, allocator=RoleShareAllocator(MANAGERS_ONLY)
    )
    assert [t.owner_role for t in plan.tasks] == ["service_centre_manager"] * 2


def test_a_batch_window_comes_from_the_root_policy() -> None:
    """A company's 1-day leak window applies to a batch planned with the root policy."""
    policy = Policy(callbacks=CallbackPolicy(repair_within={"leak": timedelta(days=1)}))
    plan = plan_repair_callbacks([leak()], calendar=CONTACT, policy=policy)
    assert plan.tasks[0].due == datetime(2025, 3, 4, 10, tzinfo=SH)


def test_a_batch_window_comes_from_the_callback_policy() -> None:
    """The same 1-day window given as the callbacks slice itself."""
    policy = CallbackPolicy(repair_within={"leak": timedelta(days=1)})
    plan = plan_repair_callbacks([leak()], calendar=CONTACT, policy=policy)
    assert plan.tasks[0].due == datetime(2025, 3, 4, 10, tzinfo=SH)


def test_a_batch_that_is_not_a_list_names_repairs() -> None:
    """A single string is not a list of repairs: the message says what to pass."""
    with pytest.raises(ValidationError) as caught:
        plan_repair_callbacks("WO-9", calendar=CONTACT)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "repairs: expected a list of CompletedRepair, got 'WO-9'; pass a list or tuple"
    )


def test_a_batch_allocator_of_another_type_names_allocator() -> None:
    """A role-share table instead of an allocator is refused before anything is planned."""
    with pytest.raises(ValidationError) as caught:
        plan_repair_callbacks([leak()], calendar=CONTACT, allocator=MANAGERS_ONLY)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "allocator: expected a RoleShareAllocator or None, got {'service_centre_manager': 1.0}"
    )


# --- recording an outcome (002 回访工作制度 四) -------------------------------------------------


def test_an_outcome_at_the_due_moment_is_not_late() -> None:
    """Reached exactly at the due time: done, with no lateness reason."""
    task = visit()
    result = record_outcome(task, Outcome(task.due, reached=True))
    assert result.reasons == ()


def test_a_late_outcome_gives_its_moment_and_the_due_time() -> None:
    """One minute after the due time: 'callback.done_late' with both moments as facts."""
    task = visit()
    result = record_outcome(task, Outcome(task.due + timedelta(minutes=1), reached=True))
    assert result.reasons == (
        Reason(
            "callback.done_late",
            "the callback happened after its due time 2025-03-06T10:00:00+08:00",
            {"at": "2025-03-06T10:01:00+08:00", "due": "2025-03-06T10:00:00+08:00"},
        ),
    )


def test_a_problem_found_owes_a_notice_within_24_hours_and_says_why() -> None:
    """002 回访工作制度 四: the problem and the notice's due time, 24 h after the callback."""
    at = datetime(2025, 3, 5, 15, tzinfo=SH)
    result = record_outcome(visit(), Outcome(at, reached=True, problem="tap still drips"))
    why = Reason(
        "callback.rectification",
        "problem found on the callback: notify the technician in writing within 1 day",
        {"problem": "tap still drips", "due": "2025-03-06T15:00:00+08:00"},
        "002 回访工作制度 四",
    )
    assert result.reasons == (why,)
    assert result.notice is not None
    assert result.notice.reasons == (why,)


def test_a_rectification_notice_names_the_task_subject_and_moment() -> None:
    """The notice follows its callback: task id, work order, technician, problem, issue time."""
    at = datetime(2025, 3, 5, 15, tzinfo=SH)
    notice = record_outcome(visit(), Outcome(at, reached=True, problem="tap still drips")).notice
    assert notice is not None
    assert (notice.task_id, notice.subject, notice.technician_id, notice.problem) == (
        "work_order:WO-9:repair:visit",
        Subject(SubjectKind.WORK_ORDER, "WO-9"),
        "T-7",
        "tap still drips",
    )
    assert (notice.issued_at, notice.due) == (at, datetime(2025, 3, 6, 15, tzinfo=SH))


def test_the_rectification_window_comes_from_the_callback_policy() -> None:
    """A company's 12 h notice: a problem found at 15:00 is notified by 03:00 next day."""
    at = datetime(2025, 3, 5, 15, tzinfo=SH)
    policy = CallbackPolicy(rectification_within=timedelta(hours=12))
    result = record_outcome(visit(), Outcome(at, reached=True, problem="leak"), policy=policy)
    assert result.notice is not None
    assert result.notice.due == datetime(2025, 3, 6, 3, tzinfo=SH)


def test_the_rectification_window_comes_from_the_root_policy() -> None:
    """The same 12 h notice from the whole Policy."""
    at = datetime(2025, 3, 5, 15, tzinfo=SH)
    policy = Policy(callbacks=CallbackPolicy(rectification_within=timedelta(hours=12)))
    result = record_outcome(visit(), Outcome(at, reached=True, problem="leak"), policy=policy)
    assert result.notice is not None
    assert result.notice.due == datetime(2025, 3, 6, 3, tzinfo=SH)


def test_an_outcome_is_recorded_once_and_the_error_names_the_task() -> None:
    """A second outcome: 'task: expected a task without an outcome' with the id and the rule."""
    done = record_outcome(visit(), Outcome(DONE, reached=True)).task
    with pytest.raises(ValidationError) as caught:
        record_outcome(done, Outcome(DONE, reached=True))
    assert caught.value.field == "task"
    assert str(caught.value) == (
        "task: expected a task without an outcome, got 'work_order:WO-9:repair:visit'; "
        "a callback's outcome is recorded once"
    )


def test_an_outcome_for_something_that_is_not_a_task_names_task() -> None:
    """A task id instead of the task: 'task: expected a CallbackTask'."""
    with pytest.raises(ValidationError) as caught:
        record_outcome("T-1", Outcome(DONE, reached=True))  # type: ignore[arg-type]
    assert str(caught.value) == "task: expected a CallbackTask, got 'T-1'"


def test_an_outcome_that_is_not_an_outcome_names_outcome() -> None:
    """A bare 'reached' flag instead of an Outcome: 'outcome: expected an Outcome'."""
    with pytest.raises(ValidationError) as caught:
        record_outcome(visit(), True)  # type: ignore[arg-type]
    assert str(caught.value) == "outcome: expected an Outcome, got True"
