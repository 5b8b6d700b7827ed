"""Comparing two survey waves or two periods: is a change more than noise?

Public through :mod:`propcrm.satisfaction`; this module is private (the index
comparisons are in ``_satisfaction_compare_index``). Each test is named in the
result's ``method`` and its reason:

==========================  =============================================  ========================
function                    test                                           ``method``
==========================  =============================================  ========================
``compare_nps``             two-sample z, adjusted-Wald variances          ``independent``
``compare_nps_paired``      paired z on per-household +1/0/-1 changes      ``paired``
``compare_csat``            two-proportion z (pooled)                      ``two-proportion``
``compare_csat_paired``     McNemar (no continuity correction)             ``mcnemar``
``compare_rate``            two-proportion z (pooled)                      ``two-proportion``
``compare_event_rate``      z test of two Poisson rates (pooled)           ``poisson``
==========================  =============================================  ========================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Literal

from attrs import frozen

from propcrm._checks import require_text
from propcrm._satisfaction_policy import SatisfactionPolicy
from propcrm._satisfaction_scores import (
    Attainment,
    CsatResult,
    Interval,
    NoDataError,
    NpsResult,
    csat,
    nps,
)
from propcrm._slices import policy_slice
from propcrm._stats import bad_answer, band, fpc, is_count, valid_answer, z_quantile
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "Comparison",
    "compare_csat",
    "compare_csat_paired",
    "compare_event_rate",
    "compare_nps",
    "compare_nps_paired",
    "compare_rate",
    "compare_two",
    "paired_mean",
]

_Scale = Literal["points", "rate"]


@frozen
class Comparison:
    """Did a score change between two waves or periods?

    Attributes:
        measure: What was compared: ``"NPS"``, ``"CSAT"``, ``"index"`` or a KPI's value.
        before: The first wave's value (NPS and index in points, rates as fractions).
        after: The second wave's value.
        n_before: The count behind the first value (paired: households in both waves).
        n_after: The count behind the second value.
        difference: ``after - before``.
        se: Standard error of the difference (for the two-proportion and McNemar tests,
            the one under "no change" that the test uses).
        z: The test statistic.
        p_value: Two-sided p-value of "no change".
        interval: Confidence interval of the difference.
        method: The test, e.g. ``"two-proportion"`` or ``"mcnemar"``.
        reasons: What was compared and what it means.
    """

    measure: str
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


_MEASURE = "the name of the measure, e.g. 'complaint_rate'"


def compare_two(
    measure: str,
    values: tuple[float, float, int, int],
    difference: float,
    se: float,
    statistic: float,
    interval: tuple[float, float],
    level: float,
    method: str,
    scale: _Scale,
    **facts: int,
) -> Comparison:
    before, after, n_before, n_after = values
    # A zero standard error (a census, or households that all moved alike) makes the
    # change certain: z is infinite, never NaN.
    z = statistic / se if se > 0 else math.copysign(math.inf, statistic) if statistic else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    bound = 2.0 if scale == "rate" else (200.0 if measure == "NPS" else 100.0)
    ci = Interval(max(-bound, interval[0]), min(bound, interval[1]), level, method)
    verdict = "significant" if p_value < 1 - level else "not significant"
    if scale == "rate":
        shown = f"{before:.1%} -> {after:.1%} ({100 * difference:+.1f} percentage points"
    else:
        shown = f"{before:.1f} -> {after:.1f} ({difference:+.1f} points"
    reason = Reason(
        f"satisfaction.compare.{method}",
        f"{measure} {shown}, {method} test, {level:.0%} CI of the change {ci}, "
        f"p = {p_value:.3g}): {verdict} at {level:.0%}",
        {"n_before": n_before, "n_after": n_after, "z": z, "p_value": p_value, **facts},
        "001 §2.2",
    )
    return Comparison(measure, before, after, n_before, n_after, difference, se, z, p_value,
                      ci, method, (reason,))  # fmt: skip


# --- NPS --------------------------------------------------------------------------------------


def _adjusted(result: NpsResult, population: int | None) -> tuple[float, float]:
    """Adjusted-Wald centre and variance of the mean (as fractions) of one wave."""
    n = result.n + 3
    p, d = (result.promoters + 0.75) / n, (result.detractors + 0.75) / n
    return p - d, (p + d - (p - d) ** 2) / n * fpc(population, result.n) ** 2


def compare_nps(
    before: NpsResult | Iterable[int],
    after: NpsResult | Iterable[int],
    *,
    level: float = 0.95,
    population: int | None = None,
) -> Comparison:
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
    se = 100 * math.sqrt(var1 + var2)
    raw = second.score - first.score
    values = (first.score, second.score, first.n, second.n)
    if se == 0:  # two censuses: the difference is exact
        return compare_two("NPS", values, raw, 0.0, raw, (raw, raw), level, "independent", "points")
    centre = 100 * (centre2 - centre1)
    half = z_crit * se
    return compare_two("NPS", values, raw, se, centre, (centre - half, centre + half), level,
                       "independent", "points")  # fmt: skip


def _households(name: str, wave: object, low: int, high: int, unpaired_hint: str) -> None:
    if not isinstance(wave, Mapping):
        raise ValidationError.expected(
            name,
            f"a mapping of household id to {low}-{high} answer",
            type(wave).__name__,
            f"e.g. {{'H-1': {high - 1}, 'H-2': {low + 1}}}; "
            f"for unpaired answers use {unpaired_hint}",
        )
    for key, answer in wave.items():
        if not valid_answer(answer, low, high):
            raise bad_answer(f"{name}[{key!r}]", answer, low, high)


def paired_mean(
    measure: str,
    diffs: list[float],
    values: tuple[float, float],
    level: float,
    population: int | None,
    method: str,
    unpaired: int,
    moved: str,
) -> Comparison:
    """The paired z test on per-household differences (in points)."""
    z_crit = z_quantile(level)
    m = len(diffs)
    if m < 2:
        raise NoDataError(
            "households", f"a paired comparison needs 2+ households in both waves, got {m}", m
        )
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
            f"by {moved}; a paired test needs households whose changes differ. "
            "Survey more households, or compare the waves as independent samples",
            m,
        )
    se = sd / math.sqrt(m) * correction
    half = z_crit * se
    return compare_two(measure, (*values, m, m), mean, se, mean, (mean - half, mean + half),
                       level, method, "points", unpaired=unpaired)  # fmt: skip


def compare_nps_paired(
    before: Mapping[str, int],
    after: Mapping[str, int],
    *,
    level: float = 0.95,
    population: int | None = None,
) -> Comparison:
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
    z_quantile(level)
    _households("before", before, 0, 10, "compare_nps")
    _households("after", after, 0, 10, "compare_nps")
    common = [h for h in before if h in after]  # fsum makes the order irrelevant
    diffs = [100.0 * (band(after[h]) - band(before[h])) for h in common]
    m = max(len(common), 1)
    score1 = 100 * math.fsum(band(before[h]) for h in common) / m
    score2 = 100 * math.fsum(band(after[h]) for h in common) / m
    moved = f"{diffs[0] / 100:+.0f} band(s)" if diffs else ""
    unpaired = len(before) + len(after) - 2 * len(common)
    return paired_mean("NPS", diffs, (score1, score2), level, population, "paired", unpaired,
                        moved)  # fmt: skip


# --- rates: CSAT and every rate KPI -------------------------------------------------------------


def _two_proportion(measure: str, x1: int, n1: int, x2: int, n2: int, level: float) -> Comparison:
    z_crit = z_quantile(level)
    for name, n in (("before", n1), ("after", n2)):
        if n == 0:
            raise NoDataError(name, f"{name}: no cases to compare (a rate needs a total above 0)")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    diff = p2 - p1
    half = z_crit * se
    return compare_two(measure, (p1, p2, n1, n2), diff, se0, diff, (diff - half, diff + half),
                       level, "two-proportion", "rate")  # fmt: skip


def compare_rate(
    before: Attainment,
    after: Attainment,
    *,
    level: float = 0.95,
    measure: str = "rate",
) -> Comparison:
    """Two-proportion z test of a rate KPI between two periods.

    The test uses the pooled proportion under "no change",
    ``se = sqrt(p (1 - p) (1/n1 + 1/n2))``; the interval of the change uses the
    unpooled standard error. It suits every rate KPI whose counts are independent
    between the periods: timeliness, resolution, callback handling, complaint and
    repeat-complaint rates.

    Args:
        before: ``Attainment(met, total)`` of the first period.
        after: The same for the second period.
        level: Confidence level.
        measure: The name shown in the reason, e.g. a :class:`Kpi` value.

    Raises:
        NoDataError: a period with a total of 0.

    >>> from propcrm.satisfaction import Attainment, compare_rate
    >>> change = compare_rate(Attainment(180, 200), Attainment(194, 200))
    >>> round(change.difference, 2), round(change.p_value, 4), change.significant
    (0.07, 0.0045, True)
    """
    for name, value in (("before", before), ("after", after)):
        if not isinstance(value, Attainment):
            raise ValidationError.expected(name, "an Attainment(met, total)", value)
    require_text(measure, "measure", _MEASURE)
    return _two_proportion(measure, before.met, before.total, after.met, after.total, level)


def compare_event_rate(
    before: tuple[int, int],
    after: tuple[int, int],
    *,
    level: float = 0.95,
    measure: str = "complaint_rate",
) -> Comparison:
    """Z test of a change in events per unit of exposure, e.g. complaints per household.

    Each period is ``(events, exposure)``. Under "no change" both share the pooled
    rate ``r = (x1 + x2) / (n1 + n2)``, so ``se = sqrt(r (1/n1 + 1/n2))``; the
    interval of the change uses ``sqrt(x1 / n1² + x2 / n2²)``. Events may exceed
    the exposure (a household may complain twice), which a two-proportion test
    cannot take.

    Raises:
        ValidationError: counts that are not integers >= 0.
        NoDataError: a period with no exposure.

    >>> from propcrm.satisfaction import compare_event_rate
    >>> change = compare_event_rate((12, 800), (4, 800))
    >>> round(change.difference, 4), round(change.p_value, 4)
    (-0.01, 0.0455)
    """
    require_text(measure, "measure", _MEASURE)
    z_crit = z_quantile(level)
    for name, pair in (("before", before), ("after", after)):
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(map(is_count, pair))):
            raise ValidationError.expected(
                name, "a pair (events, exposure) of integers >= 0", pair, "e.g. (6, 800)"
            )
        if pair[1] == 0:
            raise NoDataError(name, f"{name}: no exposure to compare (the second count is 0)")
    (x1, n1), (x2, n2) = before, after
    r1, r2 = x1 / n1, x2 / n2
    se0 = math.sqrt((x1 + x2) / (n1 + n2) * (1 / n1 + 1 / n2))
    half = z_crit * math.sqrt(x1 / n1**2 + x2 / n2**2)
    diff = r2 - r1
    return compare_two(measure, (r1, r2, n1, n2), diff, se0, diff, (diff - half, diff + half),
                       level, "poisson", "rate")  # fmt: skip


def compare_csat(
    before: CsatResult | Iterable[int],
    after: CsatResult | Iterable[int],
    *,
    level: float = 0.95,
    policy: object = None,
) -> Comparison:
    """Two-proportion z test of a CSAT (top-2-box) change between independent samples.

    Args:
        before: The first wave (1-5 ratings or a :class:`CsatResult`).
        after: The second wave.
        level: Confidence level.
        policy: The root :class:`~propcrm.policy.Policy`, its ``satisfaction``
            slice, or ``None`` for the defaults: its ``satisfied_from`` scores
            ratings given as a list (a :class:`CsatResult` keeps its own).

    Raises:
        ValidationError: bad ratings, level or policy.
        NoDataError: a wave without ratings.
    """
    first = before if isinstance(before, CsatResult) else csat(before, policy=policy)
    second = after if isinstance(after, CsatResult) else csat(after, policy=policy)
    return _two_proportion("CSAT", first.satisfied, first.n, second.satisfied, second.n, level)


def compare_csat_paired(
    before: Mapping[str, int],
    after: Mapping[str, int],
    *,
    level: float = 0.95,
    policy: object = None,
) -> Comparison:
    """McNemar's test of a CSAT change for the same households.

    A household is satisfied from the policy's ``satisfaction.satisfied_from``
    (``policy`` is the root :class:`~propcrm.policy.Policy`, its
    ``satisfaction`` slice, or ``None`` for the defaults).

    Only the households whose answer changed side count: ``b`` were satisfied
    before and not after, ``c`` the reverse; ``z = (c - b) / sqrt(b + c)`` (no
    continuity correction, which would make the test conservative). The change
    is ``(c - b) / m`` over the ``m`` households in both waves, its interval the
    paired Wald one. No household changing side is no evidence of change (p = 1).

    Raises:
        ValidationError: a bad rating, named by household, or a policy of
            another type.
        NoDataError: fewer than two households answered both waves.
    """
    z_crit = z_quantile(level)
    satisfied_from = policy_slice(policy, SatisfactionPolicy, "satisfaction").satisfied_from
    _households("before", before, 1, 5, "compare_csat")
    _households("after", after, 1, 5, "compare_csat")
    common = [h for h in before if h in after]
    m = len(common)
    if m < 2:
        raise NoDataError(
            "households", f"a paired comparison needs 2+ households in both waves, got {m}", m
        )
    was = [before[h] >= satisfied_from for h in common]
    now = [after[h] >= satisfied_from for h in common]
    b = sum(w and not n for w, n in zip(was, now, strict=True))
    c = sum(n and not w for w, n in zip(was, now, strict=True))
    diff = (c - b) / m
    se0 = math.sqrt(b + c) / m
    se = math.sqrt(max((b + c) / m - diff**2, 0.0) / m)
    half = z_crit * se
    unpaired = len(before) + len(after) - 2 * m
    return compare_two("CSAT", (sum(was) / m, sum(now) / m, m, m), diff, se0, diff,
                       (diff - half, diff + half), level, "mcnemar", "rate", unpaired=unpaired,
                       satisfied_to_not=b, not_to_satisfied=c)  # fmt: skip
