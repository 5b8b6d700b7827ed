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

It needs ``pytest`` and ``hypothesis`` (the ``dev`` extra brings both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propcrm.errors import ConflictError, NotFoundError, ValidationError
from propcrm.storage import Repository, Store

__all__ = ["HOSTILE_IDS", "HOSTILE_TEXTS", "SAMPLES", "Sample", "StoreContract"]

T = TypeVar("T")

HOSTILE_TEXTS: tuple[str, ...] = (
    'it\'s "quoted"',
    "'; DROP TABLE complaints; --",
    "NUL\x00inside",
    "emoji 😀 and 物业 and \u200d joiners",
    "%_ LIKE wildcards \\ and backslash",
    "x" * 1_000_000,
    "",
)
"""Text every store must give back unchanged."""

HOSTILE_IDS: tuple[str, ...] = ("100%", "a_b", "'; DROP TABLE x; --", "空格 space", "%_%")
"""Ids every store must accept and find again."""


@attrs.frozen
class Sample(Generic[T]):
    """How the suite builds entities of one aggregate, so generic tests can run on it.

    Attributes:
        repository: The store attribute holding the aggregate's repository.
        make: Build a valid new entity from an id and a free text.
        text: Read back the free text of an entity.
        change: Set an entity's free text (in place when the entity is mutable)
            and return the entity.
        entities: A strategy for arbitrary valid entities (for round trips).
        queries: Run the repository's queries over a few canned parameters and
            return what they found (ids, in order); used to compare adapters.
    """

    repository: str
    make: Callable[[str, str], T]
    text: Callable[[T], str]
    change: Callable[[T, str], T]
    entities: Callable[[], st.SearchStrategy[T]]
    queries: Callable[[Any], list[list[str]]]


SAMPLES: tuple[Sample[Any], ...] = ()
"""One :class:`Sample` per versioned aggregate of :class:`~propcrm.storage.Store`."""


class StoreContract:
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
        """Each aggregate in turn."""
        return request.param  # type: ignore[no-any-return]

    def test_added_entity_reads_back_equal_at_version_1(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """add() stores version 1 whatever the entity carried; get() returns an equal copy."""
        repo = _repo(store, sample)
        given = attrs.evolve(sample.make("e1", "hello"), version=7)
        stored = repo.add(given)
        assert stored.version == 1
        assert stored == repo.get("e1")

    def test_add_all_stores_every_entity_at_version_1(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """add_all() is add() for many: same copies, version 1, count returned."""
        repo = _repo(store, sample)
        given = [attrs.evolve(sample.make(f"e{i}", f"t{i}"), version=3) for i in range(3)]
        assert repo.add_all(given) == 3
        assert [attrs.evolve(e, version=1) for e in given] == [repo.get(e.id) for e in given]

    def test_add_all_with_a_known_id_adds_nothing(self, store: Any, sample: Sample[Any]) -> None:
        """One duplicate id makes add_all() a ConflictError and adds none of the others."""
        repo = _repo(store, sample)
        repo.add(sample.make("e1", "first"))
        batch = [sample.make("new", "x"), sample.make("e1", "again")]
        with pytest.raises(ConflictError, match="nothing was added"):
            repo.add_all(batch)
        assert len(repo) == 1

    def test_update_bumps_the_version(self, store: Any, sample: Sample[Any]) -> None:
        """update() from the current version stores the change as the next version."""
        repo = _repo(store, sample)
        stored = repo.add(sample.make("e1", "before"))
        updated = repo.update(sample.change(stored, "after"))
        assert (updated.version, sample.text(repo.get("e1"))) == (2, "after")

    def test_stale_update_is_a_conflict_and_changes_nothing(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """Two writers from the same version: the second gets ConflictError, the first wins."""
        repo = _repo(store, sample)
        first = repo.add(sample.make("e1", "original"))
        repo.update(sample.change(first, "winner"))
        with pytest.raises(ConflictError, match="read it again"):
            repo.update(sample.change(first, "loser"))
        assert (repo.get("e1").version, sample.text(repo.get("e1"))) == (2, "winner")

    def test_duplicate_id_is_a_conflict(self, store: Any, sample: Sample[Any]) -> None:
        """add() never overwrites an existing entity."""
        repo = _repo(store, sample)
        repo.add(sample.make("e1", "first"))
        with pytest.raises(ConflictError, match="already exists"):
            repo.add(sample.make("e1", "second"))
        assert sample.text(repo.get("e1")) == "first"

    def test_missing_ids_are_not_found(self, store: Any, sample: Sample[Any]) -> None:
        """get, update and remove of an unknown id raise NotFoundError."""
        repo = _repo(store, sample)
        ghost = attrs.evolve(sample.make("ghost", "boo"), version=1)
        with pytest.raises(NotFoundError):
            repo.get("ghost")
        with pytest.raises(NotFoundError):
            repo.update(ghost)
        with pytest.raises(NotFoundError):
            repo.remove("ghost")

    def test_remove_deletes_and_checks_a_given_version(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """remove() with a stale version is a conflict; with the current one it deletes."""
        repo = _repo(store, sample)
        repo.add(sample.make("e1", "x"))
        repo.add(sample.make("e2", "y"))
        with pytest.raises(ConflictError):
            repo.remove("e1", version=5)
        repo.remove("e1", version=1)
        repo.remove("e2")
        assert len(repo) == 0

    def test_reads_are_copies(self, store: Any, sample: Sample[Any]) -> None:
        """Changing an entity you read (or added) changes nothing stored."""
        repo = _repo(store, sample)
        given = sample.make("e1", "kept")
        repo.add(given)
        sample.change(given, "changed after add")
        sample.change(repo.get("e1"), "changed after get")
        assert sample.text(repo.get("e1")) == "kept"

    def test_hostile_ids_and_texts_round_trip(self, store: Any, sample: Sample[Any]) -> None:
        """Quotes, SQL, NUL, emoji, wildcards and 1 MB strings come back unchanged."""
        repo = _repo(store, sample)
        for i, text in enumerate(HOSTILE_TEXTS):
            repo.add(sample.make(f"t{i}", text))
        for id in HOSTILE_IDS:
            repo.add(sample.make(id, id))
        assert list(HOSTILE_TEXTS) == [sample.text(repo.get(f"t{i}")) for i in range(7)]
        assert list(HOSTILE_IDS) == [sample.text(repo.get(id)) for id in HOSTILE_IDS]
        assert len(HOSTILE_TEXTS) + len(HOSTILE_IDS) == len(repo)

    def test_invalid_text_is_refused_and_nothing_is_written(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """A lone surrogate cannot be stored; the store is left as it was."""
        repo = _repo(store, sample)
        with pytest.raises(ValidationError):
            repo.add(sample.make("bad", "\ud800"))
        assert len(repo) == 0

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test_any_entity_round_trips(
        self, store: Any, sample: Sample[Any], data: st.DataObject
    ) -> None:
        """Every valid entity (datetimes with zones included) comes back equal."""
        repo = _repo(store, sample)
        entity = data.draw(sample.entities())
        entity = attrs.evolve(entity, id=f"rt{len(repo)}")
        stored = repo.add(entity)
        assert stored == repo.get(stored.id)
        assert attrs.evolve(entity, version=1) == stored

    def test_transaction_commits_on_success(self, store: Any, sample: Sample[Any]) -> None:
        """Writes inside a transaction are visible after it ends normally."""
        repo = _repo(store, sample)
        with store.transaction():
            repo.add(sample.make("e1", "a"))
            repo.add(sample.make("e2", "b"))
        assert len(repo) == 2

    def test_transaction_rolls_back_on_any_exception(self, store: Any, sample: Sample[Any]) -> None:
        """An exception undoes every write of the block and propagates."""
        repo = _repo(store, sample)
        kept = repo.add(sample.make("kept", "before"))
        repo.add(sample.make("doomed", "x"))

        def writes() -> None:
            repo.add(sample.make("new", "y"))
            repo.update(sample.change(kept, "after"))
            repo.remove("doomed")

        with pytest.raises(AbortError):
            _abort_after(store, writes)
        assert [sample.text(repo.get("kept")), repo.get("kept").version, len(repo)] == [
            "before",
            1,
            2,
        ]
        with pytest.raises(NotFoundError):
            repo.get("new")

    def test_a_failed_inner_block_is_undone_alone(self, store: Any, sample: Sample[Any]) -> None:
        """Nested blocks are savepoints: the outer block goes on and commits."""
        repo = _repo(store, sample)
        with store.transaction():
            repo.add(sample.make("outer", "x"))
            with pytest.raises(AbortError):
                _abort_after(store, lambda: repo.add(sample.make("inner", "y")))
            with store.transaction():
                repo.add(sample.make("inner-ok", "z"))
        assert sorted(id for id in ("outer", "inner", "inner-ok") if _exists(repo, id)) == [
            "inner-ok",
            "outer",
        ]

    def test_an_outer_rollback_undoes_committed_inner_blocks(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """Nothing is committed until the outermost block ends."""
        repo = _repo(store, sample)

        def writes() -> None:
            with store.transaction():
                repo.add(sample.make("inner", "y"))

        with pytest.raises(AbortError):
            _abort_after(store, writes)
        assert len(repo) == 0

    def test_a_conflict_inside_a_transaction_rolls_it_back(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """A ConflictError raised inside the block undoes the block's earlier writes."""
        repo = _repo(store, sample)
        repo.add(sample.make("e1", "x"))

        def writes() -> None:
            repo.add(sample.make("e2", "y"))
            repo.add(sample.make("e1", "again"))

        with pytest.raises(ConflictError), store.transaction():
            writes()
        assert len(repo) == 1

    def test_a_transaction_can_follow_a_failed_one(self, store: Any, sample: Sample[Any]) -> None:
        """After a rollback the store is usable: the next transaction commits."""
        repo = _repo(store, sample)
        with pytest.raises(AbortError):
            _abort_after(store, lambda: repo.add(sample.make("e1", "x")))
        with store.transaction():
            repo.add(sample.make("e1", "y"))
        assert sample.text(repo.get("e1")) == "y"


class AbortError(Exception):
    """Raised by the suite to roll a transaction back."""


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
