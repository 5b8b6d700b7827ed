"""VIP card numbers (卡号, 002 §23) and where their sequence numbers come from.

A card number has six characters: the group's two-letter prefix, a level digit
(:class:`VipLevel`) and a sequence from ``001`` to ``999``. Sequences run per
(prefix, level) and are never reused (Decision, RULES § 3), so they come from a
:class:`CardSequenceAllocator`: storage adapters implement it, and
:class:`MemorySequenceAllocator` is the in-process version.

The public home of these names is :mod:`propcrm.vip`; this module is private.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, Protocol

from attrs import field, frozen

from propcrm._checks import require_mapping
from propcrm._validators import int_between
from propcrm.errors import PropcrmError, ValidationError

__all__ = [
    "MAX_SEQUENCE",
    "CardNumber",
    "CardNumbersExhaustedError",
    "CardSequenceAllocator",
    "MemorySequenceAllocator",
    "VipLevel",
    "as_level",
    "check_prefix",
    "is_instance",
]

MAX_SEQUENCE = 999
"""The last sequence number of a (prefix, level): ``JK1999``."""


class CardNumbersExhaustedError(PropcrmError):
    """Every sequence number of a (prefix, level) has been handed out; numbers are never reused."""


class VipLevel(Enum):
    """The level digit of a card number (002 §23); :attr:`label` is the Chinese name."""

    GROUP_LEADERSHIP = 0
    GOVERNMENT_OFFICIAL = 1
    OTHER = 2

    @property
    def label(self) -> str:
        """The level's Chinese name, e.g. ``"政府官员级"``."""
        return ("集团领导级", "政府官员级", "其他级")[self.value]


def check_prefix(instance: object, attribute: Any, value: Any) -> None:
    """attrs validator: a card prefix is two capital ASCII letters."""
    if not _is_prefix(value):
        raise ValidationError.expected(attribute.name, "2 capital letters", value, "e.g. 'JK'")


def is_instance(kind: type) -> Any:
    """attrs validator: the value is a ``kind``, or a ValidationError naming the field."""

    def check(instance: object, attribute: Any, value: object) -> None:
        if not isinstance(value, kind):
            raise ValidationError.expected(attribute.name, f"a {kind.__name__}", value)

    return check


@frozen
class CardNumber:
    """A VIP card number (卡号, 002 §23): prefix, level digit, sequence — ``JK1001``.

    Attributes:
        prefix: The group's two capital letters.
        level: The card's level.
        sequence: 1 to 999, written with three digits.

    >>> from propcrm.vip import CardNumber
    >>> number = CardNumber.parse("JK1001", prefix="JK")
    >>> number.level, number.sequence, str(number)
    (<VipLevel.GOVERNMENT_OFFICIAL: 1>, 1, 'JK1001')
    >>> CardNumber.parse("JK3001")
    Traceback (most recent call last):
    ...
    propcrm.errors.ValidationError: card_number.level: expected a level digit 0, 1 or 2 \
(0 group leadership, 1 government official, 2 other), got '3'
    """

    prefix: str = field(validator=check_prefix)
    level: VipLevel = field(validator=is_instance(VipLevel))
    sequence: int = field(validator=int_between(1, MAX_SEQUENCE))

    @classmethod
    def parse(cls, text: str, *, prefix: str | None = None) -> CardNumber:
        """Read a card number; every malformed part gets its own message.

        Args:
            text: Six characters such as ``"JK1001"``.
            prefix: The company's prefix (``policy.vip.card_prefix``); ``None``
                accepts any two capital letters.

        Raises:
            ValidationError: naming the part that is wrong (``card_number``,
                ``card_number.prefix``, ``card_number.level`` or ``card_number.sequence``).
        """
        return _parse(text, prefix)

    def __str__(self) -> str:
        return f"{self.prefix}{self.level.value}{self.sequence:03d}"


class CardSequenceAllocator(Protocol):
    """Hands out card sequence numbers per (prefix, level), never the same one twice.

    Storage adapters implement it so that numbers stay unique across processes;
    :class:`MemorySequenceAllocator` is the in-process implementation.
    """

    def allocate(self, prefix: str, level: VipLevel) -> int:
        """Return the next unused sequence number, from 1 to ``MAX_SEQUENCE`` (999).

        Raises:
            CardNumbersExhaustedError: all of 1-999 were handed out.
        """
        ...


_LAST = "a mapping of (prefix, level) -> last number given, e.g. {('JK', VipLevel.OTHER): 12}"


