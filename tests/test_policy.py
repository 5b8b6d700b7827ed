"""Policies: loading, dumping and the errors that name the dotted path."""

import json
import tomllib
from datetime import date, time, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import pytest
from attrs import field, frozen
from hypothesis import given

from propcrm import Policy, PolicyError, ValidationError
from propcrm._policy_load import structure as _structure
from propcrm._validators import int_at_least
from propcrm.complaints import Grade, GradeDurations, GradingPolicy
from propcrm.sla import SlaPolicy, TargetSet
from propcrm.testing.strategies import policies


@given(policies())
def test_toml_round_trip_is_identity(policy: Policy) -> None:
    """dump -> load through TOML gives the same policy."""
    assert Policy.from_toml(policy.to_toml()) == policy


@given(policies())
def test_json_round_trip_is_identity(policy: Policy) -> None:
    """dump -> load through JSON gives the same policy."""
    assert Policy.from_json(policy.to_json()) == policy


@given(policies())
def test_mapping_round_trip_is_identity(policy: Policy) -> None:
    """to_mapping -> from_mapping gives the same policy."""
    assert Policy.from_mapping(policy.to_mapping()) == policy


def test_empty_document_is_the_default_policy() -> None:
    """Every setting has a documented default."""
    assert Policy.from_toml("") == Policy()
    assert Policy.from_json("{}") == Policy()


