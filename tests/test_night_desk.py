"""Night duty end to end, on the memory store and on a SQLite file."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.errors import ConflictError, PermissionDeniedError, ValidationError
from propcrm.records import (
    ChargeState,
    NightAssignment,
    NightEntryState,
    NightRoute,
    NotificationKind,
)
from propcrm.roles import Role
from propcrm.services import Actor, HandoverReport, NightDesk, UnassignedEntriesError, WorkOrderDesk
from propcrm.sla import SlaState
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.work_orders import WorkOrderState

SH = ZoneInfo("Asia/Shanghai")
ROOM = Actor("night-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
WEST = Actor("night-9", roles=[Role.MONITORING_ROOM], communities=["西区"])
ADDRESS = "上海市浦东新区东区3号楼1201"


def _t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 3 March 2025, 23:10 in Shanghai: the night shift."""
    return FixedClock(_t(3, 23, 10))


@pytest.fixture
def desk(store: Any, clock: FixedClock) -> NightDesk:
    """The night desk over the store, with the default policy."""
    return NightDesk(store, clock=clock)


def _log(desk: NightDesk, n: int, **extra: Any) -> Any:
    return desk.log(
        command_id=f"log-{n}", actor=extra.pop("actor", ROOM), entry_id=f"N-{n}",
        community="东区", customer_id=f"cust-{n}", caller="13812345678",
        content=extra.pop("content", "water dripping from the ceiling"), **extra,
    )  # fmt: skip


def _burst(desk: NightDesk, n: int = 2) -> Any:
    return _log(
        desk, n, content="burst pipe", emergency=True, address=ADDRESS,
        category="building_systems", callback_kind="leak",
    )  # fmt: skip


def test_a_night_leak_through_handover_repair_charge_sign_off_callback_and_rectification(
    desk: NightDesk, clock: FixedClock, store: Any
) -> None:
    """Leak logged 23:10, handed over 08:40, repaired for ¥150; the callback finds a drip."""
    entry = _log(desk, 1)
    assert (entry.night_of, entry.state, entry.caller.kind.value) == (
        date(2025, 3, 3),
        NightEntryState.OPEN,
        "phone",
    )
    desk.assign_work_order(
        command_id="route-1", actor=ROOM, entry_id="N-1", address=ADDRESS, category="house",
        callback_kind="leak",
    )  # fmt: skip
    clock.set(_t(4, 8, 40))
    report = desk.handover(command_id="hand", actor=CLERK, community="东区")
    assert report == HandoverReport("东区", _t(4, 8, 40), "desk-1", ("N-1",), ("night:N-1",))
    slip = store.repair_slips.get("night:N-1")
    entry = store.night_entries.get("N-1")
    assert (slip.night_entry_id, entry.work_order_id, entry.state, slip.received_at) == (
        "N-1",
        "night:N-1",
        NightEntryState.HANDED_OVER,
        _t(3, 23, 10),
    )
    orders: WorkOrderDesk = desk.work_orders
    # received at night: the dispatch clock starts when the desk opens, 08:30, due 09:30
    dispatch = orders.sla_status("night:N-1")[0]
    assert (dispatch.target, dispatch.due_at) == ("dispatch", _t(4, 9, 30))
    clock.set(_t(4, 9, 0))
    orders.dispatch(command_id="d", actor=CLERK, work_order_id="night:N-1", technician_id="tech-7")
    clock.set(_t(4, 9, 10))
    orders.arrive(command_id="a", actor=CLERK, work_order_id="night:N-1")
    slip = orders.charge(
        command_id="c", actor=CLERK, work_order_id="night:N-1", item="pipe section", amount="150"
    )
    assert slip.charge.state is ChargeState.AWAITING_MANAGER
    orders.record_agreement(command_id="agr", actor=CLERK, work_order_id="night:N-1")
    orders.confirm_charge(command_id="ok", actor=MANAGER, work_order_id="night:N-1")
    clock.set(_t(4, 10, 0))
    orders.fix(command_id="f", actor=CLERK, work_order_id="night:N-1")
    clock.set(_t(4, 10, 5))
    slip = orders.sign_off(command_id="s", actor=CLERK, work_order_id="night:N-1")
    assert store.work_orders.get("night:N-1").state is WorkOrderState.CLOSED
    # a leak repair is called back within 3 days of the fix: by Fri 7 March 10:00
    task = store.callback_tasks.get(slip.callback_task_id)
    assert (task.due, task.owner_role) == (_t(7, 10, 0), "repair_lead")
    clock.set(_t(5, 10, 0))
    orders.record_callback(
        command_id="cb", actor=CLERK, work_order_id="night:N-1", reached=True, problem="drips"
    )
    (note,) = store.notifications.pending()
    assert (note.kind, note.to_ids, note.subject_id) == (
        NotificationKind.RECTIFICATION,
        ("tech-7",),
        "night:N-1",
    )


