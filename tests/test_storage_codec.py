"""The storage codec: entities to text and back, datetimes with instant and zone intact."""

import json
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Optional
from zoneinfo import ZoneInfo

import pytest
from attrs import define, frozen
from dateutil import tz as dateutil_tz
from hypothesis import given
from hypothesis import strategies as st

from propcrm.callbacks import Subject, SubjectKind
from propcrm.complaints import Complaint, Grade, GradingPolicy
from propcrm.errors import StorageError, ValidationError
from propcrm.explain import Reason
from propcrm.storage._codec import (
    STORED_TYPES,
    decode,
    encode,
    epoch_micros,
    format_datetime,
    from_json,
    make_converter,
    parse_datetime,
)
from propcrm.vip import CardNumber

ZONES = [ZoneInfo(k) for k in ("Asia/Shanghai", "America/New_York", "Europe/Berlin", "UTC")]
FIXED = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3, minutes=-30))]


class Colour(Enum):
    RED = "red"


@frozen
class Everything:
    at: datetime
    day: date
    span: timedelta
    amount: Decimal
    tags: frozenset[str]
    colour: Colour
    note: str | None = None


@frozen
class Spans:
    first: Optional[timedelta]  # noqa: UP045 - the typing.Union spelling is what is tested
    second: timedelta | None


@define
class Entity:
    id: str
    version: int = 0


def _same_moment(expected: datetime, actual: datetime) -> None:
    assert expected == actual
    assert expected.replace(tzinfo=None) == actual.replace(tzinfo=None)
    assert expected.utcoffset() == actual.utcoffset()
    assert getattr(expected.tzinfo, "key", expected.tzinfo) == getattr(
        actual.tzinfo, "key", actual.tzinfo
    )


@given(st.datetimes(timezones=st.sampled_from(ZONES + FIXED)))
def test_datetimes_round_trip_with_instant_wall_time_and_zone(moment: datetime) -> None:
    """Any aware datetime, including DST folds and gaps, comes back the same."""
    _same_moment(moment, parse_datetime(format_datetime(moment)))


def test_the_repeated_hour_keeps_its_side() -> None:
    """The second 01:30 of a DST fall-back day stays the second one."""
    second = datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))
    back = parse_datetime(format_datetime(second))
    assert (1, second.utcoffset()) == (back.fold, back.utcoffset())


def test_a_changed_zone_rule_keeps_the_recorded_instant() -> None:
    """If the offset on file no longer matches the zone, the instant wins."""
    back = parse_datetime("2025-06-01T12:00:00+05:00[Asia/Shanghai]")
    assert datetime(2025, 6, 1, 7, tzinfo=UTC) == back
    assert back.tzinfo.key == "Asia/Shanghai"  # type: ignore[union-attr]


def test_utc_stays_the_utc_singleton() -> None:
    """datetime.UTC is written without a zone name and read back as UTC."""
    assert parse_datetime(format_datetime(datetime(2025, 1, 1, tzinfo=UTC))).tzinfo is UTC


def test_a_named_fixed_offset_keeps_its_name() -> None:
    """timezone(+05:30, "IST") comes back as IST, not as the anonymous UTC+05:30."""
    moment = datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30), "IST"))
    text = format_datetime(moment)
    back = parse_datetime(text)
    assert ("2025-01-01T00:00:00+05:30[_name=IST]", moment) == (text, back)
    assert ("IST", moment.utcoffset()) == (back.tzname(), back.utcoffset())


def test_a_sub_second_zone_offset_is_refused() -> None:
    """An offset with microseconds cannot be read back exactly, so it is not written."""
    moment = datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(microseconds=1), "odd"))
    with pytest.raises(ValidationError, match="a zone offset of whole seconds"):
        format_datetime(moment)


@given(
    offset=st.integers(-23 * 3600, 23 * 3600).map(lambda s: timedelta(seconds=s)),
    name=st.text(),
)
def test_any_fixed_offset_name_round_trips(offset: timedelta, name: str) -> None:
    """Whatever its name (brackets, percent signs, Chinese), a fixed offset keeps it."""
    moment = datetime(2025, 1, 1, 12, tzinfo=timezone(offset, name))
    back = parse_datetime(format_datetime(moment))
    assert (moment, moment.tzname(), moment.utcoffset()) == (
        back,
        back.tzname(),
        back.utcoffset(),
    )


def test_a_zone_name_without_a_utf8_form_is_refused() -> None:
    """A fixed offset named with a lone surrogate cannot be stored."""
    with pytest.raises(ValidationError, match="UTF-8"):
        format_datetime(datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=1), "\ud800")))