def _problems(excinfo: pytest.ExceptionInfo[PolicyError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_unknown_key_is_an_error_naming_its_path() -> None:
    """A typo is never silently ignored."""
    with pytest.raises(PolicyError) as info:
        Policy.from_toml('tzz = "UTC"')
    keys = ", ".join(sorted(a.name for a in attrs.fields(Policy)))
    assert _problems(info) == [f"tzz: unknown key; the keys here are: {keys}"]


def test_wrong_type_is_an_error_naming_its_path() -> None:
    """A number where a zone name belongs."""
    with pytest.raises(PolicyError) as info:
        Policy.from_json('{"tz": 8}')
    assert _problems(info) == ["tz: expected a string, got 8"]


def test_out_of_range_value_is_an_error_naming_its_path() -> None:
    """An unknown zone is a bad value, reported with its path."""
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping({"tz": "Nowhere/Land"})
    assert _problems(info)[0].startswith("tz: expected an IANA time-zone name")


@pytest.mark.parametrize(
    ("loader", "text", "message"),
    [
        (Policy.from_toml, "tz = ", "malformed TOML"),
        (Policy.from_toml, "[a\nb = 1", "malformed TOML"),
        (Policy.from_json, '{"tz": ', "malformed JSON"),
        (Policy.from_json, "[1, 2]", "expected a table of settings, got list"),
    ],
)
def test_malformed_documents_are_policy_errors(loader, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    """Syntax errors are reported as policy problems, not parser exceptions."""
    with pytest.raises(PolicyError, match=message):
        loader(text)


def test_load_reads_toml_and_json_files(tmp_path: Path) -> None:
    """Files are recognised by suffix."""
    (tmp_path / "p.toml").write_text('tz = "UTC"\n', encoding="utf-8")
    (tmp_path / "p.json").write_text('{"tz": "UTC"}', encoding="utf-8")
    assert Policy.load(tmp_path / "p.toml") == Policy(tz="UTC")
    assert Policy.load(str(tmp_path / "p.json")) == Policy(tz="UTC")


def test_load_names_the_file_in_errors(tmp_path: Path) -> None:
    """A bad file's error says which file."""
    path = tmp_path / "company.toml"
    path.write_text("tz = 1\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"invalid policy in .*company\.toml: 1 problem"):
        Policy.load(path)


def test_load_rejects_unknown_suffix_and_missing_files(tmp_path: Path) -> None:
    """Only .toml and .json; a missing file is a policy error too."""
    with pytest.raises(PolicyError, match="unknown policy format '.yaml'"):
        Policy.load(tmp_path / "p.yaml")
    with pytest.raises(PolicyError, match="cannot read the file"):
        Policy.load(tmp_path / "missing.toml")


def test_dumps_are_documents_the_parsers_read() -> None:
    """The default policy dumps to valid TOML and JSON with the same content."""
    policy = Policy()
    assert tomllib.loads(policy.to_toml()) == policy.to_file_mapping()
    assert json.loads(policy.to_json()) == policy.to_file_mapping()


# --- the converter's strict scalars, on a policy-shaped class of the test's own ----------------


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@frozen
class Inner:
    count: int = field(default=1, validator=int_at_least(1))
    share: float = 0.5
    enabled: bool = True
    within: timedelta = timedelta(hours=48)
    since: date = date(2025, 1, 1)
    opens: time = time(8, 30)
    colour: Colour = Colour.RED
    limits: dict[str, int] = field(factory=dict)
    names: tuple[str, ...] = ()


@frozen
class Outer:
    inner: Inner = field(factory=Inner)


def _errors(data: object) -> list[str]:
    with pytest.raises(PolicyError) as info:
        _structure(data, Outer, None)
    return [str(p) for p in info.value.problems]


def test_strict_scalars_accept_their_own_types() -> None:
    """Well-typed values load, durations and dates from text."""
    data = {
        "inner": {
            "count": 3,
            "share": 1,
            "enabled": False,
            "within": "1h30m",
            "since": "2025-10-01",
            "opens": "09:00",
            "colour": "blue",
            "limits": {"a": 1},
            "names": ["x", "y"],
        }
    }
    loaded = _structure(data, Outer, None)
    assert loaded.inner == Inner(
        3,
        1.0,
        False,
        timedelta(minutes=90),
        date(2025, 10, 1),
        time(9),
        Colour.BLUE,
        {"a": 1},
        ("x", "y"),
    )
    native = {"inner": {"since": date(2025, 2, 1), "opens": time(7), "within": timedelta(1)}}
    assert _structure(native, Outer, None).inner.since == date(2025, 2, 1)


def test_every_bad_value_is_listed_by_path() -> None:
    """All problems at once, each with its dotted path."""
    data = {
        "inner": {
            "count": True,
            "share": "half",
            "enabled": "yes",
            "within": "two days",
            "since": "yesterday",
            "opens": 830,
            "colour": "green",
            "limits": {"a": "1"},
            "names": [1],
        }
    }
    assert _errors(data) == [
        "inner.count: expected an integer, got True",
        "inner.share: expected a number, got 'half'",
        "inner.enabled: expected true or false, got 'yes'",
        "inner.within: expected a duration such as '48h', '1h30m', '15min' or '3d', "
        "got 'two days'; use whole numbers with the units d, h, m (or min), s, ms and us",
        "inner.since: expected a date such as '2025-10-01', got 'yesterday'",
        "inner.opens: expected a time of day such as '08:30', got 830",
        "inner.colour: expected one of 'red', 'blue', got 'green'",
        "inner.limits.a: expected an integer, got '1'",
        "inner.names[0]: expected a string, got 1",
    ]


def test_validator_failures_name_the_path() -> None:
    """An out-of-range value reads like the issue's example."""
    assert _errors({"inner": {"count": -3}}) == ["inner.count: expected an integer >= 1, got -3"]


def test_nested_unknown_key() -> None:
    """Unknown keys deep in the tree name their full path."""
    assert _errors({"inner": {"cuont": 2}})[0].startswith("inner.cuont: unknown key")


def test_a_table_where_a_value_belongs() -> None:
    """Structural mistakes are reported, not raised raw."""
    problems = _errors({"inner": "not a table"})
    assert problems
    assert problems[0].startswith("inner")


# --- complaint resolution allowances: one source of truth ------------------------------------

H = timedelta(hours=1)


def _resolution(policy: Policy, grade: str) -> timedelta:
    """The SLA resolution allowance a complaint of ``grade`` gets."""
    chosen = policy.sla.select("complaint", grade)
    return next(t.allowance.duration for t in chosen.targets if t.name == "resolution")


def _resolution_of(data: dict[str, Any], grade: str) -> dict[str, Any]:
    """The dumped allowance of the SLA resolution target of set ``complaint.<grade>``."""
    chosen = next(s for s in data["sla"]["sets"] if s["name"] == f"complaint.{grade}")
    allowance: dict[str, Any] = next(
        t["allowance"] for t in chosen["targets"] if t["name"] == "resolution"
    )
    return allowance


def test_sla_resolution_allowances_derive_from_grading() -> None:
    """RULES §4: by default the SLA resolution targets allow grading.resolve_within."""
    durations = GradeDurations(general=12 * H, important=36 * H, hot=40 * H, major=60 * H)
    policy = Policy(grading=GradingPolicy(resolve_within=durations))
    assert [_resolution(policy, g.value) for g in Grade] == [12 * H, 36 * H, 40 * H, 60 * H]
    assert SlaPolicy() == Policy().sla


def test_a_grading_only_change_reaches_the_sla() -> None:
    """A file changing only grading.resolve_within.major moves the SLA target too."""
    policy = Policy.from_toml('[grading.resolve_within]\nmajor = "96h"\n')
    assert (policy.grading.resolve_within.major, _resolution(policy, "major")) == (96 * H, 96 * H)
    assert _resolution(policy, "hot") == 48 * H


def test_disagreeing_allowances_are_an_error_naming_both_paths() -> None:
    """Both written, and different: loading fails and says where and how to fix it."""
    data = Policy().to_mapping()
    data["grading"]["resolve_within"]["major"] = "96h"
    with pytest.raises(PolicyError) as caught:
        Policy.from_mapping(data)
    [problem] = caught.value.problems
    assert problem.path == "sla"
    assert (
        "sla.sets[8].targets[1].allowance (complaint.major) allows 72h "
        "but grading.resolve_within.major is 96h; write the same duration in both places"
    ) in problem.message


def test_disagreeing_allowances_are_refused_when_built_in_python() -> None:
    """Policy(...) checks too: an SlaPolicy left at 72 h beside a 96 h grading is refused."""
    grading = GradingPolicy(resolve_within=GradeDurations(major=96 * H))
    with pytest.raises(ValidationError, match=r"grading\.resolve_within\.major is 96h") as caught:
        Policy(grading=grading, sla=SlaPolicy())
    assert caught.value.field == "sla"
    derived = Policy(grading=grading, sla=SlaPolicy.default_for(grading.resolve_within))
    assert Policy(grading=grading) == derived


def test_agreeing_allowances_written_in_both_places_load() -> None:
    """Both written, and equal: the policy loads, the same as deriving the SLA from grading."""
    data = Policy().to_mapping()
    data["grading"]["resolve_within"]["major"] = "96h"
    _resolution_of(data, "major")["duration"] = "4d"
    grading = GradingPolicy(resolve_within=GradeDurations(major=96 * H))
    assert Policy(grading=grading) == Policy.from_mapping(data)


def test_a_resolution_target_of_another_shape_disagrees() -> None:
    """A resolution by close of day cannot match a duration: it is named as such."""
    data = Policy().to_mapping()
    _resolution_of(data, "general").update(kind="close_of_day", duration="0s")
    with pytest.raises(
        PolicyError, match=r"allows close_of_day but grading.resolve_within.general"
    ):
        Policy.from_mapping(data)


def test_sla_sets_without_a_resolution_target_need_not_agree() -> None:
    """Nothing to compare when the SLA has no complaint resolution target."""
    sla = SlaPolicy(sets=(TargetSet("all", kinds=["complaint"]),), overlays=())
    grading = GradingPolicy(resolve_within=GradeDurations(major=96 * H))
    assert sla == Policy(grading=grading, sla=sla).sla


def _complaint_target(data: dict[str, Any], grade: str) -> dict[str, Any]:
    """The dumped SLA resolution target of set ``complaint.<grade>``."""
    chosen = next(s for s in data["sla"]["sets"] if s["name"] == f"complaint.{grade}")
    target: dict[str, Any] = next(t for t in chosen["targets"] if t["name"] == "resolution")
    return target


def _only_problem(data: dict[str, Any]) -> str:
    with pytest.raises(PolicyError) as caught:
        Policy.from_mapping(data)
    [problem] = caught.value.problems
    assert problem.path == "sla"
    return problem.message


def test_a_resolution_target_on_the_desk_calendar_is_refused() -> None:
    """RULES §4: resolution runs on the 24x7 clock; the desk calendar is named with the fix."""
    data = Policy().to_mapping()
    _complaint_target(data, "general")["calendar"] = "desk"
    assert (
        "sla.sets[9].targets[1].calendar (complaint.general) is 'desk'; write calendar = '24x7'"
    ) in _only_problem(data)


def test_a_wall_clock_resolution_allowance_is_refused() -> None:
    """24 h of wall-clock time is 23 real hours across a clock change: refused, fix named."""
    data = Policy().to_mapping()
    _complaint_target(data, "general")["allowance"]["kind"] = "wall"
    assert (
        "sla.sets[9].targets[1].allowance (complaint.general) allows 24h of wall-clock time "
        "but grading.resolve_within.general is 24h; "
        "write allowance = { kind = 'business', duration = '24h' }"
    ) in _only_problem(data)


def test_a_resolution_clock_started_on_answering_is_refused() -> None:
    """grade() counts from receipt, so a resolution clock must start at received."""
    data = Policy().to_mapping()
    _complaint_target(data, "hot")["start"] = "answered"
    assert (
        "sla.sets[7].targets[1].start (complaint.hot) is 'answered'; write start = 'received'"
    ) in _only_problem(data)


def test_a_tier_only_complaint_set_is_checked_for_its_tier() -> None:
    """A tier-A set for GENERAL allowing 12 h is refused though no tier-less item reaches it."""
    data = Policy().to_mapping()
    vip = {
        "name": "complaint.vip",
        "kinds": ["complaint"],
        "grades": ["general"],
        "tiers": ["A"],
        "targets": [
            {
                "name": "resolution",
                "start": "received",
                "stop": "resolved",
                "calendar": "24x7",
                "allowance": {"kind": "business", "duration": "12h"},
            }
        ],
    }
    data["sla"]["sets"].insert(0, vip)
    assert (
        "sla.sets[0].targets[0].allowance (complaint.vip) allows 12h but "
        "grading.resolve_within.general is 24h; write the same duration in both places"
    ) in _only_problem(data)
    vip["targets"][0]["allowance"]["duration"] = "24h"  # type: ignore[index]
    assert Policy.from_mapping(data).sla.sets[0].name == "complaint.vip"


def test_a_set_for_every_grade_must_allow_each_grade_its_duration() -> None:
    """One tier-less set for all four grades, 24 h: IMPORTANT, HOT and MAJOR are each named."""
    data = Policy().to_mapping()
    data["sla"]["sets"] = [s for s in data["sla"]["sets"] if s["name"] != "complaint.general"]
    for s in data["sla"]["sets"]:
        if s["name"].startswith("complaint."):
            s["kinds"] = ["complaint.old"]
    data["sla"]["sets"].append(
        {
            "name": "complaints",
            "kinds": ["complaint"],
            "targets": [
                {
                    "name": "resolution",
                    "start": "received",
                    "stop": "resolved",
                    "calendar": "24x7",
                    "allowance": {"kind": "business", "duration": "24h"},
                }
            ],
        }
    )
    message = _only_problem(data)
    wrong = [
        g for g in ("general", "important", "hot", "major") if f"resolve_within.{g} " in message
    ]
    assert wrong == ["important", "hot", "major"]


def test_the_24x7_calendar_cannot_be_given_holidays() -> None:
    """[calendars.24x7] holidays = CN is refused at its path, saying to keep it always open."""
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml('[calendars."24x7"]\nholidays = "CN"\n')
    [problem] = caught.value.problems
    assert problem.path == "calendars.24x7"
    assert "holidays = 'CN'; keep week = 'mon-sun 00:00-24:00', holidays = 'none'" in (
        problem.message
    )


def test_the_24x7_calendar_may_change_its_zone() -> None:
    """Its zone does not change real hours: [calendars.24x7] tz = UTC loads."""
    policy = Policy.from_toml('[calendars."24x7"]\ntz = "UTC"\n')
    assert policy.calendars["24x7"].tz == "UTC"


# --- lists are lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[grading]\ncategories = "noise"', "grading.categories: expected a list, got 'noise'"),
        (
            '[customers.tiers]\nprecedence = "ADBC"',
            "customers.tiers.precedence: expected a list, got 'ADBC'",
        ),
        (
            '[vip.benefits]\nconsultation = "advice"',
            "vip.benefits.consultation: expected a list, got 'advice'",
        ),
        (
            "[grading.categories]\nnoise = 1",
            "grading.categories: expected a list, got {'noise': 1}",
        ),
    ],
)
def test_a_string_or_table_where_a_list_belongs_is_an_error(text: str, problem: str) -> None:
    """A string is never split into its characters, nor a table taken for a list."""
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(text)
    assert [problem] == _problems(info)


@frozen
class Shapes:
    pair: tuple[int, str] = (1, "a")
    items: list[int] = field(factory=list)


def test_lists_and_tuples_both_load_as_lists() -> None:
    """From Python, a tuple is as good as a list, for every shape of list setting."""
    assert _structure({"inner": {"names": ("x", "y")}}, Outer, None).inner.names == ("x", "y")
    assert _errors({"inner": {"names": b"xy"}}) == ["inner.names: expected a list, got b'xy'"]
    assert Shapes((2, "b"), [3]) == _structure({"pair": (2, "b"), "items": (3,)}, Shapes, None)
    with pytest.raises(PolicyError) as info:
        _structure({"pair": "2b", "items": "3"}, Shapes, None)
    assert _problems(info) == [
        "pair: expected a list, got '2b'",
        "items: expected a list, got '3'",
    ]


# --- every bad value, not only the first in each table ---------------------------------------


def test_two_bad_values_in_one_table_are_both_listed() -> None:
    """A validator failing first does not hide the next one in the same table."""
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping({"grading": {"collective_hot_people": -1, "repeat_complainants": -5}})
    assert _problems(info) == [
        "grading.collective_hot_people: expected an integer >= 2, got -1",
        "grading.repeat_complainants: expected an integer >= 2, got -5",
    ]


def test_three_bad_values_in_one_table_are_all_listed() -> None:
    """Every out-of-range value of a table is reported, in the order written."""
    text = (
        "[grading]\nrepeat_complainants = -5\ncollective_hot_people = -1\n"
        "collective_major_people = 0\n"
    )
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(text)
    assert [p.path for p in info.value.problems] == [
        "grading.repeat_complainants",
        "grading.collective_hot_people",
        "grading.collective_major_people",
    ]


def test_bad_values_in_two_tables_are_listed_in_document_order() -> None:
    """Problems follow the document, not the order of the policy's fields."""
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping(
            {
                "grading": {"collective_hot_people": -1, "repeat_complainants": -5},
                "vip": {"validity_years": 0, "card_prefix": "jk"},
            }
        )
    assert [p.path for p in info.value.problems] == [
        "grading.collective_hot_people",
        "grading.repeat_complainants",
        "vip.validity_years",
        "vip.card_prefix",
    ]


def test_a_wrong_type_does_not_hide_a_bad_value_beside_it() -> None:
    """A value that cannot load and a value out of range are both reported once."""
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping({"grading": {"collective_hot_people": "x", "repeat_complainants": -5}})
    assert _problems(info) == [
        "grading.collective_hot_people: expected an integer, got 'x'",
        "grading.repeat_complainants: expected an integer >= 2, got -5",
    ]


@frozen
class Counts:
    low: int = field(default=1, validator=int_at_least(1))
    high: int = field(default=2, validator=int_at_least(2))

    @high.validator
    def _above_low(self, attribute: Any, value: int) -> None:
        if value <= self.low:
            raise ValidationError.expected("high", f"more than low ({self.low})", value)


@frozen
class Tree:
    counts: Counts = field(factory=Counts)
    named: dict[str, Counts] = field(factory=dict)
    listed: tuple[Counts, ...] = ()
    total: int = field(default=1, validator=int_at_least(1))
    limit: int = field(default=attrs.Factory(lambda self: self.total + 1, takes_self=True))

    @limit.validator
    def _above_total(self, attribute: Any, value: int) -> None:
        if value <= self.total:
            raise ValidationError.expected("limit", f"more than total ({self.total})", value)


def test_bad_values_are_found_through_nested_tables_maps_and_lists() -> None:
    """The second look reaches tables in maps and in lists, with their full paths."""
    data = {
        "counts": {"low": 0, "high": 0, "extra": 1},
        "named": {"a": {"low": -1, "high": 1}, "b": {"low": "x", "high": 5}},
        "listed": [{"low": 3, "high": 3}, {"low": 0}],
        "total": 0,
    }
    with pytest.raises(PolicyError) as info:
        _structure(data, Tree, None)
    assert _problems(info) == [
        "counts.low: expected an integer >= 1, got 0",
        "counts.high: expected an integer >= 2, got 0",
        "counts.extra: unknown key; the keys here are: high, low",
        "named.a.low: expected an integer >= 1, got -1",
        "named.a.high: expected an integer >= 2, got 1",
        "named.b.low: expected an integer, got 'x'",
        "listed[0].high: expected more than low (3), got 3",
        "listed[1].low: expected an integer >= 1, got 0",
        "total: expected an integer >= 1, got 0",
    ]


def test_a_validator_that_needs_a_value_that_did_not_load_is_skipped() -> None:
    """Only the value that failed is reported, not a check that depends on it."""
    with pytest.raises(PolicyError) as info:
        _structure({"total": "x", "limit": 5, "named": {"a": {"low": 0}}}, Tree, None)
    assert _problems(info) == [
        "total: expected an integer, got 'x'",
        "named.a.low: expected an integer >= 1, got 0",
    ]


@frozen
class Needs:
    name: str
    count: int = field(default=1, validator=int_at_least(1))


def test_a_problem_at_a_path_not_written_comes_first_in_its_table() -> None:
    """A missing key is placed where its table starts, before the keys written."""
    with pytest.raises(PolicyError) as info:
        _structure({"inner": {"count": 0, "cuont": 1}}, _NeedsOuter, None)
    assert _problems(info) == [
        "inner.name: a required key is missing",
        "inner.count: expected an integer >= 1, got 0",
        "inner.cuont: unknown key; the keys here are: count, name",
    ]


@frozen
class _NeedsOuter:
    inner: Needs


def test_sub_second_durations_round_trip() -> None:
    """A duration built in code with a fraction of a second dumps and loads unchanged."""
    policy = Policy(grading=GradingPolicy(hot_after=timedelta(days=6, microseconds=500001)))
    assert Policy.from_toml(policy.to_toml()) == policy
    assert Policy.from_json(policy.to_json()) == policy
    assert Policy.from_mapping(policy.to_mapping()) == policy


@pytest.mark.parametrize(
    ("loader", "text"),
    [
        (Policy.from_json, "[" * 100_000 + "]" * 100_000),
        (Policy.from_json, '{"a": ' * 100_000 + "1" + "}" * 100_000),
        (Policy.from_toml, "a = " + "[" * 100_000 + "]" * 100_000),
    ],
)
def test_a_document_nested_too_deeply_is_a_policy_error(loader, text: str) -> None:  # type: ignore[no-untyped-def]
    """Deep nesting is reported as a problem, not raised as a RecursionError."""
    with pytest.raises(PolicyError) as info:
        loader(text)
    assert _problems(info) == ["the document nests too deeply"]


def test_a_mapping_nested_too_deeply_is_a_policy_error() -> None:
    """Data built in code that nests beyond Python's recursion limit is refused, shown short."""
    data: dict[str, object] = {}
    deep = data
    for _ in range(100_000):
        deep["grading"] = {}
        deep = deep["grading"]  # type: ignore[assignment]
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping({"grading": {"categories": data}})
    shortened = "{'grading': {'grading': {'grading': {...}}}}"
    assert _problems(info) == [f"grading.categories: expected a list, got {shortened}"]
