"""The audit trail's port: public in :mod:`propcrm.storage`; this module is private.

Kept beside the other ports in spirit: a :class:`typing.Protocol` with no code.
"""

from __future__ import annotations

from typing import Protocol

from propcrm.records import AuditEntry
from propcrm.storage._listing import Cursor, Page

__all__ = ["AuditTrailRepository"]


class AuditTrailRepository(Protocol):
    """The audit trail: append-only, numbered by the store (RULES §8).

    It has no ``update`` and no ``remove``: an entry, once appended, stays as
    written (the SQLite store's triggers refuse a change made around propcrm).

    ``list()`` filters: ``customer_id``, ``actor_id`` (text), ``action``
    (:class:`~propcrm.records.AuditAction`), ``at_from`` / ``at_before``;
    orders: ``"id"`` (the order appended), ``"at"``.
    """

    def append(self, entry: AuditEntry) -> AuditEntry:
        """Append ``entry`` and return it with the id the store gave it."""
        ...

    def get(self, id: str) -> AuditEntry:
        """Return the entry with ``id``.

        Raises:
            NotFoundError: There is no entry with that id.
        """
        ...

    def list(
        self,
        *,
        order_by: str = "id",
        limit: int = 100,
        after: Cursor | None = None,
        **where: object,
    ) -> Page[AuditEntry]:
        """Return one page of the entries that pass every filter named in ``where``.

        Raises:
            ValidationError: An unknown filter or order, a value of the wrong
                type, a limit out of range, or a cursor of another order.
        """
        ...

    def __len__(self) -> int:
        """Return how many entries are stored."""
        ...