def test_an_emergency_goes_to_the_work_order_desk_at_once(desk: NightDesk, store: Any) -> None:
    """A burst pipe is a work order of kind repair.emergency as soon as it is logged."""
    entry = _burst(desk)
    slip = store.repair_slips.get("night:N-2")
    order = store.work_orders.get("night:N-2")
    assert (entry.state, entry.work_order_id, slip.night_entry_id, order.timeline.kind) == (
        NightEntryState.DISPATCHED,
        "night:N-2",
        "N-2",
        "repair.emergency",
    )


def test_an_emergency_at_two_is_due_by_midnight(desk: NightDesk, clock: FixedClock) -> None:
    """急修不过夜 with an 8-hour minimum: logged Tue 02:00, fixed by Wed 00:00."""
    clock.set(_t(4, 2, 0))
    _burst(desk)
    (fixed,) = desk.work_orders.sla_status("night:N-2")
    assert (fixed.state, fixed.due_at) == (SlaState.RUNNING, _t(5, 0, 0))


def test_a_call_after_midnight_belongs_to_the_night_before(
    desk: NightDesk, clock: FixedClock
) -> None:
    """A call at 02:00 on the 4th is logged in the night of the 3rd."""
    clock.set(_t(4, 2, 0))
    assert _log(desk, 1).night_of == date(2025, 3, 3)


def test_an_entry_in_the_day_shift_is_refused(
    desk: NightDesk, clock: FixedClock, store: Any
) -> None:
    """At 10:00 the desk is on duty: the night log refuses the entry and stores nothing."""
    clock.set(_t(4, 10, 0))
    with pytest.raises(ValidationError, match="^at: expected a moment in the night window"):
        _log(desk, 1)
    assert (len(store.night_entries), store.commands.find("log-1")) == (0, None)


def test_the_night_window_opens_at_half_past_six(desk: NightDesk) -> None:
    """18:29 is day shift, 18:30 and 08:29 are night, 08:30 is day again."""
    assert [
        desk.is_night(t) for t in (_t(3, 18, 29), _t(3, 18, 30), _t(4, 8, 29), _t(4, 8, 30))
    ] == [
        False,
        True,
        True,
        False,
    ]


def test_handover_names_the_entries_without_a_decision(
    desk: NightDesk, clock: FixedClock, store: Any
) -> None:
    """Two undecided entries: the handover is refused, naming both, and changes nothing."""
    _log(desk, 1)
    desk.assign_work_order(
        command_id="r1", actor=ROOM, entry_id="N-1", address=ADDRESS, category="house"
    )
    clock.set(_t(4, 1, 0))
    _log(desk, 2, content="neighbours' party")
    clock.set(_t(4, 3, 0))
    _log(desk, 3, content="lift stuck, nobody inside")
    clock.set(_t(4, 8, 40))
    with pytest.raises(UnassignedEntriesError, match="'N-2', 'N-3' have no decision") as info:
        desk.handover(command_id="h", actor=CLERK, community="东区")
    assert info.value.entry_ids == ("N-2", "N-3")
    assert (len(store.repair_slips), store.night_entries.get("N-1").state) == (
        0,
        NightEntryState.OPEN,
    )


