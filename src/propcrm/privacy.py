"""Customer data protection (002 §21): personal data that masks itself, and 密级.

Customer archives are confidential: nothing about a customer is disclosed
without a legal basis or the customer's consent (002 §21). propcrm keeps that
promise by construction:

* Phone numbers, ID numbers and addresses are :class:`PersonalData` values.
  Their ``repr`` and ``str`` — and therefore f-strings, ``print`` and log
  records — show only a masked form, and so do ``attrs.asdict``, cattrs'
  ``unstructure`` and ``pickle``. Code that may see the clear value asks for it
  with :meth:`PersonalData.reveal`, a single greppable call to audit.
* Every customer record carries the confidentiality level (密级) the office
  assigned it, a :class:`Confidentiality`.

>>> from propcrm.privacy import PersonalData, PersonalKind
>>> phone = PersonalData(PersonalKind.PHONE, "13812345678")
>>> "customer %s called" % phone
'customer 138****5678 called'
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from enum import Enum
from typing import Any

from attrs import frozen

from propcrm.errors import PropcrmError, ValidationError

__all__ = ["Confidentiality", "PersonalData", "PersonalKind", "WithheldError"]


class Confidentiality(Enum):
    """The confidentiality level (密级) an office assigns a record (002 §5, §21).

    Four levels, lowest first: public (公开), internal (内部), confidential
    (秘密) and secret (机密) (RULES §8). Customer records default to
    :attr:`CONFIDENTIAL`; VIP archives, kept by the VIP assistant (002 §20),
    are read as :attr:`SECRET`. Levels compare by rank, so ``level <= ceiling``
    says whether a reader cleared to ``ceiling`` may read it. What each role may
    read is the access policy (:class:`propcrm.access.AccessPolicy`).

    >>> from propcrm.privacy import Confidentiality
    >>> Confidentiality.INTERNAL < Confidentiality.CONFIDENTIAL, Confidentiality.SECRET.label
    (True, '机密')
    """

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"

    @property
    def label(self) -> str:
        """The level's Chinese name — 公开, 内部, 秘密 or 机密."""
        return _LEVEL_LABELS[self.value]

    @property
    def rank(self) -> int:
        """The level's place, 0 (public) to 3 (secret)."""
        return _LEVEL_ORDER.index(self.value)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Confidentiality):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Confidentiality):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Confidentiality):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Confidentiality):
            return NotImplemented
        return self.rank >= other.rank


_LEVEL_ORDER = ("public", "internal", "confidential", "secret")
_LEVEL_LABELS = {"public": "公开", "internal": "内部", "confidential": "秘密", "secret": "机密"}


class PersonalKind(Enum):
    """What a :class:`PersonalData` value holds; decides how it is masked."""

    PHONE = "phone"
    ID_NUMBER = "id_number"
    ADDRESS = "address"


class WithheldError(PropcrmError, LookupError):
    """The clear value of a :class:`PersonalData` was withheld: only its masked form travelled.

    A pickled :class:`PersonalData` carries its kind and masked form, never the
    clear value; the copy rebuilt from the pickle raises this error from
    :meth:`PersonalData.reveal`.
    """


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
_HIDDEN = "****"  # a fixed mark, so the masked form does not tell the length
_NOT_DIGITS = re.compile(r"[^0-9]")
_CHINA = ("+86", "0086")  # the country prefix kept in view: it is not personal
_MOBILE = re.compile(r"1[0-9]{10}\Z")  # an 11-digit Chinese mobile number
_SHORTEST_NUMBER = 8  # fewer digits: the last 4 would leave too few hidden
_SHORTEST_TEXT = 8  # ID numbers and addresses shorter than this show nothing


def _clear_value(value: object) -> str:
    # The message names the type only: a phone number given as an int must not be logged.
    if not isinstance(value, str) or not value.strip():
        shown = "a blank string" if isinstance(value, str) else f"a {type(value).__name__} value"
        raise ValidationError(
            "value", f"value: expected a non-empty string, got {shown}", type(value)
        )
    return value


def _mask_phone(value: str) -> str:
    text = value.strip()
    prefix = next((p for p in _CHINA if text.startswith(p)), None)
    digits = _NOT_DIGITS.sub("", text[len(prefix) :] if prefix else text)
    shown = "+86 " if prefix else ""
    if _MOBILE.match(digits):
        return f"{shown}{digits[:3]}{_HIDDEN}{digits[-4:]}"
    if len(digits) < _SHORTEST_NUMBER:
        return _HIDDEN
    return f"{shown}{_HIDDEN}{digits[-4:]}"


def _mask(kind: PersonalKind, value: str) -> str:
    """The masked form of ``value`` (see :class:`PersonalData` for the rules per kind)."""
    if kind is PersonalKind.PHONE:
        return _mask_phone(value)
    text = value.strip()
    if len(text) < _SHORTEST_TEXT:
        return _HIDDEN
    if kind is PersonalKind.ID_NUMBER:
        return f"{text[0]}{_HIDDEN}{text[-1]}"
    return f"{text[:3]}{_HIDDEN}"


@functools.cache
def _process_key() -> bytes:
    """The key of the equality digests: random, made once per process, never stored."""
    return secrets.token_bytes(32)


def _digest(kind: PersonalKind, value: str) -> bytes:
    message = f"{kind.value}\x00{value}".encode("utf-8", "surrogatepass")
    return hmac.new(_process_key(), message, hashlib.sha256).digest()


