"""The contract of the append-only aggregates: card numbers and survey responses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings

from propcrm.errors import NotFoundError, ValidationError
from propcrm.satisfaction import SurveyResponse
from propcrm.testing.contract._samples import HOSTILE_TEXTS
from propcrm.testing.contract._support import SHARED_SUITE, AbortError, abort_after, response_on
from propcrm.testing.strategies import survey_responses
from propcrm.vip import MAX_SEQUENCE, CardNumbersExhaustedError, VipLevel


class CardNumberContract:
    """What the card-number allocator promises: one gap-free sequence per prefix and level."""

    def test_card_numbers_count_up_per_prefix_and_level(self, store: Any) -> None:
        """Each (prefix, level) has its own sequence starting at 1."""
        allocate = store.card_numbers.allocate
        drawn = [allocate("JK", VipLevel.OTHER) for _ in range(3)]
        others = [allocate("JK", VipLevel.GROUP_LEADERSHIP), allocate("AB", VipLevel.OTHER)]
        assert (drawn, others) == ([1, 2, 3], [1, 1])

    def test_card_numbers_refuse_an_unknown_level(self, store: Any) -> None:
        """A level that is not a VipLevel is refused by name, and draws nothing."""
        with pytest.raises(ValidationError, match=r"^level: expected a VipLevel"):
            store.card_numbers.allocate("JK", 7)
        assert store.card_numbers.allocate("JK", VipLevel.OTHER) == 1

    def test_card_numbers_run_out_after_999(self, store: Any) -> None:
        """The 1,000th number of a level is refused, and stays refused."""
        with store.transaction():
            last = [store.card_numbers.allocate("JK", VipLevel.OTHER) for _ in range(MAX_SEQUENCE)]
        assert last[-1] == MAX_SEQUENCE
        for _ in range(2):
            with pytest.raises(CardNumbersExhaustedError, match="JK2001-JK2999"):
                store.card_numbers.allocate("JK", VipLevel.OTHER)

    def test_card_numbers_drawn_in_a_rolled_back_transaction_are_reused(self, store: Any) -> None:
        """A rolled-back issue gives its number back: the sequence has no holes."""
        with pytest.raises(AbortError):
            abort_after(store, lambda: store.card_numbers.allocate("JK", VipLevel.OTHER))
        assert store.card_numbers.allocate("JK", VipLevel.OTHER) == 1


class SurveyResponseContract:
    """What the append-only survey responses promise: distinct ids, periods, rollback."""

    def test_survey_responses_get_distinct_ids_and_read_back(self, store: Any) -> None:
        """add() numbers responses; get() returns an equal copy."""
        responses = [response_on(community, 1) for community in HOSTILE_TEXTS[:4]]
        ids = [store.survey_responses.add(r) for r in responses]
        assert len(set(ids)) == 4
        assert [store.survey_responses.get(id) for id in ids] == responses

    def test_survey_responses_per_community_and_period(self, store: Any) -> None:
        """for_community(c, start, end) is half-open and in answer order."""
        store.survey_responses.add_all(
            [
                response_on("东区", 10),
                response_on("东区", 1),
                response_on("西区", 5),
                response_on("东区", 31),
            ]
        )
        found = store.survey_responses.for_community("东区", date(2025, 3, 1), date(2025, 3, 31))
        assert [r.answered_on.day for r in found] == [1, 10]

    def test_survey_responses_of_every_community_in_a_period(self, store: Any) -> None:
        """answered_between(start, end) is half-open, every community, in answer order."""
        store.survey_responses.add_all(
            [response_on("东区", 10), response_on("东区", 1), response_on("西区", 5),
             response_on("东区", 31)]
        )  # fmt: skip
        found = store.survey_responses.answered_between(date(2025, 3, 1), date(2025, 3, 31))
        assert [(r.community, r.answered_on.day) for r in found] == [
            ("东区", 1),
            ("西区", 5),
            ("东区", 10),
        ]

    def test_survey_periods_must_be_dates(self, store: Any) -> None:
        """A period bound that is not a date is refused by name."""
        with pytest.raises(ValidationError, match="end"):
            store.survey_responses.answered_between(date(2025, 3, 1), "2025-04-01")

    def test_survey_responses_roll_back_with_their_transaction(self, store: Any) -> None:
        """Responses added in a failed transaction are gone, and a missing id is not found."""
        with pytest.raises(AbortError):
            abort_after(store, lambda: store.survey_responses.add(response_on("东区", 1)))
        assert len(store.survey_responses) == 0
        with pytest.raises(NotFoundError):
            store.survey_responses.get("1")

    @settings(max_examples=25, suppress_health_check=SHARED_SUITE)
    @given(response=survey_responses())
    def test_any_survey_response_round_trips(self, store: Any, response: SurveyResponse) -> None:
        """Every valid response comes back equal."""
        assert store.survey_responses.get(store.survey_responses.add(response)) == response
