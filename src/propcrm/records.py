"""What the desks keep: complaint cases, events, stored decisions, the outbox, the command log.

The engines decide; these values record what was decided, by whom and when,
so that a store holds the whole story of every complaint (RULES § 9):

* :class:`ComplaintCase` — the register entry (《客户投诉登记表》) of one
  complaint: customer, departments involved, summary, owner (首问负责制), the
  grade it holds and where it stands in the flow.
* :class:`CaseEvent` — one step of a complaint (registered, liaison slip,
  investigated, responded, handled, escalated, ...), so any decision can be
  recomputed from the events under another policy.
* :class:`GradeRecord` — a stored :class:`~propcrm.complaints.GradeDecision`
  with its reasons, stamped with the fingerprint of the policy that made it.
* :class:`Notification` — who is to be told (an escalation, an overdue
  promised reply): the outbox a host delivers from.
* :class:`PromisedReply` — a question not answered on the spot, with the
  reply's deadline (回访制度 一.3).
* :class:`RepairSlip` — the dispatch slip (派工单) of a work order, with its
  :class:`Charge`; :class:`AllocatorState` — a role-share allocator's counts.
* :class:`WorkOrderStep` — one step of a work order, with its actor, the
  policy fingerprint and an SLA snapshot; :class:`ProblemAnalysis` — a
  recurring problem's root cause and preventive measure.
* :class:`AuditEntry` — one line of the append-only audit trail: who read,
  revealed or disclosed what, when and why (never the clear value);
  :class:`Consent` — a customer's consent to a disclosure, withdrawable.
* :class:`NightEntry` — an entry of the night log (夜间值班记录表) with the
  :class:`NightAssignment` that routes it to a work order or a complaint.
* :class:`VipArchive` — a VIP's archive (VIP 客户档案) with its
  :class:`VipArchiveEvent` history of issued, renewed, replaced and revoked cards.
* :class:`CommandRecord` — a command done, by its caller-supplied id, with its
  result, so a retried command changes nothing twice.

Every value is frozen and validated; a store keeps them like any other entity.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from propcrm.records import CaseEvent, CaseEventKind
>>> at = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> event = CaseEvent("C-1:0001", complaint_id="C-1", seq=1, kind=CaseEventKind.REGISTERED,
...                   at=at, actor_id="desk-1", command_id="cmd-1")
>>> event.kind.label
'登记'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime  # noqa: F401  # date resolves the hints of NightEntry, VipArchive
from decimal import Decimal  # noqa: F401  # resolves the hints of Charge, presented here
from enum import Enum

from attrs import field, frozen

from propcrm._access_records import AuditAction, AuditEntry, Consent, RecordKind
from propcrm._callback_rounds import role_value
from propcrm._checks import as_items, require_items
from propcrm._desk_records import ProblemAnalysis, WorkOrderStep, WorkOrderStepKind
from propcrm._night_records import NightAssignment, NightEntry, NightEntryState, NightRoute
from propcrm._repair_records import AllocatorState, Charge, ChargeState, RepairCategory, RepairSlip
from propcrm._validators import (
    aware_datetime,
    instance_of,
    int_at_least,
    is_bool,
    is_str,
    non_empty_str,
    optional,
)
from propcrm._vip_records import VipArchive, VipArchiveEvent, VipArchiveEventKind
from propcrm.complaints import Grade, GradeDecision
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.privacy import (  # noqa: F401  # resolve the hints of RepairSlip and AuditEntry
    Confidentiality,
    PersonalData,
    PersonalKind,
)
from propcrm.roles import Role

__all__ = [
    "AllocatorState",
    "AuditAction",
    "AuditEntry",
    "CaseEvent",
    "CaseEventKind",
    "CaseState",
    "Charge",
    "ChargeState",
    "CommandRecord",
    "ComplaintCase",
    "Consent",
    "GradeRecord",
    "NightAssignment",
    "NightEntry",
    "NightEntryState",
    "NightRoute",
    "Notification",
    "NotificationKind",
    "ProblemAnalysis",
    "PromisedReply",
    "RecordKind",
    "RepairCategory",
    "RepairSlip",
    "VipArchive",
    "VipArchiveEvent",
    "VipArchiveEventKind",
    "WorkOrderStep",
    "WorkOrderStepKind",
]

for _public in (
    AllocatorState,
    AuditAction,
    AuditEntry,
    Charge,
    ChargeState,
    Consent,
    NightAssignment,
    NightEntry,
    NightEntryState,
    NightRoute,
    ProblemAnalysis,
    RecordKind,
    RepairCategory,
    RepairSlip,
    VipArchive,
    VipArchiveEvent,
    VipArchiveEventKind,
    WorkOrderStep,
    WorkOrderStepKind,
):
    _public.__module__ = __name__  # documented and stored as propcrm.records' own


class CaseState(Enum):
    """Where a complaint stands in the flow of 004 § 2.1 and 002 § 42."""

    OPEN = "open"
    """Registered, being handled."""
    HANDLED = "handled"
    """Handling finished; the complaint callback is planned."""
    CLOSED = "closed"
    """The complainant's satisfaction answer is recorded (filed)."""


