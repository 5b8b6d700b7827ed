"""The archive desk: levels enforced, every reveal registered, consent, anonymisation."""

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import product
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import Customer, FixedClock, TierFacts
from propcrm.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PropcrmError,
    StorageError,
    ValidationError,
)
from propcrm.privacy import Confidentiality, PersonalKind, WithheldError
from propcrm.records import AuditAction, RecordKind
from propcrm.roles import Role
from propcrm.services import ANONYMISED, Actor, ArchiveDesk, ComplaintDesk, WorkOrderDesk
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import MemorySequenceAllocator, VipLevel, VipProgramme

SH = ZoneInfo("Asia/Shanghai")
NOON = datetime(2025, 3, 3, 12, tzinfo=SH)
PHONE, ID_NUMBER, ADDRESS = (
    "13812345678",
    "110101199001011234",
    "北京市朝阳区望京街道8号楼1单元1201",
)
NAME = "王芳"
DESK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
WEST = Actor("desk-9", roles=[Role.DESK_STAFF], communities=["西区"])
TECH = Actor("tech-1", roles=[Role.TECHNICIAN], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
VIP = Actor("vip-1", roles=[Role.VIP_ASSISTANT], communities=["东区"])
ENGINEER = Actor(
    "eng-1", roles=[Role.DESK_STAFF, Role.ENGINEERING_SUPERVISOR], communities=["东区"]
)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file) holding the customer c1."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    made.customers.add(_customer())
    yield made
    made.close()


def _customer(**changes: Any) -> Customer:
    fields = {
        "phone": PHONE,
        "id_number": ID_NUMBER,
        "address": ADDRESS,
        "community": "东区",
        "facts": TierFacts(purchases_from_group=2),
    }
    return Customer("c1", NAME, **{**fields, **changes})


@pytest.fixture
def desk(store: Any) -> ArchiveDesk:
    """The archive desk over the store, at noon on Monday 3 March 2025."""
    return ArchiveDesk(store, clock=FixedClock(NOON))


def _entries(desk: ArchiveDesk, **where: str) -> list[Any]:
    return list(desk.trail(**where).items)  # type: ignore[arg-type]


def _order(store: Any, dispatched_to: str = "tech-1") -> WorkOrderDesk:
    orders = WorkOrderDesk(store, clock=FixedClock(NOON))
    orders.register(
        command_id="reg", actor=ENGINEER, work_order_id="WO-1", community="东区",
        customer_id="c1", address=ADDRESS, contact=PHONE, content="tap drips", category="house",
    )  # fmt: skip
    orders.dispatch(command_id="disp", actor=ENGINEER, work_order_id="WO-1",
                    technician_id=dispatched_to)  # fmt: skip
    return orders


# --- reads ---------------------------------------------------------------------------------


def test_a_read_returns_masked_withheld_personal_data(desk: ArchiveDesk) -> None:
    """The customer read through the desk shows masks, and its reveal() is refused."""
    customer = desk.read_customer("c1", actor=DESK, purpose="callback")
    assert (str(customer.phone), str(customer.address)) == ("138****5678", "北京市****")
    with pytest.raises(WithheldError, match="ArchiveDesk.reveal"):
        customer.phone.reveal()  # type: ignore[union-attr]


def test_a_confidential_read_is_registered_with_its_purpose(desk: ArchiveDesk) -> None:
    """Reading a confidential customer writes one READ entry: who, what, when, why."""
    desk.read_customer("c1", actor=DESK, purpose="callback after repair")
    [entry] = _entries(desk)
    assert (entry.action, entry.record, entry.record_id, entry.actor_id, entry.at) == (
        AuditAction.READ, RecordKind.CUSTOMER, "c1", "desk-1", NOON,
    )  # fmt: skip
    assert (entry.purpose, entry.level, entry.kind) == (
        "callback after repair",
        Confidentiality.CONFIDENTIAL,
        None,
    )


