"""The desks' tables: complaint cases, case events, grade records, the outbox, promised
replies and the command log; and complaints made listable.

Declared like the aggregates of ``_catalog`` (a :class:`Table` per record,
one schema migration, ``0008_desks``), plus a :class:`Listing` each, so every
adapter lists them with the same filters and keyset pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from propcrm._time import require_aware
from propcrm.complaints import Complainants, Complaint, Grade
from propcrm.errors import NotFoundError, StorageError, ValidationError
from propcrm.records import (
    CaseEvent,
    CaseEventKind,
    CaseState,
    CommandRecord,
    ComplaintCase,
    GradeRecord,
    Notification,
    NotificationKind,
    PromisedReply,
)
from propcrm.storage import _catalog
from propcrm.storage._codec import epoch_micros, from_json
from propcrm.storage._engine import Column, Query, Table, Where, storable_text
from propcrm.storage._listing import (
    Condition,
    Cursor,
    Filter,
    Listing,
    ListingRepo,
    Page,
    any_filters,
    as_flag,
    as_instant,
    as_text,
    as_value_of,
    checked_limit,
    keyset_start,
)

__all__ = [
    "CASE_EVENTS",
    "COMMANDS",
    "COMPLAINT_CASES",
    "GRADE_RECORDS",
    "NOTIFICATIONS",
    "PROMISED_REPLIES",
    "TABLES",
    "CaseEventRepo",
    "CommandRepo",
    "ComplaintCaseRepo",
    "ComplaintRepo",
    "GradeRecordRepo",
    "NotificationRepo",
    "PromisedReplyRepo",
]


def _received(column: str) -> dict[str, Filter]:
    return {
        "received_from": Filter(column, ">=", as_instant),
        "received_before": Filter(column, "<", as_instant),
    }


# --- complaints, listable ---------------------------------------------------------------


class ComplaintRepo(_catalog.ComplaintRepo, ListingRepo[Complaint]):
    """Complaints (投诉): by key in a window, overdue, or listed.

    ``list()`` filters: ``community``, ``category``, ``subject`` (text),
    ``open`` (bool), ``received_from`` / ``received_before`` (aware datetimes,
    ``[from, before)``); orders: ``"id"``, ``"received_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "category": Filter("category", "=", as_text),
            "subject": Filter("subject", "=", as_text),
            "open": Filter("is_open", "=", as_flag),
            **_received("received_us"),
        },
        {"received_at": "received_us"},
    )

    def complainants_any(self, filters: Iterable[Mapping[str, object]]) -> list[Complainants]:
        """Return who complained, and when, for every complaint ``list_any(filters)`` finds.

        What a :class:`~propcrm.complaints.ComplaintHistory` counts, read
        without building each complaint whole: a history of the stored
        neighbours of many keys at a fraction of the cost. By complaint id;
        ``received_at`` is the instant in UTC.

        Raises:
            ValidationError: as for ``list_any()``.
            StorageError: a stored complaint cannot be read back.
        """
        tests, rows = any_filters(self.LISTING, filters)
        if not rows:
            return []
        finding: Any = self._engine
        return [_complainants(*row) for row in finding.select_any_rows(tests, rows)]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CHANNEL = attrs.fields(Complaint).channel.default  # left out of the stored text


def _complainants(id: str, values: tuple[Any, ...], body: str) -> Complainants:
    """A stored complaint's :class:`Complainants` from its columns and the ids in its text."""
    community, category, subject, received_us, _open = values
    try:
        data = from_json(body)
        ids, channel = data["complainant_ids"], data.get("channel", _CHANNEL)
        if not isinstance(ids, list) or not all(isinstance(who, str) for who in ids):
            raise TypeError(f"complainant_ids is {ids!r}, not a list of strings")
        if not isinstance(channel, str):
            raise TypeError(f"channel is {channel!r}, not a string")
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise StorageError(
            f"a stored Complaint cannot be read back ({e}); "
            "the record was written by an incompatible version or edited by hand"
        ) from e
    received = _EPOCH + received_us * _MICROSECOND
    fields = (id, community, category, subject, channel, tuple(ids), received)
    return _new_complainants(Complainants, fields)


#: Builds Complainants from its fields in order without the named tuple's own
#: ``__new__`` (a Python-level call): one for every stored neighbour read.
_new_complainants = tuple.__new__


# --- complaint cases ----------------------------------------------------------------------

COMPLAINT_CASES = Table(
    "complaint_cases",
    ComplaintCase,
    (
        Column("community", "TEXT"),
        Column("state", "TEXT"),
        Column("owner", "TEXT"),
        Column("grade", "TEXT"),
        Column("received_us", "INTEGER"),
    ),
    lambda c: (
        c.community,
        c.state._value_,  # an enum's value from its slot: a bulk insert calls this per row
        c.owner_id,
        c.grade._value_,
        epoch_micros(c.received_at),
    ),
)


