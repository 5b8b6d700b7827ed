"""Policy files: the one merge rule, the commented dump, the key descriptions, calendars."""

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import Policy, PolicyError, ValidationError
from propcrm._policy_file import Change, changes, inline, merge
from propcrm._policy_keys import KEYS, describe, key_paths, matches
from propcrm._slices import policy_slice
from propcrm.satisfaction import SatisfactionPolicy
from propcrm.sla import SlaPolicy
from propcrm.testing.strategies import role_shares

H = timedelta(hours=1)
SH = ZoneInfo("Asia/Shanghai")


def _changed(text: str) -> list[tuple[str, object, object]]:
    """What a TOML company file changes, as (path, default, company) in file form."""
    found = changes(Policy().to_file_mapping(), Policy.from_toml(text).to_file_mapping())
    return [(c.path, c.default, c.company) for c in found]


# --- one merge rule, per sub-policy ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[calendars.office]\nweek = "mon-sat 09:00-17:00"',
            [
                (
                    "calendars.office.week",
                    "mon-fri 08:30-12:00,13:30-18:00",
                    "mon-sat 09:00-17:00",
                )
            ],
        ),
        (
            "[customers.tiers]\nloyal_min_purchases = 3",
            [("customers.tiers.loyal_min_purchases", 2, 3)],
        ),
        ("[vip]\nvalidity_years = 5", [("vip.validity_years", 3, 5)]),
        ("[satisfaction.targets]\nloyalty = 0.8", [("satisfaction.targets.loyalty", 0.85, 0.8)]),
        (
            '[grading.resolve_within]\nmajor = "96h"',
            [("grading.resolve_within.major", "72h", "96h")],
        ),
        (
            '[callbacks.repair_within]\nleak = "48h"',
            [("callbacks.repair_within.leak", "72h", "48h")],
        ),
        (
            '[sla]\nproperty_types = ["residential", "office"]',
            [
                (
                    "sla.property_types",
                    ["residential", "commercial", "office"],
                    ["residential", "office"],
                )
            ],
        ),
    ],
)
def test_a_one_key_override_changes_that_key_only(
    text: str, expected: list[tuple[str, object, object]]
) -> None:
    """Every top-level table merges by the one rule: the key named changes, nothing else."""
    assert _changed(text) == expected


def test_a_calendar_given_with_only_week_keeps_its_holidays() -> None:
    """The office calendar keeps China's holidays: 1 Oct 2025 stays closed."""
    policy = Policy.from_toml('[calendars.office]\nweek = "mon-sat 09:00-17:00"')
    office = policy.calendar("office", years=[2025])
    assert not office.is_working_day(date(2025, 10, 1))
    assert office.is_working_day(date(2025, 10, 11))  # a Saturday, now a working day


def test_a_list_replaces_the_whole_default_list() -> None:
    """A list is a value: the company's list is the list, defaults are not appended."""
    policy = Policy.from_toml('[vip.benefits]\nconsultation = ["legal_advice"]')
    assert policy.vip.benefits.consultation == ("legal_advice",)


def test_sla_sets_given_replace_every_default_set() -> None:
    """[[sla.sets]] written by a company is the whole list of sets, and its kinds the kinds."""
    text = (
        '[sla]\noverlays = []\n[[sla.sets]]\nname = "all"\nkinds = ["call"]\n'
        '[[sla.sets.targets]]\nname = "answer"\nstart = "received"\nstop = "answered"\n'
        '[sla.sets.targets.allowance]\nkind = "business"\nduration = "5m"\n'
    )
    policy = Policy.from_toml(text)
    assert [s.name for s in policy.sla.sets] == ["all"]
    assert policy.sla.kinds == frozenset({"call"})
    assert policy.sla.sets[0].targets[0].allowance.duration == timedelta(minutes=5)


def test_sla_sets_without_the_default_overlays_targets_say_to_fix_the_overlays() -> None:
    """The default tier-A overlays name dispatch and on_site: sets without them are refused."""
    text = '[sla]\n[[sla.sets]]\nname = "all"\nkinds = ["call"]\n'
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(text)
    assert [p.path for p in info.value.problems] == ["sla.overlays[0].targets.dispatch"]
    assert "(or write overlays = [])" in info.value.problems[0].message


