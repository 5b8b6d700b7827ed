"""The event log of a work order or complaint: events, the timeline, and its index.

Part of :mod:`propcrm.sla`, which re-exports the public names; the bottom of the
SLA modules (it imports none of them). Annotations are evaluated here, not
postponed, because :mod:`propcrm.sla` presents these classes as its own.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Self

import attrs
from attrs import field, frozen

from propcrm._checks import as_items
from propcrm._time import require_aware
from propcrm.complaints import Grade
from propcrm.customers import Tier
from propcrm.errors import ValidationError

__all__ = [
    "APPOINTMENT",
    "GRADES",
    "TIERS",
    "Event",
    "EventKind",
    "Timeline",
    "TimelineIndex",
    "label",
    "one_of_or_empty",
]

GRADES = tuple(grade.value for grade in Grade)  # "general" .. "major"
TIERS = tuple(tier.value for tier in Tier)  # "A" .. "D"
#: The pause reason of the wait for an agreed appointment (see :class:`TimelineIndex`).
APPOINTMENT = "appointment"
_NEVER = datetime.max.replace(tzinfo=UTC)  # the end of a pause not yet resumed
_REOPENABLE = frozenset({"resolved", "closed"})


def label(value: object) -> Any:
    """A :class:`~propcrm.complaints.Grade` or :class:`~propcrm.customers.Tier` by its value."""
    return value.value if isinstance(value, Grade | Tier) else value


def one_of_or_empty(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise unless ``value`` is empty or one of ``allowed``."""
    if value != "" and value not in allowed:
        raise ValidationError.expected(name, f"one of {', '.join(allowed)}", value)


class EventKind(Enum):
    """What happened to a work order (工单) or complaint (投诉)."""

    RECEIVED = "received"  #: the request was received (受理); always the first event
    ANSWERED = "answered"  #: a call was picked up (接听)
    DISPATCHED = "dispatched"  #: a technician was sent (派工)
    ARRIVED = "arrived"  #: the technician is on site (到场); needs a dispatch first
    APPOINTMENT_SET = "appointment_set"  #: a visit time was agreed (预约)
    APPOINTMENT_CHANGED = "appointment_changed"  #: the agreed visit time moved
    PAUSED = "paused"  #: the clock waits, for a ``reason`` such as ``"waiting_on_customer"``
    RESUMED = "resumed"  #: the wait is over
    RESOLVED = "resolved"  #: handled (处理完毕)
    CLOSED = "closed"  #: closed loop (闭环) — the customer was told the outcome
    REOPENED = "reopened"  #: a resolved item is open again
    REGRADED = "regraded"  #: the complaint's ``grade`` changed

    __hash__ = object.__hash__  # members are singletons; identity hashing keeps lookups cheap


_APPOINTMENTS = frozenset({EventKind.APPOINTMENT_SET, EventKind.APPOINTMENT_CHANGED})
_KINDS = {kind.value: kind for kind in EventKind}


def _event_kind(value: EventKind | str) -> EventKind:
    """An :class:`EventKind` or its value text, else the error listing the known kinds."""
    if isinstance(value, EventKind):
        return value
    if isinstance(value, str) and value in _KINDS:
        return _KINDS[value]
    raise ValidationError.expected(
        "kind", "an EventKind or its value", value, f"known kinds: {', '.join(_KINDS)}"
    )


@frozen
class Event:
    """One event of a timeline.

    Attributes:
        kind: What happened: an :class:`EventKind` or its value text
            (``"received"``); another value is an error listing the known kinds.
        at: When, timezone-aware.
        reason: Why the clock pauses (``PAUSED`` only), e.g. ``"waiting_on_customer"``;
            one of the pause reasons the item's targets list (policy data).
        grade: The new complaint grade (``REGRADED`` only): a
            :class:`~propcrm.complaints.Grade` or its value, e.g. ``"hot"``.
        appointment: The agreed visit time (``APPOINTMENT_SET``/``_CHANGED`` only).
    """

    kind: EventKind = field(converter=_event_kind)
    at: datetime = field(validator=lambda i, a, v: require_aware(v, a.name))
    reason: str = ""
    grade: str = field(default="", converter=label)
    appointment: datetime | None = None

    def __attrs_post_init__(self) -> None:
        needs_reason = self.kind is EventKind.PAUSED
        if needs_reason != bool(self.reason):
            what = "a non-empty reason" if needs_reason else "no reason"
            raise ValidationError.expected(
                "reason", f"{what} for a {self.kind.value} event", self.reason
            )
        if (self.kind is EventKind.REGRADED) != bool(self.grade):
            raise ValidationError.expected(
                "grade", f"a grade only on regraded events, one of {GRADES}", self.grade
            )
        if self.grade and self.grade not in GRADES:
            raise ValidationError.expected("grade", f"one of {GRADES}", self.grade)
        if (self.kind in _APPOINTMENTS) != (self.appointment is not None):
            raise ValidationError.expected(
                "appointment",
                f"an appointment time only on appointment events, not {self.kind.value}",
                self.appointment,
            )
        if self.appointment is not None:
            require_aware(self.appointment, "appointment")


