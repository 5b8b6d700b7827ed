"""The port between the repositories and an adapter: tables, queries and the engine.

Adapters implement a small :class:`Engine` per table (get, add, update,
remove, select); the typed repositories of ``_catalog`` turn the domain's
questions into declared :class:`Query` objects that every engine runs the same
way. :class:`Repo` is the part of every repository that only delegates, and the
checks here (an entity of the right type, text that can be stored) are shared
by every repository, so every adapter refuses bad input the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, Literal, Protocol, TypeVar

import attrs
from attrs import field, frozen

from propcrm._validators import revised
from propcrm.errors import ConflictError, ValidationError

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


def stamper(table: Table[T]) -> Callable[[T, int], T]:
    """How a store stamps an entity of ``table`` with the version it writes it as.

    ``attrs.evolve(entity, version=version)``, but for an entity of exactly
    the table's class, when that is frozen (so checked when it was built), a
    copy that runs no validator again but the version's: every write of a
    versioned table makes one.
    """
    try:
        copy = revised(table.entity)
    except TypeError:  # a class that makes or checks its fields as a whole
        copy = None
    entity_class = table.entity

    def stamped(entity: T, version: int) -> T:
        if copy is not None and type(entity) is entity_class:
            return copy(entity, version)
        return attrs.evolve(entity, version=version)  # type: ignore[misc]

    return stamped


class Engine(Protocol[T]):
    """What an adapter provides for one table; repositories are built on it."""

    @property
    def table(self) -> Table[T]: ...

    def get(self, id: str) -> T: ...

    def get_many(self, ids: Sequence[str]) -> list[T]: ...

    def add(self, entity: T) -> T: ...

    def add_all(self, entities: Iterable[T]) -> int: ...

    def update(self, entity: T) -> T: ...

    def remove(self, id: str, version: int | None) -> None: ...

    def append(self, entity: T) -> str: ...

    def select(self, query: Query, params: Mapping[str, Scalar]) -> list[T]: ...

    def select_any(
        self,
        where: Sequence[tuple[str, Operator]],
        params: Sequence[tuple[Scalar, ...]],
        order: Sequence[str],
    ) -> list[T]: ...

    def select_any_rows(
        self, where: Sequence[tuple[str, Operator]], params: Sequence[tuple[Scalar, ...]]
    ) -> list[tuple[str, tuple[Scalar, ...], str]]:
        """As :meth:`select_any`, each row unread: its id, query-column values and
        encoded entity, by id."""
        ...

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

    def get_many(self, ids: Iterable[str]) -> list[T]:
        """Return the entities with ``ids``, in that order; raise ``NotFoundError`` if one
        is missing."""
        return self._engine.get_many(storable_ids(ids))

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
    return _checked(table, values, name)


def _checked(table: Table[T], values: Iterable[T], name: str) -> Iterator[T]:
    cls = table.entity
    for i, value in enumerate(values):
        if not isinstance(value, cls):  # the name is spelled only for the error
            entity_of(table, value, f"{name}[{i}]")
        yield value


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


def storable_ids(ids: object, name: str = "ids") -> list[str]:
    """Return ``ids`` as a list if it is an iterable of storable text (see :func:`storable_text`).

    Raises:
        ValidationError: ``ids`` is text or not iterable (naming ``name``), or an
            item is not storable text (naming ``name[<position>]``).
    """
    if not isinstance(ids, Iterable) or isinstance(ids, str | bytes):
        raise ValidationError(
            name, f"{name}: expected an iterable of id strings, got {_a(ids)}", ids
        )
    return [storable_text(id, f"{name}[{i}]") for i, id in enumerate(ids)]


def stale(name: str, id: str, given: int, current: int) -> ConflictError:
    """The error for an update or removal made from an out-of-date copy."""
    return ConflictError(
        f"{name} {id!r} was changed by someone else: you have version {given}, "
        f"the store has version {current}; read it again and reapply your change"
    )


def sequence_id(number: int) -> str:
    """The id of the ``number``-th entity of an append-only table (sorts as it counts)."""
    return f"{number:012d}"
