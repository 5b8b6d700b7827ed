"""Customer data protection (002 §21): personal data that masks itself, and 密级.

Customer archives are confidential: nothing about a customer is disclosed
without a legal basis or the customer's consent (002 §21). propcrm keeps that
promise by construction:

* Phone numbers, ID numbers and addresses are :class:`PersonalData` values.
  Their ``repr`` and ``str`` — and therefore f-strings, ``print`` and log
  records — show only a masked form. Code that may see the clear value asks
  for it with :meth:`PersonalData.reveal`, a single greppable call to audit.
* Every customer record carries the confidentiality level (密级) the office
  assigned it, a :class:`Confidentiality`.

>>> from propcrm.privacy import PersonalData, PersonalKind
>>> phone = PersonalData(PersonalKind.PHONE, "13812345678")
>>> "customer %s called" % phone
'customer 138****5678 called'
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from attrs import field, frozen

from propcrm.errors import ValidationError

__all__ = ["Confidentiality", "PersonalData", "PersonalKind"]


class Confidentiality(Enum):
    """The confidentiality level (密级) an office assigns a record (002 §21).

    Customer records default to :attr:`CONFIDENTIAL`; VIP archives, kept by the
    VIP assistant (002 §20), are often raised to :attr:`SECRET`. What each level
    lets a member of staff see is the company's access policy; propcrm records
    the level so that storage and services can enforce it.
    """

    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"

    @property
    def label(self) -> str:
        """The level's Chinese name: 内部, 秘密 or 机密."""
        return {"internal": "内部", "confidential": "秘密", "secret": "机密"}[self.value]


class PersonalKind(Enum):
    """What a :class:`PersonalData` value holds; decides how it is masked."""

    PHONE = "phone"
    ID_NUMBER = "id_number"
    ADDRESS = "address"


def _kind(value: PersonalKind | str) -> PersonalKind:
    """A :class:`PersonalKind`, or its value such as ``"phone"``."""
    if isinstance(value, PersonalKind):
        return value
    if isinstance(value, str) and value in _KINDS:
        return PersonalKind(value)
    raise ValidationError.expected(
        "kind", f"a PersonalKind ({', '.join(_KINDS)})", value, "e.g. PersonalKind.PHONE"
    )


_KINDS = tuple(k.value for k in PersonalKind)


def _clear_value(instance: object, attribute: Any, value: Any) -> None:
    # The message names the type only: a phone number given as an int must not be logged.
    if not isinstance(value, str) or not value.strip():
        shown = "a blank string" if isinstance(value, str) else f"a {type(value).__name__} value"
        raise ValidationError(
            "value", f"value: expected a non-empty string, got {shown}", type(value)
        )


# (characters shown at the start, characters shown at the end) of each kind
_SHOWN = {PersonalKind.PHONE: (3, 4), PersonalKind.ID_NUMBER: (1, 1), PersonalKind.ADDRESS: (3, 0)}


@frozen(repr=False)
class PersonalData:
    """A piece of personal data that never shows itself in ``repr``, ``str`` or logs (002 §21).

    Only a masked form is shown: a phone keeps its first 3 and last 4
    characters, an ID number its first and last, an address its first 3 (the
    rest is replaced by a fixed ``****``, so the length is not disclosed). Code
    allowed to see the clear value — by law or with the customer's consent —
    asks for it explicitly with :meth:`reveal`; grep for ``reveal(`` to audit
    every disclosure.

    >>> phone = PersonalData(PersonalKind.PHONE, "13812345678")
    >>> phone
    PersonalData(phone='138****5678')
    >>> f"call {phone}"
    'call 138****5678'
    >>> phone.reveal()
    '13812345678'
    """

    kind: PersonalKind = field(converter=_kind)
    _value: str = field(validator=_clear_value, alias="value")

    @property
    def masked(self) -> str:
        """The masked form shown in ``repr`` and ``str``."""
        head, tail = _SHOWN[self.kind]
        value = self._value.strip()
        if len(value) <= head + tail + 2:
            return "****"
        return value[:head] + "****" + (value[-tail:] if tail else "")

    def reveal(self) -> str:
        """Return the clear value; call it only where the caller may see personal data."""
        return self._value

    def __repr__(self) -> str:
        return f"PersonalData({self.kind.value}={self.masked!r})"

    def __str__(self) -> str:
        return self.masked
