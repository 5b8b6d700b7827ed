"""Policies are data: the :class:`Policy` tree, loaded from TOML, JSON or a mapping.

Every number in the business rules is a default of a policy attribute, never a
constant in code. A company writes only what it changes: a policy file
overrides only the keys it names, at any depth, and keeps every other default
(a table merges key by key; a list replaces the whole default list).
``propcrm policy show`` prints every key with its meaning, unit, Chinese term
and source; ``propcrm policy check FILE`` checks a company's file.

Loading is strict and all-or-nothing: unknown keys, wrong types and values out
of range are all reported together, each by its dotted path, in one
:class:`~propcrm.errors.PolicyError`.

>>> from datetime import date
>>> from propcrm.policy import Policy
>>> policy = Policy.from_toml('[calendars.office]\\nweek = "mon-sat 09:00-17:00"')
>>> policy.calendars["office"].holidays    # kept: only week was named
'CN'
>>> policy.calendar("office").is_working_day(date(2025, 10, 1))
False
>>> Policy.from_toml('tz = "Mars/Olympus"')
Traceback (most recent call last):
...
propcrm.errors.PolicyError: invalid policy: 1 problem
  tz: expected an IANA time-zone name, got 'Mars/Olympus'; e.g. 'Asia/Shanghai' or 'UTC'
"""

from __future__ import annotations

import json
import stat
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path, PurePath
from typing import Any, ClassVar

from attrs import Factory, field, frozen

from propcrm._checks import require_instance
from propcrm._policy_file import REPLACE, Derived, as_written, dumps, merge, replaced
from propcrm._policy_load import converter, structure, too_deep, whole_tables
from propcrm._sla_targets import RESOLUTION
from propcrm._time import format_duration, zone
from propcrm.access import AccessPolicy
from propcrm.calendar import BusinessCalendar, CalendarPolicy
from propcrm.callbacks import CallbackPolicy
from propcrm.complaints import Grade, GradingPolicy
from propcrm.customers import CustomerPolicy, Tier
from propcrm.errors import PolicyError, PolicyProblem, ValidationError, shown
from propcrm.satisfaction import SatisfactionPolicy
from propcrm.sla import AllowanceKind, EventKind, SlaPolicy, SlaTarget
from propcrm.vip import VipPolicy

__all__ = ["Policy"]


def _valid_zone(instance: object, attribute: Any, value: object) -> None:
    zone(value, attribute.name)  # type: ignore[arg-type]


