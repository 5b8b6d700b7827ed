"""Who acts, and how a command runs: the :class:`Actor` and the :class:`CommandRunner`.

Public in :mod:`propcrm.services`; this module is private.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, cast

import attrs
from attrs import field, frozen

from propcrm._callback_rounds import role_value
from propcrm._checks import as_items, require_callable, require_instance, require_text
from propcrm._time import Clock, require_aware
from propcrm._validators import non_empty_str
from propcrm.errors import ConflictError, PermissionDeniedError, ValidationError, shown
from propcrm.policy import Policy
from propcrm.privacy import PersonalData
from propcrm.records import CommandRecord
from propcrm.roles import Role
from propcrm.services._arguments import arguments_digest, given_digest
from propcrm.storage import Store
from propcrm.storage._codec import decode, encode, make_converter

__all__ = [
    "Actor",
    "CommandRunner",
    "policy_fingerprint",
    "received_before",
    "require_actor",
    "require_clock",
    "require_command_id",
    "require_store",
    "withhold_personal",
]

R = TypeVar("R")


def _roles(value: Iterable[Role | str] | Role | str) -> frozenset[Role]:
    items = (value,) if isinstance(value, str) else as_items(value, "roles", "a list of roles")
    return frozenset(Role(role_value(item, "roles")) for item in items)


def _communities(value: Iterable[str]) -> frozenset[str]:
    try:
        found = frozenset((value,) if isinstance(value, str) else value)
    except TypeError:
        found = frozenset()
    if not found or not all(isinstance(item, str) and item.strip() for item in found):
        raise ValidationError.expected(
            "communities",
            "at least one community name as a non-empty string",
            value,
            "name every community (小区) the person acts for",
        )
    return found


@frozen
class Actor:
    """A person doing a command: who, in which roles, for which communities.

    A desk in one community cannot touch another community's complaints: a
    command about a record of a community not in ``communities`` raises
    :class:`~propcrm.errors.PermissionDeniedError`.

    >>> from propcrm.roles import Role
    >>> from propcrm.services import Actor
    >>> desk = Actor("desk-1", roles=["desk_staff"], communities=["东区"])
    >>> desk.acts_for("东区"), desk.acts_for("西区"), Role.DESK_STAFF in desk.roles
    (True, False, True)

    Attributes:
        id: The person's id.
        roles: Their roles, from the one vocabulary (:class:`~propcrm.roles.Role`
            or its value text).
        communities: The communities (小区) or offices they act for; at least one.
    """

    id: str = field(validator=non_empty_str)
    roles: frozenset[Role] = field(kw_only=True, converter=_roles)
    communities: frozenset[str] = field(kw_only=True, converter=_communities)

    def acts_for(self, community: str) -> bool:
        """Whether the person acts for ``community``.

        Raises:
            ValidationError: ``community`` is not a string.
        """
        return require_text(community, "community", "a community name") in self.communities

    def require(self, community: str) -> None:
        """Refuse unless the person acts for ``community``.

        Raises:
            PermissionDeniedError: They do not.
            ValidationError: ``community`` is not a string.
        """
        if not self.acts_for(community):
            raise PermissionDeniedError(
                f"{self.id} acts for {', '.join(sorted(self.communities))}, "
                f"not {shown(community)}: a desk of that community must do this",
                actor_id=self.id,
                community=community,
            )


def require_actor(actor: object, community: str | None = None) -> Actor:
    """Return ``actor`` if it is an :class:`Actor` (acting for ``community``, when given).

    Raises:
        ValidationError: ``actor`` is not an Actor.
        PermissionDeniedError: The actor does not act for ``community``.
    """
    checked: Actor = require_instance(
        actor, Actor, "actor", "an Actor", "e.g. Actor('desk-1', ...)"
    )
    if community is not None:
        checked.require(community)
    return checked


def require_store(store: object) -> Store:
    """Return ``store`` if it has every repository of a :class:`~propcrm.storage.Store`."""
    checked: Store = require_instance(
        store, Store, "store", "a Store", "e.g. MemoryStore() or SqliteStore(path)"
    )
    return checked


def require_clock(clock: object) -> Clock:
    """Return ``clock`` if it is a :class:`~propcrm.Clock`, else raise :class:`ValidationError`."""
    # A datetime has a now() too: it is the time of a clock, not a clock.
    if isinstance(clock, datetime | type) or not isinstance(clock, Clock):
        raise ValidationError.expected(
            "clock", "a Clock (an object with now())", type(clock).__name__,
            "e.g. SystemClock('Asia/Shanghai') or FixedClock(moment)",
        )  # fmt: skip
    return clock


def require_command_id(command_id: object) -> str:
    """Return ``command_id`` if it is a non-empty string, else raise :class:`ValidationError`."""
    return _non_empty(command_id, "command_id", "give each command a unique id")


def _non_empty(value: object, name: str, hint: str) -> str:
    text = require_text(value, name, "a non-empty string", hint)
    if not text.strip():
        raise ValidationError.expected(name, "a non-empty string", value, hint)
    return text


def received_before(received_at: datetime | None, at: datetime) -> datetime:
    """``received_at`` (when a request reached the company), or ``at`` when it is ``None``.

    Raises:
        ValidationError: ``received_at`` is after ``at``, the command's time.
    """
    if received_at is None:
        return at
    if received_at > at:
        raise ValidationError.expected(
            "received_at", f"a moment no later than the command's time ({at.isoformat()})",
            received_at, "a request cannot be received after it is registered",
        )  # fmt: skip
    return received_at


def policy_fingerprint(policy: Policy) -> str:
    """A stable hash of the policy's canonical dump: equal policies, equal fingerprints.

    The dump is the policy's :meth:`~propcrm.policy.Policy.to_mapping` written
    as JSON with sorted keys, a whole number written alike whether it was
    given as ``1`` or ``1.0`` (a policy loaded from a file equals the defaults
    it repeats); the fingerprint is the first 16 hex digits of its
    SHA-256, enough to tell policy versions apart in stored decisions.

    >>> from propcrm.policy import Policy
    >>> from propcrm.services import policy_fingerprint
    >>> policy_fingerprint(Policy()) == policy_fingerprint(Policy())
    True
    """
    if not isinstance(policy, Policy):
        raise ValidationError.expected("policy", "a Policy", type(policy).__name__)
    text = json.dumps(
        _canonical(policy.to_mapping()),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _canonical(value: object) -> object:
    """``value`` with every whole float written as an int: equal numbers, one text (1 and 1.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


class CommandRunner:
    """Runs commands: one transaction each, idempotent by command id, timed by the clock.

    Args:
        store: The store the commands change.
        clock: Tells the time of each command (:class:`~propcrm.Clock`).
        policy: The rules; ``None`` for the defaults.

    Raises:
        ValidationError: ``clock`` has no ``now()`` or ``policy`` is not a Policy.
    """

    def __init__(self, store: Store, *, clock: Clock, policy: Policy | None = None) -> None:
        require_clock(clock)
        if policy is None:
            policy = Policy()
        if not isinstance(policy, Policy):
            raise ValidationError.expected("policy", "a Policy or None", type(policy).__name__)
        self.store = require_store(store)
        self.clock = clock
        self.policy = policy
        self.fingerprint = policy_fingerprint(policy)
        self._converter = make_converter()

    def run(
        self,
        name: str,
        *,
        command_id: str,
        actor: Actor,
        result_type: type[R],
        work: Callable[[datetime], R],
        arguments: Mapping[str, object] | None = None,
    ) -> R:
        """Run ``work(at)`` in one transaction and record ``command_id`` with its result.

        If ``command_id`` was done before by the same person with the same
        ``arguments``, nothing runs: the first result is returned again.
        Everything ``work`` writes, and the record of the command, commit
        together or not at all.

        ``arguments`` are what the command was asked to do (the ids and values
        its caller gave, not ``command_id`` or the actor); the record keeps
        their digest. The desks' own commands give theirs automatically.

        The result comes back with every personal value withheld (each
        :class:`~propcrm.privacy.PersonalData` in it reduced to its masked
        form by :meth:`~propcrm.privacy.PersonalData.withheld`): a command's
        result is no way around the audited
        :meth:`~propcrm.services.ArchiveDesk.reveal`. The command log
        keeps the clear values, as every stored record does.

        Raises:
            ValidationError: ``name`` or ``command_id`` is not a non-empty string,
                ``actor`` is not an :class:`Actor`, ``result_type`` is not a class
                or ``work`` cannot be called.
            ConflictError: ``command_id`` was used for another command, by
                another person or with other arguments, or another desk changed a
                record first (reread and retry).
        """
        digest = given_digest()
        if arguments is not None:
            require_instance(
                arguments, Mapping, "arguments", "a mapping of argument names to values",
                "e.g. {'complaint_id': 'C-1'}",
            )  # fmt: skip
            digest = arguments_digest(arguments)
        require_command_id(command_id)
        _non_empty(name, "name", "name the command, e.g. 'complaints.register'")
        require_actor(actor)
        require_instance(result_type, type, "result_type", "a class", "e.g. ComplaintCase")
        require_callable(work, "work", "a function taking the command's time")
        store = self.store
        with store.transaction():
            done = store.commands.find(command_id)
            if done is not None:
                if done.name != name:
                    raise ConflictError(
                        f"command id {shown(command_id)} was used for {done.name!r}, "
                        f"not {shown(name)}; "
                        "give each command its own id"
                    )
                if done.actor_id != actor.id:
                    # The first result may hold another community's records: a retry
                    # is its own actor's, never a way to read someone else's command
                    # (nor to learn who ran it).
                    raise ConflictError(
                        f"command id {shown(command_id)} was done by another person, "
                        f"not {shown(actor.id)}; give each command its own id"
                    )
                if None not in (done.arguments_digest, digest) and done.arguments_digest != digest:
                    raise ConflictError(
                        f"command id {shown(command_id)} was used for {done.name!r} with "
                        "other arguments; a retry repeats the first call's arguments, "
                        "a new command needs its own id"
                    )
                return withhold_personal(decode(self._converter, done.result, result_type))
            at = require_aware(self.clock.now(), "clock.now()")
            result = work(at)
            store.commands.add(
                CommandRecord(
                    command_id,
                    name=name,
                    actor_id=actor.id,
                    at=at,
                    result_type=result_type.__name__,
                    result=encode(self._converter, result),
                    arguments_digest=digest,
                )
            )
        return withhold_personal(result)


def withhold_personal(value: R) -> R:
    """``value`` with every :class:`~propcrm.privacy.PersonalData` in it withheld.

    Walks attrs records, tuples (named ones too), lists, sets and dicts; a
    part holding no personal data is returned as it is, not copied.
    """
    return cast(R, _withheld(value))


_PLAIN = (str, bytes, int, float, datetime, Enum)
_LEAVES = frozenset({str, int, bool, float, datetime, type(None)})  # exact types, no subclass
_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def _init_fields(cls: type) -> tuple[tuple[str, str], ...]:
    """The (name, argument name) of each field the attrs class ``cls`` takes, read once."""
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple((a.name, a.alias) for a in attrs.fields(cls) if a.init)
    return fields


def _withheld(value: Any) -> Any:
    if isinstance(value, PersonalData):
        return value.withheld()
    if value is None or isinstance(value, _PLAIN):
        return value
    cls = type(value)
    if attrs.has(cls):
        changes = {}
        for name, alias in _init_fields(cls):
            old = getattr(value, name)
            if type(old) in _LEAVES or isinstance(old, Enum):  # returned as they are
                continue
            new = _withheld(old)
            if new is not old:
                changes[alias] = new
        return attrs.evolve(value, **changes) if changes else value
    if isinstance(value, tuple | list | frozenset | set):
        items = [_withheld(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return cls._make(items) if hasattr(cls, "_fields") else cls(items)
    if isinstance(value, dict):
        pairs = {key: _withheld(item) for key, item in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else cls(pairs)
    return value
