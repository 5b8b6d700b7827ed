"""The complaint desk end to end, on the memory store and on a SQLite file."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from propcrm import FixedClock
from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind
from propcrm.complaints import Grade, GradingPolicy
from propcrm.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from propcrm.policy import Policy
from propcrm.records import CaseEvent, CaseEventKind, CaseState, GradeRecord, NotificationKind
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, deliver_pending
from propcrm.services._complaint_desk import case_event, grade_record
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import CardNumber, VipCard, VipLevel

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 3, 3, 9, 0, tzinfo=SH)  # Monday
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
OTHER = Actor("desk-9", roles=[Role.DESK_STAFF], communities=["西区"])


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    """The desk's clock, Monday 3 March 2025, 09:00 in Shanghai."""
    return FixedClock(MON)


@pytest.fixture
def desk(store: Any, clock: FixedClock) -> ComplaintDesk:
    """A complaint desk over the store with the default policy."""
    return ComplaintDesk(store, clock=clock)


def _register(desk: ComplaintDesk, n: int, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "command_id": f"reg-{n}",
        "actor": CLERK,
        "complaint_id": f"C-{n}",
        "community": "东区",
        "customer_id": f"cust-{n}",
        "summary": "the pump room hums all night",
        "category": "noise",
        "subject": f"pump room {n}",
    }
    fields.update(changes)
    return desk.register(**fields)


