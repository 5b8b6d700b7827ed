"""A throwaway PostgreSQL cluster for the tests: started on first use, stopped at the end.

The cluster lives in a new temporary directory: ``initdb`` (trust authentication,
UTF-8, no locale), then ``pg_ctl start`` listening only on a Unix socket in that
directory (no TCP port, nothing shared with other clusters), then ``pg_ctl stop
-m fast`` and the directory removed when the test session ends. PostgreSQL
refuses to run as root: under root the binaries run as the ``postgres`` user
(created by Debian's package) through ``runuser``, which owns the directory.

The binaries are ``pg_ctl``/``initdb`` on ``PATH``, else the newest
``/usr/lib/postgresql/*/bin``. Without them the PostgreSQL tests are skipped with
the reason, except in CI (``CI=true``), where their absence fails the run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

SERVICE_USER = "postgres"


def binaries() -> Path | None:
    """The directory holding ``pg_ctl`` and ``initdb``, or ``None``."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [
        Path(p).parent
        for p in sorted(
            glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
            key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
            reverse=True,
        )
    ]
    for directory in candidates:
        if (directory / "initdb").exists():
            return directory
    return None


def unavailable(reason: str) -> None:
    """Skip (or, in CI, fail) the PostgreSQL tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests (install Debian's postgresql)")
    pytest.skip(f"{reason}: the PostgreSQL tests need PostgreSQL's server binaries")


class Cluster:
    """One running cluster: a Unix socket in a private directory, databases made on demand."""

    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        self._bin = bin_dir
        self.directory = Path(tempfile.mkdtemp(prefix="propcrm-pg-"))
        self._data = self.directory / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                shutil.rmtree(self.directory)
                unavailable(f"running as root and there is no {SERVICE_USER!r} user to run as")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", SERVICE_USER, "--"]
        self._databases = 0
        self._pg("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = f"-k {self.directory} -c listen_addresses='' -c max_connections=200"
        if not durable:  # tests need no crash safety; benchmarks keep PostgreSQL's defaults
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._pg("pg_ctl", "-D", str(self._data), "-l", str(self.directory / "log"),
                 "-w", "-o", options, "start")  # fmt: skip

    def _pg(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(self._bin / program), *args],
            check=True,
            capture_output=True,
            cwd=self.directory,
        )

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.directory} port=5432 user=postgres dbname={dbname}"

    def new_database(self) -> str:
        """The connection string of a new, empty database."""
        self._databases += 1
        name = f"propcrm_{self._databases}"
        with psycopg.connect(self.conninfo(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.conninfo(name)

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def emptied(conninfo: str) -> str:
    """Empty every propcrm table of the database (its schema stays): a fresh store."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'propcrm_migrations'"
            )
        ]
        if tables:
            # The audit trail refuses TRUNCATE through its trigger; a replica session
            # fires no ordinary trigger, so the test database can still be emptied.
            connection.execute("SET session_replication_role = replica")
            connection.execute(f"TRUNCATE {', '.join(tables)}")
    return conninfo
