"""Two desks on one SQLite file, in two threads, changing one record: one conflict, nothing lost.

Each thread opens its own store (a store is one connection, used by the thread
that opened it). Both read the record, wait for each other, then act on the
version they read: the store serialises the two commands, the second finds the
version moved and raises ConflictError, changes nothing, and succeeds when it
reads again and retries. The waits are bounded; nothing is timed.
"""

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from propcrm import FixedClock
from propcrm.errors import ConflictError
from propcrm.records import CaseEventKind
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, WorkOrderDesk
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
DESK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
WAIT = 30.0  # seconds: a bound for a stuck thread, never a measurement

Act = Callable[[Any, str, int], object]  # (desk, command id, version read)


def _race(path: Path, make: Callable[[SqliteStore], Any], read: Callable[[Any], int],
          acts: list[Act]) -> list[str]:  # fmt: skip
    """Run ``acts`` in two threads, each on its own store; return how each first attempt went."""
    both_read = threading.Barrier(len(acts), timeout=WAIT)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(act: Act, n: int) -> None:
        try:
            with SqliteStore(path, timeout=WAIT) as store:
                desk = make(store)
                version = read(desk)
                both_read.wait()
                try:
                    act(desk, f"cmd-{n}", version)
                    outcomes.append("saved")
                except ConflictError:
                    outcomes.append("conflict")
                    act(desk, f"cmd-{n}", read(desk))  # read again and retry, same id
        except BaseException as e:  # handed to the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(act, n)) for n, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert errors == []
    return sorted(outcomes)


def test_two_desks_updating_one_complaint_one_conflict_nothing_lost(tmp_path: Path) -> None:
    """Both record a step on version 1: one ConflictError; after its retry both steps stay."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        ComplaintDesk(store, clock=FixedClock(MON)).register(
            command_id="reg", actor=DESK, complaint_id="C-1", community="东区",
            customer_id="cust-1", summary="pump hums", category="noise", subject="pump room",
        )  # fmt: skip

    def step(note: str) -> Act:
        return lambda desk, command_id, version: desk.record_step(
            command_id=command_id, actor=DESK, complaint_id="C-1",
            kind=CaseEventKind.INVESTIGATED, note=note, version=version,
        )  # fmt: skip

    outcomes = _race(
        path,
        lambda store: ComplaintDesk(store, clock=FixedClock(MON)),
        lambda desk: desk.store.complaint_cases.get("C-1").version,
        [step("first desk"), step("second desk")],
    )
    with SqliteStore(path) as store:
        events = store.case_events.of_complaint("C-1")
        notes = sorted(e.note for e in events if e.kind is CaseEventKind.INVESTIGATED)
        case = store.complaint_cases.get("C-1")
        done = [store.commands.find(f"cmd-{n}") is not None for n in (0, 1)]
    assert outcomes == ["conflict", "saved"]
    assert (notes, case.events, case.version, done) == (
        ["first desk", "second desk"],
        4,
        3,
        [True, True],
    )


def test_two_desks_updating_one_work_order_one_conflict_nothing_lost(tmp_path: Path) -> None:
    """One accepts, one dispatches, both on version 1: one conflict; both changes stay."""
    path = tmp_path / "crm.db"
    room = Actor("room-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
    with SqliteStore(path) as store:
        WorkOrderDesk(store, clock=FixedClock(MON)).register(
            command_id="reg", actor=room, work_order_id="WO-1", community="东区",
            customer_id="cust-1", address="上海市浦东新区东区3号楼1201",
            contact="13812345678", content="no hot water", category="house",
        )  # fmt: skip
    outcomes = _race(
        path,
        lambda store: WorkOrderDesk(store, clock=FixedClock(MON)),
        lambda desk: desk.store.repair_slips.get("WO-1").version,
        [
            lambda desk, command_id, version: desk.accept(
                command_id=command_id, actor=room, work_order_id="WO-1", version=version
            ),
            lambda desk, command_id, version: desk.dispatch(
                command_id=command_id,
                actor=room,
                work_order_id="WO-1",
                technician_id="tech-7",
                version=version,
            ),
        ],
    )
    with SqliteStore(path) as store:
        slip = store.repair_slips.get("WO-1")
    assert outcomes == ["conflict", "saved"]
    assert (slip.accepted_at, slip.technician_id, slip.version) == (MON, "tech-7", 3)
