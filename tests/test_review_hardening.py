"""Review of the hardening work: hostile values the boundary test does not try, stored data
that is not ours or not sound, read-only opening, and personal data leaving the process.

Confirmed defects are marked ``xfail(strict=True)`` with the reason; the rest are checks
that held.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest

import propcrm
from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind
from propcrm.errors import PropcrmError, SchemaVersionError, StorageError, ValidationError
from propcrm.privacy import PersonalData, PersonalKind, WithheldError
from propcrm.storage import Store
from propcrm.storage.sqlite import SqliteStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 10, 9, 8, 30, tzinfo=SHANGHAI)


def _deep(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each adapter."""
    if request.param == "memory":
        yield propcrm.MemoryStore()
    else:
        with SqliteStore(tmp_path / "crm.db") as opened:
            yield opened


# --- the boundary test's reach ----------------------------------------------------------------


def test_the_hostile_input_test_reaches_repository_methods() -> None:
    """The enumerated entry points include the methods of the stores' repositories."""
    import test_hostile_inputs

    names = {name for name, _ in test_hostile_inputs.ENTRY_POINTS}
    assert any(name.endswith("ComplaintRepository.list") for name in names)


@pytest.mark.parametrize("order_by", [[], {}, {"received"}])
def test_listing_by_an_unhashable_order_is_a_validation_error(
    store: Store, order_by: object
) -> None:
    """store.complaints.list(order_by=[]) names order_by instead of raising TypeError."""
    with pytest.raises(ValidationError, match="order_by"):
        store.complaints.list(order_by=order_by)  # type: ignore[arg-type]


def test_work_orders_in_a_deeply_nested_state_is_a_validation_error(
    store: Store,
) -> None:
    """A 100,000-deep list as the state is refused with a short ValidationError."""
    with pytest.raises(ValidationError, match="state"):
        store.work_orders.in_state(_deep(100_000))  # type: ignore[arg-type]


class _Float(float):
    """A float subclass."""


class _Moment(datetime):
    """A datetime subclass."""


@pytest.mark.parametrize(
    "call",
    [
        lambda: propcrm.nps([_Float(9.0), Decimal(10)]),  # type: ignore[list-item]
        lambda: propcrm.csat([Decimal(4), _Float(5.0)]),  # type: ignore[list-item]
        lambda: propcrm.parse_duration(_Float(1.5)),  # type: ignore[arg-type]
        lambda: propcrm.classify_tier(propcrm.TierFacts(), on=_Moment(2025, 1, 1)),
        lambda: propcrm.BusinessCalendar.always_open(tz="UTC").add(
            _Moment(9999, 12, 31, 23, tzinfo=UTC), timedelta(hours=2)
        ),
    ],
    ids=["nps", "csat", "parse_duration", "classify_tier", "calendar add near the end"],
)
def test_odd_number_and_time_subclasses_give_a_result_or_a_propcrm_error(
    call: Callable[[], object],
) -> None:
    """float/Decimal/datetime subclasses never leak a raw Python exception."""
    with contextlib.suppress(PropcrmError):
        call()


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (propcrm.Policy.from_toml, "tz = " + "9" * 5000),
        (propcrm.Policy.from_json, '{"tz": ' + "9" * 5000 + "}"),
    ],
    ids=["toml", "json"],
)
def test_a_policy_with_a_5000_digit_number_is_a_policy_error(
    parse: Callable[[str], propcrm.Policy], text: str
) -> None:
    """Python's 4,300-digit limit on int() surfaces as a PolicyError, not ValueError."""
    with pytest.raises(propcrm.PolicyError, match="malformed"):
        parse(text)


# --- stored data ------------------------------------------------------------------------------


def _stored_task(path: Path) -> str:
    """Store one callback task; return its stored body."""
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
    connection = sqlite3.connect(path)
    (body,) = connection.execute("SELECT body FROM callback_tasks").fetchone()
    connection.close()
    return str(body)


def _with_fact(path: Path, body: str, fact: str) -> None:
    """Rewrite the stored task with one reason holding ``fact`` (raw JSON text)."""
    data = json.loads(body)
    data["reasons"] = [{"rule": "r", "message": "m", "facts": {"f": None}}]
    text = json.dumps(data).replace('"f": null', f'"f": {fact}')
    connection = sqlite3.connect(path)
    connection.execute("UPDATE callback_tasks SET body = ?", (text,))
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "fact",
    [
        "{}",
        '{"$dict": 5}',
        '{"$dict": [[[1], 2]]}',
        '{"$timedelta": ' + "9" * 40 + "}",
        '{"$decimal": "x"}',
        '{"$set": [[1]]}',
        '{"$type": "builtins:eval", "value": "1"}',
        '{"$type": ["propcrm"], "value": {}}',
        "9" * 5000,
    ],
)
def test_a_crafted_fact_reads_as_a_storage_error(tmp_path: Path, fact: str) -> None:
    """Tampered tags, payloads and huge numbers in a stored row are a StorageError on get."""
    path = tmp_path / "crm.db"
    _with_fact(path, _stored_task(path), fact)
    with SqliteStore(path) as store, pytest.raises(StorageError):
        store.callback_tasks.get("t-1")


