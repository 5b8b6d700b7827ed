"""PostgresStore: the store on a PostgreSQL server, for several application servers at once.

It needs the ``postgres`` extra (``pip install 'propcrm[postgres]'``: psycopg 3
and psycopg-pool) and PostgreSQL 12 or newer. It keeps every promise of
:mod:`propcrm.storage` exactly as :class:`~propcrm.storage.sqlite.SqliteStore`
does — the contract suite and the agreement test run all three stores — and
adds what sharing a server needs:

* **Connections.** Give a connection string (``PostgresStore("postgresql://
  crm@db.example/crm")``), and the store opens its own pool of up to
  ``max_size`` connections; or give ``pool=``, an open
  :class:`psycopg_pool.ConnectionPool` you own (the store switches the
  connections it borrows to autocommit and never closes your pool). One store
  may serve many threads: each thread's transaction holds one connection of
  the pool until it ends; outside a transaction each repository call borrows
  a connection for one statement.
* **Schema: one source.** Tables live in the connection's current schema
  (``search_path``). The schema is :data:`~propcrm.storage.sqlite.MIGRATIONS`,
  written once in SQLite's dialect; each step's PostgreSQL statements are
  derived from it: ``INTEGER`` becomes ``BIGINT`` (microseconds since the
  epoch, 64-bit versions) and every text column of ``CREATE TABLE`` or
  ``ALTER TABLE`` gets ``COLLATE "C"``, so text orders byte by byte as in
  SQLite, whatever the database's locale. A step whose statements PostgreSQL
  cannot run as written — a trigger, a view, a pragma, SQLite's date or JSON
  functions — carries its PostgreSQL statements itself, and the derivation
  refuses such a step without them (a test runs it over every step)::

      Migration(
          "00NN_audit",
          ("CREATE TABLE audit (id TEXT PRIMARY KEY, at_us INTEGER NOT NULL)",
           "CREATE TRIGGER audit_kept BEFORE UPDATE ON audit "
           "BEGIN SELECT RAISE(ABORT, 'audit rows are kept'); END"),
          postgres=(
              'CREATE TABLE audit (id TEXT COLLATE "C" PRIMARY KEY, at_us BIGINT NOT NULL)',
              "CREATE FUNCTION audit_kept() RETURNS trigger LANGUAGE plpgsql AS "
              "$$ BEGIN RAISE EXCEPTION 'audit rows are kept'; END $$",
              "CREATE TRIGGER audit_kept BEFORE UPDATE OR DELETE ON audit "
              "FOR EACH ROW EXECUTE FUNCTION audit_kept()",
          ),
      )

  A variant replaces all of its step's statements. Views read the encoded
  entity as ``body::jsonb``. Statements of a variant run as written (no
  placeholders).
* **Migrations recorded, refused when newer.** Applied steps are recorded by
  name and position in ``propcrm_migrations``; a database whose history is
  longer than this propcrm's (a newer propcrm wrote it) or different (another
  line) raises :class:`~propcrm.errors.SchemaVersionError`, as does a schema
  holding tables of propcrm's names that propcrm did not create. Servers that
  start together migrate one at a time (an advisory lock), each in one
  transaction: PostgreSQL's DDL is transactional, so a failed step leaves the
  schema as it was.
* **Transactions.** ``with store.transaction():`` is a PostgreSQL transaction
  at READ COMMITTED; nested blocks are savepoints. A write that fails inside
  a transaction (a duplicate id, a stale version) runs under its own
  savepoint, so the transaction goes on after the error exactly as SQLite's
  does. Versions make concurrent updates safe: the second of two updates from
  the same version waits for the first, then finds the version changed and
  raises :class:`~propcrm.errors.ConflictError`; nothing is lost.
* **Card numbers.** :attr:`~propcrm.storage.Store.card_numbers` draws from a row per card series,
  raised by one ``INSERT ... ON CONFLICT DO UPDATE``: two servers drawing at
  once are serialized on that row, so no number is handed out twice. A
  rolled-back allocation leaves **no gap**: the row's change is undone with
  its transaction and the next allocation gets the same number. The price is
  that an allocation waits for a concurrent transaction that drew from the
  same series to end; keep issuing transactions short.
* **Text.** PostgreSQL's text cannot hold the NUL character. An id or query
  column holding NUL (or ``\\x01``) is stored escaped (``\\x01\\x01``,
  ``\\x01\\x02``), which keeps every text distinct and in SQLite's order, and is
  read back as written; the encoded entity never needs it.
* **Errors.** Every psycopg error becomes a :mod:`propcrm.errors` exception,
  with the driver's as ``__cause__``: an integrity violation, a serialization
  failure or a deadlock → :class:`~propcrm.errors.ConflictError` (retry), a
  lone surrogate or an integer beyond 64 bits →
  :class:`~propcrm.errors.ValidationError`, the rest (server down, pool
  exhausted for ``timeout`` seconds) → :class:`~propcrm.errors.StorageError`.
* **Tracing.** ``trace=`` receives each statement's text with its ``?``
  placeholders, never the bound values (RULES §8).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from propcrm.errors import StorageError, ValidationError, shown
from propcrm.storage._catalog import (
    CardNumbers,
)
from propcrm.storage._codec import make_converter
from propcrm.storage._engine import Table
from propcrm.storage._postgres_schema import prepare
from propcrm.storage._postgres_wire import (
    check_arguments,
    escaped,
    placeholders,
    row_restored,
    translated_error,
)
from propcrm.storage._sqlite_table import SqliteTable
from propcrm.storage._wiring import Repositories

if TYPE_CHECKING:
    from propcrm.storage import Store

__all__ = ["PostgresStore"]

T = TypeVar("T")

_NO_LIMIT = 2**62
_GUARD = "propcrm_statement"


@attrs.frozen
class _Done:
    """What a statement whose rows are not read tells: how many rows it changed."""

    rowcount: int


class PostgresStore(Repositories):
    """A store on a PostgreSQL server, shared by every process and thread that opens it.

    Args:
        conninfo: A libpq connection string or URI, e.g.
            ``"postgresql://crm@db.example:5432/crm"``; the store opens and
            owns a pool on it. Give this or ``pool``.
        pool: An open :class:`psycopg_pool.ConnectionPool` you own (the store
            never closes it). Give this or ``conninfo``.
        max_size: The most connections the store's own pool opens (1 to 1000).
        timeout: Seconds to wait for a free connection of the pool before
            raising :class:`~propcrm.errors.StorageError`.
        trace: Called with the text of every SQL statement before it runs,
            with its ``?`` placeholders and never the bound values (those hold
            customers' personal data, which must not reach logs).

    Raises:
        ValidationError: An argument has the wrong type or range (named in the
            message).
        SchemaVersionError: The database was written by a newer propcrm, has
            another schema history, or holds propcrm's table names already.
        StorageError: The server cannot be reached.
    """

    def __init__(
        self,
        conninfo: str | None = None,
        *,
        pool: ConnectionPool | None = None,
        max_size: int = 4,
        timeout: float = 30.0,
        trace: Callable[[str], None] | None = None,
    ) -> None:
        check_arguments(conninfo, pool, max_size=max_size, timeout=timeout, trace=trace)
        self._converter = make_converter()
        self._trace = trace
        self._timeout = float(timeout)
        self._local = threading.local()
        if pool is None:
            assert conninfo is not None  # checked above
            parts = _parsed(conninfo)
            self._where, self._owns_pool = _described(parts), True
            # One direct connection first: an unreachable server fails at once, not after
            # the pool has retried for ``timeout`` seconds.
            first = _first_connection(conninfo, parts, self._where, self._timeout)
            self._pool = ConnectionPool(
                conninfo,
                min_size=1,
                max_size=max_size,
                kwargs={"autocommit": True},
                open=False,
                timeout=self._timeout,
                name="propcrm",
            )
        else:
            self._where, self._owns_pool, self._pool = "the pool's database", False, pool
            first = self._borrow()
        self._local.connection = first
        try:
            prepare(self, self._where)
        finally:
            self._local.connection = None
            if pool is None:
                first.close()
            else:
                pool.putconn(first)
        if pool is None:
            # Wait for the pool's first connection: it is made here, not by the pool's
            # worker thread while the caller has already gone on.
            try:
                self._pool.open(wait=True, timeout=self._timeout)
            except psycopg.Error as e:
                self._pool.close()
                raise StorageError(f"cannot open a pool on {self._where}: {e}") from e
        self._wire_repositories(self._table, self)
        self.card_numbers = CardNumbers(self)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: commit on success, roll back on any exception; nests as savepoints."""
        depth = self._depth
        if depth == 0:
            pinned = getattr(self._local, "connection", None)  # opening: the first connection
            if pinned is None:
                self._local.connection = self._borrow()
            self._local.borrowed = pinned is None
            try:
                self._run("BEGIN")
            except BaseException:
                self._give_back()
                raise
        else:
            self._run(f"SAVEPOINT propcrm_{depth}")
        self._local.depth = depth + 1
        try:
            yield
        except BaseException:
            self._local.depth = depth
            try:
                if depth == 0:
                    self._run("ROLLBACK")
                else:
                    self._run(f"ROLLBACK TO SAVEPOINT propcrm_{depth}")
                    self._run(f"RELEASE SAVEPOINT propcrm_{depth}")
            finally:
                if depth == 0:
                    self._give_back()
            raise
        self._local.depth = depth
        if depth == 0:
            try:
                self._run("COMMIT")
            finally:
                self._give_back()
        else:
            self._run(f"RELEASE SAVEPOINT propcrm_{depth}")

    def schema_version(self) -> int:
        """Return how many migrations the database has applied."""
        return int(self._query("SELECT count(*) FROM propcrm_migrations")[0][0])

    def applied_migrations(self) -> list[str]:
        """Return the names of the applied migrations, oldest first."""
        rows = self._query("SELECT name FROM propcrm_migrations ORDER BY position")
        return [name for (name,) in rows]

    def close(self) -> None:
        """Close the store's own pool (a pool given as ``pool=`` stays open)."""
        if self._owns_pool:
            self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def in_transaction(self) -> bool:
        """Whether this thread has a :meth:`transaction` block open: its writes may be undone."""
        return self._depth > 0

    @property
    def _depth(self) -> int:
        depth: int = getattr(self._local, "depth", 0)
        return depth

    def _table(self, table: Table[T]) -> SqliteTable[T]:
        return SqliteTable(self, table)

    def _next_in_sequence(self, name: str, limit: int | None = None) -> int | None:
        # One statement under the row's lock: concurrent servers queue, none draws twice.
        rows = self._query(
            "INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) "
            "DO UPDATE SET value = sequences.value + 1 WHERE sequences.value < ? RETURNING value",
            (name, _NO_LIMIT if limit is None else limit),
        )
        return int(rows[0][0]) if rows else None

    def _borrow(self) -> psycopg.Connection[Any]:
        try:
            connection = self._pool.getconn(timeout=self._timeout)
        except psycopg.Error as e:
            raise StorageError(
                f"no connection to {self._where} within {self._timeout:g} s: {e}; "
                "check the server, or raise max_size or timeout"
            ) from e
        if not connection.autocommit:
            try:
                connection.autocommit = True
            except psycopg.Error as e:
                self._pool.putconn(connection)
                raise StorageError(f"cannot use a connection of the pool: {e}") from e
        return connection

    def _give_back(self) -> None:
        """End a transaction's hold on its connection, returning it if it was borrowed."""
        if self._local.borrowed:
            connection, self._local.connection = self._local.connection, None
            self._pool.putconn(connection)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        held = getattr(self._local, "connection", None)
        if held is not None:
            yield held
            return
        connection = self._borrow()
        try:
            yield connection
        finally:
            self._pool.putconn(connection)

    def _run(self, sql: str) -> None:
        """Run a statement of the store's own, with no parameters (transaction control)."""
        if self._trace is not None:
            self._trace(sql)
        with self._connection() as connection:
            try:
                connection.execute(sql)
            except psycopg.Error as e:
                raise translated_error(e, sql) from e

    def _run_schema(self, statement: str) -> None:
        """Run one schema statement as written (a variant may hold ``?`` or ``%``)."""
        self._run(statement)

    def _statement(
        self, sql: str, params: tuple[Any, ...], read: Callable[[psycopg.Cursor[Any]], T]
    ) -> T:
        if self._trace is not None:
            self._trace(sql)
        bound = tuple(escaped(value) for value in params)
        # A write that fails inside a transaction must not end it (as in SQLite): guard it.
        guard = self._depth > 0 and not sql.startswith("SELECT")
        with self._connection() as connection:
            try:
                if guard:
                    connection.execute(f"SAVEPOINT {_GUARD}")
                with connection.cursor() as cursor:
                    cursor.execute(placeholders(sql), bound)
                    result = read(cursor)
                if guard:
                    connection.execute(f"RELEASE SAVEPOINT {_GUARD}")
            except (UnicodeEncodeError, psycopg.Error) as e:
                if guard and not connection.closed:
                    self._undo_statement(connection)
                raise translated_error(e, sql) from e
        return result

    def _undo_statement(self, connection: psycopg.Connection[Any]) -> None:
        try:
            connection.execute(f"ROLLBACK TO SAVEPOINT {_GUARD}")
            connection.execute(f"RELEASE SAVEPOINT {_GUARD}")
        except psycopg.Error:  # the connection broke: the transaction's end reports it
            return

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> _Done:
        """Run a statement whose rows are not read (its ``rowcount`` may be)."""
        return self._statement(sql, params, lambda cursor: _Done(cursor.rowcount))

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run a statement and read all its rows, both inside the error translation."""
        return self._statement(
            sql, params, lambda cursor: [row_restored(row) for row in cursor.fetchall()]
        )

    def _executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        # Read the rows first: making one may run a statement (an append's sequence number).
        bound = [tuple(escaped(value) for value in row) for row in rows]
        if self._trace is not None:
            self._trace(sql)
        with self._connection() as connection:
            try:
                connection.execute(f"SAVEPOINT {_GUARD}")
                with connection.cursor() as cursor:
                    cursor.executemany(placeholders(sql), bound)
                connection.execute(f"RELEASE SAVEPOINT {_GUARD}")
            except (UnicodeEncodeError, psycopg.Error) as e:
                if not connection.closed:
                    self._undo_statement(connection)
                raise translated_error(e, sql) from e


def _parsed(conninfo: str) -> dict[str, Any]:
    try:
        return conninfo_to_dict(conninfo)
    except psycopg.Error as e:
        raise ValidationError.expected(
            "conninfo",
            "a libpq connection string or URI",
            f"({e})",
            "e.g. 'postgresql://crm@db.example/crm' or 'host=/run/postgresql dbname=crm'",
        ) from e


def _described(parts: dict[str, Any]) -> str:
    """The database as messages name it: host and database, never the password."""
    host, name = parts.get("host") or "the default host", parts.get("dbname") or "the default"
    return f"database {shown(str(name))} on {shown(str(host))}"


def _first_connection(
    conninfo: str, parts: dict[str, Any], where: str, timeout: float
) -> psycopg.Connection[Any]:
    wait: dict[str, Any] = (
        {} if "connect_timeout" in parts else {"connect_timeout": max(1, round(timeout))}
    )
    try:
        return psycopg.connect(conninfo, autocommit=True, **wait)
    except psycopg.Error as e:
        raise StorageError(f"cannot connect to {where}: {e}") from e


if TYPE_CHECKING:  # the adapter has the shape of the port

    def _is_a_store(store: PostgresStore) -> Store:
        return store
