"""How entities become stored text and back: one private cattrs converter for storage.

Every adapter that keeps entities as text uses :func:`make_converter` (never
cattrs' global converter), so what a store returns is exactly what was given.

Attributes equal to their default are left out of the text and restored from
the class on reading (smaller rows, faster to write and read). So the default
of a stored attribute is part of the stored format: changing one needs a
migration that writes the old default into the rows that relied on it.

Aware datetimes are written as ISO 8601 text with their UTC offset, followed by
the IANA zone in brackets when the zone has a name (the form of RFC 9557), so
both the instant and the zone survive. A fixed offset given its own name
(``timezone(timedelta(hours=5, minutes=30), "IST")``) keeps it in an
RFC 9557-style suffix, ``[_name=IST]``, percent-encoded; an anonymous offset
(``UTC+05:30``) is written as the offset alone:

>>> from propcrm.storage._codec import epoch_micros, format_datetime, parse_datetime
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> moment = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> format_datetime(moment)
'2025-10-09T08:30:00+08:00[Asia/Shanghai]'
>>> parse_datetime(format_datetime(moment)) == moment
True
>>> epoch_micros(moment)
1759969800000000
>>> from datetime import timedelta, timezone
>>> ist = datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30), "IST"))
>>> format_datetime(ist)
'2025-01-01T00:00:00+05:30[_name=IST]'
>>> parse_datetime(format_datetime(ist)).tzname()
'IST'

Values typed only as ``object`` (the facts of a reason) carry a tag naming
their type. A propcrm enum or attrs value is tagged with its registered name
(see :data:`STORED_TYPES`); reading resolves the tag in that registry and
nothing else, so stored text can never make the host import a module or
reach an attribute of one. An unknown tag is a :class:`StorageError`.

:class:`~propcrm.privacy.PersonalData` is stored with its clear value: this
converter is the one place that writes it out (the public face of the class
shows only the masked form).
"""

from __future__ import annotations

import json
import operator
import urllib.parse
from collections.abc import Callable, Set
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

import cattrs
from cattrs.cols import namedtuple_dict_unstructure_factory
from cattrs.fns import identity

from propcrm.callbacks import CallbackKind, Subject, SubjectKind, TaskStatus
from propcrm.complaints import Grade
from propcrm.customers import Relation, Segment, Tier
from propcrm.errors import StorageError, ValidationError
from propcrm.explain import Reason
from propcrm.privacy import Confidentiality, PersonalData, PersonalKind, WithheldError
from propcrm.roles import Role
from propcrm.satisfaction import Kpi, KpiStatus
from propcrm.sla import AllowanceKind, EventKind, SlaState
from propcrm.vip import BenefitFamily, CardNumber, CardStatus, RevocationGround, VipLevel
from propcrm.work_orders import WorkOrderState

__all__ = [
    "STORED_TYPES",
    "decode",
    "encode",
    "epoch_micros",
    "format_datetime",
    "from_json",
    "make_converter",
    "parse_datetime",
]

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_NAME = "_name="  # the suffix key of a named fixed offset; IANA keys never hold "="

STORED_TYPES: tuple[type, ...] = (
    AllowanceKind,
    BenefitFamily,
    CallbackKind,
    CardNumber,
    CardStatus,
    Confidentiality,
    EventKind,
    Grade,
    Kpi,
    KpiStatus,
    PersonalKind,
    Reason,
    Relation,
    RevocationGround,
    Role,
    Segment,
    SlaState,
    Subject,
    SubjectKind,
    TaskStatus,
    Tier,
    VipLevel,
    WorkOrderState,
)
"""The propcrm types a fact (a value typed only as ``object``) may hold in storage.

Each is written with the tag ``"<module>:<class>"`` and read back through this
registry alone. Adding a type here makes it storable as a fact; removing one
makes the rows that hold it unreadable, so only add.
"""

_BY_TAG: dict[str, type] = {f"{cls.__module__}:{cls.__qualname__}": cls for cls in STORED_TYPES}
_TAGS: dict[type, str] = {cls: tag for tag, cls in _BY_TAG.items()}


