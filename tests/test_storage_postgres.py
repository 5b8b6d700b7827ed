"""PostgresStore: the contract suite on a throwaway server, plus what only PostgreSQL promises."""

from pathlib import Path

import pytest

from propcrm.storage.postgres import PostgresStore
from propcrm.testing.contract import StoreContract


class TestPostgresStore(StoreContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_db: str) -> None:
        self.conninfo = postgres_db

    def make_store(self, directory: Path) -> PostgresStore:
        return PostgresStore(self.conninfo)
