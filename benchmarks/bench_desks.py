"""Desk benchmarks on a SQLite file: complaint intake, bulk import of history, the sweep.

Run from the repository root (on the wall clock: the commits wait on the disk)::

    python -m pytest benchmarks/bench_desks.py --no-cov --benchmark-only -p no:cacheprovider \
        --benchmark-timer=time.perf_counter

Targets: intake (one durable transaction per command) at least half the rate
of a bare durable-commit loop on the same disk in the same run (a second
baseline replays register()'s own statements with no Python of propcrm's); bulk import
of decided history >= 10,000 complaints/s; the escalation sweep over
100,000 open complaints <= 5 s.
"""

import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.complaints import Complaint
from propcrm.services import Actor, ComplaintDesk, HistoryEntry
from propcrm.storage.sqlite import SqliteStore

T0 = datetime(2025, 1, 6, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
COMMUNITIES = [f"community-{i:03d}" for i in range(200)]
CATEGORIES = [f"category-{i:02d}" for i in range(30)]
SUBJECTS = [f"subject-{i}" for i in range(5)]
KEYS = len(COMMUNITIES) * len(CATEGORIES) * len(SUBJECTS)  # 30,000
YEAR_SPACING = timedelta(days=365) / 1_000_000  # 1,000,000 complaints a year
DESK = Actor("desk-01", roles=["desk_staff"], communities=COMMUNITIES)
INTAKE = 200  # commands a round
MONTH = 84_000  # a month of history at that density
BATCH = 10_000
IMPORTED = 100_000
OPEN = 100_000


def _complaint(i: int, spacing: timedelta, start: datetime = T0) -> Complaint:
    key = (i * 7_919) % KEYS  # neighbours in time fall on different keys
    return Complaint(
        f"C-{i:07d}",
        community=COMMUNITIES[key // 150],
        category=CATEGORIES[key // 5 % 30],
        subject=SUBJECTS[key % 5],
        complainant_ids=(f"cust-{i * 31 % 300_000}",),
        received_at=start + i * spacing,
        first_receiver_id="desk-01",
    )


def _entries(
    first: int, count: int, spacing: timedelta, start: datetime = T0
) -> list[HistoryEntry]:
    entries = []
    for i in range(first, first + count):
        complaint = _complaint(i, spacing, start)
        entries.append(
            HistoryEntry(complaint, customer_id=complaint.complainant_ids[0], summary="noise")
        )
    return entries


def _import(desk: ComplaintDesk, entries: list[HistoryEntry]) -> None:
    for start in range(0, len(entries), BATCH):
        desk.import_history(
            command_id=f"import-{entries[start].complaint.id}",
            actor=DESK,
            entries=entries[start : start + BATCH],
        )


# --- intake: one durable transaction per command, against bare durable commits ----------


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed SQLite file holding a month of history to grade against (84,000 complaints)."""
    path = tmp_path_factory.mktemp("month") / "crm.db"
    store = SqliteStore(path)
    _import(store_desk(store)[0], _entries(0, MONTH, YEAR_SPACING))
    store.close()  # the last connection's close folds the write-ahead log into the file
    return path


def store_desk(store: SqliteStore) -> tuple[ComplaintDesk, FixedClock]:
    """A desk over ``store`` whose clock stands at the end of the month of history."""
    clock = FixedClock(T0 + MONTH * YEAR_SPACING)
    return ComplaintDesk(store, clock=clock), clock


def _copy(month: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    path = tmp_path_factory.mktemp(name) / "crm.db"
    shutil.copyfile(month, path)
    return path


@pytest.fixture(scope="module")
def intake_desk(
    month: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ComplaintDesk, Any, Path]]:
    path = _copy(month, tmp_path_factory, "intake")
    store = SqliteStore(path)  # durable by default
    desk, clock = store_desk(store)
    yield desk, clock, path
    store.close()


def _register(desk: ComplaintDesk, clock: Any, i: int) -> None:
    complaint = _complaint(i, YEAR_SPACING)
    clock.set(complaint.received_at)
    desk.register(
        command_id=f"register-{i}", actor=DESK, complaint_id=complaint.id,
        community=complaint.community, customer_id=complaint.complainant_ids[0],
        summary="noise", category=complaint.category, subject=complaint.subject,
    )  # fmt: skip


def _wal_pages(path: Path, commits: Callable[[], object]) -> int:
    """The pages ``commits`` writes to the write-ahead log of the database at ``path``."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty log to count from
        commits()
        return int(connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        connection.close()


def _bare_loop(path: Path) -> Callable[[], float]:
    """A bare durable-commit loop on ``path``: one call runs INTAKE commits, returns seconds."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")  # as SqliteStore(durable=True)
    connection.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")
    body = "x" * 300  # about the size of a stored complaint

    def commits() -> float:
        start = time.perf_counter()
        for _ in range(INTAKE):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO rows (body) VALUES (?)", (body,))
            connection.execute("COMMIT")
        return time.perf_counter() - start

    return commits


def test_intake(
    benchmark: Any,
    intake_desk: tuple[ComplaintDesk, Any, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """register() of 200 complaints a round, each its own durable transaction."""
    benchmark.group = "complaint intake, one durable transaction per command (SQLite file)"
    desk, clock, path = intake_desk
    counter = iter(range(MONTH, 10**7))
    # The bare loop also runs just before each round, so the two share the disk's moment.
    bare_path = tmp_path_factory.mktemp("bare-between") / "bare.db"
    bare = _bare_loop(bare_path)
    between: list[float] = []

    def setup() -> None:
        between.append(bare())

    def intake(commands: int = INTAKE) -> None:
        for _ in range(commands):
            _register(desk, clock, next(counter))

    benchmark.extra_info.update(label="`ComplaintDesk.register()`", calls=INTAKE)
    benchmark.pedantic(intake, setup=setup, rounds=7, iterations=1, warmup_rounds=1)
    bare_median = statistics.median(between)
    # What each commit makes the disk write: the pages of the log, per command and per bare commit.
    register_pages = _wal_pages(path, lambda: intake(20)) / 20
    bare_pages = _wal_pages(bare_path, bare) / INTAKE
    benchmark.extra_info["note"] = (
        f"the bare loop run just before each round: median {bare_median / INTAKE * 1e6:,.0f} "
        f"µs a commit, intake/bare rate ratio "
        f"{bare_median / benchmark.stats.stats.median:.2f} (target >= 0.50); "
        f"a register() commit writes {register_pages:.1f} pages to the write-ahead log, "
        f"a bare commit {bare_pages:.1f}"
    )


def test_bare_durable_commits(benchmark: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """One small INSERT a transaction, committed durably: the disk's floor for intake."""
    benchmark.group = "complaint intake, one durable transaction per command (SQLite file)"
    commits = _bare_loop(tmp_path_factory.mktemp("bare") / "bare.db")

    benchmark.extra_info.update(
        label="bare durable-commit loop",
        calls=INTAKE,
        baseline_for="`ComplaintDesk.register()`",
    )
    benchmark.pedantic(commits, rounds=7, iterations=1, warmup_rounds=1)


class _Recording:
    """A connection that keeps every statement it runs, with its values, to replay them."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        self.statements.append((sql, tuple(params)))
        return self.connection.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


@pytest.fixture(scope="module")
def registered_sql(
    month: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[list[tuple[str, tuple[Any, ...]]]]:
    """The statements of 8 x 200 register() commands on the month, each command's apart."""
    store = SqliteStore(_copy(month, tmp_path_factory, "recorded"))
    desk, clock = store_desk(store)
    recording = _Recording(store._connection)
    store._connection = recording  # type: ignore[assignment]  # the benchmark's own probe
    commands = []
    for i in range(MONTH, MONTH + 8 * INTAKE):
        _register(desk, clock, i)
        commands.append(recording.statements)
        recording.statements = []
    store.close()
    return commands


def test_register_statements_replayed(
    benchmark: Any,
    month: Path,
    registered_sql: list[list[tuple[str, tuple[Any, ...]]]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """register()'s own statements and values, replayed on a copy of the month: its SQL alone."""
    benchmark.group = "complaint intake, one durable transaction per command (SQLite file)"
    connection = sqlite3.connect(
        _copy(month, tmp_path_factory, "replayed"), isolation_level=None, check_same_thread=False
    )
    for pragma in (  # as SqliteStore opens a file
        "busy_timeout = 5000", "foreign_keys = ON", "synchronous = FULL",
        "cache_size = -65536", "journal_mode = WAL",
    ):  # fmt: skip
        connection.execute(f"PRAGMA {pragma}")
    rounds = iter(range(0, len(registered_sql), INTAKE))
    bare = _bare_loop(tmp_path_factory.mktemp("bare-replayed") / "bare.db")
    between: list[float] = []

    def setup() -> None:
        between.append(bare())

    def replay() -> None:
        start = next(rounds)
        for statements in registered_sql[start : start + INTAKE]:
            for sql, params in statements:
                connection.execute(sql, params).fetchall()

    benchmark.extra_info.update(
        label="`register()`'s statements replayed, without propcrm",
        calls=INTAKE,
        baseline_for="`ComplaintDesk.register()`",
    )
    benchmark.pedantic(replay, setup=setup, rounds=7, iterations=1, warmup_rounds=1)
    connection.close()
    statements = sum(len(one) for one in registered_sql) / len(registered_sql)
    bare_median = statistics.median(between)
    benchmark.extra_info["note"] = (
        f"{statements:.0f} statements a command; the bare loop run just before each round: "
        f"median {bare_median / INTAKE * 1e6:,.0f} µs a commit, replayed/bare rate ratio "
        f"{bare_median / benchmark.stats.stats.median:.2f}"
    )


# --- bulk import of decided history ---------------------------------------------------------


def test_import_history(benchmark: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """import_history() of 100,000 complaints in batches of 10,000 into a new file."""
    benchmark.group = "bulk import of decided history, one transaction per batch (SQLite file)"
    entries = _entries(0, IMPORTED, YEAR_SPACING)
    opened: list[SqliteStore] = []

    def fresh() -> tuple[tuple[ComplaintDesk], dict[str, Any]]:
        opened.append(SqliteStore(tmp_path_factory.mktemp("import") / "crm.db"))
        return (ComplaintDesk(opened[-1], clock=FixedClock(T0 + timedelta(days=60))),), {}

    benchmark.extra_info.update(
        label="`ComplaintDesk.import_history()`, 10,000 a batch", calls=IMPORTED
    )
    benchmark.pedantic(lambda desk: _import(desk, entries), setup=fresh, rounds=3, iterations=1)
    for store in opened:
        store.close()


# --- the escalation sweep -------------------------------------------------------------------


@pytest.fixture(scope="module")
def swept_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ComplaintDesk, Any]]:
    # 100,000 complaints received over the last 7 days, all open; the desk sweeps every
    # hour, so each sweep finds the ~600 complaints that turned a week old since the last.
    spacing = timedelta(days=7) / OPEN
    store = SqliteStore(tmp_path_factory.mktemp("sweep") / "crm.db")
    clock = FixedClock(T0 + timedelta(days=7))
    desk = ComplaintDesk(store, clock=clock)
    _import(desk, _entries(0, OPEN, spacing))
    desk.sweep(command_id="sweep-start", actor=DESK)
    yield desk, clock
    store.close()


def test_sweep(benchmark: Any, swept_desk: tuple[ComplaintDesk, Any]) -> None:
    """sweep() an hour after the last one, over 100,000 open complaints."""
    benchmark.group = "escalation sweep over 100,000 open complaints (SQLite file)"
    desk, clock = swept_desk
    escalated: list[int] = []

    def hourly() -> None:
        clock.advance(timedelta(hours=1))
        report = desk.sweep(command_id=f"sweep-{clock.now().isoformat()}", actor=DESK)
        escalated.append(len(report.escalations))

    benchmark.extra_info["label"] = "`ComplaintDesk.sweep()`"
    benchmark.pedantic(hourly, rounds=5, iterations=1)
    benchmark.extra_info["note"] = (
        f"escalations per sweep: {', '.join(f'{n:,}' for n in escalated)}"
    )