def test_handover_turns_complaints_into_the_register(
    desk: NightDesk, clock: FixedClock, store: Any
) -> None:
    """A noise call routed as a complaint is registered at 08:40 as received at 01:00."""
    clock.set(_t(4, 1, 0))
    _log(desk, 1, content="pump room hums")
    desk.assign_complaint(
        command_id="r1", actor=ROOM, entry_id="N-1", category="noise", subject="pump room"
    )
    clock.set(_t(4, 8, 40))
    report = desk.handover(command_id="h", actor=CLERK, community="东区")
    case = store.complaint_cases.get("night:N-1")
    entry = store.night_entries.get("N-1")
    assert (report.complaint_ids, case.received_at, case.night_entry_id, case.owner_id) == (
        ("night:N-1",),
        _t(4, 1, 0),
        "N-1",
        "desk-1",
    )
    assert (entry.complaint_id, entry.assignment.route) == ("night:N-1", NightRoute.COMPLAINT)


def test_a_failing_handover_leaves_every_entry_open(
    desk: NightDesk, clock: FixedClock, store: Any
) -> None:
    """The second record's id is taken: the first work order is undone too, nothing handed over."""
    for n in (1, 2):
        _log(desk, n)
        desk.assign_work_order(
            command_id=f"r{n}", actor=ROOM, entry_id=f"N-{n}", address=ADDRESS, category="house"
        )
    desk.work_orders.register(
        command_id="taken", actor=CLERK, work_order_id="night:N-2", community="东区",
        customer_id="cust-9", address=ADDRESS, contact="13900000000", content="other",
        category="house",
    )  # fmt: skip
    clock.set(_t(4, 8, 40))
    with pytest.raises(ConflictError):
        desk.handover(command_id="h", actor=CLERK, community="东区")
    states = [store.night_entries.get(f"N-{n}").state for n in (1, 2)]
    assert (states, len(store.repair_slips), store.commands.find("h")) == (
        [NightEntryState.OPEN, NightEntryState.OPEN],
        1,
        None,
    )


def test_a_retried_log_changes_nothing(desk: NightDesk, store: Any) -> None:
    """The same command id again returns the first entry; one entry, one work order."""
    first = _burst(desk)
    again = _burst(desk)
    assert (again, len(store.night_entries), len(store.repair_slips)) == (first, 1, 1)


def test_a_retried_handover_changes_nothing(desk: NightDesk, clock: FixedClock, store: Any) -> None:
    """Handing over again under the same id returns the first report and opens nothing new."""
    _log(desk, 1)
    desk.assign_work_order(
        command_id="r1", actor=ROOM, entry_id="N-1", address=ADDRESS, category="house"
    )
    clock.set(_t(4, 8, 40))
    first = desk.handover(command_id="h", actor=CLERK, community="东区")
    clock.set(_t(4, 9, 0))
    assert (
        desk.handover(command_id="h", actor=CLERK, community="东区"),
        len(store.repair_slips),
    ) == (
        first,
        1,
    )


def test_a_handed_over_entry_cannot_be_routed_again(desk: NightDesk, clock: FixedClock) -> None:
    """Once handed over, an entry refuses a new decision."""
    _log(desk, 1)
    desk.assign_complaint(command_id="r1", actor=ROOM, entry_id="N-1", category="n", subject="s")
    clock.set(_t(4, 8, 40))
    desk.handover(command_id="h", actor=CLERK, community="东区")
    with pytest.raises(ValidationError, match="^entry_id: expected an open night entry"):
        desk.assign_complaint(
            command_id="r2", actor=CLERK, entry_id="N-1", category="n", subject="s"
        )


def test_another_community_may_not_log(desk: NightDesk) -> None:
    """The monitoring room of 西区 cannot log a call of 东区."""
    with pytest.raises(PermissionDeniedError, match="not '东区'"):
        _log(desk, 1, actor=WEST)