def make_converter() -> cattrs.Converter:
    """Build the storage converter: attrs classes to JSON-ready data and back.

    Datetimes use :func:`format_datetime`, dates ISO text, durations whole
    microseconds, decimals text, enums their value, sets sorted lists.
    """
    converter = cattrs.Converter(
        omit_if_default=True, unstruct_collection_overrides={Set: _sorted_list}
    )
    # Enums by value, read from the member's slot rather than through the ``value``
    # property (a str enum, a Role, stays itself: the JSON encoder writes it as text).
    converter.register_unstructure_hook(Enum, _enum_value)
    converter.register_unstructure_hook(datetime, format_datetime)
    converter.register_structure_hook(datetime, lambda value, _: parse_datetime(value))
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, lambda value, _: date.fromisoformat(value))
    converter.register_unstructure_hook(timedelta, lambda value: value // _MICROSECOND)
    converter.register_structure_hook(timedelta, lambda value, _: timedelta(microseconds=value))
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda value, _: Decimal(value))
    converter.register_unstructure_hook(PersonalData, _personal_data)
    converter.register_structure_hook(
        PersonalData, lambda data, _: PersonalData(data["kind"], data["value"])
    )
    # Values typed only as ``object`` (the facts of a Reason) carry their type in a tag.
    converter.register_unstructure_hook_func(
        lambda cls: cls is object, lambda value: _tagged(converter, value)
    )
    converter.register_structure_hook_func(
        lambda cls: cls is object, lambda data, _: _untagged(converter, data)
    )
    # Named tuples (a GradeDecision) are stored as a mapping of their fields, as attrs values are.
    converter.register_unstructure_hook_factory(
        _is_named_tuple, lambda cls: _named_tuple_unstructure(converter, cls)
    )
    converter.register_structure_hook_factory(
        _is_named_tuple, lambda cls: _named_tuple_structure(converter, cls)
    )
    # ``X | None`` unstructured as X's hook (or as itself), not by dispatch on the value.
    converter.register_unstructure_hook_factory(
        _is_optional, lambda cls: _optional_hook(converter, cls)
    )
    return converter


def encode(converter: cattrs.Converter, entity: object, version: int | None = None) -> str:
    """Return ``entity`` as compact JSON text, with ``version`` replaced when given.

    Raises:
        ValidationError: The entity holds text that is not valid Unicode.
    """
    data = converter.unstructure(entity)
    if version is not None:
        data["version"] = version
    try:
        text = _to_json(data)
    except ValueError as e:  # NaN or infinity: JSON has no spelling for them
        raise ValidationError.expected(
            type(entity).__name__, "finite numbers", data, "store NaN and infinity as None"
        ) from e
    try:
        if not text.isascii():  # ASCII text (the usual id and code) is UTF-8 as it is
            text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValidationError.expected(
            type(entity).__name__,
            "text that can be written as UTF-8",
            e.object[e.start : e.end],
            "remove lone surrogate code points",
        ) from e
    return text


def decode(converter: cattrs.Converter, text: str, cls: type[T]) -> T:
    """Rebuild an entity of type ``cls`` from text written by :func:`encode`."""
    try:
        return converter.structure(from_json(text), cls)
    except RecursionError as e:
        raise StorageError(
            f"a stored {cls.__name__} cannot be read back (it is nested too deeply); "
            "the record was edited by hand or written by another program"
        ) from e
    except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as e:
        why = _why(e)
        raise StorageError(
            f"a stored {cls.__name__} cannot be read back ({why}); "
            "the record was written by an incompatible version or edited by hand"
        ) from e


def _why(error: Exception) -> str:
    """The leaf errors of a cattrs error with where they happened, or the error itself."""
    if not isinstance(error, cattrs.BaseValidationError):
        return str(error)
    return "; ".join(cattrs.transform_error(error, format_exception=lambda e, _: str(e)))


# The last datetime written, with its text, and the last made an instant: the same
# moment is written several times a complaint (in its case's events, in its decision).
# Each is one tuple, replaced whole, so a thread never reads one moment's text with
# another; it holds the datetime itself, so the id compared is never another's.
_last_text: tuple[object, str] = (object(), "")  # (a marker no caller has, to start)
_last_micros: tuple[object, int] = (object(), 0)


