"""Reasons: the shared shape of every engine's 'why'."""

import pytest

from propcrm import Reason, ValidationError


def test_reason_prints_its_source() -> None:
    """A reason reads as '[source] message'."""
    r = Reason("tier.d.arrears", "owes 7 months of fees", {"months": 7}, "002 §7")
    assert str(r) == "[002 §7] owes 7 months of fees"
    assert r.facts == {"months": 7}


def test_reason_without_source_is_just_the_message() -> None:
    """propcrm's own decisions have no source article."""
    assert str(Reason("x.y", "a decision of ours")) == "a decision of ours"


def test_reason_is_hashable_and_comparable() -> None:
    """Reasons compare by value and can live in sets."""
    a = Reason("r", "m", {"k": [1]}, "s")
    b = Reason("r", "m", {"k": [1]}, "s")
    assert a == b
    assert len({a, b}) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rule": "", "message": "m"}, "rule"),
        ({"rule": "r", "message": " "}, "message"),
        ({"rule": "r", "message": "m", "facts": [1]}, "facts"),
    ],
)
def test_reason_rejects_empty_parts(kwargs: dict[str, object], field: str) -> None:
    """A reason needs a rule id and a message; facts are a mapping."""
    with pytest.raises(ValidationError, match=f"^{field}: expected"):
        Reason(**kwargs)  # type: ignore[arg-type]