def test_a_deeply_nested_stored_row_reads_as_a_storage_error(tmp_path: Path) -> None:
    """A row whose fact is a 100,000-deep JSON array is a StorageError, not RecursionError."""
    path = tmp_path / "crm.db"
    _with_fact(path, _stored_task(path), "[" * 100_000 + "]" * 100_000)
    with SqliteStore(path) as store, pytest.raises(StorageError):
        store.callback_tasks.get("t-1")


def test_a_foreign_database_at_version_3_without_tables_is_refused(tmp_path: Path) -> None:
    """user_version 3 and no tables is still not propcrm's: refused, file unchanged."""
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 3")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(SchemaVersionError):
        SqliteStore(path)
    assert path.read_bytes() == before


def test_adopt_does_not_take_another_application_s_database(tmp_path: Path) -> None:
    """adopt=True still refuses a database carrying another application id."""
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA application_id = 12345")
    connection.close()
    with pytest.raises(SchemaVersionError):
        SqliteStore(path, adopt=True)


def test_the_wal_and_shm_files_are_private_too(tmp_path: Path) -> None:
    """Under umask 022 the -wal and -shm files of a new database are 0600 like it."""
    old = os.umask(0o022)
    try:
        path = tmp_path / "crm.db"
        with SqliteStore(path) as store:
            store.complaints.add(_complaint())
            modes = {
                suffix: stat.S_IMODE(os.stat(f"{path}{suffix}").st_mode)
                for suffix in ("", "-wal", "-shm")
            }
    finally:
        os.umask(old)
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def _complaint() -> propcrm.Complaint:
    return propcrm.Complaint(
        "C-1",
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=("c-1",),
        received_at=T0,
    )


def test_read_only_beside_a_live_writer_changes_no_file(tmp_path: Path) -> None:
    """With a writer's WAL open, a read-only store changes neither the file nor its WAL.

    The -shm file is SQLite's shared-memory index: every WAL reader marks it.
    """
    path = tmp_path / "crm.db"
    with SqliteStore(path) as writer:
        writer.complaints.add(_complaint())
        files = [path, tmp_path / "crm.db-wal"]
        before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
        with SqliteStore(path, read_only=True) as reader:
            assert reader.complaints.get("C-1").id == "C-1"
        assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before


def test_read_only_leaves_a_closed_database_s_bytes_and_mtime(tmp_path: Path) -> None:
    """Reading a closed database read-only changes neither its bytes nor its mtime.

    SQLite may create the -wal and -shm companions beside it (docs/storage.rst says so).
    """
    path = tmp_path / "crm.db"
    with SqliteStore(path) as writer:
        writer.complaints.add(_complaint())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with SqliteStore(path, read_only=True) as reader:
        reader.complaints.get("C-1")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# --- personal data ----------------------------------------------------------------------------

PHONE = "13812345678"


def test_a_customer_s_serialised_forms_keep_the_number_masked() -> None:
    """asdict, astuple, cattrs unstructure and every pickle protocol carry no clear digits."""
    customer = propcrm.Customer("c1", "Wang", phone=PersonalData(PersonalKind.PHONE, PHONE))
    forms = [
        repr(attrs.asdict(customer)),
        repr(attrs.astuple(customer)),
        repr(cattrs.unstructure(customer)),
        *(repr(pickle.dumps(customer, protocol=p)) for p in range(pickle.HIGHEST_PROTOCOL + 1)),
    ]
    assert [PHONE in form or "12345678" in form for form in forms] == [False] * len(forms)


def test_a_pickled_number_cannot_be_revealed_or_matched() -> None:
    """An unpickled copy withholds the value and equals no freshly built guess."""
    copy = pickle.loads(pickle.dumps(PersonalData(PersonalKind.PHONE, PHONE)))
    with pytest.raises(WithheldError):
        copy.reveal()
    assert copy != PersonalData(PersonalKind.PHONE, PHONE)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("1381234567", "****4567"),  # 10 digits: not a mobile, last 4 only
        ("+86 138 1234 5678", "+86 138****5678"),
        ("008613812345678", "+86 138****5678"),
        ("+86 10 1234 5678", "+86 ****5678"),
        ("+86 1234", "****"),  # too short after the country prefix
        ("1234567", "****"),
        ("１３８１２３４５６７８", "****"),  # full-width digits are not counted as digits
    ],
)
def test_phone_masks(value: str, masked: str) -> None:
    """Phone numbers are masked by the rule of RULES §8, worked out by hand."""
    assert PersonalData(PersonalKind.PHONE, value).masked == masked


@pytest.mark.parametrize("kind", [PersonalKind.ID_NUMBER, PersonalKind.ADDRESS])
def test_short_id_numbers_and_addresses_show_nothing(kind: PersonalKind) -> None:
    """A 7-character ID number or address is masked whole."""
    assert PersonalData(kind, "1234567").masked == "****"
