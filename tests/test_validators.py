"""The shared attrs validators raise ValidationError naming the field."""

from datetime import UTC, date, datetime, timedelta

import pytest
from attrs import define, field, frozen

from propcrm import ValidationError
from propcrm._validators import (
    aware_datetime,
    instance_of,
    int_at_least,
    int_between,
    is_bool,
    is_date,
    is_str,
    non_empty_str,
    non_negative_duration,
    number_between,
    optional,
    positive_duration,
    unvalidated,
)


@define
class Sample:
    n: object = field(default=1, validator=int_at_least(1))
    k: object = field(default=5, validator=int_between(0, 10))
    x: object = field(default=0.5, validator=number_between(0, 1))
    s: object = field(default="a", validator=non_empty_str)
    d: object = field(default=timedelta(1), validator=positive_duration)
    z: object = field(default=timedelta(0), validator=non_negative_duration)
    t: object = field(default=datetime(2025, 1, 1, tzinfo=UTC), validator=aware_datetime)
    day: object = field(default=date(2025, 1, 1), validator=is_date)
    o: object = field(default=None, validator=optional(int_at_least(0)))
    flag: object = field(default=False, validator=is_bool)
    text: object = field(default="", validator=is_str)
    kind: object = field(default=date(2025, 1, 1), validator=instance_of(date, "a date"))


def test_defaults_are_valid() -> None:
    """The sample's defaults pass every validator."""
    assert Sample().o is None
    assert Sample(o=3).o == 3


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("n", 0, "n: expected an integer >= 1, got 0"),
        ("n", True, "n: expected an integer >= 1, got True"),
        ("k", 11, "k: expected an integer from 0 to 10, got 11"),
        ("x", 1.5, "x: expected a number from 0 to 1, got 1.5"),
        ("x", False, "x: expected a number from 0 to 1, got False"),
        ("s", "  ", "s: expected a non-empty string, got '  '"),
        ("d", timedelta(0), "d: expected a positive duration"),
        ("z", timedelta(-1), "z: expected a duration >= 0"),
        ("t", datetime(2025, 1, 1), "t must be timezone-aware"),
        ("day", datetime(2025, 1, 1, tzinfo=UTC), "day: expected a datetime.date"),
        ("o", -1, "o: expected an integer >= 0, got -1"),
        ("flag", 1, "flag: expected True or False, got 1"),
        ("text", None, "text: expected a string, got None"),
        ("kind", "2025-01-01", "kind: expected a date, got '2025-01-01'"),
    ],
)
def test_bad_values_name_their_field(name: str, value: object, expected: str) -> None:
    """Each validator says which field, what it expected and what it got."""
    with pytest.raises(ValidationError) as info:
        Sample(**{name: value})  # type: ignore[arg-type]
    assert str(info.value).startswith(expected)
    assert info.value.field == name


@frozen
class Slip:
    id: str = field(validator=non_empty_str)
    note: str = field(default="", kw_only=True, validator=is_str)


def test_unvalidated_builds_what_the_class_builds() -> None:
    """The same fields give an equal value, the defaults filled in."""
    assert unvalidated(Slip)(id="S-1") == Slip("S-1")


def test_unvalidated_runs_no_validator() -> None:
    """A value the class would refuse is set as given: only for fields checked already."""
    assert unvalidated(Slip)(id="", note="n").id == ""


def test_unvalidated_needs_every_field_without_a_default() -> None:
    """A required field left out is a TypeError naming it, as the class's own."""
    with pytest.raises(TypeError, match="Slip.. missing 1 required keyword-only argument: 'id'"):
        unvalidated(Slip)(note="n")


def test_unvalidated_refuses_a_field_the_class_lacks() -> None:
    """A misspelt field is a TypeError naming it, never ignored."""
    with pytest.raises(TypeError, match="Slip.. got an unexpected keyword argument 'nte'"):
        unvalidated(Slip)(id="S-1", nte="n")


def test_unvalidated_refuses_a_class_that_checks_its_fields_together() -> None:
    """A post-init hook would not run: such a class has no unvalidated constructor."""

    @frozen
    class Checked:
        low: int

        def __attrs_post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="Checked makes or checks its fields as a whole"):
        unvalidated(Checked)


def test_unvalidated_refuses_a_class_without_slots() -> None:
    """Its fields are set through the class's slots: a class with a __dict__ is refused."""

    @frozen(slots=False)
    class Loose:
        low: int

    with pytest.raises(TypeError, match="Loose makes or checks its fields as a whole"):
        unvalidated(Loose)


def test_unvalidated_refuses_a_default_made_by_a_factory() -> None:
    """A factory default would be shared, not made: refused."""

    @frozen
    class Made:
        items: list[int] = field(factory=list)

    with pytest.raises(TypeError, match="Made makes or checks its fields as a whole"):
        unvalidated(Made)
