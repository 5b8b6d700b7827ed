"""What is stored: each aggregate's table, query columns and queries, declared once.

The typed repositories here turn the domain's questions ("open complaints due
before a moment") into declared queries that every adapter's engine (see
``_engine``) runs the same way. Adding an aggregate means declaring its table,
writing its repository class and one schema migration.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from propcrm._checks import date_limits
from propcrm._time import require_aware
from propcrm._time import zone as _zone
from propcrm.callbacks import CallbackTask
from propcrm.complaints import Complaint
from propcrm.customers import Customer, Household
from propcrm.errors import ValidationError
from propcrm.roles import Role
from propcrm.satisfaction import SurveyResponse
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import (
    Column,
    Engine,
    Query,
    Repo,
    Scalar,
    Sequences,
    Table,
    Where,
    entities_of,
    entity_of,
    storable_ids,
    storable_text,
)
from propcrm.storage._listing import (
    Filter,
    Listing,
    ListingRepo,
    as_instant,
    as_text,
)
from propcrm.vip import MAX_SEQUENCE, CardNumbersExhaustedError, VipCard, VipLevel
from propcrm.work_orders import WorkOrder, WorkOrderState

# --- complaints ----------------------------------------------------------------------------

COMPLAINTS = Table(
    "complaints",
    Complaint,
    (
        Column("community", "TEXT"),
        Column("category", "TEXT"),
        Column("subject", "TEXT"),
        Column("received_us", "INTEGER"),
        Column("is_open", "INTEGER"),
    ),
    lambda c: (
        c.community,
        c.category,
        c.subject,
        epoch_micros(c.received_at),
        int(c.resolved_at is None),
    ),
    (
        Query(
            "in_window",
            (
                Where("community", "=", "community"),
                Where("category", "=", "category"),
                Where("subject", "=", "subject"),
                Where("received_us", ">=", "start"),
                Where("received_us", "<", "end"),
            ),
            ("received_us",),
        ),
        Query(
            "open_received_before",
            (Where("is_open", "=", "open"), Where("received_us", "<", "before")),
            ("received_us",),
        ),
    ),
)


class ComplaintRepo(Repo[Complaint]):
    """Complaints (投诉), findable by their key in a time window and by what is overdue."""

    __slots__ = ()

    def in_window(
        self, community: str, category: str, subject: str, *, start: datetime, end: datetime
    ) -> list[Complaint]:
        """Complaints with this key received in ``[start, end)``, oldest first."""
        params: dict[str, Scalar] = {
            "community": storable_text(community, "community"),
            "category": storable_text(category, "category"),
            "subject": storable_text(subject, "subject"),
            "start": _micros(start, "start"),
            "end": _micros(end, "end"),
        }
        return self._engine.select(_IN_WINDOW, params)

    def open_due_before(self, at: datetime, *, within: timedelta) -> list[Complaint]:
        """Unresolved complaints due before ``at`` if each had ``within`` to be resolved.

        That is, open complaints received before ``at - within``, oldest first.
        """
        if not isinstance(within, timedelta):
            raise ValidationError.expected("within", "a datetime.timedelta", within)
        before = _micros(at, "at") - within // _MICROSECOND
        return self._engine.select(_OPEN_BEFORE, {"open": 1, "before": before})


_IN_WINDOW = COMPLAINTS.query("in_window")
_OPEN_BEFORE = COMPLAINTS.query("open_received_before")
_MICROSECOND = timedelta(microseconds=1)


# --- callback tasks --------------------------------------------------------------------------

CALLBACK_TASKS = Table(
    "callback_tasks",
    CallbackTask,
    (
        Column("staff", "TEXT"),
        Column("owner_role", "TEXT"),
        Column("due_us", "INTEGER"),
    ),
    lambda t: (t.staff_id, t.owner_role, epoch_micros(t.due)),
    (
        Query(
            "due_for_staff",
            (
                Where("staff", "=", "owner"),
                Where("due_us", ">=", "start"),
                Where("due_us", "<", "end"),
            ),
            ("due_us",),
        ),
        Query(
            "due_for_role",
            (
                Where("owner_role", "=", "owner"),
                Where("due_us", ">=", "start"),
                Where("due_us", "<", "end"),
            ),
            ("due_us",),
        ),
    ),
)


class CallbackTaskRepo(ListingRepo[CallbackTask]):
    """Callback tasks (回访任务), findable by the day they are due, per owner.

    ``list()`` filters: ``staff_id`` (text), ``owner_role`` (a
    :class:`~propcrm.roles.Role` or its value), ``due_from`` / ``due_before``
    (aware datetimes, ``[from, before)``); orders: ``"id"``, ``"due"``.
    """

    __slots__ = ()
    LISTING = Listing(
        {
            "staff_id": Filter("staff", "=", as_text),
            "owner_role": Filter("owner_role", "=", lambda value, name: _role(value)),
            "due_from": Filter("due_us", ">=", as_instant),
            "due_before": Filter("due_us", "<", as_instant),
        },
        {"due": "due_us"},
    )

    def due_on(
        self,
        on: date,
        *,
        tz: str | tzinfo,
        staff_id: str | None = None,
        role: Role | str | None = None,
    ) -> list[CallbackTask]:
        """Tasks of one staff member (or owner role) due on ``on`` in ``tz``, soonest first."""
        if (staff_id is None) == (role is None):
            raise ValidationError.expected(
                "staff_id/role", "exactly one of staff_id= or role=", (staff_id, role)
            )
        zone = _zone(tz, "tz")
        start = datetime.combine(_as_date(on, "on"), time(0), tzinfo=zone)
        with date_limits("on"):  # the day after 9999-12-31 is past the calendar
            end = datetime.combine(on + timedelta(days=1), time(0), tzinfo=zone)
        owner = storable_text(staff_id, "staff_id") if role is None else _role(role)
        params: dict[str, Scalar] = {
            "owner": owner,
            "start": epoch_micros(start),
            "end": epoch_micros(end),
        }
        return self._engine.select(_DUE_FOR_STAFF if role is None else _DUE_FOR_ROLE, params)


_DUE_FOR_STAFF = CALLBACK_TASKS.query("due_for_staff")
_DUE_FOR_ROLE = CALLBACK_TASKS.query("due_for_role")


# --- work orders ---------------------------------------------------------------------------

WORK_ORDERS = Table(
    "work_orders",
    WorkOrder,
    (Column("state", "TEXT"), Column("received_us", "INTEGER")),
    lambda w: (w.state.value, epoch_micros(w.received_at)),
    (Query("in_state", (Where("state", "=", "state"),), ("received_us",)),),
)


class WorkOrderRepo(Repo[WorkOrder]):
    """Work orders (工单) with their timelines, findable by state."""

    __slots__ = ()

    def in_state(self, state: WorkOrderState) -> list[WorkOrder]:
        """Work orders whose timeline leaves them in ``state``, oldest first."""
        if isinstance(state, WorkOrderState):
            value = state.value
        elif isinstance(state, str) and state in _STATE_VALUES:
            value = state
        else:
            raise ValidationError.expected(
                "state", f"a WorkOrderState, one of {sorted(_STATE_VALUES)}", state
            )
        return self._engine.select(_IN_STATE, {"state": value})


_IN_STATE = WORK_ORDERS.query("in_state")
_STATE_VALUES = frozenset(state.value for state in WorkOrderState)


# --- customers and households ------------------------------------------------------------

CUSTOMERS = Table(
    "customers",
    Customer,
    (Column("household_id", "TEXT"),),
    lambda c: (c.household_id,),
    (Query("in_household", (Where("household_id", "=", "household_id"),)),),
)


class CustomerRepo(ListingRepo[Customer]):
    """Customers (客户), findable by household.

    ``list()`` filters: ``household_id`` (text); orders: ``"id"``.
    """

    __slots__ = ()
    LISTING = Listing({"household_id": Filter("household_id", "=", as_text)}, {})

    def in_household(self, household_id: str) -> list[Customer]:
        """The customers recorded as members of ``household_id``, by id."""
        household_id = storable_text(household_id, "household_id")
        return self._engine.select(_IN_HOUSEHOLD, {"household_id": household_id})


_IN_HOUSEHOLD = CUSTOMERS.query("in_household")

HOUSEHOLDS = Table("households", Household, (), lambda h: ())


class HouseholdRepo(Repo[Household]):
    """Households (家庭)."""

    __slots__ = ()


# --- VIP cards ----------------------------------------------------------------------------

VIP_CARDS = Table(
    "vip_cards",
    VipCard,
    (
        Column("holder_id", "TEXT"),
        Column("expires_on", "TEXT"),
        Column("active", "INTEGER"),
    ),
    lambda c: (c.customer_id, c.expires_on.isoformat(), int(c.change is None)),
    (
        Query("held_by", (Where("holder_id", "=", "customer_id"),), ("expires_on",)),
        Query(
            "expiring_between",
            (
                Where("active", "=", "active"),
                Where("expires_on", ">=", "start"),
                Where("expires_on", "<", "end"),
            ),
            ("expires_on",),
        ),
    ),
)


class VipCardRepo(Repo[VipCard]):
    """VIP cards (VIP卡), keyed by their number (``"JK1001"``)."""

    __slots__ = ()

    def held_by(self, customer_id: str) -> list[VipCard]:
        """Every card of ``customer_id``, earliest expiry first."""
        customer_id = storable_text(customer_id, "customer_id")
        return self._engine.select(_HELD_BY, {"customer_id": customer_id})

    def held_by_any(self, customer_ids: Iterable[str]) -> dict[str, list[VipCard]]:
        """Every card of each of ``customer_ids``, earliest expiry first, by customer.

        :meth:`held_by` for many customers in a few statements; a customer
        without a card maps to an empty list.
        """
        ids = list(dict.fromkeys(storable_ids(customer_ids, "customer_ids")))
        held: dict[str, list[VipCard]] = {id: [] for id in ids}
        where = [(w.column, w.op) for w in _HELD_BY.where]
        for card in self._engine.select_any(where, [(id,) for id in ids], _HELD_BY.order_by):
            held[card.customer_id].append(card)
        return held

    def expiring_between(self, start: date, end: date) -> list[VipCard]:
        """Cards with no recorded end whose expiry day is in ``[start, end)``, soonest first."""
        params: dict[str, Scalar] = {
            "active": 1,
            "start": _day(start, "start"),
            "end": _day(end, "end"),
        }
        return self._engine.select(_EXPIRING, params)


_HELD_BY = VIP_CARDS.query("held_by")
_EXPIRING = VIP_CARDS.query("expiring_between")


class CardNumbers:
    """The persistent card-sequence allocator (:class:`~propcrm.vip.CardSequenceAllocator`).

    Numbers come from the store's sequences, so they are never handed out
    twice, across processes too; a number drawn inside a transaction that rolls
    back is returned to the pool.
    """

    __slots__ = ("_sequences",)

    def __init__(self, sequences: Sequences) -> None:
        self._sequences = sequences

    def allocate(self, prefix: str, level: VipLevel) -> int:
        """Return the next sequence number of ``(prefix, level)``, from 1 to 999.

        Raises:
            CardNumbersExhaustedError: all of 1-999 were handed out.
        """
        if not isinstance(level, VipLevel):
            raise ValidationError.expected(
                "level", "a VipLevel", level, "e.g. VipLevel.GOVERNMENT_OFFICIAL"
            )
        code = f"{storable_text(prefix, 'prefix')}{level.value}"
        number = self._sequences._next_in_sequence(f"vip_card:{code}", MAX_SEQUENCE)
        if number is None:
            raise CardNumbersExhaustedError(
                f"no card numbers left for {code}: {code}001-{code}{MAX_SEQUENCE} have all "
                "been handed out and numbers are never reused; to issue more, the company "
                "needs another card prefix (vip.card_prefix)"
            )
        return number


# --- survey responses (append-only) -------------------------------------------------------

SURVEY_RESPONSES = Table(
    "survey_responses",
    SurveyResponse,
    (Column("community", "TEXT"), Column("answered_on", "TEXT")),
    lambda r: (r.community, r.answered_on.isoformat()),
    (
        Query(
            "for_community",
            (
                Where("community", "=", "community"),
                Where("answered_on", ">=", "start"),
                Where("answered_on", "<", "end"),
            ),
            ("answered_on",),
        ),
        Query(
            "answered_between",
            (Where("answered_on", ">=", "start"), Where("answered_on", "<", "end")),
            ("answered_on",),
        ),
    ),
    versioned=False,
)


class SurveyResponseRepo:
    """Survey responses (满意度调查): append-only; the store numbers them."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine[SurveyResponse]) -> None:
        self._engine = engine

    def add(self, response: SurveyResponse) -> str:
        """Store a response and return the id the store gave it."""
        return self._engine.append(entity_of(SURVEY_RESPONSES, response, "response"))

    def add_all(self, responses: Iterable[SurveyResponse]) -> int:
        """Store many responses, all or none; return how many."""
        return self._engine.add_all(entities_of(SURVEY_RESPONSES, responses, "responses"))

    def get(self, id: str) -> SurveyResponse:
        """Return the response with ``id``; raise ``NotFoundError`` if there is none."""
        return self._engine.get(storable_text(id, "id"))

    def answered_between(self, start: date, end: date) -> builtins.list[SurveyResponse]:
        """Responses of all communities answered in ``[start, end)``, by answer then arrival."""
        params = {"start": _day(start, "start"), "end": _day(end, "end")}
        return self._engine.select(_ANSWERED_BETWEEN, params)

    def for_community(
        self, community: str, start: date, end: date
    ) -> builtins.list[SurveyResponse]:
        """Responses of ``community`` answered in ``[start, end)``, in answer then arrival order."""
        params = {
            "community": storable_text(community, "community"),
            "start": _day(start, "start"),
            "end": _day(end, "end"),
        }
        return self._engine.select(_FOR_COMMUNITY, params)

    def __len__(self) -> int:
        return self._engine.count()


_FOR_COMMUNITY = SURVEY_RESPONSES.query("for_community")
_ANSWERED_BETWEEN = SURVEY_RESPONSES.query("answered_between")


TABLES: tuple[Table[Any], ...] = (
    CUSTOMERS,
    HOUSEHOLDS,
    VIP_CARDS,
    SURVEY_RESPONSES,
    COMPLAINTS,
    CALLBACK_TASKS,
    WORK_ORDERS,
)
"""Every aggregate table, in schema order."""


def _micros(value: object, name: str) -> int:
    return epoch_micros(require_aware(value, name))


def _day(value: object, name: str) -> str:
    return _as_date(value, name).isoformat()


def _role(value: object) -> str:
    if isinstance(value, Role):
        return value.value
    if isinstance(value, str) and value in _ROLE_VALUES:
        return value
    raise ValidationError.expected(
        "role", "a role of propcrm.roles.Role", value, f"use one of {', '.join(_ROLE_VALUES)}"
    )


_ROLE_VALUES = tuple(role.value for role in Role)


def _as_date(value: object, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value)
    return value
