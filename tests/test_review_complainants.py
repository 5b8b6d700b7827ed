"""Review of the Complainants read: import_history grades as whole stored complaints would."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propcrm import FixedClock
from propcrm.complaints import Complaint, ComplaintHistory, Grade, GradingPolicy, grade
from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, HistoryEntry
from propcrm.services import _complaint_import as importing
from propcrm.storage.memory import MemoryStore
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
ZONES = [SH, UTC, NY, timezone(timedelta(hours=-10))]
START = datetime(2025, 1, 27, tzinfo=UTC)
IMPORT_AT = datetime(2025, 12, 15, tzinfo=UTC)
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
KEYS = [
    ("community", "category", "subject"),
    ("community", "category", "subject", "channel"),
    ("subject", "channel"),
    ("channel",),
]

COMPLAINT = st.fixed_dictionaries(
    {
        "subject": st.sampled_from(["pump room", "lift"]),
        "channel": st.sampled_from(["phone", "wechat"]),
        "who": st.lists(st.sampled_from("pqrst"), min_size=1, max_size=3),
        # Near the ends of January, February and March, where month windows clamp,
        # and around 2 November, when New York repeats an hour.
        "minutes": st.sampled_from([0, 31, 60, 278]).flatmap(
            lambda day: st.integers(day * 24 * 60, (day + 5) * 24 * 60)
        ),
        "zone": st.sampled_from(ZONES),
        # Resolved within 30 days: the latest receipt (6 November) then resolves before the import.
        "resolved_after": st.none() | st.integers(0, 30 * 24 * 60),
        "batch": st.integers(0, 2),
    }
)


def _entries(drawn: list[dict[str, Any]]) -> list[list[HistoryEntry]]:
    batches: list[list[HistoryEntry]] = [[], [], []]
    for n, d in enumerate(drawn):
        received = (START + timedelta(minutes=d["minutes"])).astimezone(d["zone"])
        resolved = (
            None
            if d["resolved_after"] is None
            else received + timedelta(minutes=d["resolved_after"])
        )
        complaint = Complaint(
            f"H-{n}", community="东区", category="noise", subject=d["subject"],
            complainant_ids=d["who"], received_at=received, channel=d["channel"],
            resolved_at=resolved,
        )  # fmt: skip
        batches[d["batch"]].append(HistoryEntry(complaint, customer_id="cust", summary="hums"))
    return [batch for batch in batches if batch]


@settings(max_examples=200, deadline=None)
@given(
    drawn=st.lists(COMPLAINT, min_size=1, max_size=20),
    key=st.sampled_from(KEYS),
    months=st.integers(1, 2),
    kind=st.sampled_from(["memory", "sqlite"]),
)
def test_import_grades_as_a_history_of_whole_stored_complaints(
    drawn: list[dict[str, Any]], key: tuple[str, ...], months: int, kind: str
) -> None:
    """Every imported complaint's decision equals grading against whole stored complaints."""
    policy = Policy(grading=GradingPolicy(same_complaint_key=key, repeat_window_months=months))
    store = MemoryStore() if kind == "memory" else SqliteStore(":memory:")
    desk = ComplaintDesk(store, clock=FixedClock(IMPORT_AT), policy=policy)
    for i, batch in enumerate(_entries(drawn)):
        stored = store.complaints.list_any([{"community": "东区"}])
        reference = ComplaintHistory(policy=policy)
        reference.extend([*stored, *(entry.complaint for entry in batch)])
        desk.import_history(command_id=f"imp-{i}", actor=CLERK, entries=batch)
        for entry in batch:
            complaint = entry.complaint
            moment = complaint.resolved_at or complaint.received_at
            expected = grade(complaint, at=moment, history=reference, policy=policy)
            (record,) = store.grade_records.history(complaint.id)
            assert record.decision == expected, complaint.id
    store.close()


def _complaint(n: int, received: datetime, who: str) -> Complaint:
    return Complaint(
        f"H-{n}", community="东区", category="noise", subject="pump room",
        complainant_ids=[who], received_at=received,
    )  # fmt: skip


