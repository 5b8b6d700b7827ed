"""Storage benchmarks: bulk insert, point reads and the complaint window query, both adapters.

Run from the repository root::

    python -m pytest benchmarks/bench_storage.py --no-cov --benchmark-only -p no:cacheprovider

The 1,000,000-complaint databases (one SQLite file, one memory store) are
built once per session. Targets for SQLite on a 2-core machine: >= 50,000
inserts/s in bulk, >= 20,000 point reads/s, window query <= 20 ms.
"""

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm.complaints import Complaint
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

T0 = datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
KEYS = 10_000  # 200 communities x 5 categories x 10 subjects
SPACING = timedelta(seconds=31)  # 1,000,000 complaints span about a year
BULK = 100_000
MILLION = 1_000_000
READS = 1_000


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
        channel="phone",
        first_receiver_id="客服-01",
        resolved_at=received + timedelta(hours=20) if i % 4 else None,
    )


def _complaints(count: int) -> Iterator[Complaint]:
    return (_complaint(i) for i in range(count))


ADAPTERS: dict[str, Callable[[Path], Any]] = {
    "sqlite-file": lambda folder: SqliteStore(folder / "crm.db"),
    "memory": lambda folder: MemoryStore(),
}


@pytest.fixture(scope="module")
def bulk() -> list[Complaint]:
    return list(_complaints(BULK))


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_bulk_insert_100k(
    benchmark: Any, adapter: str, bulk: list[Complaint], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """add_all() of 100,000 complaints in one transaction."""
    benchmark.group = "bulk insert of 100,000 complaints (one transaction)"

    opened: list[Any] = []

    def fresh() -> tuple[tuple[Any], dict[str, Any]]:
        opened.append(ADAPTERS[adapter](tmp_path_factory.mktemp(adapter)))
        return (opened[-1],), {}

    def insert(store: Any) -> None:
        with store.transaction():  # the commit (and its fsync) is part of the measure
            store.complaints.add_all(bulk)

    benchmark.extra_info.update(label=f"{adapter}: `add_all()` in one transaction", calls=BULK)
    benchmark.pedantic(insert, setup=fresh, rounds=3, iterations=1)
    benchmark.extra_info["inserts_per_second"] = round(BULK / benchmark.stats.stats.mean)
    for store in opened:
        store.close()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_point_reads(
    benchmark: Any, adapter: str, bulk: list[Complaint], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """get() of 1,000 random ids among 100,000 stored complaints."""
    benchmark.group = "point reads: 1,000 get() among 100,000 complaints"
    store = ADAPTERS[adapter](tmp_path_factory.mktemp(adapter))
    store.complaints.add_all(bulk)
    ids = [c.id for c in random.Random(7).sample(bulk, READS)]

    def read() -> None:
        for id in ids:
            store.complaints.get(id)

    benchmark.extra_info.update(label=f"{adapter}: `get()`", calls=READS)
    benchmark.pedantic(read, rounds=10, iterations=1, warmup_rounds=1)
    benchmark.extra_info["reads_per_second"] = round(READS / benchmark.stats.stats.mean)
    store.close()


@pytest.fixture(scope="session")
def million(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    stores = {name: make(tmp_path_factory.mktemp(name)) for name, make in ADAPTERS.items()}
    for store in stores.values():
        store.complaints.add_all(_complaints(MILLION))
    yield stores
    for store in stores.values():
        store.close()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_window_query_on_1m(benchmark: Any, adapter: str, million: dict[str, Any]) -> None:
    """in_window() for one complaint key over one month, among 1,000,000 complaints."""
    benchmark.group = "window query: one key, one month, 1,000,000 complaints"
    complaints = million[adapter].complaints
    start = T0 + timedelta(days=150)

    def query() -> list[Complaint]:
        return complaints.in_window(  # type: ignore[no-any-return]
            "community-123", "parking", "subject-7", start=start, end=start + timedelta(days=31)
        )

    benchmark.extra_info["label"] = f"{adapter}: `in_window()`"
    found = benchmark.pedantic(query, rounds=50, iterations=1, warmup_rounds=2)
    benchmark.extra_info["complaints_found"] = len(found)
    benchmark.extra_info["note"] = f"{len(found)} complaints found"
    assert found
