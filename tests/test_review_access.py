"""Hostile review of access control: the register, anonymisation and reads around the desk."""

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from propcrm import Customer, FixedClock, TierFacts
from propcrm.errors import ConflictError, PropcrmError, ValidationError
from propcrm.privacy import WithheldError
from propcrm.records import AuditAction
from propcrm.roles import Role
from propcrm.services import Actor, ArchiveDesk, NightDesk, VipOffice, WorkOrderDesk
from propcrm.storage.memory import MemoryStore
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import VipLevel

SH = ZoneInfo("Asia/Shanghai")
NOON = datetime(2025, 3, 3, 12, tzinfo=SH)
NIGHT = datetime(2025, 3, 3, 23, 10, tzinfo=SH)
PHONE, ID_NUMBER, ADDRESS = (
    "13812345678",
    "110101199001011234",
    "北京市朝阳区望京街道8号楼1单元1201",
)
NAME = "王芳"
BORN = date(1970, 5, 20)
DESK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
SUPERVISOR = Actor("eng-1", roles=[Role.ENGINEERING_SUPERVISOR], communities=["东区"])
ROOM = Actor("night-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
ASSISTANT = Actor("va-1", roles=[Role.VIP_ASSISTANT], communities=["东区"])
WEST_TECH = Actor("tech-9", roles=[Role.TECHNICIAN], communities=["西区"])


def _customer() -> Customer:
    return Customer(
        "c1", NAME, phone=PHONE, id_number=ID_NUMBER, address=ADDRESS, community="东区",
        facts=TierFacts(government_official=True),
    )  # fmt: skip


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file) holding the customer c1."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    made.customers.add(_customer())
    yield made
    made.close()


@pytest.fixture
def desk(store: Any) -> ArchiveDesk:
    """The archive desk over the store, at noon on Monday 3 March 2025."""
    return ArchiveDesk(store, clock=FixedClock(NOON))


def _register(store: Any, actor: Actor = DESK) -> WorkOrderDesk:
    orders = WorkOrderDesk(store, clock=FixedClock(NOON))
    orders.register(
        command_id="reg", actor=actor, work_order_id="WO-1", community="东区",
        customer_id="c1", address=ADDRESS, contact=PHONE, content="tap drips", category="house",
    )  # fmt: skip
    return orders


def _night_emergency(store: Any) -> NightDesk:
    night = NightDesk(store, clock=FixedClock(NIGHT))
    night.log(
        command_id="log-1", actor=ROOM, entry_id="N-1", community="东区", customer_id="c1",
        caller=PHONE, content="burst pipe", emergency=True, address=ADDRESS,
        category="building_systems", callback_kind="leak",
    )  # fmt: skip
    return night


def _vip_archive(store: Any) -> None:
    VipOffice(store, clock=FixedClock(NOON)).issue(
        command_id="issue", actor=ASSISTANT, customer_id="c1", community="东区",
        level=VipLevel.GOVERNMENT_OFFICIAL, birthdays={"self": BORN},
    )  # fmt: skip


def _anonymise(desk: ArchiveDesk) -> Any:
    return desk.anonymise_customer(
        command_id="erase", actor=MANAGER, customer_id="c1", purpose="the customer asked"
    )


# --- the register in the database ---------------------------------------------------------


