"""Opening a SQLite database as propcrm's: the arguments, the file, the schema and its checks.

A propcrm database is recognised by two marks in its header, both written in
the transaction that creates the schema:

* ``PRAGMA application_id`` is :data:`APPLICATION_ID`;
* ``PRAGMA user_version`` counts the applied :data:`MIGRATIONS`, whose names
  are recorded in order in the ``propcrm_migrations`` table.

Opening checks both before anything is written, so a database of another
application is refused instead of having propcrm's tables added to it.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import attrs

from propcrm.errors import SHOWN_LENGTH, SchemaVersionError, StorageError, ValidationError, shown
from propcrm.storage._reporting import VIEWS

__all__ = [
    "APPLICATION_ID",
    "MEMORY",
    "MIGRATIONS",
    "Migration",
    "check_options",
    "checked_path",
    "connect",
    "create_private",
    "prepare",
]

MEMORY = ":memory:"
_LONGEST_WAIT = 2_147_483  # seconds: SQLite's busy timeout is a 32-bit count of milliseconds


@attrs.frozen
class Migration:
    """One named schema step: statements run in order, inside one transaction.

    Attributes:
        name: A unique name, recorded in the database once applied.
        statements: The SQL statements (DDL and data moves) of the step, in
            SQLite's dialect: the one source of the schema.
        postgres: The step's statements for PostgreSQL, only where they cannot
            be derived from ``statements`` (triggers, views, SQLite functions);
            ``None`` derives them (see :mod:`propcrm.storage.postgres`). Their
            ``CREATE TABLE`` statements get the same column mapping as derived
            ones, so a variant can repeat a step's SQLite table statements.
    """

    name: str
    statements: tuple[str, ...]
    postgres: tuple[str, ...] | None = None


_ANALYSIS_TABLES = (
    "CREATE TABLE work_order_steps (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " work_order_id TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL, at_us INTEGER NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX work_order_steps_by_order ON work_order_steps (work_order_id, id)",
    "CREATE TABLE problem_analyses (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " community TEXT NOT NULL, period TEXT NOT NULL, analysed_us INTEGER NOT NULL,"
    " body TEXT NOT NULL)",
    "CREATE INDEX problem_analyses_by_period ON problem_analyses (community, period)",
)
_AUDIT_TABLES = (
    "CREATE TABLE audit_trail (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " customer TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
    " at_us INTEGER NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX audit_trail_by_customer ON audit_trail (customer, at_us)",
    "CREATE INDEX audit_trail_by_actor ON audit_trail (actor, at_us)",
    "CREATE TABLE consents (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " customer TEXT NOT NULL, recipient TEXT NOT NULL, active INTEGER NOT NULL,"
    " given_us INTEGER NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX consents_by_customer ON consents (customer, active)",
)
# The trail is append-only, like the archive room's register: the database itself
# refuses to change or remove an entry, whoever connects to it.
_AUDIT_TRIGGERS = (
    "CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only:"
    " an entry is never changed'); END",
    "CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only:"
    " an entry is never removed'); END",
    # INSERT OR REPLACE removes the old row without firing the DELETE trigger (SQLite
    # fires it only with recursive_triggers on): refuse an insert over an entry's id.
    "CREATE TRIGGER audit_trail_no_replace BEFORE INSERT ON audit_trail"
    " WHEN EXISTS (SELECT 1 FROM audit_trail WHERE id = NEW.id)"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only:"
    " an entry is never replaced'); END",
)
_AUDIT_TRIGGERS_POSTGRES = (
    "CREATE FUNCTION propcrm_audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only: an entry is never %',"
    " CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'removed' END; END $$",
    "CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail"
    " FOR EACH ROW EXECUTE FUNCTION propcrm_audit_trail_append_only()",
    # TRUNCATE fires no row trigger: a statement trigger refuses it.
    "CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail"
    " FOR EACH STATEMENT EXECUTE FUNCTION propcrm_audit_trail_append_only()",
)

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
    Migration(
        "0008_desks",
        (
            "CREATE TABLE complaint_cases (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, state TEXT NOT NULL, owner TEXT NOT NULL,"
            " grade TEXT NOT NULL, received_us INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX complaint_cases_by_community"
            " ON complaint_cases (community, state, received_us)",
            "CREATE INDEX complaint_cases_by_state ON complaint_cases (state, received_us)",
            "CREATE TABLE case_events (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " complaint_id TEXT NOT NULL, kind TEXT NOT NULL, at_us INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
            "CREATE INDEX case_events_by_complaint ON case_events (complaint_id, id)",
            "CREATE TABLE grade_records (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " complaint_id TEXT NOT NULL, grade TEXT NOT NULL, fingerprint TEXT NOT NULL,"
            " at_us INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX grade_records_by_complaint ON grade_records (complaint_id, id)",
            "CREATE TABLE notifications (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " kind TEXT NOT NULL, community TEXT NOT NULL, pending INTEGER NOT NULL,"
            " created_us INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX notifications_pending ON notifications (pending, created_us)",
            "CREATE TABLE promised_replies (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, waiting INTEGER NOT NULL, due_us INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
            "CREATE INDEX promised_replies_waiting ON promised_replies (waiting, due_us)",
            "CREATE TABLE commands (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " name TEXT NOT NULL, at_us INTEGER NOT NULL, body TEXT NOT NULL)",
        ),
    ),
    Migration(
        "0009_work_order_desk",
        (
            "CREATE TABLE repair_slips (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, category TEXT NOT NULL, signed INTEGER NOT NULL,"
            " received_us INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX repair_slips_by_community ON repair_slips (community, received_us)",
            "CREATE TABLE allocator_states (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
        ),
    ),
    Migration(
        "0010_night_duty",
        (
            "CREATE TABLE night_entries (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, state TEXT NOT NULL, night_of TEXT NOT NULL,"
            " logged_us INTEGER NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX night_entries_by_community"
            " ON night_entries (community, state, logged_us)",
        ),
    ),
    Migration(
        "0011_vip_office",
        (
            "CREATE TABLE vip_archives (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " community TEXT NOT NULL, card TEXT NOT NULL, opened_us INTEGER NOT NULL,"
            " body TEXT NOT NULL)",
            "CREATE INDEX vip_archives_by_community ON vip_archives (community, opened_us)",
            "CREATE INDEX vip_archives_by_card ON vip_archives (card)",
        ),
    ),
    Migration(
        "0012_analysis_and_views",
        (*_ANALYSIS_TABLES, *(f"CREATE VIEW {name} AS {select}" for name, select in VIEWS.items())),
        # The reporting views are SQLite's (SqliteStore.reporting); on PostgreSQL the
        # tables come alone, and reports read the tables (or a read replica).
        postgres=_ANALYSIS_TABLES,
    ),
    Migration(
        "0013_audit_trail",
        (*_AUDIT_TABLES, *_AUDIT_TRIGGERS),
        postgres=(*_AUDIT_TABLES, *_AUDIT_TRIGGERS_POSTGRES),
    ),
)
"""Every schema step, oldest first. Append only: never edit a released step.