def test_a_read_above_internal_without_a_purpose_is_refused(desk: ArchiveDesk) -> None:
    """A registered read needs a stated purpose; nothing is registered without one."""
    with pytest.raises(ValidationError, match="^purpose: reading customer c1"):
        desk.read_customer("c1", actor=DESK)
    assert _entries(desk) == []


def test_an_internal_read_is_not_registered(store: Any, desk: ArchiveDesk) -> None:
    """A slip (internal) is read without a purpose and leaves no entry."""
    _order(store)
    slip = desk.read_slip("WO-1", actor=TECH)
    assert (str(slip.contact), _entries(desk)) == ("138****5678", [])


def test_a_read_above_the_actors_level_names_record_level_and_roles(desk: ArchiveDesk) -> None:
    """The technician may not read a confidential customer: the error says who may."""
    with pytest.raises(PermissionDeniedError) as info:
        desk.read_customer("c1", actor=TECH, purpose="curious")
    error = info.value
    assert (error.record, error.level, error.actor_id) == ("customer c1", "confidential", "tech-1")
    assert "desk_staff" in error.needed
    assert "customer c1 (confidential)" in str(error)
    assert _entries(desk) == []


def test_a_vip_archive_is_secret(store: Any, desk: ArchiveDesk) -> None:
    """A VIP's record is read at secret: the VIP assistant reads it, the desk does not."""
    programme = VipProgramme(MemorySequenceAllocator())
    official = _customer(facts=TierFacts(government_official=True))
    store.vip_cards.add(programme.issue(official, level=VipLevel.OTHER, on=NOON.date(), by="s1"))
    with pytest.raises(PermissionDeniedError, match=r"\(secret\)"):
        desk.read_customer("c1", actor=DESK, purpose="callback")
    assert desk.read_customer("c1", actor=VIP, purpose="festival greeting").id == "c1"
    assert [e.level for e in _entries(desk)] == [Confidentiality.SECRET]


def test_a_desk_cannot_read_another_communitys_complaint(store: Any, desk: ArchiveDesk) -> None:
    """A desk of 西区 asking for a complaint of 东区 is refused for the community."""
    ComplaintDesk(store, clock=FixedClock(NOON)).register(
        command_id="r1", actor=DESK, complaint_id="K-1", community="东区", customer_id="c1",
        summary="pump room hums", category="noise", subject="pump room",
    )  # fmt: skip
    assert desk.read_complaint("K-1", actor=DESK).community == "东区"
    with pytest.raises(PermissionDeniedError) as info:
        desk.read_complaint("K-1", actor=WEST)
    assert info.value.community == "东区"


def test_a_desk_cannot_read_another_communitys_customer(desk: ArchiveDesk) -> None:
    """A customer of 东区 is refused to the desk of 西区."""
    with pytest.raises(PermissionDeniedError, match="not '东区'"):
        desk.read_customer("c1", actor=WEST, purpose="callback")


# --- reveals -------------------------------------------------------------------------------


def test_every_reveal_leaves_exactly_one_entry(desk: ArchiveDesk) -> None:
    """Two reveals, two REVEAL entries naming the kind, never the value."""
    assert desk.reveal("c1", "phone", actor=DESK, purpose="callback") == PHONE
    assert desk.reveal("c1", PersonalKind.ADDRESS, actor=DESK, purpose="visit") == ADDRESS
    entries = _entries(desk)
    assert [(e.action, e.kind) for e in entries] == [
        (AuditAction.REVEAL, PersonalKind.PHONE),
        (AuditAction.REVEAL, PersonalKind.ADDRESS),
    ]
    assert not any(PHONE in repr(e) or ADDRESS in repr(e) for e in entries)


def test_a_reveal_inside_a_callers_transaction_is_refused(store: Any, desk: ArchiveDesk) -> None:
    """A surrounding transaction could undo the entry after the value left: refused."""
    with (
        pytest.raises(StorageError, match=r"outside store\.transaction\(\)"),
        store.transaction(),
    ):
        desk.reveal("c1", "phone", actor=DESK, purpose="callback")
    assert _entries(desk) == []