@frozen
class Policy:
    """The root of a company's policy: one sub-policy per capability.

    Attributes:
        tz: The company's IANA time zone; calendars that name no zone use it.
        calendars: The named business calendars (营业日历) other rules run on;
            build one with :meth:`calendar`.
        customers: Customer tiers and household segments (002 §§6-7).
        vip: The VIP card programme (002 §§19-35).
        satisfaction: Satisfaction and NPS: KPI targets, dimension weights, confidence.
        grading: Complaint grading: thresholds, roles and resolution allowances.
        callbacks: Callbacks and care: windows, role shares, rounds, VIP care, capacity.
        sla: Service-level targets (:class:`~propcrm.sla.SlaPolicy`). By default its
            complaint resolution targets allow ``grading.resolve_within``; written out,
            they must agree with it.
        access: Who may read and reveal what: levels and personal kinds per role,
            the audit threshold (:class:`~propcrm.access.AccessPolicy`, RULES §8).

    Raises:
        ValidationError: an ``sla`` complaint resolution target (any set, grade
            or tier) would give another due moment than ``grade()``: it must start
            at ``received``, run on ``24x7`` and allow ``grading.resolve_within``
            as business time (loading reports it at the path ``sla``).
    """

    #: Marks the root policy for :func:`propcrm._slices.policy_slice`.
    __propcrm_root_policy__: ClassVar[bool] = True

    tz: str = field(default="Asia/Shanghai", validator=_valid_zone)
    calendars: CalendarPolicy = field(factory=CalendarPolicy)
    customers: CustomerPolicy = field(factory=CustomerPolicy)
    vip: VipPolicy = field(factory=VipPolicy)
    satisfaction: SatisfactionPolicy = field(factory=SatisfactionPolicy)
    grading: GradingPolicy = field(factory=GradingPolicy)
    callbacks: CallbackPolicy = field(factory=CallbackPolicy)
    sla: SlaPolicy = field(default=Factory(lambda self: _default_sla(self.grading), True))
    access: AccessPolicy = field(factory=AccessPolicy)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.grading, GradingPolicy) and isinstance(self.sla, SlaPolicy):
            _check_resolution(self.grading, self.sla)

    def calendar(self, name: str, *, years: Iterable[int] | None = None) -> BusinessCalendar:
        """Build the business calendar the policy names ``name``, in the policy's zone.

        This is the one way to get a calendar from a policy; a calendar that names
        no zone of its own runs in ``tz``.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from propcrm.policy import Policy
        >>> Policy().calendar("desk").next_working_time(
        ...     datetime(2025, 10, 1, 7, tzinfo=ZoneInfo("Asia/Shanghai")))
        datetime.datetime(2025, 10, 1, 8, 30, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))

        Args:
            name: The calendar's name, e.g. ``"desk"`` or ``"contact"``.
            years: Build only these years' tables now (the others when first needed).

        Raises:
            ValidationError: no calendar has that name; the message lists the known names.
        """
        return self.calendars.spec(name).build(self.tz, years=years)

    @classmethod
    def from_mapping(cls, data: object, *, source: str | None = None) -> Policy:
        """Build a policy from plain data (as parsed from TOML or JSON).

        ``data`` overrides only the keys it names, at any depth; every other key
        keeps its default (a list replaces the whole default list). A keyed
        table that the top-level ``replace`` list names is taken whole, without
        the default entries it leaves out.

        Raises:
            PolicyError: listing every problem by dotted path.
        """
        if not isinstance(data, Mapping):
            return structure(data, cls, source)
        whole = whole_tables(data.get(REPLACE, []), data, cls, source)
        return structure(_over_defaults(data, whole), cls, source, written=data)

    @classmethod
    def from_toml(cls, text: str, *, source: str | None = None) -> Policy:
        """Parse a TOML document into a policy (see :meth:`from_mapping`)."""
        require_instance(text, str, "text", "the text of a TOML document", _READ_FILE)
        try:
            data = tomllib.loads(text)
        except ValueError as e:  # TOMLDecodeError, or an integer of more than 4,300 digits
            raise PolicyError([PolicyProblem("", f"malformed TOML: {e}")], source) from e
        except RecursionError:
            raise too_deep(source) from None
        return cls.from_mapping(data, source=source)

    @classmethod
    def from_json(cls, text: str, *, source: str | None = None) -> Policy:
        """Parse a JSON document into a policy (see :meth:`from_mapping`)."""
        require_instance(text, str, "text", "the text of a JSON document", _READ_FILE)
        try:
            data = json.loads(text)
        except ValueError as e:  # JSONDecodeError, or an integer of more than 4,300 digits
            raise PolicyError([PolicyProblem("", f"malformed JSON: {e}")], source) from e
        except RecursionError:
            raise too_deep(source) from None
        return cls.from_mapping(data, source=source)

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read a policy file; ``.toml`` and ``.json`` are recognised by suffix.

        Raises:
            PolicyError: the file cannot be read, has another suffix, or is invalid.
        """
        path = Path(require_instance(path, (str, PurePath), "path", "a file path (str or Path)"))
        suffix = path.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise PolicyError(
                [
                    PolicyProblem(
                        "", f"unknown policy format {shown(suffix)}; use a .toml or .json file"
                    )
                ],
                str(path),
            )
        try:
            text = _read_policy_file(path)
        except (OSError, ValueError) as e:  # ValueError: a NUL in the path, or not UTF-8
            raise PolicyError([PolicyProblem("", f"cannot read the file: {e}")], str(path)) from e
        if suffix == ".toml":
            return cls.from_toml(text, source=str(path))
        return cls.from_json(text, source=str(path))

    def to_mapping(self) -> dict[str, Any]:
        """Return the policy as plain data, every value written out, derived ones too.

        Its ``replace`` lists the keyed tables that have fewer keys than their
        defaults, so that ``Policy.from_mapping(p.to_mapping()) == p``.
        """
        data: dict[str, Any] = converter.unstructure(self)
        defaults = {**_defaults(), "sla": converter.unstructure(_default_sla(self.grading))}
        return {"tz": data["tz"], REPLACE: replaced(defaults, data)} | data

    def to_file_mapping(self) -> dict[str, Any]:
        """Return the policy as a policy file holds it: each value in one place.

        Derived values are left out (the default SLA target sets, which follow
        ``grading.resolve_within``), and whole numbers are written without a
        fraction (a weight of ``1.0`` is written ``1``). It reloads exactly:
        ``Policy.from_mapping(p.to_file_mapping()) == p``.
        """
        data = self.to_mapping()
        if self._sla_sets_derived():
            del data["sla"]["sets"]
        written: dict[str, Any] = as_written(data)  # type: ignore[assignment]
        return written

    def to_toml(self) -> str:
        """Return the policy as a TOML document, every key with a comment saying what it is.

        The comment above each key gives its meaning, unit, Chinese term and the
        source of its default. Derived values are written as comments only, so a
        dump is edited in one place and reloads exactly.
        """
        derived: list[Derived] = []
        if self._sla_sets_derived():
            sets = converter.unstructure(self.sla.sets)
            derived.append(Derived("sla.sets", sets, _SLA_SETS_NOTE))
        return dumps(self.to_file_mapping(), derived)

    def to_json(self) -> str:
        """Return the policy as an indented JSON document (see :meth:`to_file_mapping`)."""
        return json.dumps(self.to_file_mapping(), indent=2, ensure_ascii=False) + "\n"

    def _sla_sets_derived(self) -> bool:
        return self.sla.sets == SlaPolicy.default_for(self.grading.resolve_within).sets


_READ_FILE = "to read a file use Policy.load(path)"

_SLA_SETS_NOTE = (
    "Not written: the default target sets below apply, their complaint resolution",
    "allowances following grading.resolve_within, so that is the one place to change them.",
    "To set your own, write the sets without the '# ': the list replaces every default",
    "set, every set lists its kinds, each complaint resolution target must then agree with",
    "grading.resolve_within, and each overlay must name targets your sets still have.",
)


@cache
def _defaults() -> dict[str, Any]:
    """The default policy as plain data, without ``sla``: it follows the grading given."""
    data: dict[str, Any] = converter.unstructure(Policy())
    del data["sla"]
    return data


def _over_defaults(data: Mapping[Any, object], whole: frozenset[str]) -> dict[str, Any]:
    """``data`` merged over the default policy by the one rule, ``whole`` tables taken whole.

    The default ``sla`` is the one that follows the merged ``grading``; a file's
    ``[sla]`` table is merged over that.
    """
    given = {k: v for k, v in data.items() if k not in ("sla", REPLACE)}
    merged: dict[str, Any] = merge(_defaults(), given, whole)  # type: ignore[assignment]
    if "sla" in data:
        try:
            grading = converter.structure(merged["grading"], GradingPolicy)
            base = SlaPolicy.default_for(grading.resolve_within)
        except Exception:  # the grading's own problems are reported when the whole loads
            base = SlaPolicy()
        merged["sla"] = merge(converter.unstructure(base), data["sla"], whole, "sla")
    return merged


#: The largest policy file read: a company's policy is a few kilobytes.
MAX_POLICY_BYTES = 1024 * 1024


def _read_policy_file(path: Path) -> str:
    """Read a regular file of at most :data:`MAX_POLICY_BYTES` as UTF-8 text.

    A device, a pipe or a huge file is refused before it is read, so loading a
    policy can neither block nor exhaust memory.
    """
    if not stat.S_ISREG(path.stat().st_mode):  # before opening: a pipe blocks on open
        raise ValueError("not a regular file")
    with path.open("rb") as handle:
        data = handle.read(MAX_POLICY_BYTES + 1)
    if len(data) > MAX_POLICY_BYTES:
        raise ValueError(f"larger than {MAX_POLICY_BYTES} bytes; a policy file is a few kilobytes")
    return data.decode("utf-8")


def _default_sla(grading: object) -> SlaPolicy:
    """The SLA policy whose complaint targets follow ``grading``."""
    require_instance(grading, GradingPolicy, "grading", "a GradingPolicy")
    return SlaPolicy.default_for(grading.resolve_within)  # type: ignore[attr-defined]


def _check_resolution(grading: GradingPolicy, sla: SlaPolicy) -> None:
    """Every SLA ``resolution`` target a complaint can get gives ``grade()``'s ``resolve_by``.

    ``grade()`` says ``received_at`` plus ``grading.resolve_within`` of the grade
    in real clock hours (RULES §4). So each complaint set's ``resolution`` target
    must start when the complaint is received, count business time on the
    ``24x7`` calendar (always open: business time is real time) and allow the
    grading duration of every grade it can be selected for, with every tier
    (overlays never touch it).
    """
    problems: list[str] = []
    for i, target_set in enumerate(sla.sets):
        if "complaint" not in target_set.kinds:
            continue
        reached = _grades_reached(sla, i)
        for j, target in enumerate(target_set.targets):
            if target.name == RESOLUTION and reached:
                where = f"sla.sets[{i}].targets[{j}]"
                problems += _resolution_problems(where, target_set.name, target, grading, reached)
    if problems:
        raise ValidationError(
            "sla",
            "sla: complaint resolution targets disagree with grading: "
            + "; ".join(problems)
            + " (a complaint is resolved by its receipt plus grading.resolve_within of its "
            "grade in clock hours on the 24x7 calendar, as grade() says, RULES §4); or leave "
            "out sla so that its complaint sets follow grading.resolve_within",
            sla,
        )


def _grades_reached(sla: SlaPolicy, index: int) -> list[Grade]:
    """The grades for which set ``index`` is the first complaint set, for some tier."""
    found = []
    for grade in Grade:
        for tier in ("", *(t.value for t in Tier)):
            first = next(
                (k for k, s in enumerate(sla.sets) if s.applies_to("complaint", grade.value, tier)),
                None,
            )
            if first == index:
                found.append(grade)
                break
    return found


def _resolution_problems(
    where: str, set_name: str, target: SlaTarget, grading: GradingPolicy, grades: list[Grade]
) -> list[str]:
    """What keeps one complaint ``resolution`` target from agreeing with ``grade()``."""
    problems = []
    if target.start is not EventKind.RECEIVED:
        problems.append(
            f"{where}.start ({set_name}) is {target.start.value!r}; write start = 'received'"
        )
    if target.calendar != "24x7":
        problems.append(
            f"{where}.calendar ({set_name}) is {target.calendar!r}; write calendar = '24x7'"
        )
    allowance = target.allowance
    business = allowance.kind is AllowanceKind.BUSINESS
    have = allowance.kind.value
    if allowance.kind is AllowanceKind.WALL:  # a wall-clock day across a clock change is 23 h
        have = f"{format_duration(allowance.duration)} of wall-clock time"
    for grade in grades:
        want = format_duration(grading.resolve_within[grade])
        if business and allowance.duration == grading.resolve_within[grade]:
            continue
        if business:
            fix = "write the same duration in both places"
            have = format_duration(allowance.duration)
        else:
            fix = f"write allowance = {{ kind = 'business', duration = '{want}' }}"
        problems.append(
            f"{where}.allowance ({set_name}) allows {have} but grading.resolve_within."
            f"{grade.value} is {want}; {fix}"
        )
        if not business:
            break
    return problems
