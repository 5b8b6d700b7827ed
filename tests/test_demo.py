"""`propcrm demo` and `propcrm report`: the report says what the database holds."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from propcrm._stats import percent
from propcrm.callbacks import CallbackTask, SubjectKind
from propcrm.cli import main
from propcrm.complaints import Grade
from propcrm.demo._command import build_database
from propcrm.policy import Policy
from propcrm.records import (
    CaseState,
    ComplaintCase,
    NightEntry,
    NightEntryState,
    NightRoute,
    NotificationKind,
    RepairSlip,
    VipArchive,
    VipArchiveEventKind,
)
from propcrm.report._build import build_report, parse_period
from propcrm.report._figures import Report
from propcrm.report._html import CHART_IDS, render_html
from propcrm.report._text import render_text
from propcrm.roles import Role
from propcrm.sla import SlaState, evaluate
from propcrm.storage.sqlite import SqliteStore

HOUSEHOLDS, MONTHS, SEED = 200, 2, 9


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny demo database: 200 households, two months (a night emergency, a VIP reminder)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_database(path, households=HOUSEHOLDS, months=MONTHS, seed=SEED, progress=False)
    return path


@pytest.fixture(scope="module")
def report(database: Path) -> Report:
    """The report of the tiny database."""
    return build_report(database)


@pytest.fixture
def store(database: Path) -> SqliteStore:
    """The tiny database opened read-only."""
    opened = SqliteStore(database, read_only=True)
    yield opened  # type: ignore[misc]
    opened.close()


def _all(listing: object) -> list[object]:
    items, after = [], None
    while True:
        page = listing(limit=1000, after=after)  # type: ignore[operator]
        items += page.items
        if page.next is None:
            return items
        after = page.next


def _cases(store: SqliteStore) -> list[ComplaintCase]:
    return _all(store.complaint_cases.list)  # type: ignore[return-value]


def _slips(store: SqliteStore) -> list[RepairSlip]:
    return _all(store.repair_slips.list)  # type: ignore[return-value]


def _tasks(store: SqliteStore) -> list[CallbackTask]:
    owners = [*_cases(store), *_slips(store)]
    return [store.callback_tasks.get(x.callback_task_id) for x in owners if x.callback_task_id]


def test_complaints_per_grade_are_the_stored_counts(report: Report, store: SqliteStore) -> None:
    """The complaints of each grade are the stored cases listed with that grade."""
    for grade in Grade:
        assert report.grades[grade.value] == len(_all(
            lambda grade=grade, **kw: store.complaint_cases.list(grade=grade, **kw)
        ))  # fmt: skip
    assert sum(report.grades.values()) > 0


def test_every_complaint_has_a_grade_with_reasons(store: SqliteStore) -> None:
    """Each stored complaint has at least one stored grade decision, each with its reasons."""
    for case in _cases(store):
        history = store.grade_records.history(case.id)
        assert history, case.id
        assert all(record.decision.reasons for record in history), case.id


def test_every_handled_complaint_has_a_callback(store: SqliteStore) -> None:
    """A complaint handled or closed has its complaint callback stored."""
    handled = [c for c in _cases(store) if c.state is not CaseState.OPEN]
    assert handled
    for case in handled:
        assert case.callback_task_id is not None, case.id
        assert store.callback_tasks.get(case.callback_task_id).subject.record_id == case.id


def test_callbacks_per_role_are_the_stored_tasks(report: Report, store: SqliteStore) -> None:
    """Callbacks planned and reached per owner role are the stored tasks counted by hand."""
    planned = Counter(t.owner_role for t in _tasks(store))
    reached = Counter(
        t.owner_role for t in _tasks(store) if t.outcome is not None and t.outcome.reached
    )
    assert report.callbacks == {role: (planned[role], reached[role]) for role in planned}


def test_work_order_attainment_is_the_stored_timelines(report: Report, store: SqliteStore) -> None:
    """Each work-order target's met/total is the stored timelines met or breached by then."""
    met: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for slip in _slips(store):
        for status in evaluate(store.work_orders.get(slip.id).timeline, at=report.as_of):
            if status.state in (SlaState.MET, SlaState.BREACHED):
                total[status.target] += 1
                met[status.target] += status.state is SlaState.MET
    rows = {r.target: (r.met, r.total) for r in report.sla if r.family == "work orders"}
    assert rows == {name: (met[name], total[name]) for name in total}
    assert {r.goal for r in report.sla if r.family == "work orders"} == {0.95}
    assert {r.goal for r in report.sla if r.family == "complaints"} == {1.0}