class ComplaintCaseRepo(ListingRepo[ComplaintCase]):
    """The complaint register (《客户投诉登记表》), one case per complaint.

    ``list()`` filters: ``community``, ``owner_id`` (text), ``state``
    (:class:`~propcrm.records.CaseState`), ``grade``
    (:class:`~propcrm.complaints.Grade`), ``received_from`` /
    ``received_before``; orders: ``"id"``, ``"received_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "owner_id": Filter("owner", "=", as_text),
            "state": Filter("state", "=", as_value_of(CaseState)),
            "grade": Filter("grade", "=", as_value_of(Grade)),
            **_received("received_us"),
        },
        {"received_at": "received_us"},
    )

    def open_grades(
        self, community: str, *, limit: int = 100, after: Cursor | None = None
    ) -> Page[tuple[str, Grade]]:
        """One page of the open cases of ``community``, oldest received first, each as
        its complaint id and the grade it holds, read without reading the cases.

        What a sweep needs to regrade them; ``after`` is the previous page's
        ``next`` (an ``order_by="received_at"`` cursor, as ``list()`` gives).

        Raises:
            ValidationError: ``community`` is not text, ``limit`` is not 1 to
                10,000, or ``after`` is not a cursor by receipt.
        """
        conditions: list[Condition] = [
            ("community", "=", as_text(community, "community")),
            ("state", "=", CaseState.OPEN.value),
        ]
        limit = checked_limit(limit)
        start = keyset_start(after, "received_at")
        paging: Any = self._engine
        rows = paging.page_values(conditions, "received_us", limit + 1, start, ("grade",))
        cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            cursor = Cursor("received_at", rows[-1][0], rows[-1][1])
        return Page(tuple((id, _GRADES[grade]) for _, id, grade in rows), cursor)


_GRADES = {grade.value: grade for grade in Grade}


# --- case events and grade records (append-only by use) ----------------------------------

CASE_EVENTS = Table(
    "case_events",
    CaseEvent,
    (Column("complaint_id", "TEXT"), Column("kind", "TEXT"), Column("at_us", "INTEGER")),
    lambda e: (e.complaint_id, e.kind._value_, epoch_micros(e.at)),
    (Query("of_complaint", (Where("complaint_id", "=", "complaint_id"),)),),
)


class CaseEventRepo(ListingRepo[CaseEvent]):
    """The events of every complaint, in order (so decisions can be recomputed).

    ``list()`` filters: ``complaint_id`` (text), ``kind``
    (:class:`~propcrm.records.CaseEventKind`), ``at_from`` / ``at_before``;
    orders: ``"id"``, ``"at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "complaint_id": Filter("complaint_id", "=", as_text),
            "kind": Filter("kind", "=", as_value_of(CaseEventKind)),
            "at_from": Filter("at_us", ">=", as_instant),
            "at_before": Filter("at_us", "<", as_instant),
        },
        {"at": "at_us"},
    )

    def of_complaint(self, complaint_id: str) -> list[CaseEvent]:
        """Every event of ``complaint_id``, first first."""
        params = {"complaint_id": storable_text(complaint_id, "complaint_id")}
        return self._engine.select(_EVENTS_OF, params)


_EVENTS_OF = CASE_EVENTS.query("of_complaint")

GRADE_RECORDS = Table(
    "grade_records",
    GradeRecord,
    (
        Column("complaint_id", "TEXT"),
        Column("grade", "TEXT"),
        Column("fingerprint", "TEXT"),
        Column("at_us", "INTEGER"),
    ),
    lambda r: (
        r.complaint_id,
        r.decision.grade._value_,
        r.policy_fingerprint,
        epoch_micros(r.decision.at),
    ),
    (Query("of_complaint", (Where("complaint_id", "=", "complaint_id"),)),),
)


