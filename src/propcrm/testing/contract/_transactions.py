"""The contract of a store's transactions, run once per aggregate of :data:`SAMPLES`."""

from __future__ import annotations

from typing import Any

import pytest

from propcrm.errors import ConflictError
from propcrm.testing.contract._samples import Sample
from propcrm.testing.contract._support import AbortError, abort_after, exists, repo_of


class TransactionContract:
    """What a store's transactions promise: commit, rollback, nesting as savepoints."""

    def test_transaction_commits_on_success(self, store: Any, sample: Sample[Any]) -> None:
        """Writes inside a transaction are visible after it ends normally."""
        repo = repo_of(store, sample)
        with store.transaction():
            repo.add(sample.make(1, "a"))
            repo.add(sample.make(2, "b"))
        assert len(repo) == 2

    def test_transaction_rolls_back_on_any_exception(self, store: Any, sample: Sample[Any]) -> None:
        """An exception undoes every write of the block and propagates."""
        repo = repo_of(store, sample)
        kept = repo.add(sample.make(1, "before"))
        doomed = repo.add(sample.make(2, "x"))
        new = sample.make(3, "y")

        def writes() -> None:
            repo.add(new)
            repo.update(sample.change(repo.get(kept.id), "after"))
            repo.remove(doomed.id)

        with pytest.raises(AbortError):
            abort_after(store, writes)
        now = repo.get(kept.id)
        assert (sample.text(now), now.version, len(repo)) == ("before", 1, 2)
        assert not exists(repo, new.id)

    def test_a_failed_inner_block_is_undone_alone(self, store: Any, sample: Sample[Any]) -> None:
        """Nested blocks are savepoints: the outer block goes on and commits."""
        repo = repo_of(store, sample)
        outer, inner, inner_ok = (sample.make(n, "x") for n in (1, 2, 3))
        with store.transaction():
            repo.add(outer)
            with pytest.raises(AbortError):
                abort_after(store, lambda: repo.add(inner))
            with store.transaction():
                repo.add(inner_ok)
        found = [exists(repo, e.id) for e in (outer, inner, inner_ok)]
        assert found == [True, False, True]

    def test_an_outer_rollback_undoes_committed_inner_blocks(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """Nothing is committed until the outermost block ends."""
        repo = repo_of(store, sample)

        def writes() -> None:
            with store.transaction():
                repo.add(sample.make(1, "y"))

        with pytest.raises(AbortError):
            abort_after(store, writes)
        assert len(repo) == 0

    def test_a_conflict_inside_a_transaction_rolls_it_back(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """A ConflictError raised inside the block undoes the block's earlier writes."""
        repo = repo_of(store, sample)
        repo.add(sample.make(1, "x"))

        def writes() -> None:
            repo.add(sample.make(2, "y"))
            repo.add(sample.make(1, "again"))

        with pytest.raises(ConflictError), store.transaction():
            writes()
        assert len(repo) == 1

    def test_a_transaction_can_follow_a_failed_one(self, store: Any, sample: Sample[Any]) -> None:
        """After a rollback the store is usable: the next transaction commits."""
        repo = repo_of(store, sample)
        with pytest.raises(AbortError):
            abort_after(store, lambda: repo.add(sample.make(1, "x")))
        with store.transaction():
            stored = repo.add(sample.make(1, "y"))
        assert sample.text(repo.get(stored.id)) == "y"
