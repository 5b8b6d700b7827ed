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
* **Only its own databases.** A propcrm database carries
  :data:`APPLICATION_ID` in its header. Opening checks it, the schema version
  and the recorded schema history before writing anything: another
  application's database is refused with
  :class:`~propcrm.errors.SchemaVersionError` rather than taken over. A
  missing or empty (zero-byte) file becomes a new propcrm database; an
  existing SQLite database with no tables is adopted only when you pass
  ``adopt=True``.
* **Schema.** All DDL lives in :data:`MIGRATIONS`: ordered, named steps. Each
  applied step is recorded in the ``propcrm_migrations`` table and counted in
  ``PRAGMA user_version``; opening a database written by a newer propcrm raises
  :class:`~propcrm.errors.SchemaVersionError` instead of guessing.
* **Read-only.** ``read_only=True`` opens the file with SQLite's ``mode=ro``
  and ``query_only``: for reports and backups. It never writes — no journal
  mode change, no migration — and a write is a
  :class:`~propcrm.errors.StorageError` saying so.
* **Private files.** A database file propcrm creates is readable and writable
  by its owner only (mode ``0600``); SQLite gives its ``-wal`` and ``-shm``
  files the same mode.
* **Errors.** Every ``sqlite3`` exception, raised while running a statement or
  while reading its rows, becomes a :mod:`propcrm.errors` exception
  (``IntegrityError`` → :class:`~propcrm.errors.ConflictError`, the rest →
  :class:`~propcrm.errors.StorageError`), with the driver's error as
  ``__cause__``; a value the driver cannot bind (text with no UTF-8 form, an
  integer beyond 64 bits) is a :class:`~propcrm.errors.ValidationError`.
  Values are always bound as parameters, never formatted into SQL.
* **Reporting.** :meth:`SqliteStore.reporting` opens a read-only connection
  over documented SQL views of complaints and their grades, work orders with
  their SLA state, callbacks and surveys, which hold no clear personal value.
* **Tracing.** ``trace=`` receives each statement's text with its ``?``
  placeholders, never the bound values, so personal data stays out of logs
  (RULES §8).

>>> from propcrm.storage.sqlite import MIGRATIONS, SqliteStore
>>> store = SqliteStore(":memory:")
>>> store.schema_version() == len(MIGRATIONS)
True
>>> store.close()
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from propcrm.errors import (
    ConflictError,
    PropcrmError,
    StorageError,
    ValidationError,
)
from propcrm.storage._catalog import (
    CardNumbers,
)
from propcrm.storage._codec import make_converter
from propcrm.storage._engine import Table
from propcrm.storage._reporting import ReportingConnection
from propcrm.storage._sqlite_schema import (
    APPLICATION_ID,
    MEMORY,
    MIGRATIONS,
    Migration,
    check_options,
    checked_path,
    connect,
    create_private,
    prepare,
)
from propcrm.storage._sqlite_table import SqliteTable
from propcrm.storage._wiring import Repositories

if TYPE_CHECKING:
    from propcrm.storage import Store

__all__ = ["APPLICATION_ID", "MIGRATIONS", "Migration", "ReportingConnection", "SqliteStore"]

T = TypeVar("T")

_OLDEST_SQLITE = (3, 35, 0)
_NO_LIMIT = 2**62