class GradeRecordRepo(ListingRepo[GradeRecord]):
    """Stored grade decisions with their reasons: each complaint's grade history.

    ``list()`` filters: ``complaint_id``, ``policy_fingerprint`` (text),
    ``grade`` (:class:`~propcrm.complaints.Grade`); orders: ``"id"``, ``"at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "complaint_id": Filter("complaint_id", "=", as_text),
            "policy_fingerprint": Filter("fingerprint", "=", as_text),
            "grade": Filter("grade", "=", as_value_of(Grade)),
        },
        {"at": "at_us"},
    )

    def history(self, complaint_id: str) -> list[GradeRecord]:
        """The grade decisions of ``complaint_id``, first first."""
        params = {"complaint_id": storable_text(complaint_id, "complaint_id")}
        return self._engine.select(_GRADES_OF, params)


_GRADES_OF = GRADE_RECORDS.query("of_complaint")


# --- the outbox ---------------------------------------------------------------------------

NOTIFICATIONS = Table(
    "notifications",
    Notification,
    (
        Column("kind", "TEXT"),
        Column("community", "TEXT"),
        Column("pending", "INTEGER"),
        Column("created_us", "INTEGER"),
    ),
    lambda n: (n.kind.value, n.community, int(n.pending), epoch_micros(n.created_at)),
    (Query("pending", (Where("pending", "=", "pending"),), ("created_us",)),),
)


class NotificationRepo(ListingRepo[Notification]):
    """The outbox: who is to be told, written with the change that tells it.

    A host system implements delivery: it reads :meth:`pending`, delivers
    each notification, and calls :meth:`mark_delivered` or, when delivery
    failed, :meth:`record_failure` (the notification stays pending and counts
    the attempt). ``list()`` filters: ``kind``
    (:class:`~propcrm.records.NotificationKind`), ``community`` (text),
    ``pending`` (bool); orders: ``"id"``, ``"created_at"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "kind": Filter("kind", "=", as_value_of(NotificationKind)),
            "community": Filter("community", "=", as_text),
            "pending": Filter("pending", "=", as_flag),
        },
        {"created_at": "created_us"},
    )

    def pending(self) -> list[Notification]:
        """The notifications not yet delivered, oldest first."""
        return self._engine.select(_PENDING, {"pending": 1})

    def mark_delivered(self, id: str, *, at: datetime) -> Notification:
        """Record that notification ``id`` was delivered at ``at``; return it.

        Marking a delivered notification again changes nothing.

        Raises:
            NotFoundError: There is no notification with that id.
            ValidationError: ``at`` is naive.
        """
        require_aware(at, "at")
        found = self.get(id)
        if not found.pending:
            return found
        return self.update(_evolve(found, delivered_at=at))

    def record_failure(self, id: str, *, error: str) -> Notification:
        """Count a failed delivery of ``id``, keeping it pending; return it.

        Raises:
            NotFoundError: There is no notification with that id.
            ValidationError: ``error`` is not text, or the notification was delivered.
        """
        error = storable_text(error, "error")
        found = self.get(id)
        if not found.pending:
            raise ValidationError.expected(
                "id", "a pending notification", id, "it was delivered already"
            )
        return self.update(_evolve(found, attempts=found.attempts + 1, last_error=error))


_PENDING = NOTIFICATIONS.query("pending")


def _evolve(entity: Any, **changes: Any) -> Any:
    return attrs.evolve(entity, **changes)


# --- promised replies ---------------------------------------------------------------------

PROMISED_REPLIES = Table(
    "promised_replies",
    PromisedReply,
    (
        Column("community", "TEXT"),
        Column("waiting", "INTEGER"),
        Column("due_us", "INTEGER"),
    ),
    lambda r: (r.community, int(r.is_open and not r.overdue_notified), epoch_micros(r.due)),
    (
        Query(
            "overdue",
            (Where("waiting", "=", "waiting"), Where("due_us", "<", "at")),
            ("due_us",),
        ),
    ),
)


class PromisedReplyRepo(ListingRepo[PromisedReply]):
    """Promised replies (承诺答复) and their deadlines.

    ``list()`` filters: ``community`` (text), ``due_from`` / ``due_before``;
    orders: ``"id"``, ``"due"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "community": Filter("community", "=", as_text),
            "due_from": Filter("due_us", ">=", as_instant),
            "due_before": Filter("due_us", "<", as_instant),
        },
        {"due": "due_us"},
    )

    def overdue(self, at: datetime) -> list[PromisedReply]:
        """The unanswered replies due before ``at`` not yet notified, soonest due first."""
        return self._engine.select(_OVERDUE, {"waiting": 1, "at": as_instant(at, "at")})


_OVERDUE = PROMISED_REPLIES.query("overdue")


# --- the command log ----------------------------------------------------------------------

COMMANDS = Table(
    "commands",
    CommandRecord,
    (Column("name", "TEXT"), Column("at_us", "INTEGER")),
    lambda c: (c.name, epoch_micros(c.at)),
)


class CommandRepo(ListingRepo[CommandRecord]):
    """The command log: every command done, by its caller-supplied id.

    ``list()`` filters: ``name`` (text); orders: ``"id"``, ``"at"``.
    """

    __slots__ = ()
    LISTING = Listing({"name": Filter("name", "=", as_text)}, {"at": "at_us"})

    def find(self, id: str) -> CommandRecord | None:
        """The record of command ``id``, or ``None`` if it was never done."""
        try:
            return self.get(id)
        except NotFoundError:
            return None


TABLES: tuple[Table[Any], ...] = (
    *_catalog.TABLES,
    COMPLAINT_CASES,
    CASE_EVENTS,
    GRADE_RECORDS,
    NOTIFICATIONS,
    PROMISED_REPLIES,
    COMMANDS,
)
"""Every table, in schema order."""