class _Sealed:
    """The clear value and its digest, kept out of the attrs fields.

    ``attrs.asdict``, cattrs and anything else that walks attrs fields see only
    the kind and the masked form.
    """

    __slots__ = ("_clear", "_digest")
    _clear: str | None
    _digest: bytes | None


@frozen(init=False, repr=False, eq=False)
class PersonalData(_Sealed):
    """A piece of personal data that never shows itself in ``repr``, ``str`` or logs (002 §21).

    Only a masked form is shown, by kind (a Decision of propcrm, RULES §8):

    * **phone**: an 11-digit mobile number (``1`` and ten digits) keeps its
      first 3 and last 4 digits, the national convention (``138****5678``);
      any other number of at least 8 digits keeps only its last 4
      (``****4567``); a shorter one shows nothing. Spaces and dashes are
      ignored, and a leading ``+86`` or ``0086`` is kept in view as ``+86``
      (``+86 138 1234 5678`` shows as ``+86 138****5678``).
    * **ID number**: its first and last characters (``1****X``).
    * **address**: its first 3 characters (``北京市****``).
    * An ID number or address shorter than 8 characters shows nothing.

    The hidden part is a fixed ``****``, so the length is not disclosed either.
    Code allowed to see the clear value — by law or with the customer's
    consent — asks for it explicitly with :meth:`reveal`; grep for ``reveal(``
    to audit every disclosure.

    Serialising keeps the mask: ``attrs.asdict`` and cattrs' ``unstructure``
    give ``{"kind": ..., "masked": ...}`` (the attrs fields are the kind and the
    masked form), and a pickle carries the masked form only (its copy's
    :meth:`reveal` raises :class:`WithheldError`). Storage adapters keep the
    clear value through their own converter.

    Equality compares the kind and a keyed digest (HMAC-SHA256) of the clear
    value, never the value itself; a withheld copy (see :meth:`withheld`)
    equals only other withheld copies, by kind and masked form — what its
    holder can see — so it is no oracle for guessed values. The key is random, made once per process
    and never written anywhere, so a hash or digest that leaves the process
    cannot be tested against guessed numbers. Within the process two values
    are equal exactly when their kinds and clear values are (a customer read
    back from storage equals the one stored); comparing there is no more
    disclosure than :meth:`reveal`, which the same code could call.

    >>> from propcrm.privacy import PersonalData, PersonalKind
    >>> phone = PersonalData(PersonalKind.PHONE, "13812345678")
    >>> phone
    PersonalData(phone='138****5678')
    >>> f"call {phone}"
    'call 138****5678'
    >>> phone.reveal()
    '13812345678'
    >>> phone == PersonalData("phone", "13812345678")
    True

    Attributes:
        kind: What the value is.
        masked: The masked form shown in ``repr`` and ``str``.

    Raises:
        ValidationError: ``kind`` is not a :class:`PersonalKind` (or its value),
            or ``value`` is not a non-empty string (the message never shows it).
    """

    kind: PersonalKind
    masked: str

    def __init__(self, kind: PersonalKind | str, value: str) -> None:
        checked = _kind(kind)
        clear = _clear_value(value)
        self.__attrs_init__(checked, _mask(checked, clear))
        object.__setattr__(self, "_clear", clear)
        object.__setattr__(self, "_digest", _digest(checked, clear))

    def reveal(self) -> str:
        """Return the clear value; call it only where the caller may see personal data.

        Raises:
            WithheldError: This is a copy rebuilt from a pickle, which carries
                the masked form only.
        """
        if self._clear is None:
            raise WithheldError(
                f"the clear value of this {self.kind.value} ({self.masked}) was withheld: "
                "this copy carries only the masked form (a pickle, or a record read through "
                "a desk); reveal it through ArchiveDesk.reveal(), which checks and records it"
            )
        return self._clear

    def withheld(self) -> PersonalData:
        """A copy holding only the kind and the masked form: its :meth:`reveal` raises.

        The services hand out records with withheld personal data, so the clear
        value is reached only through an audited reveal.

        >>> from propcrm.privacy import PersonalData
        >>> copy = PersonalData("phone", "13812345678").withheld()
        >>> copy.masked
        '138****5678'
        """
        return _withheld(self.kind.value, self.masked)

    def __repr__(self) -> str:
        return f"PersonalData({self.kind.value}={self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PersonalData):
            return NotImplemented
        if self._digest is None or other._digest is None:
            # A withheld copy compares by what its holder sees: comparing it with a
            # clear value made from a guess must not confirm the guess.
            both = self._digest is None and other._digest is None
            return both and self.kind is other.kind and self.masked == other.masked
        return self.kind is other.kind and hmac.compare_digest(self._digest, other._digest)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        if self._digest is None:
            return hash((self.kind, self.masked))
        return hash(self._digest)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_withheld, (self.kind.value, self.masked))

    def __copy__(self) -> PersonalData:
        return self  # immutable: a copy in the same process is the value itself

    def __deepcopy__(self, memo: dict[int, Any]) -> PersonalData:
        return self


def _withheld(kind: str, masked: str) -> PersonalData:
    """Rebuild a pickled :class:`PersonalData`: its kind and masked form, no clear value."""
    copy = object.__new__(PersonalData)
    copy.__attrs_init__(_kind(kind), masked)
    object.__setattr__(copy, "_clear", None)
    object.__setattr__(copy, "_digest", None)
    return copy
