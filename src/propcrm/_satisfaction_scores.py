"""Single-sample scores: NPS and CSAT with their intervals, and the interval itself.

Public through :mod:`propcrm.satisfaction`; this module is private.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from attrs import field, frozen

from propcrm._satisfaction_policy import SatisfactionPolicy
from propcrm._slices import policy_slice
from propcrm._stats import fpc, is_count, proportion_bounds, tally, z_quantile
from propcrm._validators import int_at_least, int_between
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "Attainment",
    "CsatResult",
    "Interval",
    "NoDataError",
    "NpsResult",
    "csat",
    "nps",
    "poisson_ci",
    "proportion_ci",
]

NpsMethod = Literal["adjusted-wald", "wald"]
ProportionMethod = Literal["wilson", "agresti-coull"]


class NoDataError(ValidationError):
    """There is nothing to score: no answers, or too few for the figure asked for.

    A survey without answers has no NPS, no satisfaction rate and no index; propcrm
    says so instead of dividing by zero or returning NaN. A :class:`KpiScorecard`
    reports such an indicator as :attr:`KpiStatus.NO_DATA`.
    """


@frozen
class Interval:
    """A two-sided confidence interval that unpacks as ``(low, high)``.

    It prints one way everywhere, ``[low, high]``: four significant digits of the
    larger bound, and the same number of decimals for both bounds (so an NPS reads
    ``[2.97, 24.62]``, a rate ``[0.3968, 0.8922]``). The level and method are
    attributes, not part of the text.

    >>> from propcrm.satisfaction import Interval
    >>> low, high = Interval(2.9712, 24.6153, 0.95, "adjusted-wald")
    >>> str(Interval(2.9712, 24.6153, 0.95, "adjusted-wald"))
    '[2.97, 24.62]'

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

    def __iter__(self) -> Iterator[float]:
        yield self.low
        yield self.high

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        largest = max(abs(self.low), abs(self.high))
        digits = 2 if largest == 0 else min(8, max(0, 3 - math.floor(math.log10(largest))))
        return f"[{self.low:.{digits}f}, {self.high:.{digits}f}]"


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
        """Why the score is what it is — the bands and their counts."""
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
        if (
            not isinstance(self.counts, tuple | list)
            or len(self.counts) != 5
            or not all(is_count(c) for c in self.counts)
        ):
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
        return proportion_ci(self.satisfied, self.n, level, method, population)


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

    >>> from propcrm.satisfaction import nps
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


def csat(ratings: Iterable[int], *, policy: object = None) -> CsatResult:
    """Score 1-5 satisfaction ratings; satisfied from the policy's ``satisfied_from``.

    By default 4 and 5 are satisfied (top-2-box); a company that sets
    ``satisfaction.satisfied_from = 5`` counts only the 5s.

    Args:
        ratings: The ratings; integers from 1 (very dissatisfied) to 5 (very satisfied).
        policy: The root :class:`~propcrm.policy.Policy`, its ``satisfaction``
            slice, or ``None`` for the defaults.

    Raises:
        ValidationError: a rating that is not an integer from 1 to 5, named by
            position, or a policy of another type.
        NoDataError: no ratings at all.

    >>> from propcrm.satisfaction import SatisfactionPolicy, csat
    >>> r = csat([5, 4, 4, 3, 1])
    >>> r.satisfied, r.rate
    (3, 0.6)
    >>> csat([5, 4, 4, 3, 1], policy=SatisfactionPolicy(satisfied_from=5)).satisfied
    1
    """
    satisfied_from = policy_slice(policy, SatisfactionPolicy, "satisfaction").satisfied_from
    c1, c2, c3, c4, c5 = tally(ratings, "ratings", 1, 5)
    return CsatResult((c1, c2, c3, c4, c5), satisfied_from)


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


def proportion_ci(x: int, n: int, level: float, method: str, population: int | None) -> Interval:
    """The Wilson or Agresti-Coull interval of ``x / n`` as an :class:`Interval`."""
    low, high = proportion_bounds(x, n, z_quantile(level), method, fpc(population, n))
    return Interval(low, high, level, method)


def poisson_ci(x: int, n: int, level: float) -> Interval:
    """The score interval of ``x`` events per ``n`` units of exposure (Poisson).

    ``(x + z²/2 ± z sqrt(x + z²/4)) / n``, the lower bound clipped at 0: unlike a
    share, a rate of events per household may exceed 1 (a household complains twice).
    """
    z = z_quantile(level)
    centre = (x + z * z / 2) / n
    half = z * math.sqrt(x + z * z / 4) / n
    return Interval(max(0.0, centre - half), centre + half, level, "poisson-score")
