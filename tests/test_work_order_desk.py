"""The work-order desk end to end, on the memory store and on a SQLite file."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind
from propcrm.errors import ConflictError, PermissionDeniedError, ValidationError
from propcrm.privacy import PersonalData, PersonalKind
from propcrm.records import ChargeState, NotificationKind, RepairCategory
from propcrm.roles import Role
from propcrm.services import Actor, WorkOrderDesk
from propcrm.sla import EventKind, SlaState
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.work_orders import WorkOrderState

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2025, 3, 3, 23, 10, tzinfo=SH)  # Monday night
ROOM = Actor("night-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
SUPERVISOR = Actor("eng-1", roles=[Role.ENGINEERING_SUPERVISOR], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
OTHER = Actor("desk-9", roles=[Role.DESK_STAFF], communities=["西区"])


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    """The desk's clock, Monday 3 March 2025, 23:10 in Shanghai."""
    return FixedClock(NIGHT)


@pytest.fixture
def desk(store: Any, clock: FixedClock) -> WorkOrderDesk:
    """A work-order desk with one listed item: replacing a tap washer, ¥15."""
    return WorkOrderDesk(store, clock=clock, price_list={"tap washer": Decimal("15")})


def _leak(desk: WorkOrderDesk, n: int = 1) -> Any:
    return desk.register(
        command_id=f"reg-{n}", actor=ROOM, work_order_id=f"WO-{n}", community="东区",
        customer_id="cust-1", address="上海市浦东新区东区3号楼1201", contact="13812345678",
        content="water pouring from the ceiling", category=RepairCategory.BUILDING_SYSTEMS,
        sla_kind="repair.emergency", callback_kind="leak",
    )  # fmt: skip


def _at(clock: FixedClock, day: int, hour: int, minute: int) -> None:
    clock.set(datetime(2025, 3, day, hour, minute, tzinfo=SH))


def _fixed_with_charge(desk: WorkOrderDesk, clock: FixedClock, amount: str) -> Any:
    _leak(desk)
    desk.dispatch(command_id="d", actor=ROOM, work_order_id="WO-1", technician_id="tech-7")
    return desk.charge(
        command_id="c", actor=ROOM, work_order_id="WO-1", item="pipe section", amount=amount
    )


def test_a_night_leak_through_repair_charge_sign_off_and_callback(
    desk: WorkOrderDesk, clock: FixedClock, store: Any
) -> None:
    """Leak 23:10 → fixed 02:40 within the 07:10 emergency due → callback finds a drip."""
    slip = _leak(desk)
    assert (slip.received_at, slip.received_by, slip.address.kind) == (
        NIGHT,
        "night-1",
        PersonalKind.ADDRESS,
    )
    # 急修不过夜 with at least 8 h: received 23:10, due 07:10 the next morning.
    _at(clock, 3, 23, 30)
    (fixed,) = desk.sla_status("WO-1")
    assert (fixed.state, fixed.due_at) == (SlaState.RUNNING, datetime(2025, 3, 4, 7, 10, tzinfo=SH))
    desk.accept(command_id="acc", actor=ROOM, work_order_id="WO-1")
    _at(clock, 3, 23, 35)
    desk.dispatch(command_id="dis", actor=ROOM, work_order_id="WO-1", technician_id="tech-7")
    _at(clock, 3, 23, 50)
    desk.arrive(command_id="arr", actor=ROOM, work_order_id="WO-1")
    _at(clock, 4, 0, 30)
    slip = desk.charge(
        command_id="chg", actor=ROOM, work_order_id="WO-1", item="pipe section", amount="180"
    )
    assert slip.charge.state is ChargeState.AWAITING_MANAGER
    with pytest.raises(ValidationError, match="charge is approved"):
        desk.fix(command_id="fix-early", actor=ROOM, work_order_id="WO-1")
    desk.record_agreement(command_id="agr", actor=ROOM, work_order_id="WO-1")
    slip = desk.confirm_charge(command_id="ok", actor=MANAGER, work_order_id="WO-1")
    assert (slip.charge.state, slip.charge.confirmed_by, slip.charge.amount) == (  # type: ignore[union-attr]
        ChargeState.APPROVED,
        "mgr-1",
        Decimal("180.00"),
    )
    _at(clock, 4, 2, 40)
    desk.fix(command_id="fix", actor=ROOM, work_order_id="WO-1")
    (fixed,) = desk.sla_status("WO-1")
    assert fixed.state is SlaState.MET
    _at(clock, 4, 2, 50)
    slip = desk.sign_off(command_id="sign", actor=ROOM, work_order_id="WO-1")
    assert slip.signed_off_at == datetime(2025, 3, 4, 2, 50, tzinfo=SH)
    assert store.work_orders.get("WO-1").state is WorkOrderState.CLOSED
    # The first repair callback of 东区 goes to the repair lead (60 % share, largest deficit).
    task = store.callback_tasks.get(slip.callback_task_id)
    assert (task.owner_role, task.technician_id) == ("repair_lead", "tech-7")
    assert store.allocator_states.get("repair_callbacks:东区").counts == {
        "repair_lead": 1,
        "engineering_supervisor": 0,
        "service_centre_manager": 0,
    }
    _at(clock, 5, 10, 0)
    desk.record_callback(
        command_id="cb", actor=ROOM, work_order_id="WO-1", reached=True, problem="still drips"
    )
    (note,) = store.notifications.pending()
    assert (note.kind, note.to_ids, note.to_roles, note.subject_id) == (
        NotificationKind.RECTIFICATION,
        ("tech-7",),
        (Role.ENGINEERING_SUPERVISOR,),
        "WO-1",
    )
    # the written notice is due 24 h after the callback
    assert "2025-03-06T10:00:00+08:00" in note.message