class _RefusingTrail:
    """An audit trail whose append fails, as a full disk would."""

    def append(self, entry: object) -> object:
        raise StorageError("disk full")


def test_a_reveal_whose_entry_cannot_be_written_returns_nothing() -> None:
    """The value is not returned when its entry is not written; the trail stays empty."""
    store = MemoryStore()
    store.customers.add(_customer())
    trail = store.audit_trail
    store.audit_trail = _RefusingTrail()  # type: ignore[assignment]
    desk = ArchiveDesk(store, clock=FixedClock(NOON))
    with pytest.raises(StorageError, match="disk full"):
        desk.reveal("c1", "phone", actor=DESK, purpose="callback")
    assert len(trail) == 0


def test_a_kind_the_role_may_not_reveal_is_refused(desk: ArchiveDesk) -> None:
    """The desk may not see the ID number: refused, and nothing registered."""
    with pytest.raises(PermissionDeniedError, match="may not reveal the id_number of customer c1"):
        desk.reveal("c1", "id_number", actor=DESK, purpose="callback")
    assert _entries(desk) == []


def test_a_missing_value_is_not_found(store: Any, desk: ArchiveDesk) -> None:
    """Revealing a phone the customer never gave is a NotFoundError; nothing registered."""
    store.customers.add(_customer().__class__("c2", "李雷", community="东区"))
    with pytest.raises(NotFoundError, match="no phone"):
        desk.reveal("c2", "phone", actor=DESK, purpose="callback")
    assert _entries(desk) == []


def test_the_technician_sees_the_address_while_the_order_is_open(
    store: Any, desk: ArchiveDesk
) -> None:
    """Dispatched to WO-1, the technician reveals its address; after sign-off, no more."""
    orders = _order(store)
    assert desk.reveal_slip("WO-1", "address", actor=TECH, purpose="go to the flat") == ADDRESS
    orders.fix(command_id="fix", actor=ENGINEER, work_order_id="WO-1")
    orders.sign_off(command_id="sign", actor=ENGINEER, work_order_id="WO-1")
    with pytest.raises(PermissionDeniedError, match="address of repair slip WO-1"):
        desk.reveal_slip("WO-1", "address", actor=TECH, purpose="go back")
    assert [e.record_id for e in _entries(desk, actor_id="tech-1")] == ["WO-1"]


def test_another_technician_does_not_see_the_address(store: Any, desk: ArchiveDesk) -> None:
    """A technician not dispatched to the order is refused its address."""
    _order(store, dispatched_to="tech-2")
    with pytest.raises(PermissionDeniedError):
        desk.reveal_slip("WO-1", "phone", actor=TECH, purpose="curious")


def test_a_slip_holds_no_id_number(store: Any, desk: ArchiveDesk) -> None:
    """Asking a slip for an ID number is a ValidationError naming kind."""
    _order(store)
    with pytest.raises(ValidationError, match="^kind: expected address or phone"):
        desk.reveal_slip("WO-1", "id_number", actor=DESK, purpose="x")


# --- the permission matrix, through the desk ----------------------------------------------

CEILING = {
    "general_manager": 3, "assistant_general_manager": 2, "service_centre_manager": 3,
    "project_manager": 2, "general_affairs_manager": 1, "office_director": 2,
    "customer_supervisor": 2, "department_head": 1, "engineering_supervisor": 1,
    "repair_lead": 1, "technician": 1, "property_officer": 1, "vip_assistant": 3,
    "desk_staff": 2, "monitoring_room": 1,
}  # fmt: skip
REVEAL = {
    "general_manager": "phone id_number address",
    "service_centre_manager": "phone id_number address",
    "vip_assistant": "phone id_number address",
    "customer_supervisor": "phone address",
    "desk_staff": "phone address",
    "property_officer": "phone address",
}
RANK = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}


