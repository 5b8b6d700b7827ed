"""The table engines under every repository: declared queries run alike in memory and SQLite.

A small test-only aggregate (``Note``) exercises what real aggregates only
touch in part: every operator, NULL columns, ordering, and the memory
adapter's hash indexes staying right through updates, removals and rollbacks.
"""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from attrs import define

from propcrm.errors import ConflictError, NotFoundError
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import Column, Query, Repo, Table, Where
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 10, 9, 8, 30, tzinfo=SHANGHAI)


@define
class Note:
    id: str
    owner: str
    at: datetime
    score: int | None = None
    version: int = 0


NOTES = Table(
    "notes",
    Note,
    (Column("owner", "TEXT"), Column("at_us", "INTEGER"), Column("score", "INTEGER")),
    lambda n: (n.owner, epoch_micros(n.at), n.score),
    (
        Query(
            "window",
            (
                Where("owner", "=", "owner"),
                Where("at_us", ">=", "start"),
                Where("at_us", "<", "end"),
            ),
            ("at_us",),
        ),
        Query(
            "scored_above", (Where("score", ">", "low"), Where("score", "<=", "high")), ("score",)
        ),
        Query("all", ()),
    ),
)
DDL = (
    "CREATE TABLE notes (id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " owner TEXT, at_us INTEGER, score INTEGER, body TEXT NOT NULL)"
)


def _memory(tmp_path: Path) -> Any:
    return MemoryStore()


def _sqlite(tmp_path: Path) -> Any:
    store = SqliteStore(tmp_path / "notes.db")
    store._execute(DDL)
    return store


@pytest.fixture(params=[_memory, _sqlite], ids=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    store = request.param(tmp_path)
    yield store
    store.close()


def test_window_is_half_open_and_ordered_by_time(store: Any) -> None:
    """[start, end): the start is in, the end is out, results come oldest first."""
    engine = store._table(NOTES)
    notes = Repo(engine)
    for i, hours in enumerate([5, 0, 3, 10]):
        notes.add(Note(f"n{i}", "wang", T0 + timedelta(hours=hours)))
    notes.add(Note("other", "li", T0))
    params = {
        "owner": "wang",
        "start": epoch_micros(T0),
        "end": epoch_micros(T0 + timedelta(hours=10)),
    }
    assert [n.id for n in engine.select(NOTES.query("window"), params)] == ["n1", "n2", "n0"]


def test_null_columns_match_no_condition(store: Any) -> None:
    """A NULL column matches nothing, as in SQL; a NULL parameter matches nothing either."""
    engine = store._table(NOTES)
    engine.add(Note("none", "wang", T0))
    engine.add(Note("five", "wang", T0, score=5))
    engine.add(Note("nine", "wang", T0, score=9))
    query = NOTES.query("scored_above")
    assert [n.id for n in engine.select(query, {"low": 0, "high": 9})] == ["five", "nine"]
    assert engine.select(query, {"low": None, "high": 9}) == []


def test_ties_are_broken_by_id(store: Any) -> None:
    """Rows equal in the order columns come back by id."""
    engine = store._table(NOTES)
    for id in ["b", "a", "c"]:
        engine.add(Note(id, "wang", T0))
    assert [n.id for n in engine.select(NOTES.query("all"), {})] == ["a", "b", "c"]


def test_queries_follow_updates_and_removals(store: Any) -> None:
    """Moving an entity to another owner moves it between query results."""
    engine = store._table(NOTES)
    note = engine.add(Note("n", "wang", T0))
    note.owner = "li"
    engine.update(note)
    end = T0 + timedelta(hours=1)
    assert (_window_of(engine, "wang", end), _window_of(engine, "li", end)) == ([], ["n"])
    engine.remove("n", None)
    assert _window_of(engine, "li", end) == []


def test_rolled_back_writes_leave_queries_as_before(store: Any) -> None:
    """An undone update, insert and removal restore the query results too."""
    engine = store._table(NOTES)
    kept = engine.add(Note("kept", "wang", T0))
    engine.add(Note("gone", "wang", T0))
    end = T0 + timedelta(hours=1)

    def writes() -> None:
        kept.owner = "li"
        engine.update(kept)
        engine.add(Note("new", "wang", T0))
        engine.remove("gone", None)

    with pytest.raises(AbortError):
        _abort_after(store, writes)
    wang, li = _window_of(engine, "wang", end), _window_of(engine, "li", end)
    assert (wang, li) == (["gone", "kept"], [])


def test_errors_name_the_entity_and_id(store: Any) -> None:
    """Missing and conflicting writes say which entity and what to do."""
    engine = store._table(NOTES)
    engine.add(Note("n", "wang", T0))
    with pytest.raises(NotFoundError, match="no Note with id 'x' to update"):
        engine.update(Note("x", "wang", T0, version=1))
    with pytest.raises(ConflictError, match="already exists"):
        engine.add(Note("n", "wang", T0))


def test_sequences_count_up_and_roll_back(store: Any) -> None:
    """Sequence numbers are consecutive per name and undone with their transaction."""
    assert [store._next_in_sequence(n) for n in ("a", "a", "b")] == [1, 2, 1]

    def draws() -> None:
        store._next_in_sequence("a")
        store._next_in_sequence("c")

    with pytest.raises(AbortError):
        _abort_after(store, draws)
    assert [store._next_in_sequence("a"), store._next_in_sequence("c")] == [3, 1]


def _window_of(engine: Any, owner: str, end: datetime) -> list[str]:
    params = {"owner": owner, "start": epoch_micros(T0), "end": epoch_micros(end)}
    return [n.id for n in engine.select(NOTES.query("window"), params)]


class AbortError(Exception):
    """Raised on purpose to roll a transaction back."""


def _abort_after(store: Any, work: Callable[[], None]) -> None:
    with store.transaction():
        work()
        raise AbortError


def test_add_all_is_all_or_nothing_and_feeds_the_queries(store: Any) -> None:
    """Bulk adds land together (and are found by queries) or not at all."""
    engine = store._table(NOTES)
    notes = [Note(f"n{i}", "wang", T0 + timedelta(minutes=i)) for i in range(5)]
    assert engine.add_all(notes) == 5
    with pytest.raises(ConflictError, match="nothing was added"):
        engine.add_all([Note("fresh", "wang", T0), Note("n0", "wang", T0)])
    assert _window_of(engine, "wang", T0 + timedelta(hours=1)) == [f"n{i}" for i in range(5)]
