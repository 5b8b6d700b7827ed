"""A command id names one call: its arguments' digest is kept and compared on a retry."""

import hashlib
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.complaints import Complaint
from propcrm.errors import ConflictError, ValidationError
from propcrm.privacy import PersonalData
from propcrm.records import CommandRecord
from propcrm.roles import Role
from propcrm.services import Actor, CommandRunner, ComplaintDesk, HistoryEntry
from propcrm.services._arguments import arguments_digest, command, given_digest
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file)."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    yield made
    made.close()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the digest ------------------------------------------------------------------------


def test_the_digest_is_the_hash_of_a_sorted_canonical_text() -> None:
    """Keys sorted, a set as a sorted list: the text is written out here by hand."""
    digest = arguments_digest(
        {"departments": frozenset({"工程部", "客服部"}), "complaint_id": "C-1"}
    )
    # 客 (U+5BA2) sorts before 工 (U+5DE5).
    assert digest == _sha('{"complaint_id":"C-1","departments":["$set",["客服部","工程部"]]}')


def test_a_mapping_digests_alike_in_any_order() -> None:
    """{'a': 1, 'b': 2} and {'b': 2, 'a': 1} are one argument."""
    assert arguments_digest({"m": {"a": 1, "b": 2}}) == arguments_digest({"m": {"b": 2, "a": 1}})


def test_personal_data_enters_by_its_masked_form_only() -> None:
    """Two numbers with one mask digest alike; another mask differs; no clear value used."""
    same = [PersonalData("phone", n) for n in ("13812345678", "13899995678")]
    other = PersonalData("phone", "13912345678")
    digests = [arguments_digest({"contact": value}) for value in (*same, other)]
    assert (digests[0] == digests[1], digests[0] == digests[2]) == (True, False)
    assert digests[0] == _sha('{"contact":["$personal","phone","138****5678"]}')


def test_a_datetime_enters_as_its_instant_in_utc() -> None:
    """09:00 in Shanghai is 01:00 UTC: written 2025-03-03T01:00:00+00:00."""
    assert arguments_digest({"at": MON}) == _sha('{"at":["$instant","2025-03-03T01:00:00+00:00"]}')


def test_an_enum_enters_as_its_value() -> None:
    """Role.DESK_STAFF and 'desk_staff' are one argument: written "desk_staff"."""
    assert arguments_digest({"role": Role.DESK_STAFF}) == _sha('{"role":"desk_staff"}')


def test_numbers_enter_by_their_normalised_value() -> None:
    """150, Decimal('150.00') and Decimal('1.5E+2') are all 15e1; 150.5 is 1505e-1."""
    digests = {arguments_digest({"n": n}) for n in (150, Decimal("150.00"), Decimal("1.5E+2"))}
    assert digests == {_sha('{"n":["$number","15e1"]}')}
    assert arguments_digest({"n": Decimal("150.5")}) == _sha('{"n":["$number","1505e-1"]}')


def test_a_number_past_the_int_to_text_limit_still_digests_exactly() -> None:
    """10**5000 (past Python's 4,300-digit limit) is written 1e5000; one more is not alike."""
    assert arguments_digest({"n": 10**5000}) == _sha('{"n":["$number","1e5000"]}')
    assert arguments_digest({"n": 10**5000 + 1}) != arguments_digest({"n": 10**5000})


def test_a_generator_leaves_no_digest_and_is_not_read() -> None:
    """Reading a generator would consume it: no digest, and its items are still there."""
    items = (n for n in range(3))
    assert (arguments_digest({"entries": items}), list(items)) == (None, [0, 1, 2])


def test_a_hostile_nesting_leaves_no_digest() -> None:
    """A list nested 10,000 deep is not walked to the bottom: no digest, no RecursionError."""
    nested: list[Any] = []
    for _ in range(10_000):
        nested = [nested]
    assert arguments_digest({"x": nested}) is None


def test_a_marked_method_hands_its_digest_once() -> None:
    """Inside a marked call the digest is there once; a nested take finds none."""
    seen: list[str | None] = []

    class Desk:
        @command
        def do(self, *, command_id: str, actor: object, value: int) -> None:
            seen.extend([given_digest(), given_digest()])

    Desk().do(command_id="c", actor=None, value=7)
    assert seen == [_sha('{"value":["$number","7e0"]}'), None]
    assert given_digest() is None  # nothing left behind after the call


