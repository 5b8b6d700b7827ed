"""What the service levels promise: allowances, targets, target sets and overlays.

Part of :mod:`propcrm.sla`, which re-exports the public names. Annotations are
evaluated here, not postponed, because :mod:`propcrm.sla` presents these
classes as its own.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum
from typing import Any, Protocol, Self

from attrs import field, frozen

from propcrm._checks import as_items, as_tuple, is_items, require_duration
from propcrm._sla_timeline import GRADES, TIERS, EventKind, label
from propcrm._validators import int_at_least, non_empty_str
from propcrm.errors import ValidationError

__all__ = [
    "MILESTONES",
    "REOPENABLE",
    "RESOLUTION",
    "Allowance",
    "AllowanceKind",
    "Overlay",
    "SlaCalendar",
    "SlaTarget",
    "TargetSet",
]

_ZERO = timedelta(0)
#: The complaint resolution target: it follows ``grading.resolve_within``, never an overlay.
RESOLUTION = "resolution"
MILESTONES = frozenset(
    {
        EventKind.RECEIVED,
        EventKind.ANSWERED,
        EventKind.DISPATCHED,
        EventKind.ARRIVED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    }
)
REOPENABLE = frozenset({EventKind.RESOLVED, EventKind.CLOSED})


class SlaCalendar(Protocol):
    """The business-calendar operations an SLA clock needs (see ``propcrm.calendar``)."""

    @property
    def tz(self) -> tzinfo:
        """The calendar's zone."""
        ...

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant where the business time since ``start`` equals ``duration``."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants."""
        ...

    def next_working_time(self, at: datetime) -> datetime:
        """``at`` if it is working time, else the next working instant."""
        ...

    def close_of_day(self, at: datetime) -> datetime:
        """Close of the working day containing ``at``, or of the next one."""
        ...

    def is_provisional(self, on: date) -> bool:
        """Whether ``on`` lies past the last official holiday schedule."""
        ...


class AllowanceKind(Enum):
    """How an allowance ends."""

    BUSINESS = "business"  #: ``duration`` of business time on the target's calendar
    WALL = "wall"  #: ``duration`` of calendar (wall-clock) time
    #: close of the working day, ``days`` working days on; never less than ``lead``
    CLOSE_OF_DAY = "close_of_day"
    APPOINTMENT = "appointment"  #: the agreed appointment + ``grace``; else ``duration``


@frozen
class Allowance:
    """The time a target allows. Build one with the class methods.

    Attributes:
        kind: Which of the four shapes.
        duration: ``BUSINESS``/``WALL``: the time allowed; ``APPOINTMENT``: the
            business time allowed while no appointment is agreed.
        days: ``CLOSE_OF_DAY``: 0 for the same working day (不过夜), n for the n-th next one.
        grace: ``APPOINTMENT``: how late after the appointment still counts as on time.
        lead: ``CLOSE_OF_DAY``: the minimum lead, in business time. When less than
            this remains before the close, the due moment is the start plus the
            lead instead (RULES.md §5).
    """

    kind: AllowanceKind
    duration: timedelta = _ZERO
    days: int = field(default=0, validator=int_at_least(0))
    grace: timedelta = _ZERO
    lead: timedelta = _ZERO

    def __attrs_post_init__(self) -> None:
        kind = self.kind
        if not isinstance(kind, AllowanceKind):
            raise ValidationError.expected("kind", "an AllowanceKind", kind)
        for name in ("duration", "grace", "lead"):
            require_duration(getattr(self, name), name)
        timed = kind is not AllowanceKind.CLOSE_OF_DAY
        if timed != (self.duration > _ZERO) or self.duration < _ZERO:
            what = "a positive duration" if timed else "no duration (0s)"
            raise ValidationError.expected(
                "duration", f"{what} for a {kind.value} allowance", self.duration
            )
        if self.days and timed:
            raise ValidationError.expected("days", f"0 for a {kind.value} allowance", self.days)
        if (self.grace and kind is not AllowanceKind.APPOINTMENT) or self.grace < _ZERO:
            raise ValidationError.expected(
                "grace", "0s, or a duration >= 0 on an appointment allowance", self.grace
            )
        if (self.lead and timed) or self.lead < _ZERO:
            raise ValidationError.expected(
                "lead", "0s, or a duration >= 0 on a close_of_day allowance", self.lead
            )

    @classmethod
    def business(cls, duration: timedelta) -> Self:
        """``duration`` of business time, e.g. 8 working hours."""
        return cls(AllowanceKind.BUSINESS, duration)

    @classmethod
    def wall(cls, duration: timedelta) -> Self:
        """``duration`` of calendar time, e.g. 3 days."""
        return cls(AllowanceKind.WALL, duration)

    @classmethod
    def same_day(cls, lead: timedelta = _ZERO) -> Self:
        """By close of the working day the clock starts in (不过夜), with a minimum ``lead``.

        The due moment is that close, unless less than ``lead`` of business
        time remains before it; then it is the start plus ``lead`` (RULES.md §5).
        """
        return cls(AllowanceKind.CLOSE_OF_DAY, lead=lead)

    @classmethod
    def working_days(cls, n: int) -> Self:
        """By close of the ``n``-th working day after the one the clock starts in."""
        return cls(AllowanceKind.CLOSE_OF_DAY, days=n)

    @classmethod
    def appointment(cls, otherwise: timedelta, grace: timedelta = _ZERO) -> Self:
        """At the agreed appointment (+ ``grace``); before one is agreed, ``otherwise``."""
        return cls(AllowanceKind.APPOINTMENT, otherwise, grace=grace)