def _import(desk: ComplaintDesk, command_id: str, *complaints: Complaint) -> None:
    entries = [
        HistoryEntry(c, customer_id=c.complainant_ids[0], summary="hums") for c in complaints
    ]
    desk.import_history(command_id=command_id, actor=CLERK, entries=entries)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh store of each kind (PostgreSQL on a throwaway server)."""
    if request.param == "postgres":
        made: Any = PostgresStore(request.getfixturevalue("postgres_db"))
    else:
        made = MemoryStore() if request.param == "memory" else SqliteStore(":memory:")
    yield made
    made.close()


def test_an_empty_filter_mapping_finds_every_complaint(store: Any) -> None:
    """[{}] passes the no filters of its one mapping: every stored complaint, on every store."""
    store.complaints.add(_complaint(2, datetime(2025, 2, 3, 9, tzinfo=SH), "a"))
    store.complaints.add(_complaint(1, datetime(2025, 2, 4, 9, tzinfo=SH), "b"))
    assert [c.id for c in store.complaints.list_any([{}, {}])] == ["H-1", "H-2"]
    assert [c.complaint_id for c in store.complaints.complainants_any([{}])] == ["H-1", "H-2"]


def test_a_neighbour_in_the_window_of_a_later_zone_is_read(store: Any) -> None:
    """28 Feb 19:00 UTC looks back to 28 Jan 19:00 UTC: a stored 30 Jan complaint counts.

    The batch's first complaint, 1 March 02:00 in Shanghai (28 Feb 18:00 UTC),
    looks back only to 1 February 02:00 in Shanghai; the later one, received in
    UTC, reaches further back, so a, c and d are three complainants: HOT.
    """
    desk = ComplaintDesk(store, clock=FixedClock(IMPORT_AT))
    _import(desk, "imp-1", _complaint(1, datetime(2025, 1, 30, tzinfo=UTC), "a"))
    _import(
        desk,
        "imp-2",
        _complaint(2, datetime(2025, 3, 1, 2, tzinfo=SH), "c"),
        _complaint(3, datetime(2025, 2, 28, 19, tzinfo=UTC), "d"),
    )
    assert store.complaint_cases.get("H-3").grade is Grade.HOT


# 2 November 2025, New York: 01:00-02:00 happens twice (EDT, then EST).
T_0030 = datetime(2025, 11, 2, 0, 30, tzinfo=NY)  # 04:30 UTC
T_0150_EDT = datetime(2025, 11, 2, 1, 50, tzinfo=NY)  # 05:50 UTC
T_0110_EST = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NY)  # 06:10 UTC, the later


def test_a_history_counts_the_repeated_hour_by_instant() -> None:
    """01:50 EDT is before 01:10 EST: three complainants within 01:10 EST's window."""
    complaints = [
        _complaint(1, T_0030, "b"),
        _complaint(2, T_0150_EDT, "a"),
        _complaint(3, T_0110_EST, "c"),
    ]
    history = ComplaintHistory()
    history.extend(complaints)
    assert history.complainants_within(complaints[2]) == 3


def test_a_streaming_history_takes_the_repeated_hour_in_instant_order() -> None:
    """01:50 EDT then 01:10 EST is time order: accepted, and the third counts three."""
    complaints = [
        _complaint(1, T_0030, "b"),
        _complaint(2, T_0150_EDT, "a"),
        _complaint(3, T_0110_EST, "c"),
    ]
    history = ComplaintHistory(streaming=True)
    history.extend(complaints)
    assert history.complainants_within(complaints[2]) == 3


def test_an_import_reads_neighbours_of_the_repeated_hour(store: Any) -> None:
    """A stored 01:50 EDT complaint is read for one received at 01:10 EST, an hour later."""
    desk = ComplaintDesk(store, clock=FixedClock(datetime(2025, 12, 1, tzinfo=UTC)))
    _import(desk, "imp-1", _complaint(1, T_0030, "b"), _complaint(2, T_0150_EDT, "a"))
    _import(desk, "imp-2", _complaint(3, T_0110_EST, "c"))
    assert store.complaint_cases.get("H-3").grade is Grade.HOT


def test_a_record_failing_mid_write_leaves_nothing(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second grade record fails while written: no complaint, case or event, no command."""
    made = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        made.append(args[0])
        if len(made) == 2:
            raise RuntimeError("disk full")
        return record(*args, **kwargs)

    record = importing.grade_record
    monkeypatch.setattr(importing, "grade_record", failing)
    desk = ComplaintDesk(store, clock=FixedClock(IMPORT_AT))
    first = _complaint(1, datetime(2025, 2, 3, 9, tzinfo=SH), "a")
    second = _complaint(2, datetime(2025, 2, 4, 9, tzinfo=SH), "b")
    with pytest.raises(RuntimeError, match="disk full"):
        _import(desk, "imp-1", first, second)
    counts = [len(store.complaints), len(store.complaint_cases), len(store.grade_records)]
    assert (counts, len(store.case_events), store.commands.find("imp-1")) == ([0, 0, 0], 0, None)


@pytest.mark.parametrize("method", ["list_any", "complainants_any"])
def test_a_bad_filter_value_names_its_mapping(method: str) -> None:
    """The third of many mappings holds a number for subject: filters[2].subject is named."""
    filters = [{"subject": "pump room"}, {"subject": "lift"}, {"subject": 5}]
    with pytest.raises(ValidationError, match=r"filters\[2\]\.subject"):
        getattr(MemoryStore().complaints, method)(filters)
