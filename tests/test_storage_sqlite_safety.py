"""SqliteStore on hostile ground: foreign and damaged files, read-only opening, private files."""

import hashlib
import os
import sqlite3
import stat
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind
from propcrm.complaints import Complaint
from propcrm.errors import SchemaVersionError, StorageError, ValidationError
from propcrm.storage.sqlite import APPLICATION_ID, MIGRATIONS, SqliteStore
from propcrm.vip import VipLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 10, 9, 8, 30, tzinfo=SHANGHAI)
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _complaint(n: int) -> Complaint:
    return Complaint(
        f"C-{n}",
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=("c-1",),
        received_at=T0 + timedelta(minutes=n),
        first_receiver_id="desk " * 40,
    )


def _raw(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


# --- whose database ----------------------------------------------------------------------


def test_a_new_database_carries_propcrm_s_application_id(tmp_path: Path) -> None:
    """The header of a database propcrm creates says PCRM (0x5043524D)."""
    SqliteStore(tmp_path / "crm.db").close()
    connection = sqlite3.connect(tmp_path / "crm.db")
    found = connection.execute("PRAGMA application_id").fetchone()[0]
    connection.close()
    assert (found, APPLICATION_ID) == (1346589261, 0x5043524D)


def test_a_foreign_database_without_a_version_is_refused_untouched(tmp_path: Path) -> None:
    """user_version 0 with another application's tables: refused, naming the file, unchanged."""
    path = tmp_path / "other.db"
    _raw(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    before = _fingerprint(path)
    with pytest.raises(SchemaVersionError, match="not a propcrm database") as caught:
        SqliteStore(path)
    assert str(path) in str(caught.value)
    assert "1 table: accounts" in str(caught.value)
    assert "open a new file" in str(caught.value)
    assert _fingerprint(path) == before


def test_a_foreign_database_at_version_3_is_refused_untouched(tmp_path: Path) -> None:
    """user_version 3 without propcrm's application id gets no migrations 4-7."""
    path = tmp_path / "other.db"
    _raw(path, "CREATE TABLE ledger (id INTEGER)", "PRAGMA user_version = 3")
    before = _fingerprint(path)
    with pytest.raises(SchemaVersionError, match="user_version 3") as caught:
        SqliteStore(path)
    assert (caught.value.found, caught.value.supported) == (3, len(MIGRATIONS))
    assert _fingerprint(path) == before


def test_a_database_with_another_application_id_is_refused(tmp_path: Path) -> None:
    """Another application's id is refused even when the file holds no tables."""
    path = tmp_path / "other.db"
    _raw(path, "PRAGMA application_id = 42")
    with pytest.raises(SchemaVersionError, match="application_id 42"):
        SqliteStore(path, adopt=True)


def test_an_empty_database_propcrm_did_not_create_needs_adopt(tmp_path: Path) -> None:
    """A SQLite file with no tables is refused with a pointer to adopt=True."""
    path = tmp_path / "empty.db"
    _raw(path, "CREATE TABLE t (x)", "DROP TABLE t")
    with pytest.raises(SchemaVersionError, match="adopt=True"):
        SqliteStore(path)


def test_adopt_makes_an_empty_database_propcrm_s(tmp_path: Path) -> None:
    """With adopt=True an empty database gets the schema and opens normally afterwards."""
    path = tmp_path / "empty.db"
    _raw(path, "CREATE TABLE t (x)", "DROP TABLE t")
    SqliteStore(path, adopt=True).close()
    with SqliteStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)


def test_adopt_never_takes_a_database_with_tables(tmp_path: Path) -> None:
    """adopt=True is for empty databases only."""
    path = tmp_path / "other.db"
    _raw(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaVersionError, match="not a propcrm database"):
        SqliteStore(path, adopt=True)


def test_a_zero_byte_file_becomes_a_new_database(tmp_path: Path) -> None:
    """An empty file (as a temporary-file helper leaves) holds nothing to protect."""
    path = tmp_path / "crm.db"
    path.touch()
    with SqliteStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)


def test_a_propcrm_database_with_its_history_removed_is_refused(tmp_path: Path) -> None:
    """Our application id with a version but no recorded history is a broken file."""
    path = tmp_path / "crm.db"
    SqliteStore(path).close()
    _raw(path, "DROP TABLE propcrm_migrations")
    with pytest.raises(SchemaVersionError, match="does not match"):
        SqliteStore(path)


