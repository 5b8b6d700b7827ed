"""PostgresStore: the contract suite on a throwaway server, plus what only PostgreSQL promises."""

from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg_pool import ConnectionPool

from propcrm.customers import Customer
from propcrm.errors import (
    ConflictError,
    NotFoundError,
    SchemaVersionError,
    StorageError,
    ValidationError,
)
from propcrm.storage import _postgres_schema
from propcrm.storage._postgres_schema import postgres_statements, translated
from propcrm.storage._postgres_wire import escaped, restored, translated_error
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import MIGRATIONS, Migration
from propcrm.testing.contract import StoreContract
from propcrm.vip import VipLevel

OWNER = Customer("C-1", "张三", household_id="H-1")


class TestPostgresStore(StoreContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_db: str) -> None:
        self.conninfo = postgres_db

    def make_store(self, directory: Path) -> PostgresStore:
        return PostgresStore(self.conninfo)


def _raw(conninfo: str, sql: str) -> list[Any]:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else []


def test_migrations_are_recorded_in_order(postgres_db: str) -> None:
    """Each applied step is recorded by name, and the version counts them."""
    with PostgresStore(postgres_db) as store:
        assert [m.name for m in MIGRATIONS] == store.applied_migrations()
        assert len(MIGRATIONS) == store.schema_version()


def test_a_new_database_is_migrated_once(postgres_cluster: Any) -> None:
    """Opening a new database twice creates the schema once and records each step once."""
    conninfo = postgres_cluster.new_database()
    PostgresStore(conninfo).close()
    with PostgresStore(conninfo) as store:
        assert [m.name for m in MIGRATIONS] == store.applied_migrations()


def test_a_database_from_a_newer_propcrm_is_refused(postgres_cluster: Any) -> None:
    """A history longer than ours is an error that says to upgrade."""
    conninfo = postgres_cluster.new_database()
    PostgresStore(conninfo).close()
    _raw(conninfo, f"INSERT INTO propcrm_migrations VALUES ({len(MIGRATIONS) + 1}, 'later')")
    with pytest.raises(SchemaVersionError, match="newer propcrm; upgrade") as caught:
        PostgresStore(conninfo)
    assert (len(MIGRATIONS) + 1, len(MIGRATIONS)) == (caught.value.found, caught.value.supported)


def test_a_foreign_schema_history_is_refused(postgres_cluster: Any) -> None:
    """Steps recorded under other names mean another propcrm line wrote the database."""
    conninfo = postgres_cluster.new_database()
    PostgresStore(conninfo).close()
    _raw(conninfo, "UPDATE propcrm_migrations SET name = 'elsewhere' WHERE position = 1")
    with pytest.raises(SchemaVersionError, match="does not match"):
        PostgresStore(conninfo)


def test_tables_of_propcrm_names_without_history_are_refused(postgres_cluster: Any) -> None:
    """Another application's ``customers`` table is never taken over."""
    conninfo = postgres_cluster.new_database()
    _raw(conninfo, "CREATE TABLE customers (name text)")
    with pytest.raises(SchemaVersionError, match=r"tables named as propcrm's \(customers\)"):
        PostgresStore(conninfo)


def test_a_failing_step_leaves_the_schema_as_it_was(
    postgres_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DDL is transactional: a step that fails undoes the steps applied with it."""
    conninfo = postgres_cluster.new_database()
    broken = (*MIGRATIONS[:2], Migration("0003_broken", ("CREATE TABLE sequences (x TEXT)",)))
    monkeypatch.setattr(_postgres_schema, "MIGRATIONS", broken)
    with pytest.raises(StorageError, match="already exists"):
        PostgresStore(conninfo)
    assert _raw(conninfo, "SELECT to_regclass('customers'), to_regclass('propcrm_migrations')") == [
        (None, None)
    ]


def test_sqlite_columns_are_translated_for_postgresql() -> None:
    """INTEGER holds 64 bits (BIGINT); a text column compares byte by byte (COLLATE "C")."""
    sql = "CREATE TABLE t (id TEXT PRIMARY KEY, at_us INTEGER NOT NULL, body TEXT NOT NULL)"
    assert translated(sql) == (
        'CREATE TABLE t (id TEXT COLLATE "C" PRIMARY KEY, at_us BIGINT NOT NULL,'
        ' body TEXT COLLATE "C" NOT NULL)'
    )


def test_an_index_is_run_as_written() -> None:
    """An index names columns only: nothing to translate."""
    sql = "CREATE INDEX t_by_at ON t (at_us, id)"
    assert translated(sql) == sql


def test_a_trigger_without_a_postgres_variant_is_refused() -> None:
    """A SQLite trigger has no derived form: the error names the step and the fix."""
    step = Migration(
        "0099_kept",
        ("CREATE TRIGGER kept BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no'); END",),
    )
    with pytest.raises(StorageError, match=r"0099_kept \(statement 1\).*postgres=\(\.\.\.\)"):
        postgres_statements(step)


def test_a_view_without_a_postgres_variant_is_refused() -> None:
    """SQLite's JSON functions in a view cannot be derived either."""
    step = Migration("0099_view", ("CREATE VIEW v AS SELECT json_extract(body, '$.a') FROM t",))
    with pytest.raises(StorageError, match="CREATE VIEW"):
        postgres_statements(step)


def test_a_postgres_variant_replaces_the_derived_statements() -> None:
    """When a step gives its PostgreSQL statements, those run, as written."""
    step = Migration("0099_view", ("CREATE VIEW v AS SELECT 1",), postgres=("SELECT 2",))
    assert postgres_statements(step) == ("SELECT 2",)


def test_every_migration_has_a_postgresql_form() -> None:
    """Every step of the schema is derived or carries its variant (none is refused)."""
    assert all(postgres_statements(migration) for migration in MIGRATIONS)


@given(st.text(), st.text())
def test_escaped_text_keeps_its_order(first: str, second: str) -> None:
    """Escaping NUL keeps texts distinct and in code-point order (byte order under "C")."""
    a, b = (
        escaped(first).encode("utf-8", "surrogatepass"),
        escaped(second).encode("utf-8", "surrogatepass"),
    )
    assert (a < b, a == b) == (first < second, first == second)
    assert restored(escaped(first)) == first


def test_text_with_nul_is_stored_and_matched(postgres_db: str) -> None:
    """An id and a query column holding NUL and \\x01 are found again, exactly."""
    with PostgresStore(postgres_db) as store:
        store.customers.add(attrs.evolve(OWNER, id="a\x00\x01b", household_id="h\x00"))
        assert [c.id for c in store.customers.in_household("h\x00")] == ["a\x00\x01b"]
        assert store.customers.in_household("h") == []


def test_a_rolled_back_card_number_leaves_no_gap(postgres_db: str) -> None:
    """A number drawn in a transaction that rolls back is drawn again next."""
    with PostgresStore(postgres_db) as store:
        assert store.card_numbers.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL) == 1
        drawn: list[int] = []
        with pytest.raises(RuntimeError, match="abandoned"):
            _draw_then_abandon(store, drawn)
        assert drawn == [2]
        assert store.card_numbers.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL) == 2


