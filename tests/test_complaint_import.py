"""ComplaintDesk.import_history: a register kept before the desk, graded and stored by the batch."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.complaints import Complaint, Grade
from propcrm.errors import ConflictError, PermissionDeniedError, ValidationError
from propcrm.records import CaseEventKind, CaseState, ComplaintCase
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, HistoryEntry
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
FEB = datetime(2025, 2, 3, 9, 0, tzinfo=SH)  # Monday 3 February 2025
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


@pytest.fixture
def desk(store: Any) -> ComplaintDesk:
    """A desk whose clock reads Monday 10 March 2025, five weeks after the history starts."""
    return ComplaintDesk(store, clock=FixedClock(FEB + timedelta(days=35)))


def _entry(n: int, *, days: float = 0, who: str | None = None, **changes: Any) -> HistoryEntry:
    fields: dict[str, Any] = {
        "community": "东区",
        "category": "noise",
        "subject": "pump room",
        "complainant_ids": [who or f"cust-{n}"],
        "received_at": FEB + timedelta(days=days),
        "first_receiver_id": "desk-li",
        **changes,
    }
    complaint = Complaint(f"H-{n}", **fields)
    return HistoryEntry(complaint, customer_id=complaint.complainant_ids[0], summary="hums")


def test_the_third_complainant_in_a_month_makes_the_complaint_hot(
    desk: ComplaintDesk, store: Any
) -> None:
    """Three people on one key within a month (002 §40): the third is HOT, given in any order."""
    count = desk.import_history(
        command_id="imp-1",
        actor=CLERK,
        entries=[_entry(3, days=20), _entry(1), _entry(2, days=10)],
    )
    grades = [store.complaint_cases.get(f"H-{n}").grade for n in (1, 2, 3)]
    assert (count, grades) == (3, [Grade.GENERAL, Grade.GENERAL, Grade.HOT])


def test_stored_complaints_count_in_the_window(desk: ComplaintDesk, store: Any) -> None:
    """A second batch is graded against the first: its one complaint is the third."""
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1), _entry(2, days=5)])
    desk.import_history(command_id="imp-2", actor=CLERK, entries=[_entry(3, days=9)])
    assert store.complaint_cases.get("H-3").grade is Grade.HOT


def test_a_complaint_outside_the_window_does_not_count(desk: ComplaintDesk, store: Any) -> None:
    """3 Feb and 4 Mar are more than a calendar month apart: the March one is the second."""
    desk.import_history(
        command_id="imp-1",
        actor=CLERK,
        entries=[_entry(1), _entry(2, days=27), _entry(3, days=29)],
    )
    assert store.complaint_cases.get("H-3").grade is Grade.GENERAL


def test_each_entry_gets_its_case_decision_and_two_events(desk: ComplaintDesk, store: Any) -> None:
    """Owner = first receiver; one grade record stamped with the policy; registered, graded."""
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1)])
    case = store.complaint_cases.get("H-1")
    (record,) = store.grade_records.history("H-1")
    kinds = [event.kind for event in store.case_events.of_complaint("H-1")]
    assert (case.owner_id, case.state, case.events, case.received_at) == (
        "desk-li",
        CaseState.OPEN,
        2,
        FEB,
    )
    assert (record.policy_fingerprint, record.command_id, record.decision.at) == (
        desk.runner.fingerprint,
        "imp-1",
        FEB,
    )
    assert kinds == [CaseEventKind.REGISTERED, CaseEventKind.GRADED]


def test_a_resolved_complaint_is_imported_closed(desk: ComplaintDesk, store: Any) -> None:
    """resolved_at set: a closed case handled then, which the sweep leaves alone."""
    resolved = FEB + timedelta(hours=20)
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1, resolved_at=resolved)])
    case = store.complaint_cases.get("H-1")
    report = desk.sweep(command_id="sweep-1", actor=CLERK)
    assert (case.state, case.handled_at, report.escalations) == (CaseState.CLOSED, resolved, ())


def test_a_complaint_resolved_after_eight_days_is_imported_hot(
    desk: ComplaintDesk, store: Any
) -> None:
    """Received 3 Feb, resolved 11 Feb: a week unresolved (002 §40) made it HOT before it closed."""
    resolved = FEB + timedelta(days=8)
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1, resolved_at=resolved)])
    decision = store.grade_records.history("H-1")[0].decision
    assert (store.complaint_cases.get("H-1").grade, decision.grade, decision.at) == (
        Grade.HOT,
        Grade.HOT,
        resolved,
    )


def test_a_complaint_resolved_within_the_week_stays_general(
    desk: ComplaintDesk, store: Any
) -> None:
    """Received 3 Feb, resolved 9 Feb (six days): no time escalation, GENERAL."""
    resolved = FEB + timedelta(days=6)
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1, resolved_at=resolved)])
    assert store.complaint_cases.get("H-1").grade is Grade.GENERAL


def test_the_sweep_escalates_imported_open_complaints(desk: ComplaintDesk) -> None:
    """Received 3 Feb, still open on 3 Mar: a calendar month unresolved is MAJOR."""
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1)])
    report = desk.sweep(command_id="sweep-1", actor=CLERK)
    assert [(e.complaint_id, e.previous, e.grade) for e in report.escalations] == [
        ("H-1", Grade.GENERAL, Grade.MAJOR)
    ]


def test_a_retried_import_is_a_no_op(desk: ComplaintDesk, store: Any) -> None:
    """The same command id again returns the first count and stores nothing twice."""
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1)])
    again = desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1)])
    assert (again, len(store.complaints), len(store.case_events)) == (1, 1, 2)


def test_an_id_taken_imports_nothing(desk: ComplaintDesk, store: Any) -> None:
    """One complaint id already stored: the whole batch is refused, nothing is written."""
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[_entry(1)])
    with pytest.raises(ConflictError):
        desk.import_history(command_id="imp-2", actor=CLERK, entries=[_entry(2), _entry(1)])
    assert (len(store.complaints), len(store.complaint_cases), store.commands.find("imp-2")) == (
        1,
        1,
        None,
    )


def test_another_communitys_entry_is_refused(desk: ComplaintDesk, store: Any) -> None:
    """A 西区 complaint in a 东区 desk's batch: PermissionDeniedError, nothing written."""
    with pytest.raises(PermissionDeniedError):
        desk.import_history(
            command_id="imp-1", actor=CLERK, entries=[_entry(1), _entry(2, community="西区")]
        )
    assert len(store.complaints) == 0


