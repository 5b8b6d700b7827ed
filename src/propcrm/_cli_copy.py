"""``propcrm copy --from SQLITE --to POSTGRES``: move a whole store to PostgreSQL, verified.

Every table of the SQLite database is copied row by row into the PostgreSQL
database — the entities with their ids and versions, the desks' decisions,
events and outbox, every audit table, and the ``sequences`` behind the card
numbers and the append-only ids, so numbering goes on where it stopped. The
copy is one PostgreSQL transaction: it commits only when the number of rows of
every table in the target equals the source's, and otherwise leaves the target
as it was. The target must hold propcrm's schema and no rows (a new database
gets the schema on opening); the source is opened read-only.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any

import attrs

from propcrm.errors import PropcrmError, StorageError
from propcrm.storage.sqlite import SqliteStore

if TYPE_CHECKING:
    from propcrm.storage.postgres import PostgresStore

__all__ = ["TableCount", "copy_store", "register"]

EXIT_OK, EXIT_MISMATCH, EXIT_INVALID = 0, 1, 2
_BATCH = 1000
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")


@attrs.frozen
class TableCount:
    """The verification of one table: rows in the source and in the target after the copy."""

    table: str
    source: int
    target: int


class CountMismatchError(StorageError):
    """A table of the target does not hold as many rows as the source's; nothing was kept."""

    def __init__(self, counts: list[TableCount]) -> None:
        super().__init__("the copy was undone: a table's count does not match")
        self.counts = counts


def register(commands: Any) -> None:
    """Add ``copy`` to the command line's subcommands."""
    copy = commands.add_parser(
        "copy", help="copy a whole SQLite store into a PostgreSQL database, verified"
    )
    copy.add_argument("--from", dest="source", required=True, help="the SQLite database file")
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        help="the PostgreSQL connection string, e.g. postgresql://crm@db.example/crm",
    )
    copy.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:  # the postgres extra is needed by this command only
        from propcrm.storage.postgres import PostgresStore
    except ImportError as e:
        sys.stderr.write(
            f"propcrm copy: {e}; install the postgres extra: pip install 'propcrm[postgres]'\n"
        )
        return EXIT_INVALID
    try:
        with (
            SqliteStore(args.source, read_only=True) as source,
            PostgresStore(args.target) as target,
        ):
            counts = copy_store(source, target)
    except CountMismatchError as e:
        _show(e.counts)
        sys.stderr.write(f"{e}; the target is unchanged\n")
        return EXIT_MISMATCH
    except PropcrmError as e:
        sys.stderr.write(f"propcrm copy: {e}\n")
        return EXIT_INVALID
    _show(counts)
    total = sum(count.source for count in counts)
    sys.stdout.write(f"copied {len(counts)} tables, {total:,} rows: every count matches\n")
    return EXIT_OK


def _show(counts: list[TableCount]) -> None:
    for count in counts:
        verdict = "ok" if count.source == count.target else "MISMATCH"
        sys.stdout.write(
            f"{count.table}: {count.source:,} in the source, {count.target:,} in the target"
            f" {verdict}\n"
        )


def copy_store(source: SqliteStore, target: PostgresStore) -> list[TableCount]:
    """Copy every table of ``source`` into the empty ``target``; return the counts.

    Raises:
        StorageError: The target is not empty, a table of the source has no
            counterpart in the target (they were written by different propcrm
            versions), or the copy failed.
        CountMismatchError: The counts differ after copying (nothing is kept).
    """
    tables = _tables(source)
    counts = []
    with target.transaction():
        for table in tables:
            if not target._query("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0]:
                raise StorageError(
                    f"the target has no table {table!r}: the source was written by another "
                    "propcrm version; open both with this one first"
                )
            if target._query(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) AS t")[0][0]:
                raise StorageError(
                    f"the target's table {table!r} holds rows already: copy into a new, "
                    "empty database"
                )
            _copy_table(source, target, table)
            counts.append(
                TableCount(
                    table,
                    int(source._query(f"SELECT count(*) FROM {table}")[0][0]),
                    int(target._query(f"SELECT count(*) FROM {table}")[0][0]),
                )
            )
        if any(count.source != count.target for count in counts):
            raise CountMismatchError(counts)
    return counts


def _tables(source: SqliteStore) -> list[str]:
    rows = source._query(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'propcrm_migrations' ORDER BY name"
    )
    names = [name for (name,) in rows]
    for name in names:
        if not _IDENTIFIER.match(name):
            raise StorageError(
                f"the source holds a table named {name!r}, which propcrm never makes"
            )
    return names


def _copy_table(source: SqliteStore, target: PostgresStore, table: str) -> None:
    columns = [row[1] for row in source._query(f"PRAGMA table_info({table})")]
    listed = ", ".join(columns)
    insert = f"INSERT INTO {table} ({listed}) VALUES ({', '.join('?' * len(columns))})"
    read = f"SELECT rowid, {listed} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT {_BATCH}"
    last = -(2**63)
    while True:
        rows = source._query(read, (last,))
        if not rows:
            return
        target._executemany(insert, [tuple(row[1:]) for row in rows])
        last = rows[-1][0]
