"""The report of a propcrm database: read the records of a scope and period, compute.

This module is private; ``propcrm report`` and ``propcrm demo`` call :func:`build_report`.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.report._figures import Report, figures
from propcrm.report._read import Records, read_records
from propcrm.report._source import open_store

__all__ = ["build_report", "parse_period"]

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")
_ALL_TIME = (date(2000, 1, 1), date(2100, 1, 1))


def parse_period(text: str | None) -> tuple[date, date, str]:
    """``[start, end)`` and the label of ``2025``, ``2025-Q3`` or ``2025-07``; all time for None.

    Raises:
        ValidationError: ``text`` is none of those forms.
    """
    if text is None:
        return (*_ALL_TIME, "all records")
    found = _PERIOD.match(text)
    if found is None:
        raise ValidationError(
            "period",
            f"period: expected a year, quarter or month such as 2025, 2025-Q3 or 2025-07, "
            f"got {text!r}",
            text,
        )
    year, quarter, month = found.groups()
    if quarter:
        start = date(int(year), 3 * int(quarter) - 2, 1)
        return start, start + relativedelta(months=3), text
    if month:
        start = date(int(year), int(month), 1)
        return start, start + relativedelta(months=1), text
    return date(int(year), 1, 1), date(int(year) + 1, 1, 1), text


def _latest(records: Records) -> datetime | None:
    """The last instant anything in the records happened."""
    moments = [o.timeline.events[-1].at for o in records.orders.values()]
    moments += [e[-1].at for e in records.events.values() if e]
    moments += [t.outcome.at for t in records.tasks.values() if t.outcome is not None]
    return max(moments, default=None)


def build_report(
    db: str | os.PathLike[str],
    *,
    community: str | None = None,
    period: str | None = None,
    policy: Policy | None = None,
) -> Report:
    """The report of the database ``db`` for ``community`` (or all) and ``period``.

    ``db`` is a SQLite file (opened read-only) or a ``postgresql://`` URI of a
    database holding propcrm's schema.

    Figures are as of the end of the period, or of the last recorded event if
    that is earlier: an item still running then does not count towards SLA
    attainment.

    Raises:
        ValidationError: ``period`` is not a year, quarter or month.
        SchemaVersionError, StorageError: ``db`` is not a propcrm database.
    """
    policy = Policy() if policy is None else policy
    first, last, label = parse_period(period)
    tz = ZoneInfo(str(policy.tz))
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last, time(0), tz)
    store = open_store(os.fspath(db))
    try:
        records = read_records(store, community=community, start=start, end=end)
        latest = _latest(records)
        as_of = end if latest is None else min(end, latest + timedelta(microseconds=1))
        return figures(
            records, store, scope=community or "all communities", period=label, start=start,
            as_of=as_of, policy=policy,
        )  # fmt: skip
    finally:
        store.close()
