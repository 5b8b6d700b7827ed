"""Callbacks after a service, a repair or a complaint, and recording what a callback found.

Private module: import these names from :mod:`propcrm.callbacks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from propcrm import _callback_rounds as _rounds
from propcrm._callback_policy import REPAIR_RULES, CallbackPolicy
from propcrm._callback_shares import RoleShareAllocator
from propcrm._callback_tasks import (
    CallbackKind,
    CallbackPlan,
    CallbackTask,
    CompletedRepair,
    Outcome,
    OutcomeResult,
    RectificationNotice,
    Subject,
    SubjectKind,
    TaskStatus,
    make_task,
)
from propcrm._checks import require_instance, require_items
from propcrm._slices import policy_slice
from propcrm._time import require_aware
from propcrm.calendar import BusinessCalendar
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "plan_after_complaint",
    "plan_after_repair",
    "plan_after_service",
    "plan_repair_callbacks",
    "record_outcome",
]


_ALLOCATOR = "a RoleShareAllocator or None"


def plan_after_service(
    work_order_id: str,
    *,
    customer_id: str,
    completed_at: datetime,
    calendar: BusinessCalendar,
    policy: object = None,
    technician_id: str = "",
) -> CallbackPlan:
    """Plan the three-step callback (三次回访) after a completed service (000 § 3.2).

    A phone call within 24 h, a visit within a week and a questionnaire within
    a month, each counted from ``completed_at``; a due moment outside calling
    hours comes back to the end of the last calling period before it, and a
    window with no calling time at all (a service finished at 21:00 before a
    week of holidays) is due by the close of the first calling day (RULES §6).

    Args:
        work_order_id: The work order of the service.
        customer_id: The customer called back.
        completed_at: When the service was completed.
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
        technician_id: Who did the work.
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    start = require_aware(completed_at, "completed_at")
    steps = (
        (CallbackKind.PHONE, settings.service_phone_within),
        (CallbackKind.VISIT, settings.service_visit_within),
        (CallbackKind.QUESTIONNAIRE, settings.service_questionnaire_within),
    )
    subject = Subject(SubjectKind.WORK_ORDER, work_order_id)
    tasks = tuple(
        make_task(
            subject,
            kind,
            customer_id,
            settings.service_role,
            start,
            _rounds.plus(start, within),
            calendar,
            Reason(
                f"callback.service.{kind.value}",
                f"{kind.value} callback within {_rounds.human(within)} of the service",
                {"completed_at": start.isoformat(), "within": within},
                "000 §3.2",
            ),
            family="service",
            technician_id=technician_id,
            carry_over=True,
        )
        for kind, within in steps
    )
    return CallbackPlan(tasks)


def plan_after_repair(
    repair: CompletedRepair,
    *,
    calendar: BusinessCalendar,
    policy: object = None,
    owner_role: str | None = None,
    allocator: RoleShareAllocator | None = None,
) -> CallbackPlan:
    """Plan the callback visit after a repair, due by repair kind (002 回访工作制度 二).

    Ordinary repairs within 7 days, safety facilities within 2, leaks within 3
    (the policy's ``repair_within`` names the known kinds). The visit inspects
    the repair, asks about the technician and the charge, and gets a signature
    (三). The owner is ``owner_role`` when the caller decides, else the next
    role of ``allocator`` (002 回访工作制度 一).

    Args:
        repair: The completed repair.
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
        owner_role: The :class:`~propcrm.roles.Role` that owns the callback.
        allocator: Draws the owner by role share when ``owner_role`` is not given.

    Raises:
        ValidationError: ``repair.kind`` is not a known repair kind (the message
            lists them), or not exactly one of ``owner_role`` and ``allocator``.
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    if (owner_role is None) == (allocator is None):
        raise ValidationError.expected(
            "owner_role",
            "exactly one of owner_role= and allocator=",
            (owner_role, allocator),
            "pass allocator=RoleShareAllocator.from_policy(policy) to draw owners by share",
        )
    require_instance(repair, CompletedRepair, "repair", "a CompletedRepair")
    if owner_role is not None:
        role = _rounds.role_value(owner_role, "owner_role")
    else:
        require_instance(allocator, RoleShareAllocator, "allocator", _ALLOCATOR)
        settings.repair_window(repair.kind)  # refuse an unknown kind before drawing an owner
        role = allocator.assign()  # type: ignore[union-attr]
    return CallbackPlan((_repair_task(repair, role, settings, calendar, {}),))


def plan_repair_callbacks(
    repairs: Iterable[CompletedRepair],
    *,
    calendar: BusinessCalendar,
    policy: object = None,
    allocator: RoleShareAllocator | None = None,
) -> CallbackPlan:
    """Plan one callback per repair, owners drawn by role share (002 回访工作制度 一-二).

    The allocator advances by one per repair; store its ``counts`` to resume.
    Without one, a fresh allocator of the policy's ``role_shares`` is used.

    Raises:
        ValidationError: a repair's kind is not a known repair kind; nothing is planned.
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    items = require_items(repairs, "repairs", CompletedRepair, "a list of CompletedRepair")
    for repair in items:
        settings.repair_window(repair.kind)
    if allocator is not None:
        require_instance(allocator, RoleShareAllocator, "allocator", _ALLOCATOR)
    shares = allocator if allocator is not None else RoleShareAllocator(settings.role_shares)
    rules: dict[tuple[str, str], Reason] = {}
    return CallbackPlan(
        tuple(_repair_task(r, shares.assign(), settings, calendar, rules) for r in items)
    )


