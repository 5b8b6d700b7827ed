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
``conftest.py``; it covers the suite's private parts too.

The suite is one class put together from parts, each in its own private
module: the promises of every versioned repository, of transactions, of each
repository's queries, and of the append-only card numbers and survey
responses. :class:`StoreContract` is the one class to subclass and
:meth:`~StoreContract.make_store` its one hook.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from propcrm.storage import Store
from propcrm.testing.contract._access import AccessContract
from propcrm.testing.contract._analysis import AnalysisContract
from propcrm.testing.contract._append_only import CardNumberContract, SurveyResponseContract
from propcrm.testing.contract._office import OfficeContract
from propcrm.testing.contract._queries import QueryContract
from propcrm.testing.contract._records import RecordContract
from propcrm.testing.contract._repair import RepairContract
from propcrm.testing.contract._samples import HOSTILE_IDS, HOSTILE_TEXTS, SAMPLES, Sample
from propcrm.testing.contract._transactions import TransactionContract
from propcrm.testing.contract._versioned import VersionedRepositoryContract

__all__ = ["HOSTILE_IDS", "HOSTILE_TEXTS", "SAMPLES", "Sample", "StoreContract"]


class StoreContract(
    AccessContract,
    RecordContract,
    RepairContract,
    AnalysisContract,
    OfficeContract,
    VersionedRepositoryContract,
    TransactionContract,
    QueryContract,
    CardNumberContract,
    SurveyResponseContract,
):
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


# Sample and the hostile values are documented and shown as this module's own.
Sample.__module__ = __name__
