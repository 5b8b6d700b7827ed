"""The contract's part for the desks' records: samples, strategies, listing and outbox tests.

:class:`~propcrm.testing.contract.StoreContract` inherits :class:`RecordContract`
and adds :data:`RECORD_SAMPLES` to its samples, so every adapter is checked on
the complaint cases, case events, grade records, notifications, promised
replies and the command log like on every other aggregate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import strategies as st

from propcrm.complaints import Complaint, Grade, grade
from propcrm.errors import NotFoundError, ValidationError
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
from propcrm.roles import Role
from propcrm.storage import Cursor

__all__ = ["RECORD_SAMPLES", "RecordContract", "record_samples"]

_T0 = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
_HOUR = timedelta(hours=1)
_COMMUNITIES = ("东区", "西区")
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20)
"""Non-empty text that has a UTF-8 form."""
_SOME_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


def _case(n: int, text: str) -> ComplaintCase:
    return ComplaintCase(
        f"cmp-{n}",
        community=_COMMUNITIES[n % 2],
        customer_id=f"cust-{n % 3}",
        summary=f"pump room noise {n}",
        received_at=_T0 + n * _HOUR,
        owner_id=f"desk-{n % 3}",
        departments=("engineering",) if n % 2 else (),
        grade=(Grade.GENERAL, Grade.HOT)[n % 2],
        state=(CaseState.OPEN, CaseState.HANDLED, CaseState.CLOSED)[n % 3],
        result=text,
    )


def _event(n: int, text: str) -> CaseEvent:
    kinds = (CaseEventKind.REGISTERED, CaseEventKind.LIAISON_SLIP, CaseEventKind.RESPONDED)
    return CaseEvent(
        f"cmp-{n % 2}:{n:04d}",
        complaint_id=f"cmp-{n % 2}",
        seq=n,
        kind=kinds[n % 3],
        at=_T0 + n * _HOUR,
        actor_id="desk-1",
        command_id=f"cmd-{n}",
        note=text,
    )


def _grade_record(n: int, text: str) -> GradeRecord:
    complaint = Complaint(
        f"cmp-{n % 2}",
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=tuple(f"cust-{i}" for i in range(n % 4 + 1)),
        received_at=_T0,
    )
    return GradeRecord(
        f"cmp-{n % 2}:{n:04d}",
        complaint_id=complaint.id,
        seq=n,
        decision=grade(complaint, at=_T0 + n * _HOUR),
        policy_fingerprint=text,
        command_id=f"cmd-{n}",
    )


def _notification(n: int, text: str) -> Notification:
    return Notification(
        f"note-{n}",
        kind=(NotificationKind.ESCALATION, NotificationKind.REPLY_OVERDUE)[n % 2],
        subject_id=f"cmp-{n}",
        community=_COMMUNITIES[n % 2],
        to_roles=(Role.ASSISTANT_GENERAL_MANAGER,),
        to_ids=(f"desk-{n}",),
        message=f"complaint cmp-{n} escalated",
        created_at=_T0 + n * _HOUR,
        delivered_at=None if n % 3 else _T0 + (n + 1) * _HOUR,
        last_error=text,
    )


def _reply(n: int, text: str) -> PromisedReply:
    return PromisedReply(
        f"reply-{n}",
        community=_COMMUNITIES[n % 2],
        customer_id=f"cust-{n}",
        question="when is the lift fixed?",
        promised_by=f"desk-{n % 2}",
        promised_at=_T0,
        due=_T0 + n * _HOUR,
        answered_at=None if n % 3 else _T0 + _HOUR / 2,
        answer=text,
    )


def _command(n: int, text: str) -> CommandRecord:
    return CommandRecord(
        f"cmd-{n}", name="register", actor_id="desk-1", at=_T0 + n * _HOUR,
        result_type="ComplaintCase", result=text,
    )  # fmt: skip


def _strategy(
    make: Callable[[int, str], Any], text: st.SearchStrategy[str] = _SOME_TEXT
) -> Callable[[], st.SearchStrategy[Any]]:
    return lambda: st.builds(make, st.integers(1, 999), text)


def _ids(entities: Any) -> list[str]:
    return [entity.id for entity in entities]


def _pages(repo: Any, **kwargs: Any) -> list[str]:
    """Every id listed, page by page (pages of 2), in order."""
    found: list[str] = []
    after = None
    while True:
        page = repo.list(limit=2, after=after, **kwargs)
        found.extend(_ids(page.items))
        if page.next is None:
            return found
        after = page.next


@attrs.frozen
class RecordSample:
    """A record repository's sample: the fields of ``Sample``, in its order."""

    repository: str
    make: Callable[[int, str], Any]
    text: Callable[[Any], str]
    change: Callable[[Any, str], Any]
    entities: Callable[[], st.SearchStrategy[Any]]
    queries: Callable[[Any], list[list[str]]]
    with_id: Callable[[Any, str], Any] | None = None


