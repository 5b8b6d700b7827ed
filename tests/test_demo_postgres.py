"""`propcrm demo` and `propcrm report` on PostgreSQL: the same numbers as SQLite, safe targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from propcrm.cli import main
from propcrm.customers import Customer
from propcrm.demo._command import build_database, build_postgres
from propcrm.report._build import build_report
from propcrm.storage.postgres import PostgresStore

HOUSEHOLDS, MONTHS, SEED = 200, 1, 9


def _uri(conninfo: str) -> str:
    """The ``postgresql://`` URI of a key=value connection string (a socket directory host)."""
    parts = conninfo_to_dict(conninfo)
    host = quote(str(parts["host"]), safe="")
    return f"postgresql://{parts['user']}@/{parts['dbname']}?host={host}&port={parts['port']}"


def _tables(conninfo: str) -> list[str]:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        ).fetchall()
    return [name for (name,) in rows]


@pytest.fixture(scope="module")
def demo_uri(postgres_cluster: Any) -> str:
    """A new PostgreSQL database holding the tiny demo."""
    uri = _uri(postgres_cluster.new_database())
    build_postgres(uri, households=HOUSEHOLDS, months=MONTHS, seed=SEED, progress=False)
    return uri


def test_the_report_on_postgresql_equals_the_report_on_sqlite(
    demo_uri: str, tmp_path: Path
) -> None:
    """One seed written to PostgreSQL and to SQLite gives the same report, figure for figure."""
    path = tmp_path / "demo.sqlite3"
    build_database(path, households=HOUSEHOLDS, months=MONTHS, seed=SEED, progress=False)
    on_sqlite = build_report(path)
    on_postgres = build_report(demo_uri)
    assert on_postgres == on_sqlite
    assert sum(on_postgres.grades.values()) > 0
    assert on_postgres.vip_archives > 0


def test_a_community_report_on_postgresql_equals_sqlite(demo_uri: str, tmp_path: Path) -> None:
    """--community and --period read the same records from both stores."""
    path = tmp_path / "demo.sqlite3"
    build_database(path, households=HOUSEHOLDS, months=MONTHS, seed=SEED, progress=False)
    scope = {"community": "翠湖花园", "period": "2025-01"}
    assert build_report(demo_uri, **scope) == build_report(path, **scope)


def test_report_command_reads_postgresql(demo_uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`propcrm report --db postgresql://...` prints the report."""
    assert main(["report", "--db", demo_uri]) == 0
    assert "VIP office" in capsys.readouterr().out


def test_report_refuses_a_database_without_propcrm_and_creates_nothing(
    postgres_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty PostgreSQL database is no propcrm database: exit 2, no table made."""
    conninfo = postgres_cluster.new_database()
    assert main(["report", "--db", _uri(conninfo)]) == 2
    assert "holds no propcrm schema" in capsys.readouterr().err
    assert _tables(conninfo) == []


def test_demo_refuses_a_database_with_other_tables(
    postgres_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table propcrm did not create makes the demo refuse (exit 2) and leave it alone."""
    conninfo = postgres_cluster.new_database()
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("CREATE TABLE accounts (id int)")
        connection.execute("INSERT INTO accounts VALUES (1)")
    argv = ["demo", "--db", _uri(conninfo), "--households", "5", "--months", "1"]
    assert main(argv) == 2
    assert "tables propcrm did not create (accounts)" in capsys.readouterr().err
    assert _tables(conninfo) == ["accounts"]


def test_demo_refuses_propcrm_records_it_did_not_write(
    postgres_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A propcrm database holding the desks' records, not the demo's, is refused unchanged."""
    conninfo = postgres_cluster.new_database()
    with PostgresStore(conninfo) as store:
        store.customers.add(Customer("C-1", "张三"))
    argv = ["demo", "--db", _uri(conninfo), "--households", "5", "--months", "1"]
    assert main(argv) == 2
    assert "propcrm records the demo did not write" in capsys.readouterr().err
    with PostgresStore(conninfo) as store:
        assert len(store.customers) == 1


def test_demo_empties_its_own_postgresql_database(
    postgres_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second demo on its own PostgreSQL database starts clean: only the new run's rows."""
    uri = _uri(postgres_cluster.new_database())
    for households in ("40", "20"):
        assert main(["demo", "--db", uri, "--households", households, "--months", "1"]) == 0
    assert "C: " in capsys.readouterr().out
    with PostgresStore(uri) as store:
        assert len(store.customers) == 20


def test_demo_writes_into_propcrm_schema_without_rows(
    postgres_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """propcrm's schema with no row in any table has nothing to lose: the demo writes there."""
    conninfo = postgres_cluster.new_database()
    PostgresStore(conninfo).close()
    assert main(["demo", "--db", _uri(conninfo), "--households", "10", "--months", "1"]) == 0
    assert "Customers by tier" in capsys.readouterr().out
    with PostgresStore(conninfo) as store:
        assert len(store.customers) == 10
