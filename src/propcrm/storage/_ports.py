"""The generic repository ports and the desks' record ports: public in :mod:`propcrm.storage`.

This module is private; the ports are documented and imported from
:mod:`propcrm.storage`, whose docstring states the promises every adapter keeps.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

from propcrm.complaints import Grade
from propcrm.records import (
    CaseEvent,
    CommandRecord,
    ComplaintCase,
    GradeRecord,
    Notification,
    PromisedReply,
)
from propcrm.storage._listing import Cursor, Page

__all__ = [
    "CaseEventRepository",
    "CommandRepository",
    "ComplaintCaseRepository",
    "GradeRecordRepository",
    "ListableRepository",
    "NotificationRepository",
    "PromisedReplyRepository",
    "Repository",
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

    def get_many(self, ids: Iterable[str]) -> list[T]:
        """Return copies of the entities with ``ids``, in the order given.

        One round trip per few hundred ids, where :meth:`get` makes one per id.

        Raises:
            NotFoundError: One of the ids has no entity.
            ValidationError: ``ids`` is not an iterable of id strings.
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

    def list_any(
        self, filters: Iterable[Mapping[str, object]], *, order_by: str = "id"
    ) -> builtins.list[T]:
        """Return every entity that passes all the filters of at least one mapping, once each.

        Each mapping holds what :meth:`list` takes as ``**where``, and every
        mapping names the same filters. The store reads them together, a few
        statements for thousands of mappings, instead of one listing each; the
        result is not paged, so the filters must bound it.

        Args:
            filters: The filter mappings.
            order_by: One of the repository's orders (``"id"`` by default).

        Raises:
            ValidationError: ``filters`` is not an iterable of mappings, the
                mappings name different filters, or as for :meth:`list`.
        """
        ...


class ComplaintCaseRepository(ListableRepository[ComplaintCase], Protocol):
    """The complaint register: one :class:`~propcrm.records.ComplaintCase` per complaint.

    ``list()`` filters: ``community``, ``owner_id`` (text), ``state``
    (:class:`~propcrm.records.CaseState`), ``grade``
    (:class:`~propcrm.complaints.Grade`), ``received_from`` /
    ``received_before``; orders: ``"id"``, ``"received_at"``.
    """

    def open_grades(
        self, community: str, *, limit: int = 100, after: Cursor | None = None
    ) -> Page[tuple[str, Grade]]:
        """Return one page of the open cases of ``community``, oldest received first,
        each as ``(complaint id, grade held)``, without reading the cases themselves.

        Page on with ``after=page.next``, as with ``list()``.

        Raises:
            ValidationError: ``community`` is not text, ``limit`` is not 1 to
                10,000, or ``after`` is not a cursor of a listing by ``"received_at"``.
        """
        ...


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


class CommandRepository(ListableRepository[CommandRecord], Protocol):
    """The command log, by the caller's command id; ``list()`` by ``name``, ``id`` or ``at``."""

    def find(self, id: str) -> CommandRecord | None:
        """Return the record of command ``id``, or ``None`` if it was never done."""
        ...
