"""The cheaper import and register: unchecked constructors, the codec's shortcuts, same bytes.

Expected values are worked out by hand from the codec's rules (defaults left out,
``[_name=…]`` for a named fixed offset, instants as microseconds since 1970 UTC),
or are what :func:`json.loads` and the attrs class itself do with the same input.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import sqlite3
from collections import namedtuple
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from attrs import field, frozen

from propcrm import FixedClock
from propcrm._validators import unvalidated
from propcrm.complaints import Complaint, Grade, GradeDecision
from propcrm.errors import StorageError, ValidationError
from propcrm.explain import Reason
from propcrm.records import CaseEvent, CaseEventKind, GradeRecord
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, HistoryEntry
from propcrm.storage import _codec
from propcrm.storage._codec import decode, encode, from_json, make_converter
from propcrm.storage.sqlite import SqliteStore

CST = timezone(timedelta(hours=8), "CST")  # a fixed offset with a name of its own
RECEIVED = datetime(2025, 2, 3, 9, 0, tzinfo=CST)  # 01:00 UTC
RESOLVED = datetime(2025, 2, 4, 5, 0, tzinfo=CST)  # 20 h later, 21:00 UTC on 3 Feb
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])


def _fresh_codec() -> ModuleType:
    """The codec module as a process that has written no datetime yet finds it."""
    spec = importlib.util.spec_from_file_location("_fresh_codec", _codec.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _decision(at: Any) -> GradeDecision:
    return GradeDecision(
        "C-1", Grade.GENERAL, (), at, None, None, Role.DESK_STAFF,
        Role.CUSTOMER_SUPERVISOR, timedelta(hours=24), RESOLVED, False, True, "desk-1",
    )  # fmt: skip


# --- the stored bytes of an import ---------------------------------------------------------------


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute(f"SELECT * FROM {table} ORDER BY id"))


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """A SQLite file holding one complaint of a named fixed offset, imported closed."""
    path = tmp_path / "crm.db"
    store = SqliteStore(path)
    complaint = Complaint(
        "H-1", community="东区", category="noise", subject="pump room",
        complainant_ids=["cust-1"], received_at=RECEIVED, resolved_at=RESOLVED,
    )  # fmt: skip
    desk = ComplaintDesk(store, clock=FixedClock(RECEIVED + timedelta(days=35)))
    entry = HistoryEntry(complaint, customer_id="cust-1", summary="hums")
    desk.import_history(command_id="imp-1", actor=CLERK, entries=[entry])
    store.close()
    return path


def test_an_imported_closed_case_is_stored_as_these_bytes(imported: Path) -> None:
    """Owner the actor (no first receiver), closed, handled when resolved; defaults left out."""
    received_us = 1738544400 * 1_000_000  # 2025-02-03T01:00Z: 20,122 days and 1 h after 1970
    body = (
        '{"id":"H-1","community":"东区","customer_id":"cust-1","summary":"hums",'
        '"received_at":"2025-02-03T09:00:00+08:00[_name=CST]","owner_id":"desk-1",'
        '"state":"closed","handled_at":"2025-02-04T05:00:00+08:00[_name=CST]",'
        '"events":2,"version":1}'
    )
    assert _rows(imported, "complaint_cases") == [
        ("H-1", 1, "东区", "closed", "desk-1", "general", received_us, body)
    ]


def test_an_imported_cases_events_are_stored_as_these_bytes(imported: Path) -> None:
    """Registered when received, with the summary; graded when resolved, with the grade."""
    stamp = '"actor_id":"desk-1","command_id":"imp-1"'
    assert _rows(imported, "case_events") == [
        (
            "H-1:0001", 1, "H-1", "registered", 1738544400 * 1_000_000,
            '{"id":"H-1:0001","complaint_id":"H-1","seq":1,"kind":"registered",'
            f'"at":"2025-02-03T09:00:00+08:00[_name=CST]",{stamp},"note":"hums","version":1}}',
        ),
        (
            "H-1:0002", 1, "H-1", "graded", (1738544400 + 20 * 3600) * 1_000_000,
            '{"id":"H-1:0002","complaint_id":"H-1","seq":2,"kind":"graded",'
            f'"at":"2025-02-04T05:00:00+08:00[_name=CST]",{stamp},"note":"general","version":1}}',
        ),
    ]  # fmt: skip


# --- the codec ---------------------------------------------------------------------------------


def test_a_set_of_roles_is_written_as_its_sorted_values() -> None:
    """Roles by value, in order: desk_staff before technician."""
    roles = frozenset({Role.TECHNICIAN, Role.DESK_STAFF})
    assert make_converter().unstructure(roles, frozenset[Role]) == ["desk_staff", "technician"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a":1,"a":2}', {"a": 2}),  # the last of a repeated key wins
        ("[NaN,-Infinity]", None),  # compared by text below: NaN is not equal to itself
        ("\t[]\r\n", []),
        ('"\\ud800"', "\ud800"),  # an escaped lone surrogate is read as json.loads reads it
        ("1" * 4300, int("1" * 4300)),  # the longest integer text Python converts by default
    ],
)
def test_text_is_read_as_json_loads_reads_it(text: str, value: object) -> None:
    """Repeated keys, NaN and infinities, white space, escapes, long integers."""
    if value is None:
        assert repr(from_json(text)) == "[nan, -inf]"
    else:
        assert from_json(text) == value


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("\ufeff{}", json.JSONDecodeError),  # a byte-order mark: loads asks for utf-8-sig
        ("1" * 4301, ValueError),  # past Python's integer string limit
        ("[" * 100_000 + "]" * 100_000, RecursionError),
        ("{} {}", json.JSONDecodeError),
    ],
)
def test_text_fails_as_json_loads_fails(text: str, error: type[Exception]) -> None:
    """A byte-order mark, a too-long integer, deep nesting, two values: loads' own error."""
    with pytest.raises(error):
        from_json(text)


