"""The scorecard service and the periodic analysis, on the memory store and a SQLite file."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.errors import ConflictError, PermissionDeniedError, ValidationError
from propcrm.records import RepairCategory
from propcrm.roles import Role
from propcrm.satisfaction import Attainment, Kpi, KpiStatus, SurveyResponse
from propcrm.services import (
    Actor,
    ComplaintDesk,
    Finding,
    Period,
    ScorecardService,
    WorkOrderDesk,
)
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
DESK = Actor(
    "desk-1",
    roles=[Role.DESK_STAFF, Role.ENGINEERING_SUPERVISOR],
    communities=["东区"],
)
OTHER = Actor("desk-9", roles=[Role.DESK_STAFF], communities=["西区"])


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A 2025 moment in Shanghai."""
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    """The desks' clock, set by each step."""
    return FixedClock(at(7, 1, 9))


def _complain(desk: ComplaintDesk, clock: FixedClock, n: int, when: datetime, **kw: Any) -> None:
    clock.set(when)
    desk.register(
        command_id=f"reg-{n}", actor=DESK, complaint_id=f"C-{n}", community="东区",
        customer_id=kw.pop("customer_id", f"cust-{n}"), summary="pump room hums",
        category="noise", subject=kw.pop("subject", "pump room"), **kw,
    )  # fmt: skip


def _handle(desk: ComplaintDesk, clock: FixedClock, n: int, when: datetime, ok: bool) -> None:
    clock.set(when)
    desk.mark_handled(command_id=f"h-{n}", actor=DESK, complaint_id=f"C-{n}", result="fixed")
    clock.set(when + timedelta(hours=1))
    desk.record_satisfaction(
        command_id=f"s-{n}", actor=DESK, complaint_id=f"C-{n}", reached=True, satisfied=ok
    )


@pytest.fixture
def july(store: Any, clock: FixedClock) -> Any:
    """July 2025 in 东区: three complaints, two work orders, two survey answers.

    C-1 handled in 6 h (in time, satisfied); C-2 handled after 48 h (late, not
    satisfied); C-3 reopens C-1 on 5 July and stays open. W-1 (in-home) is
    dispatched, on site and fixed in time, signed off and called back; W-2
    (public facility) is never dispatched.
    """
    desk = ComplaintDesk(store, clock=clock)
    _complain(desk, clock, 1, at(7, 1, 9))
    _handle(desk, clock, 1, at(7, 1, 15), ok=True)
    _complain(desk, clock, 2, at(7, 2, 9), subject="lift")
    _handle(desk, clock, 2, at(7, 4, 9), ok=False)
    clock.set(at(7, 5, 9))
    desk.reopen(
        command_id="reopen", actor=DESK, complaint_id="C-1", new_complaint_id="C-3",
        summary="humming again",
    )  # fmt: skip
    orders = WorkOrderDesk(store, clock=clock)
    clock.set(at(7, 10, 9))
    for n, category in ((1, RepairCategory.HOUSE), (2, RepairCategory.PUBLIC_FACILITY)):
        orders.register(
            command_id=f"w-{n}", actor=DESK, work_order_id=f"W-{n}", community="东区",
            customer_id="cust-9", address="上海市浦东新区东区3号楼1201",
            contact="13812345678", content="tap drips", category=category,
        )  # fmt: skip
    for step, minutes in (("dispatch", 30), ("arrive", 40), ("fix", 120), ("sign_off", 150)):
        clock.set(at(7, 10, 9) + timedelta(minutes=minutes))
        extra = {"technician_id": "tech-1"} if step == "dispatch" else {}
        getattr(orders, step)(command_id=f"{step}-1", actor=DESK, work_order_id="W-1", **extra)
    clock.set(at(7, 11, 10))
    orders.record_callback(command_id="cb-1", actor=DESK, work_order_id="W-1", reached=True,
                           satisfied=True)  # fmt: skip
    store.survey_responses.add_all(
        [
            SurveyResponse("h1", "东区", date(2025, 7, 20), recommend=10, overall=5),
            SurveyResponse("h2", "东区", date(2025, 7, 21), recommend=9, overall=4),
            SurveyResponse("h3", "东区", date(2025, 8, 1), recommend=0, overall=1),
        ]
    )
    clock.set(at(8, 2, 9))
    return store