def test_a_merged_value_that_breaks_a_rule_is_reported_at_its_table() -> None:
    """Named shares are merged over the defaults and checked together."""
    with pytest.raises(PolicyError) as info:
        Policy.from_toml("[callbacks.role_shares]\nservice_centre_manager = 0.5\n")
    assert [p.path for p in info.value.problems] == ["callbacks.role_shares"]


def test_merge_replaces_values_and_merges_tables() -> None:
    """Tables merge key by key at any depth; a list or value replaces; new keys are added."""
    base = {"a": {"b": {"c": 1, "d": 2}, "l": [1, 2]}, "x": 1}
    over = {"a": {"b": {"d": 3}, "l": [9], "n": {"m": 1}}}
    assert merge(base, over) == {"a": {"b": {"c": 1, "d": 3}, "l": [9], "n": {"m": 1}}, "x": 1}


def test_a_keyed_table_named_in_replace_is_taken_whole() -> None:
    """replace = ["callbacks.repair_within"] keeps only the kind the file writes."""
    policy = Policy.from_toml(
        'replace = ["callbacks.repair_within"]\n[callbacks.repair_within]\nordinary = "5d"\n'
    )
    assert policy.callbacks.repair_within == {"ordinary": timedelta(days=5)}


def test_a_keyed_table_not_named_in_replace_merges() -> None:
    """Without replace the default kinds stay beside the one the file writes."""
    policy = Policy.from_toml('[callbacks.repair_within]\nordinary = "5d"\n')
    assert sorted(policy.callbacks.repair_within) == ["leak", "ordinary", "safety"]


def test_replace_merges_the_other_tables_as_usual() -> None:
    """Only the table named is taken whole; the dimensions table next to it merges."""
    policy = Policy.from_toml(
        'replace = ["satisfaction.targets"]\n'
        "[satisfaction.targets]\nloyalty = 0.9\n"
        '[satisfaction.dimensions.parking]\ntitle = "停车 parking"\n'
    )
    assert policy.satisfaction.targets == {"loyalty": 0.9}
    assert {"security", "parking"} <= set(policy.satisfaction.dimensions)


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('replace = ["callbacks"]\n[callbacks]\ndaily_capacity = 3', "replace[0]: 'callbacks' is"),
        ('replace = ["callbacks.role_shares"]', "replace[0]: callbacks.role_shares is not written"),
        ('replace = ["satisfaction.dimensions.light"]', "replace[0]: 'satisfaction.dimensions.l"),
        ('replace = "callbacks.repair_within"', "replace: expected a list of table paths"),
    ],
)
def test_replace_names_keyed_tables_the_file_writes(toml: str, problem: str) -> None:
    """A path that is not a keyed table, or a table the file does not write, is refused."""
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(toml)
    assert str(info.value.problems[0]).startswith(problem)


# --- the dump --------------------------------------------------------------------------------


def test_the_default_dump_lists_no_table_in_replace() -> None:
    """The defaults have every default key, so replace is empty (and described)."""
    lines = Policy().to_toml().splitlines()
    assert "replace = []" in lines
    assert lines[lines.index("replace = []") - 1].startswith("# keyed tables given whole")


@pytest.mark.parametrize(
    "change",
    [
        {"callbacks.repair_within": {"ordinary": timedelta(days=7)}},
        {"callbacks.visits_per_year_by_tier": {"A": 12}},
        {"satisfaction.targets": {"nps": 50.0}},
        {"satisfaction.targets": {}},
    ],
)
def test_a_table_with_fewer_keys_than_the_defaults_reloads_from_its_dump(
    change: dict[str, object],
) -> None:
    """The dump names the table in replace, so the left-out default keys stay out."""
    ((path, value),) = change.items()
    part, name = path.split(".")
    default = Policy()
    policy = attrs.evolve(default, **{part: attrs.evolve(getattr(default, part), **{name: value})})
    assert tomllib.loads(policy.to_toml())["replace"] == [path]
    assert Policy.from_toml(policy.to_toml()) == policy
    assert Policy.from_json(policy.to_json()) == policy
    assert Policy.from_mapping(policy.to_mapping()) == policy


def test_fewer_survey_dimensions_reload_from_the_dump() -> None:
    """Three dimensions instead of the default twelve read back as those three."""
    dimensions = {name: SatisfactionPolicy().dimensions[name] for name in ("security", "cleaning")}
    satisfaction = SatisfactionPolicy(dimensions=dimensions, min_answered_dimensions=2)
    policy = Policy(satisfaction=satisfaction)
    assert Policy.from_toml(policy.to_toml()).satisfaction.dimensions == dimensions


