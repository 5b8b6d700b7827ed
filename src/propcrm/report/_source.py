"""Where a report's records live: a SQLite file, or a PostgreSQL database by its URI.

``--db`` is a path, or a ``postgresql://`` (or ``postgres://``) URI such as
``postgresql://crm@db.example/crm``. A SQLite file is opened read-only; a
PostgreSQL database must already hold propcrm's schema (opening a store on an
empty database would create it, and a report writes nothing). The PostgreSQL
store needs the ``postgres`` extra. This module is private.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propcrm.errors import StorageError
from propcrm.storage import Store
from propcrm.storage.sqlite import SqliteStore

if TYPE_CHECKING:
    from propcrm.storage.postgres import PostgresStore

__all__ = ["is_postgres", "open_postgres", "open_store", "propcrm_tables"]

_URI = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_CREATED = re.compile(r"\s*CREATE\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)


def is_postgres(db: str) -> bool:
    """Whether ``--db`` names a PostgreSQL database (a ``postgresql://`` URI)."""
    return _URI.match(db) is not None


def propcrm_tables() -> list[str]:
    """The tables and views propcrm's schema makes in a PostgreSQL database, by name."""
    from propcrm.storage._postgres_schema import postgres_statements
    from propcrm.storage.sqlite import MIGRATIONS

    names = {
        found.group(1).lower()
        for migration in MIGRATIONS
        for statement in postgres_statements(migration)
        if (found := _CREATED.match(statement))
    }
    return sorted({*names, "propcrm_migrations"})


def connect(db: str, command: str) -> Any:
    """A psycopg connection to ``db`` in autocommit, its errors turned into propcrm's."""
    try:
        import psycopg
    except ImportError as e:
        raise StorageError(
            f"{command}: {e}; install the postgres extra: pip install 'propcrm[postgres]'"
        ) from e
    try:
        return psycopg.connect(db, autocommit=True, connect_timeout=30)
    except psycopg.Error as e:
        raise StorageError(f"{command}: cannot connect to the --db database: {e}") from e


def open_postgres(db: str) -> PostgresStore:
    """The store on ``db`` (the ``postgres`` extra is needed)."""
    from propcrm.storage.postgres import PostgresStore

    return PostgresStore(db, max_size=2)


def open_store(db: str) -> Store:
    """The store a report reads: ``db`` opened read-only, or a propcrm PostgreSQL database.

    Raises:
        StorageError: No such file; the PostgreSQL database cannot be reached
            or holds no propcrm schema; the ``postgres`` extra is missing.
        SchemaVersionError: A newer propcrm wrote the database.
    """
    if is_postgres(db):
        with connect(db, "propcrm report") as connection:
            found = connection.execute("SELECT to_regclass('propcrm_migrations') IS NOT NULL")
            row = found.fetchone()
        if not row or not row[0]:
            raise StorageError(
                "--db: the PostgreSQL database holds no propcrm schema: "
                "report on a database the desks wrote"
            )
        return open_postgres(db)
    path = Path(db)
    if not path.is_file():
        raise StorageError(f"--db {db}: no such database file")
    return SqliteStore(path, read_only=True)
