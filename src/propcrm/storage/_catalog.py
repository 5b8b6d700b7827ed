"""What is stored: each aggregate's table, query columns and queries, declared once.

Adapters implement a small :class:`Engine` per table (get, add, update,
remove, select); the typed repositories here turn the domain's questions
("open complaints due before a moment") into declared :class:`Query` objects
that every engine runs the same way. Adding an aggregate means declaring its
:class:`Table`, writing its repository class and one schema migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Generic, Literal, Protocol, TypeVar

from attrs import field, frozen

from propcrm._time import require_aware
from propcrm._time import zone as _zone
from propcrm.callbacks import CallbackTask
from propcrm.complaints import Complaint
from propcrm.customers import Customer, Household
from propcrm.errors import ConflictError, ValidationError
from propcrm.satisfaction import SurveyResponse
from propcrm.storage._codec import epoch_micros
from propcrm.vip import MAX_SEQUENCE, CardNumbersExhaustedError, VipCard, VipLevel
from propcrm.work_orders import WorkOrder, WorkOrderState

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Scalar = str | int | None
"""What a query column holds: text, an integer, or nothing (SQL ``NULL``)."""

Operator = Literal["=", "<", "<=", ">", ">="]

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")


def _identifier(instance: object, attribute: Any, value: str) -> None:
    if not _IDENTIFIER.match(value):
        raise ValueError(f"{attribute.name} must be a lower-case SQL identifier, got {value!r}")


@frozen
class Column:
    """A query column: a value computed from the entity and kept beside it, indexed.

    Its value comes from the table's ``values`` function, at the column's position.

    Attributes:
        name: The column's name (a lower-case identifier).
        sql_type: ``"TEXT"`` or ``"INTEGER"``.
    """

    name: str = field(validator=_identifier)
    sql_type: Literal["TEXT", "INTEGER"]


@frozen
class Where:
    """One condition: ``column <op> :param``; a ``NULL`` column matches nothing."""

    column: str = field(validator=_identifier)
    op: Operator
    param: str = field(validator=_identifier)


@frozen
class Query:
    """A declared query: conditions joined by AND, results ordered by columns then id."""

    name: str
    where: tuple[Where, ...]
    order_by: tuple[str, ...] = ()

    @property
    def equal_columns(self) -> tuple[str, ...]:
        """The columns compared with ``=`` (what a hash index can serve)."""
        return tuple(w.column for w in self.where if w.op == "=")


@frozen
class Table(Generic[T]):
    """Where one aggregate type lives and how it is queried.

    Attributes:
        name: The table's name.
        entity: The attrs class stored.
        columns: Query columns kept beside the encoded entity.
        values: Computes every query column of an entity, in ``columns`` order
            (one function for all of them: a bulk insert calls it per row).
        queries: The declared queries, by name.
        versioned: Whether entities carry a ``version`` and may be updated;
            unversioned tables are append-only.
    """

    name: str = field(validator=_identifier)
    entity: type[T]
    columns: tuple[Column, ...]
    values: Callable[[T], tuple[Scalar, ...]]
    queries: tuple[Query, ...] = ()
    versioned: bool = True

    def query(self, name: str) -> Query:
        """Return the declared query called ``name``."""
        for query in self.queries:
            if query.name == name:
                return query
        raise KeyError(name)


class Engine(Protocol[T]):
    """What an adapter provides for one table; repositories are built on it."""

    @property
    def table(self) -> Table[T]: ...

    def get(self, id: str) -> T: ...

    def add(self, entity: T) -> T: ...

    def add_all(self, entities: Iterable[T]) -> int: ...

    def update(self, entity: T) -> T: ...

    def remove(self, id: str, version: int | None) -> None: ...

    def append(self, entity: T) -> str: ...

    def select(self, query: Query, params: Mapping[str, Scalar]) -> list[T]: ...

    def count(self) -> int: ...


class Sequences(Protocol):
    """What an adapter provides for counters that never hand out a number twice."""

    def _next_in_sequence(self, name: str, limit: int | None = None) -> int | None: ...


class Repo(Generic[T]):
    """The part of every repository that only delegates to the engine."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine[T]) -> None:
        self._engine = engine

    def get(self, id: str) -> T:
        """Return the entity with ``id``; raise ``NotFoundError`` if there is none."""
        return self._engine.get(storable_text(id, "id"))

    def add(self, entity: T) -> T:
        """Store a new entity as version 1 and return the stored copy."""
        return self._engine.add(entity_of(self._engine.table, entity, "entity"))

    def add_all(self, entities: Iterable[T]) -> int:
        """Store many new entities as version 1, all or none; return how many."""
        return self._engine.add_all(entities_of(self._engine.table, entities))

    def update(self, entity: T) -> T:
        """Replace the stored entity if ``entity.version`` is current; return the next version."""
        return self._engine.update(entity_of(self._engine.table, entity, "entity"))

    def remove(self, id: str, *, version: int | None = None) -> None:
        """Delete the entity with ``id`` (only at ``version``, when given)."""
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise ValidationError(
                "version",
                f"version: expected an integer or None, got {_a(version)}; "
                "pass the version of the copy you read",
                version,
            )
        self._engine.remove(storable_text(id, "id"), version)

    def __len__(self) -> int:
        return self._engine.count()


