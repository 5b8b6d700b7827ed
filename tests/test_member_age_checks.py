"""A household member's age on a day, and the errors that name the day.

RULES § 2: segments are decided on ages taken on a given day; a day that is not a date,
or one before the member was born, is refused naming the argument ``on``.
"""

from datetime import date, datetime

import pytest

from propcrm.customers import Member
from propcrm.errors import ValidationError

BORN = date(1990, 5, 1)


def test_a_moment_instead_of_a_day_is_refused_naming_on() -> None:
    """age_on(datetime): 'on: expected a datetime.date', whatever the moment."""
    with pytest.raises(ValidationError) as caught:
        Member("李", BORN).age_on(datetime(2025, 6, 1, 9))  # type: ignore[arg-type]
    assert caught.value.field == "on"
    assert str(caught.value) == (
        "on: expected a datetime.date, got datetime.datetime(2025, 6, 1, 9, 0)"
    )


def test_a_day_before_the_birth_date_is_refused_and_shown() -> None:
    """Asked for 30 April 1990, a day before birth: the message gives the birth date and the day."""
    with pytest.raises(ValidationError) as caught:
        Member("李", BORN).age_on(date(1990, 4, 30))
    assert caught.value.field == "on"
    assert str(caught.value) == (
        "on: expected a day on or after the birth date 1990-05-01, got datetime.date(1990, 4, 30)"
    )
