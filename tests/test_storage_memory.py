"""MemoryStore keeps the storage contract."""

from pathlib import Path

from propcrm.storage.memory import MemoryStore
from propcrm.testing.contract import StoreContract


class TestMemoryStore(StoreContract):
    def make_store(self, directory: Path) -> MemoryStore:
        return MemoryStore()
