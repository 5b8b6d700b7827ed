"""SqliteStore: the store in one SQLite file (or in memory), safe for several processes.

How it keeps its promises:

* **Durable and concurrent.** File databases use write-ahead logging (WAL), so
  readers never block the writer; commits are flushed to disk before they
  return (``synchronous=FULL``) unless you pass ``durable=False``; a process
  waiting for another's write lock retries for ``timeout`` seconds.
* **Transactions.** The connection runs in autocommit mode and propcrm issues
  ``BEGIN IMMEDIATE`` itself: ``with store.transaction():`` takes the write
  lock at once (so two writers never deadlock upgrading a read lock), commits
  on success and rolls back on any exception. Nested blocks are savepoints.
  Outside a transaction every repository call is one statement and so atomic.
* **Schema.** All DDL lives in :data:`MIGRATIONS`: ordered, named steps. Each
  applied step is recorded in the ``propcrm_migrations`` table and counted in
  ``PRAGMA user_version``; opening a database written by a newer propcrm raises
  :class:`~propcrm.errors.SchemaVersionError` instead of guessing.
* **Errors.** Every ``sqlite3`` exception becomes a :mod:`propcrm.errors`
  exception (``IntegrityError`` → :class:`~propcrm.errors.ConflictError`,
  the rest → :class:`~propcrm.errors.StorageError`), with the driver's error as
  ``__cause__``; a value the driver cannot bind (text with no UTF-8 form, an
  integer beyond 64 bits) is a :class:`~propcrm.errors.ValidationError`.
  Values are always bound as parameters, never formatted into SQL.
* **Tracing.** ``trace=`` receives each statement's text with its ``?``
  placeholders, never the bound values, so personal data stays out of logs
  (RULES §8).

>>> store = SqliteStore(":memory:")
>>> store.schema_version() == len(MIGRATIONS)
True
>>> store.close()
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from propcrm.errors import (
    ConflictError,
    NotFoundError,
    PropcrmError,
    SchemaVersionError,
    StorageError,
    ValidationError,
)
from propcrm.storage._catalog import (
    CALLBACK_TASKS,
    COMPLAINTS,
    CUSTOMERS,
    HOUSEHOLDS,
    SURVEY_RESPONSES,
    VIP_CARDS,
    WORK_ORDERS,
    CallbackTaskRepo,
    CardNumbers,
    ComplaintRepo,
    CustomerRepo,
    HouseholdRepo,
    Query,
    Scalar,
    SurveyResponseRepo,
    Table,
    VipCardRepo,
    WorkOrderRepo,
    sequence_id,
    stale,
)
from propcrm.storage._codec import decode, encode, make_converter

if TYPE_CHECKING:
    from propcrm.storage import Store

__all__ = ["MIGRATIONS", "Migration", "SqliteStore"]

T = TypeVar("T")


@attrs.frozen
class Migration:
    """One named schema step: statements run in order, inside one transaction.

    Attributes:
        name: A unique name, recorded in the database once applied.
        statements: The SQL statements (DDL and data moves) of the step.
    """

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_sequences",
        ("CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",),
    ),
    Migration(
        "0002_customers_and_households",
        (
            "CREATE TABLE customers (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " household_id TEXT, body TEXT NOT NULL)",
            "CREATE INDEX customers_by_household ON customers (household_id)",
            "CREATE TABLE households (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
        ),
    ),
    Migration(
        "0003_vip_cards",
        (
            "CREATE TABLE vip_cards (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " holder_id TEXT NOT NULL, expires_on TEXT NOT NULL, active INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
            "CREATE INDEX vip_cards_by_holder ON vip_cards (holder_id, expires_on)",
            "CREATE INDEX vip_cards_by_expiry ON vip_cards (active, expires_on)",
        ),
    ),
    Migration(
        "0004_survey_responses",
        (
            "CREATE TABLE survey_responses (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, answered_on TEXT NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX survey_responses_by_community"
            " ON survey_responses (community, answered_on)",
        ),
    ),
    Migration(
        "0005_complaints",
        (
            "CREATE TABLE complaints (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, category TEXT NOT NULL, subject TEXT NOT NULL,"
            " received_us INTEGER NOT NULL, is_open INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX complaints_by_key"
            " ON complaints (community, category, subject, received_us)",
            "CREATE INDEX complaints_open ON complaints (is_open, received_us)",
        ),
    ),
    Migration(
        "0006_callback_tasks",
        (
            "CREATE TABLE callback_tasks (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " staff TEXT NOT NULL, owner_role TEXT NOT NULL, due_us INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
            "CREATE INDEX callback_tasks_by_staff ON callback_tasks (staff, due_us)",
            "CREATE INDEX callback_tasks_by_role ON callback_tasks (owner_role, due_us)",
        ),
    ),
    Migration(
        "0007_work_orders",
        (
            "CREATE TABLE work_orders (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " state TEXT NOT NULL, received_us INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX work_orders_by_state ON work_orders (state, received_us)",
        ),
    ),
)
"""Every schema step, oldest first. Append only: never edit a released step.

