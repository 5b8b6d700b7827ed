"""Single-sample scores at their edges: empty samples, bad arguments and interval bounds.

RULES § 7: every score comes with its sample size and a rate or NPS with a confidence
interval; no answers is a clear "no data" error naming the argument, never a division
by zero. The expected messages and printed intervals are written out here.
"""

import pytest

from propcrm.errors import ValidationError
from propcrm.satisfaction import Attainment, CsatResult, Interval, NoDataError, csat, nps


def test_no_nps_answers_names_the_scores_and_what_an_nps_needs() -> None:
    """nps([]): a NoDataError on field 'scores' with the full message."""
    with pytest.raises(NoDataError) as caught:
        nps([])
    assert caught.value.field == "scores"
    assert str(caught.value) == "no answers: an NPS needs at least one 0-10 answer"


def test_no_csat_ratings_names_the_ratings_and_what_a_csat_needs() -> None:
    """csat([]): a NoDataError on field 'ratings' with the full message."""
    with pytest.raises(NoDataError) as caught:
        csat([])
    assert caught.value.field == "ratings"
    assert str(caught.value) == "no answers: a CSAT needs at least one 1-5 rating"


def test_csat_counts_of_the_wrong_length_are_shown_in_the_error() -> None:
    """Four counts instead of five: the message quotes the counts given."""
    with pytest.raises(ValidationError) as caught:
        CsatResult((1, 2, 3, 4))  # type: ignore[arg-type]
    assert str(caught.value) == "counts: expected five counts >= 0, got (1, 2, 3, 4)"


def test_an_unknown_nps_interval_method_is_quoted_in_the_error() -> None:
    """ci(method='exact'): the message ends with the method given."""
    with pytest.raises(ValidationError) as caught:
        nps([10, 9, 3]).ci(method="exact")  # type: ignore[arg-type]
    assert str(caught.value) == "method: expected 'adjusted-wald' or 'wald', got 'exact'"


def test_a_negative_attainment_total_names_the_total() -> None:
    """Attainment(0, -1): the total is refused as 'an integer >= 0'."""
    with pytest.raises(ValidationError) as caught:
        Attainment(0, -1)
    assert caught.value.field == "total"
    assert str(caught.value) == "total: expected an integer >= 0, got -1"


def test_an_interval_contains_its_lower_bound() -> None:
    """The bounds belong to the interval: 0.25 is in [0.25, 0.75]."""
    assert 0.25 in Interval(0.25, 0.75, 0.95, "wilson")


def test_an_interval_contains_its_upper_bound() -> None:
    """The bounds belong to the interval: 0.75 is in [0.25, 0.75]."""
    assert 0.75 in Interval(0.25, 0.75, 0.95, "wilson")


def test_a_tiny_interval_prints_at_most_eight_decimals() -> None:
    """Largest bound 1.234e-6 would need 9 decimals for 4 digits; printing stops at 8."""
    assert str(Interval(0.0, 0.000001234, 0.95, "poisson-score")) == "[0.00000000, 0.00000123]"


def test_a_five_digit_interval_prints_without_decimals() -> None:
    """Largest bound 23456.7: four significant digits need no decimal, so none are shown."""
    assert str(Interval(12345.6, 23456.7, 0.95, "poisson-score")) == "[12346, 23457]"
