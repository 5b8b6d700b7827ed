"""The reporting views of a SQLite store, and the read-only connection that reads them.

The views (created by migration ``0012_analysis_and_views``) hold ids, states,
grades, times and counts — never a clear personal value: no name, phone, ID
number or address, and no free text a desk wrote (summaries, results, notes),
which may quote one. The reporting connection may read the views only: a
statement that names a table is refused, so the personal values kept in the
tables' bodies stay out of reach. ``docs/storage.rst`` documents every column.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from propcrm.errors import SHOWN_LENGTH, PropcrmError, StorageError, ValidationError

__all__ = ["VIEWS", "ReportingConnection"]


def _zoned(expression: str) -> str:
    """SQL turning a stored ``2025-03-03T09:00:00+08:00[Asia/Shanghai]`` into ISO 8601."""
    return (
        f"CASE WHEN instr({expression}, '[') > 0"
        f" THEN substr({expression}, 1, instr({expression}, '[') - 1)"
        f" ELSE {expression} END"
    )


def _utc(column: str) -> str:
    """SQL turning microseconds since the epoch into UTC ISO 8601 text."""
    return f"strftime('%Y-%m-%dT%H:%M:%fZ', {column} / 1000000.0, 'unixepoch')"


VIEWS: dict[str, str] = {
    "report_complaints": (
        "SELECT c.id AS complaint_id, c.community AS community, c.state AS state,"
        " c.grade AS grade, c.owner AS owner_id,"
        " json_extract(c.body, '$.customer_id') AS customer_id,"
        f" c.received_us AS received_us, {_utc('c.received_us')} AS received_at,"
        " " + _zoned("json_extract(c.body, '$.handled_at')") + " AS handled_at,"
        " coalesce(json_extract(c.body, '$.vip'), 0) AS vip,"
        " json_extract(c.body, '$.satisfied') AS satisfied,"
        " json_extract(c.body, '$.repeat_of_id') AS repeat_of_id,"
        " json_extract(c.body, '$.callback_task_id') AS callback_task_id,"
        " (SELECT count(*) FROM grade_records g WHERE g.complaint_id = c.id)"
        " AS grade_decisions,"
        " (SELECT g.fingerprint FROM grade_records g WHERE g.complaint_id = c.id"
        " ORDER BY g.id DESC LIMIT 1) AS policy_fingerprint"
        " FROM complaint_cases c"
    ),
    "report_grade_decisions": (
        "SELECT g.id AS decision_id, g.complaint_id AS complaint_id,"
        " json_extract(g.body, '$.seq') AS seq, g.grade AS grade,"
        f" g.at_us AS at_us, {_utc('g.at_us')} AS at,"
        " json_extract(g.body, '$.decision.handler_role') AS handler_role,"
        " " + _zoned("json_extract(g.body, '$.decision.resolve_by')") + " AS resolve_by,"
        " g.fingerprint AS policy_fingerprint,"
        " json_extract(g.body, '$.command_id') AS command_id"
        " FROM grade_records g"
    ),
    "report_work_orders": (
        "SELECT w.id AS work_order_id,"
        " coalesce(s.community, json_extract(w.body, '$.community')) AS community,"
        " s.category AS category, w.state AS state,"
        " json_extract(w.body, '$.timeline.kind') AS sla_kind,"
        f" w.received_us AS received_us, {_utc('w.received_us')} AS received_at,"
        " json_extract(s.body, '$.technician_id') AS technician_id,"
        " json_extract(s.body, '$.charge.amount') AS charge_amount,"
        " json_extract(s.body, '$.charge.state') AS charge_state,"
        " s.signed AS signed_off,"
        " json_extract(s.body, '$.callback_task_id') AS callback_task_id,"
        " (SELECT count(*) FROM work_order_steps p WHERE p.work_order_id = w.id) AS steps,"
        " (SELECT json_extract(p.body, '$.sla_states') FROM work_order_steps p"
        " WHERE p.work_order_id = w.id ORDER BY p.id DESC LIMIT 1) AS sla_states,"
        f" (SELECT {_utc('p.at_us')} FROM work_order_steps p"
        " WHERE p.work_order_id = w.id ORDER BY p.id DESC LIMIT 1) AS sla_at,"
        " (SELECT p.fingerprint FROM work_order_steps p"
        " WHERE p.work_order_id = w.id ORDER BY p.id DESC LIMIT 1) AS policy_fingerprint"
        " FROM work_orders w LEFT JOIN repair_slips s ON s.id = w.id"
    ),
    "report_callbacks": (
        "SELECT t.id AS task_id,"
        " json_extract(t.body, '$.subject.kind') AS subject_kind,"
        " json_extract(t.body, '$.subject.record_id') AS record_id,"
        " coalesce(c.community, s.community) AS community,"
        " json_extract(t.body, '$.kind') AS kind,"
        " json_extract(t.body, '$.customer_id') AS customer_id,"
        " t.owner_role AS owner_role, nullif(t.staff, '') AS staff_id,"
        f" t.due_us AS due_us, {_utc('t.due_us')} AS due,"
        " coalesce(json_extract(t.body, '$.status'), 'planned') AS status,"
        " " + _zoned("json_extract(t.body, '$.outcome.at')") + " AS outcome_at,"
        " json_extract(t.body, '$.outcome.reached') AS reached,"
        " CASE WHEN json_extract(t.body, '$.outcome') IS NULL THEN NULL"
        " ELSE coalesce(json_extract(t.body, '$.outcome.satisfied'), 0) END AS satisfied,"
        " CASE WHEN json_extract(t.body, '$.outcome') IS NULL THEN NULL"
        " ELSE coalesce(json_extract(t.body, '$.outcome.problem'), '') != '' END"
        " AS problem_found"
        " FROM callback_tasks t"
        " LEFT JOIN complaint_cases c ON json_extract(t.body, '$.subject.kind') = 'complaint'"
        " AND c.id = json_extract(t.body, '$.subject.record_id')"
        " LEFT JOIN repair_slips s ON json_extract(t.body, '$.subject.kind') = 'work_order'"
        " AND s.id = json_extract(t.body, '$.subject.record_id')"
    ),
    "report_surveys": (
        "SELECT r.id AS response_id, r.community AS community, r.answered_on AS answered_on,"
        " json_extract(r.body, '$.household_id') AS household_id,"
        " coalesce(json_extract(r.body, '$.tier'), '') AS tier,"
        " json_extract(r.body, '$.recommend') AS recommend,"
        " json_extract(r.body, '$.overall') AS overall,"
        " json_extract(r.body, '$.ratings') AS ratings"
        " FROM survey_responses r"
    ),
}
"""The reporting views by name, each its ``SELECT``; created by migration ``0012``."""

_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})


def _authorize(action: int, first: str | None, second: str | None, *rest: str | None) -> int:
    """Let a statement read the views (and, through them, their tables) and nothing else."""
    if action in _ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ and (first in VIEWS or rest[-1] is not None):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


class ReportingConnection:
    """A read-only connection that reads the reporting views, with propcrm's errors.

    Open it with :meth:`SqliteStore.reporting() <propcrm.storage.sqlite.SqliteStore.reporting>`.
    Only ``SELECT`` statements over the views run; anything else (a table, a
    write, a ``PRAGMA``) is refused with :class:`~propcrm.errors.StorageError`.
    """

    def __init__(self, connection: sqlite3.Connection, trace: Callable[[str], None] | None) -> None:
        if not isinstance(connection, sqlite3.Connection):
            raise ValidationError.expected(
                "connection", "a sqlite3.Connection", type(connection).__name__,
                "open one with SqliteStore.reporting()",
            )  # fmt: skip
        if trace is not None and not callable(trace):
            raise ValidationError.expected(
                "trace", "a callable taking the SQL text, or None", type(trace).__name__
            )
        self._connection = connection
        self._trace = trace
        try:
            connection.execute("PRAGMA query_only = ON")
        except sqlite3.Error as e:  # e.g. a connection some authorizer already limits
            raise _translated(e) from e
        connection.set_authorizer(_authorize)

    @property
    def views(self) -> tuple[str, ...]:
        """The names of the reporting views, sorted."""
        return tuple(sorted(VIEWS))

    def query(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> list[dict[str, Any]]:
        """Run one ``SELECT`` over the views; return its rows as ``{column: value}``.

        Values are bound as parameters (``?`` or ``:name``), never formatted into SQL.

        Raises:
            ValidationError: ``sql`` is not text, ``params`` is neither a
                sequence nor a mapping, or a value cannot be bound.
            StorageError: The statement is not a read of the views, or SQLite
                failed (the driver's error is the ``__cause__``).
        """
        if not isinstance(sql, str):
            raise ValidationError.expected("sql", "a SELECT statement as text", type(sql).__name__)
        if isinstance(params, str | bytes) or not isinstance(params, Sequence | Mapping):
            raise ValidationError.expected(
                "params", "a sequence or a mapping of values to bind", type(params).__name__
            )
        if self._trace is not None:
            self._trace(sql)
        try:
            cursor = self._connection.execute(sql, params)
            rows = cursor.fetchall()
        except (UnicodeEncodeError, OverflowError, sqlite3.Error) as e:
            raise _translated(e) from e
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()


def _translated(error: Exception) -> PropcrmError:
    reason = str(error)
    if len(reason) > SHOWN_LENGTH:  # a syntax error quotes the statement: keep it short
        reason = reason[: SHOWN_LENGTH - 3] + "..."
    if isinstance(error, UnicodeEncodeError | OverflowError):
        return ValidationError.expected(
            "params", "values SQLite can bind (UTF-8 text, 64-bit integers)", reason
        )
    if isinstance(error, sqlite3.ProgrammingError | sqlite3.InterfaceError):
        return ValidationError.expected("params", "one value per placeholder", reason)
    if "not authorized" in reason or "prohibited" in reason:
        return StorageError(
            f"the reporting connection reads only the views {', '.join(sorted(VIEWS))}: "
            f"{reason}; read a table through its repository"
        )
    return StorageError(f"SQLite failed: {reason} (in a reporting query)")
