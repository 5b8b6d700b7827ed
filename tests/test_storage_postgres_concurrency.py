"""PostgresStore under several application servers: processes, each with its own pool.

Each worker is a new interpreter (``spawn``) that opens its own PostgresStore on
the shared database, waits at a barrier so all start together, does its work
and reports what it saw through a queue.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from propcrm import FixedClock
from propcrm.customers import Customer
from propcrm.errors import ConflictError
from propcrm.records import AllocatorState, CaseEventKind
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk
from propcrm.storage.postgres import PostgresStore
from propcrm.vip import VipLevel

WORKERS = 4
SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
CONTEXT = multiprocessing.get_context("spawn")


def _run(target: Any, conninfo: str, *args: Any) -> list[Any]:
    """Run ``target(store, n, barrier, *args)`` in WORKERS processes; their reports, in order."""
    barrier, results = CONTEXT.Barrier(WORKERS), CONTEXT.Queue()
    processes = [
        CONTEXT.Process(target=_report, args=(results, n, target, conninfo, barrier, *args))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0] * WORKERS
    return [report for _, report in sorted(reports)]


def _report(results: Any, n: int, target: Any, conninfo: str, barrier: Any, *args: Any) -> None:
    with PostgresStore(conninfo, max_size=2) as store:
        barrier.wait()
        results.put((n, target(store, n, barrier, *args)))


def _update_from_version_one(
    store: PostgresStore, n: int, barrier: Any, ids: list[str]
) -> list[str]:
    read = [store.customers.get(id) for id in ids]
    barrier.wait()  # everyone has read version 1 before anyone writes
    outcomes = []
    for stale in read:
        outcomes.append("read")
        try:
            store.customers.update(attrs.evolve(stale, name=f"writer {n}"))
            outcomes.append("updated")
        except ConflictError:
            outcomes.append("conflict")
    return outcomes


def test_conflicting_updates_give_one_conflict_each_and_lose_nothing(postgres_db: str) -> None:
    """4 servers update each of 10 customers from version 1: 1 wins, 3 get ConflictError."""
    ids = [f"C-{i}" for i in range(10)]
    with PostgresStore(postgres_db) as store:
        store.customers.add_all(Customer(id, "张三") for id in ids)
    reports = _run(_update_from_version_one, postgres_db, ids)
    outcomes = Counter(outcome for report in reports for outcome in report)
    assert outcomes == Counter(read=40, updated=10, conflict=30)
    with PostgresStore(postgres_db) as store:
        stored = [store.customers.get(id) for id in ids]
    assert {customer.version for customer in stored} == {2}


def _count_up(store: PostgresStore, n: int, barrier: Any, times: int) -> int:
    retries = 0
    for _ in range(times):
        while True:
            state = store.allocator_states.get("tally")
            counts = {"done": state.counts["done"] + 1}
            try:
                store.allocator_states.update(attrs.evolve(state, counts=counts))
                break
            except ConflictError:
                retries += 1
    return retries


def test_read_modify_write_with_retries_loses_no_update(postgres_db: str) -> None:
    """4 servers each add 1 to a shared count 25 times, retrying conflicts: it ends at 100."""
    with PostgresStore(postgres_db) as store:
        store.allocator_states.add(AllocatorState("tally", counts={"done": 0}))
    _run(_count_up, postgres_db, 25)
    with PostgresStore(postgres_db) as store:
        assert store.allocator_states.get("tally").counts == {"done": 100}


def _issue(store: PostgresStore, n: int, barrier: Any, times: int) -> list[int]:
    numbers = []
    for i in range(times):
        with store.transaction():
            numbers.append(store.card_numbers.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL))
            store.customers.add(Customer(f"holder-{n}-{i}", "李四"))
    return numbers


def test_concurrent_card_issuance_never_duplicates_a_number(postgres_db: str) -> None:
    """4 servers issue 30 cards each of one series: 120 numbers, all different, 1 to 120."""
    reports = _run(_issue, postgres_db, 30)
    numbers = [number for report in reports for number in report]
    assert sorted(numbers) == list(range(1, 121))


def _sweep(store: PostgresStore, n: int, barrier: Any) -> int:
    desk = ComplaintDesk(store, clock=FixedClock(MON + timedelta(days=7)))
    conflicts = 0
    while True:
        try:
            desk.sweep(command_id=f"sweep-{n}", actor=CLERK)
            return conflicts
        except ConflictError:
            conflicts += 1  # another sweep changed a case first: run again, as a caller would


def test_sweeps_at_once_record_each_escalation_once(postgres_db: str) -> None:
    """4 sweeps at one moment over 5 week-old complaints: each escalated event is written once."""
    with PostgresStore(postgres_db) as store:
        desk = ComplaintDesk(store, clock=FixedClock(MON))
        for n in range(5):
            desk.register(
                command_id=f"reg-{n}", actor=CLERK, complaint_id=f"C-{n}", community="东区",
                customer_id=f"cust-{n}", summary="the pump room hums", category="noise",
                subject=f"pump room {n}",
            )  # fmt: skip
    _run(_sweep, postgres_db)
    with PostgresStore(postgres_db) as store:
        escalated = Counter(
            event.complaint_id
            for n in range(5)
            for event in store.case_events.of_complaint(f"C-{n}")
            if event.kind is CaseEventKind.ESCALATED
        )
        notes = [note.id for note in store.notifications.pending()]
    assert escalated == Counter({f"C-{n}": 1 for n in range(5)})
    assert sorted(note for note in notes if note.startswith("escalation:")) == [
        f"escalation:C-{n}:hot" for n in range(5)
    ]
