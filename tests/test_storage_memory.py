"""MemoryStore keeps the storage contract, and the contract catches stores that do not."""

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import attrs
import pytest

from propcrm.storage.memory import MemoryStore
from propcrm.testing.contract import SAMPLES, StoreContract


class TestMemoryStore(StoreContract):
    def make_store(self, directory: Path) -> MemoryStore:
        return MemoryStore()


class _LosesUpdates:
    """A repository that overwrites whatever is stored, ignoring versions."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def update(self, entity: Any) -> Any:
        current = self._inner.get(entity.id)
        return self._inner.update(attrs.evolve(entity, version=current.version))


def test_the_contract_fails_a_store_that_loses_updates() -> None:
    """A repository that skips the version check fails the stale-update test."""
    store = MemoryStore()
    store.complaints = _LosesUpdates(store.complaints)  # type: ignore[assignment]
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        StoreContract().test_stale_update_is_a_conflict_and_changes_nothing(store, SAMPLES[0])


def test_the_contract_fails_a_store_that_cannot_roll_back() -> None:
    """A store whose transactions undo nothing fails the rollback test."""
    store = MemoryStore()
    store.transaction = nullcontext  # type: ignore[method-assign]
    with pytest.raises(AssertionError):
        StoreContract().test_transaction_rolls_back_on_any_exception(store, SAMPLES[0])