def test_a_crafted_row_cannot_make_a_read_import_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored fact tagged propcrm.__main__ makes get() raise StorageError, importing nothing."""
    monkeypatch.delitem(sys.modules, "propcrm.__main__", raising=False)
    path = tmp_path / "crm.db"
    task = CallbackTask(
        "t-1",
        subject=Subject(SubjectKind.WORK_ORDER, "wo-1"),
        kind=CallbackKind.PHONE,
        customer_id="c-1",
        owner_role="customer_supervisor",
        earliest=T0,
        due=T0 + timedelta(days=1),
    )
    with SqliteStore(path) as store:
        store.callback_tasks.add(task)
    crafted = (
        '{"rule":"r","message":"m","facts":{"f":{"$type":"propcrm.__main__:main","value":{}}}}'
    )
    _raw(path, f"UPDATE callback_tasks SET body = json_set(body, '$.reasons', json('[{crafted}]'))")
    with SqliteStore(path) as store, pytest.raises(StorageError, match="names no type"):
        store.callback_tasks.get("t-1")
    assert "propcrm.__main__" not in sys.modules


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ("json_remove(body, '$.complainant_ids')", "complainant_ids"),
        ("json_set(body, '$.complainant_ids', json('[1]'))", "not a list of strings"),
        ("json_set(body, '$.channel', 7)", "channel is 7"),
        ("'{not json'", "Expecting property name"),
    ],
)
def test_complainants_any_names_a_complaint_edited_by_hand(
    tmp_path: Path, edit: str, why: str
) -> None:
    """A stored complaint whose text lost or garbled its complainants is a StorageError."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        store.complaints.add(_complaint(1))
    _raw(path, f"UPDATE complaints SET body = {edit}")
    with SqliteStore(path) as store, pytest.raises(StorageError, match=why):
        store.complaints.complainants_any([{"subject": "pump room"}])


# --- damaged files ---------------------------------------------------------------------------


@pytest.fixture
def garbled(tmp_path: Path) -> Path:
    """A database of 200 complaints whose complaints table root page is overwritten."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        store.complaints.add_all(_complaint(n) for n in range(200))
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_schema WHERE name = 'complaints'"
    ).fetchone()
    connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
    return path


def test_integrity_check_of_a_garbled_page_is_a_storage_error(garbled: Path) -> None:
    """The damage reaches the caller as StorageError, the driver's error as its cause."""
    with SqliteStore(garbled) as store, pytest.raises(StorageError) as caught:
        store.integrity_check()
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_a_window_query_over_a_garbled_page_is_a_storage_error(garbled: Path) -> None:
    """Rows read while iterating are inside the error translation too."""
    with SqliteStore(garbled) as store, pytest.raises(StorageError, match="malformed"):
        store.complaints.in_window(
            "东区", "noise", "pump room", start=T0, end=T0 + timedelta(days=1)
        )


def test_a_get_over_a_garbled_page_is_a_storage_error(garbled: Path) -> None:
    """Reading one row through the damaged page is a StorageError too."""
    with SqliteStore(garbled) as store, pytest.raises(StorageError, match="malformed"):
        store.complaints.get("C-5")


# --- read-only ------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A closed propcrm database with two complaints."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        store.complaints.add_all([_complaint(1), _complaint(2)])
    return path


def test_read_only_reads_and_leaves_the_file_as_it_was(database: Path) -> None:
    """Reading through read_only=True changes neither the bytes nor the mtime."""
    before = _fingerprint(database)
    with SqliteStore(database, read_only=True) as store:
        assert (store.read_only, len(store.complaints), store.complaints.get("C-2").id) == (
            True,
            2,
            "C-2",
        )
    assert _fingerprint(database) == before


@POSIX
def test_read_only_opens_a_file_marked_read_only(database: Path) -> None:
    """A chmod 0444 file opens for reading; its bytes stay the same."""
    database.chmod(0o444)
    before = _fingerprint(database)
    with SqliteStore(database, read_only=True) as store:
        assert [c.id for c in store.complaints.open_due_before(T0, within=-timedelta(days=1))] == [
            "C-1",
            "C-2",
        ]
    assert _fingerprint(database) == before


def test_a_write_through_a_read_only_store_is_refused(database: Path) -> None:
    """add, card numbers and transactions say the store is read-only."""
    with SqliteStore(database, read_only=True) as store:
        with pytest.raises(StorageError, match=r"read-only \(read_only=True\)"):
            store.complaints.add(_complaint(3))
        with pytest.raises(StorageError, match="read-only"):
            store.card_numbers.allocate("JK", VipLevel.OTHER)
        with pytest.raises(StorageError, match="read-only"), store.transaction():
            pass
    with SqliteStore(database) as store:
        assert len(store.complaints) == 2