def test_a_technician_may_not_keep_the_night_log(desk: NightDesk) -> None:
    """Only the monitoring room or the desk staff log night calls."""
    tech = Actor("tech-7", roles=[Role.TECHNICIAN], communities=["东区"])
    with pytest.raises(PermissionDeniedError, match="monitoring_room"):
        _log(desk, 1, actor=tech)


def test_the_monitoring_room_does_not_take_the_handover(desk: NightDesk, clock: FixedClock) -> None:
    """The morning shift (desk staff or customer supervisor) takes the handover."""
    clock.set(_t(4, 8, 40))
    with pytest.raises(PermissionDeniedError, match="customer_supervisor, desk_staff"):
        desk.handover(command_id="h", actor=ROOM, community="东区")


def test_an_emergency_without_an_address_is_refused(desk: NightDesk) -> None:
    """An emergency needs the address to send a technician to."""
    with pytest.raises(ValidationError, match="^address: expected the repair's address"):
        _log(desk, 1, emergency=True, category="house")


def test_an_empty_caller_is_refused(desk: NightDesk) -> None:
    """The caller's phone is required, named in the error."""
    with pytest.raises(ValidationError, match="^caller: expected non-empty text"):
        desk.log(
            command_id="l", actor=ROOM, entry_id="N-1", community="东区", customer_id="c",
            caller=" ", content="x",
        )  # fmt: skip


def test_a_complaint_needs_a_subject(desk: NightDesk) -> None:
    """Routing to a complaint without a subject names the argument."""
    _log(desk, 1)
    with pytest.raises(ValidationError, match="^subject: expected non-empty text"):
        desk.assign_complaint(command_id="r", actor=ROOM, entry_id="N-1", category="n", subject="")


def test_a_desk_on_another_store_is_refused(store: Any, clock: FixedClock) -> None:
    """The records a night entry opens must commit with it: same store."""
    other = WorkOrderDesk(MemoryStore(), clock=clock)
    with pytest.raises(ValidationError, match="^work_orders: expected a WorkOrderDesk on the same"):
        NightDesk(store, clock=clock, work_orders=other)


def test_a_request_received_after_its_command_is_refused(desk: NightDesk) -> None:
    """received_at later than the command's time cannot be: the argument is named."""
    with pytest.raises(ValidationError, match="^received_at: expected a moment no later"):
        desk.work_orders.register(
            command_id="r", actor=CLERK, work_order_id="WO-1", community="东区",
            customer_id="c", address=ADDRESS, contact="13800000000", content="x",
            category="house", received_at=_t(4, 0, 0),
        )  # fmt: skip


def test_an_entry_names_the_record_it_became(desk: NightDesk, store: Any) -> None:
    """record_id is the work order of an emergency, None while an entry is open."""
    assert (_log(desk, 1).record_id, _burst(desk).record_id) == (None, "night:N-2")


def test_a_complaint_assignment_needs_a_subject() -> None:
    """A NightAssignment routed to a complaint without a subject names the field."""
    with pytest.raises(ValidationError, match="^subject: expected the complaint's subject"):
        NightAssignment(NightRoute.COMPLAINT, decided_by="d", decided_at=_t(3, 23), category="n")


def test_blank_department_names_are_refused() -> None:
    """departments= holds non-empty names."""
    with pytest.raises(ValidationError, match="^departments: expected non-empty department"):
        NightAssignment(
            NightRoute.COMPLAINT, decided_by="d", decided_at=_t(3, 23), category="n",
            subject="s", departments=[" "],
        )  # fmt: skip


def test_night_entries_list_by_night_only_with_a_date(store: Any) -> None:
    """night_of= takes a datetime.date, named in the error otherwise."""
    with pytest.raises(ValidationError, match="^night_of: expected a datetime.date"):
        store.night_entries.list(night_of="2025-03-03")
