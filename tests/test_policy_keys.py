"""The policy-key descriptions are the one place for sources: honest citations, no disagreement."""

import re
from datetime import date

from propcrm import Policy
from propcrm._policy_keys import KEYS, describe, key_paths
from propcrm._satisfaction_scorecard import _KPI_TEXT
from propcrm._vip_policy import FAMILY_SOURCES
from propcrm.customers import TierFacts, classify_tier
from propcrm.satisfaction import Kpi, SatisfactionPolicy
from propcrm.sla import SlaPolicy

# One citation: "Decision" (optionally with its RULES section), or a document 000-004 and an
# article: "§40", "§3.2", "§§6-7", "§19, §35", or a regulation appended to 002 with its
# item: "回访工作制度 二", "回访制度 2(3)", "住宅区回访制度 一.4", "入户维修 4.2.1", "Dongke KPI".
_SECTION = r"§\d+(\.\d+)*|§§\d+-\d+"
_ITEM = r"[一二三四五六七八九十]+(-[一二三四五六七八九十]+)?(\.\d+)*|\d+(\.\d+)*(\(\d\))?|职责"
_CITATION = re.compile(
    rf"Decision( \(RULES §\d+\))?"
    rf"|00[0-4] ({_SECTION})(, {_SECTION})*"
    rf"|002 (Dongke KPI|[\u4e00-\u9fff]+ ({_ITEM}))"
    rf"|(00[0-4] ({_SECTION})|002 [\u4e00-\u9fff]+ ({_ITEM})); lead: Decision \(RULES §\d+\)"
)

#: Articles that are headings only in the seeds (RULES.md, "Citations").
_HEADING_ONLY = re.compile(r"002 §(8|10)\b|003 §10\b|004 §4\b|004 §4\.|004 ch\. ?4")


def _bad(source: str) -> bool:
    parts = [source] if "; lead: " in source else source.split("; ")
    return any(not _CITATION.fullmatch(p) for p in parts) or bool(_HEADING_ONLY.search(source))


def test_the_citation_rule_accepts_articles_and_refuses_headings_and_bare_documents() -> None:
    """The rule itself: an article or Decision passes; a heading, a bare name or RULES fails."""
    good = [
        "002 §40",
        "000 §3.2",
        "002 §§6-7",
        "002 §19, §35",
        "002 回访工作制度 一-四",
        "002 回访制度 2(1)",
        "002 住宅区回访制度 一.4",
        "Decision",
        "Decision (RULES §5)",
        "001 §2.1; 002 §45",
        "001 §3.1; lead: Decision (RULES §5)",
        "002 §7; Decision (RULES §1)",
        "002 Dongke KPI",
        "002 东科物业客户关系管理维护方案 职责",
    ]
    bad = [
        "002 §10",
        "002 §8",
        "003 §10",
        "004 ch. 4",
        "004 §4.2",
        "002 回访工作制度",
        "RULES §5",
        "005 §1",
        "002",
        "decision",
        "000 §3.2;002 §40",
    ]
    assert [s for s in good if _bad(s)] == []
    assert [s for s in bad if not _bad(s)] == []


def test_every_key_source_is_an_article_or_decision() -> None:
    """Every description cites one of the five documents with an article, or Decision."""
    assert {e: i.source for e, i in KEYS.items() if _bad(i.source)} == {}


def test_every_default_sla_target_and_overlay_cites_an_article_or_decision() -> None:
    """The sources an SLA target or overlay carries as data follow the same rule."""
    policy = SlaPolicy()
    sources = {t.source for s in policy.sets for t in s.targets}
    sources |= {o.source for o in policy.overlays}
    assert {s for s in sources if _bad(s)} == set()


def test_the_default_dimensions_cite_what_the_key_descriptions_cite() -> None:
    """SurveyDimension.source of each default dimension agrees with _policy_keys."""
    dimensions = SatisfactionPolicy().dimensions
    disagree = {
        name: (d.source, KEYS[f"satisfaction.dimensions.{name}"].source)
        for name, d in dimensions.items()
        if d.source != KEYS[f"satisfaction.dimensions.{name}"].source
    }
    assert disagree == {}
    assert KEYS["satisfaction.dimensions.greening"].source == "001 §2.1; 002 §45"