def test_nps_is_recomputed_from_the_stored_answers(report: Report, database: Path) -> None:
    """The company's NPS is % promoters (9-10) minus % detractors (0-6) of the stored answers."""
    connection = sqlite3.connect(database)
    try:
        count = connection.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0]
    finally:
        connection.close()
    store = SqliteStore(database, read_only=True)
    try:
        answers = [store.survey_responses.get(f"{n:012d}").recommend for n in range(1, count + 1)]
    finally:
        store.close()
    scores = [a for a in answers if a is not None]
    promoters = sum(1 for a in scores if a >= 9)
    detractors = sum(1 for a in scores if a <= 6)
    assert report.nps[""].n == len(scores)
    assert report.nps[""].value == pytest.approx(100 * (promoters - detractors) / len(scores))
    assert report.nps[""].low < report.nps[""].value < report.nps[""].high


def _dump(path: Path, *, seed: int) -> list[str]:
    """The SQL of a tiny demo database, without the times its migrations were applied."""
    build_database(path, households=60, months=1, seed=seed, progress=False)
    connection = sqlite3.connect(path)
    try:
        lines = list(connection.iterdump())
    finally:
        connection.close()
    return [line for line in lines if not line.startswith('INSERT INTO "propcrm_migrations"')]


def test_the_same_seed_gives_the_same_database(tmp_path: Path) -> None:
    """Two runs with one seed write the same rows in every table (migration times aside)."""
    dumps = [_dump(tmp_path / name, seed=3) for name in ("a.sqlite3", "b.sqlite3")]
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) > 100


def test_another_seed_gives_another_database(tmp_path: Path) -> None:
    """A different seed invents a different portfolio."""
    dumps = [_dump(tmp_path / f"{seed}.sqlite3", seed=seed) for seed in (3, 4)]
    assert dumps[0] != dumps[1]


def test_a_community_report_holds_only_its_complaints(database: Path, store: SqliteStore) -> None:
    """--community restricts the complaints to those of the community."""
    mine = [c for c in _cases(store) if c.community == "翠湖花园"]
    found = build_report(database, community="翠湖花园")
    assert sum(found.grades.values()) == len(mine)
    assert found.scope == "翠湖花园"


def test_a_period_report_holds_only_its_months(database: Path) -> None:
    """--period 2025-02 shows the complaints received in February only."""
    found = build_report(database, period="2025-02")
    assert set(found.grades_by_month) <= {"2025-02"}


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("2025", "2025-01-01", "2026-01-01"), ("2025-Q3", "2025-07-01", "2025-10-01"),
     ("2025-12", "2025-12-01", "2026-01-01")],
)  # fmt: skip
def test_periods_are_years_quarters_or_months(text: str, start: str, end: str) -> None:
    """A year, a quarter and a month are each read as their half-open days."""
    first, last, _ = parse_period(text)
    assert (first.isoformat(), last.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["2025-Q5", "2025-13", "25", "Q3"])