Stored entities omit attributes at their default (see ``_codec``): changing the
default of a stored attribute needs a step here that writes the old default
into the rows that lack it (``json_insert``) before the new code reads them.
"""

APPLICATION_ID = 0x5043524D
"""The ``PRAGMA application_id`` of every propcrm database: ``"PCRM"`` in ASCII (1346589261)."""

_BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS propcrm_migrations ("
    " position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at TEXT NOT NULL"
    ")"
)


class Database(Protocol):
    """What the checks need from the store: reads, writes and a transaction."""

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]: ...

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...

    def transaction(self) -> AbstractContextManager[None]: ...


def prepare(db: Database, where: str, *, new: bool, adopt: bool, read_only: bool) -> None:
    """Check that ``db`` is a propcrm database (or a new one), then bring its schema up to date.

    Args:
        db: The opened store.
        where: How to name the database in messages (its path).
        new: The file did not exist or was empty (zero bytes) before opening.
        adopt: Make an existing empty database a propcrm database.
        read_only: Check only; never migrate.

    Raises:
        SchemaVersionError: The database is another application's, was written
            by a newer propcrm, has a different schema history, is empty but not
            new (without ``adopt``), or needs migrating while ``read_only``.
    """
    found = _applied(db, where, new=new, adopt=adopt)
    if found == len(MIGRATIONS):
        _check_names(db, found)
        return
    if read_only:
        raise SchemaVersionError(
            f"{where} has schema version {found}, and this propcrm needs "
            f"{len(MIGRATIONS)}; a read-only store never migrates: open it once "
            "without read_only to bring it up to date",
            found=found,
            supported=len(MIGRATIONS),
        )
    with db.transaction():
        found = _applied(db, where, new=True, adopt=adopt)  # another process may have migrated
        db._execute(_BOOKKEEPING)
        _check_names(db, found)
        for position, migration in enumerate(MIGRATIONS[found:], start=found + 1):
            for statement in migration.statements:
                db._execute(statement)
            db._execute(
                "INSERT INTO propcrm_migrations (position, name, applied_at) "
                "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (position, migration.name),
            )
        db._execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        db._execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _applied(db: Database, where: str, *, new: bool, adopt: bool) -> int:
    """The number of migrations applied, after refusing a database that is not propcrm's."""
    application_id = int(db._query("PRAGMA application_id")[0][0])
    found = int(db._query("PRAGMA user_version")[0][0])
    if application_id == APPLICATION_ID:
        if found > len(MIGRATIONS):
            raise SchemaVersionError(
                f"{where} has schema version {found}, but this propcrm knows only up to "
                f"{len(MIGRATIONS)}: it was written by a newer propcrm; upgrade propcrm "
                "to open it",
                found=found,
                supported=len(MIGRATIONS),
            )
        return found
    tables = [name for (name,) in db._query(_TABLES)]
    if application_id or found or tables:
        raise SchemaVersionError(
            f"{where} is not a propcrm database (application_id {application_id}, "
            f"user_version {found}, {_listed(tables)}): propcrm never "
            "adds its tables to another application's database; open a new file, or "
            "copy your data into one",
            found=found,
            supported=len(MIGRATIONS),
        )
    if not (new or adopt):
        raise SchemaVersionError(
            f"{where} is an empty SQLite database that propcrm did not create; to make "
            "it a propcrm database pass adopt=True, or open a new file",
            found=found,
            supported=len(MIGRATIONS),
        )
    return 0