def test_a_stored_entity_nested_too_deeply_is_a_storage_error() -> None:
    """decode() still turns the scanner's RecursionError into a StorageError."""
    text = '{"rule":"R","message":"m","facts":{"x":' + "[" * 100_000 + "]" * 100_000 + "}}"
    with pytest.raises(StorageError, match="nested too deeply"):
        decode(make_converter(), text, Reason)


def test_text_with_a_lone_surrogate_after_ascii_is_refused() -> None:
    """Only all-ASCII text skips the UTF-8 check: a surrogate at the end is still found."""
    with pytest.raises(ValidationError, match="remove lone surrogate"):
        encode(make_converter(), Reason("R", "all ascii until \udfff"))


@pytest.mark.parametrize("name", ["format_datetime", "epoch_micros"])
def test_a_fresh_codec_refuses_none_for_a_moment(name: str) -> None:
    """None is no datetime: writing or indexing it fails, even as a process's first."""
    function = getattr(_fresh_codec(), name)
    with pytest.raises((TypeError, AttributeError, ValidationError)):
        function(None)


def test_a_fresh_codec_refuses_a_decision_without_its_moment() -> None:
    """A hand-made decision with no moment is refused, never written unreadable."""
    fresh = _fresh_codec()
    record = GradeRecord(
        "C-1:0001", complaint_id="C-1", seq=1, decision=_decision(None),
        policy_fingerprint="fp", command_id="cmd-1",
    )  # fmt: skip
    with pytest.raises((TypeError, AttributeError, ValidationError)):
        fresh.encode(fresh.make_converter(), record)


def test_a_named_tuple_without_annotations_is_refused() -> None:
    """collections.namedtuple has no field types: refused, never written as an empty mapping."""
    point = namedtuple("point", "x y")
    with pytest.raises((KeyError, TypeError, ValidationError)):
        encode(make_converter(), point(1, 2))


def test_a_fact_holding_a_set_of_roles_survives_storage() -> None:
    """A reason's fact {DESK_STAFF, TECHNICIAN} reads back as those two roles."""
    converter = make_converter()
    reason = Reason("R", "m", facts={"roles": frozenset({Role.TECHNICIAN, Role.DESK_STAFF})})
    back = decode(converter, encode(converter, reason), Reason)
    assert back.facts["roles"] == frozenset({Role.DESK_STAFF, Role.TECHNICIAN})


# --- unvalidated(): the refusal rules and the value it builds ------------------------------------


@frozen
class _Checked:
    low: int

    def __attrs_post_init__(self) -> None:
        if self.low < 0:
            raise ValueError("low must be >= 0")


@frozen
class _Inherits(_Checked):
    high: int = 0


def test_unvalidated_refuses_a_class_that_inherits_a_post_init_hook() -> None:
    """The base's hook checks the fields as a whole: the subclass is refused like the base."""
    with pytest.raises(TypeError, match="_Inherits makes or checks its fields as a whole"):
        unvalidated(_Inherits)


@frozen
class _PreChecked:
    low: int

    def __attrs_pre_init__(self, low: int) -> None:
        if low < 0:
            raise ValueError("low must be >= 0")


def test_unvalidated_refuses_a_class_whose_pre_init_checks_its_arguments() -> None:
    """A pre-init hook given the arguments checks them: such a class is refused."""
    with pytest.raises(TypeError, match="_PreChecked makes or checks its fields as a whole"):
        unvalidated(_PreChecked)


@frozen(cache_hash=True)
class _Hashed:
    low: int


def test_unvalidated_value_of_a_cached_hash_class_hashes_as_the_classs() -> None:
    """Refused, or hashed as _Hashed(1) is: never a value that cannot be hashed."""
    try:
        build = unvalidated(_Hashed)
    except TypeError:
        return  # refused: as good as an equal value
    assert hash(build(low=1)) == hash(_Hashed(1))


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@frozen
class _Tagged:
    tags: tuple[str, ...] = field(default="general", converter=_as_tuple)


def test_unvalidated_default_is_the_converted_one() -> None:
    """Refused, or a field left out holds what the class makes of its default: ('general',)."""
    try:
        build = unvalidated(_Tagged)
    except TypeError:
        return  # refused: as good as an equal value
    assert build() == _Tagged() == _Tagged(("general",))


@frozen
class _Counted:
    low: int
    seen: int = field(init=False, default=0)


def test_unvalidated_does_not_take_a_field_the_class_does_not() -> None:
    """Refused, or seen= is an unexpected keyword, as it is for _Counted itself."""
    try:
        build = unvalidated(_Counted)
    except TypeError:
        return  # refused
    with pytest.raises(TypeError, match="unexpected keyword argument 'seen'"):
        build(low=1, seen=99)


def _unchecked_event() -> CaseEvent:
    return unvalidated(CaseEvent)(
        id="C-1:0001", complaint_id="C-1", seq=1, kind=CaseEventKind.REGISTERED,
        at=RECEIVED, actor_id="desk-1", command_id="cmd-1",
    )  # fmt: skip


def test_an_unchecked_event_pickles_to_an_equal_one() -> None:
    """Pickled and read back, the desk's unchecked event equals the original."""
    event = _unchecked_event()
    assert pickle.loads(pickle.dumps(event)) == event


def test_evolving_an_unchecked_event_checks_what_it_changes() -> None:
    """evolve() is the class's own constructor: a note that is not text is refused."""
    with pytest.raises(ValidationError, match="^note: expected a string"):
        attrs.evolve(_unchecked_event(), note=3)