Stored entities omit attributes at their default (see ``_codec``): changing the
default of a stored attribute needs a step here that writes the old default
into the rows that lack it (``json_insert``) before the new code reads them.
"""

_OLDEST_SQLITE = (3, 35, 0)
_NO_LIMIT = 2**62
_SMALLEST_INTEGER, _LARGEST_INTEGER = -(2**63), 2**63 - 1
_BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS propcrm_migrations ("
    " position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at TEXT NOT NULL"
    ")"
)


class SqliteStore:
    """A store in a SQLite database file, or in memory with ``":memory:"``.

    A store is one connection: use it from the thread that opened it, and open
    one store per thread or process (they coordinate through the file).

    Args:
        path: The database file (created if missing) or ``":memory:"``.
        timeout: Seconds to wait for another connection's write lock before
            raising :class:`~propcrm.errors.StorageError`.
        durable: Flush every commit to disk before returning (``synchronous=FULL``).
            ``False`` uses ``synchronous=NORMAL``: still consistent after a crash,
            but the last commits may be lost on power failure.
        trace: Called with the text of every SQL statement before it runs, for
            debugging. It sees the statement with its ``?`` placeholders, never
            the values bound to them: those hold customers' personal data
            (phone, ID number, address), which must not reach logs. A bulk
            write (``add_all``) is one statement, traced once.

    Raises:
        SchemaVersionError: The database was written by a newer propcrm.
        StorageError: The file cannot be opened or is not a database.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        timeout: float = 5.0,
        durable: bool = True,
        trace: Callable[[str], None] | None = None,
    ) -> None:
        if sqlite3.sqlite_version_info < _OLDEST_SQLITE:
            raise StorageError(
                f"SqliteStore needs SQLite >= 3.35 (for RETURNING); this Python links "
                f"SQLite {sqlite3.sqlite_version}: upgrade Python or its SQLite library"
            )
        self._converter = make_converter()
        self._depth = 0
        self._trace = trace
        try:
            self._connection = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, cached_statements=256
            )
        except sqlite3.Error as e:
            raise StorageError(f"cannot open the database {os.fspath(path)!r}: {e}") from e
        try:
            self._execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._execute("PRAGMA foreign_keys = ON")
            if os.fspath(path) != ":memory:":
                self._execute("PRAGMA journal_mode = WAL")
            self._execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            # 64 MiB of page cache (allocated only as used) keeps a bulk import's
            # dirty pages in memory until commit instead of spilling them early.
            self._execute("PRAGMA cache_size = -65536")
            self._migrate()
        except BaseException:
            self._connection.close()
            raise
        self.customers = CustomerRepo(_SqliteTable(self, CUSTOMERS))
        self.households = HouseholdRepo(_SqliteTable(self, HOUSEHOLDS))
        self.vip_cards = VipCardRepo(_SqliteTable(self, VIP_CARDS))
        self.card_numbers = CardNumbers(self)
        self.survey_responses = SurveyResponseRepo(_SqliteTable(self, SURVEY_RESPONSES))
        self.complaints = ComplaintRepo(_SqliteTable(self, COMPLAINTS))
        self.callback_tasks = CallbackTaskRepo(_SqliteTable(self, CALLBACK_TASKS))
        self.work_orders = WorkOrderRepo(_SqliteTable(self, WORK_ORDERS))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: commit on success, roll back on any exception; nests as savepoints."""
        depth = self._depth
        savepoint = f"propcrm_{depth}"
        self._execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth = depth + 1
        try:
            yield
        except BaseException:
            self._depth = depth
            if depth == 0:
                self._execute("ROLLBACK")
            else:
                self._execute(f"ROLLBACK TO {savepoint}")
                self._execute(f"RELEASE {savepoint}")
            raise
        self._depth = depth
        if depth == 0:
            try:
                self._execute("COMMIT")
            except StorageError:
                if self._connection.in_transaction:
                    self._connection.rollback()
                raise
        else:
            self._execute(f"RELEASE {savepoint}")

    def schema_version(self) -> int:
        """Return how many migrations the database has applied."""
        return int(self._execute("PRAGMA user_version").fetchone()[0])

    def applied_migrations(self) -> list[str]:
        """Return the names of the applied migrations, oldest first."""
        rows = self._execute("SELECT name FROM propcrm_migrations ORDER BY position")
        return [name for (name,) in rows]

    def integrity_check(self) -> str:
        """Run SQLite's ``PRAGMA integrity_check``; ``"ok"`` means the file is sound."""
        return "\n".join(row[0] for row in self._execute("PRAGMA integrity_check"))

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        self._connection.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _table(self, table: Table[T]) -> _SqliteTable[T]:
        return _SqliteTable(self, table)

    def _next_in_sequence(self, name: str, limit: int | None = None) -> int | None:
        # One statement: atomic across connections, and no number is drawn past the limit.
        row = self._execute(
            "INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) "
            "DO UPDATE SET value = value + 1 WHERE value < ? RETURNING value",
            (name, _NO_LIMIT if limit is None else limit),
        ).fetchone()
        return None if row is None else int(row[0])

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        # Trace here, not with set_trace_callback: SQLite's hook expands the bound values.
        if self._trace is not None:
            self._trace(sql)
        try:
            return self._connection.execute(sql, params)
        except (UnicodeEncodeError, OverflowError, sqlite3.Error) as e:
            raise _translated(e, sql) from e

    def _executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        if self._trace is not None:
            self._trace(sql)
        try:
            self._connection.executemany(sql, rows)
        except (UnicodeEncodeError, OverflowError, sqlite3.Error) as e:
            raise _translated(e, sql) from e

    def _migrate(self) -> None:
        found = self.schema_version()
        if found > len(MIGRATIONS):
            raise _too_new(found)
        if found == len(MIGRATIONS):
            self._check_names()
            return
        with self.transaction():
            found = self.schema_version()  # another process may have migrated meanwhile
            if found > len(MIGRATIONS):
                raise _too_new(found)
            self._execute(_BOOKKEEPING)
            self._check_names()
            for position, migration in enumerate(MIGRATIONS[found:], start=found + 1):
                for statement in migration.statements:
                    self._execute(statement)
                self._execute(
                    "INSERT INTO propcrm_migrations (position, name, applied_at) "
                    "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    (position, migration.name),
                )
            self._execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    def _check_names(self) -> None:
        applied = self.applied_migrations()
        expected = [m.name for m in MIGRATIONS[: len(applied)]]
        if applied != expected:
            raise SchemaVersionError(
                f"the database's schema history {applied} does not match this propcrm's "
                f"{expected}; it was written by a different propcrm line or edited by hand",
                found=len(applied),
                supported=len(MIGRATIONS),
            )


