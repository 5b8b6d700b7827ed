"""Satisfaction (满意度) and NPS: honest scores, each with its sample size and interval.

The survey and its indicators come from 001 §2; the targets from the Dongke
KPI table in 002 and from 000 §3.2 (see ``RULES.md`` §7):

* :func:`nps` — the Net Promoter Score (客户推荐意愿, 0-10 answers; promoters
  9-10, passives 7-8, detractors 0-6) with an adjusted-Wald interval;
* :func:`csat` — top-2-box satisfaction on a 1-5 scale with a Wilson or
  Agresti-Coull interval;
* :class:`SatisfactionIndex` — per-dimension scores on 0-100 for the seven
  dimensions of 001 §2.1 and a weighted overall index;
* :func:`compare_nps` and :func:`compare_nps_paired` — is a change between two
  survey waves more than noise?
* :class:`KpiScorecard` — the indicators of 001 §2.2 against their targets,
  grouped by community, tier, month or quarter.

An interval is a statement about the method, not about one survey: of many
surveys drawn the same way, about ``level`` of their intervals cover the true
value. Only the standard library is used (:class:`statistics.NormalDist` for
normal quantiles).

>>> result = nps([10, 9, 8, 7, 6, 3])
>>> result.score, result.n
(0.0, 6)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from itertools import chain
from typing import Any, Literal

from attrs import field, frozen

from propcrm._stats import (
    bad_answer,
    band,
    fpc,
    is_count,
    proportion_bounds,
    tally,
    valid_answer,
    z_quantile,
)
from propcrm._validators import int_at_least, int_between, is_date, non_empty_str, number_between
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "Attainment",
    "CsatResult",
    "Dimension",
    "DimensionScore",
    "GroupBy",
    "Indicator",
    "Interval",
    "Kpi",
    "KpiGroup",
    "KpiScorecard",
    "KpiStatus",
    "NoDataError",
    "NpsComparison",
    "NpsResult",
    "SatisfactionIndex",
    "SatisfactionPolicy",
    "ServiceFigures",
    "SurveyResponse",
    "compare_nps",
    "compare_nps_paired",
    "csat",
    "nps",
]

NpsMethod = Literal["adjusted-wald", "wald"]
ProportionMethod = Literal["wilson", "agresti-coull"]


class NoDataError(ValidationError):
    """There is nothing to score: no answers, or too few for the figure asked for.

    A survey without answers has no NPS, no satisfaction rate and no index; propcrm
    says so instead of dividing by zero or returning NaN. A :class:`KpiScorecard`
    reports such an indicator as :attr:`KpiStatus.NO_DATA`.
    """


class Dimension(Enum):
    """The seven survey dimensions of 001 §2.1 (the keys of the policy's weights)."""

    SECURITY = "security"  #: 安保
    CLEANING = "cleaning"  #: 清洁
    GREENING = "greening"  #: 绿化
    ENGINEERING = "engineering"  #: 工程维修 (engineering and repair)
    SERVICE_CENTRE = "service_centre"  #: 客户服务中心 (customer-service centre)
    COMMUNITY_CULTURE = "community_culture"  #: 社区文化
    VALUE_ADDED = "value_added"  #: 增值服务 (value-added services)

    # Members are singletons compared by identity, so the C-level identity hash is
    # consistent with equality and spares Enum's Python-level __hash__ in hot loops.
    __hash__ = object.__hash__


class Kpi(Enum):
    """The indicators of 001 §2.2 as a :class:`KpiScorecard` reports them."""

    OVERALL_SATISFACTION = "overall_satisfaction"  #: 总体满意率, top-2-box of the overall question
    SATISFACTION_INDEX = "satisfaction_index"  #: weighted dimension index, 0-100
    NPS = "nps"  #: Net Promoter Score in points
    LOYALTY = "loyalty"  #: 客户忠诚度, share answering at least ``loyal_from``
    COMPLAINT_RESOLUTION_SATISFACTION = "complaint_resolution_satisfaction"  #: 投诉解决满意度
    RESPONSE_TIMELINESS = "response_timeliness"  #: 需求响应及时率
    COMPLAINT_HANDLING_TIMELINESS = "complaint_handling_timeliness"  #: 投诉处理及时率
    COMPLAINT_RATE = "complaint_rate"  #: 投诉率, complaints per household served
    REPEAT_COMPLAINT_RATE = "repeat_complaint_rate"  #: 重复投诉率, repeats per complaint


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


_EQUAL_WEIGHT = 1 / len(Dimension)
_RATE_KPIS = frozenset(Kpi) - {Kpi.NPS, Kpi.SATISFACTION_INDEX}
_LOWER_IS_BETTER = frozenset({Kpi.COMPLAINT_RATE, Kpi.REPEAT_COMPLAINT_RATE})
_WEIGHT_TOLERANCE = 1e-6  # seven equal weights may be written 0.142857 and still load


def _default_weights() -> dict[str, float]:
    return {d.value: _EQUAL_WEIGHT for d in Dimension}


def _default_targets() -> dict[str, float]:
    return {
        Kpi.OVERALL_SATISFACTION.value: 0.85,
        Kpi.LOYALTY.value: 0.85,
        Kpi.COMPLAINT_RESOLUTION_SATISFACTION.value: 0.90,
        Kpi.RESPONSE_TIMELINESS.value: 0.95,
        Kpi.COMPLAINT_HANDLING_TIMELINESS.value: 1.0,
        Kpi.COMPLAINT_RATE.value: 0.01,
    }


def _check_weights(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError.expected(attribute.name, "a table of dimension weights", value)
    known = {d.value for d in Dimension}
    for key, weight in value.items():
        if key not in known:
            raise ValidationError.expected(
                attribute.name, f"dimension names from {', '.join(sorted(known))}", key
            )
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValidationError.expected(f"{attribute.name}.{key}", "a number", weight)
        if not 0 <= weight <= 1:
            raise ValidationError.expected(
                f"{attribute.name}.{key}", "a weight from 0 to 1", weight
            )
    total = math.fsum(value.values())
    if abs(total - 1) > _WEIGHT_TOLERANCE:
        raise ValidationError.expected(
            attribute.name,
            "weights that sum to 1",
            value,
            f"they sum to {total:.6g}; a dimension left out has weight 0",
        )


def _check_min_answered(instance: Any, attribute: Any, value: Any) -> None:
    int_between(1, len(Dimension))(instance, attribute, value)
    weighted = sum(1 for w in instance.weights.values() if w > 0)
    if value > weighted:
        raise ValidationError.expected(
            attribute.name,
            f"at most {weighted} (the number of dimensions with a weight above 0)",
            value,
        )


def _check_targets(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError.expected(attribute.name, "a table of KPI targets", value)
    for key, target in value.items():
        try:
            kpi = Kpi(key)
        except ValueError:
            known = ", ".join(k.value for k in Kpi)
            raise ValidationError.expected(attribute.name, f"KPI names from {known}", key) from None
        low, high = (-100.0, 100.0) if kpi is Kpi.NPS else (0.0, 100.0)
        if kpi in _RATE_KPIS:
            low, high = 0.0, 1.0
        ok = isinstance(target, int | float) and not isinstance(target, bool)
        if not ok or not low <= target <= high:
            raise ValidationError.expected(
                f"{attribute.name}.{key}",
                f"a target from {low:g} to {high:g}",
                target,
                "rates are fractions: write 0.85 for 85 %" if kpi in _RATE_KPIS else None,
            )


@frozen
class SatisfactionPolicy:
    """The satisfaction sub-policy (``[satisfaction]`` in a policy file).

    Attributes:
        confidence: Confidence level of every interval a scorecard reports.
        weights: Weight of each :class:`Dimension` (by value) in the overall index; they
            sum to 1, and a dimension left out has weight 0. Decision: the seeds give no
            weights, so the default weighs the seven dimensions of 001 §2.1 equally.
        min_answered_dimensions: A respondent enters the overall index only after rating
            at least this many weighted dimensions (decision: 4, a majority of seven).
        satisfied_from: The lowest 1-5 rating that counts as satisfied (4: top-2-box).
        loyal_from: The lowest 0-10 recommendation answer that counts as loyal (decision:
            7, everyone who is not a detractor).
        targets: Target per :class:`Kpi` (by value); rates as fractions. A KPI without a
            target is reported with :attr:`KpiStatus.NO_TARGET`. Lower is better for the
            complaint and repeat-complaint rates (the rate must stay below the target),
            higher for every other KPI (at least the target).
    """

    confidence: float = field(default=0.95, validator=number_between(0.5, 0.9999))
    weights: dict[str, float] = field(factory=_default_weights, validator=_check_weights)
    min_answered_dimensions: int = field(default=4, validator=_check_min_answered)
    satisfied_from: int = field(default=4, validator=int_between(2, 5))
    loyal_from: int = field(default=7, validator=int_between(1, 10))
    targets: dict[str, float] = field(factory=_default_targets, validator=_check_targets)

    def weight(self, dimension: Dimension) -> float:
        """The weight of ``dimension`` in the overall index (0 when not listed)."""
        return float(self.weights.get(dimension.value, 0.0))


# --- intervals and single-sample scores -----------------------------------------------------


@frozen
class Interval:
    """A two-sided confidence interval.

    Attributes:
        low: Lower bound.
        high: Upper bound.
        level: Confidence level, e.g. 0.95.
        method: How it was computed, e.g. ``"adjusted-wald"`` or ``"wilson"``.
    """

    low: float
    high: float
    level: float
    method: str

    @property
    def width(self) -> float:
        """``high - low``."""
        return self.high - self.low

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"[{self.low:.4g}, {self.high:.4g}] ({self.level:.0%} {self.method})"


@frozen
class NpsResult:
    """A Net Promoter Score: the counts behind it, the score and its interval.

    Attributes:
        promoters: Answers of 9 or 10 (推荐者).
        passives: Answers of 7 or 8 (被动者).
        detractors: Answers of 0 to 6 (贬损者).
    """

    promoters: int = field(validator=int_at_least(0))
    passives: int = field(validator=int_at_least(0))
    detractors: int = field(validator=int_at_least(0))

    def __attrs_post_init__(self) -> None:
        if self.n == 0:
            raise NoDataError("scores", "no answers: an NPS needs at least one 0-10 answer")

    @property
    def n(self) -> int:
        """The number of answers."""
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float:
        """The NPS in points, from -100 (all detractors) to 100 (all promoters)."""
        return 100 * (self.promoters - self.detractors) / self.n

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the score is what it is: the bands and their counts."""
        return (
            Reason(
                "satisfaction.nps",
                f"{self.promoters} promoters (9-10) minus {self.detractors} detractors (0-6) "
                f"of {self.n} answers: NPS {self.score:.1f}",
                {"promoters": self.promoters, "passives": self.passives,
                 "detractors": self.detractors, "n": self.n},
                "001 §2.2",
            ),
        )  # fmt: skip

    def ci(
        self,
        level: float = 0.95,
        method: NpsMethod = "adjusted-wald",
        *,
        population: int | None = None,
    ) -> Interval:
        """The confidence interval of the NPS, in points, clipped to [-100, 100].

        ``"adjusted-wald"`` (Rocks 2016) adds three pseudo-answers — 0.75 promoter,
        0.75 detractor, 1.5 passive — and centres on the adjusted score; it keeps its
        coverage for small samples and extreme scores. ``"wald"`` is the plain normal
        interval around the raw score; it collapses to a point when every answer is in
        one band. Both use the variance ``p + d - (p - d)^2`` of one answer's +1/0/-1
        contribution.

        Args:
            level: Confidence level, strictly between 0 and 1.
            method: ``"adjusted-wald"`` (default) or ``"wald"``.
            population: Households surveyed from (finite-population correction); a
                census (``population == n``) gives the score itself.

        Raises:
            ValidationError: a bad level, method or population.
        """
        z = z_quantile(level)
        correction = fpc(population, self.n)
        if method == "adjusted-wald":
            n = self.n + 3
            p, d = (self.promoters + 0.75) / n, (self.detractors + 0.75) / n
        elif method == "wald":
            n = self.n
            p, d = self.promoters / n, self.detractors / n
        else:
            raise ValidationError.expected("method", "'adjusted-wald' or 'wald'", method)
        if correction == 0:
            return Interval(self.score, self.score, level, method)
        centre = p - d
        half = z * math.sqrt(max(p + d - centre**2, 0.0) / n) * correction
        return Interval(
            max(-100.0, 100 * (centre - half)), min(100.0, 100 * (centre + half)), level, method
        )


@frozen
class CsatResult:
    """Customer satisfaction (CSAT) on a 1-5 scale, scored top-2-box.

    Attributes:
        counts: How many answers gave each rating, for the ratings 1 to 5.
        satisfied_from: The lowest rating that counts as satisfied (4: "top-2-box").
    """

    counts: tuple[int, int, int, int, int]
    satisfied_from: int = field(default=4, validator=int_between(2, 5))

    def __attrs_post_init__(self) -> None:
        if len(self.counts) != 5 or not all(is_count(c) for c in self.counts):
            raise ValidationError.expected("counts", "five counts >= 0", self.counts)
        if self.n == 0:
            raise NoDataError("ratings", "no answers: a CSAT needs at least one 1-5 rating")

    @property
    def n(self) -> int:
        """The number of ratings."""
        return sum(self.counts)

    @property
    def satisfied(self) -> int:
        """Ratings of ``satisfied_from`` or more."""
        return sum(self.counts[self.satisfied_from - 1 :])

    @property
    def rate(self) -> float:
        """The satisfied share, from 0 to 1."""
        return self.satisfied / self.n

    @property
    def mean(self) -> float:
        """The mean rating, from 1 to 5."""
        return sum(r * c for r, c in enumerate(self.counts, start=1)) / self.n

    def ci(
        self,
        level: float = 0.95,
        method: ProportionMethod = "wilson",
        *,
        population: int | None = None,
    ) -> Interval:
        """The confidence interval of :attr:`rate` (0 to 1).

        Args:
            level: Confidence level, strictly between 0 and 1.
            method: ``"wilson"`` (default) or ``"agresti-coull"``.
            population: Households surveyed from (finite-population correction).

        Raises:
            ValidationError: a bad level, method or population.
        """
        return _proportion_ci(self.satisfied, self.n, level, method, population)


def nps(scores: Iterable[int]) -> NpsResult:
    """Score 0-10 recommendation answers (客户推荐意愿) as a Net Promoter Score.

    Validation is done in bulk (the common case costs a few passes in C) and only
    an invalid input is walked to find the first bad position. ``bytes`` and
    ``bytearray`` are accepted as compact answer vectors.

    Args:
        scores: The answers; integers from 0 to 10.

    Returns:
        The counts; :attr:`NpsResult.score` and :meth:`NpsResult.ci` follow from them.

    Raises:
        ValidationError: an answer that is not an integer from 0 to 10 (``bool`` and NaN
            included), named by its position, e.g. ``scores[3]``.
        NoDataError: no answers at all.

    >>> r = nps([10, 10, 9, 8, 6])
    >>> (r.promoters, r.passives, r.detractors, r.score)
    (3, 1, 1, 40.0)
    >>> nps([10, 11])
    Traceback (most recent call last):
    ...
    propcrm.errors.ValidationError: scores[1]: expected an integer answer from 0 to 10, got 11
    """
    counts = tally(scores, "scores", 0, 10)
    return NpsResult(sum(counts[9:]), sum(counts[7:9]), sum(counts[:7]))


def csat(ratings: Iterable[int], *, satisfied_from: int = 4) -> CsatResult:
    """Score 1-5 satisfaction ratings top-2-box (4 and 5 are satisfied).

    Args:
        ratings: The ratings; integers from 1 (very dissatisfied) to 5 (very satisfied).
        satisfied_from: The lowest rating that counts as satisfied.

    Raises:
        ValidationError: a rating that is not an integer from 1 to 5, named by position.
        NoDataError: no ratings at all.

    >>> r = csat([5, 4, 4, 3, 1])
    >>> r.satisfied, r.rate
    (3, 0.6)
    """
    c1, c2, c3, c4, c5 = tally(ratings, "ratings", 1, 5)
    return CsatResult((c1, c2, c3, c4, c5), satisfied_from)


# --- the weighted dimension index -------------------------------------------------------------


@frozen
class DimensionScore:
    """One dimension's score: the mean rating mapped from 1-5 onto 0-100.

    Attributes:
        dimension: The dimension.
        score: Mean of ``(rating - 1) * 25`` over the respondents who rated it.
        n: How many respondents rated it.
        satisfied: How many of them rated it at ``satisfied_from`` or above.
    """

    dimension: Dimension
    score: float
    n: int
    satisfied: int


@frozen
class SatisfactionIndex:
    """Per-dimension scores (0-100) and the weighted overall satisfaction index.

    A rating ``r`` on 1-5 scores ``(r - 1) * 25``: 1 is 0, 3 is 50, 5 is 100. Each
    respondent's index is the weighted mean of the dimensions they rated, the
    policy's weights re-normalised over those dimensions (a skipped dimension neither
    counts as 0 nor as average: it is left out of that respondent's index). A
    respondent who rated fewer than ``min_answered_dimensions`` weighted dimensions
    is left out of the overall index (counted in :attr:`excluded`) but still counts
    in the dimensions they rated. The overall index is the mean of the respondents'
    indices, and its standard error comes from their spread.

    Attributes:
        dimensions: The dimensions anyone rated, in :class:`Dimension` order.
        overall: The overall index, 0-100.
        n: Respondents in the overall index.
        excluded: Respondents left out for rating too few dimensions.
        sd: Sample standard deviation of the respondents' indices (0 when ``n == 1``).
    """

    dimensions: tuple[DimensionScore, ...]
    overall: float
    n: int
    excluded: int
    sd: float

    @classmethod
    def compute(
        cls,
        responses: Iterable[Mapping[Dimension | str, int | None]],
        *,
        policy: SatisfactionPolicy | None = None,
    ) -> SatisfactionIndex:
        """Score each respondent's ratings, ``{dimension: 1-5 rating}``.

        A dimension may be given as a :class:`Dimension` or its value; a missing key
        or ``None`` means skipped.

        Raises:
            ValidationError: a bad rating or dimension, named by position, e.g.
                ``responses[2].cleaning``.
            NoDataError: no respondent rated enough dimensions.

        >>> idx = SatisfactionIndex.compute([
        ...     {"security": 5, "cleaning": 4, "greening": 4, "engineering": 3},
        ...     {"security": 4, "cleaning": 4, "greening": 3, "engineering": 2},
        ... ])
        >>> idx.overall, idx.n
        (65.625, 2)
        """
        rows = [_ratings(row, f"responses[{i}]") for i, row in enumerate(responses)]
        return _index(rows, policy or SatisfactionPolicy())

    @property
    def se(self) -> float:
        """Standard error of :attr:`overall`: ``sd / sqrt(n)``."""
        return self.sd / math.sqrt(self.n)

    def score(self, dimension: Dimension) -> DimensionScore:
        """The score of one dimension.

        Raises:
            NoDataError: nobody rated it.
        """
        for found in self.dimensions:
            if found.dimension is dimension:
                return found
        raise NoDataError("dimension", f"nobody rated {dimension.value}", dimension)

    def ci(self, level: float = 0.95, *, population: int | None = None) -> Interval:
        """Normal interval of the overall index, clipped to [0, 100].

        Raises:
            NoDataError: fewer than two respondents (no spread to estimate).
        """
        z = z_quantile(level)
        correction = fpc(population, self.n)
        if self.n < 2:
            raise NoDataError("n", "an interval of the index needs at least 2 respondents", self.n)
        half = z * self.se * correction
        return Interval(
            max(0.0, self.overall - half), min(100.0, self.overall + half), level, "normal"
        )


# --- comparing two waves ----------------------------------------------------------------------


@frozen
class NpsComparison:
    """Did the NPS change between two survey waves?

    Attributes:
        before: NPS of the first wave, in points.
        after: NPS of the second wave, in points.
        n_before: Answers in the first wave (paired: households in both waves).
        n_after: Answers in the second wave.
        difference: ``after - before``, in points.
        se: Standard error of the difference, in points.
        z: The test statistic.
        p_value: Two-sided p-value of "no change".
        interval: Confidence interval of the difference, in points.
        method: ``"independent"`` or ``"paired"``.
        reasons: What was compared and what it means.
    """

    before: float
    after: float
    n_before: int
    n_after: int
    difference: float
    se: float
    z: float
    p_value: float
    interval: Interval
    method: str
    reasons: tuple[Reason, ...]

    @property
    def significant(self) -> bool:
        """Whether the change is significant at the interval's level."""
        return self.p_value < 1 - self.interval.level


def compare_nps(
    before: NpsResult | Iterable[int],
    after: NpsResult | Iterable[int],
    *,
    level: float = 0.95,
    population: int | None = None,
) -> NpsComparison:
    """Two-sample z test of an NPS change between independent samples.

    Each wave's variance is the adjusted-Wald one (0.75 promoter, 0.75 detractor
    and 1.5 passive pseudo-answers added), so the test behaves for small samples
    and extreme scores; the interval is centred on the adjusted difference.

    Args:
        before: The first wave (answers or an :class:`NpsResult`).
        after: The second wave.
        level: Confidence level; the change is significant when ``p < 1 - level``.
        population: Households in the community both waves sample from: each wave's
            variance gets the finite-population correction ``(N - n) / (N - 1)``.

    Raises:
        ValidationError: bad answers, level or population.
        NoDataError: a wave without answers.
    """
    first = before if isinstance(before, NpsResult) else nps(before)
    second = after if isinstance(after, NpsResult) else nps(after)
    z_crit = z_quantile(level)
    centre1, var1 = _adjusted(first, population)
    centre2, var2 = _adjusted(second, population)
    se = math.sqrt(var1 + var2)
    raw = second.score - first.score
    if se == 0:  # two censuses: the difference is exact
        return _comparison(first.score, second.score, first.n, second.n, raw, 0.0, 0.0, level,
                           "independent", raw)  # fmt: skip
    diff = centre2 - centre1
    return _comparison(first.score, second.score, first.n, second.n, raw, 100 * se,
                       z_crit * 100 * se, level, "independent", 100 * diff)  # fmt: skip


def compare_nps_paired(
    before: Mapping[str, int],
    after: Mapping[str, int],
    *,
    level: float = 0.95,
    population: int | None = None,
) -> NpsComparison:
    """Paired z test of an NPS change for the same households.

    Each household contributes +1 (promoter), 0 (passive) or -1 (detractor) per
    wave; the test is on the mean of the paired differences, which removes the
    household-to-household spread a two-sample test has to carry. Households that
    answered only one wave are left out (counted in the reasons).

    Args:
        before: First-wave answer per household id.
        after: Second-wave answer per household id.
        level: Confidence level.
        population: Households in the community (finite-population correction).

    Raises:
        ValidationError: a bad answer, named by household, e.g. ``after['H-7']``.
        NoDataError: fewer than two households answered both waves, or all of them
            moved alike (the differences show no variation, so their spread cannot
            be estimated) and the households are not the whole ``population``.
    """
    z_crit = z_quantile(level)
    for name, wave in (("before", before), ("after", after)):
        if not isinstance(wave, Mapping):
            raise ValidationError.expected(
                name,
                "a mapping of household id to 0-10 answer",
                type(wave).__name__,
                "e.g. {'H-1': 9, 'H-2': 6}; for unpaired answers use compare_nps",
            )
        for key, answer in wave.items():
            if not valid_answer(answer, 0, 10):
                raise bad_answer(f"{name}[{key!r}]", answer, 0, 10)
    common = [h for h in before if h in after]  # fsum below makes the order irrelevant
    m = len(common)
    if m < 2:
        raise NoDataError(
            "households", f"a paired comparison needs 2+ households in both waves, got {m}", m
        )
    diffs = [band(after[h]) - band(before[h]) for h in common]
    mean = math.fsum(diffs) / m
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in diffs) / (m - 1))
    correction = fpc(population, m)
    if sd == 0 and correction > 0:
        # Every household moved alike: the spread of the differences, which the test
        # needs, cannot be estimated from them. Anything but a census would claim a
        # certainty the sample does not have.
        raise NoDataError(
            "households",
            f"the paired differences show no variation to test: all {m} households moved "
            f"by {diffs[0]:+d} band(s); a paired test needs households whose changes differ. "
            "Survey more households, or compare the waves with compare_nps",
            m,
        )
    se = sd / math.sqrt(m) * correction
    score1 = 100 * math.fsum(band(before[h]) for h in common) / m
    score2 = 100 * math.fsum(band(after[h]) for h in common) / m
    unpaired = len(before) + len(after) - 2 * m
    return _comparison(score1, score2, m, m, 100 * mean, 100 * se, z_crit * 100 * se, level,
                       "paired", 100 * mean, unpaired)  # fmt: skip


# --- records and the KPI scorecard ------------------------------------------------------------


def _check_attainment(instance: Any, attribute: Any, value: Any) -> None:
    int_at_least(0)(instance, attribute, value)
    if value < instance.met:
        raise ValidationError.expected("met", f"at most total ({value})", instance.met)


@frozen
class Attainment:
    """How many of a count met a standard, e.g. work orders answered in time.

    The SLA capability produces these; any ``(met, total)`` pair will do.

    Attributes:
        met: How many met it.
        total: How many there were.
    """

    met: int = field(default=0, validator=int_at_least(0))
    total: int = field(default=0, validator=_check_attainment)

    def __add__(self, other: Attainment) -> Attainment:
        return Attainment(self.met + other.met, self.total + other.total)


def _optional_answer(low: int, high: int) -> Any:
    def check(instance: object, attribute: Any, value: Any) -> None:
        if value is not None and not valid_answer(value, low, high):
            raise bad_answer(attribute.name, value, low, high)

    return check


def _tier(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError.expected(attribute.name, "a tier label such as 'A'", value)


def _attainment(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Attainment):
        raise ValidationError.expected(attribute.name, "an Attainment(met, total)", value)


def _ratings_field(value: object) -> dict[Dimension, int]:
    return _ratings(value, "ratings")


@frozen
class SurveyResponse:
    """One household's answers to a satisfaction survey (满意度调查问卷).

    Attributes:
        household_id: The household that answered.
        community: The community (小区) it lives in.
        answered_on: The day of the answer (for monthly and quarterly grouping).
        tier: The household's customer tier label, e.g. ``"A"``; empty if unknown.
        recommend: The 0-10 answer to "would you recommend us?", or ``None``.
        overall: The 1-5 overall satisfaction rating, or ``None``.
        ratings: 1-5 rating per :class:`Dimension` rated (keys may be given as values).
    """

    household_id: str = field(validator=non_empty_str)
    community: str = field(validator=non_empty_str)
    answered_on: date = field(validator=is_date)
    tier: str = field(default="", validator=_tier)
    recommend: int | None = field(default=None, validator=_optional_answer(0, 10))
    overall: int | None = field(default=None, validator=_optional_answer(1, 5))
    ratings: dict[Dimension, int] = field(factory=dict, converter=_ratings_field, hash=False)


@frozen
class ServiceFigures:
    """Operational counts for one community (and tier) in one month.

    Attributes:
        community: The community.
        month: Any day of the month the figures cover.
        tier: The tier label the figures cover; empty for all tiers.
        households: Households served (the complaint rate's denominator).
        complaints: Complaints received.
        repeat_complaints: Complaints that repeat an earlier one (二次投诉).
        response_timeliness: Requests answered within their SLA target.
        complaint_handling_timeliness: Complaints handled within their SLA target.
        complaint_resolution_satisfaction: Complaint callbacks (回访) in which the
            complainant was satisfied with the resolution.
    """

    community: str = field(validator=non_empty_str)
    month: date = field(validator=is_date)
    tier: str = field(default="", validator=_tier)
    households: int = field(default=0, validator=int_at_least(0))
    complaints: int = field(default=0, validator=int_at_least(0))
    repeat_complaints: int = field(default=0, validator=int_at_least(0))
    response_timeliness: Attainment = field(factory=Attainment, validator=_attainment)
    complaint_handling_timeliness: Attainment = field(factory=Attainment, validator=_attainment)
    complaint_resolution_satisfaction: Attainment = field(factory=Attainment, validator=_attainment)

    def __attrs_post_init__(self) -> None:
        if self.repeat_complaints > self.complaints:
            raise ValidationError.expected(
                "repeat_complaints",
                f"at most complaints ({self.complaints})",
                self.repeat_complaints,
            )


@frozen
class Indicator:
    """One KPI of one group: value, sample size, interval, target and verdict.

    Attributes:
        kpi: Which indicator.
        status: Met, missed, no target or no data.
        value: Rates as fractions, NPS in points, the index on 0-100; ``None`` without data.
        n: The count the value rests on (answers, work orders, households, complaints).
        interval: The confidence interval for survey-based indicators (sampled), else
            ``None``: operational counts cover every case, so they carry no sampling error.
        target: The policy's target, or ``None``.
        reason: The sentence a supervisor can show, citing the source.
    """

    kpi: Kpi
    status: KpiStatus
    value: float | None
    n: int
    interval: Interval | None
    target: float | None
    reason: Reason

    @property
    def passed(self) -> bool | None:
        """``True`` when met, ``False`` when missed, ``None`` without target or data."""
        if self.status is KpiStatus.MET:
            return True
        return False if self.status is KpiStatus.MISSED else None


@frozen
class KpiGroup:
    """The indicators of one group (one community, tier, month or quarter, or all).

    Attributes:
        key: The group's key, one string per :class:`GroupBy` (empty: everything).
        indicators: One :class:`Indicator` per :class:`Kpi`, in that order.
        index: The dimension index behind :attr:`Kpi.SATISFACTION_INDEX`, if any.
    """

    key: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    index: SatisfactionIndex | None

    def __getitem__(self, kpi: Kpi) -> Indicator:
        for indicator in self.indicators:
            if indicator.kpi is kpi:
                return indicator
        raise KeyError(kpi)

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
        policy: SatisfactionPolicy | None = None,
    ) -> KpiScorecard:
        """Group the records and score every indicator of every group.

        Args:
            responses: Survey answers.
            figures: Operational counts.
            by: A :class:`GroupBy` or several (e.g. community and quarter); none: one group.
            policy: Targets, weights and confidence level (default: the defaults).
        """
        keys = (by,) if isinstance(by, GroupBy) else tuple(by)
        for g in keys:
            if not isinstance(g, GroupBy):
                raise ValidationError.expected("by", "GroupBy members", g)
        pol = policy or SatisfactionPolicy()
        surveyed: dict[tuple[str, ...], list[SurveyResponse]] = {}
        for r in responses:
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
            KeyError: no record fell into that group.
        """
        for found in self.groups:
            if found.key == key:
                return found
        raise KeyError(key)


# --- private helpers: counting, validation, statistics ----------------------------------------

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
    Kpi.COMPLAINT_HANDLING_TIMELINESS: (
        "complaint handling timeliness (投诉处理及时率)",
        "002 Dongke KPI",
    ),
    Kpi.COMPLAINT_RATE: ("complaint rate (投诉率)", "002 回访制度"),
    Kpi.REPEAT_COMPLAINT_RATE: ("repeat-complaint rate (重复投诉率)", "001 §2.2"),
}


def _adjusted(result: NpsResult, population: int | None) -> tuple[float, float]:
    """Adjusted-Wald centre and variance of the mean (as fractions) of one wave."""
    n = result.n + 3
    p, d = (result.promoters + 0.75) / n, (result.detractors + 0.75) / n
    return p - d, (p + d - (p - d) ** 2) / n * fpc(population, result.n) ** 2


def _proportion_ci(x: int, n: int, level: float, method: str, population: int | None) -> Interval:
    low, high = proportion_bounds(x, n, z_quantile(level), method, fpc(population, n))
    return Interval(low, high, level, method)


def _comparison(
    before: float,
    after: float,
    n_before: int,
    n_after: int,
    difference: float,
    se: float,
    half: float,
    level: float,
    method: str,
    centre: float,
    unpaired: int = 0,
) -> NpsComparison:
    # A zero standard error (a census, or households that all moved alike) makes the
    # change certain: z is infinite, never NaN.
    z = centre / se if se > 0 else math.copysign(math.inf, centre) if centre else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    interval = Interval(max(-200.0, centre - half), min(200.0, centre + half), level, method)
    verdict = "significant" if p_value < 1 - level else "not significant"
    reason = Reason(
        f"satisfaction.compare.{method}",
        f"NPS {before:.1f} -> {after:.1f} ({difference:+.1f} points, {method} z test, "
        f"p = {p_value:.3g}): {verdict} at {level:.0%}",
        {"n_before": n_before, "n_after": n_after, "z": z, "p_value": p_value,
         "unpaired": unpaired},
        "001 §2.2",
    )  # fmt: skip
    return NpsComparison(before, after, n_before, n_after, difference, se, z, p_value,
                         interval, method, (reason,))  # fmt: skip


def _ratings(value: object, where: str) -> dict[Dimension, int]:
    if not isinstance(value, Mapping):
        raise ValidationError.expected(where, "a mapping of dimension to 1-5 rating", value)
    out: dict[Dimension, int] = {}
    for key, rating in value.items():
        try:
            dimension = key if isinstance(key, Dimension) else Dimension(key)
        except ValueError:
            known = ", ".join(d.value for d in Dimension)
            raise ValidationError.expected(where, f"dimensions from {known}", key) from None
        if rating is None:
            continue
        if not valid_answer(rating, 1, 5):
            raise bad_answer(f"{where}.{dimension.value}", rating, 1, 5)
        out[dimension] = int(rating)
    return out


def _index(
    rows: Sequence[Mapping[Dimension, int]], policy: SatisfactionPolicy
) -> SatisfactionIndex:
    # Per respondent, three C-level passes over a handful of keys replace a Python loop:
    # the weighted points of each (dimension, rating) pair are tabulated once.
    weight = {d: policy.weight(d) for d in Dimension}
    weighted = {d: int(weight[d] > 0) for d in Dimension}
    points = {(d, r): weight[d] * (r - 1) * 25 for d in Dimension for r in range(1, 6)}
    need = policy.min_answered_dimensions
    indices: list[float] = []
    excluded = 0
    for row in rows:
        if sum(map(weighted.__getitem__, row)) >= need:
            total = sum(map(points.__getitem__, row.items()))
            indices.append(total / sum(map(weight.__getitem__, row)))
        else:
            excluded += 1
    if not indices:
        raise NoDataError(
            "responses",
            f"no respondent rated {need} or more weighted dimensions "
            f"({excluded} rated fewer); the overall index needs at least one",
        )
    m = len(indices)
    mean = math.fsum(indices) / m
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in indices) / (m - 1)) if m > 1 else 0.0
    pairs = Counter(chain.from_iterable(row.items() for row in rows))
    scores = []
    for d in Dimension:
        count = sum(pairs[d, r] for r in range(1, 6))
        if count:
            points_sum = sum(pairs[d, r] * (r - 1) * 25 for r in range(1, 6))
            happy = sum(pairs[d, r] for r in range(policy.satisfied_from, 6))
            scores.append(DimensionScore(d, points_sum / count, count, happy))
    return SatisfactionIndex(tuple(scores), mean, m, excluded, sd)


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
        index: SatisfactionIndex | None = _index([r.ratings for r in responses], policy)
    except NoDataError:
        index = None
    indicators = [
        _rate(Kpi.OVERALL_SATISFACTION, sum(overall[policy.satisfied_from - 1 :]),
              sum(overall), policy, sampled=True),
        _index_indicator(index, policy),
        _nps_indicator(answers, policy),
        _rate(Kpi.LOYALTY, sum(answers[policy.loyal_from :]), n_answers, policy, sampled=True),
    ]  # fmt: skip
    resolution = sum((f.complaint_resolution_satisfaction for f in figures), Attainment())
    response = sum((f.response_timeliness for f in figures), Attainment())
    handling = sum((f.complaint_handling_timeliness for f in figures), Attainment())
    complaints = sum(f.complaints for f in figures)
    indicators += [
        _rate(Kpi.COMPLAINT_RESOLUTION_SATISFACTION, resolution.met, resolution.total, policy,
              sampled=True),
        _rate(Kpi.RESPONSE_TIMELINESS, response.met, response.total, policy),
        _rate(Kpi.COMPLAINT_HANDLING_TIMELINESS, handling.met, handling.total, policy),
        _rate(Kpi.COMPLAINT_RATE, complaints, sum(f.households for f in figures), policy),
        _rate(Kpi.REPEAT_COMPLAINT_RATE, sum(f.repeat_complaints for f in figures), complaints,
              policy),
    ]  # fmt: skip
    return KpiGroup(key, tuple(indicators), index)


def _rate(
    kpi: Kpi, met: int, total: int, policy: SatisfactionPolicy, *, sampled: bool = False
) -> Indicator:
    if total == 0:
        return _no_data(kpi, policy)
    value = met / total
    interval = _proportion_ci(met, total, policy.confidence, "wilson", None) if sampled else None
    shown = f"{value:.1%} ({met} of {total}"
    if interval is not None:
        shown += f", {interval.level:.0%} CI {interval.low:.1%}-{interval.high:.1%}"
    return _verdict(kpi, value, total, interval, policy, shown + ")", lambda t: f"{t:.1%}")


def _nps_indicator(answers: list[int], policy: SatisfactionPolicy) -> Indicator:
    n = sum(answers)
    if n == 0:
        return _no_data(Kpi.NPS, policy)
    result = NpsResult(sum(answers[9:]), sum(answers[7:9]), sum(answers[:7]))
    interval = result.ci(policy.confidence)
    shown = (
        f"{result.score:.1f} (n = {n}, {interval.level:.0%} CI "
        f"{interval.low:.1f} to {interval.high:.1f})"
    )
    return _verdict(Kpi.NPS, result.score, n, interval, policy, shown, lambda t: f"{t:.1f}")


def _index_indicator(index: SatisfactionIndex | None, policy: SatisfactionPolicy) -> Indicator:
    if index is None:
        return _no_data(Kpi.SATISFACTION_INDEX, policy)
    interval = index.ci(policy.confidence) if index.n > 1 else None
    shown = f"{index.overall:.1f} of 100 (n = {index.n}"
    if interval is not None:
        shown += f", {interval.level:.0%} CI {interval.low:.1f}-{interval.high:.1f}"
    return _verdict(Kpi.SATISFACTION_INDEX, index.overall, index.n, interval, policy,
                    shown + ")", lambda t: f"{t:.1f}")  # fmt: skip


def _verdict(
    kpi: Kpi,
    value: float,
    n: int,
    interval: Interval | None,
    policy: SatisfactionPolicy,
    shown: str,
    fmt: Any,
) -> Indicator:
    label, source = _KPI_TEXT[kpi]
    target = policy.targets.get(kpi.value)
    if target is None:
        status, verdict = KpiStatus.NO_TARGET, "no target set"
    elif kpi in _LOWER_IS_BETTER:
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
    return Indicator(kpi, status, value, n, interval, target, reason)


def _no_data(kpi: Kpi, policy: SatisfactionPolicy) -> Indicator:
    label, source = _KPI_TEXT[kpi]
    target = policy.targets.get(kpi.value)
    reason = Reason(f"satisfaction.kpi.{kpi.value}", f"{label}: no data", {"n": 0}, source)
    return Indicator(kpi, KpiStatus.NO_DATA, None, 0, None, target, reason)
