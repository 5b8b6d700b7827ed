"""Random desk commands against the memory and SQLite stores: same answers, invariants kept."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from propcrm import FixedClock
from propcrm.complaints import Grade
from propcrm.errors import PropcrmError
from propcrm.records import CaseEventKind
from propcrm.services import Actor, ComplaintDesk
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

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
        again = self._agree(command, command_id)
        if first[0] == "ok":  # type: ignore[index]
            assert again == first

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


DesksAgree.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
test_desks_agree = DesksAgree.TestCase
