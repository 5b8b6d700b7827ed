"""Edge cases of a desk command's fast path: argument digests, version stamps, withholding."""

import hashlib
from enum import StrEnum
from typing import Any, NamedTuple

import attrs
import pytest
from attrs import define, field, frozen

from propcrm._validators import unvalidated
from propcrm.privacy import PersonalData, PersonalKind, WithheldError
from propcrm.services._arguments import command, given_digest
from propcrm.services._commands import withhold_personal
from propcrm.storage._engine import Table, stamper

# --- argument digests ------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_seen: list[str | None] = []


@command
def _close(order_id: str, *, command_id: str, actor: object, note: str = "x") -> None:
    _seen.append(given_digest())


def test_a_marked_function_digests_its_first_argument() -> None:
    """A first parameter other than self is an argument: it is in the digest binding gave."""
    _seen.clear()
    _close("WO-1", command_id="c", actor=None)
    _close("WO-2", command_id="c", actor=None)
    first, second = _sha('{"note":"x","order_id":"WO-1"}'), _sha('{"note":"x","order_id":"WO-2"}')
    assert _seen == [first, second]


# --- version stamps --------------------------------------------------------------------


def _stamped(entity: Any, version: int) -> Any:
    """``entity`` stamped with ``version`` by the stamper of a table of its class."""
    table: Table[Any] = Table("things", type(entity), (), lambda e: ())
    return stamper(table)(entity, version)


@frozen
class _Later:
    id: str
    version: int = 0
    later: int = field(init=False)
    made: tuple[int, ...] = field(init=False, default=[1], converter=tuple)


def test_fields_init_does_not_take_are_stamped_as_init_leaves_them() -> None:
    """One without default is left unset; one with a default holds it converted, (1,)."""
    stamped = _stamped(_Later("a"), 2)
    assert (stamped.version, hasattr(stamped, "later"), stamped.made) == (2, False, (1,))


@frozen
class _TextVersion:
    id: str
    version: str = field(default="0", converter=str)


def test_a_version_converter_converts_the_stamp() -> None:
    """A version field converting to text holds "3" after stamping 3, as evolve gives."""
    assert _stamped(_TextVersion("a"), 3).version == "3"


@frozen
class _Capped:
    id: str
    version: int = field(default=0, validator=attrs.validators.le(5))


def test_a_version_validator_refuses_a_stamp_past_its_bound() -> None:
    """Version 6 is above the class's bound of 5: refused, as evolve refuses it."""
    with pytest.raises(ValueError, match="'version' must be <= 5: 6"):
        _stamped(_Capped("a"), 6)


def _after_start(instance: "_Span", attribute: Any, value: int) -> None:
    if value < instance.start:
        raise ValueError("end before start")


@define
class _Span:
    start: int
    end: int = field(validator=_after_start)
    version: int = 0


def test_a_mutable_record_broken_since_it_was_built_is_refused_when_stamped() -> None:
    """Start moved past end after building (each field checked alone): the write is refused."""
    span = _Span(1, 2)
    span.start = 5  # end's validator is not run on assigning start
    with pytest.raises(ValueError, match="end before start"):
        _stamped(span, 1)


@attrs.define(slots=False)
class _DictBase:
    id: str


@frozen
class _OnDictBase(_DictBase):
    version: int = 0


def test_a_field_kept_in_an_instance_dict_is_stamped() -> None:
    """A class with a field inherited from a dict class: stamped as evolve stamps it."""
    assert _stamped(_OnDictBase("a"), 3) == _OnDictBase("a", 3)


def test_unvalidated_refuses_a_class_keeping_a_field_outside_its_slots() -> None:
    """Its id lives in the instance's dict, not a slot: refused with the reason."""
    with pytest.raises(TypeError, match="_OnDictBase keeps a field outside its slots"):
        unvalidated(_OnDictBase)


@frozen(init=False)
class _Tagged:
    id: str
    version: int = 0
    tag: str = field(init=False, default="")

    def __init__(self, id: str, version: int = 0) -> None:
        self.__attrs_init__(id, version)
        object.__setattr__(self, "tag", f"{id}@{version}")


def test_a_class_with_its_own_init_is_stamped_through_it() -> None:
    """Its __init__ tags the record with its version: the stamped record shows version 3."""
    assert _stamped(_Tagged("a"), 3).tag == "a@3"


# --- withholding personal data ---------------------------------------------------------

_PHONE = PersonalData(PersonalKind.PHONE, "13812345678")


def _is_withheld(value: PersonalData) -> bool:
    try:
        value.reveal()
    except WithheldError:
        return True
    return False


class _Level(StrEnum):
    HIGH = "high"


class _Pair(NamedTuple):
    label: str
    phone: PersonalData


@frozen
class _Inner:
    _phone: PersonalData  # a private name, taken as ``phone``


@frozen
class _Result:
    level: _Level
    count: int
    inner: _Inner
    pairs: tuple[_Pair, ...]
    phones: frozenset[PersonalData]
    by_name: dict[str, PersonalData]


def _result() -> _Result:
    return _Result(
        level=_Level.HIGH,
        count=3,
        inner=_Inner(phone=_PHONE),
        pairs=(_Pair("x", _PHONE),),
        phones=frozenset({_PHONE}),
        by_name={"a": _PHONE},
    )


def test_personal_data_is_withheld_wherever_it_sits() -> None:
    """A private field, a named tuple in a tuple, a frozenset and a dict: all four withheld."""
    result = withhold_personal(_result())
    (in_set,) = result.phones
    held = [result.inner._phone, result.pairs[0].phone, in_set, result.by_name["a"]]
    assert [_is_withheld(p) for p in held] == [True, True, True, True]


def test_withholding_keeps_every_other_field_as_it_was() -> None:
    """The enum member, the count and the named tuple's label come back unchanged."""
    result = withhold_personal(_result())
    assert (result.level, result.count, type(result.pairs[0]), result.pairs[0].label) == (
        _Level.HIGH,
        3,
        _Pair,
        "x",
    )


def test_a_record_of_plain_values_comes_back_as_the_same_object() -> None:
    """Nothing to withhold: no copy is made."""

    @frozen
    class Plain:
        level: _Level
        count: int
        name: str

    plain = Plain(_Level.HIGH, 1, "王")
    assert withhold_personal(plain) is plain


def test_a_second_class_with_the_same_name_is_read_by_its_own_fields() -> None:
    """Field names are cached per class, not per name: the second class's phone is withheld."""

    def made(field_name: str) -> Any:
        return attrs.make_class("Same", {field_name: attrs.field()}, frozen=True)

    first, second = made("note"), made("phone")
    withhold_personal(first("plain"))
    assert _is_withheld(withhold_personal(second(_PHONE)).phone)