class MemorySequenceAllocator:
    """A :class:`CardSequenceAllocator` in memory, counting up from 1 per (prefix, level).

    Args:
        last: The last number already handed out per (prefix, level), to resume
            from stored counts; missing pairs start at 1.

    >>> from propcrm.vip import MemorySequenceAllocator, VipLevel
    >>> allocator = MemorySequenceAllocator({("JK", VipLevel.OTHER): 998})
    >>> allocator.allocate("JK", VipLevel.OTHER)
    999
    >>> allocator.allocate("JK", VipLevel.OTHER)
    Traceback (most recent call last):
    ...
    propcrm.vip.CardNumbersExhaustedError: no card numbers left for JK2: JK2001-JK2999 have \
all been handed out and numbers are never reused; to issue more, the company needs another \
card prefix (vip.card_prefix)
    """

    def __init__(self, last: Mapping[tuple[str, VipLevel], int] | None = None) -> None:
        self._last: dict[tuple[str, VipLevel], int] = {}
        given = {} if last is None else require_mapping(last, "last", _LAST)
        for key, count in given.items():
            if not isinstance(key, tuple) or len(key) != 2:
                raise ValidationError.expected("last", _LAST, key)
            prefix, level = key
            if isinstance(count, bool) or not isinstance(count, int):
                raise ValidationError.expected("last", "integer counts", count)
            if not 0 <= count <= MAX_SEQUENCE:
                raise ValidationError.expected("last", f"counts from 0 to {MAX_SEQUENCE}", count)
            self._last[(_as_prefix(prefix), as_level(level, "last"))] = count

    def allocate(self, prefix: str, level: VipLevel) -> int:
        """Return the next sequence number of ``(prefix, level)``."""
        key = (_as_prefix(prefix), as_level(level, "level"))
        following = self._last.get(key, 0) + 1
        if following > MAX_SEQUENCE:
            code = f"{prefix}{key[1].value}"
            raise CardNumbersExhaustedError(
                f"no card numbers left for {code}: {code}001-{code}{MAX_SEQUENCE} have all been "
                "handed out and numbers are never reused; to issue more, the company needs "
                "another card prefix (vip.card_prefix)"
            )
        self._last[key] = following
        return following

    def last(self, prefix: str, level: VipLevel) -> int:
        """The last number handed out for ``(prefix, level)``, 0 if none."""
        return self._last.get((_as_prefix(prefix), as_level(level, "level")), 0)


def as_level(value: object, name: str) -> VipLevel:
    """``value`` as a :class:`VipLevel`; its digit 0, 1 or 2 is accepted too."""
    if isinstance(value, VipLevel):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2:
        return VipLevel(value)
    raise ValidationError.expected(
        name,
        "a VipLevel (0 group leadership, 1 government official, 2 other)",
        value,
        "e.g. VipLevel.GOVERNMENT_OFFICIAL",
    )


def _is_prefix(value: object) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isascii() and value.isupper()


def _as_prefix(value: object) -> str:
    if not _is_prefix(value):
        raise ValidationError.expected("prefix", "2 capital letters", value, "e.g. 'JK'")
    return value  # type: ignore[return-value]  # _is_prefix checked it is a str


def _parse(text: object, prefix: str | None) -> CardNumber:
    if prefix is not None:
        _as_prefix(prefix)
    if not isinstance(text, str):
        raise ValidationError.expected("card_number", "a string such as 'JK1001'", text)
    if len(text) != 6:
        raise ValidationError.expected(
            "card_number",
            "6 characters: a 2-letter prefix, a level digit and a 3-digit sequence",
            text,
            f"it has {len(text)}; e.g. 'JK1001'",
        )
    head, digit, tail = text[:2], text[2], text[3:]
    if not (head.isascii() and head.isalpha()):
        raise ValidationError.expected("card_number.prefix", "2 capital letters", head)
    if not head.isupper():
        raise ValidationError.expected(
            "card_number.prefix", "2 capital letters", head, f"write it {head.upper()!r}"
        )
    if prefix is not None and head != prefix:
        raise ValidationError.expected(
            "card_number.prefix", f"the company's prefix {prefix!r}", head
        )
    if digit not in "012":
        raise ValidationError.expected(
            "card_number.level",
            "a level digit 0, 1 or 2 (0 group leadership, 1 government official, 2 other)",
            digit,
        )
    if not (tail.isascii() and tail.isdigit()):
        raise ValidationError.expected("card_number.sequence", "3 digits from 001 to 999", tail)
    if tail == "000":
        raise ValidationError.expected(
            "card_number.sequence", "3 digits from 001 to 999", tail, "numbering starts at 001"
        )
    return CardNumber(head, VipLevel(int(digit)), int(tail))


# Public in propcrm.vip: set after each class is built, so that attrs compiles their
# methods with this module's names (it copies the globals of ``__module__``).
for _public in (
    CardNumbersExhaustedError,
    VipLevel,
    CardNumber,
    CardSequenceAllocator,
    MemorySequenceAllocator,
):
    _public.__module__ = "propcrm.vip"
