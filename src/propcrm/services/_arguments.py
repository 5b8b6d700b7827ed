"""What a command was asked to do: a digest of its arguments, kept with its command id.

A retried command (same id, same person, same arguments) returns its first
result; the same id with *other* arguments is a mistake in the caller — two
commands given one id — and is refused with a
:class:`~propcrm.errors.ConflictError` instead of silently returning the first
command's result. The desks' command methods are marked with :func:`command`,
which digests the arguments the method was called with (all but ``command_id``
and ``actor``, which are checked on their own) and hands the digest to the
:class:`~propcrm.services.CommandRunner` that runs the command.

The digest is the SHA-256 of a canonical JSON text of the arguments, every
parameter included (a default stated or left out is the same call): equal
arguments give equal digests in any process. Sets and mappings are sorted; an
enum is written as its value (``RepairCategory.HOUSE`` and ``"house"`` are one
argument); whole numbers and decimals by their normalised value (``150`` and
``Decimal("150.00")``); a datetime as its instant in UTC (the same moment in
another zone is the same argument).

Personal data enters by its kind and masked form only, so the command log
keeps no derivative of a clear value: a phone or address given as text to a
parameter marked :func:`masked_as` is masked first, and dates of birth are left
out (:data:`OMITTED`). Two phone numbers with the same masked form count as the
same argument. An argument the canonical form cannot hold — a generator, which
reading would consume, an object of a type propcrm does not know, a number too
long to write — leaves the command without a digest, and its retries are
compared by id and person only.

This module is private.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import attrs

from propcrm.errors import ValidationError
from propcrm.privacy import PersonalData, PersonalKind

__all__ = [
    "NOT_DIGESTED",
    "OMITTED",
    "arguments_digest",
    "command",
    "command_with",
    "given_digest",
    "masked_as",
    "number",
    "omitted",
]

P = ParamSpec("P")
R = TypeVar("R")

_UNCHECKED = {"self", "command_id", "actor"}
_DEPTH = 32  # deeper than any desk argument; a hostile nesting leaves no digest
NOT_DIGESTED = object()
"""What a normaliser returns for a value it will not read: the command gets no digest."""
OMITTED = object()
"""What a normaliser returns for an argument left out of the digest (dates of birth)."""
_GIVEN: ContextVar[str | None] = ContextVar("propcrm_command_arguments", default=None)

Normaliser = Callable[[Any], object]


class _UnsupportedError(Exception):
    """An argument the canonical form cannot hold: the command gets no digest."""


def command(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a desk method as a command whose arguments are compared on a retry."""
    return command_with()(method)


def command_with(**normalise: Normaliser) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """:func:`command`, digesting ``normalise[name](value)`` for the arguments named.

    A normaliser gives what identifies the argument: the masked form of a
    phone given as text (:func:`masked_as`), a decimal of an amount given as
    text (:func:`number`), the ids of a batch, or :data:`OMITTED`.
    """

    def mark(method: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(method)
        unknown = set(normalise) - set(signature.parameters)
        if unknown:  # a misspelt name would silently digest the clear value
            raise TypeError(f"{method.__qualname__} has no parameter {sorted(unknown)}")

        defaults = _keyword_defaults(signature)
        first = next(iter(signature.parameters), "")

        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if defaults is not None and len(args) == 1:
                # the desks' calls: self and keywords; the first is an argument as bound
                arguments = {first: args[0], **defaults, **kwargs}
            else:
                try:
                    bound = signature.bind(*args, **kwargs)
                except TypeError:
                    return method(*args, **kwargs)  # Python's own error for a wrong call
                bound.apply_defaults()  # a default stated or left out is one call
                arguments = bound.arguments
            given: dict[str, object] = {}
            for name, value in arguments.items():
                if name not in _UNCHECKED:
                    shown = normalise[name](value) if name in normalise else value
                    if shown is not OMITTED:
                        given[name] = shown
            token = _GIVEN.set(arguments_digest(given))
            try:
                return method(*args, **kwargs)
            finally:
                _GIVEN.reset(token)

        return wrapper

    return mark


def _keyword_defaults(signature: inspect.Signature) -> dict[str, object] | None:
    """The defaults of ``(self, *, ...)``, by name; ``None`` for any other shape.

    A call of such a method by keyword alone needs no binding: its arguments
    are its first one and these defaults, updated by the call's. A call the
    method cannot take (a name missing, misspelt or given twice) fails in the
    method, as unmarked.
    """
    parameters = list(signature.parameters.values())
    if not parameters:
        return None
    first, *rest = parameters
    if first.kind is not first.POSITIONAL_OR_KEYWORD or any(
        p.kind is not p.KEYWORD_ONLY for p in rest
    ):
        return None
    return {p.name: p.default for p in rest if p.default is not p.empty}


def masked_as(kind: PersonalKind | str) -> Normaliser:
    """A normaliser masking text as personal data of ``kind`` (what the desk will store)."""

    def masked(value: object) -> object:
        if isinstance(value, str):
            try:
                return PersonalData(kind, value)
            except ValidationError:
                return NOT_DIGESTED  # the desk refuses it with its own message
        return value

    return masked


def omitted(value: object) -> object:
    """A normaliser leaving the argument out of the digest (dates of birth: no derivative kept)."""
    return OMITTED


def number(value: object) -> object:
    """A normaliser reading an amount given as text as the decimal the desk will store."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return NOT_DIGESTED
    return value


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
        text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (_UnsupportedError, ArithmeticError, ValueError, RecursionError):
        return None  # e.g. an int too long to write as text, a moment past the calendar
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value: object, depth: int) -> Any:
    if depth > _DEPTH or value is NOT_DIGESTED:
        raise _UnsupportedError
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return _canonical(value.value, depth + 1)  # the member and its value text alike
    if isinstance(value, int | Decimal):
        return ["$number", _number_text(value)]
    if isinstance(value, float):
        return ["$number", repr(value)]
    if isinstance(value, PersonalData):
        return ["$personal", value.kind.value, value.masked]
    if isinstance(value, datetime):
        return [
            "$instant",
            value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat(),
        ]
    if isinstance(value, date | time):
        return [f"${type(value).__name__}", value.isoformat()]
    if isinstance(value, timedelta):
        return ["$timedelta", value // timedelta(microseconds=1)]
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


def _number_text(value: int | Decimal) -> str:
    """``150``, ``Decimal("150")`` and ``Decimal("150.00")`` alike: digits and exponent,
    trailing zeros moved into the exponent (exact: no rounding, no long expansion)."""
    exact = value if isinstance(value, Decimal) else Decimal(value)
    if not exact.is_finite():
        return str(exact)
    sign, digits, exponent = exact.as_tuple()
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1  # type: ignore[operator]  # finite: the exponent is an int
    if kept == [0]:
        return "0"
    return f"{'-' if sign else ''}{''.join(map(str, kept))}e{exponent}"


def _text(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
