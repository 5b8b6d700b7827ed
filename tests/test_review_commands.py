"""Review of three changes: argument digests on retries, withheld results, cancelled VIP care.

A test marked ``xfail(strict=True)`` records a confirmed defect: it states the
behaviour the change promises and fails until the code keeps it. The others
guard a behaviour of the change that is easy to break.
"""

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from propcrm import FixedClock
from propcrm.callbacks import Outcome, TaskStatus, record_outcome
from propcrm.customers import Customer, TierFacts
from propcrm.errors import ConflictError, NotFoundError
from propcrm.privacy import PersonalData
from propcrm.records import RepairCategory
from propcrm.report._build import build_report
from propcrm.roles import Role
from propcrm.services import (
    Actor,
    ArchiveDesk,
    ComplaintDesk,
    NightDesk,
    VipOffice,
    WorkOrderDesk,
)
from propcrm.services._arguments import arguments_digest, command, given_digest
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import RevocationGround, VipLevel

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
ROOM = Actor("night-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
ASSISTANT = Actor("va-1", roles=[Role.VIP_ASSISTANT], communities=["东区"])
PHONE = "13812345678"
ADDRESS = "上海市浦东新区东区3号楼1201"


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _order(desk: WorkOrderDesk, **changes: Any) -> Any:
    given = {
        "command_id": "w1", "actor": CLERK, "work_order_id": "W-1", "community": "东区",
        "customer_id": "c1", "address": ADDRESS, "contact": PHONE, "content": "leak",
        "category": "house",
    }  # fmt: skip
    return desk.register(**{**given, **changes})


def _complaint(desk: ComplaintDesk, **changes: Any) -> Any:
    given = {
        "command_id": "c1", "actor": CLERK, "complaint_id": "C-1", "community": "东区",
        "customer_id": "c1", "summary": "pump hums", "category": "noise", "subject": "pump",
        "received_at": MON,
    }  # fmt: skip
    return desk.register(**{**given, **changes})


# --- 1. a retry's arguments: false conflicts -------------------------------------------


def test_a_retry_naming_a_default_argument_replays(store: Any) -> None:
    """callback_kind='ordinary' (the default) given on the retry is the same call: replayed."""
    desk = WorkOrderDesk(store, clock=FixedClock(MON))
    first = _order(desk)
    assert _order(desk, callback_kind="ordinary") == first


def test_a_retry_passing_none_for_an_optional_argument_replays(store: Any) -> None:
    """sla_kind=None (the default) given on the retry is the same call: replayed."""
    desk = WorkOrderDesk(store, clock=FixedClock(MON))
    first = _order(desk)
    assert _order(desk, sla_kind=None) == first


def test_a_retry_naming_the_category_by_its_enum_replays(store: Any) -> None:
    """category=RepairCategory.HOUSE after category='house': one category, replayed."""
    desk = WorkOrderDesk(store, clock=FixedClock(MON))
    first = _order(desk)
    assert _order(desk, category=RepairCategory.HOUSE) == first


def test_a_retry_with_the_phone_wrapped_replays(store: Any) -> None:
    """contact=PersonalData(phone, the same number) after contact=text: replayed."""
    desk = WorkOrderDesk(store, clock=FixedClock(MON))
    first = _order(desk)
    assert _order(desk, contact=PersonalData("phone", PHONE)) == first


def test_a_retry_with_the_amount_as_a_decimal_replays(store: Any) -> None:
    """amount=Decimal('150') after amount='150': ¥150 both times, replayed."""
    desk = WorkOrderDesk(store, clock=FixedClock(MON))
    _order(desk)
    desk.dispatch(command_id="d", actor=CLERK, work_order_id="W-1", technician_id="tech-7")
    first = desk.charge(command_id="c", actor=CLERK, work_order_id="W-1", item="pipe", amount="150")
    again = desk.charge(
        command_id="c", actor=CLERK, work_order_id="W-1", item="pipe", amount=Decimal("150")
    )
    assert again == first


def test_a_retry_with_received_at_in_another_zone_replays(store: Any) -> None:
    """received_at 01:00 UTC is 09:00 in Shanghai, the same instant: replayed."""
    desk = ComplaintDesk(store, clock=FixedClock(MON))
    first = _complaint(desk)
    assert _complaint(desk, received_at=datetime(2025, 3, 3, 1, 0, tzinfo=UTC)) == first


def test_a_retry_on_a_fresh_store_over_the_same_file_replays(tmp_path: Path) -> None:
    """The digest is stable across store objects: the retry on a reopened file replays."""
    made = SqliteStore(tmp_path / "crm.db")
    first = _complaint(ComplaintDesk(made, clock=FixedClock(MON)), departments=["工程部", "客服部"])
    made.close()
    again = SqliteStore(tmp_path / "crm.db")
    try:
        desk = ComplaintDesk(again, clock=FixedClock(MON))
        assert _complaint(desk, departments=("工程部", "客服部")) == first
        assert len(again.complaints) == 1
    finally:
        again.close()


def test_a_retry_with_another_summary_is_a_conflict(store: Any) -> None:
    """The same id with summary 'lift stuck' after 'pump hums' is refused, nothing added."""
    desk = ComplaintDesk(store, clock=FixedClock(MON))
    _complaint(desk)
    with pytest.raises(ConflictError, match="with other arguments"):
        _complaint(desk, summary="lift stuck")
    assert store.complaint_cases.get("C-1").summary == "pump hums"


# --- 1. the digest keeps no derivative of a clear value --------------------------------


def test_a_phone_given_as_text_cannot_be_found_again_from_the_digest(store: Any) -> None:
    """The mask 138****5678 shows all but 4 digits: none of the 10,000 guesses may match."""
    desk = NightDesk(store, clock=FixedClock(datetime(2025, 3, 3, 23, 10, tzinfo=SH)))
    desk.log(
        command_id="log-1", actor=ROOM, entry_id="N-1", community="东区", customer_id="c1",
        caller=PHONE, content="drip",
    )  # fmt: skip
    stored = store.commands.find("log-1").arguments_digest
    known = '{{"caller":"138{}5678","community":"东区","content":"drip","customer_id":"c1","entry_id":"N-1"}}'  # noqa: E501
    found = [g for g in (f"{n:04d}" for n in range(10_000)) if _sha(known.format(g)) == stored]
    assert found == []


def test_an_erased_vips_date_of_birth_cannot_be_found_again_from_the_digest() -> None:
    """After anonymisation no date from 1900 to 2025 may reproduce the issue command's digest."""
    made = MemoryStore()
    made.customers.add(
        Customer("c1", "王芳", community="东区", facts=TierFacts(government_official=True))
    )
    clock = FixedClock(datetime(2025, 3, 3, 10, tzinfo=SH))
    given: dict[str, Any] = {
        "customer_id": "c1", "community": "东区", "level": VipLevel.GOVERNMENT_OFFICIAL,
    }  # fmt: skip
    VipOffice(made, clock=clock).issue(
        command_id="issue", actor=ASSISTANT, birthdays={"self": date(1970, 5, 20)}, **given
    )
    ArchiveDesk(made, clock=clock).anonymise_customer(
        command_id="erase", actor=MANAGER, customer_id="c1", purpose="the customer asked"
    )
    record = made.commands.find("issue")
    stored = None if record is None else record.arguments_digest
    first, days = date(1900, 1, 1).toordinal(), date(2026, 1, 1).toordinal()
    guesses = (date.fromordinal(n) for n in range(first, days))
    found = [d for d in guesses if arguments_digest({"birthdays": {"self": d}, **given}) == stored]
    assert found == []


# --- 1. hostile arguments --------------------------------------------------------------


def test_a_huge_version_gets_the_desks_own_error(store: Any) -> None:
    """version=10**5000 on an unknown order: NotFoundError, as without the digest."""
    desk = WorkOrderDesk(store, clock=FixedClock(MON))
    with pytest.raises(NotFoundError):
        desk.accept(command_id="a", actor=CLERK, work_order_id="W-404", version=10**5000)


def test_two_threads_each_take_their_own_digest() -> None:
    """Two marked calls running at once each see the digest of their own arguments."""
    seen: dict[int, str | None] = {}
    both = threading.Barrier(2)

    class Desk:
        @command
        def do(self, *, command_id: str, actor: object, value: int) -> None:
            both.wait(timeout=10)  # both calls are inside their wrapper now
            seen[value] = given_digest()

    threads = [
        threading.Thread(target=Desk().do, kwargs={"command_id": "c", "actor": None, "value": n})
        for n in (1, 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {1: _sha('{"value":["$number","1e0"]}'), 2: _sha('{"value":["$number","2e0"]}')}


# --- 2. withheld results ---------------------------------------------------------------


def _clear_parts(value: Any, path: str, found: list[str]) -> None:
    """Every path in ``value`` that reaches a clear personal value or its text."""
    if isinstance(value, PersonalData):
        if value._clear is not None:  # what reveal() would hand out
            found.append(path)
    elif isinstance(value, str):
        if PHONE in value or ADDRESS in value:
            found.append(path)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            _clear_parts(getattr(value, field.name), f"{path}.{field.name}", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _clear_parts(item, f"{path}[{key!r}]", found)
    elif isinstance(value, list | tuple | set | frozenset):
        for n, item in enumerate(value):
            _clear_parts(item, f"{path}[{n}]", found)


def test_no_night_or_work_order_result_reaches_a_clear_value(store: Any) -> None:
    """Log, emergency, routing, handover, the repair to its callback, and retries: all withheld."""
    clock = FixedClock(datetime(2025, 3, 3, 23, 10, tzinfo=SH))
    night = NightDesk(store, clock=clock)
    orders = night.work_orders
    log: dict[str, Any] = {"actor": ROOM, "community": "东区", "customer_id": "c1", "caller": PHONE}
    burst: dict[str, Any] = {**log, "address": ADDRESS, "category": "building_systems"}
    results: list[Any] = [
        night.log(command_id="l1", entry_id="N-1", content="drip", **log),
        night.log(command_id="l1", entry_id="N-1", content="drip", **log),
        night.log(command_id="l2", entry_id="N-2", content="burst", emergency=True, **burst),
        night.log(command_id="l3", entry_id="N-3", content="party", **log),
        night.assign_work_order(
            command_id="r1", actor=ROOM, entry_id="N-1", address=ADDRESS, category="house"
        ),
        night.assign_complaint(
            command_id="r3", actor=ROOM, entry_id="N-3", category="noise", subject="party"
        ),
    ]
    clock.set(datetime(2025, 3, 4, 8, 40, tzinfo=SH))
    handover: dict[str, Any] = {"command_id": "h", "actor": CLERK, "community": "东区"}
    results += [night.handover(**handover), night.handover(**handover)]  # and its retry
    order: dict[str, Any] = {"actor": CLERK, "work_order_id": "night:N-1"}
    results += [
        orders.dispatch(command_id="d", technician_id="tech-7", **order),
        orders.arrive(command_id="a", **order),
        orders.charge(command_id="c", item="pipe", amount="150", **order),
        orders.record_agreement(command_id="g", **order),
        orders.confirm_charge(command_id="ok", actor=MANAGER, work_order_id="night:N-1"),
        orders.fix(command_id="f", **order),
        orders.sign_off(command_id="s", **order),
        orders.record_callback(command_id="cb", reached=True, problem="drips", **order),
    ]
    found: list[str] = []
    for n, result in enumerate(results):
        _clear_parts(result, f"result{n}", found)
    assert (len(results), found) == (16, [])


def test_a_withheld_copy_never_confirms_a_guess() -> None:
    """A withheld 138****5678 equals neither the right clear guess nor, as a set, two numbers."""
    held = PersonalData("phone", PHONE).withheld()
    right, wrong = PersonalData("phone", PHONE), PersonalData("phone", "13899995678")
    assert (held == right, held == wrong, held != right) == (False, False, True)
    # what the holder sees is the mask: the right and the wrong guess look alike withheld
    assert {right.withheld(), wrong.withheld(), held} == {held}


# --- 3. cancelled VIP care -------------------------------------------------------------


def _vip_store(path: Path) -> SqliteStore:
    made = SqliteStore(path)
    made.customers.add(
        Customer("c1", "王芳", community="东区", facts=TierFacts(government_official=True))
    )
    return made


def _issue_and_plan(office: VipOffice) -> None:
    office.issue(
        command_id="issue", actor=ASSISTANT, customer_id="c1", community="东区",
        level=VipLevel.GOVERNMENT_OFFICIAL, birthdays={"self": date(1970, 5, 20)},
    )  # fmt: skip
    office.plan_care(command_id="care", actor=ASSISTANT, community="东区", year=2025)


def _revoke(office: VipOffice) -> Any:
    return office.revoke(
        command_id="revoke", actor=MANAGER, customer_id="c1",
        ground=RevocationGround.MALICIOUS_ARREARS,
    )  # fmt: skip


def test_revoking_a_replacement_card_cancels_the_care_queued_for_it(tmp_path: Path) -> None:
    """JK1001 planned 4 greetings, JK1002 replaced it and kept them; JK1002 revoked: 4 cancelled."""
    made = _vip_store(tmp_path / "crm.db")
    clock = FixedClock(datetime(2025, 3, 3, 10, tzinfo=SH))
    office = VipOffice(made, clock=clock)
    _issue_and_plan(office)  # Dragon Boat, Mid-Autumn, National Day, the birthday on 20 May
    clock.set(datetime(2025, 3, 4, 10, tzinfo=SH))
    office.replace(command_id="replace", actor=ASSISTANT, customer_id="c1")  # now JK1002
    again = office.plan_care(command_id="care-2", actor=ASSISTANT, community="东区", year=2025)
    assert (again.task_ids, len(again.already)) == ((), 4)  # JK1001's tasks serve JK1002
    clock.set(datetime(2025, 3, 5, 10, tzinfo=SH))
    _revoke(office)
    statuses = [t.status for t in made.callback_tasks.list(limit=100).items]
    made.close()
    assert statuses == [TaskStatus.CANCELLED] * 4


def test_the_report_does_not_count_cancelled_care_as_due(tmp_path: Path) -> None:
    """Four 2025 greetings cancelled on 5 March: the report's VIP care has nothing due."""
    made = _vip_store(tmp_path / "crm.db")
    clock = FixedClock(datetime(2025, 3, 3, 10, tzinfo=SH))
    office = VipOffice(made, clock=clock)
    _issue_and_plan(office)
    clock.set(datetime(2025, 3, 5, 10, tzinfo=SH))
    _revoke(office)
    made.close()
    assert build_report(tmp_path / "crm.db", period="2025").vip_care.get("greeting", (0, 0)) == (
        0,
        0,
    )


def test_a_greeting_made_before_the_revocation_stays_done(tmp_path: Path) -> None:
    """20 May's greeting, called at 09:30 and revoked at 10:00 (due 20:00), keeps its outcome."""
    made = _vip_store(tmp_path / "crm.db")
    clock = FixedClock(datetime(2025, 3, 3, 10, tzinfo=SH))
    office = VipOffice(made, clock=clock)
    _issue_and_plan(office)
    task_id = "vip_card:JK1001:vip:greeting:birthday:self:2025"
    task = made.callback_tasks.get(task_id)
    called = Outcome(datetime(2025, 5, 20, 9, 30, tzinfo=SH), reached=True)
    made.callback_tasks.update(
        attrs.evolve(record_outcome(task, called).task, version=task.version)
    )
    clock.set(datetime(2025, 5, 20, 10, tzinfo=SH))
    archive = _revoke(office)
    kept = made.callback_tasks.get(task_id)
    made.close()
    assert (kept.status, kept.outcome == called) == (TaskStatus.DONE, True)
    assert task_id not in archive.events[-1].reasons[-1].facts["task_ids"]
