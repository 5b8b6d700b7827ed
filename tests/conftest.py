"""Shared test configuration: hypothesis profiles, and the PostgreSQL server of its tests.

``CI=true`` selects the ``ci`` profile: derandomized (the same examples every
run) and without deadlines, so a slow shared machine cannot fail a test.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from postgres_server import Cluster, binaries, emptied, unavailable
from propcrm.storage.postgres import PostgresStore

# The shipped contract suite asserts in a package module: show its values on failure.
pytest.register_assert_rewrite("propcrm.testing.contract")

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster for the session (see ``postgres_server``)."""
    bin_dir = binaries()
    if bin_dir is None:
        unavailable("no PostgreSQL binaries (pg_ctl, initdb) on PATH or in /usr/lib/postgresql")
    cluster = Cluster(bin_dir)  # type: ignore[arg-type]
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_shared(postgres_cluster: Any) -> str:
    """One database with propcrm's schema, reused (emptied) by the tests that need a store."""
    conninfo: str = postgres_cluster.new_database()
    PostgresStore(conninfo).close()
    return conninfo


@pytest.fixture
def postgres_db(postgres_shared: str) -> str:
    """The connection string of the shared database, emptied: a fresh store."""
    return emptied(postgres_shared)