def format_datetime(value: datetime) -> str:
    """Write an aware datetime as ISO text with offset, plus ``[zone]`` for named zones.

    The suffix is the IANA key of a :class:`~zoneinfo.ZoneInfo`, or
    ``_name=`` and the percent-encoded name of a fixed offset named by its
    creator; an anonymous fixed offset has none.

    Raises:
        ValidationError: for naive datetimes, zones that are neither
            :class:`~zoneinfo.ZoneInfo` (with a key) nor fixed offsets, or a
            zone name that cannot be written as UTF-8.
    """
    global _last_text
    last = _last_text
    if last[0] is value:
        return last[1]
    text = _datetime_text(value)
    _last_text = (value, text)
    return text


def _datetime_text(value: datetime) -> str:
    zone = value.tzinfo
    if isinstance(zone, ZoneInfo) and zone.key:  # the usual case first: always aware
        return f"{value.isoformat()}[{zone.key}]"
    if zone is None or value.utcoffset() is None:
        raise ValidationError.expected(
            "datetime", "a timezone-aware datetime", value, "attach a ZoneInfo zone"
        )
    if isinstance(zone, timezone):
        if zone.utcoffset(None).microseconds:
            # Python 3.11 reads "+00:00:00.000001" back as "+00:00": refuse, never corrupt.
            raise ValidationError.expected(
                "datetime", "a zone offset of whole seconds", zone.utcoffset(None)
            )
        name = zone.tzname(None)
        if name == timezone(zone.utcoffset(None)).tzname(None):  # anonymous: "UTC+05:30"
            return value.isoformat()
        try:
            return f"{value.isoformat()}[{_NAME}{urllib.parse.quote(name, safe='')}]"
        except UnicodeEncodeError as e:
            raise ValidationError.expected(
                "datetime", "a zone name that can be written as UTF-8", name
            ) from e
    raise ValidationError.expected(
        "datetime",
        "a datetime whose zone is a ZoneInfo or a fixed timezone offset",
        value,
        "convert it with .astimezone(ZoneInfo('Asia/Shanghai'))",
    )


def parse_datetime(text: str) -> datetime:
    """Read text written by :func:`format_datetime`: same instant, wall time and zone."""
    stamp, _, rest = text.partition("[")
    parsed = datetime.fromisoformat(stamp)
    if not rest:
        return parsed
    suffix = rest.removesuffix("]")
    if suffix.startswith(_NAME):
        name = urllib.parse.unquote(suffix.removeprefix(_NAME), errors="strict")
        return parsed.replace(tzinfo=timezone(parsed.utcoffset(), name))  # type: ignore[arg-type]
    zone: tzinfo = ZoneInfo(suffix)
    wall = parsed.replace(tzinfo=zone)
    if wall.utcoffset() == parsed.utcoffset():
        return wall
    # The offset tells which side of a repeated (or skipped) wall time was meant.
    other = wall.replace(fold=1 - wall.fold)
    if other.utcoffset() == parsed.utcoffset():
        return other
    # The zone's rules changed since writing: the recorded instant wins.
    return parsed.astimezone(zone)


def epoch_micros(value: datetime) -> int:
    """Return the instant as whole microseconds since 1970-01-01 UTC (for indexed columns)."""
    global _last_micros
    last = _last_micros
    if last[0] is value:
        return last[1]
    micros = (value - _EPOCH) // _MICROSECOND
    _last_micros = (value, micros)
    return micros