@pytest.mark.parametrize(
    ("role", "level", "kind"),
    list(product(list(Role), list(Confidentiality), list(PersonalKind))),
    ids=str,
)
def test_reveal_matrix_through_the_desk(
    role: Role, level: Confidentiality, kind: PersonalKind
) -> None:
    """A role reveals a kind of a record at a level exactly when the hand table allows both."""
    store = MemoryStore()
    store.customers.add(_customer(confidentiality=level))
    desk = ArchiveDesk(store, clock=FixedClock(NOON))
    actor = Actor("a", roles=[role], communities=["东区"])
    allowed = RANK[level.value] <= CEILING[role.value] and kind.value in REVEAL.get(role.value, "")
    if allowed:
        desk.reveal("c1", kind, actor=actor, purpose="matrix")
    else:
        with pytest.raises(PermissionDeniedError):
            desk.reveal("c1", kind, actor=actor, purpose="matrix")
    assert len(store.audit_trail) == int(allowed)


# --- hostile cases -------------------------------------------------------------------------


def test_an_actor_with_no_roles_reads_nothing_confidential(desk: ArchiveDesk) -> None:
    """A person without roles is refused the confidential customer."""
    nobody = Actor("n1", roles=[], communities=["东区"])
    with pytest.raises(PermissionDeniedError, match="n1 may not read customer c1"):
        desk.read_customer("c1", actor=nobody, purpose="x")


def test_an_actor_with_an_unknown_role_cannot_be_made() -> None:
    """An unknown role is refused when the actor is made, listing the known ones."""
    with pytest.raises(ValidationError, match="use one of general_manager"):
        Actor("x", roles=["janitor"], communities=["东区"])


def test_a_purpose_of_ten_megabytes_is_refused_and_nothing_registered(desk: ArchiveDesk) -> None:
    """A 10 MB purpose is a short ValidationError giving the limit; the trail stays empty."""
    with pytest.raises(ValidationError) as info:
        desk.reveal("c1", "phone", actor=DESK, purpose="x" * 10_000_000)
    assert "at most 500 characters, got 10,000,000" in str(info.value)
    assert len(str(info.value)) < 200
    assert _entries(desk) == []


def test_a_forged_level_in_the_database_returns_nothing(tmp_path: Path) -> None:
    """A level edited into the file that is no level is refused with a propcrm error."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        store.customers.add(_customer())
    plain = sqlite3.connect(path)
    plain.execute("UPDATE customers SET body = json_set(body, '$.confidentiality', 'open')")
    plain.commit()
    plain.close()
    with SqliteStore(path) as store:
        desk = ArchiveDesk(store, clock=FixedClock(NOON))
        with pytest.raises(PropcrmError):
            desk.read_customer("c1", actor=MANAGER, purpose="audit")
        assert len(store.audit_trail) == 0


class _Only:
    """A customer repository holding one (forged) record."""

    def __init__(self, customer: Customer) -> None:
        self.customer = customer

    def get(self, id: str) -> Customer:
        return self.customer


def test_a_forged_level_on_a_record_is_read_by_nobody() -> None:
    """A record whose level is not a Confidentiality is refused even to the general manager."""
    store = MemoryStore()
    store.customers.add(_customer())
    desk = ArchiveDesk(store, clock=FixedClock(NOON))
    forged = store.customers.get("c1")
    forged.confidentiality = "public"  # type: ignore[assignment]
    store.customers = _Only(forged)  # type: ignore[assignment]
    boss = Actor("gm", roles=[Role.GENERAL_MANAGER], communities=["东区"])
    with pytest.raises(PermissionDeniedError, match=r"\(a forged level\)"):
        desk.reveal("c1", "phone", actor=boss, purpose="audit")


# --- the trail -----------------------------------------------------------------------------


def test_the_trail_lists_per_customer_and_per_actor(store: Any, desk: ArchiveDesk) -> None:
    """Entries are listed for one customer or one actor, oldest first."""
    store.customers.add(_customer().__class__("c2", "李雷", phone="13900001111", community="东区"))
    desk.reveal("c1", "phone", actor=DESK, purpose="a")
    desk.reveal("c2", "phone", actor=VIP, purpose="b")
    desk.reveal("c2", "phone", actor=DESK, purpose="c")
    assert [e.purpose for e in _entries(desk, customer_id="c2")] == ["b", "c"]
    assert [e.purpose for e in _entries(desk, actor_id="desk-1")] == ["a", "c"]


def test_the_trail_offers_no_edit_or_delete(store: Any) -> None:
    """The trail's repository has no update, remove or add: only append and reads."""
    assert [hasattr(store.audit_trail, n) for n in ("update", "remove", "add")] == [False] * 3