_TABLES = "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"


def _listed(tables: list[str]) -> str:
    """``"no tables"``, or how many and the first three names."""
    if not tables:
        return "no tables"
    shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
    return f"{len(tables)} table{'s' if len(tables) > 1 else ''}: {shown}"


def _check_names(db: Database, found: int) -> None:
    """The recorded history must be our first ``found`` migrations, in order."""
    expected = [m.name for m in MIGRATIONS[:found]]
    present = db._query(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'propcrm_migrations'"
    )[0][0]
    applied = list(_names(db)) if present else []
    if applied != expected:
        raise SchemaVersionError(
            f"the database's schema history {applied} does not match this propcrm's "
            f"{expected}; it was written by a different propcrm line or edited by hand",
            found=found,
            supported=len(MIGRATIONS),
        )


def _names(db: Database) -> Iterator[str]:
    for (name,) in db._query("SELECT name FROM propcrm_migrations ORDER BY position"):
        yield name


def checked_path(path: object) -> str:
    """The database path as text, or ``":memory:"``."""
    if not isinstance(path, str | os.PathLike):
        raise ValidationError(
            "path",
            f"path: expected a file path (str or os.PathLike) or ':memory:', got "
            f"{'None' if path is None else 'a ' + type(path).__name__}",
            path,
        )
    where = os.fspath(path)
    if not isinstance(where, str) or not where or "\0" in where or not _encodable(where):
        raise ValidationError(
            "path",
            "path: expected a non-empty text path without NUL characters or lone surrogates; "
            "give the database file's name, or ':memory:'",
            where,
        )
    return where


def _encodable(text: str) -> bool:
    """Whether ``text`` is valid Unicode (no lone surrogate), as a file name must be."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cannot_open(where: str, error: Exception) -> StorageError:
    """The error for a database that cannot be opened; a long path or message is cut."""
    reason = str(error)
    if len(reason) > SHOWN_LENGTH:
        reason = reason[: SHOWN_LENGTH - 3] + "..."
    return StorageError(f"cannot open the database {shown(where)}: {reason}")


def check_options(
    timeout: object, *, durable: object, trace: object, read_only: object, adopt: object
) -> None:
    if (
        not isinstance(timeout, int | float)
        or isinstance(timeout, bool)
        or not math.isfinite(timeout)
        or not 0 <= timeout <= _LONGEST_WAIT
    ):
        raise ValidationError(
            "timeout",
            f"timeout: expected a number of seconds from 0 to {_LONGEST_WAIT:,}, "
            f"got {shown(timeout)}",
            timeout,
        )
    for name, flag in (("durable", durable), ("read_only", read_only), ("adopt", adopt)):
        if not isinstance(flag, bool):
            raise ValidationError(
                name, f"{name}: expected True or False, got a {type(flag).__name__}", flag
            )
    if trace is not None and not callable(trace):
        raise ValidationError(
            "trace",
            f"trace: expected a callable taking the SQL text, or None, got a "
            f"{type(trace).__name__}; e.g. trace=logger.debug",
            trace,
        )


def create_private(where: str) -> bool:
    """Create ``where`` empty with mode 0600 if it is missing; return whether it is new.

    A file that exists but holds nothing (zero bytes) is new as well.
    """
    try:
        descriptor = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            return Path(where).stat().st_size == 0
        except OSError as e:
            raise _cannot_open(where, e) from e
    except OSError as e:
        raise _cannot_open(where, e) from e
    os.close(descriptor)
    return True


def connect(where: str, timeout: float, *, read_only: bool) -> sqlite3.Connection:
    target = f"{Path(where).absolute().as_uri()}?mode=ro" if read_only else where
    try:
        return sqlite3.connect(
            target,
            timeout=timeout,
            isolation_level=None,
            cached_statements=256,
            uri=read_only,
        )
    except (sqlite3.Error, UnicodeEncodeError) as e:
        raise _cannot_open(where, e) from e