def _tagged(converter: cattrs.Converter, value: object) -> Any:
    """Write a value of unknown type so that :func:`_untagged` restores it exactly.

    JSON scalars and lists stand for themselves; everything else becomes a
    one-key object naming its type, e.g. ``{"$date": "2025-10-09"}``.
    """
    name = _TAGS.get(type(value))  # first: a str or int enum is not a plain scalar
    if name is not None:
        return {"$type": name, "value": converter.unstructure(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_tagged(converter, item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_tagged(converter, item) for item in value]}
    if isinstance(value, frozenset | set):
        tag = "$frozenset" if isinstance(value, frozenset) else "$set"
        return {tag: _sorted_list(_tagged(converter, item) for item in value)}
    if isinstance(value, dict):
        return {"$dict": [[_tagged(converter, k), _tagged(converter, v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        return {"$datetime": format_datetime(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": value // _MICROSECOND}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    raise ValidationError.expected(
        "facts",
        "values that storage can restore (None, bool, int, float, str, list, tuple, set, "
        "dict, datetime, date, timedelta, Decimal, or a type in storage's STORED_TYPES)",
        value,
    )


def _untagged(converter: cattrs.Converter, data: Any) -> Any:
    if isinstance(data, list):
        return [_untagged(converter, item) for item in data]
    if not isinstance(data, dict):
        return data
    (tag, payload), *_ = data.items()
    if tag == "$tuple":
        return tuple(_untagged(converter, item) for item in payload)
    if tag in ("$frozenset", "$set"):
        items = (_untagged(converter, item) for item in payload)
        return frozenset(items) if tag == "$frozenset" else set(items)
    if tag == "$dict":
        return {_untagged(converter, k): _untagged(converter, v) for k, v in payload}
    if tag == "$datetime":
        return parse_datetime(payload)
    if tag == "$date":
        return date.fromisoformat(payload)
    if tag == "$timedelta":
        return timedelta(microseconds=payload)
    if tag == "$decimal":
        return Decimal(payload)
    if tag == "$type":
        cls = _BY_TAG.get(payload) if isinstance(payload, str) else None
        if cls is None:
            raise ValueError(f"the type tag {payload!r} names no type propcrm stores")
        return converter.structure(data["value"], cls)
    raise ValueError(f"unknown tag {tag!r} in stored data")


def _personal_data(value: PersonalData) -> dict[str, str]:
    try:
        clear = value.reveal()  # storage keeps the clear value (see the module docs)
    except WithheldError as e:
        raise ValidationError.expected(
            value.kind.value,
            "personal data with its clear value",
            value,
            "a withheld copy (from a desk's result or a pickle) holds only the masked form; "
            "store the record as read from the store",
        ) from e
    return {"kind": value.kind.value, "value": clear}


_enum_value = operator.attrgetter("_value_")


def _is_named_tuple(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")


def _named_tuple_unstructure(converter: cattrs.Converter, cls: Any) -> Callable[[Any], Any]:
    hints = get_type_hints(cls)
    untyped = [name for name in cls._fields if name not in hints]
    if untyped:  # cattrs would write such a tuple as an empty mapping
        raise TypeError(
            f"{cls.__name__} names no type for {', '.join(untyped)}: a stored named tuple "
            "declares its fields' types (typing.NamedTuple)"
        )
    # cattrs writes the function for the class, fields written as they are inline:
    # a decision is written for every graded complaint.
    return namedtuple_dict_unstructure_factory(cls, converter)


def _named_tuple_structure(converter: cattrs.Converter, cls: Any) -> Callable[[Any, Any], Any]:
    hints = get_type_hints(cls)
    fields = [(name, hints[name]) for name in cls._fields]
    return lambda data, _: cls(*(converter.structure(data[name], hint) for name, hint in fields))


def _is_optional(cls: Any) -> bool:
    args = get_args(cls)
    return get_origin(cls) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _optional_hook(converter: cattrs.Converter, cls: Any) -> Callable[[Any], Any]:
    (inner,) = [arg for arg in get_args(cls) if arg is not NoneType]
    hook = converter.get_unstructure_hook(inner)
    if hook == identity:
        return identity  # lets cattrs write the attribute inline
    return lambda value: None if value is None else hook(value)


def _json_encoder() -> Callable[[Any], str]:
    """Compact JSON, UTF-8 text as is, no NaN: ``json.dumps`` without its per-call setup."""
    encoder = json.JSONEncoder(
        ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
    )
    try:
        from _json import make_encoder
    except ImportError:  # pragma: no cover - a Python without the C accelerator
        return encoder.encode
    # JSONEncoder.encode() builds this C encoder anew on every call; build it once.
    one_shot = make_encoder(
        None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    return lambda data: "".join(one_shot(data, 0))


_to_json = _json_encoder()


def from_json(text: str) -> Any:
    """Read JSON text as :func:`json.loads` reads it (and fails as it fails).

    Text written by :func:`encode` (no white space around it) is read by the C
    scanner alone, without ``json.loads``' checks of the text around the value:
    half the cost of reading a short row.
    """
    try:
        value, end = _scan(text, 0)
    except (StopIteration, TypeError):
        return json.loads(text)  # not a JSON value at 0 (white space, nothing): as loads fails
    if end != len(text):
        return json.loads(text)  # white space or more after the value: as loads reads it
    return value


_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _sorted_list(values: Any) -> list[Any]:
    items = list(values)  # (a generator cannot be read twice)
    try:
        return sorted(items)
    except TypeError:
        return items