class CaseEventKind(Enum):
    """The steps of a complaint, in the words of RULES § 9."""

    REGISTERED = "registered"
    GRADED = "graded"
    LIAISON_SLIP = "liaison_slip"
    INVESTIGATED = "investigated"
    VERIFIED = "verified"
    RESPONDED = "responded"
    FOLLOWED_UP = "followed_up"
    FED_BACK = "fed_back"
    HANDLED = "handled"
    CALLBACK_PLANNED = "callback_planned"
    SATISFACTION = "satisfaction"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    REPLY_PROMISED = "reply_promised"
    REPLY_GIVEN = "reply_given"

    @property
    def label(self) -> str:
        """The step's Chinese name, e.g. ``"工作联系单"``."""
        return _EVENT_LABELS[self]


_EVENT_LABELS = {
    CaseEventKind.REGISTERED: "登记",
    CaseEventKind.GRADED: "分级",
    CaseEventKind.LIAISON_SLIP: "工作联系单",
    CaseEventKind.INVESTIGATED: "调查",
    CaseEventKind.VERIFIED: "核实",
    CaseEventKind.RESPONDED: "答复",
    CaseEventKind.FOLLOWED_UP: "跟进",
    CaseEventKind.FED_BACK: "反馈",
    CaseEventKind.HANDLED: "处理完毕",
    CaseEventKind.CALLBACK_PLANNED: "安排回访",
    CaseEventKind.SATISFACTION: "满意度",
    CaseEventKind.REOPENED: "二次投诉",
    CaseEventKind.ESCALATED: "升级",
    CaseEventKind.REPLY_PROMISED: "承诺答复",
    CaseEventKind.REPLY_GIVEN: "已答复",
}


class NotificationKind(Enum):
    """What a notification tells."""

    ESCALATION = "escalation"
    """A complaint's grade rose, so its new handler and supervisor are told."""
    REPLY_OVERDUE = "reply_overdue"
    """A promised reply passed its deadline unanswered, so the one who promised is told."""
    RECTIFICATION = "rectification"
    """A repair callback found a problem, so the technician gets a rectification notice."""
    VIP_EXPIRY = "vip_expiry"
    """A VIP card expires soon, so the VIP assistant who keeps the archive is reminded."""


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(dict.fromkeys(value))  # type: ignore[call-overload]
    except TypeError:
        raise ValidationError.expected(
            "departments", "a list of department names", value, "e.g. ('engineering',)"
        ) from None