def record_samples() -> tuple[RecordSample, ...]:
    """One sample per record repository."""
    return (
        RecordSample(
            "complaint_cases",
            _case,
            lambda c: c.result,
            lambda c, t: attrs.evolve(c, result=t),
            _strategy(_case),
            lambda repo: [
                _pages(repo),
                _pages(repo, community="东区", order_by="received_at"),
                _pages(repo, state=CaseState.OPEN, grade=Grade.HOT),
            ],
            lambda c, id: attrs.evolve(c, id=id),
        ),
        RecordSample(
            "case_events",
            _event,
            lambda e: e.note,
            lambda e, t: attrs.evolve(e, note=t),
            _strategy(_event),
            lambda repo: [_ids(repo.of_complaint("cmp-1")), _pages(repo, order_by="at")],
            lambda e, id: attrs.evolve(e, id=id),
        ),
        RecordSample(
            "grade_records",
            _grade_record,
            lambda r: r.policy_fingerprint,
            lambda r, t: attrs.evolve(r, policy_fingerprint=t),
            _strategy(_grade_record, _TEXT.filter(str.strip)),
            lambda repo: [_ids(repo.history("cmp-0")), _pages(repo, grade=Grade.HOT)],
            lambda r, id: attrs.evolve(r, id=id),
        ),
        RecordSample(
            "notifications",
            _notification,
            lambda n: n.last_error,
            lambda n, t: attrs.evolve(n, last_error=t),
            _strategy(_notification),
            lambda repo: [_ids(repo.pending()), _pages(repo, pending=True, order_by="created_at")],
            lambda n, id: attrs.evolve(n, id=id),
        ),
        RecordSample(
            "promised_replies",
            _reply,
            lambda r: r.answer,
            lambda r, t: attrs.evolve(r, answer=t),
            _strategy(_reply),
            lambda repo: [_ids(repo.overdue(_T0 + 4 * _HOUR)), _pages(repo, order_by="due")],
            lambda r, id: attrs.evolve(r, id=id),
        ),
        RecordSample(
            "commands",
            _command,
            lambda c: c.result,
            lambda c, t: attrs.evolve(c, result=t),
            _strategy(_command),
            lambda repo: [[c.id] if (c := repo.find("cmd-1")) else []],
            lambda c, id: attrs.evolve(c, id=id),
        ),
    )


RECORD_SAMPLES = record_samples()


