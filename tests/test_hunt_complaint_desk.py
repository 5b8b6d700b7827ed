"""Defects found by attacking the complaint desk against its rules, on both stores."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.complaints import Grade
from propcrm.errors import ValidationError
from propcrm.records import CaseState
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


def _register(desk: ComplaintDesk, n: int, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "command_id": f"reg-{n}",
        "actor": CLERK,
        "complaint_id": f"C-{n}",
        "community": "东区",
        "customer_id": f"cust-{n}",
        "summary": "the pump room hums all night",
        "category": "noise",
        "subject": f"pump room {n}",
    }
    fields.update(changes)
    return desk.register(**fields)


def test_a_utc_clock_escalates_to_major_one_shanghai_calendar_month_on(store: Any) -> None:
    """Received Mon 31 Mar 01:00 Shanghai (a UTC clock): MAJOR at Wed 30 Apr 01:00 Shanghai."""
    clock = FixedClock(datetime(2025, 3, 30, 17, 0, tzinfo=UTC))  # 31 Mar 01:00 in Shanghai
    desk = ComplaintDesk(store, clock=clock)
    _register(desk, 1)
    clock.set(datetime(2025, 4, 30, 1, 0, tzinfo=SH))  # 31 Apr does not exist: 30 Apr
    report = desk.sweep(command_id="s", actor=CLERK)
    assert [(e.previous, e.grade) for e in report.escalations] == [(Grade.GENERAL, Grade.MAJOR)]


def test_a_utc_clock_counts_repeats_over_the_shanghai_calendar_month(store: Any) -> None:
    """Complaints on 28 Feb 02:00 and 1 Mar 08:00 count for one on 31 Mar 01:00 (Shanghai)."""
    clock = FixedClock(datetime(2025, 2, 27, 18, 0, tzinfo=UTC))  # 28 Feb 02:00 in Shanghai
    desk = ComplaintDesk(store, clock=clock)
    _register(desk, 1, subject="lift")
    clock.set(datetime(2025, 3, 1, 0, 0, tzinfo=UTC))  # 1 Mar 08:00 in Shanghai
    _register(desk, 2, subject="lift")
    clock.set(datetime(2025, 3, 30, 17, 0, tzinfo=UTC))  # 31 Mar 01:00: window from 28 Feb 01:00
    third = _register(desk, 3, subject="lift")
    assert third.grade is Grade.HOT


def test_an_answer_after_an_unreached_attempt_closes_the_case(store: Any) -> None:
    """Nobody answered at 10:00; reached and satisfied at 15:00: the case is closed."""
    clock = FixedClock(MON)
    desk = ComplaintDesk(store, clock=clock)
    _register(desk, 1)
    desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="fixed")
    clock.set(datetime(2025, 3, 3, 10, 0, tzinfo=SH))
    desk.record_satisfaction(command_id="s1", actor=CLERK, complaint_id="C-1", reached=False)
    clock.set(datetime(2025, 3, 3, 15, 0, tzinfo=SH))
    case = desk.record_satisfaction(
        command_id="s2", actor=CLERK, complaint_id="C-1", reached=True, satisfied=True
    )
    assert (case.state, case.satisfied) == (CaseState.CLOSED, True)


def test_a_complaint_reopened_once_is_not_reopened_again(store: Any) -> None:
    """C-1 reopened as C-2: reopening C-1 again is refused and names C-2."""
    desk = ComplaintDesk(store, clock=FixedClock(MON))
    _register(desk, 1)
    desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="fixed")
    desk.reopen(
        command_id="o1", actor=CLERK, complaint_id="C-1", new_complaint_id="C-2", summary="again"
    )
    with pytest.raises(ValidationError, match="C-2"):
        desk.reopen(
            command_id="o2", actor=CLERK, complaint_id="C-1", new_complaint_id="C-3", summary="x"
        )
