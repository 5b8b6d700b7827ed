"""Argument checks at the public boundary: a wrong type or range is a :class:`ValidationError`.

Every public function and method checks its arguments with these helpers before it
does any work, so a bad argument always reads ``"<argument>: expected <what>, got
<value>[; <how to fix>]"`` with the value shortened (see :func:`propcrm.errors.shown`),
and never surfaces as a raw ``TypeError``, ``AttributeError`` or ``OverflowError``
from deep inside an engine. The checks are ``isinstance`` tests, cheap enough for the
hot paths; anything costlier runs only once a cheap test has failed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from typing import Any, ParamSpec, TypeGuard, TypeVar

from propcrm._time import require_aware, require_duration
from propcrm.errors import CalendarRangeError, ValidationError, shown

__all__ = [
    "as_items",
    "as_tuple",
    "beyond_dates",
    "date_limits",
    "is_items",
    "require_aware",
    "require_bool",
    "require_callable",
    "require_date",
    "require_duration",
    "require_instance",
    "require_int",
    "require_items",
    "require_iterable",
    "require_mapping",
    "require_number",
    "require_text",
    "within_date_limits",
]

T = TypeVar("T")
P = ParamSpec("P")

#: The longest text any argument may be; a longer one is refused before it is parsed.
MAX_TEXT = 100_000


def require_instance(
    value: object, kind: type[T] | tuple[type, ...], name: str, what: str, hint: str | None = None
) -> Any:
    """Return ``value`` if it is an instance of ``kind``, else raise :class:`ValidationError`."""
    if not isinstance(value, kind):
        raise ValidationError.expected(name, what, value, hint)
    return value


def require_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not 0 or 1)."""
    if not isinstance(value, bool):
        raise ValidationError.expected(name, "True or False", value)
    return value


def require_callable(value: object, name: str, what: str) -> Callable[..., Any]:
    """Return ``value`` if it can be called, else raise :class:`ValidationError`."""
    if not callable(value):
        raise ValidationError.expected(name, what, value)
    return value


def require_int(
    value: object, name: str, *, low: int | None = None, high: int | None = None
) -> int:
    """Return ``value`` if it is an ``int`` (not a ``bool``) with ``low <= value <= high``."""
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        if low is not None and high is not None:
            what = f"an integer from {low} to {high}"
        elif low is not None:
            what = f"an integer >= {low}"
        elif high is not None:
            what = f"an integer <= {high}"
        else:
            what = "an integer"
        raise ValidationError.expected(name, what, value)
    return value


def require_number(value: object, name: str, *, low: float, high: float) -> float:
    """Return ``value`` if it is a finite ``int`` or ``float`` with ``low <= value <= high``."""
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ValidationError.expected(name, f"a number from {low} to {high}", value)
    return value


def require_text(
    value: object,
    name: str,
    what: str = "a string",
    hint: str | None = None,
    *,
    max_length: int = MAX_TEXT,
) -> str:
    """Return ``value`` if it is a ``str`` of at most ``max_length`` characters."""
    if not isinstance(value, str) or len(value) > max_length:
        if isinstance(value, str):
            hint = f"at most {max_length} characters" + (f"; {hint}" if hint else "")
        raise ValidationError.expected(name, what, value, hint)
    return value


def require_date(value: object, name: str) -> date:
    """Return ``value`` if it is a ``datetime.date`` that is not a ``datetime``."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value)
    return value


def require_items(
    value: object, name: str, kind: type[T] | tuple[type, ...], what: str
) -> tuple[T, ...]:
    """Return the items of a list, tuple or other iterable of ``kind`` values, as a tuple.

    A string, bytes or a mapping is refused even though it iterates: a string taken
    for a list would be read one character at a time.
    """
    items = as_items(value, name, what)
    for item in items:
        if not isinstance(item, kind):
            raise ValidationError.expected(name, what, item, "an item has the wrong type")
    return items


def as_items(value: object, name: str, what: str = "a list") -> tuple[Any, ...]:
    """The items of a list, tuple or other iterable, as a tuple; a string or mapping is refused.

    The item types are left to the caller's validator.
    """
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes | bytearray | Mapping) or not _iterable(value):
        raise ValidationError.expected(name, what, value, "pass a list or tuple")
    return tuple(value)


def as_tuple(value: object) -> tuple[Any, ...]:
    """An attrs converter: the items of a list-like value as a tuple, anything else unchanged.

    A string, bytes, a mapping or a value that does not iterate is passed through
    for :func:`is_items` (the field's first validator) to refuse by the field's name.
    """
    if isinstance(value, tuple | str | bytes | bytearray | Mapping) or not _iterable(value):
        return value  # type: ignore[return-value]
    return tuple(value)


def is_items(instance: object, attribute: Any, value: object) -> None:
    """An attrs validator: the field holds a tuple (see :func:`as_tuple`)."""
    if not isinstance(value, tuple):
        raise ValidationError.expected(
            attribute.name, "a list or tuple", value, "a string or a mapping is not a list"
        )


def require_iterable(value: object, name: str, what: str) -> Iterable[Any]:
    """Return ``value`` if it iterates and is not a string, bytes or a mapping.

    Unlike :func:`as_items` it does not read the items, so a generator stays lazy.
    """
    if isinstance(value, str | bytes | bytearray | Mapping) or not _iterable(value):
        raise ValidationError.expected(name, what, value, "pass a list, tuple or iterator")
    return value


def require_mapping(value: object, name: str, what: str) -> Mapping[Any, Any]:
    """Return ``value`` if it is a mapping (a ``dict`` or the like)."""
    if not isinstance(value, Mapping):
        raise ValidationError.expected(name, what, value, "pass a dict")
    return value


def _iterable(value: object) -> TypeGuard[Iterable[Any]]:
    try:
        iter(value)  # type: ignore[call-overload]
    except TypeError:
        return False
    return True


def beyond_dates(name: str, value: object) -> CalendarRangeError:
    """The error for date arithmetic from ``value`` that leaves years 1 to 9999."""
    return CalendarRangeError(
        f"{name}: {shown(value)} is too close to the limits of the calendar (years 1 to "
        "9999) for this computation; use a date well inside that range"
    )


@contextmanager
def date_limits(name: str) -> Iterator[None]:
    """Turn date arithmetic that leaves years 1-9999 into a :class:`CalendarRangeError`."""
    try:
        yield
    except OverflowError as e:
        raise beyond_dates(name, "the value given") from e


def within_date_limits(name: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a function so that date overflow inside it is a :class:`CalendarRangeError`.

    Costs nothing on the normal path: only a raised ``OverflowError`` is translated.
    """

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with date_limits(name):
                return func(*args, **kwargs)

        return wrapper

    return decorate