def test_read_only_never_migrates(database: Path) -> None:
    """A database behind the current schema is refused instead of being migrated."""
    _raw(database, "PRAGMA user_version = 6", "DELETE FROM propcrm_migrations WHERE position = 7")
    before = _fingerprint(database)
    with pytest.raises(SchemaVersionError, match="open it once without read_only"):
        SqliteStore(database, read_only=True)
    assert _fingerprint(database) == before


def test_read_only_does_not_create_a_missing_file(tmp_path: Path) -> None:
    """A missing file stays missing: StorageError, nothing created."""
    with pytest.raises(StorageError, match="cannot open"):
        SqliteStore(tmp_path / "missing.db", read_only=True)
    assert not (tmp_path / "missing.db").exists()


def test_read_only_refuses_an_empty_file(tmp_path: Path) -> None:
    """A zero-byte file has nothing to read and is not a propcrm database."""
    (tmp_path / "crm.db").touch()
    with pytest.raises(SchemaVersionError, match="adopt=True"):
        SqliteStore(tmp_path / "crm.db", read_only=True)


def test_read_only_in_memory_is_refused() -> None:
    """An in-memory database is always empty: read_only names the mistake."""
    with pytest.raises(ValidationError, match="^read_only: an in-memory database"):
        SqliteStore(":memory:", read_only=True)


# --- private files -------------------------------------------------------------------------


@POSIX
def test_a_new_database_file_is_private_to_its_owner(tmp_path: Path) -> None:
    """Created files are mode 0600, the write-ahead log too."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        store.complaints.add(_complaint(1))
        wal = Path(f"{path}-wal")
        modes = (stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(wal.stat().st_mode))
    assert modes == (0o600, 0o600)


@POSIX
def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    """propcrm does not change the mode of a file it did not create."""
    path = tmp_path / "crm.db"
    path.touch()
    path.chmod(0o640)
    SqliteStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# --- arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [None, 3, b"crm.db", ""])
def test_a_path_that_is_no_path_is_refused(path: object) -> None:
    """None, numbers, bytes and empty text are not database paths."""
    with pytest.raises(ValidationError, match="^path: expected"):
        SqliteStore(path)  # type: ignore[arg-type]


def test_a_path_with_nul_is_refused(tmp_path: Path) -> None:
    """A NUL character cannot be part of a file name."""
    with pytest.raises(ValidationError, match="^path: .*NUL"):
        SqliteStore(f"{tmp_path}/crm\0.db")


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), -1, 2_147_484, True, "5", None])
def test_a_timeout_that_is_no_number_of_seconds_is_refused(timeout: object) -> None:
    """NaN, infinity, negatives, beyond 32-bit milliseconds, bools and text are refused."""
    with pytest.raises(ValidationError, match="^timeout: expected a number of seconds"):
        SqliteStore(timeout=timeout)  # type: ignore[arg-type]


def test_the_longest_timeout_is_accepted() -> None:
    """2,147,483 seconds is the most SQLite's millisecond counter holds."""
    with SqliteStore(timeout=2_147_483) as store:
        assert store._query("PRAGMA busy_timeout")[0][0] == 2_147_483_000


@pytest.mark.parametrize("name", ["durable", "read_only", "adopt"])
def test_flags_must_be_booleans(name: str) -> None:
    """A flag given as text ("False") would read as true: it is refused."""
    with pytest.raises(ValidationError, match=f"^{name}: expected True or False"):
        SqliteStore(**{name: "False"})  # type: ignore[arg-type]


def test_trace_must_be_callable() -> None:
    """trace= takes a function such as logger.debug."""
    with pytest.raises(ValidationError, match="^trace: expected a callable"):
        SqliteStore(trace="debug")  # type: ignore[arg-type]


def test_the_oldest_sqlite_accepted_is_3_35_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite 3.35.0 brought RETURNING: it is accepted."""
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 35, 0))
    with SqliteStore() as store:
        assert store.schema_version() == len(MIGRATIONS)


def test_the_sqlite_just_before_3_35_0_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite 3.34.1, the last release without RETURNING, is refused."""
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    with pytest.raises(StorageError, match="needs SQLite >= 3.35"):
        SqliteStore()


def test_nothing_is_created_when_the_arguments_are_wrong(tmp_path: Path) -> None:
    """Arguments are checked before the file is touched."""
    with pytest.raises(ValidationError):
        SqliteStore(tmp_path / "crm.db", timeout=float("nan"))
    assert os.listdir(tmp_path) == []
