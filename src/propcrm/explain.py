"""Why a decision came out as it did: the :class:`Reason` every engine returns.

A reason is data a supervisor can show a customer: which rule fired, a
sentence a person can read, the facts it used, and the article of the source
regulation it comes from.

>>> from propcrm.explain import Reason
>>> r = Reason("complaint.collective_hot", "3 people complained together",
...            {"headcount": 3}, "002 §40")
>>> str(r)
'[002 §40] 3 people complained together'
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from propcrm._validators import non_empty_str
from propcrm.errors import ValidationError

__all__ = ["Reason"]


def _facts(value: Mapping[str, object] | None) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError.expected("facts", "a mapping of fact names to values", value)
    return dict(value)


@frozen
class Reason:
    """One reason behind a decision.

    Attributes:
        rule: A stable rule id, e.g. ``"tier.a.government_official"``.
        message: A human sentence saying what fired.
        facts: The facts the rule used, by name.
        source: The source article, e.g. ``"002 §40"``; empty for propcrm's own decisions.
    """

    rule: str = field(validator=non_empty_str)
    message: str = field(validator=non_empty_str)
    facts: dict[str, object] = field(factory=dict, converter=_facts, hash=False)
    source: str = ""

    def __str__(self) -> str:
        return f"[{self.source}] {self.message}" if self.source else self.message