def test_sqlite_refuses_to_change_or_delete_an_entry_on_a_plain_connection(tmp_path: Path) -> None:
    """Triggers in the file refuse UPDATE and DELETE from any connection; the entry stays."""
    path = tmp_path / "crm.db"
    with SqliteStore(path) as store:
        store.customers.add(_customer())
        ArchiveDesk(store, clock=FixedClock(NOON)).reveal("c1", "phone", actor=DESK, purpose="a")
    plain = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        plain.execute("UPDATE audit_trail SET actor = 'someone-else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        plain.execute("DELETE FROM audit_trail")
    assert plain.execute("SELECT actor FROM audit_trail").fetchall() == [("desk-1",)]
    plain.close()


# --- consent and disclosure ----------------------------------------------------------------


def test_disclosure_without_basis_or_consent_is_refused(desk: ArchiveDesk) -> None:
    """Giving a phone to an outside party needs a legal basis or consent (002 §21)."""
    with pytest.raises(PermissionDeniedError, match="legal basis or the customer's consent"):
        desk.disclose("c1", "phone", actor=MANAGER, recipient="装修公司", purpose="quote")
    assert _entries(desk) == []


def test_disclosure_on_consent_until_it_is_withdrawn(desk: ArchiveDesk) -> None:
    """A recorded consent lets the phone go to its recipient; once withdrawn, no more."""
    consent = desk.record_consent(
        command_id="c-1", actor=DESK, consent_id="K1", customer_id="c1", recipient="装修公司",
        kinds=["phone"], purpose="renovation quotes",
    )  # fmt: skip
    assert (consent.given_at, consent.kinds) == (NOON, (PersonalKind.PHONE,))
    assert (
        desk.disclose("c1", "phone", actor=MANAGER, recipient="装修公司", purpose="quote") == PHONE
    )
    desk.withdraw_consent(command_id="w-1", actor=DESK, consent_id="K1")
    with pytest.raises(PermissionDeniedError):
        desk.disclose("c1", "phone", actor=MANAGER, recipient="装修公司", purpose="quote")
    entries = _entries(desk)
    assert [(e.action, e.basis) for e in entries] == [
        (AuditAction.CONSENT, ""),
        (AuditAction.DISCLOSE, "consent: K1"),
        (AuditAction.CONSENT_WITHDRAWN, ""),
    ]


def test_consent_covers_only_its_recipient_and_kinds(desk: ArchiveDesk) -> None:
    """A consent for the phone to one party lets neither the address nor another party."""
    desk.record_consent(
        command_id="c-1", actor=DESK, consent_id="K1", customer_id="c1", recipient="装修公司",
        kinds=["phone"], purpose="renovation quotes",
    )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        desk.disclose("c1", "address", actor=MANAGER, recipient="装修公司", purpose="quote")
    with pytest.raises(PermissionDeniedError):
        desk.disclose("c1", "phone", actor=MANAGER, recipient="保险公司", purpose="quote")


def test_disclosure_on_a_legal_basis_is_registered_with_it(desk: ArchiveDesk) -> None:
    """A police request under the law is registered with the recipient and the basis."""
    value = desk.disclose(
        "c1", "id_number", actor=MANAGER, recipient="派出所", purpose="investigation",
        legal_basis="公安机关调查取证",
    )  # fmt: skip
    [entry] = _entries(desk)
    assert (value, entry.recipient, entry.basis) == (ID_NUMBER, "派出所", "law: 公安机关调查取证")


def test_a_withdrawn_consent_cannot_be_withdrawn_again(desk: ArchiveDesk) -> None:
    """Withdrawing twice (with a new command id) is a ValidationError."""
    desk.record_consent(
        command_id="c-1", actor=DESK, consent_id="K1", customer_id="c1", recipient="p",
        kinds=["phone"], purpose="x",
    )  # fmt: skip
    desk.withdraw_consent(command_id="w-1", actor=DESK, consent_id="K1")
    with pytest.raises(ValidationError, match="not yet withdrawn"):
        desk.withdraw_consent(command_id="w-2", actor=DESK, consent_id="K1")


def test_a_consent_id_is_taken_once(desk: ArchiveDesk) -> None:
    """Recording a second consent under the same id is a conflict."""
    kwargs: dict[str, Any] = {"actor": DESK, "consent_id": "K1", "customer_id": "c1",
                              "recipient": "p", "kinds": ["phone"], "purpose": "x"}  # fmt: skip
    desk.record_consent(command_id="c-1", **kwargs)
    with pytest.raises(ConflictError):
        desk.record_consent(command_id="c-2", **kwargs)


# --- anonymisation -------------------------------------------------------------------------


def test_anonymisation_keeps_the_statistics(store: Any, desk: ArchiveDesk) -> None:
    """Placeholders replace the values; the tier facts and the work order's timeline stay."""
    orders = _order(store)
    before = store.work_orders.get("WO-1").timeline
    report = desk.anonymise_customer(
        command_id="a-1", actor=MANAGER, customer_id="c1", purpose="customer asked for erasure"
    )
    customer = store.customers.get("c1")
    assert (report.customer_values, report.slips, report.commands) == (4, 1, 2)
    assert (customer.name, customer.phone.reveal(), customer.facts) == (
        ANONYMISED, ANONYMISED, TierFacts(purchases_from_group=2),
    )  # fmt: skip
    assert store.work_orders.get("WO-1").timeline == before
    assert orders.store.repair_slips.get("WO-1").address.reveal() == ANONYMISED
    assert [e.action for e in _entries(desk)] == [AuditAction.ANONYMISE]


def test_a_retried_anonymisation_changes_nothing(desk: ArchiveDesk) -> None:
    """The same command id returns the first report and adds no entry."""
    first = desk.anonymise_customer(command_id="a-1", actor=MANAGER, customer_id="c1", purpose="x")
    again = desk.anonymise_customer(command_id="a-1", actor=MANAGER, customer_id="c1", purpose="x")
    assert (again, len(_entries(desk))) == (first, 1)


def test_only_the_managers_anonymise(desk: ArchiveDesk) -> None:
    """The desk may not anonymise a customer; the record is unchanged."""
    with pytest.raises(PermissionDeniedError, match="service_centre_manager"):
        desk.anonymise_customer(command_id="a-1", actor=DESK, customer_id="c1", purpose="x")
    assert desk.store.customers.get("c1").name == NAME


def test_no_clear_value_remains_in_the_database_file(tmp_path: Path) -> None:
    """After anonymising and scrubbing, the file and its log hold none of the old values."""
    path = tmp_path / "crm.db"
    store = SqliteStore(path)
    store.customers.add(_customer())
    orders = _order(store)
    orders.appoint(command_id="app", actor=ENGINEER, work_order_id="WO-1",
                   appointment=NOON + timedelta(hours=2))  # fmt: skip
    desk = ArchiveDesk(store, clock=FixedClock(NOON))
    desk.reveal("c1", "phone", actor=DESK, purpose="callback")
    desk.anonymise_customer(command_id="a-1", actor=MANAGER, customer_id="c1", purpose="erasure")
    store.scrub()
    store.close()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    found = [v for v in (PHONE, ID_NUMBER, ADDRESS, NAME) if v.encode() in files]
    assert found == []


def test_scrub_refuses_to_run_inside_a_transaction(tmp_path: Path) -> None:
    """Rebuilding the file inside an open transaction is a StorageError saying when to call it."""
    with (
        SqliteStore(tmp_path / "crm.db") as store,
        pytest.raises(StorageError, match="after the transaction"),
        store.transaction(),
    ):
        store.scrub()