def _draw_then_abandon(store: PostgresStore, drawn: list[int]) -> None:
    with store.transaction():
        drawn.append(store.card_numbers.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL))
        raise RuntimeError("issue abandoned")


def test_a_failed_write_does_not_end_the_transaction(postgres_db: str) -> None:
    """After a duplicate add inside a transaction, the transaction goes on and commits."""
    with PostgresStore(postgres_db) as store:
        store.customers.add(OWNER)
        with store.transaction():
            with pytest.raises(ConflictError, match="already exists"):
                store.customers.add(OWNER)
            store.customers.add(attrs.evolve(OWNER, id="C-2"))
        assert len(store.customers) == 2


def test_a_given_pool_is_used_and_left_open(postgres_db: str) -> None:
    """A store on your pool works, and closing the store leaves the pool to you."""
    with ConnectionPool(postgres_db, min_size=1, max_size=2, open=True) as pool:
        store = PostgresStore(pool=pool)
        store.customers.add(OWNER)
        store.close()
        with pool.connection() as connection:
            assert connection.execute("SELECT count(*) FROM customers").fetchone() == (1,)


def test_conninfo_or_pool_exactly_one() -> None:
    """Neither, or both, is refused naming conninfo."""
    with pytest.raises(ValidationError, match="not both and not neither") as caught:
        PostgresStore()
    assert caught.value.field == "conninfo"


def test_a_malformed_connection_string_is_a_validation_error() -> None:
    """A string libpq cannot parse is refused before connecting."""
    with pytest.raises(ValidationError) as caught:
        PostgresStore("host")
    assert caught.value.field == "conninfo"


@pytest.mark.parametrize(("name", "value"), [("max_size", 0), ("timeout", float("nan"))])
def test_pool_settings_out_of_range_are_refused(name: str, value: object) -> None:
    """A pool of no connections, or a wait of no length, is refused naming it."""
    with pytest.raises(ValidationError) as caught:
        PostgresStore("dbname=crm", **{name: value})
    assert caught.value.field == name


def test_an_unreachable_server_is_a_storage_error(tmp_path: Path) -> None:
    """No server at the socket: StorageError naming the database, the driver's error kept."""
    with pytest.raises(StorageError, match="cannot connect to database 'crm'") as caught:
        PostgresStore(f"host={tmp_path} dbname=crm connect_timeout=2")
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)


def test_a_closed_store_raises_storage_error(postgres_db: str) -> None:
    """Using a store after close is a StorageError, not a driver exception."""
    store = PostgresStore(postgres_db, timeout=1)
    store.close()
    with pytest.raises(StorageError, match="no connection"):
        store.schema_version()


def test_trace_sees_placeholders_never_values(postgres_db: str) -> None:
    """The traced text of a get holds '?', not the id."""
    seen: list[str] = []
    with PostgresStore(postgres_db, trace=seen.append) as store, pytest.raises(NotFoundError):
        store.customers.get("secret-id")
    assert "SELECT version, body FROM customers WHERE id = ?" in seen
    assert not any("secret-id" in sql for sql in seen)


@pytest.mark.parametrize(
    "error", [psycopg.errors.SerializationFailure("x"), psycopg.errors.DeadlockDetected("x")]
)
def test_a_collision_between_transactions_is_a_conflict(error: Exception) -> None:
    """A serialization failure or a deadlock tells the caller to retry."""
    assert isinstance(translated_error(error, "UPDATE x"), ConflictError)


def test_an_integer_beyond_64_bits_is_a_validation_error(postgres_db: str) -> None:
    """A number PostgreSQL's BIGINT cannot hold is refused as a value, not a server failure."""
    with PostgresStore(postgres_db) as store, pytest.raises(ValidationError) as caught:
        store._execute("INSERT INTO sequences (name, value) VALUES (?, ?)", ("x", 2**63))
    assert caught.value.field == "value"
