"""``what_if`` and ``propcrm whatif``: a store the desks wrote, replayed under another policy.

The store: three complaints and two in-home repairs in the week of Monday 3 March
2025 (Shanghai), evaluated on Friday 7 March at 18:00, when everything is decided.

* C-1 东区, a collective complaint by 3 people, handled Tuesday 15:00 (30 h after receipt);
* C-2 东区, a collective complaint by 6 people, handled Tuesday 15:00;
* C-3 西区, one complainant, handled Monday 11:00 (2 h);
* W-1 东区, received Monday 09:00, dispatched 09:45, on site 09:55, fixed 11:00;
* W-2 东区, received Monday 09:00, dispatched 09:20, on site 09:30, fixed 10:00.

C-1's callback reached the complainant Wednesday 10:00, C-3's Tuesday 10:00; C-2's
was never made.
"""

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.cli import main
from propcrm.complaints import Grade
from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.records import RepairCategory
from propcrm.roles import Role
from propcrm.satisfaction import Attainment, Kpi, KpiStatus
from propcrm.services import (
    KPI_MEASURES,
    Actor,
    ComplaintDesk,
    ScorecardService,
    WorkOrderDesk,
    policy_fingerprint,
    what_if,
)
from propcrm.sla import SlaState
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
FRIDAY = datetime(2025, 3, 7, 18, 0, tzinfo=SH)
AT = FRIDAY.isoformat()
DESK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区", "西区"])


def _complaints(store: SqliteStore, clock: FixedClock) -> None:
    desk = ComplaintDesk(store, clock=clock)
    for n, community, people in ((1, "东区", 3), (2, "东区", 6), (3, "西区", 1)):
        desk.register(
            command_id=f"reg-{n}", actor=DESK, complaint_id=f"C-{n}", community=community,
            customer_id=f"cust-{n}", summary=f"complaint {n}", category="noise",
            subject=f"subject {n}", headcount=people,
        )  # fmt: skip
    clock.set(MONDAY + timedelta(hours=2))
    desk.mark_handled(command_id="h-3", actor=DESK, complaint_id="C-3", result="cleaned")
    clock.set(MONDAY + timedelta(hours=30))
    for n in (1, 2):
        desk.mark_handled(command_id=f"h-{n}", actor=DESK, complaint_id=f"C-{n}", result="done")
    clock.set(datetime(2025, 3, 4, 10, 0, tzinfo=SH))
    desk.record_satisfaction(
        command_id="s-3", actor=DESK, complaint_id="C-3", reached=True, satisfied=True
    )
    clock.set(datetime(2025, 3, 5, 10, 0, tzinfo=SH))
    desk.record_satisfaction(
        command_id="s-1", actor=DESK, complaint_id="C-1", reached=True, satisfied=True
    )


def _repairs(store: SqliteStore, clock: FixedClock) -> None:
    desk = WorkOrderDesk(store, clock=clock)
    for n, minutes in ((1, (45, 55, 120, 150)), (2, (20, 30, 60, 90))):
        clock.set(MONDAY)
        desk.register(
            command_id=f"wo-{n}", actor=DESK, work_order_id=f"W-{n}", community="东区",
            customer_id=f"cust-{n}", address="东区1号楼", contact="13812345678",
            content="tap drips", category=RepairCategory.HOUSE,
        )  # fmt: skip
        steps = (desk.dispatch, desk.arrive, desk.fix, desk.sign_off)
        for step, after in zip(steps, minutes, strict=True):
            clock.set(MONDAY + timedelta(minutes=after))
            extra = {"technician_id": "tech-1"} if step == desk.dispatch else {}
            step(command_id=f"{step.__name__}-{n}", actor=DESK, work_order_id=f"W-{n}", **extra)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The week's SQLite database, written through the desks under the default policy."""
    path = tmp_path_factory.mktemp("whatif") / "crm.sqlite3"
    store = SqliteStore(path)
    clock = FixedClock(MONDAY)
    _complaints(store, clock)
    _repairs(store, clock)
    store.close()
    return path


@pytest.fixture
def store(db: Path) -> Iterator[SqliteStore]:
    """The database, opened read-only."""
    opened = SqliteStore(db, read_only=True)
    yield opened
    opened.close()