def test_the_dump_comments_every_key_with_meaning_unit_chinese_and_source() -> None:
    """The line above a key is its description."""
    lines = Policy().to_toml().splitlines()
    hot = lines.index('hot = "48h"')
    assert lines[hot - 1] == (
        "# resolve a HOT complaint within (duration such as 24h, 7d) · 热点投诉 · Decision"
    )
    assert lines[lines.index("validity_years = 3") - 1] == (
        "# how long a card is valid (calendar years) · 有效期 · 002 §26"
    )


def test_the_dump_states_the_merge_rule() -> None:
    """The header says what a company file overrides and that lists replace whole."""
    text = Policy().to_toml()
    assert "a company file overrides only the keys it names, at any depth" in text
    assert "a list\n# replaces the whole default list" in text


def test_whole_numbers_are_written_without_a_fraction() -> None:
    """Numbers as written: 90.0 is 90, 0.5 is 0.5, a weight of 0.0 is 0."""
    defaults = SatisfactionPolicy().dimensions
    dimensions = {
        **defaults,
        "security": attrs.evolve(defaults["security"], weight=0.5),
        "greening": attrs.evolve(defaults["greening"], weight=0.0),
    }
    policy = Policy(satisfaction=SatisfactionPolicy(dimensions=dimensions))
    lines = policy.to_toml().splitlines()
    assert {"loyal_min_satisfaction = 90", "weight = 0.5", "weight = 0"} <= set(lines)
    assert Policy.from_toml(policy.to_toml()) == policy


def test_the_sla_sets_that_follow_grading_are_comments_only() -> None:
    """Derived values are not data: the dump's [sla] holds the property types and overlays."""
    text = Policy().to_toml()
    sla = tomllib.loads(text)["sla"]
    assert sorted(sla) == ["overlays", "property_types"]
    assert sla["property_types"] == ["residential", "commercial", "office"]
    assert [o["name"] for o in sla["overlays"]] == ["tier_a.dispatch", "tier_a.on_site"]
    assert "# [[sla.sets]]" in text


def test_a_dump_is_edited_in_one_place() -> None:
    """Changing grading.resolve_within.major in a dump moves the SLA target with it."""
    edited = Policy().to_toml().replace('major = "72h"', 'major = "96h"')
    policy = Policy.from_toml(edited)
    resolution = policy.sla.select("complaint", "major").targets[1]
    assert (resolution.name, resolution.allowance.duration) == ("resolution", 96 * H)


def test_sla_sets_written_by_the_company_are_dumped_as_data() -> None:
    """A company's own sets are not derived: they are written out, and reload."""
    policy = Policy.from_toml(
        '[sla]\noverlays = []\n[[sla.sets]]\nname = "all"\nkinds = ["call"]\n'
    )
    assert tomllib.loads(policy.to_toml())["sla"]["sets"] == [
        {"name": "all", "kinds": ["call"], "grades": [], "tiers": [], "targets": []}
    ]
    assert Policy.from_toml(policy.to_toml()) == policy


# --- one place for each key's description -----------------------------------------------------


def test_every_key_of_the_default_policy_is_described() -> None:
    """No key of the default policy lacks meaning, unit, Chinese term and source."""
    missing = [p for p in key_paths(Policy().to_mapping()) if describe(p) is None]
    assert missing == []


def test_no_description_is_stale() -> None:
    """Every entry describes a key the default policy has."""
    paths = list(key_paths(Policy().to_mapping()))
    stale = [e for e in KEYS if not any(matches(e, p) for p in paths)]
    assert stale == []


def test_every_description_has_a_chinese_term_and_a_source() -> None:
    """No entry is half written."""
    assert [e for e, info in KEYS.items() if not (info.meaning and info.zh and info.source)] == []


def test_a_company_name_gets_the_description_of_its_table() -> None:
    """A calendar the company adds is described by the entry for any calendar."""
    assert describe("calendars.night.week") == KEYS["calendars.*.week"]
    assert describe("callbacks.repair_within.lift") == KEYS["callbacks.repair_within.*"]
    assert describe("no.such.key") is None


# --- the diff ----------------------------------------------------------------------------------