def _non_empty_items(instance: object, attribute: object, value: tuple[str, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError.expected(
                "departments", "department names as non-empty strings", value
            )


@frozen
class ComplaintCase:
    """The register entry of one complaint (《客户投诉登记表》) and its place in the flow.

    Its id is the complaint's id; the :class:`~propcrm.complaints.Complaint`
    stored beside it holds what grading reads.

    Attributes:
        id: The complaint's id.
        community: The community (小区) it concerns; who may act on it.
        customer_id: The customer who complained (the register's 客户).
        summary: What the complaint says (the register's 投诉内容).
        received_at: When it was received.
        owner_id: The first receiver, who owns it until closed (首问负责制).
        departments: The departments involved (涉及部门), each sent a liaison slip.
        grade: The grade it holds: it never goes down while the case is open.
        state: Open, handled or closed.
        vip: The customer holds a valid VIP card: the VIP assistant calls back.
        result: The register's result (处理结果), once handled.
        handled_at: When handling finished.
        callback_task_id: The complaint callback planned at handling.
        satisfied: The complainant's answer on the callback, once recorded.
        repeat_of_id: The handled complaint this one reopens (二次投诉).
        reopened_as_id: The second complaint that reopened this one.
        night_entry_id: The night-log entry it came from, handed over in the morning.
        events: How many events it has (the next event's number is one more).
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    summary: str = field(kw_only=True, validator=non_empty_str)
    received_at: datetime = field(kw_only=True, validator=aware_datetime)
    owner_id: str = field(kw_only=True, validator=non_empty_str)
    departments: tuple[str, ...] = field(
        default=(), kw_only=True, converter=_texts, validator=_non_empty_items
    )
    grade: Grade = field(
        default=Grade.GENERAL, kw_only=True, validator=instance_of(Grade, "a Grade")
    )
    state: CaseState = field(
        default=CaseState.OPEN, kw_only=True, validator=instance_of(CaseState, "a CaseState")
    )
    vip: bool = field(default=False, kw_only=True, validator=is_bool)
    result: str = field(default="", kw_only=True, validator=is_str)
    handled_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    callback_task_id: str | None = field(
        default=None, kw_only=True, validator=optional(non_empty_str)
    )
    satisfied: bool | None = field(default=None, kw_only=True, validator=optional(is_bool))
    repeat_of_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    reopened_as_id: str | None = field(
        default=None, kw_only=True, validator=optional(non_empty_str)
    )
    night_entry_id: str | None = field(
        default=None, kw_only=True, validator=optional(non_empty_str)
    )
    events: int = field(default=0, kw_only=True, validator=int_at_least(0))
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def is_open(self) -> bool:
        """Whether it is still being handled."""
        return self.state is CaseState.OPEN


@frozen
class CaseEvent:
    """One step of a complaint, recorded with who did it and when.

    Attributes:
        id: ``"{complaint_id}:{seq:04d}"``.
        complaint_id: The complaint.
        seq: The step's number in the complaint, from 1.
        kind: What happened.
        at: When.
        actor_id: Who did it.
        command_id: The command that recorded it.
        department: The department concerned (a liaison slip's addressee), or ``""``.
        note: What was found, said or decided.
        version: Optimistic-concurrency version for stores (events are never changed).
    """

    id: str = field(validator=non_empty_str)
    complaint_id: str = field(kw_only=True, validator=non_empty_str)
    seq: int = field(kw_only=True, validator=int_at_least(1))
    kind: CaseEventKind = field(
        kw_only=True, validator=instance_of(CaseEventKind, "a CaseEventKind")
    )
    at: datetime = field(kw_only=True, validator=aware_datetime)
    actor_id: str = field(kw_only=True, validator=non_empty_str)
    command_id: str = field(kw_only=True, validator=non_empty_str)
    department: str = field(default="", kw_only=True, validator=is_str)
    note: str = field(default="", kw_only=True, validator=is_str)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))


@frozen
class GradeRecord:
    """A grade decision as stored: the decision, its cause and the policy that made it.

    Attributes:
        id: ``"{complaint_id}:{seq:04d}"``.
        complaint_id: The complaint graded.
        seq: The decision's number in the complaint's grade history, from 1.
        decision: The engine's decision, reasons included.
        policy_fingerprint: The fingerprint of the policy that made it
            (:func:`propcrm.services.policy_fingerprint`).
        command_id: The command that made it.
        version: Optimistic-concurrency version for stores (records are never changed).
    """

    id: str = field(validator=non_empty_str)
    complaint_id: str = field(kw_only=True, validator=non_empty_str)
    seq: int = field(kw_only=True, validator=int_at_least(1))
    decision: GradeDecision = field(
        kw_only=True, validator=instance_of(GradeDecision, "a GradeDecision")
    )
    policy_fingerprint: str = field(kw_only=True, validator=non_empty_str)
    command_id: str = field(kw_only=True, validator=non_empty_str)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def grade(self) -> Grade:
        """The grade decided."""
        return self.decision.grade


def _roles(value: Iterable[Role | str]) -> tuple[Role, ...]:
    items = as_items(value, "to_roles", "a list of roles")
    return tuple(Role(role_value(item, "to_roles")) for item in items)


def _people(value: Iterable[str] | str) -> tuple[str, ...]:
    found = (
        (value,) if isinstance(value, str) else as_items(value, "to_ids", "a list of person ids")
    )
    if not all(isinstance(item, str) and item.strip() for item in found):
        raise ValidationError.expected("to_ids", "person ids as non-empty strings", value)
    return found


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return require_items(value, "reasons", Reason, "a list of Reason values")


@frozen
class Notification:
    """Who is to be told what: one entry of the outbox a host system delivers.

    Written in the transaction of the command that made it; the host reads
    ``store.notifications.pending()``, delivers each, then calls
    ``mark_delivered(id)`` — or ``record_failure(id, error)`` to try again later.

    Attributes:
        id: ``"{kind}:{subject_id}:{at}"``-style stable id given by the desk.
        kind: What it tells.
        subject_id: The record it is about (a complaint, a promised reply).
        community: The community of that record.
        to_roles: The roles to tell (an escalation's handler and supervisor).
        to_ids: The people to tell by id (the owner, the one who promised).
        message: The sentence to deliver.
        reasons: Why (the rules that fired).
        created_at: When it was written.
        delivered_at: When the host delivered it; ``None`` while pending.
        attempts: Failed delivery attempts so far.
        last_error: What the last failed attempt reported.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    kind: NotificationKind = field(
        kw_only=True, validator=instance_of(NotificationKind, "a NotificationKind")
    )
    subject_id: str = field(kw_only=True, validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    to_roles: tuple[Role, ...] = field(kw_only=True, converter=_roles)
    to_ids: tuple[str, ...] = field(kw_only=True, converter=_people)
    message: str = field(kw_only=True, validator=non_empty_str)
    created_at: datetime = field(kw_only=True, validator=aware_datetime)
    reasons: tuple[Reason, ...] = field(default=(), kw_only=True, converter=_reasons)
    delivered_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    attempts: int = field(default=0, kw_only=True, validator=int_at_least(0))
    last_error: str = field(default="", kw_only=True, validator=is_str)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def pending(self) -> bool:
        """Whether it still waits for delivery."""
        return self.delivered_at is None


@frozen
class PromisedReply:
    """A question not answered on the spot, with the promised reply time (回访制度 一.3).

    Attributes:
        id: The reply's id.
        community: The community of the customer.
        customer_id: Who asked.
        question: What they asked.
        promised_by: Who promised the reply (and is told when it is overdue).
        promised_at: When the promise was made.
        due: The promised reply time.
        complaint_id: The complaint it belongs to, if any.
        answered_at: When the reply was given; ``None`` while owed.
        answer: What was replied.
        overdue_notified: The overdue notification has been written.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    question: str = field(kw_only=True, validator=non_empty_str)
    promised_by: str = field(kw_only=True, validator=non_empty_str)
    promised_at: datetime = field(kw_only=True, validator=aware_datetime)
    due: datetime = field(kw_only=True, validator=aware_datetime)
    complaint_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    answered_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    answer: str = field(default="", kw_only=True, validator=is_str)
    overdue_notified: bool = field(default=False, kw_only=True, validator=is_bool)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    def __attrs_post_init__(self) -> None:
        if self.due <= self.promised_at:
            raise ValidationError.expected(
                "due", f"a moment after promised_at ({self.promised_at})", self.due
            )

    @property
    def is_open(self) -> bool:
        """Whether the reply is still owed."""
        return self.answered_at is None


@frozen
class CommandRecord:
    """A command done, kept under its caller-supplied id so that a retry is a no-op.

    Attributes:
        id: The command id the caller supplied.
        name: The command, e.g. ``"register"``.
        actor_id: Who ran it.
        at: When it ran (the clock's time).
        result_type: The name of the result's type.
        result: The result, encoded by the store's converter.
        arguments_digest: The SHA-256 of the command's arguments (personal data by
            its masked form only), so the same id with other arguments is refused;
            ``None`` for a command whose arguments were not digested.
        version: Optimistic-concurrency version for stores (records are never changed).
    """

    id: str = field(validator=non_empty_str)
    name: str = field(kw_only=True, validator=non_empty_str)
    actor_id: str = field(kw_only=True, validator=non_empty_str)
    at: datetime = field(kw_only=True, validator=aware_datetime)
    result_type: str = field(kw_only=True, validator=non_empty_str)
    result: str = field(kw_only=True, validator=is_str)
    arguments_digest: str | None = field(default=None, kw_only=True, validator=optional(is_str))
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))