def _warnings(value: Iterable[float]) -> tuple[float, ...]:
    return as_items(value, "warnings", "a list of fractions")


def _check_warnings(instance: object, attribute: Any, value: tuple[float, ...]) -> None:
    ok = all(isinstance(w, float | int) and not isinstance(w, bool) and 0 < w < 1 for w in value)
    if not ok or list(value) != sorted(set(value)):
        raise ValidationError.expected(
            attribute.name,
            "ascending fractions strictly between 0 and 1",
            value,
            "e.g. [0.5, 0.75, 0.9]",
        )


def _labels(values: object) -> tuple[str, ...]:
    items = as_tuple(values)
    return tuple(label(v) for v in items) if isinstance(items, tuple) else items


def _names(instance: object, attribute: Any, value: tuple[str, ...]) -> None:
    if not all(isinstance(r, str) and r.strip() for r in value):
        raise ValidationError.expected(attribute.name, "non-empty names", value)


def _all_in(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for i, value in enumerate(values):
        if value not in allowed:
            raise ValidationError.expected(f"{name}[{i}]", f"one of {', '.join(allowed)}", value)


@frozen
class SlaTarget:
    """One service-level target: a clock from ``start`` to ``stop`` with an allowance.

    Attributes:
        name: A stable name, e.g. ``"dispatch"``; statuses, overlays and attainment use it.
        start: The event that starts the clock (its first occurrence).
        stop: The event that stops it; a ``REOPENED`` item runs again until the next one.
            A clock whose stop event has not happened by the time the item is
            resolved (or closed) stops there: met if that was within the
            allowance, else breached at the due time; reopening runs it again.
        allowance: The time allowed.
        calendar: The name of the business calendar the clock runs on.
        pause_on: Pause reasons that stop this clock, e.g. ``("waiting_on_customer",)``.
            ``"appointment"`` pauses it while an agreed appointment is awaited:
            from ``APPOINTMENT_SET`` (or a change) until the agreed time, the
            next change or an arrival, whichever comes first.
        warnings: Fractions of the allowance that raise a warning when consumed.
        source: The article the target comes from, e.g. ``"000 §3.2"``, or ``"Decision"``.
    """

    name: str = field(validator=non_empty_str)
    start: EventKind = field()
    stop: EventKind = field()
    allowance: Allowance = field()
    calendar: str = field(default="desk", validator=non_empty_str)
    pause_on: tuple[str, ...] = field(default=(), converter=as_tuple, validator=[is_items, _names])
    warnings: tuple[float, ...] = field(
        default=(0.5, 0.75, 0.9), converter=_warnings, validator=_check_warnings
    )
    source: str = ""

    @start.validator
    def _check_start(self, attribute: Any, value: object) -> None:
        if not isinstance(value, EventKind) or value not in MILESTONES or value in REOPENABLE:
            allowed = sorted(k.value for k in MILESTONES - REOPENABLE)
            raise ValidationError.expected("start", f"one of {allowed}", value)

    @stop.validator
    def _check_stop(self, attribute: Any, value: object) -> None:
        if (
            not isinstance(value, EventKind)
            or value not in MILESTONES
            or value is EventKind.RECEIVED
            or value is self.start
        ):
            raise ValidationError.expected("stop", "a milestone event after the start event", value)

    @allowance.validator
    def _check_allowance(self, attribute: Any, value: object) -> None:
        if not isinstance(value, Allowance):
            raise ValidationError.expected("allowance", "an Allowance", value)


def _non_empty_names(instance: object, attribute: Any, value: tuple[str, ...]) -> None:
    _names(instance, attribute, value)
    if not value:
        raise ValidationError.expected(
            attribute.name, "at least one work-order kind", value, "e.g. ['repair.in_home']"
        )


@frozen
class TargetSet:
    """A named set of targets for the work-order kinds it lists.

    Attributes:
        name: The set's name, e.g. ``"repair.in_home"``.
        targets: Its targets, names unique within the set.
        kinds: The work-order kinds it applies to (at least one): together, the
            sets' kinds are the kinds the policy knows.
        grades: Complaint grades it applies to (empty = any).
        tiers: Customer tiers it applies to (empty = any).
    """

    name: str = field(validator=non_empty_str)
    targets: tuple[SlaTarget, ...] = field(default=(), converter=as_tuple, validator=is_items)
    kinds: tuple[str, ...] = field(
        default=(),
        converter=as_tuple,
        validator=[is_items, _non_empty_names],
    )
    grades: tuple[str, ...] = field(default=(), converter=_labels, validator=is_items)
    tiers: tuple[str, ...] = field(default=(), converter=_labels, validator=is_items)

    @targets.validator
    def _check_targets(self, attribute: Any, value: tuple[SlaTarget, ...]) -> None:
        for i, target in enumerate(value):
            if not isinstance(target, SlaTarget):
                raise ValidationError.expected(f"targets[{i}]", "an SlaTarget", target)
        names = [t.name for t in value]
        if len(set(names)) != len(names):
            raise ValidationError.expected("targets", "targets with distinct names", names)

    @grades.validator
    def _check_grades(self, attribute: Any, value: tuple[str, ...]) -> None:
        _all_in("grades", value, GRADES)

    @tiers.validator
    def _check_tiers(self, attribute: Any, value: tuple[str, ...]) -> None:
        _all_in("tiers", value, TIERS)

    def applies_to(self, kind: str, grade: str, tier: str) -> bool:
        """Whether every condition of the set holds for the item."""
        return (
            kind in self.kinds
            and (not self.grades or grade in self.grades)
            and (not self.tiers or tier in self.tiers)
        )


def _allowances(value: Mapping[str, Allowance]) -> dict[str, Allowance]:
    if not isinstance(value, Mapping):
        raise ValidationError.expected(
            "targets", "a table of allowances by target name", value, "e.g. {dispatch = ...}"
        )
    return dict(value)


def _check_allowances(instance: object, attribute: Any, value: dict[str, Allowance]) -> None:
    if not value:
        raise ValidationError.expected("targets", "at least one target to adjust", value)
    for name, allowance in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ValidationError.expected("targets", "non-empty target names", name)
        if name == RESOLUTION:
            raise ValidationError.expected(
                "targets.resolution",
                "no resolution target",
                allowance,
                "complaint resolution follows grading.resolve_within and no overlay changes it",
            )
        if not isinstance(allowance, Allowance):
            raise ValidationError.expected(f"targets.{name}", "an Allowance", allowance)


@frozen
class Overlay:
    """Differentiated service: new allowances for named targets of the selected set.

    An overlay never replaces a set. When the item's tier and property type
    match, each target of the set :meth:`SlaPolicy.select` found whose name
    the overlay lists gets the overlay's allowance (and its ``source``); other
    targets are untouched, and so are sets without those targets. Overlays
    apply in order, so a later one wins for the same target. Complaint
    ``resolution`` targets are never adjusted (RULES.md §5).

    Attributes:
        name: A stable name, e.g. ``"tier_a.dispatch"``.
        targets: The new allowance by target name, e.g. ``{"dispatch": Allowance.business(...)}``.
        tiers: Customer tiers it applies to.
        property_types: Property types it applies to.
        kinds: Work-order kinds it applies to (empty = any kind).
        source: Where the values come from, e.g. ``"Decision (RULES §5)"``.

    At least one of ``tiers`` and ``property_types`` is given: an overlay
    differentiates; to change a target for everyone, change its set.
    """

    name: str = field(validator=non_empty_str)
    targets: dict[str, Allowance] = field(converter=_allowances, validator=_check_allowances)
    tiers: tuple[str, ...] = field(default=(), converter=_labels, validator=is_items)
    property_types: tuple[str, ...] = field(
        default=(),
        converter=as_tuple,
        validator=[is_items, _names],
    )
    kinds: tuple[str, ...] = field(default=(), converter=as_tuple, validator=[is_items, _names])
    source: str = ""

    @tiers.validator
    def _check_tiers(self, attribute: Any, value: tuple[str, ...]) -> None:
        _all_in("tiers", value, TIERS)

    def __attrs_post_init__(self) -> None:
        if not self.tiers and not self.property_types:
            raise ValidationError.expected(
                "tiers",
                "a tier or a property type the overlay applies to",
                self.tiers,
                "to change a target for every item, change its set",
            )

    def applies_to(self, kind: str, tier: str, property_type: str) -> bool:
        """Whether the overlay adjusts an item of this kind, tier and property type."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.tiers or tier in self.tiers)
            and (not self.property_types or property_type in self.property_types)
        )