def _trail_file(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    with SqliteStore(path) as made:
        made.customers.add(_customer())
        ArchiveDesk(made, clock=FixedClock(NOON)).reveal("c1", "phone", actor=DESK, purpose="a")
    return path


def test_sqlite_refuses_to_replace_an_entry_on_a_plain_connection(tmp_path: Path) -> None:
    """INSERT OR REPLACE with an entry's id is refused; the entry keeps its actor."""
    plain = sqlite3.connect(_trail_file(tmp_path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        plain.execute(
            "INSERT OR REPLACE INTO audit_trail SELECT id, version, customer, 'someone-else',"
            " action, at_us, body FROM audit_trail"
        )
    assert plain.execute("SELECT actor FROM audit_trail").fetchall() == [("desk-1",)]
    plain.close()


def test_sqlite_upsert_on_an_entry_is_refused(tmp_path: Path) -> None:
    """INSERT ... ON CONFLICT DO UPDATE reaches the update trigger, which refuses it."""
    plain = sqlite3.connect(_trail_file(tmp_path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        plain.execute(
            "INSERT INTO audit_trail SELECT * FROM audit_trail WHERE true"
            " ON CONFLICT (id) DO UPDATE SET actor = 'someone-else'"
        )
    plain.close()


def test_the_stored_trail_holds_no_clear_value(tmp_path: Path) -> None:
    """After reveals of every kind and a disclosure, no row of the trail holds a value."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as made:
        made.customers.add(_customer())
        desk = ArchiveDesk(made, clock=FixedClock(NOON))
        for kind in ("phone", "id_number", "address"):
            desk.reveal("c1", kind, actor=MANAGER, purpose="check the archive")
        desk.disclose("c1", "phone", actor=MANAGER, recipient="派出所", purpose="inquiry",
                      legal_basis="a police request under the law")  # fmt: skip
    plain = sqlite3.connect(path)
    rows = repr(plain.execute("SELECT * FROM audit_trail").fetchall())
    plain.close()
    assert [v for v in (PHONE, ID_NUMBER, ADDRESS) if v in rows] == []


def test_a_purpose_quoting_the_value_is_refused(desk: ArchiveDesk) -> None:
    """A purpose holding the customer's phone would put it in the trail: refused, no entry."""
    with pytest.raises(ValidationError, match="^purpose: "):
        desk.reveal("c1", "phone", actor=DESK, purpose=f"call {PHONE} back")
    assert len(desk.store.audit_trail) == 0


def test_a_recipient_of_ten_megabytes_is_refused(desk: ArchiveDesk) -> None:
    """A consent naming a 10 MB recipient is refused; nothing is stored or registered."""
    with pytest.raises(ValidationError, match="^recipient: "):
        desk.record_consent(
            command_id="k", actor=DESK, consent_id="K-1", customer_id="c1",
            recipient="x" * 10_000_000, kinds=["phone"], purpose="insurance",
        )  # fmt: skip
    assert (len(desk.store.consents.list().items), len(desk.store.audit_trail)) == (0, 0)


# --- a reveal and its transaction ---------------------------------------------------------


def test_a_reveal_inside_a_failing_transaction_returns_nothing(
    store: Any, desk: ArchiveDesk
) -> None:
    """A reveal whose entry may still be rolled back hands out no value: none, and no entry."""
    got = []
    with contextlib.suppress(Exception), store.transaction():
        got.append(desk.reveal("c1", "phone", actor=DESK, purpose="callback"))
        raise RuntimeError("the command failed after the reveal")
    assert (got, len(store.audit_trail)) == ([], 0)


def test_consent_withdrawn_blocks_a_later_disclosure(desk: ArchiveDesk) -> None:
    """After the customer withdraws consent, disclosing on it is refused; one entry per step."""
    desk.record_consent(
        command_id="k", actor=DESK, consent_id="K-1", customer_id="c1", recipient="保险公司",
        kinds=["phone"], purpose="claim",
    )  # fmt: skip
    desk.withdraw_consent(command_id="w", actor=DESK, consent_id="K-1")
    with pytest.raises(PropcrmError, match="legal basis or the customer's consent"):
        desk.disclose("c1", "phone", actor=DESK, recipient="保险公司", purpose="claim")
    actions = [e.action for e in desk.trail().items]
    assert actions == [AuditAction.CONSENT, AuditAction.CONSENT_WITHDRAWN]


# --- reads through the other desks ---------------------------------------------------------


def test_another_actor_cannot_replay_a_command(store: Any) -> None:
    """A command id replayed by a technician of another community returns nothing."""
    orders = _register(store)
    with pytest.raises(ConflictError, match="done by another person"):
        orders.register(
            command_id="reg", actor=WEST_TECH, work_order_id="WO-9", community="西区",
            customer_id="c9", address="西区某地某号楼", contact="13900000000", content="x",
            category="house",
        )  # fmt: skip


def test_a_desk_command_hands_out_no_clear_value(store: Any) -> None:
    """The slip a dispatch returns is withheld: its address is reached through a reveal."""
    orders = _register(store, actor=DESK)
    slip = orders.dispatch(
        command_id="disp", actor=SUPERVISOR, work_order_id="WO-1", technician_id="tech-1"
    )
    with pytest.raises(WithheldError):
        slip.address.reveal()


def test_the_night_desk_hands_out_no_clear_value(store: Any) -> None:
    """The entry the night desk's handover decision returns holds the caller withheld."""
    night = NightDesk(store, clock=FixedClock(NIGHT))
    night.log(command_id="log-1", actor=ROOM, entry_id="N-1", community="东区",
              customer_id="c1", caller=PHONE, content="dripping")  # fmt: skip
    entry = night.assign_work_order(
        command_id="as", actor=DESK, entry_id="N-1", address=ADDRESS, category="house"
    )
    with pytest.raises(WithheldError):
        entry.caller.reveal()


# --- anonymisation -------------------------------------------------------------------------


def test_anonymisation_replaces_the_night_logs_caller_and_address(
    store: Any, desk: ArchiveDesk
) -> None:
    """The caller's phone and the assignment's address on a night entry become placeholders."""
    _night_emergency(store)
    _anonymise(desk)
    entry = store.night_entries.get("N-1")
    assert (entry.caller.reveal(), entry.assignment.address.reveal()) == (
        "anonymised",
        "anonymised",
    )


def test_anonymisation_clears_the_vip_archives_birthdays(store: Any, desk: ArchiveDesk) -> None:
    """Dates of birth in the VIP archive are personal: anonymised, the archive keeps none."""
    _vip_archive(store)
    _anonymise(desk)
    assert store.vip_archives.get("c1").birthdays == {}


def test_no_clear_value_remains_in_the_file_after_every_desk(tmp_path: Path) -> None:
    """Slip, night entry, VIP archive and command log: after anonymising, no byte remains."""
    path = tmp_path / "crm.db"
    made = SqliteStore(path)
    made.customers.add(_customer())
    _register(made)
    _night_emergency(made)
    _vip_archive(made)
    desk = ArchiveDesk(made, clock=FixedClock(NOON))
    desk.reveal("c1", "address", actor=MANAGER, purpose="visit")
    _anonymise(desk)
    made.scrub()
    made.close()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    born = BORN.isoformat().encode()
    found = [v for v in (PHONE, ID_NUMBER, ADDRESS, NAME) if v.encode() in files]
    assert (found, born in files) == ([], False)


# --- the register on PostgreSQL ------------------------------------------------------------


def _postgres_trail(conninfo: str) -> None:
    with PostgresStore(conninfo) as made:
        made.customers.add(_customer())
        ArchiveDesk(made, clock=FixedClock(NOON)).reveal("c1", "phone", actor=DESK, purpose="a")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_trail SET actor = 'someone-else'", "DELETE FROM audit_trail"]
)
def test_postgres_refuses_to_change_or_delete_an_entry(postgres_db: str, statement: str) -> None:
    """The trigger refuses UPDATE and DELETE on a plain psycopg connection; the entry stays."""
    _postgres_trail(postgres_db)
    with psycopg.connect(postgres_db, autocommit=True) as plain:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            plain.execute(statement)
        assert plain.execute("SELECT actor FROM audit_trail").fetchall() == [("desk-1",)]


def test_postgres_refuses_to_truncate_the_trail(postgres_db: str) -> None:
    """TRUNCATE on a plain psycopg connection is refused; the entry stays."""
    _postgres_trail(postgres_db)
    with psycopg.connect(postgres_db, autocommit=True) as plain:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            plain.execute("TRUNCATE audit_trail")
        assert plain.execute("SELECT actor FROM audit_trail").fetchall() == [("desk-1",)]


def test_anonymisation_replaces_the_caller_of_an_entry_not_yet_assigned(
    store: Any, desk: ArchiveDesk
) -> None:
    """A night entry still open (no decision yet) has its caller's phone replaced."""
    NightDesk(store, clock=FixedClock(NIGHT)).log(
        command_id="log-2", actor=ROOM, entry_id="N-2", community="东区", customer_id="c1",
        caller="13900001111", content="noise upstairs",
    )  # fmt: skip
    report = _anonymise(desk)
    assert (store.night_entries.get("N-2").caller.reveal(), report.night_entries) == (
        "anonymised",
        1,
    )


def test_a_vip_archive_without_birthdays_is_left_alone(store: Any, desk: ArchiveDesk) -> None:
    """An archive holding no dates of birth is not rewritten: the report says so."""
    VipOffice(store, clock=FixedClock(NOON)).issue(
        command_id="issue", actor=ASSISTANT, customer_id="c1", community="东区",
        level=VipLevel.GOVERNMENT_OFFICIAL,
    )  # fmt: skip
    version = store.vip_archives.get("c1").version
    report = _anonymise(desk)
    assert (report.vip_archive, store.vip_archives.get("c1").version) == (False, version)


def test_a_legal_basis_quoting_the_customers_name_is_refused(desk: ArchiveDesk) -> None:
    """The name would outlive an erasure in the trail: refused, naming legal_basis."""
    with pytest.raises(ValidationError, match="^legal_basis: it quotes"):
        desk.disclose("c1", "phone", actor=MANAGER, recipient="派出所", purpose="inquiry",
                      legal_basis=f"police order about {NAME}")  # fmt: skip
    assert len(desk.store.audit_trail) == 0
