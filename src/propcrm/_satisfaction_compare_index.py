"""Comparing the dimension index between two waves: Welch's test and the paired test.

Public through :mod:`propcrm.satisfaction`; this module is private.

==========================  =============================================  ========================
function                    test                                           ``method``
==========================  =============================================  ========================
``compare_index``           two-sample z on the means (Welch's variances)  ``welch``
``compare_index_paired``    paired z on per-household index differences    ``paired-difference``
==========================  =============================================  ========================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from propcrm._satisfaction_compare import Comparison, compare_two, paired_mean
from propcrm._satisfaction_index import (
    SatisfactionIndex,
    household_indices,
    index_of,
    ratings,
)
from propcrm._satisfaction_policy import SatisfactionPolicy
from propcrm._satisfaction_scores import NoDataError
from propcrm._slices import policy_slice
from propcrm._stats import z_quantile
from propcrm.errors import ValidationError

__all__ = ["compare_index", "compare_index_paired"]


def _index(value: object, name: str, policy: SatisfactionPolicy) -> SatisfactionIndex:
    if isinstance(value, SatisfactionIndex):
        return value
    if not isinstance(value, Iterable) or isinstance(value, str | Mapping):
        raise ValidationError.expected(
            name, "a SatisfactionIndex or a list of rating mappings", type(value).__name__
        )
    return index_of([ratings(r, f"{name}[{i}]", policy) for i, r in enumerate(value)], policy)


def compare_index(
    before: SatisfactionIndex | Iterable[Mapping[str, int | None]],
    after: SatisfactionIndex | Iterable[Mapping[str, int | None]],
    *,
    level: float = 0.95,
    policy: object = None,
) -> Comparison:
    """Two-sample z test of a change in the overall index (Welch's variances).

    ``se = sqrt(sd1² / n1 + sd2² / n2)`` from the respondents' indices of each wave;
    a large-sample test, so read it as rough below about 30 respondents a wave.

    Args:
        before: The first wave: a :class:`SatisfactionIndex` or rating mappings.
        after: The second wave.
        level: Confidence level.
        policy: The root policy, its ``satisfaction`` slice, or ``None``; used to
            score rating mappings.

    Raises:
        NoDataError: a wave with fewer than 2 respondents in the index, or no
            variation in either wave.
    """
    z_crit = z_quantile(level)
    pol = policy_slice(policy, SatisfactionPolicy, "satisfaction")
    first, second = _index(before, "before", pol), _index(after, "after", pol)
    for name, idx in (("before", first), ("after", second)):
        if idx.n < 2:
            raise NoDataError(name, f"{name}: an index comparison needs 2+ respondents", idx.n)
    se = math.sqrt(first.sd**2 / first.n + second.sd**2 / second.n)
    if se == 0:
        raise NoDataError(
            "responses",
            "the respondents' indices show no variation in either wave to test; "
            "survey more households",
        )
    diff = second.overall - first.overall
    half = z_crit * se
    return compare_two("index", (first.overall, second.overall, first.n, second.n), diff, se,
                       diff, (diff - half, diff + half), level, "welch", "points")  # fmt: skip


def compare_index_paired(
    before: Mapping[str, Mapping[str, int | None]],
    after: Mapping[str, Mapping[str, int | None]],
    *,
    level: float = 0.95,
    population: int | None = None,
    policy: object = None,
) -> Comparison:
    """Paired z test of a change in the index for the same households.

    Each household's index is scored in both waves; the test is on the mean of
    the differences. Households missing from a wave, or rating too few weighted
    dimensions in either, are left out (counted in the reasons).

    Raises:
        ValidationError: bad ratings, named by household.
        NoDataError: fewer than two households in both waves, or no variation.
    """
    pol = policy_slice(policy, SatisfactionPolicy, "satisfaction")
    z_quantile(level)
    rows = {}
    for name, wave in (("before", before), ("after", after)):
        if not isinstance(wave, Mapping):
            raise ValidationError.expected(
                name, "a mapping of household id to rating mapping", type(wave).__name__
            )
        keys = list(wave)
        checked = [ratings(wave[h], f"{name}[{h!r}]", pol) for h in keys]
        rows[name] = dict(zip(keys, household_indices(checked, pol), strict=True))
    pairs = [
        (x, y)
        for h, x in rows["before"].items()
        if x is not None and (y := rows["after"].get(h)) is not None
    ]
    m = max(len(pairs), 1)
    score1 = math.fsum(x for x, _ in pairs) / m
    score2 = math.fsum(y for _, y in pairs) / m
    diffs = [y - x for x, y in pairs]
    moved = f"{diffs[0]:+.1f} points" if diffs else ""
    unpaired = len(before) + len(after) - 2 * len(pairs)
    return paired_mean("index", diffs, (score1, score2), level, population, "paired-difference",
                        unpaired, moved)  # fmt: skip
