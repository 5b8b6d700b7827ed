"""PostgreSQL's schema: the SQLite migrations in PostgreSQL's dialect, applied and recorded.

The schema has one source, :data:`~propcrm.storage.sqlite.MIGRATIONS`.
:func:`postgres_statements` derives each step's PostgreSQL statements from its
SQLite ones, or takes the step's own ``postgres`` variant when it has one;
:func:`prepare` checks the database's recorded history and applies the missing
steps. Private: :mod:`propcrm.storage.postgres` documents both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from propcrm.errors import SchemaVersionError, StorageError
from propcrm.storage._sqlite_schema import MIGRATIONS, Migration

__all__ = ["LOCK_KEY", "postgres_statements", "prepare", "translated"]

LOCK_KEY = 0x5043524D
"""The advisory lock key servers take while migrating: ``"PCRM"`` in ASCII, as SQLite's mark."""

_INTEGER = re.compile(r"\bINTEGER\b")
_TEXT = re.compile(r"\bTEXT\b")
_DEFINES_COLUMNS = re.compile(r"\s*(CREATE\s+TABLE|ALTER\s+TABLE)\b", re.IGNORECASE)
_SQLITE_ONLY = re.compile(
    r"\b(CREATE\s+(TEMP\s+|TEMPORARY\s+)?(TRIGGER|VIEW)|PRAGMA|AUTOINCREMENT|WITHOUT\s+ROWID"
    r"|INSERT\s+OR|REPLACE\s+INTO|json_\w+|strftime|julianday|unixepoch|datetime|ifnull|glob)\b",
    re.IGNORECASE,
)

_BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS propcrm_migrations ("
    " position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)


def translated(statement: str, where: str = "a statement") -> str:
    """``statement`` (SQLite DDL or a plain data move) in PostgreSQL's dialect.

    ``INTEGER`` becomes ``BIGINT`` (the columns hold microseconds since the
    epoch and 64-bit versions), and a text column defined by ``CREATE TABLE``
    or ``ALTER TABLE`` compares byte by byte (``COLLATE "C"``), as SQLite's
    ``BINARY`` does, whatever the database's locale: both stores order alike.

    Raises:
        StorageError: The statement uses what only SQLite has (a trigger, a
            view, a pragma, SQLite's date or JSON functions); such a step needs
            its ``postgres`` variant.
    """
    found = _SQLITE_ONLY.search(statement)
    if found:
        raise StorageError(
            f"{where} uses {found.group(0)!r}, which has no derived PostgreSQL form; "
            "give its Migration a postgres=(...) variant with the statements for PostgreSQL"
        )
    return _columns(_INTEGER.sub("BIGINT", statement))


def _columns(statement: str) -> str:
    """Column types of a ``CREATE TABLE``/``ALTER TABLE`` as PostgreSQL stores them alike."""
    if not _DEFINES_COLUMNS.match(statement):
        return statement
    return _TEXT.sub('TEXT COLLATE "C"', _INTEGER.sub("BIGINT", statement))


def postgres_statements(migration: Migration) -> tuple[str, ...]:
    """The statements that apply ``migration`` on PostgreSQL: its variant, or derived ones."""
    if migration.postgres is not None:  # PostgreSQL's own; table columns mapped alike
        return tuple(_columns(statement) for statement in migration.postgres)
    return tuple(
        translated(statement, f"migration {migration.name} (statement {position})")
        for position, statement in enumerate(migration.statements, start=1)
    )


class Database(Protocol):
    """What the checks need from the store: reads, schema statements and a transaction."""

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]: ...

    def _run_schema(self, statement: str) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...


def prepare(db: Database, where: str) -> None:
    """Check that ``db`` holds propcrm's schema (or none yet), then apply the missing steps.

    Servers starting together migrate one at a time: each takes a transaction
    advisory lock (:data:`LOCK_KEY`) and reads the history again under it.

    Raises:
        SchemaVersionError: The database was written by a newer propcrm, has a
            different schema history, or holds tables of propcrm's names that
            propcrm did not create.
        StorageError: A step cannot be translated (see :func:`translated`).
    """
    migrations = MIGRATIONS
    statements = [postgres_statements(migration) for migration in migrations]
    if _history(db, where, migrations) == [m.name for m in migrations]:
        return
    with db.transaction():
        db._query(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        found = len(_history(db, where, migrations))
        db._run_schema(_BOOKKEEPING)
        for position in range(found, len(migrations)):
            for statement in statements[position]:
                db._run_schema(statement)
            db._query(
                "INSERT INTO propcrm_migrations (position, name) VALUES (?, ?) RETURNING position",
                (position + 1, migrations[position].name),
            )


def _history(db: Database, where: str, migrations: Sequence[Migration]) -> list[str]:
    """The names of the steps applied, after refusing a history that is not ours."""
    supported = len(migrations)
    if db._query("SELECT to_regclass('propcrm_migrations') IS NOT NULL")[0][0]:
        applied = [name for (name,) in db._query(_NAMES)]
    else:
        applied = []
        taken = _taken(db, migrations)
        if taken:
            raise SchemaVersionError(
                f"{where} has tables named as propcrm's ({', '.join(taken[:3])}) but no "
                "propcrm schema history: propcrm never adds its tables to another "
                "application's; connect to another database or schema (search_path)",
                found=0,
                supported=supported,
            )
    if len(applied) > supported:
        raise SchemaVersionError(
            f"{where} has schema version {len(applied)}, but this propcrm knows only up to "
            f"{supported}: it was written by a newer propcrm; upgrade propcrm to open it",
            found=len(applied),
            supported=supported,
        )
    expected = [m.name for m in migrations[: len(applied)]]
    if applied != expected:
        raise SchemaVersionError(
            f"the database's schema history {applied} does not match this propcrm's "
            f"{expected}; it was written by a different propcrm line or edited by hand",
            found=len(applied),
            supported=supported,
        )
    return applied


_NAMES = "SELECT name FROM propcrm_migrations ORDER BY position"
_CREATED = re.compile(r"\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


def _taken(db: Database, migrations: Sequence[Migration]) -> list[str]:
    """The tables propcrm would create that exist already, in the connection's schema."""
    names = [
        found.group(2).lower()
        for migration in migrations
        for statement in migration.statements
        if (found := _CREATED.match(statement))
    ]
    rows = db._query(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename = ANY(?) ORDER BY tablename",
        (names,),
    )
    return [name for (name,) in rows]
