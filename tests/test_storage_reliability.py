"""SQLite under stress from other processes: races, crashes and concurrent allocation.

Each test starts real processes (spawned, so nothing is shared but the file)
and waits for them with bounded timeouts.
"""

import multiprocessing
from pathlib import Path
from typing import Any

from propcrm.storage.sqlite import SqliteStore

SPAWN = multiprocessing.get_context("spawn")
WAIT = 30.0  # seconds; a bound for hung children, never a measurement


def _draw_numbers(path: str, count: int, start: Any, results: Any) -> None:
    start.wait(WAIT)
    with SqliteStore(path, timeout=WAIT, durable=False) as store:
        results.put([store._next_in_sequence("cards") for _ in range(count)])


def test_concurrent_processes_never_draw_the_same_number(tmp_path: Path) -> None:
    """Four processes drawing 50 numbers each get 200 distinct, gap-free numbers."""
    path = str(tmp_path / "crm.db")
    SqliteStore(path).close()
    start, results = SPAWN.Barrier(4), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=_draw_numbers, args=(path, 50, start, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    drawn = [n for _ in workers for n in results.get(timeout=WAIT)]
    for worker in workers:
        worker.join(WAIT)
    assert sorted(drawn) == list(range(1, 201))