def entity_of(table: Table[T], value: object, name: str) -> T:
    """Return ``value`` if it is an entity of ``table``.

    Raises:
        ValidationError: naming ``name`` and the expected type (never showing
            the value, which may hold personal data).
    """
    if not isinstance(value, table.entity):
        raise ValidationError(
            name,
            f"{name}: expected a {table.entity.__name__}, got {_a(value)}; "
            f"store.{table.name} keeps {table.entity.__name__} entities",
            value,
        )
    return value


def entities_of(table: Table[T], values: Iterable[T], name: str = "entities") -> Iterator[T]:
    """Iterate ``values`` lazily, checking each is an entity of ``table``.

    Raises:
        ValidationError: ``values`` is not iterable (naming ``name``), or an
            item is not an entity (naming ``name[<position>]``).
    """
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise ValidationError(
            name,
            f"{name}: expected an iterable of {table.entity.__name__}, got {_a(values)}",
            values,
        )
    return (entity_of(table, value, f"{name}[{i}]") for i, value in enumerate(values))


def _a(value: object) -> str:
    """``None`` or the type of ``value``, for messages that must not show the value."""
    return "None" if value is None else f"a {type(value).__name__}"


def storable_text(value: object, name: str) -> str:
    """Return ``value`` if it is text that has a UTF-8 form (no lone surrogate).

    Such text can be neither stored nor matched by any store, so every adapter
    refuses it the same way instead of answering "not found" or failing in its
    driver.

    Raises:
        ValidationError: naming ``name``: ``value`` is not a string, or holds a
            lone surrogate.
    """
    if not isinstance(value, str):
        raise ValidationError(name, f"{name}: expected a string, got {_a(value)}", value)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValidationError.expected(
                name,
                "text that can be written as UTF-8",
                value,
                "remove lone surrogate code points",
            ) from e
    return value


def stale(name: str, id: str, given: int, current: int) -> ConflictError:
    """The error for an update or removal made from an out-of-date copy."""
    return ConflictError(
        f"{name} {id!r} was changed by someone else: you have version {given}, "
        f"the store has version {current}; read it again and reapply your change"
    )


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

    def open_due_before(self, moment: datetime, *, within: timedelta) -> list[Complaint]:
        """Unresolved complaints due before ``moment`` if each had ``within`` to be resolved.

        That is, open complaints received before ``moment - within``, oldest first.
        """
        if not isinstance(within, timedelta):
            raise ValidationError.expected("within", "a datetime.timedelta", within)
        before = _micros(moment, "moment") - within // _MICROSECOND
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


class CallbackTaskRepo(Repo[CallbackTask]):
    """Callback tasks (回访任务), findable by the day they are due, per owner."""

    __slots__ = ()

    def due_on(
        self,
        day: date,
        *,
        zone: str | tzinfo,
        staff: str | None = None,
        role: str | None = None,
    ) -> list[CallbackTask]:
        """Tasks of one staff member (or owner role) due on ``day`` in ``zone``, soonest first."""
        if (staff is None) == (role is None):
            raise ValidationError.expected(
                "staff/role", "exactly one of staff= or role=", (staff, role)
            )
        tz = _zone(zone, "zone")
        start = datetime.combine(_as_date(day, "day"), time(0), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        params: dict[str, Scalar] = {
            "owner": storable_text(staff, "staff") if role is None else storable_text(role, "role"),
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
        try:
            value = WorkOrderState(state).value
        except ValueError as e:
            raise ValidationError.expected("state", "a WorkOrderState", state) from e
        return self._engine.select(_IN_STATE, {"state": value})


_IN_STATE = WORK_ORDERS.query("in_state")


# --- customers and households ------------------------------------------------------------

CUSTOMERS = Table(
    "customers",
    Customer,
    (Column("household_id", "TEXT"),),
    lambda c: (c.household_id,),
    (Query("in_household", (Where("household_id", "=", "household_id"),)),),
)


class CustomerRepo(Repo[Customer]):
    """Customers (客户), findable by household."""

    __slots__ = ()

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
        Query("held_by", (Where("holder_id", "=", "holder_id"),), ("expires_on",)),
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

    def held_by(self, holder_id: str) -> list[VipCard]:
        """Every card of ``holder_id``, earliest expiry first."""
        return self._engine.select(_HELD_BY, {"holder_id": storable_text(holder_id, "holder_id")})

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

    def for_community(self, community: str, start: date, end: date) -> list[SurveyResponse]:
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


def sequence_id(number: int) -> str:
    """The id of the ``number``-th entity of an append-only table (sorts as it counts)."""
    return f"{number:012d}"


def _micros(value: object, name: str) -> int:
    return epoch_micros(require_aware(value, name))


def _day(value: object, name: str) -> str:
    return _as_date(value, name).isoformat()


def _as_date(value: object, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value)
    return value
