"""Work-order steps on both stores, and the SQLite store's read-only reporting views."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.customers import Customer
from propcrm.errors import StorageError, ValidationError
from propcrm.records import RepairCategory, WorkOrderStepKind
from propcrm.roles import Role
from propcrm.satisfaction import SurveyResponse
from propcrm.services import Actor, ComplaintDesk, WorkOrderDesk, policy_fingerprint
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 7, 10, 9, tzinfo=SH)  # a Thursday
DESK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
TECH = Actor("tech-1", roles=[Role.TECHNICIAN], communities=["东区"])
PHONE, NAME, ADDRESS = "13812345678", "王小明", "上海市浦东新区东区3号楼1201"


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


def _fill(store: Any) -> FixedClock:
    """A complaint handled and answered, a work order fixed and signed, a survey answer."""
    clock = FixedClock(T0)
    store.customers.add(Customer("cust-1", NAME, phone=PHONE, address=ADDRESS))
    desk = ComplaintDesk(store, clock=clock)
    desk.register(command_id="r-1", actor=DESK, complaint_id="C-1", community="东区",
                  customer_id="cust-1", summary=f"{NAME} ({PHONE}) hears the pump",
                  category="noise", subject="pump room")  # fmt: skip
    clock.set(T0 + timedelta(hours=2))
    desk.mark_handled(command_id="h-1", actor=DESK, complaint_id="C-1",
                      result=f"called {PHONE}")  # fmt: skip
    desk.record_satisfaction(command_id="s-1", actor=DESK, complaint_id="C-1", reached=True,
                             satisfied=True, note=f"{NAME} is happy")  # fmt: skip
    orders = WorkOrderDesk(store, clock=clock)
    orders.register(command_id="w-1", actor=DESK, work_order_id="W-1", community="东区",
                    customer_id="cust-1", address=ADDRESS, contact=PHONE,
                    content=f"tap at {ADDRESS}", category=RepairCategory.HOUSE)  # fmt: skip
    clock.set(T0 + timedelta(hours=2, minutes=30))
    orders.dispatch(command_id="d-1", actor=DESK, work_order_id="W-1", technician_id="tech-1")
    store.survey_responses.add(SurveyResponse("h1", "东区", date(2025, 7, 20), recommend=9))
    return clock


def test_every_work_order_command_records_its_step(store: Any) -> None:
    """Register by the desk, dispatch by the desk: two steps, numbered, with their actors."""
    _fill(store)
    steps = store.work_order_steps.list(work_order_id="W-1", order_by="at").items
    assert [(s.id, s.kind, s.actor_id, s.at) for s in steps] == [
        ("W-1:0001", WorkOrderStepKind.REGISTERED, "desk-1", T0 + timedelta(hours=2)),
        ("W-1:0002", WorkOrderStepKind.DISPATCHED, "desk-1", T0 + timedelta(hours=2, minutes=30)),
    ]


def test_a_step_carries_the_policy_fingerprint(store: Any) -> None:
    """The desk ran under the default policy: every step carries its fingerprint."""
    from propcrm.policy import Policy

    _fill(store)
    prints = {s.policy_fingerprint for s in store.work_order_steps.list().items}
    assert prints == {policy_fingerprint(Policy())}


def test_a_step_snapshots_the_sla_state(store: Any) -> None:
    """Dispatched 30 minutes after receipt: the 1 h dispatch target is met, the fix runs."""
    _fill(store)
    step = store.work_order_steps.get("W-1:0002")
    assert (step.sla_states["dispatch"], step.sla_states["fixed"]) == ("met", "running")


def test_steps_list_by_actor_and_kind(store: Any) -> None:
    """The filters combine: the technician did no step; the desk dispatched once."""
    clock = _fill(store)
    clock.set(T0 + timedelta(hours=2, minutes=40))
    WorkOrderDesk(store, clock=clock).arrive(command_id="a-1", actor=TECH, work_order_id="W-1")
    found = store.work_order_steps.list(actor_id="tech-1", kind=WorkOrderStepKind.ARRIVED)
    assert [s.id for s in found.items] == ["W-1:0003"]


def test_a_failed_command_records_no_step(store: Any) -> None:
    """Arriving twice without a dispatch between is refused; no step is left behind."""
    clock = _fill(store)
    desk = WorkOrderDesk(store, clock=clock)
    desk.arrive(command_id="a-1", actor=TECH, work_order_id="W-1")
    with pytest.raises(ValidationError):
        desk.resume(command_id="r-9", actor=TECH, work_order_id="W-1")
    assert len(store.work_order_steps) == 3


# --- the reporting views (SQLite) ----------------------------------------------------------


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[SqliteStore]:
    """A SQLite file store holding the records of ``_fill``."""
    made = SqliteStore(tmp_path / "crm.db")
    _fill(made)
    yield made
    made.close()


def _every_row(store: SqliteStore) -> dict[str, list[dict[str, Any]]]:
    with store.reporting() as reporting:
        return {view: reporting.query(f"SELECT * FROM {view}") for view in reporting.views}


def test_the_views_hold_no_clear_personal_value(sqlite: SqliteStore) -> None:
    """No cell of any view holds the customer's phone, name or address, or a part of them."""
    rows = _every_row(sqlite)
    cells = [str(v) for found in rows.values() for row in found for v in row.values()]
    assert all(row for row in rows.values())  # every view has rows to scan
    assert [c for c in cells if PHONE[3:] in c or NAME[1:] in c or "3号楼" in c] == []


