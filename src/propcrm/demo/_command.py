"""``propcrm demo``: build the demo database, then print its report. This module is private."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from propcrm.demo._postgres import empty_for_demo
from propcrm.demo._run import LOAD_COMMAND, run
from propcrm.errors import PropcrmError
from propcrm.report._command import print_report
from propcrm.report._source import is_postgres, open_postgres
from propcrm.storage import Store
from propcrm.storage.sqlite import SqliteStore

__all__ = ["DEFAULT_DB", "add_demo_command", "build_database", "build_postgres"]

DEFAULT_DB = "propcrm-demo.sqlite3"
EXIT_OK = 0
EXIT_INVALID = 2
_MAX_HOUSEHOLDS = 1_000_000
_MAX_MONTHS = 60


def _is_demo_database(path: Path) -> bool:
    """Whether ``path`` is a propcrm database the demo wrote (it holds the demo's load command)."""
    try:
        store = SqliteStore(path, read_only=True)
    except PropcrmError:
        return False
    try:
        return store.commands.find(LOAD_COMMAND) is not None
    finally:
        store.close()


def _remove(path: Path) -> None:
    for extra in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)


def _live(store: Store, *, households: int, months: int, seed: int, progress: bool | None) -> None:
    """Run the demo into ``store`` with a progress bar on stderr (``None``: if a terminal)."""
    bar = tqdm(total=months, desc="propcrm demo", unit="month", file=sys.stderr,
               disable=None if progress is None else not progress)  # fmt: skip

    def tick(stage: str, steps: int) -> None:
        if stage == "month":
            bar.update(1)
            bar.set_postfix(steps=steps)

    try:
        run(store, households=households, months=months, seed=seed, tick=tick)
    finally:
        bar.close()


def build_database(
    path: Path, *, households: int, months: int, seed: int, progress: bool | None = None
) -> None:
    """Write the demo database to ``path``: built beside it, then moved into place whole.

    ``progress`` shows a bar on stderr (``None``: only when stderr is a terminal).
    """
    building = path.with_name(f".{path.name}.building")
    _remove(building)
    try:
        store = SqliteStore(building, durable=False)
        try:
            _live(store, households=households, months=months, seed=seed, progress=progress)
        finally:
            store.close()
        _remove(path)
        os.replace(building, path)
    finally:
        _remove(building)


def build_postgres(
    db: str, *, households: int, months: int, seed: int, progress: bool | None = None
) -> None:
    """Write the demo into the PostgreSQL database ``db`` (a ``postgresql://`` URI), in place.

    The database must be empty, hold only propcrm's empty schema, or be a demo
    database, whose propcrm tables are emptied first (see ``propcrm demo --help``).

    Raises:
        StorageError: Another application's tables or propcrm records the demo
            did not write are there (nothing is changed), or the server cannot
            be reached.
    """
    empty_for_demo(db, load_command=LOAD_COMMAND)
    store = open_postgres(db)
    try:
        _live(store, households=households, months=months, seed=seed, progress=progress)
    finally:
        store.close()


def _run(args: argparse.Namespace) -> int:
    size = {"households": args.households, "months": args.months, "seed": args.seed}
    if is_postgres(args.db):
        try:
            build_postgres(args.db, **size)
        except PropcrmError as e:
            sys.stderr.write(f"propcrm demo: {e}\n")
            return EXIT_INVALID
        return print_report(args.db, html=args.report)
    path = Path(args.db)
    if path.exists() and not (path.is_file() and _is_demo_database(path)):
        sys.stderr.write(
            f"propcrm demo: --db {path} exists and is not a propcrm demo database; "
            "the demo starts clean and replaces only its own databases: choose another --db\n"
        )
        return EXIT_INVALID
    try:
        build_database(path, **size)
    except (PropcrmError, OSError) as e:
        sys.stderr.write(f"propcrm demo: {e}\n")
        return EXIT_INVALID
    return print_report(path, html=args.report)


def _bounded(name: str, low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name}: expected a whole number, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name}: expected {low} to {high:,}, got {value}")
        return value

    return parse


def add_demo_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``propcrm demo`` to the command line's subcommands."""
    demo = commands.add_parser(
        "demo",
        help="live a year of an invented property portfolio through the desks, then report",
        description=(
            "Invent a property portfolio (three residential estates, a shopping centre and "
            "an office tower; households with members, tiers and facts), live it month by "
            "month on the China calendar through the desks (work orders, complaints, the night "
            "desk and the VIP office) into a SQLite or PostgreSQL database, and print the "
            "manager's report (the one `propcrm report` prints). The same seed gives the same "
            "database. Each run starts clean. SQLite: an existing demo database at --db is "
            "replaced whole; any other file there is refused. PostgreSQL (--db "
            "postgresql://..., the postgres extra): an empty database is used; a demo "
            "database has every propcrm table emptied first (TRUNCATE, one transaction; "
            "nothing else is touched); a database holding another application's tables or "
            "propcrm records the demo did not write is refused and left as it was."
        ),
    )
    demo.add_argument(
        "--db", default=DEFAULT_DB, metavar="PATH|URI",
        help=f"the SQLite file or postgresql:// URI to write (default: ./{DEFAULT_DB})",
    )  # fmt: skip
    demo.add_argument(
        "--households", type=_bounded("--households", 1, _MAX_HOUSEHOLDS), default=2000,
        metavar="N", help="households in the portfolio (default: 2000)",
    )  # fmt: skip
    demo.add_argument(
        "--months", type=_bounded("--months", 1, _MAX_MONTHS), default=12, metavar="M",
        help="months to live through, from January 2025 (default: 12)",
    )  # fmt: skip
    demo.add_argument(
        "--seed", type=int, default=2025, metavar="S", help="the random seed (default: 2025)"
    )
    demo.add_argument(
        "--report", metavar="PATH.html", help="also write the report as a self-contained HTML page"
    )
    demo.set_defaults(run=_run)
