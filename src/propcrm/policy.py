"""Policies are data: the :class:`Policy` tree, loaded from TOML, JSON or a mapping.

Every number in the business rules is a default of a policy attribute, never a
constant in code. A company starts from ``propcrm policy show`` (the complete
default policy), changes what it needs, and checks the file with
``propcrm policy check FILE``.

Loading is strict and all-or-nothing: unknown keys, wrong types and values out
of range are all reported together, each by its dotted path, in one
:class:`~propcrm.errors.PolicyError`.

>>> policy = Policy.from_mapping({"timezone": "Asia/Shanghai"})
>>> policy.timezone
'Asia/Shanghai'
>>> Policy.from_toml('timezone = "Mars/Olympus"')
Traceback (most recent call last):
...
propcrm.errors.PolicyError: invalid policy: 1 problem
  timezone: expected an IANA time-zone name, got 'Mars/Olympus'; e.g. 'Asia/Shanghai' or 'UTC'
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, time, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

import attrs
import cattrs
from attrs import Factory, field, frozen
from cattrs.cols import (
    homogenous_tuple_structure_factory,
    is_mutable_sequence,
    is_sequence,
    list_structure_factory,
)
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationNote

from propcrm import _toml
from propcrm._time import format_duration, parse_duration, zone
from propcrm.calendar import CalendarPolicy, WorkWeek
from propcrm.callbacks import CallbackPolicy
from propcrm.complaints import Grade, GradingPolicy
from propcrm.customers import CustomerPolicy
from propcrm.errors import PolicyError, PolicyProblem, ValidationError
from propcrm.satisfaction import SatisfactionPolicy
from propcrm.sla import AllowanceKind, SlaPolicy
from propcrm.vip import VipPolicy

__all__ = ["Policy"]

T = TypeVar("T")


def _valid_zone(instance: object, attribute: Any, value: object) -> None:
    zone(value, attribute.name)  # type: ignore[arg-type]


@frozen
class Policy:
    """The root of a company's policy: one sub-policy per capability.

    Attributes:
        timezone: The company's IANA time zone; calendars that name no zone use it.
        calendars: The named business calendars (营业日历) other rules run on.
        customers: Customer tiers and household segments (002 §§6-7).
        vip: The VIP card programme (002 §§19-35).
        satisfaction: Satisfaction and NPS: KPI targets, dimension weights, confidence.
        grading: Complaint grading: thresholds, roles and resolution allowances.
        callbacks: Callbacks and care: windows, role shares, rounds, VIP care, capacity.
        sla: Service-level targets (:class:`~propcrm.sla.SlaPolicy`). By default its
            complaint resolution targets allow ``grading.resolve_within``; written out,
            they must agree with it.

    Raises:
        ValidationError: ``sla``'s complaint resolution targets disagree with
            ``grading.resolve_within`` (loading reports it at the path ``sla``).
    """

    __propcrm_root_policy__ = True  # engines take the root policy via propcrm._slices

    timezone: str = field(default="Asia/Shanghai", validator=_valid_zone)
    calendars: CalendarPolicy = field(factory=CalendarPolicy)
    customers: CustomerPolicy = field(factory=CustomerPolicy)
    vip: VipPolicy = field(factory=VipPolicy)
    satisfaction: SatisfactionPolicy = field(factory=SatisfactionPolicy)
    grading: GradingPolicy = field(factory=GradingPolicy)
    callbacks: CallbackPolicy = field(factory=CallbackPolicy)
    sla: SlaPolicy = field(
        default=Factory(lambda self: SlaPolicy.default_for(self.grading.resolve_within), True)
    )

    def __attrs_post_init__(self) -> None:
        if isinstance(self.grading, GradingPolicy) and isinstance(self.sla, SlaPolicy):
            _check_resolution(self.grading, self.sla)

    @classmethod
    def from_mapping(cls, data: object, *, source: str | None = None) -> Policy:
        """Build a policy from plain data (as parsed from TOML or JSON).

        Raises:
            PolicyError: listing every problem by dotted path.
        """
        return _structure(data, cls, source)

    @classmethod
    def from_toml(cls, text: str, *, source: str | None = None) -> Policy:
        """Parse a TOML document into a policy (see :meth:`from_mapping`)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise PolicyError([PolicyProblem("", f"malformed TOML: {e}")], source) from e
        except RecursionError:
            raise _too_deep(source) from None
        return cls.from_mapping(data, source=source)

    @classmethod
    def from_json(cls, text: str, *, source: str | None = None) -> Policy:
        """Parse a JSON document into a policy (see :meth:`from_mapping`)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise PolicyError([PolicyProblem("", f"malformed JSON: {e}")], source) from e
        except RecursionError:
            raise _too_deep(source) from None
        return cls.from_mapping(data, source=source)

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read a policy file; ``.toml`` and ``.json`` are recognised by suffix.

        Raises:
            PolicyError: the file cannot be read, has another suffix, or is invalid.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise PolicyError(
                [PolicyProblem("", f"unknown policy format {suffix!r}; use a .toml or .json file")],
                str(path),
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise PolicyError([PolicyProblem("", f"cannot read the file: {e}")], str(path)) from e
        if suffix == ".toml":
            return cls.from_toml(text, source=str(path))
        return cls.from_json(text, source=str(path))

    def to_mapping(self) -> dict[str, Any]:
        """Return the policy as plain data: ``Policy.from_mapping(p.to_mapping()) == p``."""
        data: dict[str, Any] = _converter.unstructure(self)
        return data

    def to_toml(self) -> str:
        """Return the policy as a TOML document."""
        return _toml.dumps(self.to_mapping())

    def to_json(self) -> str:
        """Return the policy as an indented JSON document."""
        return json.dumps(self.to_mapping(), indent=2, ensure_ascii=False) + "\n"


def _check_resolution(grading: GradingPolicy, sla: SlaPolicy) -> None:
    """The SLA target ``resolution`` a complaint of each grade gets allows ``resolve_within``."""
    problems = []
    for grade in Grade:
        if "complaint" not in sla.kinds:  # no complaint targets: nothing to disagree with
            break
        chosen = sla.select("complaint", grade.value)
        want = grading.resolve_within[grade]
        for j, target in enumerate(chosen.targets):
            allowance = target.allowance
            timed = allowance.kind in (AllowanceKind.BUSINESS, AllowanceKind.WALL)
            if target.name != "resolution" or (timed and allowance.duration == want):
                continue
            have = format_duration(allowance.duration) if timed else allowance.kind.value
            problems.append(
                f"sla.sets[{sla.sets.index(chosen)}].targets[{j}].allowance ({chosen.name}) "
                f"allows {have} but grading.resolve_within.{grade.value} is "
                f"{format_duration(want)}"
            )
    if problems:
        raise ValidationError(
            "sla",
            "sla: complaint resolution allowances disagree with grading: "
            + "; ".join(problems)
            + "; write the same duration in both places, or leave out sla so that its "
            "complaint sets follow grading.resolve_within",
            sla,
        )


# --- the private converter -------------------------------------------------------------------


def _strict_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.expected("", "an integer", value)
    return value


def _strict_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError.expected("", "a number", value)
    return float(value)


def _strict_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValidationError.expected("", "true or false", value)
    return value


def _strict_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise ValidationError.expected("", "a string", value)
    return value


def _duration(value: object, _: type) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value, "")  # type: ignore[arg-type]


def _date(value: object, _: type) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.expected("", "a date such as '2025-10-01'", value)


def _time(value: object, _: type) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.expected("", "a time of day such as '08:30'", value)


def _work_week(value: object, _: type) -> WorkWeek:
    if isinstance(value, WorkWeek):
        return value
    if not isinstance(value, str):
        raise ValidationError.expected("", "a work week such as 'mon-fri 08:30-18:00'", value)
    return WorkWeek.parse(value, field="")


def _enum(value: object, cls: type[Enum]) -> Enum:
    for member in cls:
        if value == member.value and type(value) is type(member.value):
            return member
    allowed = ", ".join(repr(m.value) for m in cls)
    raise ValidationError.expected("", f"one of {allowed}", value)


def _is_hetero_tuple(t: object) -> bool:
    return get_origin(t) is tuple and ... not in get_args(t)


def _is_list_type(t: object) -> bool:
    return is_sequence(t) or _is_hetero_tuple(t)


def _list_hook(t: Any, converter: cattrs.Converter) -> Callable[[object, type], object]:
    """cattrs' own hook for ``t``, refusing what is not a list before it runs.

    cattrs iterates whatever it is given, so a string would load as its characters.
    """
    inner: Callable[[Any, Any], object]
    if _is_hetero_tuple(t):
        inner = converter.gen_structure_hetero_tuple(t)
    elif is_mutable_sequence(t):
        inner = list_structure_factory(t, converter)
    else:
        inner = homogenous_tuple_structure_factory(t, converter)

    def structure(value: object, cls: type) -> object:
        if not isinstance(value, Sequence) or isinstance(value, str | bytes | bytearray):
            raise ValidationError.expected("", "a list", value)
        return inner(value, cls)

    return structure


def _make_converter() -> cattrs.Converter:
    """The one converter for policies: strict scalars, durations as text, no extra keys."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(timedelta, _duration)
    converter.register_unstructure_hook(timedelta, format_duration)
    converter.register_structure_hook(date, _date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(time, _time)
    converter.register_unstructure_hook(time, lambda t: t.isoformat("minutes"))
    converter.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Enum), _enum
    )
    converter.register_structure_hook(WorkWeek, _work_week)
    converter.register_structure_hook_factory(_is_list_type, _list_hook)
    converter.register_unstructure_hook(WorkWeek, str)
    return converter


