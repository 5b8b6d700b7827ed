"""What is stored: each aggregate's table, query columns and queries, declared once.

Adapters implement a small :class:`Engine` per table (get, add, update,
remove, select); the typed repositories here turn the domain's questions
("open complaints due before a moment") into declared :class:`Query` objects
that every engine runs the same way. Adding an aggregate means declaring its
:class:`Table`, writing its repository class and one schema migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Literal, Protocol, TypeVar

from attrs import field, frozen

from propcrm.errors import ConflictError

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

    Attributes:
        name: The column's name (a lower-case identifier).
        sql_type: ``"TEXT"`` or ``"INTEGER"``.
        value: Computes the column's value from an entity.
    """

    name: str = field(validator=_identifier)
    sql_type: Literal["TEXT", "INTEGER"]
    value: Callable[[Any], Scalar]


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
        queries: The declared queries, by name.
        versioned: Whether entities carry a ``version`` and may be updated;
            unversioned tables are append-only.
    """

    name: str = field(validator=_identifier)
    entity: type[T]
    columns: tuple[Column, ...]
    queries: tuple[Query, ...] = ()
    versioned: bool = True

    def query(self, name: str) -> Query:
        """Return the declared query called ``name``."""
        for query in self.queries:
            if query.name == name:
                return query
        raise KeyError(name)

    def values(self, entity: T) -> tuple[Scalar, ...]:
        """Compute every query column of ``entity``, in declaration order."""
        return tuple(column.value(entity) for column in self.columns)


class Engine(Protocol[T]):
    """What an adapter provides for one table; repositories are built on it."""

    def get(self, id: str) -> T: ...

    def add(self, entity: T) -> T: ...

    def add_all(self, entities: Iterable[T]) -> int: ...

    def update(self, entity: T) -> T: ...

    def remove(self, id: str, version: int | None) -> None: ...

    def select(self, query: Query, params: Mapping[str, Scalar]) -> list[T]: ...

    def count(self) -> int: ...


class Repo(Generic[T]):
    """The part of every repository that only delegates to the engine."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine[T]) -> None:
        self._engine = engine

    def get(self, id: str) -> T:
        """Return the entity with ``id``; raise ``NotFoundError`` if there is none."""
        return self._engine.get(id)

    def add(self, entity: T) -> T:
        """Store a new entity as version 1 and return the stored copy."""
        return self._engine.add(entity)

    def add_all(self, entities: Iterable[T]) -> int:
        """Store many new entities as version 1, all or none; return how many."""
        return self._engine.add_all(entities)

    def update(self, entity: T) -> T:
        """Replace the stored entity if ``entity.version`` is current; return the next version."""
        return self._engine.update(entity)

    def remove(self, id: str, *, version: int | None = None) -> None:
        """Delete the entity with ``id`` (only at ``version``, when given)."""
        self._engine.remove(id, version)

    def __len__(self) -> int:
        return self._engine.count()


def stale(name: str, id: str, given: int, current: int) -> ConflictError:
    """The error for an update or removal made from an out-of-date copy."""
    return ConflictError(
        f"{name} {id!r} was changed by someone else: you have version {given}, "
        f"the store has version {current}; read it again and reapply your change"
    )


TABLES: tuple[Table[Any], ...] = ()
"""Every aggregate table, in schema order."""
