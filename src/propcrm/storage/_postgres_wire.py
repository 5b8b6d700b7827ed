"""What travels between :class:`~propcrm.storage.postgres.PostgresStore` and the server.

Statements are written once, with SQLite's ``?`` placeholders, and bound here as
psycopg's ``%s``; text that PostgreSQL cannot hold (a NUL character) is escaped
on the way in and restored on the way out; the driver's errors become propcrm's.
Private: :mod:`propcrm.storage.postgres` documents the behaviour.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from propcrm.errors import ConflictError, PropcrmError, StorageError, ValidationError, shown
from propcrm.storage._engine import storable_text

__all__ = [
    "check_arguments",
    "escaped",
    "placeholders",
    "restored",
    "row_restored",
    "translated_error",
]

_ESCAPE, _NUL = "\x01", "\x00"
_PAIR = re.compile("\x01(.)", re.DOTALL)
_RETRY = ("40001", "40P01")  # serialization failure, deadlock detected
_OUT_OF_RANGE = "22003"
_LONGEST_WAIT = 86_400.0


def escaped(value: Any) -> Any:
    """``value``, with text made storable: NUL becomes ``\\x01\\x01`` and ``\\x01`` ``\\x01\\x02``.

    PostgreSQL's text holds no NUL character; SQLite's does. The escape keeps
    every text distinct and, byte by byte, in the same order as before, so
    equality, ranges and keyset pages agree with SQLite's. Text without those
    two control characters (all real text) is unchanged.

    >>> from propcrm.storage._postgres_wire import escaped, restored
    >>> escaped("a\\x00b"), restored(escaped("a\\x00b"))
    ('a\\x01\\x01b', 'a\\x00b')
    """
    if isinstance(value, str) and (_NUL in value or _ESCAPE in value):
        return value.replace(_ESCAPE, "\x01\x02").replace(_NUL, "\x01\x01")
    return value


def restored(value: Any) -> Any:
    """The text :func:`escaped` was given (any other value unchanged)."""
    if isinstance(value, str) and _ESCAPE in value:
        return _PAIR.sub(lambda m: _NUL if m.group(1) == _ESCAPE else _ESCAPE, value)
    return value


def row_restored(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A result row with its text restored."""
    if any(isinstance(cell, str) and _ESCAPE in cell for cell in row):
        return tuple(restored(cell) for cell in row)
    return row


@lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """``sql`` with SQLite's ``?`` placeholders written as psycopg's ``%s``.

    propcrm's statements bind every value, so a ``?`` is always a placeholder.
    """
    return sql.replace("%", "%%").replace("?", "%s")


def translated_error(error: Exception, sql: str) -> PropcrmError:
    """The propcrm error for a driver error raised while running ``sql``."""
    if isinstance(error, UnicodeEncodeError):  # raised while binding a value
        return ValidationError.expected(
            "value",
            "text that can be written as UTF-8",
            error.object[error.start : error.end],
            "remove lone surrogate code points",
        )
    state = getattr(error, "sqlstate", None)
    if isinstance(error, psycopg.IntegrityError):
        return ConflictError(f"the database refused the write: {error}")
    if state in _RETRY:
        return ConflictError(
            f"another transaction changed the same rows at the same time ({error}); "
            "read again and retry"
        )
    if state == _OUT_OF_RANGE:
        return ValidationError.expected("value", "an integer within 64 bits", str(error))
    return StorageError(f"PostgreSQL failed: {error} (while running {sql.split()[0]})")


def check_arguments(
    conninfo: object, pool: object, *, max_size: object, timeout: object, trace: object
) -> None:
    """Refuse arguments of the wrong type or range, naming each."""
    if (conninfo is None) == (pool is None):
        raise ValidationError(
            "conninfo",
            "conninfo: give either a connection string (e.g. "
            "'postgresql://crm@db.example/crm') or pool=, an open psycopg_pool.ConnectionPool, "
            "not both and not neither",
            conninfo,
        )
    if conninfo is not None:
        storable_text(conninfo, "conninfo")
    if pool is not None and not isinstance(pool, ConnectionPool):
        raise ValidationError.expected(
            "pool", "a psycopg_pool.ConnectionPool", type(pool).__name__, "or pass conninfo="
        )
    if isinstance(max_size, bool) or not isinstance(max_size, int) or not 1 <= max_size <= 1000:
        raise ValidationError.expected("max_size", "an integer from 1 to 1000", max_size)
    if (
        not isinstance(timeout, int | float)
        or isinstance(timeout, bool)
        or not math.isfinite(timeout)
        or not 0 < timeout <= _LONGEST_WAIT
    ):
        raise ValidationError(
            "timeout",
            f"timeout: expected a number of seconds above 0 and up to {_LONGEST_WAIT:,.0f}, "
            f"got {shown(timeout)}",
            timeout,
        )
    if trace is not None and not callable(trace):
        raise ValidationError(
            "trace",
            f"trace: expected a callable taking the SQL text, or None, got a "
            f"{type(trace).__name__}; e.g. trace=logger.debug",
            trace,
        )
