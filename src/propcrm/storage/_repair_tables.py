"""The work-order desk's tables: repair slips and allocator states (migration ``0009``).

Declared like the desks' records of ``_records``, with a :class:`Listing`
for the slips, so every adapter lists them with the same filters and pages.
"""

from __future__ import annotations

from typing import Any

from propcrm.records import AllocatorState, RepairCategory, RepairSlip
from propcrm.storage import _records
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import Column, Repo, Table
from propcrm.storage._listing import (
    Filter,
    Listing,
    ListingRepo,
    as_flag,
    as_instant,
    as_text,
    as_value_of,
)

__all__ = ["ALLOCATOR_STATES", "REPAIR_SLIPS", "TABLES", "AllocatorStateRepo", "RepairSlipRepo"]

REPAIR_SLIPS = Table(
    "repair_slips",
    RepairSlip,
    (
        Column("community", "TEXT"),
        Column("category", "TEXT"),
        Column("signed", "INTEGER"),
        Column("received_us", "INTEGER"),
    ),
    lambda s: (
        s.community,
        s.category.value,
        int(s.signed_off_at is not None),
        epoch_micros(s.received_at),
    ),
)


class RepairSlipRepo(ListingRepo[RepairSlip]):
    """Repair slips (派工单), one per work order; the clear address never leaves the row body.

    ``list()`` filters: ``community`` (text), ``category``
    (:class:`~propcrm.records.RepairCategory`), ``signed_off`` (bool),
    ``received_from`` / ``received_before`` (aware datetimes); orders:
    ``"id"``, ``"received_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "category": Filter("category", "=", as_value_of(RepairCategory)),
            "signed_off": Filter("signed", "=", as_flag),
            "received_from": Filter("received_us", ">=", as_instant),
            "received_before": Filter("received_us", "<", as_instant),
        },
        {"received_at": "received_us"},
    )


ALLOCATOR_STATES = Table("allocator_states", AllocatorState, (), lambda a: ())


class AllocatorStateRepo(Repo[AllocatorState]):
    """The stored counts of role-share allocators, by what they allocate."""

    __slots__ = ()


TABLES: tuple[Table[Any], ...] = (*_records.TABLES, REPAIR_SLIPS, ALLOCATOR_STATES)
"""Every table, in schema order."""
