"""Who may see what (RULES §8): roles, confidentiality levels and the personal kinds revealed.

The seeds make customer archives confidential (002 §21: nothing is disclosed
without a legal basis or the customer's consent); the office assigns each
record a confidentiality level (密级, 002 §5) and the VIP assistant keeps the
VIP archives (002 §20). An :class:`AccessPolicy` says, per role of the one
vocabulary (:class:`~propcrm.roles.Role`), the highest level it may read and
the personal kinds (phone, ID number, address) it may reveal in clear. The
decisions here are pure: :func:`decide_read` and :func:`decide_reveal` take the
roles and the record's facts and return an :class:`AccessDecision` with its
reasons. The services (:class:`propcrm.services.ArchiveDesk`) enforce them and
keep the register of every read and reveal.

>>> from propcrm.access import decide_read, decide_reveal
>>> from propcrm.privacy import Confidentiality, PersonalKind
>>> decide_read(["technician"], Confidentiality.CONFIDENTIAL).allowed
False
>>> decide_read(["technician"], Confidentiality.CONFIDENTIAL).needed
('general_manager', 'assistant_general_manager', 'service_centre_manager', \
'project_manager', 'office_director', 'customer_supervisor', 'vip_assistant', 'desk_staff')
>>> decide_reveal(["technician"], PersonalKind.ADDRESS, assigned_open_order=True).allowed
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen

from propcrm._slices import policy_slice
from propcrm._validators import int_between
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.privacy import Confidentiality, PersonalKind
from propcrm.roles import Role

__all__ = [
    "AccessDecision",
    "AccessPolicy",
    "decide_read",
    "decide_reveal",
    "level_of",
]

_RULES = "Decision (RULES §8)"
_PUBLIC, _INTERNAL = Confidentiality.PUBLIC, Confidentiality.INTERNAL
_CONFIDENTIAL, _SECRET = Confidentiality.CONFIDENTIAL, Confidentiality.SECRET
_PHONE, _ID, _ADDRESS = PersonalKind.PHONE, PersonalKind.ID_NUMBER, PersonalKind.ADDRESS
_ROLE_VALUES = tuple(r.value for r in Role)

#: The default highest level each role reads (Decision, RULES §8).
DEFAULT_LEVELS: dict[str, Confidentiality] = {
    "general_manager": _SECRET,
    "assistant_general_manager": _CONFIDENTIAL,
    "service_centre_manager": _SECRET,
    "project_manager": _CONFIDENTIAL,
    "general_affairs_manager": _INTERNAL,
    "office_director": _CONFIDENTIAL,
    "customer_supervisor": _CONFIDENTIAL,
    "department_head": _INTERNAL,
    "engineering_supervisor": _INTERNAL,
    "repair_lead": _INTERNAL,
    "technician": _INTERNAL,
    "property_officer": _INTERNAL,
    "vip_assistant": _SECRET,
    "desk_staff": _CONFIDENTIAL,
    "monitoring_room": _INTERNAL,
}

#: The default personal kinds each role may reveal in clear (Decision, RULES §8).
DEFAULT_REVEAL: dict[str, tuple[PersonalKind, ...]] = {
    "general_manager": (_PHONE, _ID, _ADDRESS),
    "service_centre_manager": (_PHONE, _ID, _ADDRESS),
    "vip_assistant": (_PHONE, _ID, _ADDRESS),
    "customer_supervisor": (_PHONE, _ADDRESS),
    "desk_staff": (_PHONE, _ADDRESS),
    "property_officer": (_PHONE, _ADDRESS),
}


def _role_key(value: object, name: str) -> str:
    if isinstance(value, Role):
        return value.value
    if isinstance(value, str) and value in _ROLE_VALUES:
        return value
    raise ValidationError.expected(
        name, "a role of propcrm.roles.Role", value, f"use one of {', '.join(_ROLE_VALUES)}"
    )


def _level(value: object, name: str) -> Confidentiality:
    if isinstance(value, Confidentiality):
        return value
    if isinstance(value, str) and value in _LEVEL_VALUES:
        return Confidentiality(value)
    raise ValidationError.expected(
        name, f"a confidentiality level, one of {', '.join(_LEVEL_VALUES)}", value
    )


def _kind(value: object, name: str) -> PersonalKind:
    if isinstance(value, PersonalKind):
        return value
    if isinstance(value, str) and value in _KIND_VALUES:
        return PersonalKind(value)
    raise ValidationError.expected(
        name, f"a personal kind, one of {', '.join(_KIND_VALUES)}", value
    )


_LEVEL_VALUES = tuple(c.value for c in Confidentiality)
_KIND_VALUES = tuple(k.value for k in PersonalKind)


def _items(value: object, name: str) -> tuple[object, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError.expected(name, "a list", value, "e.g. ['phone', 'address']")
    return tuple(value)


def _levels(value: object) -> dict[str, Confidentiality]:
    if not isinstance(value, Mapping):
        raise ValidationError.expected("levels", "a table of role = level", value)
    return {
        _role_key(role, f"levels.{role}"): _level(level, f"levels.{role}")
        for role, level in value.items()
    }


def _reveal(value: object) -> dict[str, tuple[PersonalKind, ...]]:
    if not isinstance(value, Mapping):
        raise ValidationError.expected("reveal", "a table of role = list of kinds", value)
    found = {}
    for role, kinds in value.items():
        key = _role_key(role, f"reveal.{role}")
        found[key] = tuple(dict.fromkeys(_kind(k, f"reveal.{key}") for k in _items(kinds, key)))
    return found


def _kinds(value: object) -> tuple[PersonalKind, ...]:
    name = "assigned_technician_kinds"
    return tuple(dict.fromkeys(_kind(k, name) for k in _items(value, name)))


def _as_level(value: object) -> Confidentiality:
    return _level(value, "level")


@frozen
class AccessPolicy:
    """Who may read and reveal what (RULES §8), as data with documented defaults.

    A role missing from ``levels`` reads public records only; one missing from
    ``reveal`` reveals nothing. A person with several roles gets the most any
    of them gives.

    Attributes:
        levels: The highest level each role reads: secret for the general
            manager, the service-centre manager and the VIP assistant (the VIP
            archives, 002 §20); confidential for the desk and the managers who
            handle customers; internal for the rest.
        reveal: The personal kinds each role may reveal in clear: every kind
            for those three; phone and address for the customer supervisor, the
            desk and the property officers; nothing for the others.
        assigned_technician_kinds: What the technician dispatched to a work
            order reveals from its slip while the order is open (address and
            phone): the home they go to, and no more (入户维修 4.1.7).
        vip_archive_level: The level a VIP's customer record is read at (at
            least): secret.
        complaint_level: The level of a complaint register entry: internal.
        repair_slip_level: The level of a repair slip: internal.
        audit_above: Reads of records above this level are written to the
            audit trail (reveals always are): internal.
        max_purpose_length: The longest stated purpose, in characters: 500.

    Raises:
        ValidationError: An unknown role, level or kind (the message lists the
            known ones), or a purpose length outside 1-10,000.
    """

    levels: dict[str, Confidentiality] = field(
        factory=lambda: dict(DEFAULT_LEVELS), converter=_levels
    )
    reveal: dict[str, tuple[PersonalKind, ...]] = field(
        factory=lambda: dict(DEFAULT_REVEAL), converter=_reveal
    )
    assigned_technician_kinds: tuple[PersonalKind, ...] = field(
        default=(_ADDRESS, _PHONE), converter=_kinds
    )
    vip_archive_level: Confidentiality = field(default=_SECRET, converter=_as_level)
    complaint_level: Confidentiality = field(default=_INTERNAL, converter=_as_level)
    repair_slip_level: Confidentiality = field(default=_INTERNAL, converter=_as_level)
    audit_above: Confidentiality = field(default=_INTERNAL, converter=_as_level)
    max_purpose_length: int = field(default=500, validator=int_between(1, 10_000))

    def ceiling(self, roles: Iterable[Role | str]) -> Confidentiality:
        """The highest level any of ``roles`` reads (public when none reads more)."""
        found = [self.levels.get(_role_key(r, "roles"), _PUBLIC) for r in _items(roles, "roles")]
        return max(found, default=_PUBLIC)

    def kinds(self, roles: Iterable[Role | str]) -> frozenset[PersonalKind]:
        """The personal kinds any of ``roles`` may reveal."""
        return frozenset(
            kind
            for r in _items(roles, "roles")
            for kind in self.reveal.get(_role_key(r, "roles"), ())
        )


@frozen
class AccessDecision:
    """Whether a read or a reveal is allowed, and why.

    Attributes:
        allowed: Whether it is allowed.
        needed: When refused, the roles that would be allowed (value strings,
            in the vocabulary's order); empty when allowed.
        reasons: The rule that decided, with its facts.
    """

    allowed: bool
    needed: tuple[str, ...]
    reasons: tuple[Reason, ...]


def level_of(value: object) -> Confidentiality | None:
    """``value`` if it is a :class:`~propcrm.privacy.Confidentiality`, else ``None``.

    A record whose level is anything else (a forged or corrupt level) is read
    as above every level: no one may read it until the office sets it again.
    """
    return value if isinstance(value, Confidentiality) else None


def decide_read(
    roles: Iterable[Role | str], level: Confidentiality | None, *, policy: object = None
) -> AccessDecision:
    """Whether a person with ``roles`` may read a record at ``level`` (RULES §8).

    Args:
        roles: The reader's roles (:class:`~propcrm.roles.Role` or value text).
        level: The record's level; ``None`` (a forged level, see :func:`level_of`)
            is never readable.
        policy: The whole :class:`~propcrm.policy.Policy`, ``policy.access``, or
            ``None`` for the defaults.

    Raises:
        ValidationError: An unknown role, a ``level`` that is neither a level nor
            ``None``, or ``policy`` of another type.
    """
    access = policy_slice(policy, AccessPolicy, "access")
    ceiling = access.ceiling(roles)
    if level is not None and not isinstance(level, Confidentiality):
        raise ValidationError.expected(
            "level", "a Confidentiality, or None for a forged level", level, "see level_of()"
        )
    if level is None:
        reason = Reason(
            "access.read.forged_level",
            "the record's confidentiality level is not one of the levels: nobody reads it "
            "until the office sets it again",
            {},
            _RULES,
        )
        return AccessDecision(False, (), (reason,))
    facts = {"level": level.value, "ceiling": ceiling.value}
    if level <= ceiling:
        message = f"the reader is cleared to {ceiling.value}, the record is {level.value}"
        return AccessDecision(True, (), (Reason("access.read", message, facts, "002 §5"),))
    needed = tuple(r.value for r in Role if level <= access.levels.get(r.value, _PUBLIC))
    message = f"the record is {level.value}; the reader is cleared to {ceiling.value} only"
    return AccessDecision(
        False, needed, (Reason("access.read.refused", message, facts, "002 §21"),)
    )


def decide_reveal(
    roles: Iterable[Role | str],
    kind: PersonalKind,
    *,
    assigned_open_order: bool = False,
    policy: object = None,
) -> AccessDecision:
    """Whether a person with ``roles`` may reveal personal data of ``kind`` in clear.

    Args:
        roles: The person's roles.
        kind: What would be revealed.
        assigned_open_order: The data is on the slip of an open work order the
            person, a technician, is dispatched to: they reveal the policy's
            ``assigned_technician_kinds`` (入户维修 4.1.7).
        policy: The whole Policy, ``policy.access``, or ``None``.

    Raises:
        ValidationError: An unknown role or kind, or ``policy`` of another type.
    """
    access = policy_slice(policy, AccessPolicy, "access")
    checked = _kind(kind, "kind")
    if not isinstance(assigned_open_order, bool):
        raise ValidationError.expected("assigned_open_order", "True or False", assigned_open_order)
    listed: list[Any] = list(_items(roles, "roles"))
    facts: dict[str, object] = {"kind": checked.value}
    if checked in access.kinds(listed):
        reason = Reason("access.reveal", f"the role may reveal {checked.value}", facts, _RULES)
        return AccessDecision(True, (), (reason,))
    technician = Role.TECHNICIAN.value in {_role_key(r, "roles") for r in listed}
    if technician and assigned_open_order and checked in access.assigned_technician_kinds:
        message = f"the technician dispatched to the open order sees its {checked.value}"
        reason = Reason("access.reveal.assigned", message, facts, _RULES)
        return AccessDecision(True, (), (reason,))
    needed = tuple(r.value for r in Role if checked in access.reveal.get(r.value, ()))
    message = f"no role of the person may reveal {checked.value}"
    reason = Reason("access.reveal.refused", message, facts, "002 §21")
    return AccessDecision(False, needed, (reason,))
