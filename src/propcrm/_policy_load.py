"""Loading plain data into policy classes: the strict converter and its problem reports.

Loading is strict and all-or-nothing: unknown keys, wrong types and values out
of range are all reported together, each by its dotted path, in one
:class:`~propcrm.errors.PolicyError`, in the order the document has them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, time, timedelta
from enum import Enum
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

import attrs
import cattrs
from attrs import Factory
from cattrs.cols import (
    homogenous_tuple_structure_factory,
    is_mutable_sequence,
    is_sequence,
    list_structure_factory,
)
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationNote

from propcrm._time import format_duration, parse_duration
from propcrm.calendar import CalendarPolicy, CalendarSpec, WorkWeek
from propcrm.errors import PolicyError, PolicyProblem, ValidationError, shown

__all__ = ["converter", "structure", "too_deep", "whole_tables"]

T = TypeVar("T")


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

    # The named calendars are one table per name: [calendars.desk], [calendars.office].
    def calendars(value: object, _: type) -> CalendarPolicy:
        if not isinstance(value, Mapping):
            raise ValidationError.expected("", "a table of named calendars", value)
        return CalendarPolicy(converter.structure(value, _CALENDARS))

    converter.register_structure_hook(CalendarPolicy, calendars)
    converter.register_unstructure_hook(
        CalendarPolicy, lambda p: converter.unstructure(p.specs, _CALENDARS)
    )
    return converter


#: How a table of named calendars is read and checked.
_CALENDARS = dict[str, CalendarSpec]


converter = _make_converter()


def structure(data: object, cls: type[T], source: str | None, *, written: object = None) -> T:
    """Structure ``data`` as ``cls``, or raise one :class:`PolicyError` listing every problem.

    Args:
        data: The plain data to load.
        cls: The policy class.
        source: The file name for the error message, if any.
        written: The data as the document wrote it, before merging over the
            defaults; problems are listed in its order (default: ``data``).
    """
    if not isinstance(data, Mapping):
        raise PolicyError(
            [PolicyProblem("", f"expected a table of settings, got {type(data).__name__}")],
            source,
        )
    try:
        return converter.structure(data, cls)
    except Exception as e:  # cattrs groups every failure; turn them into dotted paths
        if _hit_recursion_limit(e):
            raise too_deep(source) from None
        problems = _problems(e, ())
        seen = {p.path for p in problems}
        problems += [p for p in _validator_problems(data, cls, ()) if p.path not in seen]
        order = data if written is None else written
        raise PolicyError(_in_document_order(problems, order), source) from e


def whole_tables(
    listed: object, data: Mapping[Any, object], cls: type, source: str | None
) -> frozenset[str]:
    """The keyed tables a file's top-level ``replace`` list gives whole, checked.

    Each item must be the dotted path of a keyed table of ``cls`` (a table
    whose keys are names, such as ``callbacks.repair_within``) that ``data``
    writes; anything else is a :class:`PolicyError` naming the item.
    """
    if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
        problem = "expected a list of table paths, e.g. ['callbacks.repair_within']"
        raise PolicyError([PolicyProblem("replace", problem)], source)
    problems: list[PolicyProblem] = []
    for i, path in enumerate(listed):
        if not _is_keyed(cls, path):
            problem = (
                f"{shown(path)} is not a keyed table (a table of names such as kinds or roles)"
            )
        elif not isinstance(_written(data, path), Mapping):
            problem = f"{path} is not written in this file; write the whole table, or drop it here"
        else:
            continue
        problems.append(PolicyProblem(f"replace[{i}]", problem))
    if problems:
        raise PolicyError(problems, source)
    return frozenset(listed)


def _is_keyed(cls: type, path: str) -> bool:
    """Whether ``path`` leads from ``cls`` through its fields to a ``dict`` of names."""
    t: Any = cls
    for part in path.split("."):
        if t is CalendarPolicy:  # its keys are calendar names
            t = CalendarSpec
        elif get_origin(t) is dict:
            t = get_args(t)[1]
        elif attrs.has(t) and part in (hints := get_type_hints(t)):
            t = hints[part]
        else:
            return False
    return get_origin(t) is dict


def _written(data: object, path: str) -> object:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def too_deep(source: str | None) -> PolicyError:
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
            value = converter.structure(raw[a.name], hints[a.name])
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
    if t is CalendarPolicy:
        t = _CALENDARS
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