class SqliteStore(Repositories):
    """A store in a SQLite database file, or in memory with ``":memory:"``.

    A store is one connection: use it from the thread that opened it, and open
    one store per thread or process (they coordinate through the file).

    Args:
        path: The database file (created, mode ``0600``, if missing) or
            ``":memory:"``.
        timeout: Seconds to wait for another connection's write lock before
            raising :class:`~propcrm.errors.StorageError` (0 to 2,147,483).
        durable: Flush every commit to disk before returning (``synchronous=FULL``).
            ``False`` uses ``synchronous=NORMAL``: still consistent after a crash,
            but the last commits may be lost on power failure.
        trace: Called with the text of every SQL statement before it runs, for
            debugging. It sees the statement with its ``?`` placeholders, never
            the values bound to them: those hold customers' personal data
            (phone, ID number, address), which must not reach logs. A bulk
            write (``add_all``) is one statement, traced once.
        read_only: Open an existing propcrm database file for reading only
            (SQLite's ``mode=ro``): nothing is ever written to it, so it suits
            reports and backups, and works on a file the process may not write.
            Reads that must be audited belong in a writable store.
        adopt: Make an existing SQLite database that has no tables and no
            version a propcrm database. Without it such a file is refused, as
            it may belong to another application that has not written yet.

    Raises:
        ValidationError: An argument has the wrong type or range (named in the
            message).
        SchemaVersionError: The database is not propcrm's, was written by a
            newer propcrm, or needs migrating while ``read_only``.
        StorageError: The file cannot be opened or is not a database.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = MEMORY,
        *,
        timeout: float = 5.0,
        durable: bool = True,
        trace: Callable[[str], None] | None = None,
        read_only: bool = False,
        adopt: bool = False,
    ) -> None:
        where = checked_path(path)
        check_options(timeout, durable=durable, trace=trace, read_only=read_only, adopt=adopt)
        if read_only and where == MEMORY:
            raise ValidationError(
                "read_only",
                "read_only: an in-memory database is always new and empty; "
                "pass the path of a database file",
                read_only,
            )
        if sqlite3.sqlite_version_info < _OLDEST_SQLITE:
            raise StorageError(
                f"SqliteStore needs SQLite >= 3.35 (for RETURNING); this Python links "
                f"SQLite {sqlite3.sqlite_version}: upgrade Python or its SQLite library"
            )
        self._converter = make_converter()
        self._depth = 0
        self._trace = trace
        self._where = where
        self._read_only = read_only
        self._timeout = timeout
        new = where == MEMORY or (not read_only and create_private(where))
        self._connection = connect(where, timeout, read_only=read_only)
        try:
            self._execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._execute("PRAGMA foreign_keys = ON")
            if read_only:
                self._execute("PRAGMA query_only = ON")
            self._execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            # 64 MiB of page cache (allocated only as used) keeps a bulk import's
            # dirty pages in memory until commit instead of spilling them early.
            self._execute("PRAGMA cache_size = -65536")
            prepare(self, repr(where), new=new, adopt=adopt, read_only=read_only)
            if where != MEMORY and not read_only:
                self._execute("PRAGMA journal_mode = WAL")
        except BaseException:
            self._connection.close()
            raise
        self._wire_repositories(self._table, self)
        self.card_numbers = CardNumbers(self)

    @property
    def read_only(self) -> bool:
        """Whether the store was opened with ``read_only=True`` (it never writes)."""
        return self._read_only

    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` block is open: its writes may still be undone."""
        return self._depth > 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: commit on success, roll back on any exception; nests as savepoints.

        Raises:
            StorageError: The store is read-only.
        """
        if self._read_only:
            raise self._refused_write()
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

    @contextmanager
    def reporting(self) -> Iterator[ReportingConnection]:
        """Open a read-only connection over the reporting views; closed when the block ends.

        The views (see the storage guide) hold no clear personal value, and the
        connection reads nothing else: a statement naming a table, a write or
        a ``PRAGMA`` is refused. A file store's connection is opened with
        SQLite's ``mode=ro`` and sees every commit; an in-memory store's reads
        a snapshot taken when it opens. Its errors are propcrm's, like every
        other path's.

        Raises:
            StorageError: The database cannot be opened for reading.
        """
        timeout = self._timeout
        if self._where == MEMORY:
            connection = sqlite3.connect(MEMORY, isolation_level=None)
            try:
                self._connection.backup(connection)
            except sqlite3.Error as e:  # pragma: no cover - an in-memory copy has no I/O
                connection.close()
                raise self._translated(e, "BACKUP") from e
        else:
            connection = connect(self._where, timeout, read_only=True)
        reporting = ReportingConnection(connection, self._trace)
        try:
            yield reporting
        finally:
            reporting.close()

    def schema_version(self) -> int:
        """Return how many migrations the database has applied."""
        return int(self._query("PRAGMA user_version")[0][0])

    def applied_migrations(self) -> list[str]:
        """Return the names of the applied migrations, oldest first."""
        rows = self._query("SELECT name FROM propcrm_migrations ORDER BY position")
        return [name for (name,) in rows]

    def integrity_check(self) -> str:
        """Run SQLite's ``PRAGMA integrity_check``; ``"ok"`` means the file is sound.

        Otherwise the problems found are returned, one a line.

        Raises:
            StorageError: The damage stops SQLite from even checking.
        """
        return "\n".join(row[0] for row in self._query("PRAGMA integrity_check"))

    def scrub(self) -> None:
        """Leave no byte of deleted or replaced data in the database's files.

        SQLite keeps freed space and old page images until they are reused:
        in free pages, in the free space of a page, in the write-ahead log.
        After an anonymisation (RULES §8) this rebuilds the file from the live
        rows alone (``VACUUM``) and empties the write-ahead log
        (``wal_checkpoint(TRUNCATE)``), so the replaced values are gone from
        the files. It takes time in proportion to the database's size.

        Raises:
            StorageError: The store is read-only, a transaction is open on it,
                or another connection's reader keeps the log from being emptied.
        """
        if self._read_only:
            raise self._refused_write()
        if self._depth:
            raise StorageError(
                "scrub() rebuilds the whole file and cannot run inside a transaction; "
                "call it after the transaction has ended"
            )
        self._execute("VACUUM")
        if self._where != MEMORY:
            busy = self._query("PRAGMA wal_checkpoint(TRUNCATE)")[0][0]
            if busy:
                raise StorageError(
                    "another connection is reading the database, so its write-ahead log "
                    "still holds old pages; call scrub() again when the readers are done"
                )

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        self._connection.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _table(self, table: Table[T]) -> SqliteTable[T]:
        return SqliteTable(self, table)

    def _next_in_sequence(self, name: str, limit: int | None = None) -> int | None:
        # One statement: atomic across connections, and no number is drawn past the limit.
        rows = self._query(
            "INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) "
            "DO UPDATE SET value = value + 1 WHERE value < ? RETURNING value",
            (name, _NO_LIMIT if limit is None else limit),
        )
        return int(rows[0][0]) if rows else None

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """Run a statement whose rows are not read (its ``rowcount`` may be)."""
        # Trace here, not with set_trace_callback: SQLite's hook expands the bound values.
        if self._trace is not None:
            self._trace(sql)
        try:
            return self._connection.execute(sql, params)
        except (UnicodeEncodeError, OverflowError, sqlite3.Error) as e:
            raise self._translated(e, sql) from e

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run a statement and read all its rows, both inside the error translation."""
        if self._trace is not None:
            self._trace(sql)
        try:
            return self._connection.execute(sql, params).fetchall()
        except (UnicodeEncodeError, OverflowError, sqlite3.Error) as e:
            raise self._translated(e, sql) from e

    def _executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        if self._trace is not None:
            self._trace(sql)
        try:
            self._connection.executemany(sql, rows)
        except (UnicodeEncodeError, OverflowError, sqlite3.Error) as e:
            raise self._translated(e, sql) from e

    def _translated(self, error: Exception, sql: str) -> PropcrmError:
        """The propcrm error for a driver error raised while running ``sql``."""
        if isinstance(error, UnicodeEncodeError | OverflowError):  # raised while binding a value
            return _unbindable(error)
        if isinstance(error, sqlite3.IntegrityError):
            return ConflictError(f"the database refused the write: {error}")
        if self._read_only and "readonly" in str(error).replace(" ", ""):
            return self._refused_write()
        return StorageError(f"SQLite failed: {error} (while running {sql.split()[0]})")

    def _refused_write(self) -> StorageError:
        return StorageError(
            f"{self._where!r} is open read-only (read_only=True) and never writes; "
            "open a writable SqliteStore to change it"
        )


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


if TYPE_CHECKING:  # the adapter has the shape of the port

    def _is_a_store(store: SqliteStore) -> Store:
        return store