def test_every_default_dimension_has_its_own_description() -> None:
    """A default dimension is described by name, not by the entry for a company's own."""
    assert [n for n in SatisfactionPolicy().dimensions if describe(f"satisfaction.dimensions.{n}")
            == KEYS["satisfaction.dimensions.*"]] == []  # fmt: skip


def test_kpi_reasons_cite_what_the_target_descriptions_cite() -> None:
    """A targeted KPI's reason cites its target's source: alone, or after the KPI's article."""
    targeted = SatisfactionPolicy().targets
    disagree = {
        kpi: (_KPI_TEXT[Kpi(kpi)][1], KEYS[f"satisfaction.targets.{kpi}"].source)
        for kpi in targeted
        if _KPI_TEXT[Kpi(kpi)][1].split("; ")[-1] != KEYS[f"satisfaction.targets.{kpi}"].source
    }
    assert disagree == {}


def test_the_decided_kpi_targets_cite_the_kpi_article_and_decision() -> None:
    """001 §2.2 names the KPI; the number is ours: reason and key say so."""
    decided = ("problem_resolution_rate", "problem_resolution_timeliness", "repeat_complaint_rate")
    assert [KEYS[f"satisfaction.targets.{k}"].source for k in decided] == ["Decision"] * 3
    assert [_KPI_TEXT[Kpi(k)][1] for k in decided] == ["001 §2.2; Decision"] * 3


def test_vip_benefit_reasons_cite_what_the_benefit_descriptions_cite() -> None:
    """Each benefit family's reason source agrees with its key description."""
    disagree = {
        f.value: (s, KEYS[f"vip.benefits.{f.value}"].source)
        for f, s in FAMILY_SOURCES.items()
        if s != KEYS[f"vip.benefits.{f.value}"].source
    }
    assert disagree == {}


def test_the_callback_sources_are_the_checked_ones() -> None:
    """Worked out from 002: repair callbacks 回访工作制度 二, rounds 回访制度 2(1)-(3)."""
    expected = {
        "callbacks.repair_within.leak": "002 回访工作制度 二",
        "callbacks.rectification_within": "002 回访工作制度 四",
        "callbacks.role_shares.repair_lead": "002 回访工作制度 一",
        "callbacks.director_visits_per_year": "002 回访制度 2(1)",
        "callbacks.officer_rounds_per_year": "002 回访制度 2(2)",
        "callbacks.visits_per_year_by_tier.A": "Decision",
        "satisfaction.targets.complaint_rate": "002 住宅区回访制度 一.4",
        "calendars.desk.week": "002 物业服务中心管理制度 一.2",
        "grading.supervisor_roles.major": "Decision",
    }
    actual = {path: info.source for path in expected if (info := describe(path)) is not None}
    assert actual == expected


def test_every_key_of_a_company_file_with_its_own_names_is_described() -> None:
    """A company's own calendar, dimension and repair kind are described by the * entries."""
    text = (
        '[calendars.night]\nweek = "mon-sun 18:30-24:00"\n'
        '[satisfaction.dimensions.parking]\ntitle = "停车 parking"\n'
        '[callbacks.repair_within]\nlift = "48h"\n'
    )
    paths = key_paths(Policy.from_toml(text).to_mapping())
    assert [p for p in paths if describe(p) is None] == []


def test_tier_threshold_reasons_cite_what_their_keys_cite() -> None:
    """A tier reason fired by a Decision threshold cites 002 §7 and that Decision."""
    on = date(2025, 6, 1)
    cases = {
        "customers.tiers.difficult_min_arrears_months": TierFacts(months_in_arrears=6),
        "customers.tiers.loyal_min_satisfaction": TierFacts(satisfaction_score=95),
    }
    disagree = {}
    for path, facts in cases.items():
        source = classify_tier(facts, on=on).reasons[0].source
        key = KEYS[path].source
        if source.split("; ") != ["002 §7", f"{key} (RULES §1)"]:
            disagree[path] = (source, key)
    assert disagree == {}
