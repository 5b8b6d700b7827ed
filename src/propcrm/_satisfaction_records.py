"""The records the scorecard reads: survey answers and a period's service figures.

Public through :mod:`propcrm.satisfaction`; this module is private.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import field, frozen

from propcrm._satisfaction_index import ratings
from propcrm._satisfaction_scores import Attainment
from propcrm._stats import bad_answer, valid_answer
from propcrm._validators import int_at_least, is_date, non_empty_str
from propcrm.errors import ValidationError

__all__ = ["ServiceFigures", "SurveyResponse"]


def _optional_answer(low: int, high: int) -> Any:
    def check(instance: object, attribute: Any, value: Any) -> None:
        if value is not None and not valid_answer(value, low, high):
            raise bad_answer(attribute.name, value, low, high)

    return check


def _tier(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError.expected(attribute.name, "a tier label such as 'A'", value)


def _attainment(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Attainment):
        raise ValidationError.expected(attribute.name, "an Attainment(met, total)", value)


def _ratings_field(value: object) -> dict[str, int]:
    return ratings(value, "ratings")


@frozen
class SurveyResponse:
    """One household's answers to a satisfaction survey (满意度调查问卷).

    Attributes:
        household_id: The household that answered.
        community: The community (小区) it lives in.
        answered_on: The day of the answer (for monthly and quarterly grouping).
        tier: The household's customer tier label, e.g. ``"A"``; empty if unknown.
        recommend: The 0-10 answer to "would you recommend us?", or ``None``.
        overall: The 1-5 overall satisfaction rating, or ``None``.
        ratings: 1-5 rating per survey dimension rated, by the dimension's name in the
            policy (``None`` ratings are dropped as skipped). The names are checked
            against the policy when the responses are scored.
    """

    household_id: str = field(validator=non_empty_str)
    community: str = field(validator=non_empty_str)
    answered_on: date = field(validator=is_date)
    tier: str = field(default="", validator=_tier)
    recommend: int | None = field(default=None, validator=_optional_answer(0, 10))
    overall: int | None = field(default=None, validator=_optional_answer(1, 5))
    ratings: dict[str, int] = field(factory=dict, converter=_ratings_field, hash=False)


@frozen
class ServiceFigures:
    """Operational counts for one community (and tier) in one month.

    Attributes:
        community: The community.
        month: Any day of the month the figures cover.
        tier: The tier label the figures cover; empty for all tiers.
        households: Households served (the complaint rate's denominator).
        complaints: Complaints received.
        repeat_complaints: Complaints that repeat an earlier one (二次投诉).
        response_timeliness: Requests answered within their SLA target.
        problem_resolution: Problems reported (报修 and requests) that were resolved.
        problem_resolution_timeliness: Resolved problems resolved within their target.
        complaint_handling_timeliness: Complaints handled within their SLA target.
        callback_handling: Opinions, requests and complaints raised in callbacks (回访)
            that were handled (回访处理率, 件件有回音).
        complaint_resolution_satisfaction: Complaint callbacks in which the
            complainant was satisfied with the resolution.
    """

    community: str = field(validator=non_empty_str)
    month: date = field(validator=is_date)
    tier: str = field(default="", validator=_tier)
    households: int = field(default=0, validator=int_at_least(0))
    complaints: int = field(default=0, validator=int_at_least(0))
    repeat_complaints: int = field(default=0, validator=int_at_least(0))
    response_timeliness: Attainment = field(factory=Attainment, validator=_attainment)
    problem_resolution: Attainment = field(factory=Attainment, validator=_attainment)
    problem_resolution_timeliness: Attainment = field(factory=Attainment, validator=_attainment)
    complaint_handling_timeliness: Attainment = field(factory=Attainment, validator=_attainment)
    callback_handling: Attainment = field(factory=Attainment, validator=_attainment)
    complaint_resolution_satisfaction: Attainment = field(factory=Attainment, validator=_attainment)

    def __attrs_post_init__(self) -> None:
        if self.repeat_complaints > self.complaints:
            raise ValidationError.expected(
                "repeat_complaints",
                f"at most complaints ({self.complaints})",
                self.repeat_complaints,
            )
