"""SQLite under stress from other processes: races, crashes and concurrent allocation.

Each test starts real processes (spawned, so they share nothing but the file)
and waits for them with bounded timeouts, never measuring time.
"""

import multiprocessing
import os
import signal
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from propcrm.complaints import Complaint
from propcrm.errors import ConflictError
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import VipLevel

SPAWN = multiprocessing.get_context("spawn")
WAIT = 30.0  # seconds: a bound for a hung child, never a measurement


def _start(target: Any, *args: Any, count: int = 1) -> list[Any]:
    workers = [SPAWN.Process(target=target, args=(*args, i)) for i in range(count)]
    for worker in workers:
        worker.start()
    return workers


RECEIVED = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _complaint(id: str, receiver: str = "desk") -> Complaint:
    return Complaint(
        id,
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=("cust-1",),
        received_at=RECEIVED,
        first_receiver_id=receiver,
    )


def _update_after_both_read(path: str, both_read: Any, results: Any, worker: int) -> None:
    with SqliteStore(path, timeout=WAIT) as store:
        complaint = store.complaints.get("C-1")
        both_read.wait(WAIT)
        complaint.first_receiver_id += f"|{worker}"
        try:
            store.complaints.update(complaint)
            first = "saved"
        except ConflictError:
            first = "conflict"
            again = store.complaints.get("C-1")  # read again and reapply, as the error says
            again.first_receiver_id += f"|{worker}"
            store.complaints.update(again)
        results.put(first)


def test_two_processes_updating_one_complaint_lose_nothing(tmp_path: Path) -> None:
    """Both read version 1; exactly one save conflicts, and after its retry both changes stay."""
    path = str(tmp_path / "crm.db")
    with SqliteStore(path) as store:
        store.complaints.add(_complaint("C-1"))
    both_read, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = _start(_update_after_both_read, path, both_read, results, count=2)
    outcomes = sorted(results.get(timeout=WAIT) for _ in workers)
    for worker in workers:
        worker.join(WAIT)
    with SqliteStore(path) as store:
        final = store.complaints.get("C-1")
    assert outcomes == ["conflict", "saved"]
    assert (final.version, sorted(final.first_receiver_id.split("|"))) == (3, ["0", "1", "desk"])


def _write_until_killed(path: str, started: Any, worker: int) -> None:
    store = SqliteStore(path, timeout=WAIT)
    with store.transaction():
        kept = store.complaints.get("kept")
        kept.first_receiver_id = "half-written"
        store.complaints.update(kept)
        n = 0
        while True:
            store.complaints.add(_complaint(f"new-{n}", "x" * 1000))
            n += 1
            if n == 200:
                started.set()


def test_a_writer_killed_mid_transaction_leaves_no_trace(tmp_path: Path) -> None:
    """SIGKILL during a transaction: the file is sound and none of its writes are visible."""
    path = str(tmp_path / "crm.db")
    with SqliteStore(path) as store:
        store.complaints.add(_complaint("kept"))
    started = SPAWN.Event()
    (writer,) = _start(_write_until_killed, path, started)
    assert started.wait(WAIT)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(WAIT)
    with SqliteStore(path) as store:
        assert store.integrity_check() == "ok"
        kept = store.complaints.get("kept")
        assert (len(store.complaints), kept.first_receiver_id, kept.version) == (1, "desk", 1)
    assert writer.exitcode == -signal.SIGKILL


def _draw_card_numbers(path: str, count: int, start: Any, results: Any, worker: int) -> None:
    start.wait(WAIT)
    with SqliteStore(path, timeout=WAIT, durable=False) as store:
        results.put([store.card_numbers.allocate("JK", VipLevel.OTHER) for _ in range(count)])


def test_concurrent_processes_never_draw_the_same_card_number(tmp_path: Path) -> None:
    """Four processes drawing 50 card numbers each get 200 distinct, gap-free numbers."""
    path = str(tmp_path / "crm.db")
    SqliteStore(path).close()
    start, results = SPAWN.Barrier(4), SPAWN.Queue()
    workers = _start(_draw_card_numbers, path, 50, start, results, count=4)
    drawn = [n for _ in workers for n in results.get(timeout=WAIT)]
    for worker in workers:
        worker.join(WAIT)
    assert sorted(drawn) == list(range(1, 201))