def test_the_complaint_view_shows_grade_and_answer(sqlite: SqliteStore) -> None:
    """C-1: closed, general, one grade decision, satisfied, handled at 11:00 Shanghai."""
    with sqlite.reporting() as reporting:
        row = reporting.query("SELECT * FROM report_complaints WHERE complaint_id = ?", ["C-1"])[0]
    assert (row["state"], row["grade"], row["grade_decisions"], row["satisfied"]) == (
        "closed",
        "general",
        1,
        1,
    )
    assert (row["handled_at"], row["received_at"]) == (
        "2025-07-10T11:00:00+08:00",
        "2025-07-10T01:00:00.000Z",
    )


def test_the_work_order_view_shows_the_latest_sla_state(sqlite: SqliteStore) -> None:
    """W-1 was dispatched: two steps, the dispatch met, its technician named."""
    with sqlite.reporting() as reporting:
        row = reporting.query("SELECT * FROM report_work_orders")[0]
    assert (row["community"], row["steps"], row["technician_id"], row["category"]) == (
        "东区",
        2,
        "tech-1",
        "house",
    )
    assert '"dispatch":"met"' in row["sla_states"]


def test_the_callback_view_shows_the_answer_and_community(sqlite: SqliteStore) -> None:
    """C-1's callback: 东区, done, reached and satisfied, no problem found."""
    with sqlite.reporting() as reporting:
        row = reporting.query("SELECT * FROM report_callbacks")[0]
    assert (row["community"], row["status"], row["reached"], row["satisfied"]) == (
        "东区",
        "done",
        1,
        1,
    )
    assert row["problem_found"] == 0


def test_the_survey_view_shows_the_answers(sqlite: SqliteStore) -> None:
    """One response of 东区 on 20 July: recommend 9, no overall answer, no tier."""
    with sqlite.reporting() as reporting:
        rows = reporting.query("SELECT community, answered_on, recommend, overall, tier "
                               "FROM report_surveys")  # fmt: skip
    assert rows == [
        {"community": "东区", "answered_on": "2025-07-20", "recommend": 9, "overall": None,
         "tier": ""}
    ]  # fmt: skip


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM repair_slips",
        "SELECT body FROM customers",
        "PRAGMA table_info(customers)",
        "SELECT * FROM sqlite_schema",
    ],
)
def test_the_tables_are_out_of_reach(sqlite: SqliteStore, sql: str) -> None:
    """A table, a pragma or the schema is refused with propcrm's error, naming the views."""
    with sqlite.reporting() as reporting, pytest.raises(StorageError, match="report_surveys"):
        reporting.query(sql)


def test_the_reporting_connection_never_writes(sqlite: SqliteStore) -> None:
    """A write through it is a StorageError; the view's rows stay."""
    with sqlite.reporting() as reporting:
        with pytest.raises(StorageError):
            reporting.query("DELETE FROM report_surveys")
        assert len(reporting.query("SELECT * FROM report_surveys")) == 1


def test_a_bad_statement_is_propcrms_error(sqlite: SqliteStore) -> None:
    """Broken SQL is a StorageError whose cause is the driver's error."""
    with sqlite.reporting() as reporting, pytest.raises(StorageError) as caught:
        reporting.query("SELEKT 1")
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize(
    ("sql", "params", "name"),
    [
        (1, (), "sql"),
        ("SELECT * FROM report_surveys", "x", "params"),
        ("SELECT * FROM report_surveys WHERE community = ?", (), "params"),
        ("SELECT * FROM report_surveys WHERE community = ?", ("\ud800",), "params"),
    ],
)
def test_bad_arguments_are_validation_errors(
    sqlite: SqliteStore, sql: Any, params: Any, name: str
) -> None:
    """Each names the argument at fault."""
    with sqlite.reporting() as reporting, pytest.raises(ValidationError, match=name):
        reporting.query(sql, params)


def test_the_connection_sees_later_commits(sqlite: SqliteStore) -> None:
    """A file store's reporting connection reads the file: a new answer shows at once."""
    with sqlite.reporting() as reporting:
        sqlite.survey_responses.add(SurveyResponse("h2", "东区", date(2025, 7, 21), recommend=3))
        assert len(reporting.query("SELECT * FROM report_surveys")) == 2


def test_the_trace_sees_the_statement_not_the_values(tmp_path: Path) -> None:
    """A store's trace= sees each reporting statement with its placeholder."""
    seen: list[str] = []
    store = SqliteStore(tmp_path / "t.db", trace=seen.append)
    with store.reporting() as reporting:
        reporting.query("SELECT * FROM report_surveys WHERE community = ?", [PHONE])
    store.close()
    assert seen[-1] == "SELECT * FROM report_surveys WHERE community = ?"


def test_an_in_memory_store_reports_a_snapshot() -> None:
    """An in-memory store's reporting reads a copy taken when it opens."""
    store = SqliteStore(":memory:")
    _fill(store)
    with store.reporting() as reporting:
        store.survey_responses.add(SurveyResponse("h2", "东区", date(2025, 7, 21), recommend=3))
        assert len(reporting.query("SELECT * FROM report_surveys")) == 1
    store.close()


def test_a_read_only_store_reports_too(sqlite: SqliteStore, tmp_path: Path) -> None:
    """A store opened read_only=True opens its reporting connection the same way."""
    with SqliteStore(tmp_path / "crm.db", read_only=True) as reader, reader.reporting() as rep:
        assert [r["complaint_id"] for r in rep.query("SELECT * FROM report_complaints")] == ["C-1"]


def test_the_migration_is_recorded(sqlite: SqliteStore) -> None:
    """The views and tables come with the step 0012_analysis_and_views."""
    assert "0012_analysis_and_views" in sqlite.applied_migrations()
