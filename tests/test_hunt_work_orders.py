"""Hunting defects in the work-order and night desks, on the memory store and a SQLite file."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.errors import ValidationError
from propcrm.records import RepairCategory
from propcrm.roles import Role
from propcrm.services import Actor, NightDesk, WorkOrderDesk
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2025, 3, 3, 23, 10, tzinfo=SH)  # Monday night
ROOM = Actor("night-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
ADDRESS = "上海市浦东新区东区3号楼1201"


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 3 March 2025, 23:10 in Shanghai: the night shift."""
    return FixedClock(NIGHT)


@pytest.fixture
def desk(store: Any, clock: FixedClock) -> WorkOrderDesk:
    """A work-order desk with no price list."""
    return WorkOrderDesk(store, clock=clock)


@pytest.fixture
def night(store: Any, clock: FixedClock) -> NightDesk:
    """The night desk over the store, with the default policy."""
    return NightDesk(store, clock=clock)


def _register(desk: WorkOrderDesk, **extra: Any) -> Any:
    return desk.register(
        command_id="reg-1", actor=ROOM, work_order_id="WO-1", community="东区",
        customer_id="cust-1", address=ADDRESS, contact="13812345678",
        content="tap dripping", category=RepairCategory.HOUSE, **extra,
    )  # fmt: skip


def _signed_off(desk: WorkOrderDesk) -> Any:
    _register(desk)
    desk.dispatch(command_id="d", actor=ROOM, work_order_id="WO-1", technician_id="tech-7")
    desk.fix(command_id="f", actor=ROOM, work_order_id="WO-1")
    return desk.sign_off(command_id="s", actor=ROOM, work_order_id="WO-1")


def _log(night: NightDesk, **extra: Any) -> Any:
    return night.log(
        command_id="log-1", actor=ROOM, entry_id="N-1", community="东区",
        customer_id="cust-1", caller="13812345678", content="water dripping", **extra,
    )  # fmt: skip


def test_an_off_list_charge_of_nan_yuan_is_refused_as_an_amount(desk: WorkOrderDesk) -> None:
    """A charge of 'NaN' yuan is a ValidationError naming ``amount``, not a decimal crash."""
    _register(desk)
    with pytest.raises(ValidationError, match="amount"):
        desk.charge(command_id="c", actor=ROOM, work_order_id="WO-1", item="pipe", amount="NaN")


def test_register_refuses_an_unknown_callback_kind(desk: WorkOrderDesk, store: Any) -> None:
    """An unknown callback kind is refused at registration, not at sign-off, and opens nothing."""
    with pytest.raises(ValidationError, match="callback_kind"):
        _register(desk, callback_kind="flood")
    assert store.repair_slips.list(limit=10).items == ()


def test_an_emergency_with_an_unknown_callback_kind_is_refused(night: NightDesk) -> None:
    """A night emergency naming an unknown callback kind opens no unsignable work order."""
    with pytest.raises(ValidationError, match="callback_kind"):
        _log(night, emergency=True, address=ADDRESS, category="house", callback_kind="flood")


def test_routing_to_an_unknown_sla_kind_is_refused_at_once(night: NightDesk) -> None:
    """An unknown SLA kind is refused when the entry is routed, not at the morning handover."""
    _log(night)
    with pytest.raises(ValidationError, match="sla_kind"):
        night.assign_work_order(
            command_id="a", actor=ROOM, entry_id="N-1", address=ADDRESS, category="house",
            sla_kind="repair.urgent",
        )  # fmt: skip


def test_routing_with_an_unknown_callback_kind_is_refused_at_once(night: NightDesk) -> None:
    """An unknown callback kind is refused when the entry is routed, not at the handover."""
    _log(night)
    with pytest.raises(ValidationError, match="callback_kind"):
        night.assign_work_order(
            command_id="a", actor=ROOM, entry_id="N-1", address=ADDRESS, category="house",
            callback_kind="flood",
        )  # fmt: skip


def test_a_signed_off_order_cannot_be_dispatched_again(desk: WorkOrderDesk, store: Any) -> None:
    """The customer signed the slip: a new dispatch may not rewrite its technician."""
    _signed_off(desk)
    with pytest.raises(ValidationError, match="work_order_id"):
        desk.dispatch(command_id="d2", actor=ROOM, work_order_id="WO-1", technician_id="tech-9")
    assert store.repair_slips.get("WO-1").technician_id == "tech-7"


def test_a_signed_off_order_takes_no_new_appointment(desk: WorkOrderDesk) -> None:
    """The customer signed the slip: no visit is agreed on a closed order."""
    _signed_off(desk)
    with pytest.raises(ValidationError, match="work_order_id"):
        desk.appoint(
            command_id="ap", actor=ROOM, work_order_id="WO-1",
            appointment=datetime(2025, 3, 4, 10, 0, tzinfo=SH),
        )  # fmt: skip


def test_no_arrival_is_recorded_on_a_signed_off_order(desk: WorkOrderDesk, store: Any) -> None:
    """The customer signed the slip: a later arrival is refused and not put on the timeline."""
    _signed_off(desk)
    with pytest.raises(ValidationError, match="work_order_id"):
        desk.arrive(command_id="ar", actor=ROOM, work_order_id="WO-1")
    kinds = [event.kind.value for event in store.work_orders.get("WO-1").timeline.events]
    assert kinds == ["received", "dispatched", "resolved", "closed"]
