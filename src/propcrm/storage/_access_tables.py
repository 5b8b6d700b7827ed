"""The archive desk's tables: the append-only audit trail and consents (migration ``0013``).

The audit trail is the archive room's register (安全保密制度 3): its
repository appends and reads, and has no way to change or remove an entry.
The store numbers each entry as it appends it, from its sequences, so entries
sort in the order they were written.
"""

from __future__ import annotations

from typing import Any

import attrs

from propcrm.records import AuditAction, AuditEntry, Consent
from propcrm.storage import _office_tables
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import (
    Column,
    Engine,
    Sequences,
    Table,
    entity_of,
    sequence_id,
    storable_text,
)
from propcrm.storage._listing import (
    Cursor,
    Filter,
    Listing,
    ListingRepo,
    Page,
    as_flag,
    as_instant,
    as_text,
    as_value_of,
    list_page,
)

__all__ = ["AUDIT_TRAIL", "CONSENTS", "TABLES", "AuditTrailRepo", "ConsentRepo"]

AUDIT_TRAIL = Table(
    "audit_trail",
    AuditEntry,
    (
        Column("customer", "TEXT"),
        Column("actor", "TEXT"),
        Column("action", "TEXT"),
        Column("at_us", "INTEGER"),
    ),
    lambda e: (e.customer_id, e.actor_id, e.action.value, epoch_micros(e.at)),
    versioned=False,
)


class AuditTrailRepo:
    """The audit trail (查阅登记): append and read, never change or remove.

    ``list()`` filters: ``customer_id``, ``actor_id`` (text), ``action``
    (:class:`~propcrm.records.AuditAction`), ``at_from`` / ``at_before``
    (aware datetimes, ``[from, before)``); orders: ``"id"`` (the order they
    were appended), ``"at"``.
    """

    __slots__ = ("_engine", "_sequences")
    LISTING = Listing(
        {
            "customer_id": Filter("customer", "=", as_text),
            "actor_id": Filter("actor", "=", as_text),
            "action": Filter("action", "=", as_value_of(AuditAction)),
            "at_from": Filter("at_us", ">=", as_instant),
            "at_before": Filter("at_us", "<", as_instant),
        },
        {"at": "at_us"},
    )

    def __init__(self, engine: Engine[AuditEntry], sequences: Sequences) -> None:
        self._engine = engine
        self._sequences = sequences

    def append(self, entry: AuditEntry) -> AuditEntry:
        """Append ``entry``, numbered by the store; return it with its id.

        Raises:
            ValidationError: ``entry`` is not an :class:`~propcrm.records.AuditEntry`.
        """
        checked = entity_of(AUDIT_TRAIL, entry, "entry")
        number = self._sequences._next_in_sequence(AUDIT_TRAIL.name) or 0
        return self._engine.add(attrs.evolve(checked, id=sequence_id(number)))

    def get(self, id: str) -> AuditEntry:
        """Return the entry with ``id``; raise ``NotFoundError`` if there is none."""
        return self._engine.get(storable_text(id, "id"))

    def list(
        self,
        *,
        order_by: str = "id",
        limit: int = 100,
        after: Cursor | None = None,
        **where: object,
    ) -> Page[AuditEntry]:
        """Return one page of the entries that pass every filter in ``where``.

        Raises:
            ValidationError: An unknown filter or order, a value of the wrong
                type, a limit out of range, or a cursor of another order.
        """
        return list_page(self._engine, self.LISTING, order_by, limit, after, where)

    def __len__(self) -> int:
        return self._engine.count()


CONSENTS = Table(
    "consents",
    Consent,
    (
        Column("customer", "TEXT"),
        Column("recipient", "TEXT"),
        Column("active", "INTEGER"),
        Column("given_us", "INTEGER"),
    ),
    lambda c: (
        c.customer_id,
        c.recipient,
        int(c.withdrawn_at is None),
        epoch_micros(c.given_at),
    ),
)


class ConsentRepo(ListingRepo[Consent]):
    """Customers' consents to disclosure, with their scope, date and withdrawal.

    ``list()`` filters: ``customer_id``, ``recipient`` (text), ``active``
    (bool: not withdrawn); orders: ``"id"``, ``"given_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "customer_id": Filter("customer", "=", as_text),
            "recipient": Filter("recipient", "=", as_text),
            "active": Filter("active", "=", as_flag),
        },
        {"given_at": "given_us"},
    )


TABLES: tuple[Table[Any], ...] = (*_office_tables.TABLES, AUDIT_TRAIL, CONSENTS)
"""Every table, in schema order."""
