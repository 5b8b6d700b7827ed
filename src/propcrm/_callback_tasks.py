"""The values callbacks are made of, and how a task's window is fitted to calling hours.

Private module: import these names from :mod:`propcrm.callbacks`.
"""

# Annotations are evaluated here, not postponed: the classes are shown as
# propcrm.callbacks.<name>, so their type hints must resolve without this module.

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum

from attrs import define, field, frozen

from propcrm import _callback_rounds as _rounds
from propcrm._checks import as_items, require_instance
from propcrm._validators import aware_datetime, int_at_least, non_empty_str
from propcrm.calendar import BusinessCalendar
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "CallbackKind",
    "CallbackPlan",
    "CallbackTask",
    "CompletedRepair",
    "Outcome",
    "OutcomeResult",
    "RectificationNotice",
    "Subject",
    "SubjectKind",
    "TaskStatus",
    "greeting_hours",
    "make_task",
]

#: Where propcrm's own choices are cited (RULES § 6 Decisions).
DECISION = "Decision (RULES §6)"


class SubjectKind(Enum):
    """What a callback follows up."""

    WORK_ORDER = "work_order"
    COMPLAINT = "complaint"
    CUSTOMER = "customer"
    VIP_CARD = "vip_card"
    COMMUNITY = "community"


class CallbackKind(Enum):
    """How the customer is contacted."""

    PHONE = "phone"
    VISIT = "visit"
    QUESTIONNAIRE = "questionnaire"
    GREETING = "greeting"
    REMINDER = "reminder"
    FORUM = "forum"


class TaskStatus(Enum):
    """Where a callback task stands."""

    PLANNED = "planned"
    DONE = "done"
    UNREACHED = "unreached"
    CANCELLED = "cancelled"
    """No longer to be made: what it followed ended first (a revoked VIP card's greetings)."""


@frozen
class Subject:
    """What a callback follows up: a kind and the id of that record."""

    kind: SubjectKind
    record_id: str = field(validator=non_empty_str)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.record_id}"


@frozen
class Outcome:
    """What a callback found.

    Attributes:
        at: When the contact happened (or was attempted).
        reached: Whether the customer was reached.
        satisfied: Whether the customer was satisfied (only if reached).
        problem: The problem found, if any (实地查看维修项目; ``""`` for none).
        signed_by: Who signed the callback record (请被回访人签名), if anyone.
        note: Free text: improvement suggestions, the charge checked, ...
    """

    at: datetime = field(validator=aware_datetime)
    reached: bool
    satisfied: bool = False
    problem: str = ""
    signed_by: str = ""
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.reached and (self.satisfied or self.problem or self.signed_by):
            raise ValidationError.expected(
                "reached",
                "True when satisfaction, a problem or a signature is recorded",
                self.reached,
                "record an unreached attempt without them",
            )

    @property
    def problem_found(self) -> bool:
        """Whether the callback found a problem to rectify."""
        return bool(self.problem.strip())


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return as_items(value, "reasons", "a list of Reason")


def _owner_role(instance: object, attribute: object, value: str) -> None:
    _rounds.role_value(value, "owner_role")


@define
class CallbackTask:
    """One callback (回访) to make: whom, about what, how, within which window, by whom.

    Attributes:
        id: Stable id ``{subject}:{family}:{kind}[:{period or occasion}]``,
            e.g. ``"work_order:WO-1:repair:visit"``; the rule family
            (``service``, ``repair``, ``complaint``, ``rounds.director``,
            ``rounds.officer``, ``rounds.forum``, ``tier``, ``vip``) keeps
            the tasks of different planners for one subject apart.
        subject: The record followed up.
        kind: Phone, visit, questionnaire, greeting, reminder or forum.
        customer_id: The customer (or household) contacted; ``""`` for a forum.
        owner_role: The :class:`~propcrm.roles.Role` value that owns the callback.
        earliest: First calling-hours instant of the window.
        due: When it must be done by; within calling hours whenever the window
            has calling time (RULES § 6).
        staff_id: The person assigned, ``""`` until assigned.
        technician_id: The person whose work is followed up (gets rectification notices).
        status: Planned, done, unreached or cancelled.
        outcome: What the callback found, once recorded.
        reasons: Why the task exists and why its window is what it is.
        version: Optimistic-concurrency version for storage.
    """

    id: str = field(validator=non_empty_str)
    subject: Subject
    kind: CallbackKind
    customer_id: str
    owner_role: str = field(converter=_rounds.role_text, validator=_owner_role)
    earliest: datetime = field(validator=aware_datetime)
    due: datetime = field(validator=aware_datetime)
    staff_id: str = ""
    technician_id: str = ""
    status: TaskStatus = TaskStatus.PLANNED
    outcome: Outcome | None = None
    reasons: tuple[Reason, ...] = field(default=(), converter=_reasons)
    version: int = field(default=1, validator=int_at_least(1))

    @property
    def fits_window(self) -> bool:
        """Whether calling time exists before ``due`` (else it is reported late)."""
        return self.earliest < self.due

    @property
    def on_closed_days(self) -> bool:
        """Whether it may go out on closed days — greetings do (RULES § 6)."""
        return self.kind is CallbackKind.GREETING


@frozen
class RectificationNotice:
    """A written notice to the technician (整改通知) after a callback found a problem.

    Attributes:
        task_id: The callback that found the problem.
        subject: What was followed up.
        technician_id: Who must rectify (``""`` when unknown).
        problem: What was found.
        issued_at: When the callback found it.
        due: When the written notice must reach the technician (within 24 h by default).
        reasons: The rule behind it.
    """

    task_id: str
    subject: Subject
    technician_id: str
    problem: str
    issued_at: datetime
    due: datetime
    reasons: tuple[Reason, ...]


