"""PostgreSQL beside SQLite: bulk insert, point reads, a window query, desk commands per second.

Run from the repository root (PostgreSQL's server binaries must be installed;
under root the server runs as the ``postgres`` user)::

    python benchmarks/record.py postgres --timer time.perf_counter

A throwaway cluster is started for the run with PostgreSQL's durable defaults
(``fsync``, ``synchronous_commit`` on), on a Unix socket of the same machine; the
SQLite store is a file with its defaults (WAL, ``synchronous=FULL``). Both take the
same complaints in the same run. The desk rows run ``ComplaintDesk.register`` in
1 or 4 writer processes at once, each with its own store (for PostgreSQL its own
pool), and count the commands of all processes over the wall time of the round.
"""

import multiprocessing
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres_server import Cluster, binaries, emptied
from propcrm import FixedClock
from propcrm.complaints import Complaint
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import SqliteStore

T0 = datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
KEYS = 10_000
SPACING = timedelta(seconds=31)
BULK = 20_000
WINDOW = 200_000
READS = 1_000
COMMANDS = 200  # per writer process and round
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])


def _complaint(i: int) -> Complaint:
    key = i % KEYS
    received = T0 + i * SPACING
    return Complaint(
        f"C-{i:07d}",
        community=f"community-{key // 50:03d}",
        category=("noise", "repair", "parking", "cleaning", "security")[key // 10 % 5],
        subject=f"subject-{key % 10}",
        complainant_ids=(f"cust-{i % 300_000}",),
        received_at=received,
        resolved_at=received + timedelta(hours=20) if i % 4 else None,
    )


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    found = binaries()
    if found is None:
        pytest.skip("no PostgreSQL binaries: install PostgreSQL to run this benchmark")
    running = Cluster(found, durable=True)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def shared(cluster: Any) -> str:
    conninfo: str = cluster.new_database()
    PostgresStore(conninfo).close()
    return conninfo


def _opener(adapter: str, shared: str, folder: Path) -> Callable[[], Any]:
    if adapter == "postgres":
        return lambda: PostgresStore(emptied(shared))
    return lambda: SqliteStore(folder / f"crm-{time.monotonic_ns()}.db")


ADAPTERS = ("postgres", "sqlite-file")


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_bulk_insert(benchmark: Any, adapter: str, shared: str, tmp_path: Path) -> None:
    """add_all() of 20,000 complaints in one transaction."""
    benchmark.group = f"bulk insert of {BULK:,} complaints (one transaction)"
    bulk = [_complaint(i) for i in range(BULK)]
    open_store, opened = _opener(adapter, shared, tmp_path), []

    def fresh() -> tuple[tuple[Any], dict[str, Any]]:
        opened.append(open_store())
        return (opened[-1],), {}

    def insert(store: Any) -> None:
        with store.transaction():
            store.complaints.add_all(bulk)

    benchmark.extra_info.update(label=f"{adapter}: `add_all()` in one transaction", calls=BULK)
    benchmark.pedantic(insert, setup=fresh, rounds=3, iterations=1)
    for store in opened:
        store.close()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_point_reads(benchmark: Any, adapter: str, shared: str, tmp_path: Path) -> None:
    """get() of 1,000 random ids among 20,000 stored complaints."""
    benchmark.group = f"point reads: {READS:,} get() among {BULK:,} complaints"
    store = _opener(adapter, shared, tmp_path)()
    bulk = [_complaint(i) for i in range(BULK)]
    store.complaints.add_all(bulk)
    ids = [c.id for c in random.Random(7).sample(bulk, READS)]

    def read() -> None:
        for id in ids:
            store.complaints.get(id)

    benchmark.extra_info.update(label=f"{adapter}: `get()`", calls=READS)
    benchmark.pedantic(read, rounds=5, iterations=1, warmup_rounds=1)
    store.close()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_window_query(benchmark: Any, adapter: str, shared: str, tmp_path: Path) -> None:
    """in_window() for one complaint key over one month, among 200,000 complaints."""
    benchmark.group = f"window query: one key, one month, {WINDOW:,} complaints"
    store = _opener(adapter, shared, tmp_path)()
    with store.transaction():
        store.complaints.add_all(_complaint(i) for i in range(WINDOW))
    if adapter == "postgres":
        store._run("ANALYZE complaints")  # as autovacuum would soon after a load
    start = T0 + timedelta(days=20)

    def query() -> list[Complaint]:
        return store.complaints.in_window(  # type: ignore[no-any-return]
            "community-123", "parking", "subject-7", start=start, end=start + timedelta(days=31)
        )

    benchmark.extra_info["label"] = f"{adapter}: `in_window()`"
    found = benchmark.pedantic(query, rounds=30, iterations=1, warmup_rounds=2)
    benchmark.extra_info["note"] = f"{len(found)} complaints found"
    assert found
    store.close()


def _writer(adapter: str, target: str, n: int, barrier: Any) -> None:
    store = PostgresStore(target, max_size=1) if adapter == "postgres" else SqliteStore(target)
    desk = ComplaintDesk(store, clock=FixedClock(T0))
    barrier.wait()
    for i in range(COMMANDS):
        desk.register(
            command_id=f"reg-{n}-{i}", actor=CLERK, complaint_id=f"C-{n}-{i}", community="东区",
            customer_id=f"cust-{i}", summary="the pump room hums", category="noise",
            subject=f"pump room {n}-{i}",
        )  # fmt: skip
    store.close()


@pytest.mark.parametrize("writers", [1, 4])
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_desk_commands(
    benchmark: Any, adapter: str, writers: int, shared: str, tmp_path: Path
) -> None:
    """ComplaintDesk.register by 1 or 4 writer processes at once, each its own store."""
    benchmark.group = f"desk commands (register), {writers} writer process(es)"
    context = multiprocessing.get_context("spawn")
    open_store = _opener(adapter, shared, tmp_path)

    def fresh() -> tuple[tuple[Any, ...], dict[str, Any]]:
        store = open_store()
        target = shared if adapter == "postgres" else store._where
        store.close()
        barrier = context.Barrier(writers + 1)
        processes = [
            context.Process(target=_writer, args=(adapter, target, n, barrier))
            for n in range(writers)
        ]
        for process in processes:
            process.start()
        return (barrier, processes), {}

    def run(barrier: Any, processes: list[Any]) -> None:
        barrier.wait()  # the clock starts when every writer has opened its store
        for process in processes:
            process.join()
        assert [process.exitcode for process in processes] == [0] * writers

    label = f"{adapter}: {writers} writer(s), `register` commands"
    benchmark.extra_info.update(label=label, calls=writers * COMMANDS)
    benchmark.pedantic(run, setup=fresh, rounds=3, iterations=1)
