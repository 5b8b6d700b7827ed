"""The error hierarchy and its messages."""

import pytest

from propcrm.errors import (
    CalendarRangeError,
    ConflictError,
    NotFoundError,
    PolicyError,
    PolicyProblem,
    PropcrmError,
    ValidationError,
)


@pytest.mark.parametrize(
    "cls", [ValidationError, PolicyError, NotFoundError, ConflictError, CalendarRangeError]
)
def test_every_error_is_a_propcrm_error(cls: type[Exception]) -> None:
    """One `except PropcrmError` catches everything propcrm raises on purpose."""
    assert issubclass(cls, PropcrmError)


def test_validation_error_names_field_value_and_fix() -> None:
    """The standard message has the field, the expectation, the value and the hint."""
    e = ValidationError.expected("headcount", "an integer >= 0", -3, "count the people")
    assert str(e) == "headcount: expected an integer >= 0, got -3; count the people"
    assert e.field == "headcount"
    assert e.value == -3


def test_validation_error_is_a_value_error() -> None:
    """Callers that catch ValueError keep working."""
    with pytest.raises(ValueError, match="x: expected"):
        raise ValidationError.expected("x", "a thing", None)


def test_policy_error_lists_every_problem() -> None:
    """A policy error counts its problems and lists each by path."""
    e = PolicyError(
        [PolicyProblem("a.b", "expected an integer, got 'x'"), PolicyProblem("", "whole file")],
        "company.toml",
    )
    assert str(e) == (
        "invalid policy in company.toml: 2 problems\n"
        "  a.b: expected an integer, got 'x'\n"
        "  whole file"
    )
    assert e.problems[0] == PolicyProblem("a.b", "expected an integer, got 'x'")
    assert e.problems[0] != "a.b"
    assert len({e.problems[0], PolicyProblem("a.b", "expected an integer, got 'x'")}) == 1
    assert repr(e.problems[1]) == "PolicyProblem(path='', message='whole file')"
