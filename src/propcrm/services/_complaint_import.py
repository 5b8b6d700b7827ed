"""Bulk import of a complaint register kept before the desk: graded and stored by the batch.

Public in :mod:`propcrm.services` (:class:`HistoryEntry`,
:meth:`~propcrm.services.ComplaintDesk.import_history`); this module is private.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs
from attrs import field, frozen

from propcrm._checks import require_iterable
from propcrm._months import add_months
from propcrm._time import zone
from propcrm._validators import instance_of, non_empty_str, optional, unvalidated
from propcrm.complaints import Complaint, ComplaintHistory, GradeDecision, grade
from propcrm.errors import ValidationError
from propcrm.records import CaseEventKind, CaseState, ComplaintCase
from propcrm.services._commands import Actor, CommandRunner
from propcrm.services._complaint_desk import case_event, grade_record
from propcrm.storage import Store

__all__ = ["HistoryEntry", "import_history"]

_MICROSECOND = timedelta(microseconds=1)


@frozen
class HistoryEntry:
    """One complaint of a register kept before the desk, for
    :meth:`~propcrm.services.ComplaintDesk.import_history`.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from propcrm.complaints import Complaint
    >>> from propcrm.services import HistoryEntry
    >>> received = datetime(2025, 2, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> entry = HistoryEntry(
    ...     Complaint("H-1", community="东区", category="noise", subject="pump room",
    ...               complainant_ids=["cust-1"], received_at=received,
    ...               first_receiver_id="desk-li"),
    ...     customer_id="cust-1", summary="pump room hums at night")
    >>> entry.owner_id is None
    True

    Attributes:
        complaint: The complaint as grading reads it; ``resolved_at`` set if it
            was resolved.
        customer_id: The customer who complained (the register's 客户).
        summary: What the complaint said (the register's 投诉内容).
        owner_id: Who owned it; ``None`` for the complaint's
            ``first_receiver_id``, or the importing actor if that is empty.
    """

    complaint: Complaint = field(validator=instance_of(Complaint, "a Complaint"))
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    summary: str = field(kw_only=True, validator=non_empty_str)
    owner_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))


def import_history(
    runner: CommandRunner, *, command_id: str, actor: Actor, entries: Iterable[HistoryEntry]
) -> int:
    """Grade and store ``entries`` in one transaction; return how many were imported."""
    batch = list(require_iterable(entries, "entries", "HistoryEntry values"))
    for i, entry in enumerate(batch):
        if not isinstance(entry, HistoryEntry):
            raise ValidationError.expected(
                f"entries[{i}]", "a HistoryEntry", type(entry).__name__,
                "wrap each complaint: HistoryEntry(complaint, customer_id=..., summary=...)",
            )  # fmt: skip
        actor.require(entry.complaint.community)
    given = {id(entry): i for i, entry in enumerate(batch)}
    batch.sort(key=lambda entry: entry.complaint.received_at)

    def work(at: datetime) -> int:
        for entry in batch:
            _require_before(entry.complaint, at, f"entries[{given[id(entry)]}].complaint")
        store, policy = runner.store, runner.policy
        history = _stored_history(store, runner, batch)
        complaints = [entry.complaint for entry in batch]
        history.extend(complaints)
        tz = zone(policy.tz)
        cards = store.vip_cards.held_by_any(entry.customer_id for entry in batch)
        vip: dict[tuple[str, object], bool] = {}
        # Two flat lists, not a tuple per complaint: the collector has fewer objects
        # that outlive the batch's young collections to count and walk.
        decisions: list[GradeDecision] = []
        vips: list[bool] = []
        for entry in batch:
            complaint = entry.complaint
            received = complaint.received_at
            resolved = complaint.resolved_at
            # A closed complaint is graded when it closed: a week or a month unresolved
            # raised it on the way (002 §40), and no sweep will watch it. An open one is
            # graded at receipt; the sweep escalates it from there, telling whom it must.
            moment = received if resolved is None else resolved
            decision = grade(complaint, at=moment, history=history, policy=policy)
            on = received.astimezone(tz).date()
            held = vip.get((entry.customer_id, on))
            if held is None:
                held = any(c.is_valid_on(on) for c in cards[entry.customer_id])
                vip[entry.customer_id, on] = held
            decisions.append(decision)
            vips.append(held)
        # Each table's records are built as they are written, never all held at once:
        # a batch's records then die young, and the collector has less to walk.
        store.complaints.add_all(complaints)
        store.complaint_cases.add_all(
            _case(e, d, held, actor) for e, d, held in zip(batch, decisions, vips, strict=True)
        )
        store.grade_records.add_all(
            grade_record(d.complaint_id, 1, d, runner, command_id) for d in decisions
        )
        store.case_events.add_all(
            case_event(d.complaint_id, seq, kind, when, actor, command_id, note)
            for e, d in zip(batch, decisions, strict=True)
            for seq, kind, when, note in (
                (1, CaseEventKind.REGISTERED, e.complaint.received_at, e.summary),
                (2, CaseEventKind.GRADED, d.at, d.grade.value),
            )
        )
        return len(batch)

    return runner.run(
        "complaints.import_history", command_id=command_id, actor=actor, result_type=int, work=work
    )


def _case(entry: HistoryEntry, decision: GradeDecision, vip: bool, actor: Actor) -> ComplaintCase:
    """The case of an imported complaint: open, or closed when it was resolved.

    Built unchecked from the validated entry, its complaint and decision; only
    the owner is checked, as a complaint's ``first_receiver_id`` may be blank.
    """
    complaint = entry.complaint
    resolved = complaint.resolved_at
    owner = entry.owner_id or complaint.first_receiver_id or actor.id
    non_empty_str(None, _OWNER, owner)
    return _unchecked_case(
        id=complaint.id,
        community=complaint.community,
        customer_id=entry.customer_id,
        summary=entry.summary,
        received_at=complaint.received_at,
        owner_id=owner,
        grade=decision.grade,
        vip=vip,
        state=CaseState.OPEN if resolved is None else CaseState.CLOSED,
        handled_at=resolved,
        events=2,
    )


_unchecked_case = unvalidated(ComplaintCase)
_OWNER = attrs.fields(ComplaintCase).owner_id


def _require_before(complaint: Complaint, at: datetime, name: str) -> None:
    """Refuse a complaint received or resolved after the import: history is what has happened."""
    resolved = complaint.resolved_at
    if complaint.received_at <= at and (resolved is None or resolved <= at):
        return  # the usual case, in one comparison or two
    for field_name in ("received_at", "resolved_at"):
        moment = getattr(complaint, field_name)
        if moment is not None and moment > at:
            raise ValidationError.expected(
                f"{name}.{field_name}", f"a moment no later than the import ({at.isoformat()})",
                moment.isoformat(), "import history that has happened; register a new "
                "complaint at the desk when it is received",
            )  # fmt: skip


def _stored_history(
    store: Store, runner: CommandRunner, batch: list[HistoryEntry]
) -> ComplaintHistory:
    """Who complained, and when, about the batch's keys, as far back as its windows reach.

    Read as :class:`~propcrm.complaints.Complainants`, not whole complaints:
    the history counts nothing else, and the import reads tens of thousands.
    """
    grading = runner.policy.grading
    fields = [f for f in grading.same_complaint_key if f != "channel"]
    window = grading.repeat_window_months
    spans: dict[tuple[str, ...], tuple[datetime, datetime]] = {}
    for entry in batch:
        complaint = entry.complaint
        key = tuple(getattr(complaint, f) for f in fields)
        # Each window starts on the wall clock of its own complaint: a later one
        # received in another zone can reach back further than the key's first.
        # Both ends are compared in UTC: in the hour a daylight-saving change
        # repeats, a zone's wall clock is not the order of the instants.
        start = add_months(complaint.received_at, -window).astimezone(UTC)
        end = complaint.received_at.astimezone(UTC)
        span = spans.get(key)
        if span is not None:
            start, end = min(span[0], start), max(span[1], end)
        spans[key] = (start, end)
    history = ComplaintHistory(policy=grading)
    history.extend(
        store.complaints.complainants_any(
            dict(
                zip(fields, key, strict=True),
                received_from=start,
                received_before=last + _MICROSECOND,
            )
            for key, (start, last) in spans.items()
        )
    )
    return history
