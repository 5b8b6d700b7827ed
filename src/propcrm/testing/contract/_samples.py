"""What the contract suite stores: a :class:`Sample` per versioned aggregate, hostile values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind
from propcrm.complaints import Complaint
from propcrm.customers import Customer, Household, Member
from propcrm.explain import Reason
from propcrm.sla import Event, EventKind, Timeline
from propcrm.testing.contract._analysis import ANALYSIS_SAMPLES
from propcrm.testing.contract._office import OFFICE_SAMPLES
from propcrm.testing.contract._records import RECORD_SAMPLES
from propcrm.testing.contract._repair import REPAIR_SAMPLES
from propcrm.testing.strategies import (
    callback_tasks,
    complaints,
    customers,
    households,
    vip_cards,
    work_orders,
)
from propcrm.vip import CardNumber, VipCard, VipLevel
from propcrm.work_orders import WorkOrder, WorkOrderState

T = TypeVar("T")

HOSTILE_TEXTS: tuple[str, ...] = (
    'it\'s "quoted"',
    "'; DROP TABLE complaints; --",
    "NUL\x00inside",
    "emoji 😀 and 物业 and \u200d joiners",
    "%_ LIKE wildcards \\ and backslash",
    "x" * 1_000_000,
)
"""Text every store must give back unchanged."""

HOSTILE_IDS: tuple[str, ...] = ("100%", "a_b", "'; DROP TABLE x; --", "空格 space", "%_%")
"""Ids every store must accept and find again."""


@attrs.frozen
class Sample(Generic[T]):
    """How the suite builds entities of one versioned aggregate, so generic tests run on it.

    Attributes:
        repository: The store attribute holding the aggregate's repository.
        make: Build valid new entity number ``n`` (1 to 999; distinct numbers give
            distinct ids) holding a free text.
        text: Read back the free text of an entity.
        change: Set an entity's free text (in place when the entity is mutable)
            and return the entity.
        entities: A strategy for arbitrary valid entities (for round trips).
        queries: Run the repository's queries over canned parameters and return
            what they found (ids, in order); used to compare adapters.
        with_id: Give an entity another id, for aggregates whose ids are free
            text; ``None`` when ids are derived (a card's number).
    """

    repository: str
    make: Callable[[int, str], T]
    text: Callable[[T], str]
    change: Callable[[T, str], T]
    entities: Callable[[], st.SearchStrategy[T]]
    queries: Callable[[Any], list[list[str]]]
    with_id: Callable[[T, str], T] | None = None


_ZONES = ("Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe")
DAY = timedelta(days=1)
T0 = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def sample_complaint(n: int, text: str) -> Complaint:
    received = T0 + timedelta(hours=n)
    return Complaint(
        f"cmp-{n}",
        community="东区",
        category="noise",
        subject=f"pump room {n % 2}",
        complainant_ids=(f"cust-{n % 3}",),
        received_at=received,
        first_receiver_id=text,
        resolved_at=None if n % 3 else received + timedelta(hours=2),
    )


def _set_receiver(complaint: Complaint, text: str) -> Complaint:
    complaint.first_receiver_id = text
    return complaint


def _any_zone_complaints() -> st.SearchStrategy[Complaint]:
    # hypothesis takes naive bounds and attaches the zones itself.
    moments = st.datetimes(
        min_value=datetime(1990, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, *(ZoneInfo(z) for z in _ZONES)]),
    )
    return complaints(received_at=moments)


def sample_task(n: int, text: str) -> CallbackTask:
    earliest = T0 + timedelta(hours=3 * n)
    return CallbackTask(
        f"task-{n}",
        Subject(SubjectKind.WORK_ORDER, f"WO-{n}"),
        CallbackKind.PHONE,
        f"cust-{n}",
        ("repair_lead", "desk_staff")[n % 2],
        earliest,
        earliest + DAY,
        staff_id=f"staff-{n % 3}",
        technician_id=text,
        reasons=(
            Reason(
                "callback.repair",
                "repairs get a callback within a day",
                facts={"finished_at": earliest, "within": DAY, "kind": CallbackKind.PHONE},
                source="002 回访制度",
            ),
        ),
    )


def _set_technician(task: CallbackTask, text: str) -> CallbackTask:
    task.technician_id = text
    return task


_LIFECYCLE = (
    (),
    (EventKind.DISPATCHED,),
    (EventKind.DISPATCHED, EventKind.ARRIVED),
    (EventKind.DISPATCHED, EventKind.ARRIVED, EventKind.RESOLVED),
)


def sample_work_order(n: int, text: str) -> WorkOrder:
    received = T0 + timedelta(hours=n)
    events = [Event(EventKind.RECEIVED, received)]
    for i, kind in enumerate(_LIFECYCLE[n % 4], 1):
        events.append(Event(kind, received + timedelta(minutes=10 * i)))
    return WorkOrder(f"WO-{n}", Timeline(events, kind="repair.in_home"), community=text)


def _set_community(order: WorkOrder, text: str) -> WorkOrder:
    order.community = text
    return order


def sample_customer(n: int, text: str) -> Customer:
    return Customer(f"cust-{n}", text, phone="13812345678", household_id=f"hh-{n % 2}")


def _set_name(customer: Customer, text: str) -> Customer:
    customer.name = text
    return customer


def sample_household(n: int, text: str) -> Household:
    return Household(f"hh-{n}", (Member(text, date(1980, 2, 29)),))


def _set_head_name(household: Household, text: str) -> Household:
    household.members = (attrs.evolve(household.members[0], name=text),)
    return household


def sample_card(n: int, text: str) -> VipCard:
    issued = date(2025, 1, 1) + timedelta(days=n % 7)
    return VipCard(
        CardNumber("JK", VipLevel.OTHER, n),
        f"cust-{n % 3}",
        issued,
        issued + timedelta(days=1095 - 31 * (n % 5)),
        text,
    )


def _set_issuer(card: VipCard, text: str) -> VipCard:
    card.issued_by = text
    return card


def ids_of(entities: list[Any]) -> list[str]:
    return [entity.id for entity in entities]


SAMPLES: tuple[Sample[Any], ...] = (
    Sample(
        "complaints",
        sample_complaint,
        lambda c: c.first_receiver_id,
        _set_receiver,
        _any_zone_complaints,
        lambda repo: [
            ids_of(repo.in_window("东区", "noise", "pump room 1", start=T0, end=T0 + DAY)),
            ids_of(repo.open_due_before(T0 + timedelta(hours=5), within=timedelta(hours=2))),
        ],
        lambda c, id: attrs.evolve(c, id=id),
    ),
    Sample(
        "callback_tasks",
        sample_task,
        lambda t: t.technician_id,
        _set_technician,
        callback_tasks,
        lambda repo: [
            ids_of(repo.due_on(T0.date() + DAY, tz="Asia/Shanghai", staff_id="staff-1")),
            ids_of(repo.due_on(T0.date() + DAY, tz="UTC", role="repair_lead")),
        ],
        lambda t, id: attrs.evolve(t, id=id),
    ),
    Sample(
        "work_orders",
        sample_work_order,
        lambda w: w.community,
        _set_community,
        work_orders,
        lambda repo: [ids_of(repo.in_state(state)) for state in WorkOrderState],
        lambda w, id: attrs.evolve(w, id=id),
    ),
    Sample(
        "customers",
        sample_customer,
        lambda c: c.name,
        _set_name,
        customers,
        lambda repo: [ids_of(repo.in_household(h)) for h in ("hh-0", "hh-1", "100%")],
        lambda c, id: attrs.evolve(c, id=id),
    ),
    Sample(
        "households",
        sample_household,
        lambda h: h.head.name,
        _set_head_name,
        households,
        lambda repo: [],
        lambda h, id: attrs.evolve(h, id=id),
    ),
    Sample(
        "vip_cards",
        sample_card,
        lambda c: c.issued_by,
        _set_issuer,
        vip_cards,
        lambda repo: [
            ids_of(repo.held_by("cust-1")),
            ids_of(repo.expiring_between(date(2027, 6, 1), date(2028, 1, 5))),
        ],
    ),
    *(Sample(*attrs.astuple(sample, recurse=False)) for sample in RECORD_SAMPLES),
    *(Sample(*attrs.astuple(sample, recurse=False)) for sample in REPAIR_SAMPLES),
    *(Sample(*attrs.astuple(sample, recurse=False)) for sample in ANALYSIS_SAMPLES),
    *(Sample(*attrs.astuple(sample, recurse=False)) for sample in OFFICE_SAMPLES),
)
"""One :class:`Sample` per versioned aggregate of :class:`~propcrm.storage.Store`."""
