"""The demo on PostgreSQL: which databases it may write, and emptying its own.

The demo writes a PostgreSQL database only when nothing in it can be lost:

* a database with no table or view in its schema: the store creates propcrm's;
* propcrm's schema with no row in any table;
* a demo database (its ``commands`` hold the demo's load command) holding
  nothing but propcrm's tables: every propcrm table is emptied in one
  transaction (``TRUNCATE``; the schema and its migration history stay), then
  the demo writes anew. The audit trail is never emptied: a database whose
  trail holds entries is refused.

Anything else is refused and left untouched: a table or view propcrm did not
create (the demo never touches another application's data), or propcrm
records the demo did not write. This module is private.
"""

from __future__ import annotations

from typing import Any

from propcrm.errors import StorageError
from propcrm.report._source import connect, propcrm_tables

__all__ = ["empty_for_demo"]

_RELATIONS = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
    "ORDER BY c.relname"
)


# Tables whose rows are never removed (the database refuses it): the demo writes none,
# and refuses a database where they hold any.
_APPEND_ONLY = frozenset({"audit_trail"})


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def empty_for_demo(db: str, *, load_command: str) -> None:
    """Make the PostgreSQL database ``db`` ready for a new demo run, or refuse.

    Raises:
        StorageError: The database holds a table or view propcrm did not
            create, or propcrm records the demo did not write (nothing is
            changed); or it cannot be reached.
    """
    ours = set(propcrm_tables())
    with connect(db, "propcrm demo") as connection:
        found = [name for (name,) in connection.execute(_RELATIONS)]
        foreign = [name for name in found if name not in ours]
        if foreign:
            listed = ", ".join(foreign[:10]) + (" ..." if len(foreign) > 10 else "")
            raise StorageError(
                f"--db holds tables propcrm did not create ({listed}); the demo writes only "
                "into an empty database or a demo database: choose another --db"
            )
        if "propcrm_migrations" not in found:
            return  # an empty database: the store creates propcrm's schema
        tables = [
            name for name in found if name != "propcrm_migrations" and _is_table(connection, name)
        ]
        if _holds(connection, "commands", load_command) or not _any_rows(connection, tables):
            if _any_rows(connection, [t for t in tables if t in _APPEND_ONLY]):
                raise StorageError(
                    "--db holds audit-trail entries, which are never removed (RULES § 8): "
                    "the demo cannot empty it; choose another --db (an empty database will do)"
                )
            emptied = [t for t in tables if t not in _APPEND_ONLY]
            with connection.transaction():
                if emptied:
                    connection.execute(f"TRUNCATE {', '.join(_quoted(t) for t in emptied)}")
            return
        raise StorageError(
            "--db holds propcrm records the demo did not write; the demo replaces only its "
            "own databases: choose another --db (an empty PostgreSQL database will do)"
        )


def _is_table(connection: Any, name: str) -> bool:
    row = connection.execute(
        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relname = %s",
        (name,),
    ).fetchone()
    return row is not None and row[0] in ("r", "p")


def _holds(connection: Any, table: str, command_id: str) -> bool:
    query = f"SELECT 1 FROM {_quoted(table)} WHERE id = %s"
    return connection.execute(query, (command_id,)).fetchone() is not None


def _any_rows(connection: Any, tables: list[str]) -> bool:
    return any(
        connection.execute(f"SELECT EXISTS (SELECT 1 FROM {_quoted(t)})").fetchone()[0]
        for t in tables
    )