def _card(store: Any, clock: FixedClock, **kw: Any) -> Any:
    return ScorecardService(store, clock=clock).scorecard(
        actor=DESK, community="东区", period=kw.pop("period", "2025-07"), **kw
    )


def test_counts_come_from_the_stored_records(july: Any, clock: FixedClock) -> None:
    """Three complaints (one repeat), two work orders, callbacks and answers, counted by hand."""
    figures = _card(july, clock, households=200).figures
    assert (figures.households, figures.complaints, figures.repeat_complaints) == (200, 3, 1)
    # C-1 met its 24 h; C-2 (48 h) and the open IMPORTANT C-3 (48 h, due 7 July) breached.
    assert figures.complaint_handling_timeliness == Attainment(1, 3)
    assert figures.complaint_resolution_satisfaction == Attainment(1, 2)
    # dispatch and on site: W-1 met both, W-2 breached both.
    assert figures.response_timeliness == Attainment(2, 4)
    assert figures.problem_resolution == Attainment(1, 2)
    assert figures.problem_resolution_timeliness == Attainment(1, 2)
    # the callbacks of C-1, C-2 and W-1 are due and answered; the open C-3 has none yet.
    assert figures.callback_handling == Attainment(3, 3)


def test_each_kpi_passes_or_fails_by_the_policy_targets(july: Any, clock: FixedClock) -> None:
    """3 complaints for 200 households is 1.5 % (>= 1 %): failed; every callback answered: met."""
    card = _card(july, clock, households=200)
    assert {kpi: card.status(kpi) for kpi in (Kpi.COMPLAINT_RATE, Kpi.CALLBACK_HANDLING_RATE,
                                              Kpi.NPS, Kpi.OVERALL_SATISFACTION)} == {
        Kpi.COMPLAINT_RATE: KpiStatus.MISSED,
        Kpi.CALLBACK_HANDLING_RATE: KpiStatus.MET,
        Kpi.NPS: KpiStatus.NO_TARGET,
        Kpi.OVERALL_SATISFACTION: KpiStatus.MET,
    }  # fmt: skip
    assert card.passed is False


def test_survey_answers_outside_the_period_are_left_out(july: Any, clock: FixedClock) -> None:
    """The detractor of 1 August is August's: July's NPS is two promoters of two, 100."""
    assert _card(july, clock).group.nps.score == 100.0  # type: ignore[union-attr]


def test_survey_answers_after_the_moment_judged_are_left_out(july: Any, clock: FixedClock) -> None:
    """Judged on 20 July at noon, the answer of 21 July is not in yet: one answer of one."""
    clock.set(at(7, 20, 12))
    assert _card(july, clock).group[Kpi.OVERALL_SATISFACTION].n == 1


def test_the_reasons_name_every_kpi_and_the_coverage(july: Any, clock: FixedClock) -> None:
    """One reason per KPI, then July's coverage: customers 1, 2 and 9 all reached."""
    card = _card(july, clock)
    assert [r.rule for r in card.reasons[-1:]] == ["callback.coverage.met"]
    assert len(card.reasons) == len(Kpi) + 1
    assert (card.coverage[0].month, card.coverage[0].reached) == (date(2025, 7, 1), 3)


def test_without_households_the_complaint_rate_has_no_data(july: Any, clock: FixedClock) -> None:
    """The households served are not stored: without them the rate is not guessed."""
    assert _card(july, clock).status(Kpi.COMPLAINT_RATE) is KpiStatus.NO_DATA


def test_a_quarter_holds_its_months(july: Any, clock: FixedClock) -> None:
    """2025-Q3 runs 1 July to 1 October and holds July's three complaints."""
    card = _card(july, clock, period="2025-Q3")
    assert (card.period.start, card.period.end, card.figures.complaints) == (
        date(2025, 7, 1),
        date(2025, 10, 1),
        3,
    )