@frozen
class OutcomeResult:
    """The task with its outcome recorded, and the rectification notice if one is owed."""

    task: CallbackTask
    notice: RectificationNotice | None
    reasons: tuple[Reason, ...]


@frozen
class CallbackPlan:
    """Tasks a planner produced, with plan-level notes.

    Attributes:
        tasks: The planned tasks, each with its reasons.
        notes: Anything the planner could not do (e.g. a festival missing in a year).
    """

    tasks: tuple[CallbackTask, ...]
    notes: tuple[Reason, ...] = ()

    @property
    def late(self) -> tuple[CallbackTask, ...]:
        """Tasks with no calling time before their due time (reported, not hidden)."""
        return tuple(t for t in self.tasks if not t.fits_window)


@frozen
class CompletedRepair:
    """A finished repair that needs its callback.

    Attributes:
        work_order_id: The work order.
        customer_id: The customer whose repair it was.
        completed_at: When the repair was completed.
        kind: The repair kind, one of the policy's (``CallbackPolicy.repair_within``).
        technician_id: Who did the repair.
    """

    work_order_id: str = field(validator=non_empty_str)
    customer_id: str = field(validator=non_empty_str)
    completed_at: datetime = field(validator=aware_datetime)
    kind: str = field(default="ordinary", validator=non_empty_str)
    technician_id: str = ""


def greeting_hours(calendar: BusinessCalendar) -> BusinessCalendar:
    """The weekly calling hours of ``calendar`` without closed days (greetings use them)."""
    return BusinessCalendar(calendar.week, tz=calendar.tz)


_INSTANT = timedelta(microseconds=1)  # the calendar's resolution


def make_task(
    subject: Subject,
    kind: CallbackKind,
    customer_id: str,
    owner_role: str,
    opens: datetime,
    due: datetime,
    calendar: BusinessCalendar,
    reason: Reason,
    *,
    family: str,
    technician_id: str = "",
    suffix: str = "",
    carry_over: bool = False,
) -> CallbackTask:
    """Build a task whose window ``[earliest, due)`` lies in ``calendar``'s calling hours.

    ``earliest`` is the first calling instant at or after ``opens``. A rule's
    due moment outside calling hours (or at the very opening of a calling
    period, which no calling time precedes) comes back to the close of the last
    calling period before it (a phone callback due at 21:00 is due by 20:00).
    A window with no calling time: with ``carry_over`` (a callback due within
    a time of a service, repair or complaint) the task is due by the close of
    the first calling day, reported with ``callback.contact_window.next_calling_day``
    (RULES §6: a service finished at 21:00 before a week of holidays is called
    back by 20:00 on the first calling day after them); without it (a greeting
    on its day, a round in its period) the rule's due moment stays and the task
    is reported with ``callback.contact_window.past_due``. The id is
    ``{subject}:{family}:{kind}[:{suffix}]``.
    """
    require_instance(calendar, BusinessCalendar, "calendar", "a BusinessCalendar")
    tz = calendar.tz
    opens = opens.astimezone(tz)
    due = due.astimezone(tz)
    earliest = calendar.next_working_time(opens)
    reasons = [reason]
    if earliest != opens:
        reasons.append(
            Reason(
                "callback.contact_window.moved",
                f"no calling at {opens:%Y-%m-%d %H:%M}; starts at the next calling "
                f"time {earliest:%Y-%m-%d %H:%M}",
                {"opens": opens.isoformat(), "earliest": earliest.isoformat()},
                DECISION,
            )
        )
    # The window [earliest, due) ends at ``due``: it ends in calling hours only when the
    # instant before ``due`` is calling time (a due at 09:00 opening ends a night, not a call).
    if earliest < due and not calendar.is_working_time(due - _INSTANT):
        last = calendar.add(opens, calendar.elapsed(opens, due))
        if last != due:
            reasons.append(
                Reason(
                    "callback.contact_window.due_in_hours",
                    f"due {due:%Y-%m-%d %H:%M} is outside calling hours; due by the end of "
                    f"the last calling period before it, {last:%Y-%m-%d %H:%M}",
                    {"rule_due": due.isoformat(), "due": last.isoformat()},
                    DECISION,
                )
            )
            due = last
    if earliest >= due and carry_over:
        last = calendar.close_of_day(earliest)
        reasons.append(
            Reason(
                "callback.contact_window.next_calling_day",
                f"no calling time before the due time {due:%Y-%m-%d %H:%M}; due by the close "
                f"of the next calling day, {last:%Y-%m-%d %H:%M}",
                {"rule_due": due.isoformat(), "due": last.isoformat()},
                DECISION,
            )
        )
        due = last
    elif earliest >= due:
        reasons.append(
            Reason(
                "callback.contact_window.past_due",
                f"no calling time before the due time {due:%Y-%m-%d %H:%M}: "
                f"the first is {earliest:%Y-%m-%d %H:%M}",
                {"earliest": earliest.isoformat(), "due": due.isoformat()},
                DECISION,
            )
        )
    task_id = f"{subject}:{family}:{kind.value}" + (f":{suffix}" if suffix else "")
    return CallbackTask(
        task_id,
        subject,
        kind,
        customer_id,
        owner_role,
        earliest,
        due,
        technician_id=technician_id,
        reasons=tuple(reasons),
    )