def test_a_satisfied_callback_writes_no_notice(
    desk: WorkOrderDesk, clock: FixedClock, store: Any
) -> None:
    """A callback finding no problem leaves the outbox empty and the task done."""
    _leak(desk)
    desk.dispatch(command_id="d", actor=ROOM, work_order_id="WO-1", technician_id="tech-7")
    desk.fix(command_id="f", actor=ROOM, work_order_id="WO-1")
    slip = desk.sign_off(command_id="s", actor=ROOM, work_order_id="WO-1")
    desk.record_callback(
        command_id="cb", actor=ROOM, work_order_id="WO-1", reached=True, satisfied=True
    )
    assert (
        len(store.notifications.pending()),
        store.callback_tasks.get(slip.callback_task_id).outcome.satisfied,
    ) == (0, True)


def test_the_second_callback_goes_to_the_engineering_supervisor(
    desk: WorkOrderDesk, store: Any
) -> None:
    """After one to the repair lead, deficits are 0.2/0.6/0.2: the supervisor's is largest."""
    for n in (1, 2):
        _leak(desk, n)
        desk.dispatch(command_id=f"d{n}", actor=ROOM, work_order_id=f"WO-{n}", technician_id="t")
        desk.fix(command_id=f"f{n}", actor=ROOM, work_order_id=f"WO-{n}")
        slip = desk.sign_off(command_id=f"s{n}", actor=ROOM, work_order_id=f"WO-{n}")
    assert store.callback_tasks.get(slip.callback_task_id).owner_role == "engineering_supervisor"


def test_exactly_100_yuan_is_confirmed_by_the_supervisor(
    desk: WorkOrderDesk, clock: FixedClock
) -> None:
    """¥100.00 off the list counts as under the limit (RULES § 9 Decision)."""
    slip = _fixed_with_charge(desk, clock, "100")
    assert slip.charge.state is ChargeState.AWAITING_SUPERVISOR
    slip = desk.confirm_charge(command_id="ok", actor=SUPERVISOR, work_order_id="WO-1")
    assert slip.charge.state is ChargeState.APPROVED


def test_a_cent_over_100_needs_the_manager(desk: WorkOrderDesk, clock: FixedClock) -> None:
    """¥100.01 off the list waits for the agreement and the service-centre manager."""
    slip = _fixed_with_charge(desk, clock, "100.01")
    assert slip.charge.state is ChargeState.AWAITING_MANAGER
    with pytest.raises(PermissionDeniedError, match="service_centre_manager"):
        desk.confirm_charge(command_id="ok", actor=SUPERVISOR, work_order_id="WO-1")


def test_the_manager_confirms_only_after_the_agreement(
    desk: WorkOrderDesk, clock: FixedClock
) -> None:
    """Over ¥100 without a signed agreement the manager's confirmation is refused."""
    _fixed_with_charge(desk, clock, "250")
    with pytest.raises(ValidationError, match="agreement"):
        desk.confirm_charge(command_id="ok", actor=MANAGER, work_order_id="WO-1")


def test_a_listed_item_is_charged_as_listed(desk: WorkOrderDesk) -> None:
    """A price-list item is approved at once at its listed price; another price is refused."""
    _leak(desk)
    with pytest.raises(ValidationError, match="listed price 15"):
        desk.charge(command_id="c0", actor=ROOM, work_order_id="WO-1", item="tap washer", amount=20)
    slip = desk.charge(command_id="c1", actor=ROOM, work_order_id="WO-1", item="tap washer")
    assert (slip.charge.state, slip.charge.amount, slip.charge.listed) == (
        ChargeState.APPROVED,
        Decimal("15.00"),
        True,
    )


