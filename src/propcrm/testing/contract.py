"""The contract every store must keep, as a pytest suite you can run on your own adapter.

Subclass :class:`StoreContract`, implement its one hook, :meth:`~StoreContract.make_store`,
and give the subclass a name pytest collects (``Test…``). Every test of the
suite then runs against your store::

    from propcrm.storage.memory import MemoryStore
    from propcrm.testing.contract import StoreContract

    class TestMemoryStore(StoreContract):
        def make_store(self, directory):
            return MemoryStore()

The suite checks the promises documented in :mod:`propcrm.storage`: versions
and conflicts, the errors raised, copies on read, transactions (commit,
rollback, nesting), hostile values and the queries of every repository. Tests
for what only your adapter promises belong in the same subclass, beside the
inherited ones; they never branch on the adapter's class.

It needs ``pytest`` and ``hypothesis`` (the ``dev`` extra brings both). For
pytest to show the compared values when a contract assertion fails, call
``pytest.register_assert_rewrite("propcrm.testing.contract")`` in your
``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind
from propcrm.complaints import Complaint
from propcrm.customers import Customer, Household, Member
from propcrm.errors import ConflictError, NotFoundError, ValidationError
from propcrm.explain import Reason
from propcrm.satisfaction import SurveyResponse
from propcrm.sla import Event, EventKind, Timeline
from propcrm.storage import Repository, Store
from propcrm.testing._contract_records import RECORD_SAMPLES, RecordContract
from propcrm.testing.strategies import (
    callback_tasks,
    complaints,
    customers,
    households,
    survey_responses,
    vip_cards,
    work_orders,
)
from propcrm.vip import (
    MAX_SEQUENCE,
    CardNumber,
    CardNumbersExhaustedError,
    CardStatus,
    RevocationGround,
    StatusChange,
    VipCard,
    VipLevel,
)
from propcrm.work_orders import WorkOrder, WorkOrderState

__all__ = ["HOSTILE_IDS", "HOSTILE_TEXTS", "SAMPLES", "Sample", "StoreContract"]

T = TypeVar("T")

HOSTILE_TEXTS: tuple[str, ...] = (
    'it\'s "quoted"',
    "'; DROP TABLE complaints; --",
    "NUL\x00inside",
    "emoji 😀 and 物业 and \u200d joiners",
    "%_ LIKE wildcards \\ and backslash",
    "x" * 1_000_000,
)
"""Text every store must give back unchanged."""

HOSTILE_IDS: tuple[str, ...] = ("100%", "a_b", "'; DROP TABLE x; --", "空格 space", "%_%")
"""Ids every store must accept and find again."""


@attrs.frozen
class Sample(Generic[T]):
    """How the suite builds entities of one versioned aggregate, so generic tests run on it.

    Attributes:
        repository: The store attribute holding the aggregate's repository.
        make: Build valid new entity number ``n`` (1 to 999; distinct numbers give
            distinct ids) holding a free text.
        text: Read back the free text of an entity.
        change: Set an entity's free text (in place when the entity is mutable)
            and return the entity.
        entities: A strategy for arbitrary valid entities (for round trips).
        queries: Run the repository's queries over canned parameters and return
            what they found (ids, in order); used to compare adapters.
        with_id: Give an entity another id, for aggregates whose ids are free
            text; ``None`` when ids are derived (a card's number).
    """

    repository: str
    make: Callable[[int, str], T]
    text: Callable[[T], str]
    change: Callable[[T, str], T]
    entities: Callable[[], st.SearchStrategy[T]]
    queries: Callable[[Any], list[list[str]]]
    with_id: Callable[[T, str], T] | None = None


_ZONES = ("Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe")
_DAY = timedelta(days=1)
_T0 = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _complaint(n: int, text: str) -> Complaint:
    received = _T0 + timedelta(hours=n)
    return Complaint(
        f"cmp-{n}",
        community="东区",
        category="noise",
        subject=f"pump room {n % 2}",
        complainant_ids=(f"cust-{n % 3}",),
        received_at=received,
        first_receiver_id=text,
        resolved_at=None if n % 3 else received + timedelta(hours=2),
    )


def _set_receiver(complaint: Complaint, text: str) -> Complaint:
    complaint.first_receiver_id = text
    return complaint


def _any_zone_complaints() -> st.SearchStrategy[Complaint]:
    # hypothesis takes naive bounds and attaches the zones itself.
    moments = st.datetimes(
        min_value=datetime(1990, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, *(ZoneInfo(z) for z in _ZONES)]),
    )
    return complaints(received_at=moments)


def _task(n: int, text: str) -> CallbackTask:
    earliest = _T0 + timedelta(hours=3 * n)
    return CallbackTask(
        f"task-{n}",
        Subject(SubjectKind.WORK_ORDER, f"WO-{n}"),
        CallbackKind.PHONE,
        f"cust-{n}",
        ("repair_lead", "desk_staff")[n % 2],
        earliest,
        earliest + _DAY,
        staff_id=f"staff-{n % 3}",
        technician_id=text,
        reasons=(
            Reason(
                "callback.repair",
                "repairs get a callback within a day",
                facts={"finished_at": earliest, "within": _DAY, "kind": CallbackKind.PHONE},
                source="002 回访制度",
            ),
        ),
    )


def _set_technician(task: CallbackTask, text: str) -> CallbackTask:
    task.technician_id = text
    return task


_LIFECYCLE = (
    (),
    (EventKind.DISPATCHED,),
    (EventKind.DISPATCHED, EventKind.ARRIVED),
    (EventKind.DISPATCHED, EventKind.ARRIVED, EventKind.RESOLVED),
)


def _work_order(n: int, text: str) -> WorkOrder:
    received = _T0 + timedelta(hours=n)
    events = [Event(EventKind.RECEIVED, received)]
    for i, kind in enumerate(_LIFECYCLE[n % 4], 1):
        events.append(Event(kind, received + timedelta(minutes=10 * i)))
    return WorkOrder(f"WO-{n}", Timeline(events, kind="repair.in_home"), community=text)


def _set_community(order: WorkOrder, text: str) -> WorkOrder:
    order.community = text
    return order


def _customer(n: int, text: str) -> Customer:
    return Customer(f"cust-{n}", text, phone="13812345678", household_id=f"hh-{n % 2}")


def _set_name(customer: Customer, text: str) -> Customer:
    customer.name = text
    return customer


def _household(n: int, text: str) -> Household:
    return Household(f"hh-{n}", (Member(text, date(1980, 2, 29)),))


def _set_head_name(household: Household, text: str) -> Household:
    household.members = (attrs.evolve(household.members[0], name=text),)
    return household


def _card(n: int, text: str) -> VipCard:
    issued = date(2025, 1, 1) + timedelta(days=n % 7)
    return VipCard(
        CardNumber("JK", VipLevel.OTHER, n),
        f"cust-{n % 3}",
        issued,
        issued + timedelta(days=1095 - 31 * (n % 5)),
        text,
    )


def _set_issuer(card: VipCard, text: str) -> VipCard:
    card.issued_by = text
    return card


def _ids(entities: list[Any]) -> list[str]:
    return [entity.id for entity in entities]


SAMPLES: tuple[Sample[Any], ...] = (
    Sample(
        "complaints",
        _complaint,
        lambda c: c.first_receiver_id,
        _set_receiver,
        _any_zone_complaints,
        lambda repo: [
            _ids(repo.in_window("东区", "noise", "pump room 1", start=_T0, end=_T0 + _DAY)),
            _ids(repo.open_due_before(_T0 + timedelta(hours=5), within=timedelta(hours=2))),
        ],
        lambda c, id: attrs.evolve(c, id=id),
    ),
    Sample(
        "callback_tasks",
        _task,
        lambda t: t.technician_id,
        _set_technician,
        callback_tasks,
        lambda repo: [
            _ids(repo.due_on(_T0.date() + _DAY, zone="Asia/Shanghai", staff="staff-1")),
            _ids(repo.due_on(_T0.date() + _DAY, zone="UTC", role="repair_lead")),
        ],
        lambda t, id: attrs.evolve(t, id=id),
    ),
    Sample(
        "work_orders",
        _work_order,
        lambda w: w.community,
        _set_community,
        work_orders,
        lambda repo: [_ids(repo.in_state(state)) for state in WorkOrderState],
        lambda w, id: attrs.evolve(w, id=id),
    ),
    Sample(
        "customers",
        _customer,
        lambda c: c.name,
        _set_name,
        customers,
        lambda repo: [_ids(repo.in_household(h)) for h in ("hh-0", "hh-1", "100%")],
        lambda c, id: attrs.evolve(c, id=id),
    ),
    Sample(
        "households",
        _household,
        lambda h: h.head.name,
        _set_head_name,
        households,
        lambda repo: [],
        lambda h, id: attrs.evolve(h, id=id),
    ),
    Sample(
        "vip_cards",
        _card,
        lambda c: c.issued_by,
        _set_issuer,
        vip_cards,
        lambda repo: [
            _ids(repo.held_by("cust-1")),
            _ids(repo.expiring_between(date(2027, 6, 1), date(2028, 1, 5))),
        ],
    ),
    *(Sample(*attrs.astuple(sample, recurse=False)) for sample in RECORD_SAMPLES),
)
"""One :class:`Sample` per versioned aggregate of :class:`~propcrm.storage.Store`."""


# Each example adds to the one store the fixture made (ids are freed first), and the same
# test runs under every adapter's subclass: both are how a shared suite works.
_SHARED_SUITE = [HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]


class StoreContract(RecordContract):
    """The contract suite. Subclass it and implement :meth:`make_store`."""

    def make_store(self, directory: Path) -> Store:
        """Return a new, empty store; ``directory`` is a fresh folder it may use for files."""
        raise NotImplementedError("implement make_store() in your subclass")

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Any]:
        """A fresh store from :meth:`make_store`, closed after the test."""
        store = self.make_store(tmp_path)
        yield store
        store.close()

    @pytest.fixture(params=SAMPLES, ids=lambda sample: sample.repository)
    def sample(self, request: pytest.FixtureRequest) -> Sample[Any]:
        """Each versioned aggregate in turn."""
        return request.param  # type: ignore[no-any-return]

    # --- versioned repositories -----------------------------------------------------------

    def test_added_entity_reads_back_equal_at_version_1(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """add() stores version 1 whatever the entity carried; get() returns an equal copy."""
        repo = _repo(store, sample)
        stored = repo.add(attrs.evolve(sample.make(1, "hello"), version=7))
        assert stored.version == 1
        assert repo.get(stored.id) == stored

    def test_add_all_stores_every_entity_at_version_1(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """add_all() is add() for many: same copies, version 1, count returned."""
        repo = _repo(store, sample)
        given = [attrs.evolve(sample.make(n, f"t{n}"), version=3) for n in (1, 2, 3)]
        assert repo.add_all(given) == 3
        assert [repo.get(e.id) for e in given] == [attrs.evolve(e, version=1) for e in given]

    def test_add_all_with_a_known_id_adds_nothing(self, store: Any, sample: Sample[Any]) -> None:
        """One duplicate id makes add_all() a ConflictError and adds none of the others."""
        repo = _repo(store, sample)
        repo.add(sample.make(1, "first"))
        with pytest.raises(ConflictError, match="nothing was added"):
            repo.add_all([sample.make(2, "x"), sample.make(1, "again")])
        assert len(repo) == 1

    def test_update_bumps_the_version(self, store: Any, sample: Sample[Any]) -> None:
        """update() from the current version stores the change as the next version."""
        repo = _repo(store, sample)
        stored = repo.add(sample.make(1, "before"))
        updated = repo.update(sample.change(stored, "after"))
        assert (updated.version, sample.text(repo.get(stored.id))) == (2, "after")

    def test_stale_update_is_a_conflict_and_changes_nothing(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """Two writers from the same version: the second gets ConflictError, the first wins."""
        repo = _repo(store, sample)
        first = repo.add(sample.make(1, "original"))
        second = repo.get(first.id)
        repo.update(sample.change(first, "winner"))
        with pytest.raises(ConflictError, match="read it again"):
            repo.update(sample.change(second, "loser"))
        now = repo.get(first.id)
        assert (now.version, sample.text(now)) == (2, "winner")

    def test_duplicate_id_is_a_conflict(self, store: Any, sample: Sample[Any]) -> None:
        """add() never overwrites an existing entity."""
        repo = _repo(store, sample)
        first = repo.add(sample.make(1, "first"))
        with pytest.raises(ConflictError, match="already exists"):
            repo.add(sample.make(1, "second"))
        assert sample.text(repo.get(first.id)) == "first"

    def test_missing_ids_are_not_found(self, store: Any, sample: Sample[Any]) -> None:
        """get, update and remove of an unknown id raise NotFoundError."""
        repo = _repo(store, sample)
        ghost = attrs.evolve(sample.make(9, "boo"), version=1)
        with pytest.raises(NotFoundError):
            repo.get(ghost.id)
        with pytest.raises(NotFoundError):
            repo.update(ghost)
        with pytest.raises(NotFoundError):
            repo.remove(ghost.id)

    def test_remove_deletes_and_checks_a_given_version(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """remove() with a stale version is a conflict; with the current one it deletes."""
        repo = _repo(store, sample)
        one = repo.add(sample.make(1, "x"))
        two = repo.add(sample.make(2, "y"))
        with pytest.raises(ConflictError):
            repo.remove(one.id, version=5)
        repo.remove(one.id, version=1)
        repo.remove(two.id)
        assert len(repo) == 0

    def test_reads_are_copies(self, store: Any, sample: Sample[Any]) -> None:
        """Changing an entity you added or read changes nothing stored."""
        repo = _repo(store, sample)
        given = sample.make(1, "kept")
        repo.add(given)
        sample.change(given, "changed after add")
        sample.change(repo.get(given.id), "changed after get")
        assert sample.text(repo.get(given.id)) == "kept"

    def test_hostile_texts_round_trip(self, store: Any, sample: Sample[Any]) -> None:
        """Quotes, SQL, NUL, emoji, wildcards and 1 MB strings come back unchanged."""
        repo = _repo(store, sample)
        ids = [repo.add(sample.make(n, text)).id for n, text in enumerate(HOSTILE_TEXTS, 1)]
        assert [sample.text(repo.get(id)) for id in ids] == list(HOSTILE_TEXTS)

    def test_hostile_ids_round_trip(self, store: Any, sample: Sample[Any]) -> None:
        """Ids with %, _, quotes and SQL are stored and found exactly (free-text ids only)."""
        if sample.with_id is None:
            pytest.skip("this aggregate's ids are derived, not free text")
        repo = _repo(store, sample)
        for n, id in enumerate(HOSTILE_IDS, 1):
            repo.add(sample.with_id(sample.make(n, id), id))
        assert [sample.text(repo.get(id)) for id in HOSTILE_IDS] == list(HOSTILE_IDS)
        with pytest.raises(NotFoundError):
            repo.get("100")

    def test_invalid_text_is_refused_and_nothing_is_written(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """A lone surrogate cannot be stored; the store is left as it was."""
        repo = _repo(store, sample)
        with pytest.raises(ValidationError):
            repo.add(sample.make(1, "bad \ud800"))
        assert len(repo) == 0

    def test_ids_that_cannot_be_utf8_are_refused(self, store: Any, sample: Sample[Any]) -> None:
        """get() or remove() of an id with a lone surrogate is a ValidationError naming ``id``."""
        repo = _repo(store, sample)
        repo.add(sample.make(1, "kept"))
        assert [
            _refused(lambda: repo.get(_SURROGATE)),
            _refused(lambda: repo.remove(_SURROGATE)),
        ] == [
            "id",
            "id",
        ]
        assert len(repo) == 1

    def test_versions_beyond_64_bits_are_conflicts(self, store: Any, sample: Sample[Any]) -> None:
        """No stored version can equal one outside 64 bits: update and remove are conflicts."""
        repo = _repo(store, sample)
        stored = repo.add(sample.make(1, "kept"))
        for version in _HUGE_VERSIONS:
            changed = attrs.evolve(sample.change(repo.get(stored.id), "lost"), version=version)
            with pytest.raises(ConflictError, match="read it again"):
                repo.update(changed)
        for version in (*_HUGE_VERSIONS, -(2**63) - 1):
            with pytest.raises(ConflictError, match="read it again"):
                repo.remove(stored.id, version=version)
        now = repo.get(stored.id)
        assert (now.version, sample.text(now)) == (1, "kept")
        with pytest.raises(NotFoundError):
            repo.update(attrs.evolve(sample.make(2, "ghost"), version=2**63))

    def test_arguments_of_the_wrong_type_are_refused_by_name(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """None or another aggregate's entity is a ValidationError naming the argument."""
        repo = _repo(store, sample)
        stored = repo.add(sample.make(1, "kept"))
        other = Customer("c-x", "王芳") if sample.repository != "customers" else _household(2, "x")
        calls: list[Callable[[], object]] = [
            lambda: repo.add(None),
            lambda: repo.add(other),
            lambda: repo.update(None),
            lambda: repo.add_all(None),  # type: ignore[arg-type]
            lambda: repo.add_all([sample.make(3, "lost"), None]),
            lambda: repo.get(None),  # type: ignore[arg-type]
            lambda: repo.remove(None),  # type: ignore[arg-type]
            lambda: repo.remove(stored.id, version="1"),  # type: ignore[arg-type]
            lambda: repo.remove(stored.id, version=True),
        ]
        expected = ["entity", "entity", "entity", "entities", "entities[1]", "id", "id"]
        assert [_refused(call) for call in calls] == [*expected, "version", "version"]
        assert [entity.id for entity in [repo.get(stored.id)]] == [stored.id]
        assert len(repo) == 1

    def test_a_skipped_wall_time_keeps_its_side_of_the_gap(self, store: Any) -> None:
        """02:30 on a spring-forward day, fold=1 or 0, comes back with its wall time and offset."""
        zone = ZoneInfo("America/New_York")
        for n, fold in enumerate((1, 0), 1):
            moment = datetime(2025, 3, 9, 2, 30, fold=fold, tzinfo=zone)  # does not exist
            store.complaints.add(attrs.evolve(_complaint(n, "gap"), received_at=moment))
            back = store.complaints.get(f"cmp-{n}").received_at
            assert (back.replace(tzinfo=None), back.fold, back.utcoffset(), back.tzinfo) == (
                datetime(2025, 3, 9, 2, 30),  # noqa: DTZ001 - the wall time itself
                fold,
                timedelta(hours=-4 if fold else -5),
                zone,
            )

    @settings(max_examples=25, suppress_health_check=_SHARED_SUITE)
    @given(data=st.data())
    def test_any_entity_round_trips(
        self, store: Any, sample: Sample[Any], data: st.DataObject
    ) -> None:
        """Every valid entity (datetimes, dates, enums, nested values) comes back equal."""
        repo = _repo(store, sample)
        entity = data.draw(sample.entities())
        if _exists(repo, entity.id):
            repo.remove(entity.id)
        stored = repo.add(entity)
        assert repo.get(entity.id) == stored == attrs.evolve(entity, version=1)

    # --- transactions ---------------------------------------------------------------------

    def test_transaction_commits_on_success(self, store: Any, sample: Sample[Any]) -> None:
        """Writes inside a transaction are visible after it ends normally."""
        repo = _repo(store, sample)
        with store.transaction():
            repo.add(sample.make(1, "a"))
            repo.add(sample.make(2, "b"))
        assert len(repo) == 2

    def test_transaction_rolls_back_on_any_exception(self, store: Any, sample: Sample[Any]) -> None:
        """An exception undoes every write of the block and propagates."""
        repo = _repo(store, sample)
        kept = repo.add(sample.make(1, "before"))
        doomed = repo.add(sample.make(2, "x"))
        new = sample.make(3, "y")

        def writes() -> None:
            repo.add(new)
            repo.update(sample.change(repo.get(kept.id), "after"))
            repo.remove(doomed.id)

        with pytest.raises(AbortError):
            _abort_after(store, writes)
        now = repo.get(kept.id)
        assert (sample.text(now), now.version, len(repo)) == ("before", 1, 2)
        assert not _exists(repo, new.id)

    def test_a_failed_inner_block_is_undone_alone(self, store: Any, sample: Sample[Any]) -> None:
        """Nested blocks are savepoints: the outer block goes on and commits."""
        repo = _repo(store, sample)
        outer, inner, inner_ok = (sample.make(n, "x") for n in (1, 2, 3))
        with store.transaction():
            repo.add(outer)
            with pytest.raises(AbortError):
                _abort_after(store, lambda: repo.add(inner))
            with store.transaction():
                repo.add(inner_ok)
        found = [_exists(repo, e.id) for e in (outer, inner, inner_ok)]
        assert found == [True, False, True]

    def test_an_outer_rollback_undoes_committed_inner_blocks(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """Nothing is committed until the outermost block ends."""
        repo = _repo(store, sample)

        def writes() -> None:
            with store.transaction():
                repo.add(sample.make(1, "y"))

        with pytest.raises(AbortError):
            _abort_after(store, writes)
        assert len(repo) == 0

    def test_a_conflict_inside_a_transaction_rolls_it_back(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """A ConflictError raised inside the block undoes the block's earlier writes."""
        repo = _repo(store, sample)
        repo.add(sample.make(1, "x"))

        def writes() -> None:
            repo.add(sample.make(2, "y"))
            repo.add(sample.make(1, "again"))

        with pytest.raises(ConflictError), store.transaction():
            writes()
        assert len(repo) == 1

    def test_a_transaction_can_follow_a_failed_one(self, store: Any, sample: Sample[Any]) -> None:
        """After a rollback the store is usable: the next transaction commits."""
        repo = _repo(store, sample)
        with pytest.raises(AbortError):
            _abort_after(store, lambda: repo.add(sample.make(1, "x")))
        with store.transaction():
            stored = repo.add(sample.make(1, "y"))
        assert sample.text(repo.get(stored.id)) == "y"

    # --- queries ----------------------------------------------------------------------------

    def test_complaints_by_key_in_a_half_open_window(self, store: Any) -> None:
        """in_window() takes start, not end, only that key, oldest first (002 §40)."""
        store.complaints.add_all(_complaint(n, "") for n in range(1, 9))
        start, end = _T0 + timedelta(hours=3), _T0 + timedelta(hours=7)
        found = store.complaints.in_window("东区", "noise", "pump room 1", start=start, end=end)
        assert _ids(found) == ["cmp-3", "cmp-5"]
        assert store.complaints.in_window("东区", "noise", "pump room %", start=_T0, end=end) == []

    def test_window_bounds_are_instants_whatever_their_zone(self, store: Any) -> None:
        """The same instant written in another zone bounds the window identically."""
        store.complaints.add(_complaint(1, ""))
        start = (_T0 + timedelta(hours=1)).astimezone(ZoneInfo("America/New_York"))
        end = start + timedelta(microseconds=1)
        assert _ids(
            store.complaints.in_window("东区", "noise", "pump room 1", start=start, end=end)
        ) == ["cmp-1"]

    def test_open_complaints_due_before_a_moment(self, store: Any) -> None:
        """open_due_before() skips resolved complaints and those not yet due."""
        store.complaints.add_all(_complaint(n, "") for n in range(1, 8))
        due = store.complaints.open_due_before(_T0 + timedelta(hours=7), within=timedelta(hours=2))
        assert _ids(due) == ["cmp-1", "cmp-2", "cmp-4"]

    def test_complaint_queries_refuse_naive_moments(self, store: Any) -> None:
        """A naive datetime is refused with the argument's name."""
        with pytest.raises(ValidationError, match="moment"):
            store.complaints.open_due_before(datetime(2025, 1, 1), within=_DAY)  # noqa: DTZ001
        with pytest.raises(ValidationError, match="within"):
            store.complaints.open_due_before(_T0, within=2)

    def test_callback_tasks_due_on_a_day_per_staff_member(self, store: Any) -> None:
        """due_on(day, staff=) takes the tasks due from midnight to midnight in the zone."""
        store.callback_tasks.add_all(_task(n, "") for n in range(1, 13))
        day = _T0.date() + _DAY  # tasks 1-5 fall due on 10 October in Shanghai
        found = store.callback_tasks.due_on(day, zone="Asia/Shanghai", staff="staff-1")
        assert _ids(found) == ["task-1", "task-4"]
        by_role = store.callback_tasks.due_on(day, zone="Asia/Shanghai", role="repair_lead")
        assert _ids(by_role) == ["task-2", "task-4"]

    def test_the_day_of_a_callback_depends_on_the_zone(self, store: Any) -> None:
        """The same tasks fall on other days when the day is taken in another zone."""
        store.callback_tasks.add_all(_task(n, "") for n in range(1, 13))
        day = _T0.date() + _DAY
        in_berlin = store.callback_tasks.due_on(day, zone="Europe/Berlin", staff="staff-1")
        assert _ids(in_berlin) == ["task-1", "task-4", "task-7"]

    def test_due_on_needs_exactly_one_owner(self, store: Any) -> None:
        """Neither or both of staff= and role= is refused."""
        with pytest.raises(ValidationError, match="exactly one"):
            store.callback_tasks.due_on(_T0.date(), zone="UTC")
        with pytest.raises(ValidationError, match="exactly one"):
            store.callback_tasks.due_on(_T0.date(), zone="UTC", staff="a", role="b")

    def test_work_orders_by_state(self, store: Any) -> None:
        """in_state() follows each timeline, oldest first, and moves with updates."""
        store.work_orders.add_all(_work_order(n, "东区") for n in range(1, 9))
        assert _ids(store.work_orders.in_state(WorkOrderState.ON_SITE)) == ["WO-2", "WO-6"]
        order = store.work_orders.get("WO-2")
        order.timeline = Timeline(
            [*order.timeline.events, Event(EventKind.RESOLVED, order.received_at + _DAY)],
            kind=order.timeline.kind,
        )
        store.work_orders.update(order)
        assert _ids(store.work_orders.in_state(WorkOrderState.ON_SITE)) == ["WO-6"]
        resolved = store.work_orders.in_state(WorkOrderState.RESOLVED)
        assert _ids(resolved) == ["WO-2", "WO-3", "WO-7"]

    def test_work_order_states_are_checked(self, store: Any) -> None:
        """An unknown state is refused, not answered with nothing."""
        with pytest.raises(ValidationError, match="WorkOrderState"):
            store.work_orders.in_state("lost")

    def test_customers_are_found_by_household(self, store: Any) -> None:
        """in_household() returns exactly that household's customers, by id."""
        store.customers.add_all(_customer(n, "王芳") for n in range(1, 6))
        assert _ids(store.customers.in_household("hh-1")) == ["cust-1", "cust-3", "cust-5"]
        assert store.customers.in_household("hh-%") == []

    def test_cards_are_found_by_holder(self, store: Any) -> None:
        """held_by() returns a holder's cards, earliest expiry first."""
        store.vip_cards.add_all(_card(n, "客户助理") for n in (1, 4, 7))
        assert _ids(store.vip_cards.held_by("cust-1")) == ["JK2004", "JK2007", "JK2001"]

    def test_expiring_cards_are_half_open_and_skip_ended_cards(self, store: Any) -> None:
        """expiring_between(start, end) takes start, not end, and ignores ended cards."""
        first = _card(1, "客户助理")
        store.vip_cards.add(first)
        start = first.expires_on
        on_end = _card(2, "客户助理")
        on_end.expires_on = start + timedelta(days=10)
        store.vip_cards.add(on_end)
        ended = _card(3, "客户助理")
        ended.expires_on = start
        store.vip_cards.add(attrs.evolve(ended, change=_ended(ended.issued_on)))
        expiring = store.vip_cards.expiring_between(start, start + timedelta(days=10))
        assert _ids(expiring) == ["JK2001"]

    def test_query_arguments_are_checked(self, store: Any) -> None:
        """A datetime where a date is expected is refused, not silently compared."""
        with pytest.raises(ValidationError, match="start"):
            store.vip_cards.expiring_between(datetime(2025, 1, 1, tzinfo=UTC), date(2026, 1, 1))

    def test_query_texts_that_cannot_be_utf8_are_refused(self, store: Any) -> None:
        """A lone surrogate in a query's text is a ValidationError naming the argument."""
        bad, day = _SURROGATE, _T0.date()
        calls: dict[str, Callable[[], object]] = {
            "household_id": lambda: store.customers.in_household(bad),
            "community": lambda: store.complaints.in_window(bad, "n", "s", start=_T0, end=_T0),
            "category": lambda: store.complaints.in_window("c", bad, "s", start=_T0, end=_T0),
            "subject": lambda: store.complaints.in_window("c", "n", bad, start=_T0, end=_T0),
            "staff": lambda: store.callback_tasks.due_on(day, zone="UTC", staff=bad),
            "role": lambda: store.callback_tasks.due_on(day, zone="UTC", role=bad),
            "holder_id": lambda: store.vip_cards.held_by(bad),
            "prefix": lambda: store.card_numbers.allocate(bad, VipLevel.OTHER),
            "id": lambda: store.survey_responses.get(bad),
            "community ": lambda: store.survey_responses.for_community(bad, day, day),
        }
        assert [name.strip() for name in calls] == [_refused(call) for call in calls.values()]

    def test_query_arguments_that_are_not_text_are_refused(self, store: Any) -> None:
        """None where text is expected is a ValidationError naming the argument."""
        day = _T0.date()
        calls: dict[str, Callable[[], object]] = {
            "household_id": lambda: store.customers.in_household(None),
            "community": lambda: store.complaints.in_window(None, "n", "s", start=_T0, end=_T0),
            "staff": lambda: store.callback_tasks.due_on(day, zone="UTC", staff=3),
            "holder_id": lambda: store.vip_cards.held_by(None),
            "prefix": lambda: store.card_numbers.allocate(None, VipLevel.OTHER),
            "response": lambda: store.survey_responses.add(None),
            "responses": lambda: store.survey_responses.add_all(None),
            "responses[0]": lambda: store.survey_responses.add_all([None]),
        }
        assert list(calls) == [_refused(call) for call in calls.values()]
        assert len(store.survey_responses) == 0

    # --- the card-sequence allocator --------------------------------------------------------

    def test_card_numbers_count_up_per_prefix_and_level(self, store: Any) -> None:
        """Each (prefix, level) has its own sequence starting at 1."""
        allocate = store.card_numbers.allocate
        drawn = [allocate("JK", VipLevel.OTHER) for _ in range(3)]
        others = [allocate("JK", VipLevel.GROUP_LEADERSHIP), allocate("AB", VipLevel.OTHER)]
        assert (drawn, others) == ([1, 2, 3], [1, 1])

    def test_card_numbers_refuse_an_unknown_level(self, store: Any) -> None:
        """A level that is not a VipLevel is refused by name, and draws nothing."""
        with pytest.raises(ValidationError, match=r"^level: expected a VipLevel"):
            store.card_numbers.allocate("JK", 7)
        assert store.card_numbers.allocate("JK", VipLevel.OTHER) == 1

    def test_card_numbers_run_out_after_999(self, store: Any) -> None:
        """The 1,000th number of a level is refused, and stays refused."""
        with store.transaction():
            last = [store.card_numbers.allocate("JK", VipLevel.OTHER) for _ in range(MAX_SEQUENCE)]
        assert last[-1] == MAX_SEQUENCE
        for _ in range(2):
            with pytest.raises(CardNumbersExhaustedError, match="JK2001-JK2999"):
                store.card_numbers.allocate("JK", VipLevel.OTHER)

    def test_card_numbers_drawn_in_a_rolled_back_transaction_are_reused(self, store: Any) -> None:
        """A rolled-back issue gives its number back: the sequence has no holes."""
        with pytest.raises(AbortError):
            _abort_after(store, lambda: store.card_numbers.allocate("JK", VipLevel.OTHER))
        assert store.card_numbers.allocate("JK", VipLevel.OTHER) == 1

    # --- survey responses (append-only) -----------------------------------------------------

    def test_survey_responses_get_distinct_ids_and_read_back(self, store: Any) -> None:
        """add() numbers responses; get() returns an equal copy."""
        responses = [_response(community, 1) for community in HOSTILE_TEXTS[:4]]
        ids = [store.survey_responses.add(r) for r in responses]
        assert len(set(ids)) == 4
        assert [store.survey_responses.get(id) for id in ids] == responses

    def test_survey_responses_per_community_and_period(self, store: Any) -> None:
        """for_community(c, start, end) is half-open and in answer order."""
        store.survey_responses.add_all(
            [
                _response("东区", 10),
                _response("东区", 1),
                _response("西区", 5),
                _response("东区", 31),
            ]
        )
        found = store.survey_responses.for_community("东区", date(2025, 3, 1), date(2025, 3, 31))
        assert [r.answered_on.day for r in found] == [1, 10]

    def test_survey_responses_roll_back_with_their_transaction(self, store: Any) -> None:
        """Responses added in a failed transaction are gone, and a missing id is not found."""
        with pytest.raises(AbortError):
            _abort_after(store, lambda: store.survey_responses.add(_response("东区", 1)))
        assert len(store.survey_responses) == 0
        with pytest.raises(NotFoundError):
            store.survey_responses.get("1")

    @settings(max_examples=25, suppress_health_check=_SHARED_SUITE)
    @given(response=survey_responses())
    def test_any_survey_response_round_trips(self, store: Any, response: SurveyResponse) -> None:
        """Every valid response comes back equal."""
        assert store.survey_responses.get(store.survey_responses.add(response)) == response


class AbortError(Exception):
    """Raised by the suite to roll a transaction back."""


_SURROGATE = "\ud800"  # a lone surrogate: a str that has no UTF-8 form
_HUGE_VERSIONS = (2**63 - 1, 2**63, 2**70)  # the next version (or the version) needs > 64 bits


def _refused(call: Callable[[], object]) -> str:
    """Run ``call``, which must raise ValidationError, and return the field it names."""
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.field


def _abort_after(store: Any, work: Callable[[], object]) -> None:
    with store.transaction():
        work()
        raise AbortError


def _repo(store: Any, sample: Sample[T]) -> Repository[T]:
    return getattr(store, sample.repository)  # type: ignore[no-any-return]


def _exists(repo: Repository[Any], id: str) -> bool:
    try:
        repo.get(id)
    except NotFoundError:
        return False
    return True


def _ended(on: date) -> StatusChange:
    return StatusChange(CardStatus.REVOKED, on, "主任", "test", RevocationGround.MALICIOUS_ARREARS)


def _response(community: str, day: int) -> SurveyResponse:
    return SurveyResponse(f"H-{day}", community, date(2025, 3, day), recommend=9, overall=5)
