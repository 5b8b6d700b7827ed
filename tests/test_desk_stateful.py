"""Random desk commands against the memory and SQLite stores: same answers, invariants kept."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from propcrm import FixedClock
from propcrm.complaints import Grade
from propcrm.errors import NotFoundError, PropcrmError
from propcrm.records import CaseEventKind, ChargeState, RepairCategory
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, WorkOrderDesk
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.work_orders import WorkOrderState

START = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
CLERK = Actor("desk-1", roles=["desk_staff"], communities=["东区"])
IDS = st.integers(1, 5).map(lambda n: f"C-{n}")
STEPS = st.sampled_from(
    [CaseEventKind.INVESTIGATED, CaseEventKind.RESPONDED, CaseEventKind.FED_BACK]
)


class DesksAgree(RuleBasedStateMachine):
    """Two desks, one per store, given the same commands at the same moments."""

    def __init__(self) -> None:
        super().__init__()
        self.clocks = [FixedClock(START), FixedClock(START)]
        self.desks = [
            ComplaintDesk(MemoryStore(), clock=self.clocks[0]),
            ComplaintDesk(SqliteStore(":memory:"), clock=self.clocks[1]),
        ]
        self.count = 0
        self.last: tuple[str, Callable[[ComplaintDesk, str], object], object] | None = None
        self.held: dict[str, Grade] = {}  # the grade each open complaint held last time

    def teardown(self) -> None:
        for desk in self.desks:
            desk.store.close()

    def _both(self, command: Callable[[ComplaintDesk, str], object]) -> None:
        """Run ``command`` with a fresh command id on both desks; they must agree."""
        self.count += 1
        command_id = f"cmd-{self.count}"
        outcome = self._agree(command, command_id)
        self.last = (command_id, command, outcome)

    def _agree(self, command: Callable[[ComplaintDesk, str], object], command_id: str) -> object:
        outcomes: list[object] = []
        for desk in self.desks:
            try:
                outcomes.append(("ok", command(desk, command_id)))
            except PropcrmError as e:
                outcomes.append(("error", type(e)))
        assert outcomes[0] == outcomes[1]
        return outcomes[0]

    @rule(complaint_id=IDS, people=st.integers(1, 4), subject=st.sampled_from(["lift", "pump"]))
    def register(self, complaint_id: str, people: int, subject: str) -> None:
        self._both(
            lambda desk, command_id: desk.register(
                command_id=command_id, actor=CLERK, complaint_id=complaint_id,
                community="东区", customer_id=f"cust-{complaint_id}", summary="noise",
                category="noise", subject=subject,
                complainant_ids=[f"{complaint_id}-{i}" for i in range(people)],
            )
        )  # fmt: skip

    @rule(complaint_id=IDS, department=st.sampled_from(["engineering", "security"]))
    def liaison_slip(self, complaint_id: str, department: str) -> None:
        self._both(
            lambda desk, command_id: desk.send_liaison_slip(
                command_id=command_id, actor=CLERK, complaint_id=complaint_id,
                department=department,
            )
        )  # fmt: skip

    @rule(complaint_id=IDS, kind=STEPS)
    def step(self, complaint_id: str, kind: CaseEventKind) -> None:
        self._both(
            lambda desk, command_id: desk.record_step(
                command_id=command_id, actor=CLERK, complaint_id=complaint_id, kind=kind,
                note="done",
            )
        )  # fmt: skip

    @rule(complaint_id=IDS)
    def handled(self, complaint_id: str) -> None:
        self._both(
            lambda desk, command_id: desk.mark_handled(
                command_id=command_id, actor=CLERK, complaint_id=complaint_id, result="fixed"
            )
        )

    @rule(complaint_id=IDS, reached=st.booleans(), satisfied=st.booleans())
    def satisfaction(self, complaint_id: str, reached: bool, satisfied: bool) -> None:
        self._both(
            lambda desk, command_id: desk.record_satisfaction(
                command_id=command_id, actor=CLERK, complaint_id=complaint_id,
                reached=reached, satisfied=satisfied and reached,
            )
        )  # fmt: skip

    @rule(complaint_id=IDS, new_id=IDS)
    def reopen(self, complaint_id: str, new_id: str) -> None:
        self._both(
            lambda desk, command_id: desk.reopen(
                command_id=command_id, actor=CLERK, complaint_id=complaint_id,
                new_complaint_id=new_id, summary="again",
            )
        )  # fmt: skip

    @rule()
    def sweep(self) -> None:
        self._both(lambda desk, command_id: desk.sweep(command_id=command_id, actor=CLERK))

    @rule(hours=st.sampled_from([1, 20, 24 * 7, 24 * 31]))
    def advance(self, hours: int) -> None:
        for clock in self.clocks:
            clock.advance(timedelta(hours=hours))

    @precondition(lambda self: self.last is not None)
    @rule()
    def retry(self) -> None:
        """The last command again under its id: the same answer, or the same error."""
        assert self.last is not None
        command_id, command, first = self.last
        before = [_complaint_snapshot(desk.store) for desk in self.desks]
        again = self._agree(command, command_id)
        if first[0] == "ok":  # type: ignore[index]
            assert again == first
            assert [_complaint_snapshot(desk.store) for desk in self.desks] == before

    @invariant()
    def same_register(self) -> None:
        """Both stores hold the same cases."""
        lists = [desk.store.complaint_cases.list(limit=50).items for desk in self.desks]
        assert lists[0] == lists[1]

    @invariant()
    def grades_never_fall_while_open(self) -> None:
        """An open complaint's grade is at least the one it held before."""
        for case in self.desks[1].store.complaint_cases.list(limit=50).items:
            if case.is_open:
                assert case.grade >= self.held.get(case.id, Grade.GENERAL)
                self.held[case.id] = case.grade
            else:
                self.held.pop(case.id, None)

    @invariant()
    def handled_complaints_have_a_callback(self) -> None:
        """A handled or closed complaint has its callback task in the store."""
        store: Any = self.desks[1].store
        for case in store.complaint_cases.list(limit=50).items:
            if not case.is_open:
                assert store.callback_tasks.get(case.callback_task_id).subject.record_id == case.id