def test_a_bad_period_is_refused(
    text: str, capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    """`propcrm report --period` with anything but a year, quarter or month exits 2."""
    assert main(["report", "--db", str(database), "--period", text]) == 2
    assert "period: expected a year, quarter or month" in capsys.readouterr().err


def test_report_prints_every_section(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`propcrm report` prints tiers, VIP office, complaints, SLA, callbacks, NPS, outbox, KPIs."""
    assert main(["report", "--db", str(database)]) == 0
    out = capsys.readouterr().out
    for heading in ("Customers by tier", "VIP office", "Complaints:", "SLA attainment",
                    "Callbacks:", "NPS all communities", "CSAT all communities",
                    "Notifications (outbox)", "KPI scorecard"):  # fmt: skip
        assert heading in out


def test_report_of_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`propcrm report --db` naming no file says so and exits 2."""
    assert main(["report", "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "no such database file" in capsys.readouterr().err


def test_demo_refuses_a_file_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`propcrm demo --db` naming another file exits 2 and leaves the file as it was."""
    other = tmp_path / "accounts.sqlite3"
    other.write_bytes(b"not a database")
    assert main(["demo", "--db", str(other), "--households", "5", "--months", "1"]) == 2
    assert other.read_bytes() == b"not a database"
    assert "is not a propcrm demo database" in capsys.readouterr().err


def test_demo_replaces_its_own_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second `propcrm demo` on its own database starts clean and prints the report."""
    path = tmp_path / "demo.sqlite3"
    for households in ("40", "20"):
        assert main(["demo", "--db", str(path), "--households", households, "--months", "1"]) == 0
    assert "C: " in capsys.readouterr().out
    store = SqliteStore(path, read_only=True)
    assert len(store.customers) == 20
    store.close()


@pytest.mark.parametrize("argument", [["--households", "0"], ["--months", "61"], ["--months", "x"]])
def test_demo_refuses_sizes_out_of_range(argument: list[str]) -> None:
    """--households and --months outside their range stop argparse with status 2."""
    with pytest.raises(SystemExit) as info:
        main(["demo", *argument])
    assert info.value.code == 2


def test_demo_help_says_each_run_starts_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """`propcrm demo --help` says what happens to an existing database."""
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "Each run starts clean" in " ".join(capsys.readouterr().out.split())


def test_html_has_every_chart_and_no_personal_value(report: Report, store: SqliteStore) -> None:
    """The page holds the four charts inline and no customer's name, phone or address."""
    page = render_html(report)
    for chart_id in CHART_IDS:
        assert f'<figure id="{chart_id}"><svg' in page
    assert "<script" not in page
    assert re.search(r"(src|href)=[\"']?(https?:)?//", page) is None
    customer = store.customers.get("C000001")
    assert customer.name not in page
    assert customer.phone is not None
    assert customer.phone.reveal() not in page


def test_report_html_writes_the_page(database: Path, tmp_path: Path) -> None:
    """`propcrm report --html` writes a complete HTML page."""
    page = tmp_path / "report.html"
    assert main(["report", "--db", str(database), "--html", str(page)]) == 0
    assert page.read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_policy_targets_are_the_default_policy() -> None:
    """The SLA targets the report compares with are the policy's 95 % and 100 %."""
    targets = Policy().satisfaction.targets
    assert (targets["response_timeliness"], targets["complaint_handling_timeliness"]) == (0.95, 1.0)


def _archives(store: SqliteStore) -> list[VipArchive]:
    return _all(store.vip_archives.list)  # type: ignore[return-value]


def _night(store: SqliteStore) -> list[NightEntry]:
    return _all(store.night_entries.list)  # type: ignore[return-value]


def test_every_vip_card_was_issued_by_the_vip_assistant(store: SqliteStore) -> None:
    """Each archive starts with an issue by its community's VIP assistant, through the office."""
    archives = _archives(store)
    assert archives
    for archive in archives:
        first = archive.events[0]
        assert first.kind is VipArchiveEventKind.ISSUED
        assert first.actor_id.startswith("vip-")
        assert store.commands.find(first.command_id) is not None
        assert archive.birthdays["self"] is not None


def test_vip_figures_are_the_archives_counted(report: Report, store: SqliteStore) -> None:
    """Archives, issues and renewals are the stored archives and their events counted by hand."""
    archives = _archives(store)
    events = [e.kind for a in archives for e in a.events]
    assert report.vip_archives == len(archives)
    assert report.vip_issued == events.count(VipArchiveEventKind.ISSUED)
    assert report.vip_renewed == events.count(VipArchiveEventKind.RENEWED)


def test_expiry_reminders_are_the_outbox_counted(report: Report, store: SqliteStore) -> None:
    """Each reminder names a card expiring within 30 days of the sweep that wrote it (002 §26)."""
    notes = [
        n for n in _all(store.notifications.list)
        if n.kind is NotificationKind.VIP_EXPIRY  # type: ignore[attr-defined]
    ]  # fmt: skip
    assert notes
    for note in notes:
        card = store.vip_cards.get(note.subject_id)  # type: ignore[attr-defined]
        written = note.created_at.date()  # type: ignore[attr-defined]
        assert 0 <= (card.expires_on - written).days <= 30
        assert note.to_roles == (Role.VIP_ASSISTANT,)  # type: ignore[attr-defined]
    assert report.vip_reminders == len(notes)


def test_family_care_is_in_the_callback_queue(report: Report, store: SqliteStore) -> None:
    """The care calls the report counts are VIP-card tasks of the VIP assistant in the queue."""
    due = sum(n for n, _ in report.vip_care.values())
    assert due > 0
    tasks = _all(lambda **kw: store.callback_tasks.list(owner_role=Role.VIP_ASSISTANT, **kw))
    cards = {e.card_id for a in _archives(store) for e in a.events}
    mine = [t for t in tasks if t.subject.kind is SubjectKind.VIP_CARD]  # type: ignore[attr-defined]
    assert {t.subject.record_id for t in mine} <= cards  # type: ignore[attr-defined]
    assert due == len(mine)


def test_night_calls_went_through_the_night_log(store: SqliteStore) -> None:
    """Every record opened from the night log names its entry and starts at the call."""
    entries = _night(store)
    assert [e for e in entries if e.state is NightEntryState.HANDED_OVER]
    for entry in entries:
        if entry.work_order_id is not None:
            order = store.work_orders.get(entry.work_order_id)
            assert order.timeline.events[0].at == entry.logged_at
        if entry.complaint_id is not None:
            assert store.complaint_cases.get(entry.complaint_id).received_at == entry.logged_at


def test_night_emergencies_are_dispatched_at_once(store: SqliteStore) -> None:
    """An emergency gets its work order when it is logged, not at the morning handover."""
    emergencies = [e for e in _night(store) if e.emergency]
    assert emergencies
    for entry in emergencies:
        assert entry.state is NightEntryState.DISPATCHED
        assert entry.assignment is not None
        assert entry.assignment.route is NightRoute.WORK_ORDER
        assert entry.assignment.decided_at == entry.logged_at


def test_no_night_entry_is_left_open_before_the_last_night(store: SqliteStore) -> None:
    """The morning handover turned every entry of the nights before the last into a record."""
    entries = _night(store)
    last = max(e.night_of for e in entries)
    assert all(not e.is_open for e in entries if e.night_of < last)


def test_demo_help_states_the_postgresql_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """`propcrm demo --help` says which PostgreSQL databases are emptied and which refused."""
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "every propcrm table emptied first" in text
    assert "refused and left as it was" in text


@pytest.mark.parametrize(
    ("share", "goal", "shown"),
    [
        (626 / 659, 0.95, "94.99%"),  # 94.9924...: one decimal would show the goal
        (0.95, 0.95, "95.0%"),  # met: one decimal
        (2 / 3, None, "66.7%"),  # no goal: rounded as usual
        (0.99996, 1.0, "99.996%"),  # two decimals still show 100.00%
        (0.97, 0.95, "97.0%"),  # above the goal: one decimal
    ],
)
def test_a_share_is_never_shown_as_the_goal_it_misses(
    share: float, goal: float | None, shown: str
) -> None:
    """A shortfall gets the decimals that show it; every other share has one."""
    assert percent(share, goal) == shown


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (0.0199, "1.99%"),  # under 2 %: met, one decimal would show 2.0%, which misses
        (0.0201, "2.0%"),  # missed: 2.0% misses "under 2 %" too
        (0.015, "1.5%"),
    ],
)
def test_a_rate_whose_goal_is_a_ceiling_is_shown_on_its_side(share: float, shown: str) -> None:
    """A complaint rate under a 2 % ceiling: a rate that meets it is never shown as 2.0%."""
    assert percent(share, 0.02, lower_is_better=True) == shown


def test_every_failed_target_in_the_report_shows_a_share_under_its_goal(report: Report) -> None:
    """The text report's SLA and coverage lines: FAIL beside a share under the goal shown."""
    text = render_text(report)
    lines = re.findall(r"(\d+(?:\.\d+)?)% \([\d,]+/[\d,]+\) (?:\[(\d+)%\] )?(pass|FAIL)", text)
    coverage_goal = re.search(r"by month \[(\d+)%\]", text)
    assert len(lines) > 3
    assert coverage_goal is not None
    for shown, goal, verdict in lines:
        target = float(goal or coverage_goal.group(1))
        assert (float(shown) < target) == (verdict == "FAIL"), (shown, goal, verdict)
