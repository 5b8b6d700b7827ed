"""What a command was asked to do: a digest of its arguments, kept with its command id.

A retried command (same id, same person, same arguments) returns its first
result; the same id with *other* arguments is a mistake in the caller — two
commands given one id — and is refused with a
:class:`~propcrm.errors.ConflictError` instead of silently returning the first
command's result. The desks' command methods are marked with :func:`command`,
which digests the arguments the method was called with (all but ``command_id``
and ``actor``, which are checked on their own) and hands the digest to the
:class:`~propcrm.services.CommandRunner` that runs the command.

The digest is the SHA-256 of a canonical JSON text of the arguments: equal
arguments give equal digests in any process (sets and mappings are sorted,
datetimes written with their offset). Personal data enters it by its kind and
masked form only, so the command log keeps no derivative of a clear value (two
phone numbers with the same masked form count as the same argument). An
argument the canonical form cannot hold — a generator, which reading would
consume, or an object of a type propcrm does not know — leaves the command
without a digest, and its retries are compared by id and person only, as before.

This module is private.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import attrs

from propcrm.privacy import PersonalData

__all__ = ["NOT_DIGESTED", "arguments_digest", "command", "command_summarised", "given_digest"]

P = ParamSpec("P")
R = TypeVar("R")

_UNCHECKED = {"self", "command_id", "actor"}
_DEPTH = 32  # deeper than any desk argument; a hostile nesting leaves no digest
NOT_DIGESTED = object()
"""A summary's stand-in for a value it will not read: the command gets no digest."""
_GIVEN: ContextVar[str | None] = ContextVar("propcrm_command_arguments", default=None)


class _UnsupportedError(Exception):
    """An argument the canonical form cannot hold: the command gets no digest."""


def command(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a desk method as a command whose arguments are compared on a retry."""
    return command_summarised(None)(method)


def command_summarised(
    summary: Callable[[dict[str, Any]], Mapping[str, object]] | None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """:func:`command`, digesting ``summary(arguments)`` instead of the arguments.

    For a command whose arguments are large (a batch of history), the summary
    names what tells two calls apart (the ids in the batch) at a fraction of
    the cost of writing every value.
    """

    def mark(method: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return method(*args, **kwargs)  # Python's own error for a wrong call
            given = {k: v for k, v in bound.arguments.items() if k not in _UNCHECKED}
            token = _GIVEN.set(arguments_digest(given if summary is None else summary(given)))
            try:
                return method(*args, **kwargs)
            finally:
                _GIVEN.reset(token)

        return wrapper

    return mark


def given_digest() -> str | None:
    """The digest :func:`command` took for the command being called, taken once.

    Taking it clears it, so a command a desk runs inside another (with its own
    id, and not marked) is not given the outer command's arguments.
    """
    digest = _GIVEN.get()
    if digest is not None:
        _GIVEN.set(None)
    return digest


def arguments_digest(arguments: Mapping[str, object]) -> str | None:
    """The SHA-256 (hex) of the arguments' canonical JSON; ``None`` if one cannot be written."""
    try:
        canonical = {str(name): _canonical(value, 0) for name, value in arguments.items()}
    except _UnsupportedError:
        return None
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value: object, depth: int) -> Any:
    if depth > _DEPTH:
        raise _UnsupportedError
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # NaN and infinities too, one text each
    if isinstance(value, PersonalData):
        return ["$personal", value.kind.value, value.masked]
    if isinstance(value, Enum):
        return [f"${type(value).__qualname__}", _canonical(value.value, depth + 1)]
    if isinstance(value, datetime | date | time):
        return [f"${type(value).__name__}", value.isoformat()]
    if isinstance(value, timedelta):
        return ["$timedelta", value // timedelta(microseconds=1)]
    if isinstance(value, Decimal):
        return ["$decimal", str(value)]
    cls = type(value)
    if attrs.has(cls):
        return [
            f"${cls.__qualname__}",
            {a.name: _canonical(getattr(value, a.name), depth + 1) for a in attrs.fields(cls)},
        ]
    if isinstance(value, list | tuple):
        return [_canonical(item, depth + 1) for item in value]
    if isinstance(value, set | frozenset):
        return ["$set", sorted((_canonical(item, depth + 1) for item in value), key=_text)]
    if isinstance(value, Mapping):
        pairs = [[_canonical(k, depth + 1), _canonical(v, depth + 1)] for k, v in value.items()]
        return ["$map", sorted(pairs, key=_text)]
    raise _UnsupportedError


def _text(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
