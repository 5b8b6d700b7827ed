"""Small statistics for the satisfaction capability, on the standard library only.

Counting answers in bulk (validated in C, walked only when something is wrong),
normal quantiles, the finite-population correction and binomial intervals.
Bounds are returned as plain ``(low, high)`` pairs; :mod:`propcrm.satisfaction`
wraps them in its public types.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from statistics import NormalDist

from propcrm.errors import ValidationError

__all__ = [
    "bad_answer",
    "band",
    "fpc",
    "is_count",
    "percent",
    "proportion_bounds",
    "tally",
    "valid_answer",
    "z_quantile",
]

_NORMAL = NormalDist()


def is_count(value: object) -> bool:
    """An ``int`` (not a ``bool``) that is ``>= 0``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def valid_answer(value: object, low: int, high: int) -> bool:
    """An integral value (numpy's integers too, never a ``bool``) in ``low..high``."""
    return (
        isinstance(value, numbers.Integral) and not isinstance(value, bool) and low <= value <= high  # type: ignore[operator]
    )


def bad_answer(where: str, value: object, low: int, high: int) -> ValidationError:
    """The error for an answer that is not an integer in ``low..high``, with a hint."""
    hint = None
    if isinstance(value, float) and math.isnan(value):
        hint = "leave a missing answer out instead of sending NaN"
    elif isinstance(value, bool):
        hint = "True and False are not answers"
    elif isinstance(value, float) and value.is_integer():
        hint = "answers are whole numbers; convert with int() first"
    return ValidationError.expected(where, f"an integer answer from {low} to {high}", value, hint)


def tally(values: Iterable[object], field: str, low: int, high: int) -> list[int]:
    """Count each answer ``low..high`` (``low <= 0``-based ``high <= 255``).

    The common case costs a few passes in C: the set of element types, one
    ``bytes()`` conversion (which refuses anything outside 0-255) and one
    ``bytes.count`` per value. Only when the counts do not add up is the input
    walked in Python, to name the first bad position as ``field[i]``.

    Raises:
        ValidationError: an answer that is not an integer in ``low..high``.
    """
    items: Sequence[object]
    if isinstance(values, bytes | bytearray):
        items = data = bytes(values)
    else:
        if isinstance(values, list | tuple):
            items = values
        elif isinstance(values, str) or not isinstance(values, Iterable):
            raise ValidationError.expected(
                field, "a list of integer answers", values, f"e.g. [9, 10, 6] ({low}-{high})"
            )
        else:
            items = list(values)
        data = b""
        integral = all(
            issubclass(t, numbers.Integral) and not issubclass(t, bool)
            for t in set(map(type, items))
        )
        if integral:
            try:
                data = bytes(items)  # type: ignore[arg-type]  # integral types are indexable
            except ValueError:
                data = b""  # outside 0-255: located below
    counts = [data.count(v) for v in range(low, high + 1)]
    if sum(counts) == len(items):
        return counts
    where, value = next((i, v) for i, v in enumerate(items) if not valid_answer(v, low, high))
    raise bad_answer(f"{field}[{where}]", value, low, high)


def band(answer: int) -> int:
    """An NPS answer's contribution: +1 promoter (9-10), 0 passive (7-8), -1 detractor."""
    return 1 if answer >= 9 else (-1 if answer <= 6 else 0)


def z_quantile(level: object) -> float:
    """The two-sided normal quantile of a confidence level, e.g. 1.96 for 0.95.

    Raises:
        ValidationError: a level that is not a number strictly between 0 and 1.
    """
    ok = isinstance(level, float | int) and not isinstance(level, bool)
    if not ok or not 0 < level < 1:  # type: ignore[operator]
        raise ValidationError.expected("level", "a confidence level between 0 and 1", level)
    return _NORMAL.inv_cdf(0.5 + level / 2)  # type: ignore[operator]


def fpc(population: object, n: int) -> float:
    """The finite-population correction of a standard error, ``sqrt((N - n) / (N - 1))``.

    ``None`` (an unknown or very large population) gives 1; a census gives 0.

    Raises:
        ValidationError: a population that is not an integer of at least ``n``.
    """
    if population is None:
        return 1.0
    if not is_count(population) or population < n:  # type: ignore[operator]
        raise ValidationError.expected(
            "population", f"an integer >= the sample size {n}", population
        )
    assert isinstance(population, int)
    return math.sqrt((population - n) / (population - 1)) if population > 1 else 0.0


def proportion_bounds(
    x: int, n: int, z: float, method: str, correction: float
) -> tuple[float, float]:
    """Wilson or Agresti-Coull bounds of ``x / n``, clipped to [0, 1].

    A finite-population ``correction`` below 1 enters as the effective sample
    size ``n / correction**2``; a census (``correction == 0``) gives the rate itself.

    Raises:
        ValidationError: an unknown method.
    """
    if method not in ("wilson", "agresti-coull"):
        raise ValidationError.expected("method", "'wilson' or 'agresti-coull'", method)
    p = x / n
    if correction == 0:
        return p, p
    n_eff = n / correction**2
    if method == "wilson":
        denom = 1 + z * z / n_eff
        centre = (p + z * z / (2 * n_eff)) / denom
        half = z / denom * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff))
    else:
        n_tilde = n_eff + z * z
        centre = (p * n_eff + z * z / 2) / n_tilde
        half = z * math.sqrt(centre * (1 - centre) / n_tilde)
    # Both intervals contain p; rounding can put a bound a hair past it (x = 0 or x = n).
    return min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def percent(share: float, goal: float | None = None, *, lower_is_better: bool = False) -> str:
    """``share`` as a percentage with one decimal, never shown on the wrong side of ``goal``.

    A share is shown with the decimals (up to four) that keep the verdict its
    text suggests the share's own: 94.99 % against a goal of at least 95 % is
    "94.99%", not "95.0%"; 1.99 % against a goal under 2 % is "1.99%". A share
    meets a goal of at least ``goal`` from ``goal - 1e-12`` up (0.95 of 20 is
    19 even in binary floating point), a goal under ``goal`` below it.
    """

    def meets(value: float) -> bool:
        return value < goal if lower_is_better else value >= goal - 1e-12  # type: ignore[operator]

    for places in range(1, 5):
        text = f"{share:.{places}%}"
        if goal is None or meets(float(text[:-1]) / 100) == meets(share):
            break
    return text
