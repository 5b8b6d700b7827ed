"""The night log's and the VIP office's tables (migrations ``0010`` and ``0011``).

Declared like the desks' records of ``_records``, each with a :class:`Listing`,
so every adapter lists them with the same filters and pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from propcrm.errors import ValidationError
from propcrm.records import NightEntry, NightEntryState, VipArchive
from propcrm.storage import _analysis_tables
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import Column, Scalar, Table
from propcrm.storage._listing import Filter, Listing, ListingRepo, as_instant, as_text, as_value_of

__all__ = ["NIGHT_ENTRIES", "TABLES", "VIP_ARCHIVES", "NightEntryRepo", "VipArchiveRepo"]


def _as_day(value: object, name: str) -> Scalar:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value)
    return value.isoformat()


NIGHT_ENTRIES = Table(
    "night_entries",
    NightEntry,
    (
        Column("community", "TEXT"),
        Column("state", "TEXT"),
        Column("night_of", "TEXT"),
        Column("logged_us", "INTEGER"),
    ),
    lambda e: (e.community, e.state.value, e.night_of.isoformat(), epoch_micros(e.logged_at)),
)


class NightEntryRepo(ListingRepo[NightEntry]):
    """The night log (夜间值班记录表); the caller's clear phone never leaves the row body.

    ``list()`` filters: ``community`` (text), ``state``
    (:class:`~propcrm.records.NightEntryState`), ``night_of`` (a date),
    ``logged_from`` / ``logged_before`` (aware datetimes); orders: ``"id"``,
    ``"logged_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "state": Filter("state", "=", as_value_of(NightEntryState)),
            "night_of": Filter("night_of", "=", _as_day),
            "logged_from": Filter("logged_us", ">=", as_instant),
            "logged_before": Filter("logged_us", "<", as_instant),
        },
        {"logged_at": "logged_us"},
    )


VIP_ARCHIVES = Table(
    "vip_archives",
    VipArchive,
    (
        Column("community", "TEXT"),
        Column("card", "TEXT"),
        Column("opened_us", "INTEGER"),
    ),
    lambda a: (a.community, a.card_id, epoch_micros(a.opened_at)),
)


class VipArchiveRepo(ListingRepo[VipArchive]):
    """VIP archives (VIP 客户档案), one per VIP customer, keyed by the customer's id.

    ``list()`` filters: ``community``, ``card_id`` (text); orders: ``"id"``,
    ``"opened_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "card_id": Filter("card", "=", as_text),
        },
        {"opened_at": "opened_us"},
    )


TABLES: tuple[Table[Any], ...] = (*_analysis_tables.TABLES, NIGHT_ENTRIES, VIP_ARCHIVES)
"""Every table, in schema order."""
