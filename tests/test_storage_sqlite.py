"""SqliteStore: the contract suite on a file and in memory, plus what only SQLite promises."""

import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest

from propcrm.customers import Customer
from propcrm.errors import SchemaVersionError, StorageError, ValidationError
from propcrm.storage._office_tables import TABLES
from propcrm.storage.sqlite import MIGRATIONS, SqliteStore
from propcrm.testing.contract import StoreContract


class TestSqliteStoreInMemory(StoreContract):
    def make_store(self, directory: Path) -> SqliteStore:
        return SqliteStore(":memory:")


class TestSqliteStoreOnFile(StoreContract):
    def make_store(self, directory: Path) -> SqliteStore:
        return SqliteStore(directory / "crm.db")


def _pragma(store: SqliteStore, name: str) -> Any:
    return store._execute(f"PRAGMA {name}").fetchone()[0]


def test_files_use_write_ahead_logging(tmp_path: Path) -> None:
    """File databases run in WAL mode so readers never block the writer."""
    with SqliteStore(tmp_path / "crm.db") as store:
        assert _pragma(store, "journal_mode") == "wal"


def test_foreign_keys_are_enforced() -> None:
    """Foreign-key constraints are switched on for every connection."""
    with SqliteStore() as store:
        assert _pragma(store, "foreign_keys") == 1


def test_commits_are_durable_by_default() -> None:
    """synchronous=FULL unless durability is traded away explicitly."""
    with SqliteStore() as durable, SqliteStore(durable=False) as fast:
        assert (_pragma(durable, "synchronous"), _pragma(fast, "synchronous")) == (2, 1)


def test_the_busy_timeout_is_set_from_the_argument() -> None:
    """Waiting for another writer's lock is bounded by ``timeout``."""
    with SqliteStore(timeout=2.5) as store:
        assert _pragma(store, "busy_timeout") == 2500


def test_migrations_are_recorded_in_order(tmp_path: Path) -> None:
    """Each applied step is recorded by name, and user_version counts them."""
    with SqliteStore(tmp_path / "crm.db") as store:
        assert [m.name for m in MIGRATIONS] == store.applied_migrations()
        assert len(MIGRATIONS) == store.schema_version()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    """A second open finds the schema current and leaves the history alone."""
    SqliteStore(tmp_path / "crm.db").close()
    with SqliteStore(tmp_path / "crm.db") as store:
        assert [m.name for m in MIGRATIONS] == store.applied_migrations()


def test_a_database_from_a_newer_propcrm_is_refused(tmp_path: Path) -> None:
    """A schema version beyond ours is an error that says to upgrade."""
    path = tmp_path / "crm.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(SchemaVersionError, match="newer propcrm; upgrade") as caught:
        SqliteStore(path)
    assert (len(MIGRATIONS) + 1, len(MIGRATIONS)) == (caught.value.found, caught.value.supported)


def test_a_foreign_schema_history_is_refused(tmp_path: Path) -> None:
    """Migrations recorded under other names mean another propcrm line wrote the file."""
    path = tmp_path / "crm.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE propcrm_migrations SET name = 'elsewhere' WHERE position = 1")
    with pytest.raises(SchemaVersionError, match="does not match"):
        SqliteStore(path)


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    """Opening garbage fails with StorageError, the driver's error as its cause."""
    path = tmp_path / "crm.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError) as caught:
        SqliteStore(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_an_unreachable_path_is_a_storage_error(tmp_path: Path) -> None:
    """A file in a missing directory cannot be opened."""
    with pytest.raises(StorageError, match="cannot open"):
        SqliteStore(tmp_path / "missing" / "crm.db")


def test_a_closed_store_raises_storage_error() -> None:
    """Using a closed store is a StorageError, not a driver exception."""
    store = SqliteStore()
    store.close()
    with pytest.raises(StorageError):
        store.schema_version()


def test_a_held_write_lock_times_out_as_storage_error(tmp_path: Path) -> None:
    """When another connection keeps the write lock, the wait ends in StorageError."""
    path = tmp_path / "crm.db"
    with (
        SqliteStore(path) as holder,
        SqliteStore(path, timeout=0.05) as waiter,
        holder.transaction(),
        pytest.raises(StorageError, match="locked"),
    ):
        waiter.transaction().__enter__()


def test_the_tracer_sees_every_statement() -> None:
    """``trace`` receives the SQL run, for debugging."""
    seen: list[str] = []
    with SqliteStore(trace=seen.append) as store:
        store.schema_version()
    assert "PRAGMA user_version" in seen


def test_the_tracer_never_sees_personal_data() -> None:
    """``trace`` gets the statements with placeholders, never a bound value (RULES §8)."""
    seen: list[str] = []
    customer = Customer(
        "c-1", "王芳", phone="13812345678", id_number="110101199001011234", address="建国路88号"
    )
    with SqliteStore(trace=seen.append) as store:
        store.customers.add(customer)
        store.customers.add_all([attrs.evolve(customer, id="c-2")])
        store.customers.get("c-1")
    statements = "\n".join(seen)
    personal = ("13812345678", "110101199001011234", "建国路88号")
    leaked = [value for value in personal if value in statements]
    assert leaked == []
    assert "INSERT INTO customers" in statements
    assert "SELECT version, body FROM customers WHERE id = ?" in seen


def test_integrity_check_of_a_fresh_database_is_ok(tmp_path: Path) -> None:
    """integrity_check reports ``ok`` for a sound file."""
    with SqliteStore(tmp_path / "crm.db") as store:
        assert store.integrity_check() == "ok"


def test_a_failed_commit_rolls_back_and_raises_storage_error() -> None:
    """If COMMIT itself fails, the transaction is rolled back and the error translated."""
    store = SqliteStore()
    real = store._connection

    class FailingCommit:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
            if sql == "COMMIT":
                raise sqlite3.OperationalError("disk I/O error")
            return real.execute(sql, params)

    store._connection = FailingCommit()  # type: ignore[assignment]
    with pytest.raises(StorageError, match="disk I/O error"), store.transaction():
        store._next_in_sequence("a")
    store._connection = real
    assert (real.in_transaction, store._next_in_sequence("a")) == (False, 1)
    store.close()


def test_the_schema_has_every_declared_query_column() -> None:
    """The migrations create each table with id, version, its query columns and body."""
    with SqliteStore() as store:
        for table in TABLES:
            info = store._execute(f"PRAGMA table_info({table.name})").fetchall()
            expected = ["id", "version", *(c.name for c in table.columns), "body"]
            assert [row[1] for row in info] == expected


@pytest.mark.parametrize("value", ["\ud800", 2**63])
def test_a_value_the_driver_cannot_bind_is_a_validation_error(value: object) -> None:
    """Text with no UTF-8 form or an integer beyond 64 bits never escapes as a driver error."""
    with SqliteStore() as store:
        with pytest.raises(ValidationError, match="value"):
            store._execute("SELECT ?", (value,))
        with pytest.raises(ValidationError, match="value"):
            store._executemany("INSERT INTO sequences (name, value) VALUES ('x', ?)", [(value,)])