def plan_after_complaint(
    complaint_id: str,
    *,
    customer_id: str,
    handled_at: datetime,
    calendar: BusinessCalendar,
    policy: object = None,
) -> CallbackPlan:
    """Plan the phone callback to a complainant after the complaint is handled.

    002 § 42 says the complainant is called back after handling; the window
    (24 h) is the phone callback of 000 § 3.2.

    Args:
        complaint_id: The complaint.
        customer_id: The complainant.
        handled_at: When handling finished.
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    start = require_aware(handled_at, "handled_at")
    within = settings.complaint_callback_within
    reason = Reason(
        "callback.complaint",
        f"complaint handled: call the complainant back (002 §42) within "
        f"{_rounds.human(within)} to hear their view of the handling",
        {"handled_at": start.isoformat(), "within": within},
        "002 §42",
    )
    subject = Subject(SubjectKind.COMPLAINT, complaint_id)
    task = make_task(
        subject,
        CallbackKind.PHONE,
        customer_id,
        settings.complaint_role,
        start,
        _rounds.plus(start, within),
        calendar,
        reason,
        family="complaint",
        carry_over=True,
    )
    return CallbackPlan((task,))


def record_outcome(task: CallbackTask, outcome: Outcome, *, policy: object = None) -> OutcomeResult:
    """Record what a callback found; a problem found owes a rectification notice.

    The notice is due ``rectification_within`` (24 h) after the callback (002
    回访工作制度 四). The task is not changed in place: the result holds a new
    version.

    Raises:
        ValidationError: the task already has an outcome, or was cancelled.
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    require_instance(task, CallbackTask, "task", "a CallbackTask")
    require_instance(outcome, Outcome, "outcome", "an Outcome")
    if task.outcome is not None:
        raise ValidationError.expected(
            "task", "a task without an outcome", task.id, "a callback's outcome is recorded once"
        )
    if task.status is TaskStatus.CANCELLED:
        raise ValidationError.expected(
            "task", "a task still to be made", task.id, "it was cancelled; record nothing on it"
        )
    status = TaskStatus.DONE if outcome.reached else TaskStatus.UNREACHED
    reasons: list[Reason] = []
    if outcome.at > task.due:
        reasons.append(
            Reason(
                "callback.done_late",
                f"the callback happened after its due time {task.due.isoformat()}",
                {"at": outcome.at.isoformat(), "due": task.due.isoformat()},
            )
        )
    notice = None
    if outcome.problem_found:
        due = _rounds.plus(outcome.at, settings.rectification_within)
        why = Reason(
            "callback.rectification",
            f"problem found on the callback: notify the technician in writing "
            f"within {_rounds.human(settings.rectification_within)}",
            {"problem": outcome.problem, "due": due.isoformat()},
            f"{REPAIR_RULES} 四",
        )
        reasons.append(why)
        notice = RectificationNotice(
            task.id, task.subject, task.technician_id, outcome.problem, outcome.at, due, (why,)
        )
    done = attrs.evolve(task, status=status, outcome=outcome, version=task.version + 1)
    return OutcomeResult(done, notice, tuple(reasons))


def _repair_task(
    repair: CompletedRepair,
    owner_role: str,
    policy: CallbackPolicy,
    calendar: BusinessCalendar,
    rules: dict[tuple[str, str], Reason],
) -> CallbackTask:
    """The repair's callback visit; ``rules`` caches the reason per (kind, role)."""
    within = policy.repair_window(repair.kind)
    reason = rules.get((repair.kind, owner_role))
    if reason is None:
        reason = rules[repair.kind, owner_role] = Reason(
            f"callback.repair.{repair.kind}",
            f"{repair.kind} repair: callback within {_rounds.human(within)}, owned by {owner_role}",
            {"kind": repair.kind, "within": within, "owner_role": owner_role},
            f"{REPAIR_RULES} 二",
        )
    subject = Subject(SubjectKind.WORK_ORDER, repair.work_order_id)
    start = repair.completed_at
    due = _rounds.plus(start, within)
    return make_task(subject, CallbackKind.VISIT, repair.customer_id, owner_role, start, due,
                     calendar, reason, family="repair",
                     technician_id=repair.technician_id, carry_over=True)  # fmt: skip
