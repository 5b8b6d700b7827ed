"""The storage ports: what propcrm needs from a store, as :class:`typing.Protocol` classes.

The ports hold no code. Two adapters ship with propcrm,
:class:`~propcrm.storage.memory.MemoryStore` and
:class:`~propcrm.storage.sqlite.SqliteStore`; any class with the same shape
is a store too, and :mod:`propcrm.testing.contract` checks that it behaves.

The promises every adapter keeps:

* **Repositories.** A :class:`Store` has one repository per aggregate. Each
  has ``get``/``add``/``update``/``remove`` plus the queries the engines need.
  Reads return copies: changing a returned entity changes nothing stored
  until you ``update`` it.
* **Versions (optimistic concurrency).** Entities carry ``version: int``.
  ``add`` stores the entity as version 1, whatever version it carried, and
  returns the stored copy. ``update`` succeeds only if the entity's version is
  the stored one, stores it as the next version and returns that copy;
  otherwise it raises :class:`~propcrm.errors.ConflictError` and changes
  nothing, so no update is ever lost silently. ``remove`` given a version
  checks it the same way.
* **Errors.** A missing id raises :class:`~propcrm.errors.NotFoundError`; a
  duplicate id or stale version :class:`~propcrm.errors.ConflictError`; any
  other backend failure :class:`~propcrm.errors.StorageError`. A driver's own
  exception never reaches the caller (it is kept as ``__cause__``), whether
  raised while running a statement or while reading its rows. An argument of
  the wrong type (``add(None)``, another aggregate's entity, ``get(None)``, a
  version that is not an integer) is a :class:`~propcrm.errors.ValidationError`
  naming the argument, and nothing is written. An id or
  query text with no UTF-8 form (a lone surrogate such as ``"\\ud800"``) is
  refused with :class:`~propcrm.errors.ValidationError` naming the argument;
  a version outside 64 bits equals no stored version, so ``update`` or
  ``remove`` with it is a :class:`~propcrm.errors.ConflictError`.
* **Transactions.** ``with store.transaction():`` makes the writes inside it
  all-or-nothing: they are committed when the block ends normally and undone
  when it raises any exception (which then propagates). Blocks nest: an inner
  block that fails is undone alone (a savepoint) and the outer block may go
  on; nothing is committed until the outermost block ends. Outside a
  transaction each repository call is atomic on its own.
* **Listing.** The complaints and the desks' records are listed with
  ``list(order_by=..., limit=..., after=..., **filters)``: a :class:`Page`
  whose ``next`` :class:`Cursor` gives the next page (keyset paging: each page
  costs its size, however deep). Each repository documents its filters and
  orders; an unknown one is a :class:`~propcrm.errors.ValidationError`.
* **Time.** Aware datetimes come back exactly: the same instant, wall time and
  zone. Naive datetimes are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol, TypeVar, runtime_checkable

from propcrm.callbacks import CallbackTask
from propcrm.complaints import Complaint
from propcrm.customers import Customer, Household
from propcrm.records import (
    AllocatorState,
    CaseEvent,
    CommandRecord,
    ComplaintCase,
    GradeRecord,
    NightEntry,
    Notification,
    PromisedReply,
    RepairSlip,
    VipArchive,
)
from propcrm.roles import Role
from propcrm.satisfaction import SurveyResponse
from propcrm.storage._listing import Cursor, Page
from propcrm.vip import CardSequenceAllocator, VipCard
from propcrm.work_orders import WorkOrder, WorkOrderState

__all__ = [
    "CallbackTaskRepository",
    "CaseEventRepository",
    "CommandRepository",
    "ComplaintCaseRepository",
    "ComplaintRepository",
    "Cursor",
    "CustomerRepository",
    "GradeRecordRepository",
    "HouseholdRepository",
    "ListableRepository",
    "NotificationRepository",
    "Page",
    "PromisedReplyRepository",
    "Repository",
    "Store",
    "SurveyResponseRepository",
    "VipCardRepository",
    "WorkOrderRepository",
]

T = TypeVar("T")


class Repository(Protocol[T]):
    """The shape every repository shares: keyed, versioned entities of one type."""

    def get(self, id: str) -> T:
        """Return a copy of the entity with ``id``.

        Raises:
            NotFoundError: There is no entity with that id.
        """
        ...

    def add(self, entity: T) -> T:
        """Store a new entity as version 1 and return the stored copy.

        Raises:
            ConflictError: An entity with the same id exists.
        """
        ...

    def add_all(self, entities: Iterable[T]) -> int:
        """Store many new entities as version 1, all or none, and return how many.

        Faster than calling :meth:`add` in a loop; meant for imports.

        Raises:
            ConflictError: One of the ids exists already (or repeats); nothing is added.
        """
        ...

    def update(self, entity: T) -> T:
        """Replace the stored entity with ``entity`` and return it at its next version.

        Raises:
            NotFoundError: There is no entity with that id.
            ConflictError: ``entity.version`` is not the stored version (someone
                else updated it first): read it again and reapply the change.
        """
        ...

    def remove(self, id: str, *, version: int | None = None) -> None:
        """Delete the entity with ``id``; when ``version`` is given, only if it is current.

        Raises:
            NotFoundError: There is no entity with that id.
            ConflictError: ``version`` is given and stale.
        """
        ...

    def __len__(self) -> int:
        """Return how many entities are stored."""
        ...


class ListableRepository(Repository[T], Protocol):
    """A repository whose entities can be listed with filters, one order and keyset pages."""

    def list(
        self,
        *,
        order_by: str = "id",
        limit: int = 100,
        after: Cursor | None = None,
        **where: object,
    ) -> Page[T]:
        """Return one page of the entities that pass every filter named in ``where``.

        Args:
            order_by: One of the repository's orders (``"id"`` by default).
            limit: The page size, 1 to 10,000.
            after: The previous page's ``next``; ``None`` for the first page.
            **where: Filters by name, as the repository documents them.

        Raises:
            ValidationError: An unknown filter or order, a value of the wrong
                type, a limit out of range, or a cursor of another order.
        """
        ...


class CallbackTaskRepository(Repository[CallbackTask], Protocol):
    """Callback tasks (回访任务)."""

    def due_on(
        self,
        on: date,
        *,
        tz: str | tzinfo,
        staff_id: str | None = None,
        role: Role | str | None = None,
    ) -> list[CallbackTask]:
        """Return the tasks of one owner due on ``on``, soonest first.

        The day runs from midnight to midnight in ``tz`` (``[start, end)``);
        give exactly one owner: a staff member (``staff_id=``) or an owner
        role (``role=``, a :class:`~propcrm.roles.Role` or its value text).
        Every status is included.

        Raises:
            ValidationError: neither or both owners given, ``on`` is not a
                date, ``tz`` is not a time zone, or ``role`` is not a
                :class:`~propcrm.roles.Role` (the message lists the known ones).
        """
        ...


class ComplaintRepository(ListableRepository[Complaint], Protocol):
    """Complaints (投诉).

    ``list()`` filters: ``community``, ``category``, ``subject`` (text),
    ``open`` (bool), ``received_from`` / ``received_before`` (aware
    datetimes, ``[from, before)``); orders: ``"id"``, ``"received_at"``.
    """

    def in_window(
        self, community: str, category: str, subject: str, *, start: datetime, end: datetime
    ) -> list[Complaint]:
        """Return the complaints with this key received in ``[start, end)``, oldest first.

        The key is "the same complaint" of the grading rules (same community,
        category and subject, 002 §40); the window is half-open.

        Raises:
            ValidationError: ``start`` or ``end`` is naive.
        """
        ...

    def open_due_before(self, at: datetime, *, within: timedelta) -> list[Complaint]:
        """Return the unresolved complaints received before ``at - within``, oldest first.

        With ``within`` the time a complaint has to be resolved (e.g. the 48-hour
        closed loop), these are the complaints overdue at ``at``.

        Raises:
            ValidationError: ``at`` is naive or ``within`` is not a timedelta.
        """
        ...


class CustomerRepository(Repository[Customer], Protocol):
    """Customers (客户)."""

    def in_household(self, household_id: str) -> list[Customer]:
        """Return the customers whose ``household_id`` is ``household_id``, by id."""
        ...


class HouseholdRepository(Repository[Household], Protocol):
    """Households (家庭) and their members."""


class VipCardRepository(Repository[VipCard], Protocol):
    """VIP cards, keyed by their number as text (``"JK1001"``)."""

    def held_by(self, customer_id: str) -> list[VipCard]:
        """Return every card of ``customer_id``, earliest expiry first (then by number)."""
        ...

    def expiring_between(self, start: date, end: date) -> list[VipCard]:
        """Return the cards with no recorded end whose ``expires_on`` is in ``[start, end)``.

        Soonest expiry first, then by number: the renewal office's work list
        (续卡, 002 §26).
        """
        ...


class SurveyResponseRepository(Protocol):
    """Satisfaction survey responses: append-only, numbered by the store."""

    def add(self, response: SurveyResponse) -> str:
        """Store a response and return the id the store gave it."""
        ...

    def add_all(self, responses: Iterable[SurveyResponse]) -> int:
        """Store many responses, all or none, and return how many."""
        ...

    def get(self, id: str) -> SurveyResponse:
        """Return the response with ``id``.

        Raises:
            NotFoundError: There is no response with that id.
        """
        ...

    def for_community(self, community: str, start: date, end: date) -> list[SurveyResponse]:
        """Return the responses of ``community`` answered in ``[start, end)``.

        In order of ``answered_on``, then of arrival.
        """
        ...

    def __len__(self) -> int:
        """Return how many responses are stored."""
        ...


class WorkOrderRepository(Repository[WorkOrder], Protocol):
    """Work orders (工单) with their event timelines."""

    def in_state(self, state: WorkOrderState) -> list[WorkOrder]:
        """Return the work orders in ``state`` (read off each timeline), oldest first.

        Raises:
            ValidationError: ``state`` is not a :class:`~propcrm.work_orders.WorkOrderState`.
        """
        ...


class ComplaintCaseRepository(ListableRepository[ComplaintCase], Protocol):
    """The complaint register: one :class:`~propcrm.records.ComplaintCase` per complaint.

    ``list()`` filters: ``community``, ``owner_id`` (text), ``state``
    (:class:`~propcrm.records.CaseState`), ``grade``
    (:class:`~propcrm.complaints.Grade`), ``received_from`` /
    ``received_before``; orders: ``"id"``, ``"received_at"``.
    """


class CaseEventRepository(ListableRepository[CaseEvent], Protocol):
    """The events of every complaint.

    ``list()`` filters: ``complaint_id``, ``kind``
    (:class:`~propcrm.records.CaseEventKind`), ``at_from`` / ``at_before``;
    orders: ``"id"``, ``"at"``.
    """

    def of_complaint(self, complaint_id: str) -> list[CaseEvent]:
        """Return every event of ``complaint_id``, first first."""
        ...


class GradeRecordRepository(ListableRepository[GradeRecord], Protocol):
    """Stored grade decisions, each with its reasons and policy fingerprint.

    ``list()`` filters: ``complaint_id``, ``policy_fingerprint``, ``grade``;
    orders: ``"id"``, ``"at"``.
    """

    def history(self, complaint_id: str) -> list[GradeRecord]:
        """Return the grade decisions of ``complaint_id``, first first."""
        ...


class NotificationRepository(ListableRepository[Notification], Protocol):
    """The outbox: who is to be told; a host system delivers from it.

    ``list()`` filters: ``kind`` (:class:`~propcrm.records.NotificationKind`),
    ``community``, ``pending`` (bool); orders: ``"id"``, ``"created_at"``.
    """

    def pending(self) -> list[Notification]:
        """Return the notifications not yet delivered, oldest first."""
        ...

    def mark_delivered(self, id: str, *, at: datetime) -> Notification:
        """Record the delivery of ``id`` at ``at`` (again: no change) and return it.

        Raises:
            NotFoundError: There is no notification with that id.
        """
        ...

    def record_failure(self, id: str, *, error: str) -> Notification:
        """Count a failed delivery of ``id`` (it stays pending) and return it.

        Raises:
            NotFoundError: There is no notification with that id.
            ValidationError: It was delivered already.
        """
        ...


class PromisedReplyRepository(ListableRepository[PromisedReply], Protocol):
    """Promised replies and their deadlines.

    ``list()`` filters: ``community``, ``due_from`` / ``due_before``; orders:
    ``"id"``, ``"due"``.
    """

    def overdue(self, at: datetime) -> list[PromisedReply]:
        """Return the unanswered replies due before ``at`` and not yet notified."""
        ...


class CommandRepository(Repository[CommandRecord], Protocol):
    """The command log, keyed by the caller-supplied command id."""

    def find(self, id: str) -> CommandRecord | None:
        """Return the record of command ``id``, or ``None`` if it was never done."""
        ...


@runtime_checkable
class Store(Protocol):
    """A unit of storage: the repositories plus transactions over all of them.

    ``isinstance(value, Store)`` tells whether a value has every repository and method.
    """

    @property
    def callback_tasks(self) -> CallbackTaskRepository:
        """The callback tasks."""
        ...

    @property
    def complaints(self) -> ComplaintRepository:
        """The complaints."""
        ...

    @property
    def complaint_cases(self) -> ComplaintCaseRepository:
        """The complaint register."""
        ...

    @property
    def case_events(self) -> CaseEventRepository:
        """The events of every complaint."""
        ...

    @property
    def grade_records(self) -> GradeRecordRepository:
        """The stored grade decisions."""
        ...

    @property
    def notifications(self) -> NotificationRepository:
        """The outbox of notifications."""
        ...

    @property
    def promised_replies(self) -> PromisedReplyRepository:
        """The promised replies."""
        ...

    @property
    def commands(self) -> CommandRepository:
        """The command log."""
        ...

    @property
    def repair_slips(self) -> ListableRepository[RepairSlip]:
        """The work orders' repair slips (派工单)."""
        ...

    @property
    def allocator_states(self) -> Repository[AllocatorState]:
        """The stored counts of role-share allocators."""
        ...

    @property
    def night_entries(self) -> ListableRepository[NightEntry]:
        """The night log's entries (夜间值班记录表)."""
        ...

    @property
    def vip_archives(self) -> ListableRepository[VipArchive]:
        """The VIP archives (VIP 客户档案), keyed by the customer's id."""
        ...

    @property
    def customers(self) -> CustomerRepository:
        """The customers."""
        ...

    @property
    def households(self) -> HouseholdRepository:
        """The households."""
        ...

    @property
    def vip_cards(self) -> VipCardRepository:
        """The VIP cards."""
        ...

    @property
    def card_numbers(self) -> CardSequenceAllocator:
        """The card-sequence allocator VIP programmes draw numbers from.

        Numbers drawn in a transaction that rolls back are handed out again.
        """
        ...

    @property
    def survey_responses(self) -> SurveyResponseRepository:
        """The satisfaction survey responses."""
        ...

    @property
    def work_orders(self) -> WorkOrderRepository:
        """The work orders and their timelines."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Return a context manager making the writes inside it all-or-nothing (nestable)."""
        ...

    def close(self) -> None:
        """Release the store's resources; it cannot be used afterwards."""
        ...
