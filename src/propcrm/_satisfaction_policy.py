"""The satisfaction policy: survey dimensions, KPI names and their targets.

Public through :mod:`propcrm.satisfaction`; this module is private. Every default
cites the seed article whose text states it, or "Decision" (``RULES.md`` §7).
"""

from __future__ import annotations

import math
import re
from enum import Enum
from typing import Any

import attrs
from attrs import field, frozen

from propcrm._checks import require_text
from propcrm._validators import int_at_least, int_between, is_bool, non_empty_str, number_between
from propcrm.errors import ValidationError

__all__ = ["Kpi", "SatisfactionPolicy", "SurveyDimension"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Kpi(Enum):
    """The indicators of 001 §2.2 as a :class:`KpiScorecard` reports them."""

    OVERALL_SATISFACTION = "overall_satisfaction"  #: 总体满意率, top-2-box of the overall question
    SATISFACTION_INDEX = "satisfaction_index"  #: weighted dimension index, 0-100
    NPS = "nps"  #: Net Promoter Score in points
    LOYALTY = "loyalty"  #: 客户忠诚度, share answering at least ``loyal_from``
    COMPLAINT_RESOLUTION_SATISFACTION = "complaint_resolution_satisfaction"  #: 投诉解决满意度
    RESPONSE_TIMELINESS = "response_timeliness"  #: 需求响应及时率
    PROBLEM_RESOLUTION_RATE = "problem_resolution_rate"  #: 问题解决率, problems resolved
    PROBLEM_RESOLUTION_TIMELINESS = "problem_resolution_timeliness"  #: 问题解决及时率
    COMPLAINT_HANDLING_TIMELINESS = "complaint_handling_timeliness"  #: 投诉处理及时率
    CALLBACK_HANDLING_RATE = "callback_handling_rate"  #: 回访处理率, callback issues handled
    COMPLAINT_RATE = "complaint_rate"  #: 投诉率, complaints per household served
    REPEAT_COMPLAINT_RATE = "repeat_complaint_rate"  #: 重复投诉率, repeats per complaint


#: The KPIs that are shares of a count (every KPI but NPS and the index).
RATE_KPIS = frozenset(Kpi) - {Kpi.NPS, Kpi.SATISFACTION_INDEX}
#: The KPIs that must stay below their target.
LOWER_IS_BETTER = frozenset({Kpi.COMPLAINT_RATE, Kpi.REPEAT_COMPLAINT_RATE})


def _weight(instance: object, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError.expected(attribute.name, "a number", value)
    if value < 0:
        raise ValidationError.expected(
            attribute.name, "a relative weight >= 0", value, "0 keeps a dimension out of the index"
        )


@frozen
class SurveyDimension:
    """One survey dimension (调查维度): its title, relative weight and whether it is asked.

    Attributes:
        title: What the questionnaire calls it, e.g. ``"安保 security"``.
        weight: Its relative weight in the overall index; weights are normalised over
            the dimensions switched on when used, so ``1`` everywhere weighs them
            equally. ``0`` scores the dimension on its own but keeps it out of the index.
        enabled: Whether the survey asks it; a rating of a dimension switched off is
            an error.
        source: The seed article that names it, or ``"Decision"``.
    """

    title: str = field(validator=non_empty_str)
    weight: float = field(default=1, validator=_weight)
    enabled: bool = field(default=True, validator=is_bool)
    source: str = field(default="Decision", validator=non_empty_str)


def _default_dimensions() -> dict[str, SurveyDimension]:
    core = "001 §2.1"  # 安保、清洁、绿化、工程维修、客户服务中心、社区文化、增值服务
    extra = "002 §45"  # 绿化环境、邻里关系、小区指牌、房屋质量、户型、功能布局、采光、通风、朝向
    return {
        "security": SurveyDimension("安保 security", source=core),
        "cleaning": SurveyDimension("清洁 cleaning", source=core),
        "greening": SurveyDimension("绿化 greening", source=f"{core}; {extra}"),
        "engineering": SurveyDimension("工程维修 engineering and repair", source=core),
        "service_centre": SurveyDimension("客户服务中心 customer-service centre", source=core),
        "community_culture": SurveyDimension("社区文化 community culture", source=core),
        "value_added": SurveyDimension("增值服务 value-added services", source=core),
        "neighbour_relations": SurveyDimension("邻里关系 neighbour relations", 1, False, extra),
        "signage": SurveyDimension("小区指牌 signage", 1, False, extra),
        "house_quality": SurveyDimension("房屋质量 house quality", 1, False, extra),
        "layout": SurveyDimension("户型、功能布局 layout", 1, False, extra),
        "light": SurveyDimension("采光 light", 1, False, extra),
        "ventilation": SurveyDimension("通风 ventilation", 1, False, extra),
        "orientation": SurveyDimension("朝向 orientation", 1, False, extra),
    }


def _default_targets() -> dict[str, float]:
    return {
        Kpi.OVERALL_SATISFACTION.value: 0.85,  # 002 Dongke KPI: 客户总体满意率 >= 85 %
        Kpi.LOYALTY.value: 0.85,  # 002 Dongke KPI: 客户忠诚度 >= 85 %
        Kpi.COMPLAINT_RESOLUTION_SATISFACTION.value: 0.90,  # 000 §3.2: 投诉解决满意度 >= 90 %
        Kpi.RESPONSE_TIMELINESS.value: 0.95,  # 000 §3.2: 需求响应及时率 >= 95 %
        Kpi.COMPLAINT_HANDLING_TIMELINESS.value: 1.0,  # 002 Dongke KPI: 投诉处理及时率 100 %
        Kpi.CALLBACK_HANDLING_RATE.value: 1.0,  # 002 住宅区回访制度 一.4: 回访处理率达100%
        Kpi.COMPLAINT_RATE.value: 0.01,  # 002 住宅区回访制度 一.4: 投诉率控制在1%以下
        # 001 §2.2 names the next three and gives no number: Decisions (docs: satisfaction).
        # Resolved and resolved in time, the 95 % bar of response timeliness (000 §3.2).
        Kpi.PROBLEM_RESOLUTION_RATE.value: 0.95,
        Kpi.PROBLEM_RESOLUTION_TIMELINESS.value: 0.95,
        # Below 10 %: at most the share a complaint-resolution satisfaction of 90 %
        # (000 §3.2) leaves dissatisfied may complain again.
        Kpi.REPEAT_COMPLAINT_RATE.value: 0.10,
    }


def _check_dimensions(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError.expected(attribute.name, "a table of survey dimensions", value)
    titles: dict[str, str] = {}
    for name, dimension in value.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValidationError.expected(
                attribute.name, "dimension names in lower case, e.g. 'parking'", name
            )
        if not isinstance(dimension, SurveyDimension):
            raise ValidationError.expected(
                f"{attribute.name}.{name}", "a SurveyDimension", dimension
            )
        other = titles.setdefault(dimension.title.casefold(), name)
        if other != name:
            raise ValidationError.expected(
                f"{attribute.name}.{name}.title",
                f"a title unique among the dimensions ({other!r} has it)",
                dimension.title,
            )
    if not any(d.enabled and d.weight > 0 for d in value.values()):
        raise ValidationError.expected(
            attribute.name,
            "at least one dimension switched on with a weight above 0",
            sorted(value),
            "the overall index needs something to weigh",
        )


def _check_min_answered(instance: Any, attribute: Any, value: Any) -> None:
    int_at_least(1)(instance, attribute, value)
    weighted = sum(1 for d in instance.dimensions.values() if d.enabled and d.weight > 0)
    if value > weighted:
        raise ValidationError.expected(
            attribute.name,
            f"at most {weighted} (the dimensions switched on with a weight above 0)",
            value,
        )


def _check_targets(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError.expected(attribute.name, "a table of KPI targets", value)
    for key, target in value.items():
        try:
            kpi = Kpi(key)
        except ValueError:
            known = ", ".join(k.value for k in Kpi)
            raise ValidationError.expected(attribute.name, f"KPI names from {known}", key) from None
        low, high = (-100.0, 100.0) if kpi is Kpi.NPS else (0.0, 100.0)
        if kpi in RATE_KPIS:
            low, high = 0.0, 1.0
        ok = isinstance(target, int | float) and not isinstance(target, bool)
        if not ok or not low <= target <= high:
            raise ValidationError.expected(
                f"{attribute.name}.{key}",
                f"a target from {low:g} to {high:g}",
                target,
                "rates are fractions: write 0.85 for 85 %" if kpi in RATE_KPIS else None,
            )


@frozen
class SatisfactionPolicy:
    """The satisfaction sub-policy (``[satisfaction]`` in a policy file).

    Attributes:
        confidence: Confidence level of every interval a scorecard reports (Decision).
        dimensions: The survey dimensions by name. By default the seven of 001 §2.1
            are switched on with weight ``1`` each (Decision: the seeds give no
            weights), and the environment-and-product dimensions of 002 §45 ship
            switched off (greening is one dimension, shared by both). A company
            switches one on, adds its own or retitles one; renaming a dimension is
            switching the old name off and adding the new one.
        min_answered_dimensions: A respondent enters the overall index only after rating
            at least this many weighted dimensions (Decision: 4, a majority of seven).
        satisfied_from: The lowest 1-5 rating that counts as satisfied (Decision: 4,
            top-2-box).
        loyal_from: The lowest 0-10 recommendation answer that counts as loyal
            (Decision: 7, everyone who is not a detractor).
        targets: Target per :class:`Kpi` (by value); rates as fractions. A KPI without a
            target is reported with :attr:`KpiStatus.NO_TARGET` (by default the index
            and NPS). The problem-resolution rate and timeliness (at least 95 %) and
            the repeat-complaint rate (below 10 %) are Decisions: 001 §2.2 names
            them without a number. Lower is better for the
            complaint and repeat-complaint rates (the rate must stay below the target),
            higher for every other KPI (at least the target).

    >>> from propcrm.satisfaction import SatisfactionPolicy
    >>> len(SatisfactionPolicy().enabled), SatisfactionPolicy().dimensions["light"].enabled
    (7, False)
    >>> SatisfactionPolicy().switch_on("light").weights["light"]
    0.125
    """

    confidence: float = field(default=0.95, validator=number_between(0.5, 0.9999))
    dimensions: dict[str, SurveyDimension] = field(
        factory=_default_dimensions, validator=_check_dimensions
    )
    min_answered_dimensions: int = field(default=4, validator=_check_min_answered)
    satisfied_from: int = field(default=4, validator=int_between(2, 5))
    loyal_from: int = field(default=7, validator=int_between(1, 10))
    targets: dict[str, float] = field(factory=_default_targets, validator=_check_targets)

    @property
    def enabled(self) -> tuple[str, ...]:
        """The names of the dimensions switched on, in policy order."""
        return tuple(name for name, d in self.dimensions.items() if d.enabled)

    @property
    def weights(self) -> dict[str, float]:
        """The normalised weight of each dimension switched on; they sum to 1."""
        total = math.fsum(d.weight for d in self.dimensions.values() if d.enabled)
        return {name: self.dimensions[name].weight / total for name in self.enabled}

    def weight(self, dimension: str) -> float:
        """The normalised weight of ``dimension`` (0 when switched off or unknown)."""
        return self.weights.get(require_text(dimension, "dimension", "a dimension name"), 0.0)

    def switch_on(self, *names: str) -> SatisfactionPolicy:
        """This policy with the named (optional) dimensions switched on.

        Raises:
            ValidationError: a name that is not a dimension of the policy.
        """
        dimensions = dict(self.dimensions)
        for name in names:
            if name not in dimensions:
                raise unknown_dimension("names", name, dimensions)
            dimensions[name] = attrs.evolve(dimensions[name], enabled=True)
        return attrs.evolve(self, dimensions=dimensions)

    def check_dimension(self, where: str, name: object) -> str:
        """``name`` if it is a dimension switched on, else the error listing the known ones."""
        if not isinstance(where, str):
            require_text(where, "where", "the name of the field checked, e.g. 'ratings'")
        found = self.dimensions.get(name) if isinstance(name, str) else None
        if found is None or not found.enabled:
            raise unknown_dimension(where, name, self.dimensions)
        return name  # type: ignore[return-value]  # found is not None only for a str


def unknown_dimension(
    where: str, name: object, dimensions: dict[str, SurveyDimension]
) -> ValidationError:
    """The error for a dimension the policy does not know or has switched off."""
    known = ", ".join(n for n, d in dimensions.items() if d.enabled)
    if isinstance(name, str) and name in dimensions:
        hint = f"switch it on with satisfaction.dimensions.{name}.enabled = true"
    else:
        hint = "add it under satisfaction.dimensions"
    return ValidationError.expected(where, f"a survey dimension from {known}", name, hint)