def check_sequence(events: tuple[Event, ...]) -> None:
    """Raise a ValidationError naming the first event that cannot happen where it is."""
    if not events:
        raise ValidationError.expected("events", "at least the received event", events)
    paused = resolved = appointed = dispatched = False
    previous = None
    for i, event in enumerate(events):
        kind = event.kind.value
        problem = ""
        if i == 0 and kind != "received":
            problem = "the first event must be received"
        elif i and kind == "received":
            problem = "received can only be the first event"
        elif previous is not None and event.at < previous:
            problem = f"it is earlier than the event before it ({previous.isoformat()})"
        elif kind == "arrived" and not dispatched:
            problem = "arrived before any dispatched"
        elif kind == "appointment_changed" and not appointed:
            problem = "an appointment changed before one was set"
        elif kind == "paused" and (paused or resolved):
            problem = "paused while already paused" if paused else "paused after resolved"
        elif kind == "resumed" and not paused:
            problem = "resumed without a pause"
        elif kind == "resolved" and resolved:
            problem = "resolved twice without a reopen"
        elif kind == "closed" and not resolved:
            problem = "closed before resolved"
        elif kind == "reopened" and not resolved:
            problem = "reopened without being resolved"
        if problem:
            raise ValidationError(
                f"events[{i}]",
                f"events[{i}] ({kind} at {event.at.isoformat()}): {problem}; "
                "fix the order or the kind of the events",
                event,
            )
        previous = event.at
        dispatched = dispatched or kind == "dispatched"
        appointed = appointed or kind == "appointment_set"
        if kind == "paused" or kind == "resumed":
            paused = kind == "paused"
        elif kind == "resolved" or kind == "reopened":
            resolved = kind == "resolved"


Gap = tuple[datetime, datetime]


class TimelineIndex:
    """A timeline's events arranged for evaluation, built once with the timeline."""

    __slots__ = (
        "changes", "first", "kinds", "pauses", "reasons", "reopened", "resolutions", "times",
    )  # fmt: skip

    def __init__(self, events: tuple[Event, ...]) -> None:
        self.times = [event.at for event in events]
        self.kinds = [event.kind for event in events]
        self.first: dict[EventKind, int] = {}
        self.changes: list[tuple[int, str, datetime | None]] = []  # regrades and appointments
        #: (paused, resumed or never, reason), by the time they begin
        self.pauses: list[tuple[datetime, datetime, str]] = []
        #: (index, reason) of every pause event, to check the reasons against the targets
        self.reasons: list[tuple[int, str]] = []
        self.resolutions: list[int] = []  # resolved, closed and reopened events
        appointed: list[tuple[int, datetime, datetime]] = []
        for i, event in enumerate(events):
            self.first.setdefault(event.kind, i)
            kind = event.kind.value
            if kind == "regraded" or kind.startswith("appointment"):
                self.changes.append((i, event.grade, event.appointment))
                if event.appointment is not None:
                    appointed.append((i, event.at, event.appointment))
            elif kind == "paused":
                self.pauses.append((event.at, _NEVER, event.reason))
                self.reasons.append((i, event.reason))
            elif kind == "resumed":
                self.pauses[-1] = (self.pauses[-1][0], event.at, self.pauses[-1][2])
            elif kind in _REOPENABLE or kind == "reopened":
                self.resolutions.append(i)
        if appointed:
            self._wait_for_appointments(appointed)
        #: Whether the item was ever reopened; if not, a stop is simply its first occurrence.
        self.reopened = any(event.kind.value == "reopened" for event in events)

    def _wait_for_appointments(self, appointed: list[tuple[int, datetime, datetime]]) -> None:
        """Add the waits for agreed appointments to the pauses, with the reason ``appointment``.

        The wait runs from the appointment being set (or changed) until the
        agreed time, the next change of it, or an arrival, whichever comes first.
        """
        times = self.times
        arrivals = [j for j, kind in enumerate(self.kinds) if kind.value == "arrived"]
        for n, (i, set_at, agreed) in enumerate(appointed):
            end = agreed
            if n + 1 < len(appointed):
                end = min(end, appointed[n + 1][1])
            arrived = next((j for j in arrivals if j > i), None)
            if arrived is not None:
                end = min(end, times[arrived])
            if end > set_at:
                self.pauses.append((set_at, end, APPOINTMENT))
        self.pauses.sort(key=lambda pause: pause[0])

    def stops(
        self, stop: EventKind, reopenable: bool, first: int, cut: int
    ) -> tuple[list[Gap], datetime | None]:
        """Stopped intervals [stop, reopen) before ``cut``, and the final stop, if any.

        A target stopped by a milestone that cannot be reopened (dispatched,
        arrived, answered) also stops at the item's resolution if its own stop
        event has not happened by then.
        """
        kinds, times = self.kinds, self.times
        gaps: list[Gap] = []
        if not reopenable:
            # A clock whose stop event has not happened stops when the item is resolved
            # (or closed) and runs again if it is reopened.
            ended: datetime | None = None
            for i in range(first + 1, cut):
                value = kinds[i]._value_
                if ended is None:
                    if kinds[i] is stop:
                        return gaps, times[i]
                    if value in _REOPENABLE:
                        ended = times[i]
                elif value == "reopened":
                    gaps.append((ended, times[i]))
                    ended = None
            return gaps, ended
        stopped: datetime | None = None
        for i in self.resolutions:
            if i >= cut:
                break
            if kinds[i] is stop and stopped is None:
                stopped = times[i]
            elif stopped is not None and kinds[i]._value_ == "reopened":
                gaps.append((stopped, times[i]))
                stopped = None
        return gaps, stopped

    def paused(
        self, reasons: tuple[str, ...], first: int, until: datetime
    ) -> tuple[list[Gap], bool]:
        """Pauses for ``reasons`` once the clock runs, and whether one is open at ``until``.

        ``until`` is the evaluation instant, or the clock's stop if it has
        stopped: a pause still open then ends there, and later ones do not count.
        """
        gaps: list[Gap] = []
        begin = self.times[first]
        for paused, resumed, reason in self.pauses:
            if paused > until:  # (events after the evaluation instant are later still)
                break
            if reason in reasons:
                if paused < begin:  # paused before the clock ran: the gap starts with it
                    paused = begin
                if resumed > until:
                    gaps.append((paused, until))
                    return gaps, True
                if resumed > begin:
                    gaps.append((paused, resumed))
        return gaps, False