def test_a_period_of_days_is_half_open(july: Any, clock: FixedClock) -> None:
    """[1 July, 5 July) holds C-1 and C-2; C-3, received on 5 July 09:00, is outside."""
    card = _card(july, clock, period=Period(date(2025, 7, 1), date(2025, 7, 5)))
    assert (card.figures.complaints, card.period.label) == (2, "2025-07-01/2025-07-05")


def test_a_running_period_is_judged_at_the_clock(store: Any, clock: FixedClock) -> None:
    """An hour after receipt, a general complaint's 24 h run on: no handling timeliness yet."""
    _complain(ComplaintDesk(store, clock=clock), clock, 1, at(7, 1, 9))
    clock.set(at(7, 1, 10))
    card = _card(store, clock)
    assert (card.at, card.status(Kpi.COMPLAINT_HANDLING_TIMELINESS)) == (
        at(7, 1, 10),
        KpiStatus.NO_DATA,
    )


def test_a_raised_grade_gives_its_own_resolution_target(store: Any, clock: FixedClock) -> None:
    """A liaison slip at 10:00 makes it IMPORTANT (48 h): handled after 30 h, it is in time."""
    desk = ComplaintDesk(store, clock=clock)
    _complain(desk, clock, 1, at(7, 1, 9))
    clock.set(at(7, 1, 10))
    desk.send_liaison_slip(
        command_id="slip", actor=DESK, complaint_id="C-1", department="engineering"
    )
    clock.set(at(7, 2, 15))
    desk.mark_handled(command_id="h-1", actor=DESK, complaint_id="C-1", result="fixed")
    clock.set(at(8, 2, 9))
    assert _card(store, clock).figures.complaint_handling_timeliness == Attainment(1, 1)


def test_another_communitys_actor_is_refused(july: Any, clock: FixedClock) -> None:
    """A desk of 西区 cannot read 东区's scorecard."""
    with pytest.raises(PermissionDeniedError):
        ScorecardService(july, clock=clock).scorecard(
            actor=OTHER, community="东区", period="2025-07"
        )


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "July 2025", "2025-7", "0000-01"])
def test_a_bad_period_names_the_argument_and_both_forms(text: str) -> None:
    """The message names ``period`` and shows a month and a quarter."""
    with pytest.raises(ValidationError, match=r"period.*'2025-07'.*'2025-Q3'"):
        Period.parse(text)


def test_a_period_must_end_after_it_starts() -> None:
    """Period(start, start) is empty: refused, naming end."""
    with pytest.raises(ValidationError, match="end"):
        Period(date(2025, 7, 1), date(2025, 7, 1))


def test_a_period_of_another_type_is_refused(store: Any, clock: FixedClock) -> None:
    """A date is not a period: the message says what is."""
    with pytest.raises(ValidationError, match="period"):
        _card(store, clock, period=date(2025, 7, 1))


def test_households_must_be_a_positive_count(store: Any, clock: FixedClock) -> None:
    """Zero households cannot be a rate's denominator."""
    with pytest.raises(ValidationError, match="households"):
        _card(store, clock, households=0)


def test_a_quarter_touches_three_months() -> None:
    """2025-Q4's months are October, November and December."""
    assert Period.parse("2025-Q4").months() == (
        date(2025, 10, 1),
        date(2025, 11, 1),
        date(2025, 12, 1),
    )


# --- periodic analysis ---------------------------------------------------------------------


@pytest.fixture
def recurring(store: Any, clock: FixedClock) -> ComplaintDesk:
    """Pump-room noise from three complainants in July (recurs); the lift from two (does not)."""
    desk = ComplaintDesk(store, clock=clock)
    _complain(desk, clock, 1, at(6, 20, 9))  # June: inside C-3's window, outside the period
    _complain(desk, clock, 2, at(7, 3, 9))
    _complain(desk, clock, 3, at(7, 8, 9))
    _complain(desk, clock, 4, at(7, 9, 9), subject="lift")
    _complain(desk, clock, 5, at(7, 10, 9), subject="lift")
    clock.set(at(8, 1, 9))
    return desk