class _Marked:
    """Methods of each shape :func:`command` meets, recording the digest each call hands on."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    @command
    def by_keyword(self, *, command_id: str, actor: object, n: int, note: str = "x") -> None:
        self.seen.append(given_digest())

    @command
    def by_position(self, n: int, *, command_id: str, actor: object, note: str = "x") -> None:
        self.seen.append(given_digest())


_N7_NOTE_X = _sha('{"n":["$number","7e0"],"note":"x"}')


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.by_keyword(command_id="c", actor=None, n=7),
        lambda m: m.by_keyword(command_id="c", actor=None, n=7, note="x"),
        lambda m: m.by_keyword(note="x", n=7, actor=None, command_id="c"),
        lambda m: m.by_position(7, command_id="c", actor=None),
        lambda m: m.by_position(n=7, command_id="c", actor=None, note="x"),
    ],
    ids=["default-left-out", "default-stated", "any-order", "positional", "positional-by-name"],
)
def test_a_call_digests_its_arguments_whatever_its_shape(call: Any) -> None:
    """n=7 with the default note, however it is passed: one digest, written here by hand."""
    marked = _Marked()
    call(marked)
    assert marked.seen == [_N7_NOTE_X]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.by_keyword(command_id="c", actor=None), "missing 1 required keyword-only"),
        (lambda m: m.by_keyword(command_id="c", actor=None, n=7, nte="y"), "unexpected keyword"),
        (lambda m: m.by_keyword(command_id="c", actor=None, n=7, self=m), "multiple values"),
        (lambda m: m.by_keyword(7, command_id="c", actor=None), "positional argument"),
    ],
    ids=["missing", "misspelt", "self-by-name", "positional"],
)
def test_a_wrong_call_is_pythons_own_type_error(call: Any, message: str) -> None:
    """A call the method cannot take fails as it would unmarked, and hands no digest."""
    marked = _Marked()
    with pytest.raises(TypeError, match=message):
        call(marked)
    assert marked.seen == []
    assert given_digest() is None


# --- the runner ------------------------------------------------------------------------


def _runner(store: Any) -> CommandRunner:
    return CommandRunner(store, clock=FixedClock(MON))


def _run(runner: CommandRunner, arguments: dict[str, object] | None, result: int) -> int:
    return runner.run(
        "test.count", command_id="cmd-1", actor=CLERK, result_type=int,
        work=lambda at: result, arguments=arguments,
    )  # fmt: skip


def test_a_retry_with_the_same_arguments_returns_the_first_result(store: Any) -> None:
    """Same id, person and arguments: the work does not run again."""
    runner = _runner(store)
    assert (_run(runner, {"n": 1}, 10), _run(runner, {"n": 1}, 20)) == (10, 10)


def test_a_retry_with_other_arguments_is_a_conflict(store: Any) -> None:
    """Same id with n=2 after n=1: refused, naming the command."""
    runner = _runner(store)
    _run(runner, {"n": 1}, 10)
    with pytest.raises(ConflictError, match="'test.count' with other arguments"):
        _run(runner, {"n": 2}, 20)


def test_a_record_without_a_digest_is_compared_by_id_and_person(store: Any) -> None:
    """A command stored with no digest (before digests were kept) replays its result."""
    store.commands.add(
        CommandRecord(
            "cmd-1", name="test.count", actor_id=CLERK.id, at=MON, result_type="int",
            result="10",
        )
    )  # fmt: skip
    assert _run(_runner(store), {"n": 2}, 20) == 10


def test_arguments_that_are_not_a_mapping_are_refused(store: Any) -> None:
    """arguments='n=1' names the argument and asks for a mapping."""
    with pytest.raises(ValidationError, match="arguments"):
        _run(_runner(store), "n=1", 10)  # type: ignore[arg-type]


def test_an_import_retried_with_another_batch_is_a_conflict(store: Any) -> None:
    """import_history digests the batch's ids: a second batch under one id is refused."""
    desk = ComplaintDesk(store, clock=FixedClock(MON))

    def batch(first: int) -> list[HistoryEntry]:
        return [
            HistoryEntry(
                Complaint(
                    f"H-{n}",
                    community="东区",
                    category="noise",
                    subject="pump",
                    complainant_ids=["c"],
                    received_at=MON,
                    first_receiver_id="desk-1",
                ),
                customer_id="c",
                summary="hum",
            )
            for n in range(first, first + 2)
        ]

    assert desk.import_history(command_id="imp", actor=CLERK, entries=batch(1)) == 2
    assert desk.import_history(command_id="imp", actor=CLERK, entries=batch(1)) == 2
    with pytest.raises(ConflictError, match="other arguments"):
        desk.import_history(command_id="imp", actor=CLERK, entries=batch(3))
    assert len(store.complaints) == 2
