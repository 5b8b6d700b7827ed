"""Which targets apply to which item: :class:`SlaPolicy`, its sets and its overlays.

Part of :mod:`propcrm.sla`, which re-exports it. Annotations are evaluated here,
not postponed, because :mod:`propcrm.sla` presents the class as its own.
"""

from collections.abc import Iterable
from typing import Any, Self

import attrs
from attrs import field, frozen

from propcrm._checks import as_tuple, is_items, require_instance, require_text
from propcrm._sla_defaults import DEFAULT_OVERLAYS, PROPERTY_TYPES, default_sets
from propcrm._sla_targets import Overlay, TargetSet
from propcrm._sla_timeline import label
from propcrm.complaints import GradeDurations
from propcrm.errors import ValidationError

__all__ = ["SlaPolicy"]


def _types(instance: object, attribute: Any, value: tuple[str, ...]) -> None:
    if not all(isinstance(v, str) and v.strip() for v in value) or len(set(value)) != len(value):
        raise ValidationError.expected(
            attribute.name, "distinct non-empty names", value, "e.g. ['residential', 'office']"
        )


def _known(what: str, known: Iterable[str]) -> str:
    return f"known {what}: {', '.join(sorted(known)) or 'none'}"


@frozen
class SlaPolicy:
    """Which targets apply to which item: the first set listing its kind, then the overlays.

    The sets' kinds are the work-order kinds the policy knows; an item of any
    other kind is an error that lists them (a company adds ``repair.elevator``
    with a set of its own). Overlays then adjust named targets of the set found
    for the item's tier and property type (RULES.md §5).

    >>> from propcrm.sla import SlaPolicy
    >>> [t.allowance.duration for t in SlaPolicy().select("request", tier="A").targets]
    [datetime.timedelta(seconds=1800), datetime.timedelta(seconds=3600)]

    Attributes:
        sets: Target sets in the order they are tried.
        overlays: Differentiated service by tier or property type, applied in order.
            By default, tier A: dispatch within 30 minutes and on site within 1
            hour of service time (Decision, RULES.md §5).
        property_types: The property types a community may have (004 §2.1:
            residential, commercial, office).
    """

    sets: tuple[TargetSet, ...] = field(
        factory=default_sets, converter=as_tuple, validator=is_items
    )
    overlays: tuple[Overlay, ...] = field(
        factory=lambda: DEFAULT_OVERLAYS, converter=as_tuple, validator=is_items
    )
    property_types: tuple[str, ...] = field(
        default=PROPERTY_TYPES,
        converter=as_tuple,
        validator=[is_items, _types],
    )

    @classmethod
    def default_for(cls, resolve_within: GradeDurations) -> Self:
        """The default policy with complaint resolution allowed ``resolve_within`` per grade.

        The root :class:`~propcrm.policy.Policy` builds its default ``sla`` this
        way from ``grading.resolve_within``, so the two never disagree.

        >>> from propcrm.sla import SlaPolicy
        >>> from datetime import timedelta
        >>> from propcrm.complaints import GradeDurations
        >>> longer = SlaPolicy.default_for(GradeDurations(major=timedelta(hours=96)))
        >>> [t.allowance.duration for t in longer.select("complaint", "major").targets]
        [datetime.timedelta(days=2), datetime.timedelta(days=4)]
        """
        require_instance(resolve_within, GradeDurations, "resolve_within", "a GradeDurations")
        return cls(sets=default_sets(resolve_within))

    def __attrs_post_init__(self) -> None:
        for i, target_set in enumerate(self.sets):
            if not isinstance(target_set, TargetSet):
                raise ValidationError.expected(f"sets[{i}]", "a TargetSet", target_set)
        for i, overlay in enumerate(self.overlays):
            if not isinstance(overlay, Overlay):
                raise ValidationError.expected(f"overlays[{i}]", "an Overlay", overlay)
        names = [s.name for s in self.sets]
        if not names or len(set(names)) != len(names):
            raise ValidationError.expected("sets", "at least one set, names distinct", names)
        names = [o.name for o in self.overlays]
        if len(set(names)) != len(names):
            raise ValidationError.expected("overlays", "overlays with distinct names", names)
        for i, overlay in enumerate(self.overlays):
            self._check_overlay(f"overlays[{i}]", overlay)

    def _check_overlay(self, where: str, overlay: Overlay) -> None:
        kinds = self.kinds
        for j, kind in enumerate(overlay.kinds):
            if kind not in kinds:
                raise ValidationError(
                    f"{where}.kinds[{j}]",
                    f"{where}.kinds[{j}]: unknown work-order kind {kind!r}; "
                    f"{_known('kinds', kinds)}; fix the overlay (or write overlays = [])",
                    kind,
                )
        for j, name in enumerate(overlay.property_types):
            if name not in self.property_types:
                raise ValidationError(
                    f"{where}.property_types[{j}]",
                    f"{where}.property_types[{j}]: unknown property type {name!r}; "
                    f"{_known('property types', self.property_types)}",
                    name,
                )
        targets = {
            t.name
            for s in self.sets
            if not overlay.kinds or set(s.kinds) & set(overlay.kinds)
            for t in s.targets
        }
        for name in overlay.targets:
            if name not in targets:
                raise ValidationError(
                    f"{where}.targets.{name}",
                    f"{where}.targets.{name}: no set the overlay applies to has a target "
                    f"{name!r}; {_known('targets', targets)}; fix the overlay (or write "
                    "overlays = [])",
                    name,
                )

    @property
    def kinds(self) -> frozenset[str]:
        """The work-order kinds the policy knows — every kind a set lists."""
        return frozenset(kind for s in self.sets for kind in s.kinds)

    @property
    def pause_reasons(self) -> frozenset[str]:
        """Every pause reason some target of the policy pauses on."""
        return frozenset(r for s in self.sets for t in s.targets for r in t.pause_on)

    def select(
        self, kind: str, grade: object = "", tier: object = "", property_type: str = ""
    ) -> TargetSet:  # grade and tier: a Grade or Tier, or its value
        """The targets for an item: the first set that applies, adjusted by the overlays.

        >>> from propcrm.sla import SlaPolicy
        >>> SlaPolicy().select("complaint", "major").name
        'complaint.major'
        >>> SlaPolicy().select("repair.inhome")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        propcrm.errors.ValidationError: kind: unknown work-order kind 'repair.inhome'; known ...

        Args:
            kind: The work-order kind.
            grade: The complaint grade in force, or empty.
            tier: The customer tier, or empty.
            property_type: The community's property type, or empty.

        Raises:
            ValidationError: an unknown kind or property type, or a grade or tier
                that no set for the kind accepts, listing the known ones.
        """
        require_text(kind, "kind", "a work-order kind, e.g. 'repair.in_home'")
        require_text(property_type, "property_type", "a property type, or ''")
        grade = require_text(label(grade), "grade", "a Grade, its value or ''")
        tier = require_text(label(tier), "tier", "a Tier, its value or ''")
        if property_type and property_type not in self.property_types:
            raise ValidationError(
                "property_type",
                f"property_type: unknown property type {property_type!r}; "
                f"{_known('property types', self.property_types)} (policy.sla.property_types)",
                property_type,
            )
        found = next((s for s in self.sets if s.applies_to(kind, grade, tier)), None)
        if found is None:
            if not kind:
                raise ValidationError(
                    "kind",
                    f"kind: the item has no work-order kind; {_known('kinds', self.kinds)}; "
                    "pass Timeline(kind=...)",
                    kind,
                )
            if kind in self.kinds:
                raise ValidationError(
                    "kind",
                    f"kind: no set for {kind!r} applies to grade {grade!r} and tier {tier!r}; "
                    "add a set without those conditions after the narrower ones",
                    kind,
                )
            raise ValidationError(
                "kind",
                f"kind: unknown work-order kind {kind!r}; {_known('kinds', self.kinds)}; "
                "add a set for it in policy.sla or fix the kind",
                kind,
            )
        adjusted = {
            name: (allowance, overlay.source)
            for overlay in self.overlays
            if overlay.applies_to(kind, tier, property_type)
            for name, allowance in overlay.targets.items()
        }
        if not adjusted:
            return found
        targets = tuple(
            attrs.evolve(t, allowance=adjusted[t.name][0], source=adjusted[t.name][1])
            if t.name in adjusted
            else t
            for t in found.targets
        )
        return attrs.evolve(found, targets=targets)