def _events(value: Iterable[Event]) -> tuple[Event, ...]:
    events = as_items(value, "events", "a list of Event")
    for i, event in enumerate(events):
        if not isinstance(event, Event):
            raise ValidationError.expected(f"events[{i}]", "an Event", event)
    return events


def _name(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, str):
        example = "'repair.in_home'" if attribute.name == "kind" else "'residential'"
        raise ValidationError.expected(
            attribute.name, "a name from the SLA policy", value, f"e.g. {example}"
        )


@frozen
class Timeline:
    """The event log of one work order or complaint, checked for impossible sequences.

    Add an event with :meth:`with_event`, which keeps ``kind``, ``grade``,
    ``tier`` and ``property_type``.

    Attributes:
        events: In time order; the first is ``RECEIVED``.
        kind: The work-order kind the service levels select by, e.g.
            ``"repair.in_home"`` or ``"complaint"``: policy data, checked when the
            timeline is evaluated (an unknown kind is an error listing the known ones).
        grade: The complaint grade at receipt (a :class:`~propcrm.complaints.Grade`
            or its value, ``"general"`` .. ``"major"``), or empty.
        tier: The customer tier (a :class:`~propcrm.customers.Tier` or ``"A"`` .. ``"D"``),
            or empty.
        property_type: The community's property type, e.g. ``"residential"``,
            ``"commercial"`` or ``"office"`` (policy data, ``SlaPolicy.property_types``),
            or empty when not known.

    Raises:
        ValidationError: naming the event (``events[i]``) that cannot happen where it is.
    """

    events: tuple[Event, ...] = field(converter=_events)
    kind: str = field(default="", validator=_name)
    grade: str = field(
        default="", converter=label, validator=lambda i, a, v: one_of_or_empty(a.name, v, GRADES)
    )
    tier: str = field(
        default="", converter=label, validator=lambda i, a, v: one_of_or_empty(a.name, v, TIERS)
    )
    property_type: str = field(default="", validator=_name)

    _index: TimelineIndex = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_sequence(self.events)
        object.__setattr__(self, "_index", TimelineIndex(self.events))

    def with_event(self, event: Event) -> Self:
        """This timeline with ``event`` appended; kind, grade, tier and property type kept.

        >>> from propcrm.sla import Event, EventKind, Timeline
        >>> from datetime import datetime, timezone
        >>> t = Timeline([Event(EventKind.RECEIVED, datetime(2025, 1, 6, tzinfo=timezone.utc))],
        ...              kind="repair.in_home")
        >>> t.with_event(Event(EventKind.DISPATCHED, t.events[0].at)).kind
        'repair.in_home'

        Raises:
            ValidationError: ``event`` cannot happen after the events already there.
        """
        if not isinstance(event, Event):
            raise ValidationError.expected("event", "an Event", event)
        return attrs.evolve(self, events=(*self.events, event))