def _file(tmp_path: Path, text: str, name: str = "policy.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


FEWER_HOT = Policy.from_toml("[grading]\ncollective_hot_people = 5\n")


def _faster_dispatch() -> Policy:
    """The defaults, with in-home repairs dispatched within 30 minutes instead of 1 hour."""
    data = Policy().to_mapping()
    for found in data["sla"]["sets"]:
        if found["name"] == "repair.in_home":
            found["targets"][0]["allowance"]["duration"] = "30m"
    return Policy.from_mapping(data)


# --- the library -------------------------------------------------------------------------------


def test_a_higher_collective_threshold_regrades_only_the_smaller_collective(
    store: SqliteStore,
) -> None:
    """Collective HOT from 5 people: C-1 (3 people) falls to GENERAL; C-2 (6) and C-3 stay."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY)
    changed = {c.complaint_id: (c.before.grade, c.after.grade) for c in report.complaints}
    assert changed == {"C-1": (Grade.HOT, Grade.GENERAL)}


def test_a_lower_grade_makes_the_30_hour_handling_late(store: SqliteStore) -> None:
    """C-1 handled after 30 h: on time for HOT (48 h), late for GENERAL (24 h)."""
    (change,) = what_if(store, policy=FEWER_HOT, at=FRIDAY).complaints
    assert (change.before.on_time, change.after.on_time) == (True, False)
    assert change.after.resolve_by == MONDAY + timedelta(hours=24)


def test_complaint_handling_attainment_falls_from_three_to_two_of_three(
    store: SqliteStore,
) -> None:
    """Complaints resolved in time: 3/3 before, 2/3 after, against the 100 % handling target."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY)
    (handling,) = [m for m in report.measures if m.name == "resolution"]
    assert (handling.before, handling.after, handling.target) == (
        Attainment(3, 3),
        Attainment(2, 3),
        1.0,
    )


def test_the_grading_change_leaves_work_orders_and_callbacks_alone(store: SqliteStore) -> None:
    """A grading threshold changes no SLA state of a repair and no callback."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY)
    assert (report.work_orders, report.callbacks) == ((), ())


def test_the_scorecard_of_the_east_misses_complaint_handling(store: SqliteStore) -> None:
    """东区's complaint handling timeliness goes from 2/2 met to 1/2 missed; nothing else moves."""
    (change,) = what_if(store, policy=FEWER_HOT, at=FRIDAY).scorecard
    assert (change.community, change.kpi) == ("东区", Kpi.COMPLAINT_HANDLING_TIMELINESS)
    assert (change.before.status, change.before.value) == (KpiStatus.MET, 1.0)
    assert (change.after.status, change.after.value) == (KpiStatus.MISSED, 0.5)


def test_a_faster_dispatch_breaches_only_the_45_minute_dispatch(store: SqliteStore) -> None:
    """Dispatch within 30 minutes: W-1 (45 min) breaches, W-2 (20 min) still meets it."""
    report = what_if(store, policy=_faster_dispatch(), at=FRIDAY)
    changed = [(t.work_order_id, t.target, t.before, t.after) for t in report.work_orders]
    assert changed == [("W-1", "dispatch", SlaState.MET, SlaState.BREACHED)]


def test_dispatch_attainment_falls_below_the_95_percent_target(store: SqliteStore) -> None:
    """Dispatch in time: 2/2 before, 1/2 after; response timeliness (3 of 4) is missed."""
    report = what_if(store, policy=_faster_dispatch(), at=FRIDAY)
    (dispatch,) = [m for m in report.measures if m.name == "dispatch"]
    assert (dispatch.before, dispatch.after, dispatch.target) == (
        Attainment(2, 2),
        Attainment(1, 2),
        0.95,
    )
    kpis = {(k.community, k.kpi, k.after.status, k.after.value) for k in report.scorecard}
    assert kpis == {("东区", Kpi.RESPONSE_TIMELINESS, KpiStatus.MISSED, 0.75)}


def test_a_longer_complaint_callback_window_moves_each_complaint_callback(
    store: SqliteStore,
) -> None:
    """Complaint callbacks within 48 h instead of 24 h: each of the three is due a day later."""
    longer = Policy.from_toml('[callbacks]\ncomplaint_callback_within = "48h"\n')
    report = what_if(store, policy=longer, at=FRIDAY)
    moved = {c.subject_id: c.after.due - c.before.due for c in report.callbacks}
    assert moved == {"C-1": timedelta(days=1), "C-2": timedelta(days=1), "C-3": timedelta(days=1)}


def test_the_never_made_callback_stays_late(store: SqliteStore) -> None:
    """C-2's callback, never made, is late under both windows; C-1's and C-3's on time."""
    longer = Policy.from_toml('[callbacks]\ncomplaint_callback_within = "48h"\n')
    report = what_if(store, policy=longer, at=FRIDAY)
    verdicts = {c.subject_id: (c.before.on_time, c.after.on_time) for c in report.callbacks}
    assert verdicts == {"C-1": (True, True), "C-2": (False, False), "C-3": (True, True)}


def test_the_same_policy_changes_nothing(store: SqliteStore) -> None:
    """The defaults against the defaults: no change at all."""
    report = what_if(store, policy=Policy(), at=FRIDAY)
    assert not report.changed
    assert (report.complaints_read, report.work_orders_read) == (3, 2)


def test_the_stored_decisions_carry_the_default_fingerprint(store: SqliteStore) -> None:
    """The desks ran the defaults: the baseline is what ran the store."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY)
    assert report.stored_fingerprints == (policy_fingerprint(Policy()),)
    assert report.baseline_ran_the_store


def test_records_after_the_moment_are_left_out(store: SqliteStore) -> None:
    """Evaluated on Sunday 2 March, before anything was received, nothing is read."""
    report = what_if(store, policy=FEWER_HOT, at=MONDAY - timedelta(days=1))
    assert (report.complaints_read, report.work_orders_read, report.changed) == (0, 0, False)


def test_a_policy_that_is_not_a_policy_is_refused(store: SqliteStore) -> None:
    """policy= must be a Policy; the error names the argument."""
    with pytest.raises(ValidationError, match="policy"):
        what_if(store, policy="strict.toml", at=FRIDAY)  # type: ignore[arg-type]


def test_a_naive_moment_is_refused(store: SqliteStore) -> None:
    """at= must be aware; the error names the argument."""
    with pytest.raises(ValidationError, match="at"):
        what_if(store, policy=Policy(), at=datetime(2025, 3, 7, 18))


# --- the scorecards: one code path with the scorecard service ---------------------------------


def test_the_baseline_scorecard_is_the_scorecard_services(store: SqliteStore) -> None:
    """东区's March under the defaults: what_if's baseline and ScorecardService agree exactly."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY, period="2025-03")
    served = ScorecardService(store, clock=FixedClock(FRIDAY)).scorecard(
        actor=DESK, community="东区", period="2025-03"
    )
    assert report.baseline_scorecards[0] == served


def test_the_baseline_scorecard_counts_the_week_by_hand(store: SqliteStore) -> None:
    """东区: C-1 and C-2 handled in 30 h (HOT, 48 h); W-1 and W-2 in time on every target.

    Response counts dispatch and on site of both orders (4 of 4); C-1's callback
    (due Wednesday) was made, C-2's was not (1 of 2); the repair callbacks are
    due the next week.
    """
    (east, west) = what_if(store, policy=Policy(), at=FRIDAY).baseline_scorecards
    f = east.figures
    assert (east.community, west.community, east.period.label) == ("东区", "西区", "2025-03")
    assert (f.complaints, f.repeat_complaints, f.households) == (2, 0, 0)
    assert f.complaint_handling_timeliness == Attainment(2, 2)
    assert f.response_timeliness == Attainment(4, 4)
    assert (f.problem_resolution, f.problem_resolution_timeliness) == (
        Attainment(2, 2),
        Attainment(2, 2),
    )
    assert (f.callback_handling, f.complaint_resolution_satisfaction) == (
        Attainment(1, 2),
        Attainment(1, 1),
    )


def test_the_tried_policys_scorecard_counts_its_own_grades(store: SqliteStore) -> None:
    """Collective HOT from 5: C-1 is GENERAL (24 h), handled after 30 h: 1 of 2 in time."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY)
    (east, _) = report.policy_scorecards
    assert east.figures.complaint_handling_timeliness == Attainment(1, 2)
    assert east.policy_fingerprint == report.policy_fingerprint


def test_the_scorecards_cover_the_month_of_the_moment_by_default(store: SqliteStore) -> None:
    """Evaluated on 7 March 2025, the scorecards are March's."""
    report = what_if(store, policy=Policy(), at=FRIDAY)
    assert (report.period.start, report.period.end) == (date(2025, 3, 1), date(2025, 4, 1))


def test_a_period_without_records_scores_no_community(store: SqliteStore) -> None:
    """February holds nothing the desks received: no scorecard, no KPI change."""
    report = what_if(store, policy=FEWER_HOT, at=FRIDAY, period="2025-02")
    assert (report.baseline_scorecards, report.scorecard) == ((), ())


def test_households_give_the_complaint_rate(store: SqliteStore) -> None:
    """2 complaints for 100 households in 东区 is 2 %, above the 1 % ceiling: missed."""
    report = what_if(store, policy=Policy(), at=FRIDAY, households={"东区": 100})
    (east, west) = report.baseline_scorecards
    assert (east.group[Kpi.COMPLAINT_RATE].value, east.status(Kpi.COMPLAINT_RATE)) == (
        0.02,
        KpiStatus.MISSED,
    )
    assert west.status(Kpi.COMPLAINT_RATE) is KpiStatus.NO_DATA


def test_a_household_count_below_one_names_the_community(store: SqliteStore) -> None:
    """A count of 0 cannot be a rate's denominator: the message names the community."""
    with pytest.raises(ValidationError, match="households\\['东区'\\]"):
        what_if(store, policy=Policy(), at=FRIDAY, households={"东区": 0})


def test_households_that_are_not_a_mapping_are_refused(store: SqliteStore) -> None:
    """households= maps each community to its count; a bare number is refused."""
    with pytest.raises(ValidationError, match="households"):
        what_if(store, policy=Policy(), at=FRIDAY, households=100)  # type: ignore[arg-type]


def test_response_timeliness_counts_the_three_steps_of_3_1_2() -> None:
    """000 §3.2: answer in 3 minutes, dispatch in 1 hour, on site in 2 hours."""
    assert KPI_MEASURES[Kpi.RESPONSE_TIMELINESS] == ("answer", "dispatch", "on_site")


# --- the command -------------------------------------------------------------------------------


def test_the_command_names_the_regraded_complaint(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`propcrm whatif` prints C-1's change of grade with its community."""
    policy = _file(tmp_path, "[grading]\ncollective_hot_people = 5\n")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 0
    out = capsys.readouterr().out
    assert "C-1 东区: 热点投诉 → 一般投诉" in out
    assert "resolution: 100.0 % (3/3) → 66.7 % (2/3) (target 100 %)" in out


def test_the_command_says_no_change_for_the_same_policy(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty policy file is the defaults: the command says there is no change."""
    policy = _file(tmp_path, "")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 0
    assert "no change" in capsys.readouterr().out


def test_the_command_prints_json(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints the report for machines: C-1 from hot to general."""
    policy = _file(tmp_path, "[grading]\ncollective_hot_people = 5\n")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (change,) = data["complaints"]
    assert (data["changed"], change["complaint_id"]) == (True, "C-1")
    assert (change["before"]["grade"], change["after"]["grade"]) == ("hot", "general")


def test_the_command_leaves_the_database_as_it_was(db: Path, tmp_path: Path) -> None:
    """The database is opened read-only: its bytes do not change."""
    before = db.read_bytes()
    policy = _file(tmp_path, "[grading]\ncollective_hot_people = 5\n")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 0
    assert db.read_bytes() == before


def test_the_command_notes_a_baseline_the_desks_did_not_run(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --baseline other than the policy that graded the store is pointed out."""
    other = _file(tmp_path, "[grading]\ncollective_hot_people = 4\n", "other.toml")
    args = ["whatif", "--db", str(db), "--policy", other, "--baseline", other, "--at", AT]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"made under policy {policy_fingerprint(Policy())}" in out


def test_a_missing_policy_file_names_the_argument(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy file that does not exist: exit 2 and a message starting with --policy."""
    missing = str(tmp_path / "missing.toml")
    assert main(["whatif", "--db", str(db), "--policy", missing, "--at", AT]) == 2
    assert capsys.readouterr().err.startswith("--policy: invalid policy")


def test_an_invalid_policy_file_names_the_argument(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy file with a bad value: exit 2, --policy and the key at fault."""
    policy = _file(tmp_path, "[grading]\ncollective_hot_people = 1\n")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--policy:")
    assert "collective_hot_people" in err


def test_a_missing_database_names_the_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No file at --db: exit 2 and a message starting with --db; nothing is created."""
    policy = _file(tmp_path, "")
    missing = tmp_path / "none.sqlite3"
    assert main(["whatif", "--db", str(missing), "--policy", policy, "--at", AT]) == 2
    assert capsys.readouterr().err.startswith("--db: no database file at")
    assert not missing.exists()


def test_a_file_that_is_not_a_database_names_the_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A text file at --db: exit 2 and a message starting with --db."""
    policy = _file(tmp_path, "")
    text = _file(tmp_path, "not a database", "notes.txt")
    assert main(["whatif", "--db", text, "--policy", policy, "--at", AT]) == 2
    assert capsys.readouterr().err.startswith("--db: ")


def test_the_command_scores_the_period_asked_for(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--period 2025-Q1 names the quarter the scorecards cover in the first line."""
    policy = _file(tmp_path, "[grading]\ncollective_hot_people = 5\n")
    args = ["whatif", "--db", str(db), "--policy", policy, "--at", AT, "--period", "2025-Q1"]
    assert main(args) == 0
    assert "; scorecards of 2025-Q1\n" in capsys.readouterr().out


def test_a_bad_period_names_the_argument(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--period that is neither a month nor a quarter: exit 2 and a message starting --period."""
    policy = _file(tmp_path, "")
    args = ["whatif", "--db", str(db), "--policy", policy, "--at", AT, "--period", "March"]
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("--period: expected a month or a quarter")


def test_a_bad_moment_names_the_argument(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--at that is not ISO 8601: exit 2 and a message starting with --at."""
    policy = _file(tmp_path, "")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", "friday"]) == 2
    assert capsys.readouterr().err.startswith("--at: 'friday' is not an ISO 8601 moment")


def test_an_earlier_hot_escalates_the_complaint_left_two_hours(store: SqliteStore) -> None:
    """HOT after 1 h unresolved: C-3 (handled after 2 h) escalates; C-1 and C-2 were HOT."""
    report = what_if(store, policy=Policy.from_toml('[grading]\nhot_after = "1h"\n'), at=FRIDAY)
    changed = {c.complaint_id: (c.before.escalated, c.after.escalated) for c in report.complaints}
    assert changed == {"C-3": (False, True)}


def test_the_command_shows_an_escalation(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The escalated complaint is printed with the rule that raised it."""
    policy = _file(tmp_path, '[grading]\nhot_after = "1h"\n')
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 0
    out = capsys.readouterr().out
    assert "C-3 西区: 一般投诉 → 热点投诉; escalated False → True" in out


def test_the_command_shows_work_orders_callbacks_and_targets(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Faster dispatch, a 99 % goal and 48-hour complaint callbacks, each shown by name."""
    data = _faster_dispatch().to_mapping()
    data["satisfaction"]["targets"]["response_timeliness"] = 0.99
    data["callbacks"]["complaint_callback_within"] = "48h"
    policy = _file(tmp_path, json.dumps(data, default=str), "policy.json")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 0
    out = capsys.readouterr().out
    assert "W-1 东区 dispatch: met → breached" in out
    assert "dispatch: 100.0 % (2/2) → 50.0 % (1/2) (target 95 % → 99 %)" in out
    assert "C-3 西区: due 2025-03-04T11:00+08:00 → 2025-03-05T11:00+08:00" in out
    # response timeliness counts dispatch (1 of 2 in time) and on site (2 of 2): 3 of 4
    assert "东区 response_timeliness: 100.0 % met → 75.0 % missed (target 95 % → 99 %)" in out


def test_the_command_evaluates_now_without_a_moment(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --at the command evaluates now, after the whole stored week."""
    policy = _file(tmp_path, "[grading]\ncollective_hot_people = 5\n")
    assert main(["whatif", "--db", str(db), "--policy", policy]) == 0
    assert "read 3 complaints, 2 work orders" in capsys.readouterr().out


def test_a_policy_that_cannot_replay_the_store_names_the_argument(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy without the stored orders' SLA kind: exit 2, --policy and the kind."""
    data = Policy().to_mapping()
    data["sla"]["sets"] = [s for s in data["sla"]["sets"] if s["name"] != "repair.in_home"]
    policy = _file(tmp_path, json.dumps(data, default=str), "policy.json")
    assert main(["whatif", "--db", str(db), "--policy", policy, "--at", AT]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--policy: the stored events cannot be replayed under it")
    assert "repair.in_home" in err