def test_a_collective_complaint_escalates_over_a_month(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """3 complainants: HOT at once; still HOT at +1 week; MAJOR at +1 calendar month."""
    case = _register(desk, 1, complainant_ids=["a", "b", "c"])
    assert case.grade is Grade.HOT
    clock.set(MON + timedelta(days=7))
    assert desk.sweep(command_id="sweep-1", actor=CLERK).escalations == ()
    clock.set(datetime(2025, 4, 3, 8, 59, tzinfo=SH))
    assert desk.sweep(command_id="sweep-2", actor=CLERK).escalations == ()
    clock.set(datetime(2025, 4, 3, 9, 0, tzinfo=SH))
    report = desk.sweep(command_id="sweep-3", actor=CLERK)
    assert [(e.complaint_id, e.previous, e.grade) for e in report.escalations] == [
        ("C-1", Grade.HOT, Grade.MAJOR)
    ]
    assert [r.grade for r in store.grade_records.history("C-1")] == [Grade.HOT, Grade.MAJOR]
    assert store.complaint_cases.get("C-1").grade is Grade.MAJOR


def test_an_escalation_tells_the_new_handler_supervisor_and_owner(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """A GENERAL complaint unresolved a week goes to the AGM, the GA manager and its owner."""
    _register(desk, 1)
    clock.set(MON + timedelta(days=7))
    desk.sweep(command_id="sweep-1", actor=CLERK)
    [note] = store.notifications.pending()
    assert (note.kind, note.subject_id, note.to_roles, note.to_ids) == (
        NotificationKind.ESCALATION,
        "C-1",
        (Role.ASSISTANT_GENERAL_MANAGER, Role.GENERAL_AFFAIRS_MANAGER),
        ("desk-1",),
    )
    assert [r.rule for r in note.reasons] == ["complaint.hot.unresolved"]


def test_the_sweep_is_safe_to_run_twice(desk: ComplaintDesk, clock: FixedClock, store: Any) -> None:
    """A second sweep at the same moment, under a new command id, escalates nothing."""
    _register(desk, 1)
    clock.set(MON + timedelta(days=7))
    desk.sweep(command_id="sweep-1", actor=CLERK)
    again = desk.sweep(command_id="sweep-2", actor=CLERK)
    assert (again.escalations, len(store.notifications), len(store.grade_records)) == ((), 1, 2)


def test_a_retried_command_id_is_a_no_op(desk: ComplaintDesk, store: Any) -> None:
    """register() again with the same command id returns the first case and adds nothing."""
    first = _register(desk, 1)
    again = _register(desk, 1)
    assert (again, len(store.complaints), len(store.case_events)) == (first, 1, 2)


def test_a_command_id_retried_with_other_arguments_is_a_conflict(
    desk: ComplaintDesk, store: Any
) -> None:
    """The same id for another complaint is refused: two commands were given one id."""
    _register(desk, 1)
    with pytest.raises(ConflictError, match="other arguments"):
        _register(desk, 1, complaint_id="C-other", summary="different")
    assert (len(store.complaints), len(store.case_events)) == (1, 2)


def test_a_command_id_reused_for_another_command_is_a_conflict(desk: ComplaintDesk) -> None:
    """One id cannot name two different commands."""
    _register(desk, 1)
    with pytest.raises(ConflictError, match="complaints.register"):
        desk.sweep(command_id="reg-1", actor=CLERK)


def test_a_failing_step_rolls_back_everything(desk: ComplaintDesk, store: Any) -> None:
    """A callback that cannot be stored undoes the handling, its events and the command id."""
    _register(desk, 1)
    store.callback_tasks.add(_blocking_task())
    with pytest.raises(ConflictError):
        desk.mark_handled(command_id="h-1", actor=CLERK, complaint_id="C-1", result="fixed")
    case = store.complaint_cases.get("C-1")
    assert (case.state, case.events, len(store.case_events), store.commands.find("h-1")) == (
        CaseState.OPEN,
        2,
        2,
        None,
    )
    assert store.complaints.get("C-1").resolved_at is None


def _blocking_task() -> Any:
    """A task holding the id the complaint callback of C-1 will want."""
    return CallbackTask(
        "complaint:C-1:complaint:phone",
        Subject(SubjectKind.COMPLAINT, "C-1"),
        CallbackKind.PHONE,
        "cust-1",
        "desk_staff",
        MON,
        MON + timedelta(days=1),
    )


def test_two_desks_updating_one_complaint_one_conflict_nothing_lost(
    desk: ComplaintDesk, store: Any
) -> None:
    """Two desks act on the version they read: the second gets ConflictError, the first stays."""
    read = _register(desk, 1).version
    other = ComplaintDesk(store, clock=FixedClock(MON + timedelta(minutes=5)))
    desk.record_step(
        command_id="s-1", actor=CLERK, complaint_id="C-1",
        kind=CaseEventKind.INVESTIGATED, note="pump bearing worn", version=read,
    )  # fmt: skip
    with pytest.raises(ConflictError, match="read it again"):
        other.record_step(
            command_id="s-2", actor=CLERK, complaint_id="C-1",
            kind=CaseEventKind.VERIFIED, note="confirmed on site", version=read,
        )  # fmt: skip
    notes = [e.note for e in store.case_events.of_complaint("C-1")]
    assert (notes[-1], store.commands.find("s-2")) == ("pump bearing worn", None)


def test_an_actor_of_another_community_is_refused(desk: ComplaintDesk, store: Any) -> None:
    """A 西区 desk can neither register nor touch a 东区 complaint."""
    with pytest.raises(PermissionDeniedError, match="西区, not '东区'"):
        _register(desk, 1, actor=OTHER)
    _register(desk, 2)
    with pytest.raises(PermissionDeniedError):
        desk.record_step(
            command_id="x", actor=OTHER, complaint_id="C-2",
            kind=CaseEventKind.RESPONDED, note="we will look",
        )  # fmt: skip
    assert len(store.case_events) == 2


def test_the_first_receiver_owns_the_complaint(desk: ComplaintDesk) -> None:
    """首问负责制: the registering actor is the owner and the complaint's first receiver."""
    case = _register(desk, 1)
    assert (case.owner_id, desk.store.complaints.get("C-1").first_receiver_id) == (
        "desk-1",
        "desk-1",
    )


def test_a_liaison_slip_makes_it_important(desk: ComplaintDesk, store: Any) -> None:
    """Help from another department raises GENERAL to IMPORTANT (002 §40), with history."""
    _register(desk, 1)
    case = desk.send_liaison_slip(
        command_id="l-1", actor=CLERK, complaint_id="C-1", department="engineering"
    )
    assert (case.grade, case.departments) == (Grade.IMPORTANT, ("engineering",))
    assert [r.grade for r in store.grade_records.history("C-1")] == [
        Grade.GENERAL,
        Grade.IMPORTANT,
    ]


def test_the_third_complainant_in_a_month_makes_it_hot(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    """The same complaint from a third person within a month is HOT (002 §40)."""
    for n in (1, 2, 3):
        clock.set(MON + timedelta(days=10 * (n - 1)))
        case = _register(desk, n, subject="lift")
    assert case.grade is Grade.HOT


def test_investigation_and_verification_the_same_day(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    """Investigated 15:00 and verified 17:00 on the day of receipt counts as the same day."""
    _register(desk, 1)
    for kind, hour in ((CaseEventKind.INVESTIGATED, 15), (CaseEventKind.VERIFIED, 17)):
        clock.set(MON.replace(hour=hour))
        desk.record_step(
            command_id=kind.value, actor=CLERK, complaint_id="C-1", kind=kind, note="ok"
        )
    assert desk.investigated_same_day("C-1") is True


def test_verification_the_next_day_is_not_the_same_day(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    """Verified the day after receipt: the same-day rule did not hold."""
    _register(desk, 1)
    desk.record_step(
        command_id="i", actor=CLERK, complaint_id="C-1",
        kind=CaseEventKind.INVESTIGATED, note="ok",
    )  # fmt: skip
    clock.set(MON + timedelta(days=1))
    desk.record_step(
        command_id="v", actor=CLERK, complaint_id="C-1", kind=CaseEventKind.VERIFIED, note="ok"
    )
    assert desk.investigated_same_day("C-1") is False


def test_handled_plans_the_complaint_callback_then_satisfaction_closes(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """Handled Tue 10:00: phone callback due Wed 10:00 (24 h); a satisfied answer closes it."""
    _register(desk, 1)
    clock.set(datetime(2025, 3, 4, 10, 0, tzinfo=SH))
    case = desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="fixed")
    task = store.callback_tasks.get(case.callback_task_id)
    assert (case.state, task.owner_role, task.due) == (
        CaseState.HANDLED,
        "desk_staff",
        datetime(2025, 3, 5, 10, 0, tzinfo=SH),
    )
    clock.set(datetime(2025, 3, 4, 15, 0, tzinfo=SH))
    closed = desk.record_satisfaction(
        command_id="s", actor=CLERK, complaint_id="C-1", reached=True, satisfied=True
    )
    assert (closed.state, closed.satisfied) == (CaseState.CLOSED, True)


def test_a_vips_callback_goes_to_the_vip_assistant(desk: ComplaintDesk, store: Any) -> None:
    """A complainant with a valid VIP card is called back by the VIP assistant (002 §19)."""
    number = CardNumber("JK", VipLevel.OTHER, 1)
    store.vip_cards.add(VipCard(number, "cust-1", date(2024, 1, 1), date(2027, 1, 1), "office"))
    case = _register(desk, 1)
    handled = desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="ok")
    assert (case.vip, store.callback_tasks.get(handled.callback_task_id).owner_role) == (
        True,
        "vip_assistant",
    )


def test_an_unreached_callback_keeps_the_case_handled(desk: ComplaintDesk) -> None:
    """Nobody answered: the attempt is recorded and the case waits for an answer."""
    _register(desk, 1)
    desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="fixed")
    case = desk.record_satisfaction(command_id="s", actor=CLERK, complaint_id="C-1", reached=False)
    assert (case.state, case.satisfied) == (CaseState.HANDLED, None)


def test_reopening_registers_an_important_second_complaint(desk: ComplaintDesk, store: Any) -> None:
    """A second complaint after handling is IMPORTANT and linked both ways (002 §40)."""
    _register(desk, 1)
    desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="fixed")
    second = desk.reopen(
        command_id="r", actor=CLERK, complaint_id="C-1", new_complaint_id="C-2",
        summary="it hums again",
    )  # fmt: skip
    assert (second.grade, second.repeat_of_id, store.complaint_cases.get("C-1").reopened_as_id) == (
        Grade.IMPORTANT,
        "C-1",
        "C-2",
    )


def test_an_open_complaint_cannot_be_reopened(desk: ComplaintDesk) -> None:
    """reopen() needs a handled complaint; an open one gets more steps instead."""
    _register(desk, 1)
    with pytest.raises(ValidationError, match="handled complaint"):
        desk.reopen(
            command_id="r", actor=CLERK, complaint_id="C-1", new_complaint_id="C-2", summary="x"
        )


def test_a_handled_complaint_takes_no_more_steps(desk: ComplaintDesk) -> None:
    """After handling, record_step() is refused and names reopen()."""
    _register(desk, 1)
    desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-1", result="fixed")
    with pytest.raises(ValidationError, match="reopen"):
        desk.record_step(
            command_id="s", actor=CLERK, complaint_id="C-1",
            kind=CaseEventKind.RESPONDED, note="late",
        )  # fmt: skip


def test_an_overdue_promised_reply_is_swept_into_the_outbox_once(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """A reply promised for 17:00 and not given is notified to its promiser at the sweep, once."""
    desk.promise_reply(
        command_id="p", actor=CLERK, reply_id="R-1", community="东区", customer_id="cust-1",
        question="when is the lift fixed?", due=MON.replace(hour=17),
    )  # fmt: skip
    clock.set(MON.replace(hour=17, minute=1))
    first = desk.sweep(command_id="sw-1", actor=CLERK)
    second = desk.sweep(command_id="sw-2", actor=CLERK)
    [note] = store.notifications.pending()
    assert (first.overdue_reply_ids, second.overdue_reply_ids, note.to_ids) == (
        ("R-1",),
        (),
        ("desk-1",),
    )


def test_a_reply_given_in_time_is_never_notified(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """Answered before the deadline: the sweep after it finds nothing overdue."""
    desk.promise_reply(
        command_id="p", actor=CLERK, reply_id="R-1", community="东区", customer_id="cust-1",
        question="when?", due=MON.replace(hour=17),
    )  # fmt: skip
    clock.set(MON.replace(hour=16))
    reply = desk.give_reply(command_id="g", actor=CLERK, reply_id="R-1", answer="Friday")
    clock.set(MON.replace(hour=18))
    assert (reply.answered_at, desk.sweep(command_id="sw", actor=CLERK).overdue_reply_ids) == (
        MON.replace(hour=16),
        (),
    )


def test_an_unknown_complaint_is_not_found(desk: ComplaintDesk) -> None:
    """A command about a complaint that does not exist raises NotFoundError."""
    with pytest.raises(NotFoundError):
        desk.mark_handled(command_id="h", actor=CLERK, complaint_id="C-404", result="x")


def test_the_sweep_reads_every_page(
    desk: ComplaintDesk, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With sweep pages of one, the third complainant is still counted and all three escalate."""
    from propcrm.services import _sweeps

    monkeypatch.setattr(_sweeps, "_PAGE", 1)
    for n in (1, 2, 3):
        case = _register(desk, n, subject="lift")
    clock.set(MON + timedelta(days=31))
    report = desk.sweep(command_id="sw", actor=CLERK)
    assert (case.grade, [e.complaint_id for e in report.escalations]) == (
        Grade.HOT,
        ["C-1", "C-2", "C-3"],
    )


def test_a_sweep_tells_only_about_the_actors_communities(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """A 西区 sweep leaves a 东区 overdue reply for the 东区 desk."""
    desk.promise_reply(
        command_id="p", actor=CLERK, reply_id="R-1", community="东区", customer_id="c",
        question="when?", due=MON.replace(hour=17),
    )  # fmt: skip
    clock.set(MON.replace(hour=18))
    assert (
        desk.sweep(command_id="w", actor=OTHER).overdue_reply_ids,
        len(store.notifications),
    ) == (
        (),
        0,
    )


def test_a_reply_is_given_once_and_in_words(desk: ComplaintDesk) -> None:
    """A blank answer is refused; a second answer names the reply as answered."""
    desk.promise_reply(
        command_id="p", actor=CLERK, reply_id="R-1", community="东区", customer_id="c",
        question="when?", due=MON.replace(hour=17),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="answer"):
        desk.give_reply(command_id="g0", actor=CLERK, reply_id="R-1", answer=" ")
    desk.give_reply(command_id="g1", actor=CLERK, reply_id="R-1", answer="Friday")
    with pytest.raises(ValidationError, match="answered already"):
        desk.give_reply(command_id="g2", actor=CLERK, reply_id="R-1", answer="Monday")


def test_a_second_liaison_slip_keeps_the_grade(desk: ComplaintDesk, store: Any) -> None:
    """Another department on an IMPORTANT complaint adds a slip, not a grade decision."""
    _register(desk, 1, departments=["engineering"])
    case = desk.send_liaison_slip(
        command_id="l", actor=CLERK, complaint_id="C-1", department="security"
    )
    assert (case.grade, case.departments, len(store.grade_records.history("C-1"))) == (
        Grade.IMPORTANT,
        ("engineering", "security"),
        1,
    )


def test_commands_refuse_blank_or_unknown_arguments(desk: ComplaintDesk) -> None:
    """A blank department or result, or a step that is not a handling step, is refused."""
    _register(desk, 1)
    with pytest.raises(ValidationError, match="department"):
        desk.send_liaison_slip(command_id="a", actor=CLERK, complaint_id="C-1", department="")
    with pytest.raises(ValidationError, match="kind"):
        desk.record_step(
            command_id="b", actor=CLERK, complaint_id="C-1",
            kind=CaseEventKind.HANDLED, note="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="result"):
        desk.mark_handled(command_id="c", actor=CLERK, complaint_id="C-1", result="")


def test_satisfaction_needs_a_handled_complaint(desk: ComplaintDesk) -> None:
    """An open complaint has no callback to answer yet."""
    _register(desk, 1)
    with pytest.raises(ValidationError, match="awaiting its callback"):
        desk.record_satisfaction(command_id="s", actor=CLERK, complaint_id="C-1", reached=True)


def test_two_connections_to_one_file_cannot_both_update_a_case(tmp_path: Path) -> None:
    """Desks on two SQLite connections acting on the same read: one ConflictError."""
    with SqliteStore(tmp_path / "crm.db") as one, SqliteStore(tmp_path / "crm.db") as two:
        first, second = (ComplaintDesk(s, clock=FixedClock(MON)) for s in (one, two))
        read = _register(first, 1).version
        second.record_step(
            command_id="b", actor=CLERK, complaint_id="C-1",
            kind=CaseEventKind.RESPONDED, note="second desk first", version=read,
        )  # fmt: skip
        with pytest.raises(ConflictError):
            first.record_step(
                command_id="a", actor=CLERK, complaint_id="C-1",
                kind=CaseEventKind.RESPONDED, note="first desk late", version=read,
            )  # fmt: skip
        assert [e.note for e in one.case_events.of_complaint("C-1")][-1] == "second desk first"


def test_a_stored_complaint_can_be_regraded_under_another_policy(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """HOT after 5 days instead of 7: on day 5 it would be HOT; nothing is written."""
    _register(desk, 1)
    clock.set(MON + timedelta(days=5))
    stricter = attrs.evolve(Policy(), grading=GradingPolicy(hot_after=timedelta(days=5)))
    assert (
        desk.regrade("C-1", policy=stricter).grade,
        desk.regrade("C-1", policy=Policy()).grade,
        len(store.grade_records),
    ) == (Grade.HOT, Grade.GENERAL, 1)


def test_regrading_needs_a_policy(desk: ComplaintDesk) -> None:
    """regrade() refuses a grading slice: it takes the whole Policy."""
    _register(desk, 1)
    with pytest.raises(ValidationError, match="policy"):
        desk.regrade("C-1", policy=GradingPolicy(), at=MON)  # type: ignore[arg-type]


class _Channel:
    """A host's delivery channel that fails for the first ``failures`` calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    def __call__(self, notification: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("gateway down")
        self.sent.append(notification.id)


def test_delivery_retries_a_failed_notification_on_the_next_run(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """A failed delivery is counted and kept; the next run delivers it and marks it."""
    _register(desk, 1)
    clock.set(MON + timedelta(days=7))
    desk.sweep(command_id="sw", actor=CLERK)
    channel = _Channel(failures=1)
    first = deliver_pending(store, channel, clock=clock)
    second = deliver_pending(store, channel, clock=clock)
    note = store.notifications.get("escalation:C-1:hot")
    assert (first.failed, second.delivered, note.attempts, note.delivered_at) == (
        ("escalation:C-1:hot",),
        ("escalation:C-1:hot",),
        1,
        MON + timedelta(days=7),
    )


def test_delivery_gives_up_after_the_maximum_attempts(
    desk: ComplaintDesk, clock: FixedClock, store: Any
) -> None:
    """After max_attempts failures a notification is left pending for a person."""
    _register(desk, 1)
    clock.set(MON + timedelta(days=7))
    desk.sweep(command_id="sw", actor=CLERK)
    channel = _Channel(failures=5)
    for _ in range(3):
        deliver_pending(store, channel, clock=clock, max_attempts=2)
    note = store.notifications.get("escalation:C-1:hot")
    assert (note.attempts, note.last_error, note.pending) == (
        2,
        "ConnectionError: gateway down",
        True,
    )


def test_delivery_checks_its_arguments(store: Any, clock: FixedClock) -> None:
    """A hook that cannot be called or a max_attempts below 1 is refused."""
    with pytest.raises(ValidationError, match="hook"):
        deliver_pending(store, None, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="max_attempts"):
        deliver_pending(store, print, clock=clock, max_attempts=0)


def test_the_register_keeps_the_customer_and_departments_given(desk: ComplaintDesk) -> None:
    """Departments given as a generator are all kept; the customer is the one named."""
    case = _register(desk, 1, departments=(d for d in ["engineering", "security"]))
    assert (case.customer_id, case.departments, case.grade) == (
        "cust-1",
        ("engineering", "security"),
        Grade.IMPORTANT,
    )


def test_a_step_with_a_note_that_is_not_text_is_refused(desk: ComplaintDesk, store: Any) -> None:
    """The caller's note is checked as CaseEvent checks it, and nothing is recorded."""
    _register(desk, 1)
    with pytest.raises(ValidationError, match="^note: expected a string"):
        desk.record_step(
            command_id="step-1", actor=CLERK, complaint_id="C-1",
            kind=CaseEventKind.RESPONDED, note=3,  # type: ignore[arg-type]
        )  # fmt: skip
    assert len(store.case_events) == 2


def test_the_desks_event_equals_the_one_its_class_builds() -> None:
    """case_event() builds unchecked the value CaseEvent(...) builds from the same fields."""
    event = case_event("C-1", 3, CaseEventKind.LIAISON_SLIP, MON, CLERK, "cmd-1", "n", "eng")
    assert event == CaseEvent(
        "C-1:0003", complaint_id="C-1", seq=3, kind=CaseEventKind.LIAISON_SLIP, at=MON,
        actor_id="desk-1", command_id="cmd-1", department="eng", note="n",
    )  # fmt: skip


def test_the_desks_grade_record_equals_the_one_its_class_builds(desk: ComplaintDesk) -> None:
    """grade_record() builds unchecked the value GradeRecord(...) builds from the same fields."""
    case = _register(desk, 1)
    decision = desk.store.grade_records.history(case.id)[0].decision
    record = grade_record("C-1", 2, decision, desk.runner, "cmd-2")
    assert record == GradeRecord(
        "C-1:0002", complaint_id="C-1", seq=2, decision=decision,
        policy_fingerprint=desk.runner.fingerprint, command_id="cmd-2",
    )  # fmt: skip
