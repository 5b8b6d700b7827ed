"""attrs validators that raise :class:`~propcrm.errors.ValidationError` naming the field.

Shared by every capability's value types and policies, so that a bad value
always reads ``"<field>: expected <what>, got <value>"``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from types import MemberDescriptorType
from typing import Any, TypeVar

import attrs

from propcrm._time import require_aware
from propcrm.errors import ValidationError

__all__ = [
    "aware_datetime",
    "instance_of",
    "int_at_least",
    "int_between",
    "is_bool",
    "is_date",
    "is_str",
    "non_empty_str",
    "non_negative_duration",
    "number_between",
    "optional",
    "positive_duration",
    "revised",
    "unvalidated",
]

T = TypeVar("T")
Validator = Callable[[Any, Any, Any], None]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def instance_of(kind: type, what: str, hint: str | None = None) -> Validator:
    """Accept an instance of ``kind`` (an enumeration's member, a value type)."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind):
            raise ValidationError.expected(attribute.name, what, value, hint)

    return check


def int_at_least(minimum: int) -> Validator:
    """Accept an ``int`` (not a ``bool``) that is ``>= minimum``."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        if not _is_int(value) or value < minimum:
            raise ValidationError.expected(attribute.name, f"an integer >= {minimum}", value)

    return check


def int_between(low: int, high: int) -> Validator:
    """Accept an ``int`` with ``low <= value <= high``."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        if not _is_int(value) or not low <= value <= high:
            raise ValidationError.expected(
                attribute.name, f"an integer from {low} to {high}", value
            )

    return check


def number_between(low: float, high: float) -> Validator:
    """Accept an ``int`` or finite ``float`` with ``low <= value <= high``."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not low <= value <= high:
            raise ValidationError.expected(attribute.name, f"a number from {low} to {high}", value)

    return check


def non_empty_str(instance: object, attribute: Any, value: Any) -> None:
    """Accept a string with at least one non-blank character."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.expected(attribute.name, "a non-empty string", value)


def is_bool(instance: object, attribute: Any, value: Any) -> None:
    """Accept ``True`` or ``False`` only (not 0 or 1)."""
    if not isinstance(value, bool):
        raise ValidationError.expected(attribute.name, "True or False", value)


def is_str(instance: object, attribute: Any, value: Any) -> None:
    """Accept any string, the empty one included."""
    if not isinstance(value, str):
        raise ValidationError.expected(attribute.name, "a string", value)


def positive_duration(instance: object, attribute: Any, value: Any) -> None:
    """Accept a ``timedelta`` greater than zero."""
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError.expected(
            attribute.name, "a positive duration", value, "e.g. timedelta(hours=24) or '24h'"
        )


def non_negative_duration(instance: object, attribute: Any, value: Any) -> None:
    """Accept a ``timedelta`` of zero or more."""
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValidationError.expected(attribute.name, "a duration >= 0", value)


def aware_datetime(instance: object, attribute: Any, value: Any) -> None:
    """Accept a timezone-aware ``datetime``."""
    require_aware(value, attribute.name)


def is_date(instance: object, attribute: Any, value: Any) -> None:
    """Accept a ``date`` that is not a ``datetime``."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(attribute.name, "a datetime.date", value)


def optional(validator: Validator) -> Validator:
    """Accept ``None`` or whatever ``validator`` accepts."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def unvalidated(cls: type[T]) -> Callable[..., T]:
    """A constructor of the frozen, slotted attrs class ``cls`` that runs no validator.

    The one way propcrm builds a value without checking it: only for a value the
    desk builds itself from fields already validated (a case's event from its
    stored complaint, a decision the engine made), never from what a caller
    passes in. It takes the fields the class's own ``__init__`` takes, by
    keyword, named as the class names its argument; a field left out (or not
    taken, ``init=False``) holds its default as the class makes it, converter
    applied. A field given runs no converter: it is given as the converter
    leaves it (a tuple for a tuple). ``cls`` must have slots and nothing that
    makes or checks its fields as a whole (refused here): no ``__init__`` of
    its own, no pre- or post-init hook (its own or inherited), no default made
    by a factory, no slot the class sets beside its fields (a cached hash), no
    field outside a slot. Tests show that a value built so equals the one
    built by ``cls`` itself.
    """
    fields = _fields_alone(cls)
    # One function written for the class, as attrs writes its __init__: each field
    # a keyword (a missing or unknown one is Python's TypeError), set through its slot.
    namespace: dict[str, Any] = {"_u_new": object.__new__, "_u_cls": cls, "_u_left": _LEFT}
    params: list[str] = []
    sets: list[str] = []
    for i, f in enumerate(fields):
        setter = f"_u_set_{i}"
        namespace[setter] = getattr(cls, f.name).__set__
        if f.default is attrs.NOTHING:
            if f.init:
                params.append(f"{f.alias}")
                sets.append(f"    {setter}(_u_instance, {f.alias})\n")
            continue  # not taken and no default: left unset, as the class leaves it
        namespace[f"_u_default_{i}"] = f.default
        default = f"_u_default_{i}"
        if f.converter is not None:  # the class converts its default on every call
            namespace[f"_u_convert_{i}"] = f.converter
            default = f"_u_convert_{i}(_u_default_{i})"
        if not f.init:
            sets.append(f"    {setter}(_u_instance, {default})\n")
        elif f.converter is None:
            params.append(f"{f.alias}={default}")
            sets.append(f"    {setter}(_u_instance, {f.alias})\n")
        else:
            params.append(f"{f.alias}=_u_left")
            value = f"{default} if {f.alias} is _u_left else {f.alias}"
            sets.append(f"    {setter}(_u_instance, {value})\n")
    source = f"def {cls.__name__}(*, {', '.join(params)}):\n    _u_instance = _u_new(_u_cls)\n"
    exec(source + "".join(sets) + "    return _u_instance\n", namespace)  # names: the class's own
    build: Callable[..., T] = namespace[cls.__name__]
    return build


def revised(cls: type[T]) -> Callable[[T, int], T]:
    """A function copying a value of ``cls`` with another ``version``, checking that alone.

    What ``attrs.evolve(value, version=version)`` gives for a value already
    built (and so checked) by ``cls``, without running ``__init__`` again: the
    stores stamp each record they write with its version. Only for a value
    whose type is exactly ``cls`` and a version the store counts itself; ``cls``
    must be frozen (a mutable value may have been changed since it was
    checked, say one field moved past another's bound), have a ``version``
    field, taken by ``__init__`` as ``version`` and not converted, and meet
    :func:`unvalidated`'s conditions (refused here).
    The version's own validator runs on the copy, as ``__init__`` runs it; a
    field ``__init__`` does not take holds its default, or is left unset, as
    ``evolve``'s call of ``__init__`` leaves it. Tests show that a copy made so
    equals ``attrs.evolve``'s.
    """
    fields = _fields_alone(cls)
    if cls.__setattr__ is not _Frozen.__setattr__:
        raise TypeError(f"{cls.__name__} is mutable: a value may have changed since it was checked")
    version = next((f for f in fields if f.name == "version"), None)
    if version is None:
        raise TypeError(f"{cls.__name__} has no version field")
    if not version.init or version.alias != "version" or version.converter is not None:
        raise TypeError(f"{cls.__name__} takes or converts its version in its own way")
    namespace: dict[str, Any] = {"_u_new": object.__new__, "_u_cls": cls}
    sets = []
    for i, f in enumerate(fields):
        setter = f"_u_set_{i}"
        namespace[setter] = getattr(cls, f.name).__set__
        if f.name == "version":
            value = "_u_version"
        elif f.init:
            value = f"_u_value.{f.name}"
        elif f.default is attrs.NOTHING:
            continue  # not taken and no default: left unset, as __init__ leaves it
        else:  # not taken: its default as __init__ makes it, not the value's
            namespace[f"_u_default_{i}"] = f.default
            value = f"_u_default_{i}"
            if f.converter is not None:
                namespace[f"_u_convert_{i}"] = f.converter
                value = f"_u_convert_{i}(_u_default_{i})"
        sets.append(f"    {setter}(_u_instance, {value})\n")
    if version.validator is not None:  # the new version is checked, as __init__ checks it
        namespace.update(_u_off=attrs.validators.get_disabled, _u_field=version)
        namespace["_u_check"] = version.validator
        sets.append("    if not _u_off():\n        _u_check(_u_instance, _u_field, _u_version)\n")
    source = "def revised(_u_value, _u_version):\n    _u_instance = _u_new(_u_cls)\n"
    exec(source + "".join(sets) + "    return _u_instance\n", namespace)  # names: the class's own
    copy: Callable[[T, int], T] = namespace["revised"]
    return copy


def _fields_alone(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The fields of ``cls``, which must be set one by one, each in its slot.

    Refused if it makes them whole, or keeps one elsewhere (a field of a base
    class without slots lives in the instance's dict).
    """
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    names = {f.name for f in fields}
    slots = {slot for klass in cls.__mro__ for slot in vars(klass).get("__slots__", ())}
    if (
        "__slots__" not in vars(cls)
        or hasattr(cls, "__attrs_post_init__")
        or hasattr(cls, "__attrs_pre_init__")
        or hasattr(cls, "__attrs_init__")  # built with init=False: an __init__ of its own
        or slots - names - {"__weakref__"}
        or any(
            isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
            for f in fields
        )
    ):
        raise TypeError(f"{cls.__name__} makes or checks its fields as a whole")
    if not all(isinstance(getattr(cls, f.name, None), MemberDescriptorType) for f in fields):
        raise TypeError(f"{cls.__name__} keeps a field outside its slots")
    return fields


@attrs.frozen
class _Frozen:
    """What every frozen attrs class shares: its ``__setattr__``, refusing any change."""


#: The default of a field left out, in :func:`unvalidated`'s constructors.
_LEFT = object()
