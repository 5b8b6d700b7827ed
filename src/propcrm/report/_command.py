"""``propcrm report``: the manager's report of any propcrm database, SQLite or PostgreSQL.

This module is private.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from propcrm.errors import PropcrmError
from propcrm.report._build import build_report
from propcrm.report._figures import Report
from propcrm.report._text import render_text

__all__ = ["add_report_command", "print_report", "write_html"]

EXIT_OK = 0
EXIT_INVALID = 2


def write_html(report: Report, path: str | os.PathLike[str]) -> None:
    """Write the HTML page of ``report`` to ``path``, whole or not at all."""
    from propcrm.report._html import render_html

    target = Path(path)
    page = render_html(report)
    handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(page)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def print_report(
    db: str | os.PathLike[str],
    *,
    community: str | None = None,
    period: str | None = None,
    html: str | None = None,
) -> int:
    """Print the report of ``db``, and write its HTML page to ``html`` if given; exit status."""
    try:
        report = build_report(db, community=community, period=period)
        if html is not None:
            write_html(report, html)
    except (PropcrmError, OSError) as e:
        sys.stderr.write(f"propcrm report: {e}\n")
        return EXIT_INVALID
    sys.stdout.write(render_text(report))
    if html is not None:
        sys.stderr.write(f"HTML report written to {html}\n")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    return print_report(args.db, community=args.community, period=args.period, html=args.html)


def add_report_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``propcrm report`` to the command line's subcommands."""
    report = commands.add_parser(
        "report",
        help="the manager's report of a propcrm database",
        description=(
            "Print the report of a propcrm database written by the desks "
            "(propcrm.services): tiers, the VIP office, complaints by grade, SLA attainment, "
            "callbacks, NPS and CSAT, notifications and the KPI scorecard. A SQLite file is "
            "opened read-only; a PostgreSQL database (a postgresql:// URI, the postgres "
            "extra) must hold propcrm's schema, and nothing is written to it."
        ),
    )
    report.add_argument(
        "--db", required=True, metavar="PATH|URI",
        help="a SQLite database file, or a PostgreSQL URI: postgresql://user@host/dbname",
    )  # fmt: skip
    report.add_argument("--community", metavar="C", help="one community only")
    report.add_argument(
        "--period", metavar="P", help="a year, quarter or month: 2025, 2025-Q3 or 2025-07"
    )
    report.add_argument("--html", metavar="PATH", help="also write the report as an HTML page")
    report.set_defaults(run=_run)