def _complaint_snapshot(store: Any) -> tuple[object, ...]:
    """What the complaint commands write, to tell whether a command changed anything."""
    return (
        store.complaint_cases.list(limit=50).items,
        store.complaints.list(limit=50).items,
        len(store.case_events),
        len(store.grade_records),
        len(store.callback_tasks),
        len(store.notifications),
        len(store.commands),
    )


DesksAgree.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
test_desks_agree = DesksAgree.TestCase


# --- the work-order desk ----------------------------------------------------------------

ROOM = Actor("room-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
SUPERVISOR = Actor("eng-1", roles=[Role.ENGINEERING_SUPERVISOR], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
PRICES = {"tap washer": Decimal("15")}
ALLOCATOR = "repair_callbacks:东区"


class WorkOrderDesksAgree(RuleBasedStateMachine):
    """Two work-order desks, one per store, given the same commands at the same moments."""

    def __init__(self) -> None:
        super().__init__()
        self.clocks = [FixedClock(START), FixedClock(START)]
        self.desks = [
            WorkOrderDesk(MemoryStore(), clock=self.clocks[0], price_list=PRICES),
            WorkOrderDesk(SqliteStore(":memory:"), clock=self.clocks[1], price_list=PRICES),
        ]
        self.count = 0
        self.last: tuple[str, Callable[[WorkOrderDesk, str], object], object] | None = None
        self.orders: list[str] = []  # registered, in order

    def teardown(self) -> None:
        for desk in self.desks:
            desk.store.close()

    def _both(self, command: Callable[[WorkOrderDesk, str], object]) -> None:
        """Run ``command`` with a fresh command id on both desks; they must agree."""
        self.count += 1
        command_id = f"cmd-{self.count}"
        self.last = (command_id, command, self._agree(command, command_id))

    def _agree(self, command: Callable[[WorkOrderDesk, str], object], command_id: str) -> object:
        outcomes: list[object] = []
        for desk in self.desks:
            try:
                outcomes.append(("ok", command(desk, command_id)))
            except PropcrmError as e:
                outcomes.append(("error", type(e)))
        assert outcomes[0] == outcomes[1]
        return outcomes[0]

    @precondition(lambda self: len(self.orders) < 2)
    @rule(
        category=st.sampled_from(RepairCategory),
        emergency=st.booleans(),
        callback_kind=st.sampled_from(["ordinary", "leak"]),
    )
    def register(self, category: RepairCategory, emergency: bool, callback_kind: str) -> None:
        order = f"WO-{len(self.orders) + 1}"
        self.orders.append(order)
        self._both(
            lambda desk, command_id: desk.register(
                command_id=command_id, actor=ROOM, work_order_id=order, community="东区",
                customer_id=f"cust-{order}", address="上海市浦东新区东区3号楼1201",
                contact="13812345678", content="no hot water", category=category,
                sla_kind="repair.emergency" if emergency else None, callback_kind=callback_kind,
            )
        )  # fmt: skip

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.accept(command_id=c, actor=ROOM, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), technician=st.sampled_from(["tech-1", "tech-2"]))
    def dispatch(self, data: st.DataObject, technician: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(
            lambda d, c: d.dispatch(
                command_id=c, actor=ROOM, work_order_id=order, technician_id=technician
            )
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def arrive(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.arrive(command_id=c, actor=ROOM, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), hours=st.integers(1, 30))
    def appoint(self, data: st.DataObject, hours: int) -> None:
        order = data.draw(st.sampled_from(self.orders))
        visit = self.clocks[0].now() + timedelta(hours=hours)
        self._both(
            lambda d, c: d.appoint(command_id=c, actor=ROOM, work_order_id=order, appointment=visit)
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), reason=st.sampled_from(["waiting_on_customer", "parts_on_order"]))
    def pause(self, data: st.DataObject, reason: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(
            lambda d, c: d.pause(command_id=c, actor=ROOM, work_order_id=order, reason=reason)
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def resume(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.resume(command_id=c, actor=ROOM, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(
        data=st.data(),
        item=st.sampled_from(["tap washer", "pipe section"]),
        amount=st.sampled_from([None, "15", "60", "100", "100.01", "380"]),
    )
    def charge(self, data: st.DataObject, item: str, amount: str | None) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(
            lambda d, c: d.charge(
                command_id=c, actor=ROOM, work_order_id=order, item=item, amount=amount
            )
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def agreement(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.record_agreement(command_id=c, actor=ROOM, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), who=st.sampled_from([ROOM, SUPERVISOR, MANAGER]))
    def confirm(self, data: st.DataObject, who: Actor) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.confirm_charge(command_id=c, actor=who, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def fix(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.fix(command_id=c, actor=ROOM, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def sign_off(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(lambda d, c: d.sign_off(command_id=c, actor=ROOM, work_order_id=order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), reached=st.booleans(), satisfied=st.booleans(), problem=st.booleans())
    def callback(self, data: st.DataObject, reached: bool, satisfied: bool, problem: bool) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._both(
            lambda d, c: d.record_callback(
                command_id=c, actor=ROOM, work_order_id=order, reached=reached,
                satisfied=satisfied and reached and not problem,
                problem="still dripping" if problem and reached else "",
            )
        )  # fmt: skip

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), stale=st.booleans())
    def at_version(self, data: st.DataObject, stale: bool) -> None:
        order = data.draw(st.sampled_from(self.orders))
        """A command at the version read, or at an older one: a conflict, on both."""
        version = self.desks[1].store.repair_slips.get(order).version - (1 if stale else 0)
        self._both(
            lambda d, c: d.accept(command_id=c, actor=ROOM, work_order_id=order, version=version)
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def sla_status(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._agree(lambda d, c: d.sla_status(order), "")

    @rule(minutes=st.sampled_from([5, 40, 60 * 5, 60 * 30]))
    def advance(self, minutes: int) -> None:
        for clock in self.clocks:
            clock.advance(timedelta(minutes=minutes))

    @precondition(lambda self: self.last is not None)
    @rule()
    def retry(self) -> None:
        """The last command again under its id: the same answer, and nothing changes."""
        assert self.last is not None
        command_id, command, first = self.last
        before = [_order_snapshot(desk.store) for desk in self.desks]
        again = self._agree(command, command_id)
        if first[0] == "ok":  # type: ignore[index]
            assert again == first
            assert [_order_snapshot(desk.store) for desk in self.desks] == before

    @invariant()
    def same_orders(self) -> None:
        """Both stores hold the same slips, timelines, callbacks and outbox."""
        assert _order_snapshot(self.desks[0].store) == _order_snapshot(self.desks[1].store)

    @invariant()
    def not_done_while_a_charge_waits(self) -> None:
        """An order whose charge awaits approval is neither fixed nor closed."""
        store: Any = self.desks[1].store
        for slip in store.repair_slips.list(limit=50).items:
            if slip.charge is not None and slip.charge.state is not ChargeState.APPROVED:
                state = store.work_orders.get(slip.id).state
                assert state not in (WorkOrderState.RESOLVED, WorkOrderState.CLOSED)

    @invariant()
    def signed_off_orders_have_a_callback_drawn_by_share(self) -> None:
        """Each signed-off order has its callback stored; the allocator counted each once."""
        store: Any = self.desks[1].store
        signed = [s for s in store.repair_slips.list(limit=50).items if s.signed_off_at]
        for slip in signed:
            assert store.callback_tasks.get(slip.callback_task_id).subject.record_id == slip.id
        state = _find(store.allocator_states, ALLOCATOR)
        assert (sum(state.counts.values()) if state else 0) == len(signed)


def _find(repository: Any, id: str) -> Any:
    try:
        return repository.get(id)
    except NotFoundError:
        return None


def _order_snapshot(store: Any) -> tuple[object, ...]:
    """What the work-order commands write, to compare stores and tell a change."""
    slips = store.repair_slips.list(limit=50).items
    return (
        slips,
        [store.work_orders.get(slip.id) for slip in slips],
        [_find(store.callback_tasks, slip.callback_task_id or "") for slip in slips],
        store.notifications.list(limit=50).items,
        _find(store.allocator_states, ALLOCATOR),
        len(store.commands),
    )


WorkOrderDesksAgree.TestCase.settings = settings(
    max_examples=100, stateful_step_count=30, deadline=None
)
test_work_order_desks_agree = WorkOrderDesksAgree.TestCase