class RecordContract:
    """Listing, paging and the outbox, as every adapter must do them."""

    def test_pages_list_every_case_once_in_order(self, store: Any) -> None:
        """Pages of 2 by receipt give every case of the community once, oldest first."""
        store.complaint_cases.add_all(_case(n, "") for n in range(1, 8))
        assert _pages(store.complaint_cases, community="西区", order_by="received_at") == [
            "cmp-1",
            "cmp-3",
            "cmp-5",
            "cmp-7",
        ]

    def test_filters_combine_with_and(self, store: Any) -> None:
        """state= and grade= together keep the cases that match both."""
        store.complaint_cases.add_all(_case(n, "") for n in range(1, 8))
        # open: n % 3 == 0 (3, 6); HOT: odd n -> only cmp-3
        page = store.complaint_cases.list(state=CaseState.OPEN, grade=Grade.HOT)
        assert (_ids(page.items), page.next) == (["cmp-3"], None)

    def test_complaints_list_open_ones_by_receipt(self, store: Any) -> None:
        """complaints.list(open=True) skips resolved complaints."""
        for n in range(1, 5):
            received = _T0 + n * _HOUR
            store.complaints.add(
                Complaint(
                    f"c-{n}", community="东区", category="noise", subject="pump",
                    complainant_ids=("a",), received_at=received,
                    resolved_at=received + _HOUR if n == 2 else None,
                )
            )  # fmt: skip
        assert _pages(store.complaints, open=True, order_by="received_at") == ["c-1", "c-3", "c-4"]

    def test_open_grades_page_a_communitys_open_cases_by_receipt(self, store: Any) -> None:
        """open_grades() gives each open case of the community once, oldest first, with grade."""
        store.complaint_cases.add_all(_case(n, "") for n in range(1, 13))
        # 西区 holds the odd n (HOT); open are n % 3 == 0: cmp-3 and cmp-9.
        first = store.complaint_cases.open_grades("西区", limit=1)
        second = store.complaint_cases.open_grades("西区", limit=1, after=first.next)
        assert (first.items, second.items, second.next) == (
            (("cmp-3", Grade.HOT),),
            (("cmp-9", Grade.HOT),),
            None,
        )

    def test_open_grades_keep_to_the_community_and_open_state(self, store: Any) -> None:
        """东区's open cases are the even n divisible by 3, GENERAL; handled ones are left out."""
        store.complaint_cases.add_all(_case(n, "") for n in range(1, 13))
        page = store.complaint_cases.open_grades("东区")
        assert (page.items, page.next) == (
            (("cmp-6", Grade.GENERAL), ("cmp-12", Grade.GENERAL)),
            None,
        )

    def test_open_grades_refuse_bad_arguments(self, store: Any) -> None:
        """A community that is not text, a bad limit or a cursor by id is a ValidationError."""
        with pytest.raises(ValidationError, match="community"):
            store.complaint_cases.open_grades(7)
        with pytest.raises(ValidationError, match="limit"):
            store.complaint_cases.open_grades("东区", limit=0)
        with pytest.raises(ValidationError, match="after"):
            store.complaint_cases.open_grades("东区", after=Cursor("id", "cmp-1", "cmp-1"))

    def test_a_page_after_the_last_is_empty(self, store: Any) -> None:
        """The cursor of a full last page leads to an empty page with no next."""
        store.complaint_cases.add_all(_case(n, "") for n in range(1, 3))
        page = store.complaint_cases.list(limit=1)
        last = store.complaint_cases.list(limit=1, after=page.next)
        assert (_ids(last.items), last.next) == (["cmp-2"], None)

    def test_unknown_filters_and_orders_are_refused(self, store: Any) -> None:
        """An unknown filter or order names itself and the known ones."""
        with pytest.raises(ValidationError, match="colour"):
            store.complaint_cases.list(colour="red")
        with pytest.raises(ValidationError, match="order_by"):
            store.complaint_cases.list(order_by="summary")

    def test_bad_limits_and_cursors_are_refused(self, store: Any) -> None:
        """A limit out of range or a cursor of another order is a ValidationError."""
        with pytest.raises(ValidationError, match="limit"):
            store.notifications.list(limit=0)
        with pytest.raises(ValidationError, match="after"):
            store.notifications.list(order_by="created_at", after=Cursor("id", "x", "x"))

    def test_filter_values_are_checked(self, store: Any) -> None:
        """A filter given a value of the wrong type names the filter."""
        with pytest.raises(ValidationError, match="pending"):
            store.notifications.list(pending="yes")
        with pytest.raises(ValidationError, match="state"):
            store.complaint_cases.list(state="open")

    def test_mark_delivered_takes_it_out_of_pending(self, store: Any) -> None:
        """A delivered notification leaves pending(); marking it again changes nothing."""
        store.notifications.add_all(_notification(n, "") for n in (1, 2))
        done = store.notifications.mark_delivered("note-1", at=_T0 + 9 * _HOUR)
        again = store.notifications.mark_delivered("note-1", at=_T0 + 10 * _HOUR)
        assert (_ids(store.notifications.pending()), again) == (["note-2"], done)

    def test_a_failed_delivery_counts_and_stays_pending(self, store: Any) -> None:
        """record_failure() counts the attempt and keeps the message of the error."""
        store.notifications.add(_notification(1, ""))
        store.notifications.record_failure("note-1", error="SMS gateway down")
        found = store.notifications.get("note-1")
        assert (found.attempts, found.last_error, found.pending) == (1, "SMS gateway down", True)

    def test_a_delivered_notification_cannot_fail(self, store: Any) -> None:
        """record_failure() after delivery is refused; a missing id is not found."""
        store.notifications.add(_notification(3, ""))  # delivered: 3 % 3 == 0
        with pytest.raises(ValidationError, match="delivered"):
            store.notifications.record_failure("note-3", error="late")
        with pytest.raises(NotFoundError):
            store.notifications.mark_delivered("note-9", at=_T0)

    def test_overdue_replies_are_the_unanswered_ones_past_due(self, store: Any) -> None:
        """overdue(at) takes unanswered, unnotified replies due before ``at``, soonest first."""
        store.promised_replies.add_all(_reply(n, "") for n in range(1, 7))
        # answered: n % 3 == 0 (3, 6); due before T0+5h: 1-4
        assert _ids(store.promised_replies.overdue(_T0 + 5 * _HOUR)) == [
            "reply-1",
            "reply-2",
            "reply-4",
        ]

    def test_the_command_log_finds_commands_done(self, store: Any) -> None:
        """find() returns a recorded command and None for one never done."""
        stored = store.commands.add(_command(1, "{}"))
        assert (store.commands.find("cmd-1"), store.commands.find("cmd-2")) == (stored, None)

    def test_grade_history_and_events_come_in_order(self, store: Any) -> None:
        """history() and of_complaint() give one complaint's records, first first."""
        store.grade_records.add_all(_grade_record(n, "fp") for n in (3, 1, 2))
        store.case_events.add_all(_event(n, "") for n in (4, 2, 1, 3))
        assert (
            [r.seq for r in store.grade_records.history("cmp-1")],
            [e.seq for e in store.case_events.of_complaint("cmp-0")],
        ) == ([1, 3], [2, 4])