def test_naive_datetimes_are_refused() -> None:
    """A naive datetime cannot be stored."""
    with pytest.raises(ValidationError, match="timezone-aware"):
        format_datetime(datetime(2025, 1, 1))


def test_zones_without_an_iana_key_are_refused() -> None:
    """A dateutil zone has no portable name, so it is refused with a fix."""
    with pytest.raises(ValidationError, match="astimezone"):
        format_datetime(datetime(2025, 1, 1, tzinfo=dateutil_tz.gettz("Asia/Shanghai")))


def test_epoch_micros_counts_from_1970_utc() -> None:
    """Query columns hold whole microseconds since the Unix epoch."""
    assert epoch_micros(datetime(1970, 1, 1, 8, 0, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai"))) == 1


def test_the_same_instant_in_another_zone_is_written_with_its_own_zone() -> None:
    """Written right after an equal moment of another zone, a moment keeps its own text."""
    shanghai = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = datetime(2025, 3, 3, 1, tzinfo=UTC)
    texts = [format_datetime(shanghai), format_datetime(utc), format_datetime(shanghai)]
    assert texts == [
        "2025-03-03T09:00:00+08:00[Asia/Shanghai]",
        "2025-03-03T01:00:00+00:00",
        "2025-03-03T09:00:00+08:00[Asia/Shanghai]",
    ]


def test_a_moment_indexed_twice_in_a_row_gives_its_own_instant_each_time() -> None:
    """The instant of a moment indexed again, after another, is its own: 1 µs, then 0."""
    first = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert [epoch_micros(first), epoch_micros(first), epoch_micros(epoch)] == [1, 1, 0]


def test_json_text_is_read_as_json_loads_reads_it() -> None:
    """Stored text, and text with white space around it (edited by hand), read the same."""
    assert [from_json('{"a":[1,"x"]}'), from_json(' {"a": null}\n')] == [
        {"a": [1, "x"]},
        {"a": None},
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [("", "Expecting value"), ('{"a":1} x', "Extra data"), ("[1,]", "Expecting value")],
)
def test_text_that_is_not_one_json_value_fails_as_json_loads_fails(text: str, error: str) -> None:
    """Nothing, more than one value, or a broken value: json's own error."""
    with pytest.raises(json.JSONDecodeError, match=error):
        from_json(text)


def test_every_supported_type_round_trips() -> None:
    """Dates, durations, decimals, sets, enums and None survive encode/decode."""
    converter = make_converter()
    value = Everything(
        at=datetime(2025, 3, 30, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        day=date(2025, 2, 28),
        span=timedelta(days=1, microseconds=7),
        amount=Decimal("12.50"),
        tags=frozenset({"b", "a"}),
        colour=Colour.RED,
    )
    assert value == decode(converter, encode(converter, value), Everything)


def test_sets_of_unorderable_values_are_written_unsorted() -> None:
    """A set whose items cannot be ordered is still written."""
    converter = make_converter()
    assert converter.unstructure({None}, set) == [None]


def test_lone_surrogates_are_refused() -> None:
    """Text that is not valid Unicode cannot be stored and says what to fix."""
    with pytest.raises(ValidationError, match="surrogate"):
        encode(make_converter(), Entity(id="\ud800"))


def test_unreadable_text_is_a_storage_error() -> None:
    """A record edited by hand into nonsense is reported, not crashed on."""
    with pytest.raises(StorageError, match="cannot be read back"):
        decode(make_converter(), '{"version": 1}', Entity)


def test_text_that_is_not_json_is_a_storage_error() -> None:
    """A body cut short is reported with the parser's reason."""
    with pytest.raises(StorageError, match="cannot be read back .*Expecting"):
        decode(make_converter(), '{"id": ', Entity)


def test_reason_facts_of_any_supported_type_round_trip() -> None:
    """Facts typed only as ``object`` come back with their types, nested ones too."""
    converter = make_converter()
    facts = {
        "at": datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        "day": date(2025, 2, 28),
        "span": timedelta(hours=48),
        "amount": Decimal("0.10"),
        "grade": Grade.HOT,
        "people": ("a", "b"),
        "ids": frozenset({"x", "y"}),
        "tags": {"t"},
        "scores": [1, 2.5, None, True],
        "by_key": {("东区", "noise"): 3},
        "nested": Reason("inner", "inner message"),
    }
    reason = Reason("outer", "outer message", facts=facts)
    assert decode(converter, encode(converter, reason), Reason) == reason


def test_facts_of_unknown_types_are_refused() -> None:
    """A fact storage could not restore is refused when written, naming what is allowed."""
    with pytest.raises(ValidationError, match="values that storage can restore"):
        encode(make_converter(), Reason("r", "m", facts={"thing": object()}))


def test_non_finite_numbers_are_refused() -> None:
    """NaN has no JSON spelling, so it is refused with a fix."""
    with pytest.raises(ValidationError, match="finite numbers"):
        encode(make_converter(), Reason("r", "m", facts={"ratio": float("nan")}))


def _reason_with_fact(fact: str) -> str:
    return f'{{"rule": "r", "message": "m", "facts": {{"f": {fact}}}, "source": ""}}'


@pytest.mark.parametrize(
    "facts",
    [
        '{"$type": "os:system", "value": "x"}',
        '{"$type": "propcrm.storage.sqlite:SqliteStore", "value": {}}',
        '{"$type": "propcrm.complaints:Grade.HOT", "value": "hot"}',
        '{"$type": ["propcrm.complaints:Grade"], "value": "hot"}',
        '{"$unknown": 1}',
    ],
)
def test_tampered_facts_are_refused_on_read(facts: str) -> None:
    """A tag outside the registry (module, class or attribute path), or unknown, is refused."""
    with pytest.raises(StorageError, match="cannot be read back"):
        decode(make_converter(), _reason_with_fact(facts), Reason)


def test_a_tag_naming_a_module_imports_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crafted row naming propcrm.__main__ is refused without importing (running) it."""
    monkeypatch.delitem(sys.modules, "propcrm.__main__", raising=False)
    crafted = _reason_with_fact('{"$type": "propcrm.__main__:main", "value": {}}')
    with pytest.raises(StorageError, match="names no type propcrm stores"):
        decode(make_converter(), crafted, Reason)
    assert "propcrm.__main__" not in sys.modules


@pytest.mark.parametrize(
    "cls", [cls for cls in STORED_TYPES if issubclass(cls, Enum)], ids=lambda cls: cls.__name__
)
def test_every_registered_enum_is_tagged_and_comes_back(cls: type[Enum]) -> None:
    """A registered enum fact (str-valued ones too) is tagged "<module>:<class>" and restored."""
    converter = make_converter()
    member = next(iter(cls))
    text = encode(converter, Reason("r", "m", facts={"f": member}))
    tag = {"$type": f"{cls.__module__}:{cls.__qualname__}", "value": member.value}
    assert json.loads(text)["facts"]["f"] == tag
    assert decode(converter, text, Reason).facts["f"] is member


def test_registered_attrs_values_round_trip_as_facts() -> None:
    """Registered attrs values (a subject, a card number) come back as themselves."""
    converter = make_converter()
    facts = {
        "subject": Subject(SubjectKind.WORK_ORDER, "wo-1"),
        "card": CardNumber.parse("JK1001", prefix="JK"),
    }
    reason = Reason("r", "m", facts=facts)
    assert decode(converter, encode(converter, reason), Reason) == reason


def test_a_propcrm_type_outside_the_registry_is_refused_on_write() -> None:
    """Only registered types may be stored as facts; others fail when written, by name."""
    with pytest.raises(ValidationError, match="STORED_TYPES"):
        encode(make_converter(), Reason("r", "m", facts={"policy": GradingPolicy()}))


def test_attributes_at_their_default_are_left_out_and_restored() -> None:
    """Only attributes that differ from their default are written; reading restores the rest."""
    converter = make_converter()
    text = encode(converter, Entity(id="a"))
    assert ('{"id":"a"}', Entity(id="a")) == (text, decode(converter, text, Entity))


def test_a_record_written_with_every_attribute_still_reads_the_same() -> None:
    """Rows stored before defaults were left out (every attribute written) read unchanged."""
    text = (
        '{"id":"C-1","community":"东区","category":"noise","subject":"pump room",'
        '"complainant_ids":["cust-1"],"received_at":"2025-10-09T08:30:00+08:00[Asia/Shanghai]",'
        '"headcount":null,"channel":"phone","first_receiver_id":"","litigation_filed":false,'
        '"media_exposed":false,"litigation_risk":false,"media_risk":false,'
        '"needs_other_departments":false,"second_after_handling":false,"repeat_of_id":null,'
        '"resolved_at":null,"delay_attributable_to_company":true,"version":3}'
    )
    expected = Complaint(
        "C-1",
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=("cust-1",),
        received_at=datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        version=3,
    )
    assert expected == decode(make_converter(), text, Complaint)


def test_optional_attributes_use_the_inner_type_or_null() -> None:
    """``X | None`` and ``Optional[X]`` attributes are written as X would be, or as null."""
    converter = make_converter()
    value = Spans(first=timedelta(hours=2), second=None)
    expected = {"first": 7_200_000_000, "second": None}
    assert expected == converter.unstructure(value)
    assert value == decode(converter, encode(converter, value), Spans)
