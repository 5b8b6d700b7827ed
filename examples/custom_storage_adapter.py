"""A custom storage adapter, held to propcrm's storage contract.

A store is anything with the shape of :class:`propcrm.storage.Store`: one
repository per aggregate, ``transaction()``, ``in_transaction()`` and
``close()``. The contract suite :mod:`propcrm.testing.contract` checks that a
store keeps the promises of that port (versions, conflicts, errors, copies on
read, transactions, queries).

What this adapter is, honestly: a *decorator* around another store, not a
database of its own. A full adapter from scratch implements every
repository of the port with its queries and keyset paging; most hosts need
something smaller first — metrics around the store they already use. ``CountingStore``
wraps any store (here :class:`~propcrm.storage.memory.MemoryStore`) and counts
the calls each repository receives, so a host can export them to its
monitoring. Being a store itself, it must keep the whole contract: the suite
proves the wrapper hides nothing and changes nothing.

The contract suite is a pytest class: subclass ``StoreContract``, implement
``make_store``, and run pytest on the module. This script runs pytest on
itself (it needs the ``dev`` extra, which brings pytest and hypothesis);
``python -m pytest examples/custom_storage_adapter.py`` does the same.

Run from the repository root: ``python examples/custom_storage_adapter.py``.
Exits non-zero if a contract test fails.
"""

import subprocess
import sys
from collections import Counter
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from propcrm.storage import Store
from propcrm.storage.memory import MemoryStore
from propcrm.testing.contract import StoreContract

# Every repository the Store port names: its properties, read from the port itself, so
# a repository added to propcrm is wrapped too.
REPOSITORIES = tuple(name for name, member in vars(Store).items() if isinstance(member, property))


class CountedRepository:
    """Passes every call to the wrapped repository and counts it as ``repository.method``."""

    def __init__(self, inner: Any, name: str, calls: Counter[str]) -> None:
        self._inner = inner
        self._name = name
        self._calls = calls

    def __getattr__(self, method: str) -> Any:
        found = getattr(self._inner, method)
        if not callable(found):
            return found
        counted = f"{self._name}.{method}"

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls[counted] += 1
            return found(*args, **kwargs)

        return call

    def __len__(self) -> int:  # dunder methods are looked up on the class, not via __getattr__
        self._calls[f"{self._name}.__len__"] += 1
        return len(self._inner)


class CountingStore:
    """A store that counts the calls each repository receives, around any other store.

    Attributes:
        calls: ``"repository.method"`` -> how many calls; a host exports these.
    """

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.calls: Counter[str] = Counter()
        for name in REPOSITORIES:
            setattr(self, name, CountedRepository(getattr(inner, name), name, self.calls))

    def transaction(self) -> AbstractContextManager[None]:
        """The wrapped store's transaction: commits and rollbacks are its own."""
        self.calls["transaction"] += 1
        return self._inner.transaction()

    def in_transaction(self) -> bool:
        """Whether the wrapped store has a transaction block open."""
        return self._inner.in_transaction()

    def close(self) -> None:
        """Close the wrapped store."""
        self._inner.close()


# A busy machine must not fail a property test on its clock: no per-example deadline.
settings.register_profile("contract", deadline=None)
settings.load_profile("contract")


# The contract suite, run on the adapter: one subclass, one hook.
class TestCountingStore(StoreContract):
    """Every promise of the Store port, kept by CountingStore around a MemoryStore."""

    def make_store(self, directory: Path) -> Store:
        store = CountingStore(MemoryStore())
        if not isinstance(store, Store):  # the port is a runtime-checkable Protocol
            raise TypeError("CountingStore lacks a repository of the Store port")
        return store  # type: ignore[return-value]

    def test_calls_are_counted(self, store: Any) -> None:
        """What only this adapter promises: each repository call is counted once."""
        with pytest.raises(Exception, match="no Complaint"):
            store.complaints.get("C-404")
        assert store.calls["complaints.get"] == 1


def run_contract(path: str) -> int:
    """Run the contract suite in ``path`` (this file) with pytest, in a fresh interpreter.

    A fresh interpreter, because pytest must import the suite itself to rewrite its
    assertions (and show the compared values when one fails).
    """
    command = [sys.executable, "-m", "pytest", path, "-q", "-p", "no:cacheprovider"]
    # The repository's own pytest options (coverage of the whole package) are not
    # this script's business: start from none, and make warnings errors.
    command += ["-o", "addopts=", "-W", "error"]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    print("running propcrm's storage contract on CountingStore ...")
    code = run_contract(__file__)
    if code != 0:
        sys.exit(f"the contract suite failed (pytest exit code {code})")
    print("CountingStore keeps the storage contract")
