"""VIP card numbers and their sequences, checked at the boundary (RULES § 3, 002 § 23).

A card number is a 2-letter prefix, a level digit 0/1/2 and a sequence 001-999;
sequences run per (prefix, level) and are never reused, so exhausting 999 is an
error that says how to issue more. Every refusal is checked in full: the field,
what it expects, the value given and, where there is one, the fix.
"""

import pytest

from propcrm.errors import ValidationError
from propcrm.vip import CardNumber, CardNumbersExhaustedError, MemorySequenceAllocator, VipLevel

LEVELS = "a VipLevel (0 group leadership, 1 government official, 2 other)"
LAST = "a mapping of (prefix, level) -> last number given, e.g. {('JK', VipLevel.OTHER): 12}"


def refused(build: object) -> str:
    """The message of the ValidationError that calling ``build`` raises."""
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]
    return str(caught.value)


# --- card numbers ------------------------------------------------------------------------------


def test_a_card_number_prefix_is_two_capital_letters() -> None:
    """CardNumber('jk', ...): the prefix is named, with an example of a good one."""
    assert refused(lambda: CardNumber("jk", VipLevel.OTHER, 1)) == (
        "prefix: expected 2 capital letters, got 'jk'; e.g. 'JK'"
    )


def test_a_card_number_level_is_a_vip_level() -> None:
    """CardNumber built with the digit 2 instead of VipLevel.OTHER: refused by field name."""
    assert refused(lambda: CardNumber("JK", 2, 1)) == (  # type: ignore[arg-type]
        "level: expected a VipLevel, got 2"
    )


def test_a_level_digit_3_is_refused_showing_the_digit() -> None:
    """JK3001: there is no level 3, and the message shows the '3' it read."""
    assert refused(lambda: CardNumber.parse("JK3001")) == (
        "card_number.level: expected a level digit 0, 1 or 2 "
        "(0 group leadership, 1 government official, 2 other), got '3'"
    )


# --- the allocator's arguments -----------------------------------------------------------------


def test_allocating_for_a_lower_case_prefix_is_refused() -> None:
    """allocate('jk', ...): the prefix is named, with an example of a good one."""
    assert refused(lambda: MemorySequenceAllocator().allocate("jk", VipLevel.OTHER)) == (
        "prefix: expected 2 capital letters, got 'jk'; e.g. 'JK'"
    )


def test_allocating_for_level_3_is_refused_listing_the_levels() -> None:
    """allocate('JK', 3): the three levels are listed, with an example."""
    assert refused(lambda: MemorySequenceAllocator().allocate("JK", 3)) == (  # type: ignore[arg-type]
        f"level: expected {LEVELS}, got 3; e.g. VipLevel.GOVERNMENT_OFFICIAL"
    )


def test_the_level_digit_0_means_group_leadership() -> None:
    """allocate('JK', 0) counts group-leadership numbers: JK0001 is the first."""
    allocator = MemorySequenceAllocator()
    assert allocator.allocate("JK", 0) == 1  # type: ignore[arg-type]
    assert allocator.last("JK", VipLevel.GROUP_LEADERSHIP) == 1


# --- resuming from stored counts ---------------------------------------------------------------


def test_resumed_counts_are_a_mapping() -> None:
    """A list of pairs is not the mapping of counts: refused, showing the expected shape."""
    assert refused(lambda: MemorySequenceAllocator([("JK", 2)])) == (  # type: ignore[arg-type]
        f"last: expected {LAST}, got [('JK', 2)]; pass a dict"
    )


def test_a_resumed_count_is_keyed_by_a_prefix_and_level_pair() -> None:
    """A key of three parts is not a (prefix, level) pair: refused, showing the key."""
    assert refused(lambda: MemorySequenceAllocator({("JK", 2, 1): 5})) == (  # type: ignore[dict-item]
        f"last: expected {LAST}, got ('JK', 2, 1)"
    )


def test_a_resumed_count_is_a_whole_number() -> None:
    """The count '3' as text: refused as not an integer count."""
    assert refused(lambda: MemorySequenceAllocator({("JK", VipLevel.OTHER): "3"})) == (  # type: ignore[dict-item]
        "last: expected integer counts, got '3'"
    )


def test_a_resumed_count_above_999_is_refused() -> None:
    """1000 numbers cannot have been handed out when the sequence ends at 999."""
    assert refused(lambda: MemorySequenceAllocator({("JK", VipLevel.OTHER): 1000})) == (
        "last: expected counts from 0 to 999, got 1000"
    )


def test_a_resumed_count_names_a_bad_level_as_part_of_last() -> None:
    """{('JK', 7): 1}: the level is refused under 'last', the argument that holds it."""
    assert refused(lambda: MemorySequenceAllocator({("JK", 7): 1})) == (  # type: ignore[dict-item]
        f"last: expected {LEVELS}, got 7; e.g. VipLevel.GOVERNMENT_OFFICIAL"
    )


def test_a_resumed_count_of_0_starts_at_1() -> None:
    """A stored count of 0 means none handed out yet: the next number is 1."""
    allocator = MemorySequenceAllocator({("JK", VipLevel.OTHER): 0})
    assert allocator.allocate("JK", VipLevel.OTHER) == 1


# --- the end of a sequence ---------------------------------------------------------------------


def test_the_999th_number_is_still_handed_out() -> None:
    """After JK2998 comes JK2999, the last number of the sequence."""
    allocator = MemorySequenceAllocator({("JK", VipLevel.OTHER): 998})
    assert allocator.allocate("JK", VipLevel.OTHER) == 999


def test_an_exhausted_sequence_says_how_to_issue_more() -> None:
    """After JK2999 the error names the range used up and points to another prefix."""
    allocator = MemorySequenceAllocator({("JK", VipLevel.OTHER): 999})
    with pytest.raises(CardNumbersExhaustedError) as caught:
        allocator.allocate("JK", VipLevel.OTHER)
    assert str(caught.value) == (
        "no card numbers left for JK2: JK2001-JK2999 have all been handed out and numbers "
        "are never reused; to issue more, the company needs another card prefix "
        "(vip.card_prefix)"
    )