def test_changes_walk_lists_of_tables_item_by_item() -> None:
    """A changed item of a list of tables is named by its index; a missing side is None."""
    base = {"s": [{"n": 1}, {"n": 2}], "l": [1]}
    other = {"s": [{"n": 1}, {"n": 3}, {"n": 4}], "l": [2], "t": {"u": 1}}
    assert changes(base, other) == [
        Change("s[1].n", 2, 3),
        Change("s[2].n", None, 4),
        Change("l", [1], [2]),
        Change("t.u", None, 1),
    ]


def test_changes_of_a_table_into_a_value_are_one_change() -> None:
    """A table replaced by a value is reported whole."""
    assert changes({"a": {"b": 1}}, {"a": 2}) == [Change("a", {"b": 1}, 2)]


def test_inline_writes_one_line_of_toml() -> None:
    """Values print as TOML; a missing one as (none)."""
    assert [inline("72h"), inline([1, 2]), inline({"a": 1}), inline(None)] == [
        '"72h"',
        "[1, 2]",
        "{a = 1}",
        "(none)",
    ]


# --- calendars and the root marker -----------------------------------------------------------


def test_policy_calendar_builds_a_named_calendar_in_the_policy_zone() -> None:
    """policy.calendar("desk") runs 08:30-18:30 in the policy's tz."""
    desk = Policy(tz="UTC").calendar("desk")
    moment = datetime(2025, 10, 1, 7, tzinfo=ZoneInfo("UTC"))
    assert desk.next_working_time(moment) == datetime(2025, 10, 1, 8, 30, tzinfo=ZoneInfo("UTC"))


def test_an_unknown_calendar_name_lists_the_known_ones() -> None:
    """A typo is an error naming every calendar the policy has."""
    with pytest.raises(ValidationError) as info:
        Policy().calendar("dsek")
    assert info.value.field == "name"
    assert (
        "no calendar is named 'dsek'; the policy's calendars are: 24x7, contact, desk, office"
        in str(info.value)
    )


def test_the_root_policy_is_recognised_by_policy_slice() -> None:
    """The marker lets an engine take the whole Policy and find its slice."""
    policy = Policy()
    assert policy_slice(policy, SlaPolicy, "sla") is policy.sla


@given(
    st.sets(st.sampled_from(["ordinary", "safety", "leak"]), min_size=1),
    role_shares(),
    st.sets(st.sampled_from(["A", "B", "C", "D"])),
    st.sets(st.sampled_from(sorted(SatisfactionPolicy().targets))),
)
def test_every_subset_of_the_keyed_tables_reloads_from_its_dump(
    kinds: set[str], shares: dict[str, float], tiers: set[str], kpis: set[str]
) -> None:
    """Any repair kinds, owner roles, tiers and KPI targets kept: the dump reads back equal."""
    default = Policy()
    callbacks = attrs.evolve(
        default.callbacks,
        repair_within={k: default.callbacks.repair_within[k] for k in sorted(kinds)},
        role_shares=shares,
        visits_per_year_by_tier={t: default.callbacks.visits_per_year_by_tier[t] for t in tiers},
    )
    targets = {k: default.satisfaction.targets[k] for k in sorted(kpis)}
    satisfaction = attrs.evolve(default.satisfaction, targets=targets)
    policy = attrs.evolve(default, callbacks=callbacks, satisfaction=satisfaction)
    assert Policy.from_toml(policy.to_toml()) == policy


def test_a_policy_file_that_is_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO named like a policy file is refused before it is opened (opening would block)."""
    import os

    fifo = tmp_path / "company.toml"
    os.mkfifo(fifo)
    with pytest.raises(PolicyError, match="cannot read the file: not a regular file"):
        Policy.load(fifo)


def test_a_policy_file_larger_than_a_mebibyte_is_refused(tmp_path: Path) -> None:
    """A huge file is refused after reading at most one byte past the limit."""
    big = tmp_path / "company.toml"
    big.write_text("# " + "x" * (1024 * 1024), encoding="utf-8")
    with pytest.raises(PolicyError, match="larger than 1048576 bytes"):
        Policy.load(big)


def test_a_policy_file_just_under_the_limit_loads(tmp_path: Path) -> None:
    """A comment-padded file of exactly the limit still loads."""
    text = 'tz = "UTC"\n'
    padded = tmp_path / "company.toml"
    padded.write_text(text + "#" * (1024 * 1024 - len(text) - 1) + "\n", encoding="utf-8")
    assert Policy.load(padded).tz == "UTC"
