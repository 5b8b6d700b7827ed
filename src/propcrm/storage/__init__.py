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

import builtins
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol, TypeVar, runtime_checkable

from propcrm.callbacks import CallbackTask
from propcrm.complaints import Complainants, Complaint
from propcrm.customers import Customer, Household
from propcrm.records import (
    AllocatorState,
    Consent,
    NightEntry,
    ProblemAnalysis,
    RepairSlip,
    VipArchive,
    WorkOrderStep,
)
from propcrm.roles import Role
from propcrm.satisfaction import SurveyResponse
from propcrm.storage._access_ports import AuditTrailRepository
from propcrm.storage._listing import Cursor, Page
from propcrm.storage._ports import (
    CaseEventRepository,
    CommandRepository,
    ComplaintCaseRepository,
    GradeRecordRepository,
    ListableRepository,
    NotificationRepository,
    PromisedReplyRepository,
    Repository,
)
from propcrm.vip import CardSequenceAllocator, VipCard
from propcrm.work_orders import WorkOrder, WorkOrderState

__all__ = [
    "AuditTrailRepository",
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


class CallbackTaskRepository(ListableRepository[CallbackTask], Protocol):
    """Callback tasks (回访任务).

    ``list()`` filters: ``staff_id`` (text), ``owner_role`` (a
    :class:`~propcrm.roles.Role` or its value), ``due_from`` / ``due_before``
    (aware datetimes, ``[from, before)``); orders: ``"id"``, ``"due"``.
    """

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

    def complainants_any(self, filters: Iterable[Mapping[str, object]]) -> list[Complainants]:
        """Return who complained, and when, for every complaint ``list_any(filters)`` finds.

        What a :class:`~propcrm.complaints.ComplaintHistory` counts, read
        without building each complaint whole, by complaint id;
        ``received_at`` is the instant in UTC.

        Raises:
            ValidationError: as for ``list_any()``.
            StorageError: a stored complaint cannot be read back.
        """
        ...


class CustomerRepository(ListableRepository[Customer], Protocol):
    """Customers (客户).

    ``list()`` filters: ``household_id`` (text); orders: ``"id"``.
    """

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

    def held_by_any(self, customer_ids: Iterable[str]) -> dict[str, list[VipCard]]:
        """Return :meth:`held_by` of each of ``customer_ids``, by customer, read together.

        A customer without a card maps to an empty list.

        Raises:
            ValidationError: ``customer_ids`` is not an iterable of id strings.
        """
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

    def answered_between(self, start: date, end: date) -> builtins.list[SurveyResponse]:
        """Return the responses of every community answered in ``[start, end)``.

        In order of ``answered_on``, then of arrival: what a report of all
        communities reads.

        Raises:
            ValidationError: ``start`` or ``end`` is not a date.
        """
        ...

    def for_community(
        self, community: str, start: date, end: date
    ) -> builtins.list[SurveyResponse]:
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
    def work_order_steps(self) -> ListableRepository[WorkOrderStep]:
        """The work orders' steps (who did what, under which policy, the SLA state)."""
        ...

    @property
    def problem_analyses(self) -> ListableRepository[ProblemAnalysis]:
        """The periodic analyses of recurring complaints."""
        ...

    @property
    def audit_trail(self) -> AuditTrailRepository:
        """The audit trail of reads, reveals and disclosures (append-only)."""
        ...

    @property
    def consents(self) -> ListableRepository[Consent]:
        """The customers' consents to disclosure."""
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

    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` block is open in this thread: its writes may be undone."""
        ...

    def close(self) -> None:
        """Release the store's resources; it cannot be used afterwards."""
        ...
