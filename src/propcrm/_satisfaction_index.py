"""The weighted dimension index (满意度指数) over the policy's survey dimensions.

Public through :mod:`propcrm.satisfaction`; this module is private.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

from attrs import frozen

from propcrm._checks import require_iterable
from propcrm._satisfaction_policy import SatisfactionPolicy
from propcrm._satisfaction_scores import Interval, NoDataError
from propcrm._slices import policy_slice
from propcrm._stats import bad_answer, fpc, valid_answer, z_quantile
from propcrm.errors import ValidationError, shown

__all__ = ["DimensionScore", "SatisfactionIndex", "household_indices", "ratings"]


@frozen
class DimensionScore:
    """One dimension's score: the mean rating mapped from 1-5 onto 0-100.

    Attributes:
        dimension: The dimension's name in the policy, e.g. ``"cleaning"``.
        score: Mean of ``(rating - 1) * 25`` over the respondents who rated it.
        n: How many respondents rated it.
        satisfied: How many of them rated it at ``satisfied_from`` or above.
    """

    dimension: str
    score: float
    n: int
    satisfied: int


@frozen
class SatisfactionIndex:
    """Per-dimension scores (0-100) and the weighted overall satisfaction index.

    A rating ``r`` on 1-5 scores ``(r - 1) * 25``: 1 is 0, 3 is 50, 5 is 100. Each
    respondent's index is the weighted mean of the dimensions they rated, the
    policy's relative weights normalised over those dimensions (a skipped dimension
    neither counts as 0 nor as average: it is left out of that respondent's index). A
    respondent who rated fewer than ``min_answered_dimensions`` weighted dimensions
    is left out of the overall index (counted in ``excluded``) but still counts
    in the dimensions they rated. The overall index is the mean of the respondents'
    indices, and its standard error comes from their spread.

    Attributes:
        dimensions: The dimensions anyone rated, in the policy's order.
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
        responses: Iterable[Mapping[str, int | None]],
        *,
        policy: object = None,
    ) -> SatisfactionIndex:
        """Score each respondent's ratings, ``{dimension: 1-5 rating}``.

        A missing key or ``None`` means skipped.

        Args:
            responses: One mapping per respondent.
            policy: The root :class:`~propcrm.policy.Policy`, its ``satisfaction``
                slice, or ``None`` for the defaults.

        Raises:
            ValidationError: a bad rating, or a dimension the policy does not know or
                has switched off, named by position, e.g. ``responses[2].cleaning``.
            NoDataError: no respondent rated enough dimensions.

        >>> from propcrm.satisfaction import SatisfactionIndex
        >>> idx = SatisfactionIndex.compute([
        ...     {"security": 5, "cleaning": 4, "greening": 4, "engineering": 3},
        ...     {"security": 4, "cleaning": 4, "greening": 3, "engineering": 2},
        ... ])
        >>> idx.overall, idx.n
        (65.625, 2)
        """
        pol = policy_slice(policy, SatisfactionPolicy, "satisfaction")
        given = require_iterable(responses, "responses", "a list of mappings dimension -> rating")
        rows = [ratings(row, f"responses[{i}]", pol) for i, row in enumerate(given)]
        return index_of(rows, pol)

    @property
    def se(self) -> float:
        """Standard error of the overall index — ``sd / sqrt(n)``."""
        return self.sd / math.sqrt(self.n)

    def score(self, dimension: str) -> DimensionScore:
        """The score of one dimension.

        Raises:
            NoDataError: nobody rated it.
        """
        for found in self.dimensions:
            if found.dimension == dimension:
                return found
        raise NoDataError("dimension", f"nobody rated {shown(dimension)}", dimension)

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


def ratings(value: object, where: str, policy: SatisfactionPolicy | None = None) -> dict[str, int]:
    """Check one respondent's ratings; with a policy, check the dimensions against it."""
    if not isinstance(value, Mapping):
        raise ValidationError.expected(where, "a mapping of dimension to 1-5 rating", value)
    out: dict[str, int] = {}
    for key, rating in value.items():
        if policy is not None:
            policy.check_dimension(where, key)
        elif not isinstance(key, str) or not key:
            raise ValidationError.expected(where, "dimension names such as 'cleaning'", key)
        if rating is None:
            continue
        if not valid_answer(rating, 1, 5):
            raise bad_answer(f"{where}.{key}", rating, 1, 5)
        out[key] = int(rating)
    return out


def household_indices(
    rows: Sequence[Mapping[str, int]], policy: SatisfactionPolicy
) -> list[float | None]:
    """Each respondent's index, or ``None`` when they rated too few weighted dimensions."""
    weights = policy.weights
    need = policy.min_answered_dimensions
    out: list[float | None] = []
    for row in rows:
        rated = [(weights[d], r) for d, r in row.items() if weights.get(d, 0.0) > 0]
        if len(rated) >= need:
            total = math.fsum(w * (r - 1) * 25 for w, r in rated)
            out.append(total / math.fsum(w for w, _ in rated))
        else:
            out.append(None)
    return out


def index_of(rows: Sequence[Mapping[str, int]], policy: SatisfactionPolicy) -> SatisfactionIndex:
    """The index of checked rows (see :func:`ratings`)."""
    indices = [x for x in household_indices(rows, policy) if x is not None]
    excluded = len(rows) - len(indices)
    if not indices:
        raise NoDataError(
            "responses",
            f"no respondent rated {policy.min_answered_dimensions} or more weighted dimensions "
            f"({excluded} rated fewer); the overall index needs at least one",
        )
    m = len(indices)
    mean = math.fsum(indices) / m
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in indices) / (m - 1)) if m > 1 else 0.0
    pairs = Counter(chain.from_iterable(row.items() for row in rows))
    scores = []
    for d in policy.dimensions:
        count = sum(pairs[d, r] for r in range(1, 6))
        if count:
            points_sum = sum(pairs[d, r] * (r - 1) * 25 for r in range(1, 6))
            happy = sum(pairs[d, r] for r in range(policy.satisfied_from, 6))
            scores.append(DimensionScore(d, points_sum / count, count, happy))
    return SatisfactionIndex(tuple(scores), mean, m, excluded, sd)