@pytest.mark.parametrize("entries", [[object()], "H-1", None])
def test_entries_must_be_history_entries(desk: ComplaintDesk, entries: Any) -> None:
    """Anything but a list of HistoryEntry values is refused, naming ``entries``."""
    with pytest.raises(ValidationError, match="entries"):
        desk.import_history(command_id="imp-1", actor=CLERK, entries=entries)


def test_an_entry_needs_a_complaint_and_the_register_fields() -> None:
    """A HistoryEntry refuses a complaint that is not a Complaint, or a blank summary."""
    with pytest.raises(ValidationError, match="complaint"):
        HistoryEntry("H-1", customer_id="cust-1", summary="hums")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="summary"):
        HistoryEntry(_entry(1).complaint, customer_id="cust-1", summary=" ")


def test_import_grades_as_registering_one_by_one(tmp_path: Path) -> None:
    """The same complaints registered in time order or imported: the same grades."""
    entries = [
        _entry(n, days=d, who=w)
        for n, d, w in [(1, 0, "a"), (2, 3, "b"), (3, 4, "a"), (4, 6, "c"), (5, 40, "d")]
    ]
    imported = ComplaintDesk(MemoryStore(), clock=FixedClock(FEB + timedelta(days=41)))
    imported.import_history(command_id="imp-1", actor=CLERK, entries=entries)
    clock = FixedClock(FEB)
    registered = ComplaintDesk(MemoryStore(), clock=clock)
    for entry in entries:
        clock.set(entry.complaint.received_at)
        registered.register(
            command_id=entry.complaint.id, actor=CLERK, complaint_id=entry.complaint.id,
            community="东区", customer_id=entry.customer_id, summary="hums",
            category="noise", subject="pump room",
        )  # fmt: skip
    grades = [
        [desk.store.complaint_cases.get(e.complaint.id).grade for e in entries]
        for desk in (imported, registered)
    ]
    assert (
        grades[0]
        == grades[1]
        == [
            Grade.GENERAL,
            Grade.GENERAL,
            Grade.GENERAL,
            Grade.HOT,
            Grade.GENERAL,
        ]
    )


def test_an_imported_case_equals_the_one_its_class_builds(desk: ComplaintDesk, store: Any) -> None:
    """The case built unchecked from a closed entry is the one ComplaintCase(...) builds."""
    resolved = FEB + timedelta(hours=20)
    entry = _entry(1, resolved_at=resolved, first_receiver_id="")
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[entry])
    assert store.complaint_cases.get("H-1") == ComplaintCase(
        "H-1", community="东区", customer_id="cust-1", summary="hums", received_at=FEB,
        owner_id="desk-1", grade=Grade.GENERAL, vip=False, state=CaseState.CLOSED,
        handled_at=resolved, events=2, version=1,
    )  # fmt: skip


def test_a_blank_first_receiver_cannot_own_the_imported_case(
    desk: ComplaintDesk, store: Any
) -> None:
    """A first receiver of spaces is no owner: refused naming owner_id, nothing imported."""
    with pytest.raises(ValidationError, match="^owner_id: expected a non-empty string"):
        desk.import_history(
            command_id="imp-1", actor=CLERK, entries=[_entry(1, first_receiver_id="  ")]
        )
    assert len(store.complaints) == 0


def test_a_complaint_received_after_the_import_is_refused(desk: ComplaintDesk, store: Any) -> None:
    """Received 40 days after 3 Feb, the import runs at 35: refused, naming it, nothing stored."""
    entries = [_entry(1), _entry(2, days=40)]
    with pytest.raises(ValidationError, match=r"^entries\[1\]\.complaint\.received_at: expected"):
        desk.import_history(command_id="imp-1", actor=CLERK, entries=entries)
    assert len(store.complaints) == 0


def test_a_complaint_resolved_after_the_import_is_refused(desk: ComplaintDesk, store: Any) -> None:
    """Received 3 Feb but resolved 40 days later, after the import: refused, naming resolved_at."""
    entries = [_entry(1, resolved_at=FEB + timedelta(days=40))]
    with pytest.raises(ValidationError, match=r"^entries\[0\]\.complaint\.resolved_at: expected"):
        desk.import_history(command_id="imp-1", actor=CLERK, entries=entries)
    assert len(store.complaints) == 0
