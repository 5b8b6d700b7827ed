"""The exceptions propcrm raises: one hierarchy rooted at :class:`PropcrmError`.

Every error says what was wrong and how to fix it. Storage adapters translate
their driver's exceptions into these, so callers never catch a driver's error.

>>> from propcrm.errors import ValidationError
>>> raise ValidationError.expected("headcount", "an integer >= 0", -3)
Traceback (most recent call last):
...
propcrm.errors.ValidationError: headcount: expected an integer >= 0, got -3
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable

__all__ = [
    "CalendarRangeError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyError",
    "PolicyProblem",
    "PropcrmError",
    "SchemaVersionError",
    "StorageError",
    "ValidationError",
]


#: The longest text an error message shows of one offending value.
SHOWN_LENGTH = 200

_shortener = reprlib.Repr()
_shortener.maxlevel = 3
_shortener.maxstring = SHOWN_LENGTH
_shortener.maxother = SHOWN_LENGTH
_shortener.maxlong = 60


def shown(value: object) -> str:
    """The ``repr`` of ``value`` for an error message: short, and safe for any value.

    A huge value is cut with ``...``, a deeply nested one stops at three levels, and a
    value whose ``repr`` fails is named by its type.

    >>> from propcrm.errors import SHOWN_LENGTH, shown
    >>> shown("x" * 10_000)[:12], len(shown("x" * 10_000)) <= SHOWN_LENGTH
    ("'xxxxxxxxxxx", True)
    """
    try:
        text = _shortener.repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    if len(text) > SHOWN_LENGTH:
        text = text[: SHOWN_LENGTH - 3] + "..."
    return text


class PropcrmError(Exception):
    """Base class of every error propcrm raises on purpose."""


class ValidationError(PropcrmError, ValueError):
    """A value given to propcrm is not acceptable.

    Attributes:
        field: The name (or dotted path) of the offending field or argument.
        value: The offending value, as given.
    """

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value

    @classmethod
    def expected(
        cls, field: str, expected: str, value: object, hint: str | None = None
    ) -> ValidationError:
        """Build the standard message ``"<field>: expected <what>, got <value>[; <hint>]"``."""
        message = f"expected {expected}, got {shown(value)}"
        if not isinstance(field, str):
            field = shown(field)
        if field:
            message = f"{field}: {message}"
        if hint:
            message += f"; {hint}"
        return cls(field, message, value)


class PolicyProblem:
    """One problem found in a policy: where (dotted path) and what."""

    __slots__ = ("message", "path")

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def __repr__(self) -> str:
        return f"PolicyProblem(path={self.path!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolicyProblem):
            return NotImplemented
        return (self.path, self.message) == (other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.message))


class PolicyError(PropcrmError, ValueError):
    """A policy could not be loaded: every problem is listed by dotted path.

    Attributes:
        problems: Each problem found, in document order.
    """

    def __init__(self, problems: Iterable[PolicyProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        where = f" in {source if isinstance(source, str) else shown(source)}" if source else ""
        if len(where) > SHOWN_LENGTH:
            where = f" in {shown(source)}"
        count = len(self.problems)
        head = f"invalid policy{where}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class NotFoundError(PropcrmError, LookupError):
    """A record that was asked for does not exist."""


class ConflictError(PropcrmError):
    """A write lost a race or breaks a uniqueness rule (for example a stale ``version``)."""


class PermissionDeniedError(PropcrmError):
    """An actor asked for something they may not have: another community's record, a
    record above their confidentiality level, or personal data their roles may not reveal.

    Nothing of the record is returned with it.

    Attributes:
        actor_id: The person who asked.
        community: The community they do not act for, or ``None`` when the
            refusal is about the level or the personal kind.
        record: The record refused (``"customer c1"``), or ``""``.
        level: The record's confidentiality level (its value text), or ``""``.
        needed: The roles that would be allowed (value strings), when known.
    """

    def __init__(
        self,
        message: str,
        *,
        actor_id: str,
        community: str | None = None,
        record: str = "",
        level: str = "",
        needed: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.actor_id = actor_id
        self.community = community
        self.record = record
        self.level = level
        self.needed = needed


class StorageError(PropcrmError):
    """A storage backend failed: I/O, a lock held too long, corruption or a broken schema.

    Adapters raise it (with the driver's exception as ``__cause__``) for every
    driver failure that is neither a conflict nor a missing record.
    """


class SchemaVersionError(StorageError):
    """A database was written by a newer propcrm (or is not a propcrm database).

    Attributes:
        found: The schema version recorded in the database.
        supported: The newest schema version this propcrm knows.
    """

    def __init__(self, message: str, *, found: int, supported: int) -> None:
        super().__init__(message)
        self.found = found
        self.supported = supported


class CalendarRangeError(PropcrmError, ValueError):
    """Business-time arithmetic cannot finish: no working time, or a target beyond the horizon."""