def test_a_key_from_three_complainants_in_a_month_recurs(recurring: ComplaintDesk) -> None:
    """C-1 (June), C-2 and C-3 count three complainants at C-3; only July's are listed."""
    found = recurring.recurring(actor=DESK, community="东区", period="2025-07")
    assert [(p.key, p.complaint_ids, p.complainants) for p in found] == [
        (("东区", "noise", "pump room"), ("C-2", "C-3"), 3)
    ]


def test_the_analysis_stores_a_cause_and_measure_per_key(recurring: ComplaintDesk) -> None:
    """One ProblemAnalysis, listed by period, with who recorded it and the policy's print."""
    finding = Finding(("东区", "noise", "pump room"), root_cause="worn mounts",
                      preventive_measure="replace mounts yearly")  # fmt: skip
    recurring.analyse(command_id="a-1", actor=DESK, community="东区", period="2025-07",
                      findings=[finding])  # fmt: skip
    stored = recurring.store.problem_analyses.list(community="东区", period="2025-07").items
    assert [(a.id, a.root_cause, a.analysed_by, a.policy_fingerprint) for a in stored] == [
        ("东区:2025-07:001", "worn mounts", "desk-1", recurring.runner.fingerprint)
    ]


def test_a_retried_analysis_changes_nothing(recurring: ComplaintDesk) -> None:
    """The same command id returns the first report; still one analysis stored."""
    finding = Finding(("东区", "noise", "pump room"), root_cause="a", preventive_measure="b")
    first = recurring.analyse(command_id="a-1", actor=DESK, community="东区",
                              period="2025-07", findings=[finding])  # fmt: skip
    again = recurring.analyse(command_id="a-1", actor=DESK, community="东区",
                              period="2025-07", findings=[finding])  # fmt: skip
    assert (again, len(recurring.store.problem_analyses)) == (first, 1)


def test_a_period_analysed_twice_is_a_conflict(recurring: ComplaintDesk) -> None:
    """Another command for the same period finds the analysis stored: ConflictError."""
    finding = Finding(("东区", "noise", "pump room"), root_cause="a", preventive_measure="b")
    recurring.analyse(command_id="a-1", actor=DESK, community="东区", period="2025-07",
                      findings=[finding])  # fmt: skip
    with pytest.raises(ConflictError):
        recurring.analyse(command_id="a-2", actor=DESK, community="东区", period="2025-07",
                          findings=[finding])  # fmt: skip


def test_a_recurring_key_without_a_finding_is_refused(recurring: ComplaintDesk) -> None:
    """Every recurring problem needs its cause and measure; nothing is stored without them."""
    with pytest.raises(ValidationError, match="findings"):
        recurring.analyse(command_id="a-1", actor=DESK, community="东区", period="2025-07",
                          findings=[])  # fmt: skip
    assert len(recurring.store.problem_analyses) == 0


def test_a_finding_for_a_key_that_did_not_recur_is_refused(recurring: ComplaintDesk) -> None:
    """The lift had two complainants: it did not recur, so it takes no finding."""
    findings = [
        Finding(("东区", "noise", "pump room"), root_cause="a", preventive_measure="b"),
        Finding(("东区", "noise", "lift"), root_cause="a", preventive_measure="b"),
    ]
    with pytest.raises(ValidationError, match="not recurring"):
        recurring.analyse(command_id="a-1", actor=DESK, community="东区", period="2025-07",
                          findings=findings)  # fmt: skip


def test_the_analysis_is_done_for_ones_own_community(recurring: ComplaintDesk) -> None:
    """A desk of 西区 can neither list nor analyse 东区's problems."""
    with pytest.raises(PermissionDeniedError):
        recurring.recurring(actor=OTHER, community="东区", period="2025-07")
    with pytest.raises(PermissionDeniedError):
        recurring.analyse(command_id="a-1", actor=OTHER, community="东区", period="2025-07",
                          findings=[])  # fmt: skip


def test_a_finding_needs_a_key_of_text() -> None:
    """A key is the recurring key's values; a number is refused, naming key."""
    with pytest.raises(ValidationError, match="key"):
        Finding((1, 2), root_cause="a", preventive_measure="b")  # type: ignore[arg-type]
