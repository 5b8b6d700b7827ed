"""The KPI scorecard (关键业绩指标) built from survey and service records.

Public through :mod:`propcrm.satisfaction`; this module is private.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import Enum

from attrs import frozen

from propcrm._checks import as_items, require_instance, require_items
from propcrm._satisfaction_index import SatisfactionIndex, index_of
from propcrm._satisfaction_policy import (
    LOWER_IS_BETTER,
    Kpi,
    SatisfactionPolicy,
)
from propcrm._satisfaction_records import ServiceFigures, SurveyResponse
from propcrm._satisfaction_scores import (
    Attainment,
    Interval,
    NoDataError,
    NpsResult,
    poisson_ci,
    proportion_ci,
)
from propcrm._slices import policy_slice
from propcrm._stats import percent, tally
from propcrm.errors import NotFoundError, ValidationError, shown
from propcrm.explain import Reason

__all__ = [
    "GroupBy",
    "Indicator",
    "KpiGroup",
    "KpiScorecard",
    "KpiStatus",
    "ServiceFigures",
    "SurveyResponse",
]


class KpiStatus(Enum):
    """How an indicator stands against its target."""

    MET = "met"
    MISSED = "missed"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"


class GroupBy(Enum):
    """What a :class:`KpiScorecard` groups by; months read ``2025-03``, quarters ``2025-Q1``."""

    COMMUNITY = "community"
    TIER = "tier"
    MONTH = "month"
    QUARTER = "quarter"


@frozen
class Indicator:
    """One KPI of one group: value, sample size, interval, target and verdict.

    Attributes:
        kpi: Which indicator.
        status: Met, missed, no target or no data.
        value: Rates as fractions, NPS in points, the index on 0-100; ``None`` without data.
        n: The count the value rests on (answers, work orders, households, complaints).
        count: For a rate, the count of its numerator (satisfied answers, work orders
            in time, complaints); ``None`` for NPS and the index, or without data.
        interval: The confidence interval: Wilson for every share (the counts are read
            as a sample of the service process), Poisson score for the complaint rate
            (complaints per household), adjusted-Wald for NPS, normal for the index;
            ``None`` without data (and for an index of one respondent).
        target: The policy's target, or ``None``.
        reason: The sentence a supervisor can show, citing the source.
    """

    kpi: Kpi
    status: KpiStatus
    value: float | None
    n: int
    count: int | None
    interval: Interval | None
    target: float | None
    reason: Reason

    @property
    def passed(self) -> bool | None:
        """``True`` when met, ``False`` when missed, ``None`` without target or data."""
        if self.status is KpiStatus.MET:
            return True
        return False if self.status is KpiStatus.MISSED else None


_RESPONSES = "a list of SurveyResponse"


@frozen
class KpiGroup:
    """The indicators of one group (one community, tier, month or quarter, or all).

    Attributes:
        key: The group's key, one string per :class:`GroupBy` (empty: everything).
        indicators: One :class:`Indicator` per :class:`Kpi`, in that order.
        index: The dimension index behind :attr:`Kpi.SATISFACTION_INDEX`, if any.
        nps: The NPS behind :attr:`Kpi.NPS`, if any.
    """

    key: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    index: SatisfactionIndex | None
    nps: NpsResult | None = None

    def __getitem__(self, kpi: Kpi) -> Indicator:
        """The indicator of ``kpi``.

        Raises:
            ValidationError: ``kpi`` is not a :class:`Kpi`.
            NotFoundError: the group holds no indicator of ``kpi``.
        """
        require_instance(kpi, Kpi, "kpi", "a Kpi", "e.g. Kpi.NPS")
        for indicator in self.indicators:
            if indicator.kpi is kpi:
                return indicator
        raise NotFoundError(f"kpi: group {self.key!r} holds no indicator of {kpi.value}")

    @property
    def missed(self) -> tuple[Indicator, ...]:
        """The indicators that missed their target."""
        return tuple(i for i in self.indicators if i.status is KpiStatus.MISSED)


@frozen
class KpiScorecard:
    """The KPI scorecard (关键业绩指标) of 001 §2.2 against the policy's targets.

    Survey-based indicators come from :class:`SurveyResponse` records, the rest from
    :class:`ServiceFigures`. Verdicts compare the point estimate with the target; the
    interval says how far that estimate can be trusted. The complaint rate is
    complaints per household in the figures, so a quarter of monthly figures gives
    complaints per household-month.

    Attributes:
        by: What the groups are keyed by.
        groups: One group per key present in the records, sorted by key.
    """

    by: tuple[GroupBy, ...]
    groups: tuple[KpiGroup, ...]

    @classmethod
    def build(
        cls,
        responses: Iterable[SurveyResponse],
        figures: Iterable[ServiceFigures] = (),
        *,
        by: GroupBy | Sequence[GroupBy] = (),
        policy: object = None,
    ) -> KpiScorecard:
        """Group the records and score every indicator of every group.

        Args:
            responses: Survey answers.
            figures: Operational counts.
            by: A :class:`GroupBy` or several (e.g. community and quarter); none: one group.
            policy: The root :class:`~propcrm.policy.Policy`, its ``satisfaction`` slice,
                or ``None`` for the defaults: targets, dimensions and confidence level.

        Raises:
            ValidationError: a bad ``by`` or ``policy``, or a response rating a dimension
                the policy does not know or has switched off.
        """
        pol = policy_slice(policy, SatisfactionPolicy, "satisfaction")
        responses = require_items(responses, "responses", SurveyResponse, _RESPONSES)
        figures = require_items(figures, "figures", ServiceFigures, "a list of ServiceFigures")
        keys = (by,) if isinstance(by, GroupBy) else as_items(by, "by", "GroupBy members")
        for g in keys:
            if not isinstance(g, GroupBy):
                raise ValidationError.expected("by", "GroupBy members", g)
        surveyed: dict[tuple[str, ...], list[SurveyResponse]] = {}
        for i, r in enumerate(responses):
            for name in r.ratings:
                pol.check_dimension(f"responses[{i}].ratings", name)
            surveyed.setdefault(_key(keys, r.community, r.tier, r.answered_on), []).append(r)
        counted: dict[tuple[str, ...], list[ServiceFigures]] = {}
        for f in figures:
            counted.setdefault(_key(keys, f.community, f.tier, f.month), []).append(f)
        groups = [
            _group(key, surveyed.get(key, []), counted.get(key, []), pol)
            for key in sorted(surveyed.keys() | counted.keys())
        ]
        return cls(keys, tuple(groups))

    def group(self, *key: str) -> KpiGroup:
        """The group with this key, e.g. ``scorecard.group("Garden Court", "2025-Q1")``.

        Raises:
            NotFoundError: no record fell into that group (the message lists the groups).
        """
        for found in self.groups:
            if found.key == key:
                return found
        known = ", ".join(repr(g.key) for g in self.groups[:20]) or "none"
        raise NotFoundError(f"key: no group {shown(key)}; the groups are {known}")


# --- private helpers ------------------------------------------------------------------------------


_KPI_TEXT: dict[Kpi, tuple[str, str]] = {
    Kpi.OVERALL_SATISFACTION: ("overall satisfaction (总体满意率)", "002 Dongke KPI"),
    Kpi.SATISFACTION_INDEX: ("satisfaction index (满意度指数)", "001 §2.2"),
    Kpi.NPS: ("NPS (客户推荐意愿)", "001 §2.2"),
    Kpi.LOYALTY: ("loyalty (客户忠诚度)", "002 Dongke KPI"),
    Kpi.COMPLAINT_RESOLUTION_SATISFACTION: (
        "complaint-resolution satisfaction (投诉解决满意度)",
        "000 §3.2",
    ),
    Kpi.RESPONSE_TIMELINESS: ("response timeliness (需求响应及时率)", "000 §3.2"),
    # 001 §2.2 names these three KPIs; their default targets are Decisions.
    Kpi.PROBLEM_RESOLUTION_RATE: ("problem-resolution rate (问题解决率)", "001 §2.2; Decision"),
    Kpi.PROBLEM_RESOLUTION_TIMELINESS: (
        "problem-resolution timeliness (及时率)",
        "001 §2.2; Decision",
    ),
    Kpi.COMPLAINT_HANDLING_TIMELINESS: (
        "complaint handling timeliness (投诉处理及时率)",
        "002 Dongke KPI",
    ),
    Kpi.CALLBACK_HANDLING_RATE: ("callback handling rate (回访处理率)", "002 住宅区回访制度 一.4"),
    Kpi.COMPLAINT_RATE: ("complaint rate (投诉率)", "002 住宅区回访制度 一.4"),
    Kpi.REPEAT_COMPLAINT_RATE: ("repeat-complaint rate (重复投诉率)", "001 §2.2; Decision"),
}


def _key(by: tuple[GroupBy, ...], community: str, tier: str, day: date) -> tuple[str, ...]:
    parts: list[str] = []
    for g in by:
        if g is GroupBy.COMMUNITY:
            parts.append(community)
        elif g is GroupBy.TIER:
            parts.append(tier)
        elif g is GroupBy.MONTH:
            parts.append(f"{day.year:04d}-{day.month:02d}")
        else:
            parts.append(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
    return tuple(parts)


def _total(figures: list[ServiceFigures], name: str) -> Attainment:
    return sum((getattr(f, name) for f in figures), Attainment())


def _group(
    key: tuple[str, ...],
    responses: list[SurveyResponse],
    figures: list[ServiceFigures],
    policy: SatisfactionPolicy,
) -> KpiGroup:
    answers = tally([r.recommend for r in responses if r.recommend is not None], "", 0, 10)
    overall = tally([r.overall for r in responses if r.overall is not None], "", 1, 5)
    n_answers = sum(answers)
    try:
        index: SatisfactionIndex | None = index_of([r.ratings for r in responses], policy)
    except NoDataError:
        index = None
    score = NpsResult(sum(answers[9:]), sum(answers[7:9]), sum(answers[:7])) if n_answers else None
    complaints = sum(f.complaints for f in figures)
    counts = {
        Kpi.OVERALL_SATISFACTION: (sum(overall[policy.satisfied_from - 1 :]), sum(overall)),
        Kpi.LOYALTY: (sum(answers[policy.loyal_from :]), n_answers),
        Kpi.COMPLAINT_RATE: (complaints, sum(f.households for f in figures)),
        Kpi.REPEAT_COMPLAINT_RATE: (sum(f.repeat_complaints for f in figures), complaints),
    }
    for kpi, name in (
        (Kpi.COMPLAINT_RESOLUTION_SATISFACTION, "complaint_resolution_satisfaction"),
        (Kpi.RESPONSE_TIMELINESS, "response_timeliness"),
        (Kpi.PROBLEM_RESOLUTION_RATE, "problem_resolution"),
        (Kpi.PROBLEM_RESOLUTION_TIMELINESS, "problem_resolution_timeliness"),
        (Kpi.COMPLAINT_HANDLING_TIMELINESS, "complaint_handling_timeliness"),
        (Kpi.CALLBACK_HANDLING_RATE, "callback_handling"),
    ):
        found = _total(figures, name)
        counts[kpi] = (found.met, found.total)
    indicators = []
    for kpi in Kpi:
        if kpi is Kpi.NPS:
            indicators.append(_nps_indicator(score, policy))
        elif kpi is Kpi.SATISFACTION_INDEX:
            indicators.append(_index_indicator(index, policy))
        else:
            indicators.append(_rate(kpi, *counts[kpi], policy))
    return KpiGroup(key, tuple(indicators), index, score)


def _rate(kpi: Kpi, met: int, total: int, policy: SatisfactionPolicy) -> Indicator:
    if total == 0:
        return _no_data(kpi, policy)
    value = met / total
    if kpi is Kpi.COMPLAINT_RATE:  # complaints per household may exceed 1
        interval = poisson_ci(met, total, policy.confidence)
    else:
        interval = proportion_ci(met, total, policy.confidence, "wilson", None)
    target = policy.targets.get(kpi.value)
    text = percent(value, target, lower_is_better=kpi in LOWER_IS_BETTER)
    shown = f"{text} ({met} of {total}, {interval.level:.0%} CI {interval})"
    return _verdict(kpi, value, total, met, interval, policy, shown, lambda t: f"{t:.1%}")


def _nps_indicator(result: NpsResult | None, policy: SatisfactionPolicy) -> Indicator:
    if result is None:
        return _no_data(Kpi.NPS, policy)
    interval = result.ci(policy.confidence)
    shown = f"{result.score:.1f} (n = {result.n}, {interval.level:.0%} CI {interval})"
    return _verdict(Kpi.NPS, result.score, result.n, None, interval, policy, shown,
                    lambda t: f"{t:.1f}")  # fmt: skip


def _index_indicator(index: SatisfactionIndex | None, policy: SatisfactionPolicy) -> Indicator:
    if index is None:
        return _no_data(Kpi.SATISFACTION_INDEX, policy)
    interval = index.ci(policy.confidence) if index.n > 1 else None
    shown = f"{index.overall:.1f} of 100 (n = {index.n}"
    if interval is not None:
        shown += f", {interval.level:.0%} CI {interval}"
    return _verdict(Kpi.SATISFACTION_INDEX, index.overall, index.n, None, interval, policy,
                    shown + ")", lambda t: f"{t:.1f}")  # fmt: skip


def _verdict(
    kpi: Kpi,
    value: float,
    n: int,
    count: int | None,
    interval: Interval | None,
    policy: SatisfactionPolicy,
    shown: str,
    fmt: Callable[[float], str],
) -> Indicator:
    label, source = _KPI_TEXT[kpi]
    target = policy.targets.get(kpi.value)
    if target is None:
        status, verdict = KpiStatus.NO_TARGET, "no target set"
    elif kpi in LOWER_IS_BETTER:
        met = value < target
        status = KpiStatus.MET if met else KpiStatus.MISSED
        verdict = f"{'meets' if met else 'misses'} the target < {fmt(target)}"
    else:
        met = value >= target - 1e-12  # 0.95 of 20 is 19 even in binary floating point
        status = KpiStatus.MET if met else KpiStatus.MISSED
        verdict = f"{'meets' if met else 'misses'} the target >= {fmt(target)}"
    reason = Reason(
        f"satisfaction.kpi.{kpi.value}",
        f"{label} {shown}: {verdict}",
        {"value": value, "n": n, "target": target},
        source,
    )
    return Indicator(kpi, status, value, n, count, interval, target, reason)


def _no_data(kpi: Kpi, policy: SatisfactionPolicy) -> Indicator:
    label, source = _KPI_TEXT[kpi]
    target = policy.targets.get(kpi.value)
    reason = Reason(f"satisfaction.kpi.{kpi.value}", f"{label}: no data", {"n": 0}, source)
    return Indicator(kpi, KpiStatus.NO_DATA, None, 0, None, None, target, reason)