class _SqliteTable(Generic[T]):
    """One table: ``id``, ``version``, the query columns and the encoded entity (``body``)."""

    def __init__(self, store: SqliteStore, table: Table[T]) -> None:
        self._store = store
        self._table = table
        self._name = table.entity.__name__
        names = [column.name for column in table.columns]
        t = table.name
        self._get = f"SELECT version, body FROM {t} WHERE id = ?"
        self._insert = (
            f"INSERT INTO {t} (id, version, {', '.join([*names, 'body'])}) "
            f"VALUES ({', '.join('?' * (len(names) + 3))})"
        )
        self._update = (
            f"UPDATE {t} SET version = ?, "
            f"{', '.join(f'{n} = ?' for n in [*names, 'body'])} WHERE id = ? AND version = ?"
        )
        self._version = f"SELECT version FROM {t} WHERE id = ?"
        self._delete = f"DELETE FROM {t} WHERE id = ?"
        self._count = f"SELECT count(*) FROM {t}"
        self._selects = {query.name: _select_sql(t, query) for query in table.queries}

    def get(self, id: str) -> T:
        row = self._store._execute(self._get, (id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no {self._name} with id {id!r}")
        return decode(self._store._converter, row[1], self._table.entity)

    def add(self, entity: T) -> T:
        if self._table.versioned:
            entity = attrs.evolve(entity, version=1)  # type: ignore[misc]
        id = entity.id  # type: ignore[attr-defined]
        body = encode(self._store._converter, entity)
        try:
            self._store._execute(self._insert, (id, 1, *self._table.values(entity), body))
        except ConflictError as e:
            if self._exists(id) is None:
                raise
            raise ConflictError(
                f"a {self._name} with id {id!r} already exists; use update() to change it"
            ) from e.__cause__
        return entity

    def append(self, entity: T) -> str:
        body = encode(self._store._converter, entity)
        with self._store.transaction():
            id = self._new_id()
            self._store._execute(self._insert, (id, 1, *self._table.values(entity), body))
        return id

    def add_all(self, entities: Iterable[T]) -> int:
        converter, values, versioned = (
            self._store._converter,
            self._table.values,
            self._table.versioned,
        )
        count = 0

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for entity in entities:
                count += 1
                if versioned:
                    id = entity.id  # type: ignore[attr-defined]
                    yield (id, 1, *values(entity), encode(converter, entity, 1))
                else:
                    yield (self._new_id(), 1, *values(entity), encode(converter, entity))

        with self._store.transaction():
            try:
                self._store._executemany(self._insert, rows())
            except ConflictError as e:
                raise ConflictError(
                    f"a {self._name} with one of the ids given already exists; nothing was added"
                ) from e.__cause__
        return count

    def update(self, entity: T) -> T:
        id = entity.id  # type: ignore[attr-defined]
        given = entity.version  # type: ignore[attr-defined]
        entity = attrs.evolve(entity, version=given + 1)  # type: ignore[misc]
        body = encode(self._store._converter, entity)
        params = (given + 1, *self._table.values(entity), body, id, given)
        # A version SQLite cannot hold matches no stored row: a conflict, found below.
        if _fits(given + 1) and self._store._execute(self._update, params).rowcount == 1:
            return entity
        current = self._exists(id)
        if current is None:
            raise NotFoundError(f"no {self._name} with id {id!r} to update")
        raise stale(self._name, id, given, current)

    def remove(self, id: str, version: int | None) -> None:
        if version is None:
            removed = self._store._execute(self._delete, (id,)).rowcount
        elif _fits(version):
            sql = self._delete + " AND version = ?"
            removed = self._store._execute(sql, (id, version)).rowcount
        else:
            removed = 0  # no stored version is that large: a conflict, found below
        if removed:
            return
        current = self._exists(id)
        if current is None:
            raise NotFoundError(f"no {self._name} with id {id!r} to remove")
        raise stale(self._name, id, version, current)  # type: ignore[arg-type]

    def select(self, query: Query, params: Mapping[str, Scalar]) -> list[T]:
        sql = self._selects[query.name]
        rows = self._store._execute(sql, tuple(params[w.param] for w in query.where))
        converter, cls = self._store._converter, self._table.entity
        return [decode(converter, body, cls) for (body,) in rows]

    def count(self) -> int:
        return int(self._store._execute(self._count).fetchone()[0])

    def _new_id(self) -> str:
        return sequence_id(self._store._next_in_sequence(self._table.name) or 0)

    def _exists(self, id: str) -> int | None:
        row = self._store._execute(self._version, (id,)).fetchone()
        return None if row is None else int(row[0])


def _fits(version: int) -> bool:
    """Whether ``version`` fits SQLite's 64-bit INTEGER."""
    return _SMALLEST_INTEGER <= version <= _LARGEST_INTEGER


def _select_sql(table: str, query: Query) -> str:
    where = " AND ".join(f"{w.column} {w.op} ?" for w in query.where) or "1"
    order = ", ".join([*query.order_by, "id"])
    return f"SELECT body FROM {table} WHERE {where} ORDER BY {order}"


def _translated(error: Exception, sql: str) -> PropcrmError:
    """The propcrm error for a driver error raised while running ``sql``."""
    if isinstance(error, UnicodeEncodeError | OverflowError):  # raised while binding a value
        return _unbindable(error)
    if isinstance(error, sqlite3.IntegrityError):
        return ConflictError(f"the database refused the write: {error}")
    return StorageError(f"SQLite failed: {error} (while running {sql.split()[0]})")


def _unbindable(error: UnicodeEncodeError | OverflowError) -> ValidationError:
    # Repositories refuse such values first; this keeps the driver's error from escaping.
    if isinstance(error, UnicodeEncodeError):
        return ValidationError.expected(
            "value",
            "text that can be written as UTF-8",
            error.object[error.start : error.end],
            "remove lone surrogate code points",
        )
    return ValidationError.expected("value", "an integer within 64 bits", str(error))


def _too_new(found: int) -> SchemaVersionError:
    return SchemaVersionError(
        f"the database has schema version {found}, but this propcrm knows only up to "
        f"{len(MIGRATIONS)}: it was written by a newer propcrm; upgrade propcrm to open it",
        found=found,
        supported=len(MIGRATIONS),
    )


if TYPE_CHECKING:  # the adapter has the shape of the port

    def _is_a_store(store: SqliteStore) -> Store:
        return store
