"""The complaint and its four grades: what grading reads.

Public in :mod:`propcrm.complaints`; this module is private.
"""

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from functools import total_ordering
from typing import Any, NamedTuple

from attrs import define, field, setters

from propcrm._time import require_aware
from propcrm._validators import (
    aware_datetime,
    int_at_least,
    is_bool,
    is_str,
    non_empty_str,
    optional,
)
from propcrm.errors import ValidationError

__all__ = ["GRADES", "Complainants", "Complaint", "Grade"]


@total_ordering
class Grade(Enum):
    """The four complaint grades of 002 §40, ordered ``GENERAL < IMPORTANT < HOT < MAJOR``.

    >>> from propcrm.complaints import Grade
    >>> Grade.HOT > Grade.IMPORTANT, Grade.MAJOR.label
    (True, '重大投诉')
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    GENERAL = "general"
    IMPORTANT = "important"
    HOT = "hot"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        """0 for GENERAL up to 3 for MAJOR."""
        return GRADES.index(self)

    @property
    def label(self) -> str:
        """The Chinese name of the grade, e.g. ``"热点投诉"``."""
        return _LABELS[self.rank]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return self.rank < other.rank


#: The grades by rank, GENERAL first.
GRADES = (Grade.GENERAL, Grade.IMPORTANT, Grade.HOT, Grade.MAJOR)
_LABELS = ("一般投诉", "重要投诉", "热点投诉", "重大投诉")


# --- the complaint's own rules -----------------------------------------------------------------


def _unique_ids(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(dict.fromkeys(value))
    except TypeError:  # not iterable (None, a number), or an unhashable id (a list)
        raise ValidationError.expected(
            "complainant_ids",
            "a list of customer ids as non-empty strings",
            value,
            "e.g. ('cust-1', 'cust-2'); an empty list if nobody is named",
        ) from None


def _ids(instance: object, attribute: Any, value: tuple[str, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError.expected(
                attribute.name, "customer ids as non-empty strings", value
            )


def _headcount(instance: "Complaint", attribute: Any, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError.expected("headcount", "an integer >= 0", value)
    named = len(instance.complainant_ids)
    if value < named:
        raise ValidationError.expected(
            "headcount",
            f"at least the {named} named complainants",
            value,
            "count everyone who took part, or leave headcount unset",
        )


def _resolved_at(instance: "Complaint", attribute: Any, value: datetime | None) -> None:
    if value is None:
        return
    require_aware(value, "resolved_at")
    if value < instance.received_at:
        raise ValidationError.expected(
            "resolved_at", f"a moment at or after received_at ({instance.received_at})", value
        )


def _keep_invariants(instance: "Complaint", attribute: Any, value: Any) -> Any:
    """Re-check the cross-field rules on assignment, with the new value, before it is set.

    Each field's own validator sees the other fields as they are; this hook covers
    the two assignments those validators cannot see: more named complainants than
    the headcount, and a receipt moved after the resolution.
    """
    name = attribute.name
    if name == "complainant_ids":
        headcount = instance.headcount
        if headcount is not None and len(value) > headcount:
            raise ValidationError.expected(
                "complainant_ids",
                f"at most the headcount ({headcount}) of named complainants",
                value,
                "raise headcount first, or set it to None to count the named complainants",
            )
    elif name == "received_at":
        resolved = instance.resolved_at
        if resolved is not None and value > resolved:
            raise ValidationError.expected(
                "received_at",
                f"a moment at or before resolved_at ({resolved})",
                value,
                "correct resolved_at first, or set it to None",
            )
    return value


@define(on_setattr=[setters.convert, setters.validate, _keep_invariants])
class Complaint:
    """One complaint as received, with its handling state.

    Assigning a field checks the same rules as creating the complaint, so an
    invalid assignment raises :class:`~propcrm.errors.ValidationError` and
    leaves the complaint unchanged.

    Attributes:
        id: The complaint's own id.
        community: The community (小区) it concerns.
        category: Its category, e.g. ``"noise"`` or ``"repair"``.
        subject: What exactly it is about, e.g. ``"pump room"``.
        complainant_ids: The customer ids of the named complainants (投诉人);
            duplicates are dropped.
        headcount: How many people took part; a collective complaint (集体投诉) may
            name fewer people than took part. ``None`` means the named complainants.
        received_at: When it was received (aware).
        channel: How it came in, e.g. ``"phone"``.
        first_receiver_id: The staff member who received it first (首问负责人) and
            owns it until it is closed (首问负责制, 000 §3.2).
        litigation_filed: It has led to litigation (已经引发法律诉讼).
        media_exposed: It has been exposed by the media (已被媒体曝光).
        litigation_risk: It may lead to litigation.
        media_risk: It may be exposed by the media.
        needs_other_departments: It needs help from other specialist departments.
        second_after_handling: A second complaint after the first was handled
            (处理完毕后发生二次投诉); setting ``repeat_of_id`` says the same.
        repeat_of_id: The id of the earlier, handled complaint this one repeats.
        resolved_at: When it was effectively resolved; ``None`` while open.
        delay_attributable_to_company: Whether a delay in resolving it is the
            company's (由于公司原因). Presumed so until recorded otherwise.
        version: Optimistic-concurrency version for stores.
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    category: str = field(kw_only=True, validator=non_empty_str)
    subject: str = field(kw_only=True, validator=non_empty_str)
    complainant_ids: tuple[str, ...] = field(kw_only=True, converter=_unique_ids, validator=_ids)
    received_at: datetime = field(kw_only=True, validator=aware_datetime)
    headcount: int | None = field(default=None, kw_only=True, validator=_headcount)
    channel: str = field(default="phone", kw_only=True, validator=is_str)
    first_receiver_id: str = field(default="", kw_only=True, validator=is_str)
    litigation_filed: bool = field(default=False, kw_only=True, validator=is_bool)
    media_exposed: bool = field(default=False, kw_only=True, validator=is_bool)
    litigation_risk: bool = field(default=False, kw_only=True, validator=is_bool)
    media_risk: bool = field(default=False, kw_only=True, validator=is_bool)
    needs_other_departments: bool = field(default=False, kw_only=True, validator=is_bool)
    second_after_handling: bool = field(default=False, kw_only=True, validator=is_bool)
    repeat_of_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    resolved_at: datetime | None = field(default=None, kw_only=True, validator=_resolved_at)
    delay_attributable_to_company: bool = field(default=True, kw_only=True, validator=is_bool)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def people(self) -> int:
        """How many people complained — ``headcount``, or the named complainants."""
        return len(self.complainant_ids) if self.headcount is None else self.headcount

    @property
    def is_second_complaint(self) -> bool:
        """Whether it repeats a complaint that was already handled."""
        return self.second_after_handling or self.repeat_of_id is not None


class Complainants(NamedTuple):
    """Who complained about a key, and when: what :class:`ComplaintHistory` counts.

    A store reads these for the stored complaints of a window without building
    each :class:`Complaint` whole
    (:meth:`~propcrm.storage.ComplaintRepository.complainants_any`); a history
    takes them as it takes complaints.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from propcrm.complaints import Complainants, ComplaintHistory
    >>> history = ComplaintHistory()
    >>> history.add(Complainants("C-1", "东区", "noise", "pump room", "phone", ("cust-1",),
    ...                          datetime(2025, 2, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))))
    >>> len(history)
    1

    Attributes:
        complaint_id: The complaint's id.
        community: Its community.
        category: Its category.
        subject: Its subject.
        channel: How it came in.
        complainant_ids: Its named complainants, each once.
        received_at: When it was received (aware; a store gives the instant in UTC).
    """

    complaint_id: str
    community: str
    category: str
    subject: str
    channel: str
    complainant_ids: tuple[str, ...]
    received_at: datetime


Complainants.__module__ = "propcrm.complaints"  # public there; this module is private
