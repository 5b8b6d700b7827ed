"""Run a collective complaint through the complaint desk on a SQLite file, over a month.

Registered on a Monday by three residents (HOT at once), swept a week and a
calendar month later (MAJOR), handled, called back; every notification is
printed as a host system would deliver it. Run from the repository root:
``python examples/complaint_desk.py``. Exits non-zero if anything it shows is wrong.
"""

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from propcrm import FixedClock
from propcrm.complaints import Grade
from propcrm.errors import ConflictError
from propcrm.records import CaseEventKind, CaseState, Notification
from propcrm.services import Actor, ComplaintDesk, deliver_pending
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=SH)


def send(note: Notification) -> None:
    """The host's delivery hook: here it prints; a real host sends an SMS or a message."""
    who = ", ".join([*(role.label for role in note.to_roles), *note.to_ids])
    print(f"  -> to {who}: {note.message}")


def main() -> int:
    problems = []
    clerk = Actor("desk-wang", roles=["desk_staff"], communities=["东区"])
    with tempfile.TemporaryDirectory() as folder, SqliteStore(Path(folder) / "crm.db") as store:
        clock = FixedClock(MONDAY)
        desk = ComplaintDesk(store, clock=clock)

        request: dict[str, Any] = {
            "complaint_id": "TS-001",
            "community": "东区",
            "customer_id": "cust-301",
            "complainant_ids": ["cust-301", "cust-302", "cust-303"],
            "summary": "the pump room under block 3 hums all night",
            "category": "noise",
            "subject": "pump room",
            "channel": "visit",
        }
        case = desk.register(command_id="2025-03-03-001", actor=clerk, **request)
        print(f"registered {case.id}: {case.grade.label}, owned by {case.owner_id}")
        if case.grade is not Grade.HOT:
            problems.append(f"three complainants should be HOT, got {case.grade}")

        # The clerk's terminal sends the same request twice: the second changes nothing.
        again = desk.register(command_id="2025-03-03-001", actor=clerk, **request)
        if again != case or len(store.complaints) != 1:
            problems.append("a retried command must change nothing")
        # The same id for another request is a mistake in the caller, refused.
        try:
            desk.register(
                command_id="2025-03-03-001", actor=clerk, **{**request, "summary": "other"}
            )
        except ConflictError as e:
            print(f"refused: {e}")
        else:
            problems.append("the same command id with other arguments must be refused")

        desk.send_liaison_slip(
            command_id="2025-03-03-002", actor=clerk, complaint_id="TS-001",
            department="engineering", note="inspect the pump bearings",
        )  # fmt: skip
        clock.set(MONDAY.replace(hour=15))
        for n, kind in enumerate((CaseEventKind.INVESTIGATED, CaseEventKind.VERIFIED), 3):
            desk.record_step(
                command_id=f"2025-03-03-00{n}", actor=clerk, complaint_id="TS-001",
                kind=kind, note="bearing worn, replacement ordered",
            )  # fmt: skip
        print(f"investigated and verified the same day: {desk.investigated_same_day('TS-001')}")

        for moment, command_id in (
            (MONDAY + timedelta(days=7), "sweep-2025-03-10"),
            (datetime(2025, 4, 3, 9, 0, tzinfo=SH), "sweep-2025-04-03"),
        ):
            clock.set(moment)
            report = desk.sweep(command_id=command_id, actor=clerk)
            print(f"sweep {moment:%Y-%m-%d %H:%M}: {len(report.escalations)} escalation(s)")
            deliver_pending(store, send, clock=clock)
        if store.complaint_cases.get("TS-001").grade is not Grade.MAJOR:
            problems.append("a month unresolved should be MAJOR")
        if store.notifications.pending():
            problems.append("every notification should have been delivered")

        clock.set(datetime(2025, 4, 3, 16, 0, tzinfo=SH))
        handled = desk.mark_handled(
            command_id="2025-04-03-001", actor=clerk, complaint_id="TS-001",
            result="pump replaced and mounted on dampers",
        )  # fmt: skip
        task = store.callback_tasks.get(handled.callback_task_id or "")
        # 4 April 2025 is Qingming, a closed day: the 24-hour callback comes back to 3 April.
        print(f"handled; callback by {task.owner_role} due {task.due:%Y-%m-%d %H:%M}")
        clock.set(datetime(2025, 4, 4, 10, 0, tzinfo=SH))
        closed = desk.record_satisfaction(
            command_id="2025-04-04-001", actor=clerk, complaint_id="TS-001",
            reached=True, satisfied=True,
        )  # fmt: skip
        if closed.state is not CaseState.CLOSED:
            problems.append("a satisfied answer should close the case")

        print("grade history:")
        for record in store.grade_records.history("TS-001"):
            day, why = record.decision.at, record.decision.reasons[0]
            print(f"  {day:%Y-%m-%d} {record.grade.label}: {why}")
        print(f"{len(store.case_events.of_complaint('TS-001'))} events recorded")
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