_converter = _make_converter()


def _structure(data: object, cls: type[T], source: str | None) -> T:
    if not isinstance(data, Mapping):
        raise PolicyError(
            [PolicyProblem("", f"expected a table of settings, got {type(data).__name__}")],
            source,
        )
    try:
        return _converter.structure(data, cls)
    except Exception as e:  # cattrs groups every failure; turn them into dotted paths
        if _hit_recursion_limit(e):
            raise _too_deep(source) from None
        problems = _problems(e, ())
        seen = {p.path for p in problems}
        problems += [p for p in _validator_problems(data, cls, ()) if p.path not in seen]
        raise PolicyError(_in_document_order(problems, data), source) from e


def _too_deep(source: str | None) -> PolicyError:
    return PolicyError([PolicyProblem("", "the document nests too deeply")], source)


def _hit_recursion_limit(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return any(_hit_recursion_limit(sub) for sub in exc.exceptions)
    return isinstance(exc, RecursionError)


# A failing validator stops a class's ``__init__``, so the first pass reports one bad value
# per table. The second pass structures and validates each present field on its own.


def _validator_problems(raw: object, cls: type, path: tuple[str, ...]) -> list[PolicyProblem]:
    """The validator failures of every field of ``cls`` present in ``raw``, each by path."""
    if not isinstance(raw, Mapping):
        return []
    try:
        hints = get_type_hints(cls)
    except Exception:  # pragma: no cover - every policy class resolves its own hints
        return []
    fields = [a for a in attrs.fields(cls) if a.init and a.name in raw]
    found: list[PolicyProblem] = []
    values: dict[str, object] = {}
    for a in fields:
        try:
            value = _converter.structure(raw[a.name], hints[a.name])
            values[a.name] = value if a.converter is None else a.converter(value)
        except Exception:
            found.extend(_nested_problems(raw[a.name], hints[a.name], (*path, a.name)))
    failed = {a.name for a in fields if a.name not in values}
    stand_in = _stand_in(cls, values, failed)
    for a in fields:
        if a.validator is None or a.name not in values:
            continue
        try:
            a.validator(stand_in, a, values[a.name])
        except ValidationError as e:
            found.extend(_problems(e, path if e.field else (*path, a.name)))
        except Exception:  # the first pass reported what it could
            continue
    return found


def _nested_problems(raw: object, t: Any, path: tuple[str, ...]) -> list[PolicyProblem]:
    """Look for validator failures inside a value of type ``t`` that did not load."""
    if attrs.has(t):
        return _validator_problems(raw, t, path)
    args = get_args(t)
    found: list[PolicyProblem] = []
    if get_origin(t) in (dict, Mapping) and len(args) == 2 and isinstance(raw, Mapping):
        for key, value in raw.items():
            found.extend(_nested_problems(value, args[1], (*path, str(key))))
    elif _is_list_type(t) and args and isinstance(raw, list | tuple):
        hetero = _is_hetero_tuple(t)
        for i, item in enumerate(raw[: len(args)] if hetero else raw):
            found.extend(_nested_problems(item, args[i] if hetero else args[0], (*path, f"[{i}]")))
    return found


def _stand_in(cls: type, values: Mapping[str, object], failed: set[str]) -> object:
    """An instance of ``cls`` for validators that look at other fields.

    It holds the loaded ``values`` and the defaults of fields left out; a field that
    failed to load stays unset, so a check that depends on it is skipped.
    """
    instance: object = object.__new__(cls)
    for a in attrs.fields(cls):
        if a.name in failed:
            continue
        value: Any = values.get(a.name, a.default)
        if isinstance(value, Factory):  # type: ignore[arg-type]
            try:
                value = value.factory(instance) if value.takes_self else value.factory()
            except Exception:  # left unset: a validator reading it fails and is skipped
                continue
        if value is not attrs.NOTHING:
            object.__setattr__(instance, a.name, value)
    return instance


_LAST_PART = re.compile(r"(\.[^.\[]*|\[[^\]]*\])$")
_ORDER_DEPTH = 32


def _in_document_order(problems: list[PolicyProblem], data: object) -> list[PolicyProblem]:
    """Sort problems by where their path first appears in the document (stable)."""
    order: dict[str, int] = {}
    stack: list[tuple[tuple[str, ...], object]] = [((), data)]
    while stack:
        path, node = stack.pop()
        order.setdefault(_join(path), len(order))
        children: list[tuple[tuple[str, ...], object]] = []
        if len(path) < _ORDER_DEPTH and isinstance(node, Mapping):
            children = [((*path, str(k)), v) for k, v in node.items()]
        elif len(path) < _ORDER_DEPTH and isinstance(node, list | tuple):
            children = [((*path, f"[{i}]"), v) for i, v in enumerate(node)]
        stack.extend(reversed(children))

    def position(problem: PolicyProblem) -> int:
        path = problem.path
        while path not in order:
            path = _LAST_PART.sub("", path) if _LAST_PART.search(path) else ""
        return order[path]

    return sorted(problems, key=position)


def _problems(exc: BaseException, path: tuple[str, ...]) -> list[PolicyProblem]:
    if isinstance(exc, ForbiddenExtraKeysError):
        known = sorted(a.name for a in getattr(exc.cl, "__attrs_attrs__", ()))
        return [
            PolicyProblem(
                _join((*path, str(key))),
                f"unknown key; the keys here are: {', '.join(known)}",
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, BaseExceptionGroup):
        found: list[PolicyProblem] = []
        for sub in exc.exceptions:
            found.extend(_problems(sub, (*path, *_note_path(sub))))
        return found
    if isinstance(exc, ValidationError):
        message = str(exc)
        if exc.field:
            message = message.removeprefix(f"{exc.field}: ")
            path = (*path, exc.field)
        return [PolicyProblem(_join(path), message)]
    if isinstance(exc, KeyError):
        return [PolicyProblem(_join(path), "a required key is missing")]
    return [PolicyProblem(_join(path), str(exc) or type(exc).__name__)]


def _note_path(exc: BaseException) -> tuple[str, ...]:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, IterableValidationNote):
            return (f"[{note.index!r}]" if not isinstance(note.index, str) else note.index,)
        name = getattr(note, "name", None)
        if isinstance(name, str):
            return (name,)
    return ()


def _join(path: tuple[str, ...]) -> str:
    out = ""
    for part in path:
        if part.startswith("["):
            out += part
        else:
            out += f".{part}" if out else part
    return out