def test_an_off_list_item_needs_an_amount(desk: WorkOrderDesk) -> None:
    """Off the list the assessed amount must be given."""
    _leak(desk)
    with pytest.raises(ValidationError, match="amount"):
        desk.charge(command_id="c", actor=ROOM, work_order_id="WO-1", item="valve")


def test_a_retried_command_id_is_a_no_op(desk: WorkOrderDesk, store: Any) -> None:
    """Dispatching twice under one command id records one dispatch."""
    _leak(desk)
    for _ in range(2):
        desk.dispatch(command_id="d", actor=ROOM, work_order_id="WO-1", technician_id="tech-7")
    kinds = [e.kind for e in store.work_orders.get("WO-1").timeline.events]
    assert kinds == [EventKind.RECEIVED, EventKind.DISPATCHED]


def test_a_failing_step_rolls_back_everything(desk: WorkOrderDesk, store: Any) -> None:
    """A callback that cannot be stored undoes the sign-off, the closing and the allocator."""
    _leak(desk)
    desk.dispatch(command_id="d", actor=ROOM, work_order_id="WO-1", technician_id="tech-7")
    desk.fix(command_id="f", actor=ROOM, work_order_id="WO-1")
    store.callback_tasks.add(
        CallbackTask(
            "work_order:WO-1:repair:visit",
            Subject(SubjectKind.WORK_ORDER, "WO-1"),
            CallbackKind.VISIT,
            "cust-1",
            "repair_lead",
            NIGHT,
            NIGHT + timedelta(days=1),
        )
    )
    with pytest.raises(ConflictError):
        desk.sign_off(command_id="s", actor=ROOM, work_order_id="WO-1")
    slip = store.repair_slips.get("WO-1")
    assert (slip.signed_off_at, store.work_orders.get("WO-1").state, len(store.allocator_states),
            store.commands.find("s")) == (None, WorkOrderState.RESOLVED, 0, None)  # fmt: skip


def test_an_actor_of_another_community_is_refused(desk: WorkOrderDesk) -> None:
    """A 西区 desk cannot register or dispatch a 东区 order."""
    with pytest.raises(PermissionDeniedError):
        desk.register(
            command_id="r", actor=OTHER, work_order_id="WO-9", community="东区",
            customer_id="c", address="上海市浦东新区东区3号楼", contact="13812345678",
            content="leak", category="house",
        )  # fmt: skip
    _leak(desk)
    with pytest.raises(PermissionDeniedError):
        desk.dispatch(command_id="d", actor=OTHER, work_order_id="WO-1", technician_id="t")


def test_pauses_and_appointments_are_recorded_on_the_timeline(
    desk: WorkOrderDesk, store: Any
) -> None:
    """An appointment, its change, a pause with its reason and the resume join the timeline."""
    desk.register(
        command_id="r", actor=ROOM, work_order_id="WO-1", community="东区", customer_id="c",
        address=PersonalData(PersonalKind.ADDRESS, "上海市浦东新区东区3号楼"),
        contact="13812345678", content="door lock", category="house",
    )  # fmt: skip
    later = NIGHT + timedelta(days=1)
    desk.appoint(command_id="a1", actor=ROOM, work_order_id="WO-1", appointment=later)
    desk.appoint(command_id="a2", actor=ROOM, work_order_id="WO-1", appointment=later)
    desk.pause(command_id="p", actor=ROOM, work_order_id="WO-1", reason="waiting_on_customer")
    desk.resume(command_id="u", actor=ROOM, work_order_id="WO-1")
    order = store.work_orders.get("WO-1")
    assert [e.kind for e in order.timeline.events][1:] == [
        EventKind.APPOINTMENT_SET,
        EventKind.APPOINTMENT_CHANGED,
        EventKind.PAUSED,
        EventKind.RESUMED,
    ]
    assert (order.sla_kind, order.timeline.events[3].reason) == (
        "repair.in_home",
        "waiting_on_customer",
    )


def test_sign_off_needs_a_fixed_order(desk: WorkOrderDesk) -> None:
    """An order not yet fixed cannot be signed off."""
    _leak(desk)
    with pytest.raises(ValidationError, match="fixed order"):
        desk.sign_off(command_id="s", actor=ROOM, work_order_id="WO-1")


def test_an_order_is_accepted_once(desk: WorkOrderDesk) -> None:
    """Accepting twice (two command ids) is refused."""
    _leak(desk)
    desk.accept(command_id="a1", actor=ROOM, work_order_id="WO-1")
    with pytest.raises(ValidationError, match="not yet accepted"):
        desk.accept(command_id="a2", actor=ROOM, work_order_id="WO-1")
