"""Hostile inputs: every public callable answers a bad argument with a propcrm error.

The public API is enumerated from ``propcrm.__all__`` and each public module's
``__all__``, so a new public name is covered without touching this file. Each
callable (and each public method of each public class) is first called with
valid baseline arguments built from its type hints; then each parameter in
turn gets every hostile value while the others keep their baseline. Any
exception that is not a :class:`~propcrm.errors.PropcrmError`, and any call
that runs longer than its time limit, fails the test.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import itertools
import math
import pkgutil
import signal
import sqlite3
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

import propcrm
import propcrm.records
import propcrm.services
import propcrm.sla
import propcrm.vip
from propcrm.errors import PropcrmError
from propcrm.storage import Store
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import ReportingConnection, SqliteStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Seconds one call may take before it counts as a hang.
TIME_LIMIT = 5.0

#: Every public module: no part of its dotted name starts with "_". Test support
#: (``propcrm.testing``: hypothesis strategies and the storage contract suite) and the
#: command line (``propcrm.cli``: argparse answers a bad argv with SystemExit and exit
#: status 2, which tests/test_cli.py covers) are not library entry points.
PUBLIC_MODULES = [
    "propcrm",
    *sorted(
        info.name
        for info in pkgutil.walk_packages(propcrm.__path__, "propcrm.")
        if not any(part.startswith("_") for part in info.name.split("."))
        and not info.name.startswith(("propcrm.testing", "propcrm.cli"))
    ),
]


class _NoOffset(tzinfo):
    """A tzinfo whose ``utcoffset()`` is None: naive in disguise."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def _deep(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


HUGE = "x" * 10_000_000
HOSTILE: list[tuple[str, object]] = [
    ("None", None),
    ("True", True),
    ("nan", math.nan),
    ("inf", math.inf),
    ("-inf", -math.inf),
    ("10**100", 10**100),
    ("-1", -1),
    ("0", 0),
    ("1e308", 1e308),
    ("empty str", ""),
    ("NUL", "a\0b"),
    ("lone surrogate", "\ud800"),
    ("sql", "'; DROP TABLE complaints; --"),
    ("non-ascii digits", "٣"),
    ("10 MB str", HUGE),
    ("bytes", b"abc"),
    ("object", object()),
    ("empty list", []),
    ("deep list", _deep(100_000)),
    ("dict", {"a": 1}),
    ("date.max", date.max),
    ("date.min", date.min),
    ("naive datetime", datetime(2025, 1, 1, 8, 0)),
    ("aware datetime.max", datetime.max.replace(tzinfo=UTC)),
    ("aware datetime.min", datetime.min.replace(tzinfo=UTC)),
    ("no-offset tzinfo", datetime(2025, 1, 1, 8, 0, tzinfo=_NoOffset())),
    ("timedelta.max", timedelta.max),
    ("negative timedelta", timedelta(days=-1)),
    ("odd zone", "x" * 256),
]


def public_callables() -> list[tuple[str, Callable[..., object]]]:
    """Every public function and class, once, by its first public name."""
    seen: set[int] = set()
    found = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if id(obj) in seen or not callable(obj):
                continue
            if isinstance(obj, type) and issubclass(obj, BaseException | enum.Enum):
                continue
            if isinstance(obj, type) and getattr(obj, "_is_protocol", False):
                continue
            seen.add(id(obj))
            found.append((f"{module_name}.{name}", obj))
    return found


class _UnbuildableError(Exception):
    """No baseline value could be made for a type."""


def baseline(hint: object, depth: int = 0) -> object:
    """A valid value for a type hint."""
    if depth > 6:
        raise _UnbuildableError(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        arms = [a for a in args if a is not type(None)]
        for arm in arms:
            try:
                return baseline(arm, depth + 1)
            except _UnbuildableError:
                continue
        raise _UnbuildableError(hint)
    if origin is typing.Literal:
        return args[0]
    if origin in (list, Sequence, Iterable, Iterator) or origin is tuple:
        return []
    if origin in (dict, Mapping):
        return {}
    if origin is type:
        return args[0] if args else object
    if hint is typing.Any or hint is object:
        return "x"
    simple: dict[object, object] = {
        datetime: datetime(2025, 10, 9, 9, 0, tzinfo=SHANGHAI),
        date: date(2025, 10, 9),
        time: time(9, 0),
        timedelta: timedelta(hours=1),
        tzinfo: SHANGHAI,
        str: "x",
        int: 1,
        float: 1.0,
        bool: True,
        bytes: b"x",
        Path: Path("hostile.toml"),
    }
    if hint in simple:
        return simple[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if isinstance(hint, type):
        factory = FACTORIES.get(hint.__name__)
        if factory is not None:
            return factory()
        if attrs.has(hint):
            return build(hint, depth + 1)
        try:
            return hint()
        except Exception as exc:
            raise _UnbuildableError(hint) from exc
    raise _UnbuildableError(hint)


SHANGHAI_T = datetime(2025, 10, 9, 9, 0, tzinfo=SHANGHAI)
RECEIVED = propcrm.Event(propcrm.EventKind.RECEIVED, SHANGHAI_T)


def _timeline() -> object:
    return propcrm.Timeline([RECEIVED], kind="repair.in_home")


OFFICIAL = propcrm.Customer("c1", "Wang Fang", facts=propcrm.TierFacts(government_official=True))


def _programme() -> propcrm.VipProgramme:
    """A programme holding one active card, ``JK1001``."""
    programme = propcrm.VipProgramme(propcrm.MemorySequenceAllocator())
    programme.issue(OFFICIAL, level=propcrm.VipLevel.OTHER, on=date(2025, 10, 9), by="s1")
    return programme


def _card() -> object:
    return _programme().card("JK2001")


def _ratings() -> list[dict[str, int]]:
    """Three respondents who rate every default dimension."""
    names = propcrm.SatisfactionPolicy().enabled
    return [dict.fromkeys(names, score) for score in (3, 4, 5)]


def _responses() -> list[object]:
    return [
        propcrm.SurveyResponse(f"h{i}", "Lakeside", date(2025, 3, 1), recommend=9, overall=4)
        for i in range(3)
    ]


def _policy_file() -> dict[str, object]:
    Path("policy.toml").write_text("", encoding="utf-8")
    return {"path": "policy.toml"}


def _task() -> object:
    plan = propcrm.plan_after_complaint(
        "k1", customer_id="c1", handled_at=SHANGHAI_T, calendar=_contact()
    )
    return plan.tasks[0]


def _contact() -> object:
    return propcrm.Policy().calendar("contact", years=[2025])


def _complaint() -> object:
    return propcrm.Complaint(
        "k1",
        community="Lakeside",
        category="service",
        subject="noise",
        complainant_ids=["c1"],
        received_at=SHANGHAI_T,
    )


#: A valid value per type name, where the type hint alone cannot make one.
FACTORIES: dict[str, Callable[[], object]] = {
    "GradeDecision": lambda: propcrm.grade(_complaint(), at=SHANGHAI_T),  # type: ignore[arg-type]
    "Allowance": lambda: propcrm.Allowance.business(timedelta(hours=8)),
    "BusinessCalendar": _contact,
    "CallbackTask": _task,
    "CardSequenceAllocator": propcrm.MemorySequenceAllocator,
    "Clock": lambda: propcrm.FixedClock(SHANGHAI_T),
    "Complaint": _complaint,
    "CsatResult": lambda: propcrm.CsatResult((1, 2, 3, 4, 5)),
    "Event": lambda: RECEIVED,
    "Household": lambda: propcrm.Household("h1", [propcrm.Member("Li", date(1960, 5, 1))]),
    "Outcome": lambda: propcrm.Outcome(SHANGHAI_T + timedelta(hours=1), reached=True),
    "Overlay": lambda: propcrm.Overlay(
        "vip", {"dispatch": propcrm.Allowance.wall(timedelta(hours=1))}, tiers=["A"]
    ),
    "RoleShareAllocator": propcrm.RoleShareAllocator.from_policy,
    "SlaTarget": lambda: propcrm.SlaPolicy().select("repair.in_home").targets[0],
    "Store": propcrm.MemoryStore,
    "TargetSet": lambda: propcrm.SlaPolicy().select("repair.in_home"),
    "Timeline": _timeline,
    "VipCard": _card,
    "WorkWeek": lambda: propcrm.WorkWeek.parse("mon-fri 09:00-18:00"),
}

#: Baseline keyword arguments per callable (its ``__qualname__``) where the built ones
#: would be refused: the hostile values must meet a call that otherwise succeeds.
ARGUMENTS: dict[str, Callable[[], dict[str, object]]] = {
    "CsatResult": lambda: {"counts": (1, 2, 3, 4, 5)},
    "Overlay": lambda: {
        "targets": {"dispatch": propcrm.Allowance.wall(timedelta(hours=1))},
        "tiers": ["A"],
    },
    "RoleShareAllocator": lambda: {"shares": {"repair_lead": 1.0}},
    "SlaTarget": lambda: {
        "start": propcrm.EventKind.RECEIVED,
        "stop": propcrm.EventKind.DISPATCHED,
        "allowance": FACTORIES["Allowance"](),
    },
    "TargetSet": lambda: {"kinds": ["repair.in_home"]},
    "Timeline": lambda: {"events": [RECEIVED], "kind": "repair.in_home"},
    "WorkOrder": lambda: {"timeline": _timeline()},
    "VipCard": lambda: attrs.asdict(_card(), recurse=False),
    "Reissue": lambda: {"old": _card(), "new": _card()},
    "record_outcome": lambda: {"task": _task(), "outcome": FACTORIES["Outcome"]()},
    "OutcomeResult": lambda: {"task": _task(), "notice": None, "reasons": ()},
    "CallbackTask": lambda: attrs.asdict(_task(), recurse=False),
    "StaffMember": lambda: {"role": "repair_lead"},
    "Allowance": lambda: {
        "kind": propcrm.sla.AllowanceKind.BUSINESS,
        "duration": timedelta(hours=8),
    },
    "CalendarPolicy.spec": lambda: {"name": "desk"},
    "CalendarSpec.build": lambda: {"tz": "Asia/Shanghai"},
    "Policy.calendar": lambda: {"name": "desk"},
    "CallbackPolicy.repair_window": lambda: {"kind": "ordinary"},
    "CardNumber": lambda: {"prefix": "JK", "level": propcrm.VipLevel.OTHER, "sequence": 1},
    "CardNumber.parse": lambda: {"text": "JK2001"},
    "Household": lambda: {"members": [propcrm.Member("Li", date(1960, 5, 1))]},
    "KpiScorecard.group": dict,
    "MemorySequenceAllocator.allocate": lambda: {"prefix": "JK"},
    "MemorySequenceAllocator.last": lambda: {"prefix": "JK"},
    "Policy.from_json": lambda: {"text": "{}"},
    "Policy.from_mapping": lambda: {"data": {}},
    "Policy.from_toml": lambda: {"text": ""},
    "Policy.load": _policy_file,
    "SatisfactionIndex.compute": lambda: {"responses": _ratings()},
    "SatisfactionIndex.score": lambda: {"dimension": "security"},
    "SatisfactionPolicy.check_dimension": lambda: {"where": "ratings", "name": "security"},
    "SlaPolicy.select": lambda: {"kind": "repair.in_home"},
    "Timeline.with_event": lambda: {
        "event": propcrm.Event(propcrm.EventKind.DISPATCHED, SHANGHAI_T + timedelta(hours=1))
    },
    "VipProgramme.expiring": lambda: {"between": (date(2025, 1, 1), date(2030, 1, 1))},
    "VipProgramme.issue": lambda: {"customer": attrs.evolve(OFFICIAL, id="c2")},
    "VipProgramme.card": lambda: {"card_id": "JK2001"},
    "VipProgramme.renew": lambda: {"customer": OFFICIAL, "on": date(2028, 10, 9)},
    "WorkWeek.parse": lambda: {"text": "mon-fri 09:00-18:00"},
    "compare_csat_paired": lambda: {"before": {"h1": 3, "h2": 4}, "after": {"h1": 4, "h2": 5}},
    "compare_nps_paired": lambda: {"before": {"h1": 3, "h2": 9}, "after": {"h1": 7, "h2": 10}},
    "compare_event_rate": lambda: {"before": (6, 800), "after": (3, 820)},
    "compare_index": lambda: {"before": _ratings(), "after": _ratings()},
    "compare_index_paired": lambda: {
        "before": dict(zip(("h1", "h2", "h3"), _ratings(), strict=True)),
        "after": dict(zip(("h1", "h2", "h3"), reversed(_ratings()), strict=True)),
    },
    "compare_kpi": lambda: {
        "before": propcrm.KpiScorecard.build(_responses()).group(),
        "after": propcrm.KpiScorecard.build(_responses()).group(),
        "kpi": propcrm.Kpi.NPS,
    },
    "compare_rate": lambda: {
        "before": propcrm.Attainment(45, 50),
        "after": propcrm.Attainment(40, 50),
    },
    "coverage": lambda: {"customer_ids": ["c1"], "tz": "Asia/Shanghai"},
    "csat": lambda: {"ratings": [3, 4, 5]},
    "nps": lambda: {"scores": [3, 9, 10]},
    "parse_duration": lambda: {"text": "48h"},
    "plan_after_repair": lambda: {"owner_role": "repair_lead"},
    "plan_rounds": lambda: {"year": 2025},
    "plan_tier_visits": lambda: {"year": 2025},
    "plan_vip_care": lambda: {"year": 2025},
    "StatusChange": lambda: {"status": propcrm.vip.CardStatus.REVOKED, "ground": None},
}

FACTORIES |= {
    "KpiScorecard": lambda: propcrm.KpiScorecard.build(_responses()),
    "SatisfactionIndex": lambda: propcrm.SatisfactionIndex.compute(_ratings()),
    "VipProgramme": _programme,
}


def _clerk() -> propcrm.services.Actor:
    return propcrm.services.Actor("desk-1", roles=["desk_staff"], communities=["x"])


def _desk() -> propcrm.services.ComplaintDesk:
    """A desk holding the open complaint ``x``, the handled ``handled`` and the owed reply ``x``.

    The commands act on stored records: type hints cannot say which records a store holds.
    """
    desk = propcrm.services.ComplaintDesk(
        propcrm.MemoryStore(), clock=propcrm.FixedClock(SHANGHAI_T)
    )
    _seed_desk(desk)
    return desk


def _seed_desk(desk: propcrm.services.ComplaintDesk) -> None:
    """Register ``x`` and ``handled``, handle ``handled``, promise the reply ``x``."""
    for complaint_id in ("x", "handled"):
        desk.register(
            command_id=f"register-{complaint_id}",
            actor=_clerk(),
            complaint_id=complaint_id,
            community="x",
            customer_id="c1",
            summary="pump room hums at night",
            category="noise",
            subject="pump room",
        )
    desk.mark_handled(
        command_id="handle", actor=_clerk(), complaint_id="handled", result="pump mounts fixed"
    )
    desk.promise_reply(
        command_id="promise",
        actor=_clerk(),
        reply_id="x",
        community="x",
        customer_id="c1",
        question="when is the pump serviced?",
        due=SHANGHAI_T + timedelta(days=1),
    )


FACTORIES |= {
    "ComplaintDesk": _desk,
    # A Protocol has no constructor: a host's hook is any callable taking a Notification.
    "DeliveryHook": lambda: lambda notification: None,
}

# The desk's commands act on the records of ``_desk()``; ``__qualname__`` names the class
# that defines each command (the desk is assembled from private command classes).
ARGUMENTS |= {
    # The baseline string "x" names the community of every baseline record: the actor
    # must act for it, and an actor acts for at least one named community.
    "Actor": lambda: {"communities": ["x"]},
    "PromisedReply": lambda: {"due": SHANGHAI_T + timedelta(days=1)},  # due after promised_at
    "CommandRunner.run": lambda: {"result_type": str, "work": lambda at: "done"},
    "DeskCommands.register": lambda: {"complaint_id": "new"},  # "x" is taken
    "HandlingCommands.record_step": lambda: {"kind": propcrm.records.CaseEventKind.INVESTIGATED},
    "HandlingCommands.record_satisfaction": lambda: {"complaint_id": "handled", "reached": True},
    "HandlingCommands.reopen": lambda: {"complaint_id": "handled", "new_complaint_id": "new"},
    "ComplaintDesk.promise_reply": lambda: {
        "reply_id": "new",
        "due": SHANGHAI_T + timedelta(days=1),
    },
}


def _engineer() -> propcrm.services.Actor:
    roles = ["desk_staff", "engineering_supervisor", "service_centre_manager"]
    return propcrm.services.Actor("eng-1", roles=roles, communities=["x"])


def _work_order_desk() -> propcrm.services.WorkOrderDesk:
    """A desk holding one order per stage: ``x`` registered, ``dispatched``, ``paused``,
    ``under`` / ``over`` (charges awaiting the supervisor / the manager, agreement
    signed), ``fixed`` and ``signed`` (signed off, its callback planned)."""
    desk = propcrm.services.WorkOrderDesk(
        propcrm.MemoryStore(), clock=propcrm.FixedClock(SHANGHAI_T)
    )
    actor = _engineer()
    stages = {
        "x": (),
        "dispatched": ("dispatch",),
        "paused": ("pause",),
        "under": ("charge_50",),
        "over": ("charge_500", "record_agreement"),
        "fixed": ("dispatch", "fix"),
        "signed": ("dispatch", "fix", "sign_off"),
    }
    for order, steps in stages.items():
        desk.register(
            command_id=f"register-{order}", actor=actor, work_order_id=order, community="x",
            customer_id="c1", address="上海市浦东新区东区3号楼", contact="13812345678",
            content="tap drips", category="house",
        )  # fmt: skip
        for step in steps:
            ids = {"command_id": f"{step}-{order}", "actor": actor, "work_order_id": order}
            if step == "dispatch":
                desk.dispatch(**ids, technician_id="t1")
            elif step == "pause":
                desk.pause(**ids, reason="waiting_on_customer")
            elif step.startswith("charge_"):
                desk.charge(**ids, item="valve", amount=step.removeprefix("charge_"))
            else:
                getattr(desk, step)(**ids)
    return desk


FACTORIES |= {"WorkOrderDesk": _work_order_desk}

#: The connection string of an empty PostgreSQL database, set for the PostgresStore runs.
_POSTGRES: list[str] = []


def _postgres_store() -> object:
    opened = PostgresStore(_POSTGRES[-1])
    _OPEN.append(opened)
    return opened


FACTORIES |= {"PostgresStore": _postgres_store}
ARGUMENTS |= {"PostgresStore": lambda: {"conninfo": _POSTGRES[-1]}}

ARGUMENTS |= {
    "RepairSlip": lambda: {
        "address": propcrm.PersonalData(propcrm.PersonalKind.ADDRESS, "上海市浦东新区东区3号楼"),
        "contact": propcrm.PersonalData(propcrm.PersonalKind.PHONE, "13812345678"),
    },
    "Charge": lambda: {"amount": Decimal("50")},
    "WorkOrderDesk": lambda: {"price_list": {"washer": "15"}, "supervisor_limit": "100"},
    "WorkOrderCommands.register": lambda: {
        "actor": _engineer(),
        "work_order_id": "new",
        "address": "上海市浦东新区东区3号楼",
        "contact": "13812345678",
        "category": "house",
        "sla_kind": None,
        "callback_kind": "ordinary",
        "property_type": "residential",
    },
    "WorkOrderCommands.accept": lambda: {"actor": _engineer()},
    "WorkOrderCommands.dispatch": lambda: {"actor": _engineer()},
    "WorkOrderCommands.arrive": lambda: {"actor": _engineer(), "work_order_id": "dispatched"},
    "WorkOrderCommands.appoint": lambda: {
        "actor": _engineer(),
        "appointment": SHANGHAI_T + timedelta(days=1),
    },
    "WorkOrderCommands.pause": lambda: {"actor": _engineer(), "reason": "waiting_on_customer"},
    "WorkOrderCommands.resume": lambda: {"actor": _engineer(), "work_order_id": "paused"},
    "WorkOrderCommands.sla_status": lambda: {"at": SHANGHAI_T + timedelta(hours=1)},
    "WorkOrderDesk.charge": lambda: {"actor": _engineer(), "amount": "50"},
    "WorkOrderDesk.record_agreement": lambda: {"actor": _engineer(), "work_order_id": "over"},
    "WorkOrderDesk.confirm_charge": lambda: {"actor": _engineer(), "work_order_id": "under"},
    "WorkOrderDesk.fix": lambda: {"actor": _engineer(), "work_order_id": "dispatched"},
    "WorkOrderDesk.sign_off": lambda: {"actor": _engineer(), "work_order_id": "fixed"},
    "WorkOrderDesk.record_callback": lambda: {
        "actor": _engineer(),
        "work_order_id": "signed",
        "reached": True,
    },
}

# The scorecard, the periodic analysis and migration 0012's records.
ARGUMENTS |= {
    "ProblemAnalysis": lambda: {
        "key_fields": ("community",),
        "key": ("x",),
        "complaint_ids": ("x",),
    },
    "Finding": lambda: {"key": ("x", "noise", "pump room")},
    "Period": lambda: {"start": date(2025, 7, 1), "end": date(2025, 8, 1)},
    "Period.parse": lambda: {"text": "2025-07"},
    "ScorecardService.scorecard": lambda: {"period": "2025-07"},
    "ComplaintDesk.recurring": lambda: {"period": "2025-07"},
    "ComplaintDesk.analyse": lambda: {"period": "2025-07", "findings": []},
    "CommunityScorecard.status": lambda: {"kpi": propcrm.Kpi.NPS},
    "ReportingConnection": lambda: {"connection": sqlite3.connect(":memory:"), "trace": None},
    "Period.bounds": lambda: {"tz": "Asia/Shanghai"},
    "ReportingConnection.query": lambda: {"sql": "SELECT 1"},
}

FACTORIES |= {
    "ReportingConnection": lambda: ReportingConnection(sqlite3.connect(":memory:"), None),
    "CommunityScorecard": lambda: propcrm.services.ScorecardService(
        propcrm.MemoryStore(), clock=propcrm.FixedClock(SHANGHAI_T)
    ).scorecard(actor=_clerk(), community="x", period="2025-07"),
}


def _manager() -> propcrm.services.Actor:
    roles = ["service_centre_manager", "desk_staff"]
    return propcrm.services.Actor("mgr-1", roles=roles, communities=["x"])


def _archive_desk() -> propcrm.services.ArchiveDesk:
    """A desk over the seeded store, whose customer ``x`` (of community ``x``) has a phone,
    an ID number and an address; the store holds the complaint, slip and consent ``x``."""
    store = _seeded(propcrm.MemoryStore())
    customer = store.customers.get("x")
    store.customers.update(
        attrs.evolve(
            customer,
            phone="13812345678",
            id_number="110101199001011234",
            address="上海市浦东新区东区3号楼",
            community="x",
        )
    )
    return propcrm.services.ArchiveDesk(store, clock=propcrm.FixedClock(SHANGHAI_T))


def _consent() -> propcrm.records.Consent:
    return propcrm.records.Consent(
        "x", customer_id="x", recipient="p", kinds=["phone"], purpose="quotes",
        given_at=SHANGHAI_T, recorded_by="mgr-1",
    )  # fmt: skip


FACTORIES |= {"ArchiveDesk": _archive_desk, "Consent": _consent}

ARGUMENTS |= {
    "AuditEntry": lambda: {"roles": ["desk_staff"]},
    "Consent": lambda: {"kinds": ["phone"]},
    "Consent.covers": lambda: {"recipient": "p", "kind": propcrm.PersonalKind.PHONE},
    "ArchiveReads.read_customer": lambda: {"actor": _manager(), "purpose": "callback"},
    "ArchiveReads.read_complaint": lambda: {"actor": _manager()},
    "ArchiveReads.read_slip": lambda: {"actor": _manager()},
    "ArchiveReads.reveal": lambda: {"actor": _manager(), "kind": "phone", "purpose": "callback"},
    "ArchiveReads.reveal_slip": lambda: {
        "actor": _manager(),
        "kind": "phone",
        "purpose": "callback",
    },
    "ArchiveDesk.record_consent": lambda: {
        "actor": _manager(),
        "consent_id": "new",
        "customer_id": "x",
        "kinds": ["phone"],
    },
    "ArchiveDesk.withdraw_consent": lambda: {"actor": _manager()},
    "ArchiveDesk.disclose": lambda: {
        "actor": _manager(),
        "customer_id": "x",
        "kind": "phone",
        "recipient": "p",
    },
    "ArchiveDesk.anonymise_customer": lambda: {"actor": _manager(), "customer_id": "x"},
}


NIGHT_T = datetime(2025, 10, 9, 23, 0, tzinfo=SHANGHAI)  # the night shift


def _night_desk() -> propcrm.services.NightDesk:
    """A night desk holding the open entry ``x``, routed to a work order."""
    desk = propcrm.services.NightDesk(propcrm.MemoryStore(), clock=propcrm.FixedClock(NIGHT_T))
    _seed_night(desk.store)
    return desk


def _seed_night(store: Store) -> None:
    """Log the entry ``x`` of community ``x`` and route it to a work order."""
    desk = propcrm.services.NightDesk(store, clock=propcrm.FixedClock(NIGHT_T))
    desk.log(
        command_id="log-x", actor=_clerk(), entry_id="x", community="x", customer_id="c1",
        caller="13812345678", content="tap drips",
    )  # fmt: skip
    desk.assign_work_order(
        command_id="route-x", actor=_clerk(), entry_id="x", address="东区3号楼", category="house"
    )


def _vip() -> propcrm.services.Actor:
    roles = ["vip_assistant", "service_centre_manager"]
    return propcrm.services.Actor("va-1", roles=roles, communities=["x"])


def _vip_office() -> propcrm.services.VipOffice:
    """An office keeping the archive ``x`` (a valid card) and ``old`` (its card expires
    on the clock's day, so it may be renewed); ``new`` is a tier-A customer with no card."""
    store = propcrm.MemoryStore()
    _seed_vip(store)
    return propcrm.services.VipOffice(store, clock=propcrm.FixedClock(SHANGHAI_T))


def _seed_vip(store: Store) -> None:
    for customer_id in ("x", "old", "new"):
        store.customers.add(attrs.evolve(OFFICIAL, id=customer_id))
    three_years_before = propcrm.FixedClock(SHANGHAI_T.replace(year=2022))
    for customer_id, clock in (("old", three_years_before), ("x", propcrm.FixedClock(SHANGHAI_T))):
        propcrm.services.VipOffice(store, clock=clock).issue(
            command_id=f"issue-{customer_id}", actor=_vip(), customer_id=customer_id,
            community="x", level=propcrm.VipLevel.OTHER,
        )  # fmt: skip


FACTORIES |= {"NightDesk": _night_desk, "VipOffice": _vip_office}

ARGUMENTS |= {
    "NightAssignment": lambda: {
        "address": propcrm.PersonalData(propcrm.PersonalKind.ADDRESS, "东区3号楼")
    },
    "NightEntry": lambda: {
        "caller": propcrm.PersonalData(propcrm.PersonalKind.PHONE, "13812345678")
    },
    "NightDesk.log": lambda: {"actor": _clerk(), "entry_id": "new", "caller": "13812345678"},
    "NightDesk.assign_work_order": lambda: {
        "actor": _clerk(),
        "address": "东区3号楼",
        "category": "house",
    },
    "NightDesk.assign_complaint": lambda: {"actor": _clerk()},
    "NightDesk.handover": lambda: {"actor": _clerk()},
    "NightDesk.is_night": lambda: {"at": NIGHT_T},
    "VipCardCommands.issue": lambda: {
        "actor": _vip(),
        "customer_id": "new",
        "level": propcrm.VipLevel.OTHER,
    },
    "VipCardCommands.renew": lambda: {"actor": _vip(), "customer_id": "old"},
    "VipCardCommands.replace": lambda: {"actor": _vip()},
    "VipCardCommands.revoke": lambda: {"actor": _vip()},
    "VipCardCommands.record_birthdays": lambda: {"actor": _vip()},
    "VipOffice.sweep_expiries": lambda: {"actor": _vip()},
    "VipOffice.plan_care": lambda: {"actor": _vip(), "year": 2025},
}


def signature_hints(func: Callable[..., object]) -> tuple[inspect.Signature, dict[str, object]]:
    """The signature and resolved type hints of a callable (for a class, its constructor)."""
    target = func
    if isinstance(func, type):
        # The constructor whose signature Python reports: the class's own or one it inherits.
        init = getattr(func, "__init__", object.__init__)
        target = init if init is not object.__init__ else func
    signature = inspect.signature(func)
    try:
        hints = typing.get_type_hints(target)
    except Exception:
        hints = {}
    return signature, hints


def baseline_arguments(func: Callable[..., object]) -> dict[str, object]:
    """Keyword arguments that make a valid call: defaults kept, required ones built."""
    signature, hints = signature_hints(func)
    make_overrides = ARGUMENTS.get(getattr(func, "__qualname__", ""))
    overrides = make_overrides() if make_overrides else {}
    arguments: dict[str, object] = {}
    for name, parameter in signature.parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is not parameter.empty or name in overrides:
            continue
        arguments[name] = baseline(hints.get(name, typing.Any))
    return {**arguments, **overrides}


def build(cls: type, depth: int = 0) -> object:
    """A valid instance of ``cls``: from :data:`FACTORIES`, else from its constructor."""
    factory = FACTORIES.get(cls.__name__)
    if factory is not None:
        return factory()
    return cls(**baseline_arguments(cls))


class _HangError(Exception):
    """A call ran past its time limit."""


def _alarm(signum: int, frame: object) -> None:
    raise _HangError


def call(func: Callable[..., object], arguments: dict[str, object]) -> None:
    """Call within the time limit, draining a returned iterator a little."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        result = _positional_call(func, arguments)
        if isinstance(result, Iterator):
            for _ in itertools.islice(result, 1_000):
                pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _positional_call(func: Callable[..., object], arguments: dict[str, object]) -> object:
    signature = inspect.signature(func)
    args = []
    kwargs = {}
    for name, value in arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[name] = value
    return func(*args, **kwargs)


def entry_points() -> list[
    tuple[str, Callable[[], tuple[Callable[..., object], dict[str, object]]]]
]:
    """Each public callable and each public method of a public class, lazily built."""
    points = []
    for qualname, obj in public_callables():
        points.append((qualname, lambda obj=obj: (obj, baseline_arguments(obj))))
        if not isinstance(obj, type):
            continue
        for name, member in inspect.getmembers(obj):
            if name.startswith("_") or not callable(member) or isinstance(member, type):
                continue

            def method(
                obj: type = obj, name: str = name
            ) -> tuple[Callable[..., object], dict[str, object]]:
                bound = getattr(build(obj) if not _is_static(obj, name) else obj, name)
                return bound, baseline_arguments(bound)

            points.append((f"{qualname}.{name}", method))
    return points


def _is_static(cls: type, name: str) -> bool:
    raw = inspect.getattr_static(cls, name)
    return isinstance(raw, staticmethod | classmethod)


def _seeded(store: Store) -> Store:
    """``store`` holding a record with id ``x`` in each repository that takes ids from outside.

    The complaint records come from the desk of ``_desk()``; survey responses get their ids
    from the store, so the one stored is found through :func:`_repository_arguments`.
    """
    desk = propcrm.services.ComplaintDesk(store, clock=propcrm.FixedClock(SHANGHAI_T))
    _seed_desk(desk)
    store.customers.add(attrs.evolve(OFFICIAL, id="x", household_id="x"))
    store.households.add(FACTORIES["Household"]())  # type: ignore[arg-type]
    store.households.add(attrs.evolve(store.households.get("h1"), id="x"))
    store.work_orders.add(propcrm.WorkOrder("x", _timeline()))  # type: ignore[arg-type]
    store.callback_tasks.add(attrs.evolve(_task(), id="x"))  # type: ignore[misc]
    store.vip_cards.add(_card())  # type: ignore[arg-type]
    store.notifications.add(
        propcrm.records.Notification(
            "x",
            kind=next(iter(propcrm.records.NotificationKind)),
            subject_id="x",
            community="x",
            to_roles=[],
            to_ids=["c1"],
            message="the pump room is fixed",
            created_at=SHANGHAI_T,
        )
    )
    work_orders = _work_order_desk().store
    slip = work_orders.repair_slips.get("x")
    store.repair_slips.add(attrs.evolve(slip, version=0))
    step = work_orders.work_order_steps.list(work_order_id="x").items[0]
    store.work_order_steps.add(attrs.evolve(step, id="x", version=0))
    store.problem_analyses.add(
        propcrm.records.ProblemAnalysis(
            "x", community="x", period="2025-07", key_fields=("community",), key=("x",),
            complaint_ids=("x",), complainants=3, root_cause="worn mounts",
            preventive_measure="replace them yearly", analysed_by="desk-1",
            analysed_at=SHANGHAI_T, command_id="analyse", policy_fingerprint="fp",
        )
    )  # fmt: skip
    store.allocator_states.add(propcrm.records.AllocatorState("x", counts={"repair_lead": 1}))
    store.consents.add(_consent())
    store.audit_trail.append(
        propcrm.records.AuditEntry(
            at=SHANGHAI_T,
            actor_id="desk-1",
            roles=["desk_staff"],
            action=propcrm.records.AuditAction.READ,
            record=propcrm.records.RecordKind.CUSTOMER,
            record_id="x",
            customer_id="x",
            purpose="callback",
        )
    )
    _seed_night(store)
    store.vip_archives.add(attrs.evolve(_vip_office().store.vip_archives.get("x"), version=0))
    _SURVEY_ID.append(store.survey_responses.add(_responses()[0]))  # type: ignore[arg-type]
    return store


#: The id the last seeded store gave its survey response.
_SURVEY_ID: list[str] = []


#: Stores opened for the run, closed by the test that opened them.
_OPEN: list[Store] = []


def _store(kind: str) -> Store:
    if kind == "MemoryStore":
        return _seeded(propcrm.MemoryStore())
    opened = SqliteStore("repositories.db")  # the test runs in its own temporary directory
    _OPEN.append(opened)
    return _seeded(opened)


def _stored(repository: typing.Any) -> typing.Any:
    """A record the repository holds, one the baseline call may change or remove."""
    if hasattr(repository, "allocate"):
        return None
    if hasattr(repository, "pending"):
        return repository.pending()[0]
    if hasattr(repository, "list"):
        return repository.list().items[0]
    if hasattr(repository, "for_community"):
        return None
    if hasattr(repository, "held_by"):
        return repository.get("JK2001")
    if hasattr(repository, "find"):
        return repository.get("register-x")
    return repository.get("x")


def _fresh(stored: typing.Any) -> object:
    """A record like ``stored`` that the repository does not hold yet."""
    if stored is None:
        return _responses()[1]
    if isinstance(stored, propcrm.VipCard):
        programme = _programme()
        return programme.issue(
            attrs.evolve(OFFICIAL, id="c2"),
            level=propcrm.VipLevel.OTHER,
            on=date(2025, 10, 9),
            by="s1",
        )
    if isinstance(stored, propcrm.records.AuditEntry):  # numbered by the store, unversioned
        return attrs.evolve(stored, id="")
    return attrs.evolve(stored, id="new", version=1)


def _baseline_for(
    repository: typing.Any, protocol: type, name: str, bound: Callable[..., object]
) -> dict[str, object]:
    """Baseline arguments for a repository method, built around a record it holds."""
    hints = typing.get_type_hints(getattr(protocol, name))
    stored = _stored(repository)
    fresh = _fresh(stored)
    arguments: dict[str, object] = {}
    for parameter, spec in inspect.signature(bound).parameters.items():
        if spec.kind in (spec.VAR_POSITIONAL, spec.VAR_KEYWORD) or spec.default is not spec.empty:
            continue
        if parameter == "id":
            arguments[parameter] = _SURVEY_ID[-1] if stored is None else stored.id
        elif parameter in ("entity", "response", "entry"):
            arguments[parameter] = stored if name == "update" else fresh
        elif parameter in ("entities", "responses"):
            arguments[parameter] = [fresh]
        elif parameter == "prefix":
            arguments[parameter] = "JK"
        elif parameter == "tz":
            arguments[parameter] = "Asia/Shanghai"
        else:
            arguments[parameter] = baseline(hints.get(parameter, typing.Any))
    if name == "due_on":  # exactly one of staff_id= or role= names whose tasks are due
        arguments["role"] = "customer_supervisor"
    return arguments


def repository_entry_points() -> list[
    tuple[str, Callable[[], tuple[Callable[..., object], dict[str, object]]]]
]:
    """Each public method of each repository of the Store protocol, on each store."""
    points = []
    # a generic protocol such as Repository[AllocatorState] is listed by its class
    repositories = {
        attribute: typing.get_origin(hint) or hint
        for attribute, value in vars(Store).items()
        if isinstance(value, property)
        for hint in [typing.get_type_hints(value.fget)["return"]]
    }
    for kind, (attribute, protocol) in itertools.product(
        ("MemoryStore", "SqliteStore"), repositories.items()
    ):
        for name, member in inspect.getmembers(protocol):
            if name.startswith("_") or not callable(member):
                continue

            def method(
                kind: str = kind,
                attribute: str = attribute,
                name: str = name,
                protocol: type = protocol,
            ) -> tuple[Callable[..., object], dict[str, object]]:
                repository = getattr(_store(kind), attribute)
                bound = getattr(repository, name)
                return bound, _baseline_for(repository, protocol, name, bound)

            points.append((f"{kind}.{attribute}:{protocol.__name__}.{name}", method))
    return points


ENTRY_POINTS = entry_points() + repository_entry_points()

#: Entry points whose hostile-value run is skipped, each with why. Keep this short.
SKIPS: dict[str, str] = {
    "propcrm.GradeDecision.index": "a named tuple's own tuple.index: ValueError is its contract",
    "propcrm.TargetStatus.index": "a named tuple's own tuple.index: ValueError is its contract",
    "propcrm.complaints.Complainants.index": (
        "a named tuple's own tuple.index: ValueError is its contract"
    ),
}

#: The longest message a propcrm error may have, whatever the value it reports.
LONGEST_MESSAGE = 2_000


def _describe(exc: BaseException) -> str:
    """``Type: message`` of an exception, short, even if its ``str()`` fails."""
    try:
        text = str(exc)
    except Exception:
        text = "<the message cannot be formatted>"
    return f"{type(exc).__name__}: {text[:120]}"


# Hostile dates run calendars into years whose holidays are estimated: that warning is
# expected here, and pytest would otherwise turn it into an error.
@pytest.mark.filterwarnings("ignore::propcrm.ProvisionalCalendarWarning")
@pytest.mark.parametrize(("qualname", "make"), ENTRY_POINTS, ids=[q for q, _ in ENTRY_POINTS])
def test_hostile_values_raise_only_propcrm_errors(
    qualname: str,
    make: Callable[[], tuple[Callable[..., object], dict[str, object]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """Each parameter, given each hostile value, gives a result or a short propcrm error."""
    if qualname in SKIPS:
        pytest.skip(SKIPS[qualname])
    if qualname.startswith("propcrm.storage.postgres."):  # needs a server (skipped without)
        _POSTGRES.append(request.getfixturevalue("postgres_db"))
    monkeypatch.chdir(tmp_path)  # a store or policy path named by a hostile string lands here
    try:
        _run_hostile(make)
    finally:
        while _OPEN:
            _OPEN.pop().close()


def _run_hostile(make: Callable[[], tuple[Callable[..., object], dict[str, object]]]) -> None:
    """Run one entry point's baseline, then each parameter with each hostile value."""
    func, arguments = make()
    call(func, arguments)  # the baseline itself must succeed, or the run proves nothing
    parameters = [
        name
        for name, p in inspect.signature(func).parameters.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    leaks = []
    for name, (label, value) in itertools.product(parameters, HOSTILE):
        try:
            call(func, {**arguments, name: value})
        except PropcrmError as exc:
            if len(str(exc)) > LONGEST_MESSAGE:
                leaks.append(f"{name}={label}: a message of {len(str(exc)):,} characters")
        except _HangError:
            leaks.append(f"{name}={label}: no answer within {TIME_LIMIT} s")
        except Exception as exc:
            leaks.append(f"{name}={label}: {_describe(exc)}")
    assert leaks == []


def _deep_complaint_year_9999() -> object:
    at = datetime(9999, 12, 31, 12, tzinfo=SHANGHAI)
    return propcrm.grade(attrs.evolve(_complaint(), received_at=at), at=at)  # type: ignore[type-var]


#: Inputs the one-parameter run above cannot build (a bad value inside a valid one), each
#: with the propcrm error it must raise.
NESTED: list[tuple[str, Callable[[], object], type[PropcrmError]]] = [
    ("grade, received in year 9999", _deep_complaint_year_9999, propcrm.CalendarRangeError),
    (
        "a string taken for a list of households",
        lambda: propcrm.plan_rounds(year=2025, households="h1", calendar=_contact()),
        propcrm.ValidationError,
    ),
    (
        "a 5,000-digit duration",
        lambda: propcrm.parse_duration("9" * 5000 + "d"),
        propcrm.ValidationError,
    ),
    (
        "Arabic-Indic digits in a duration",
        lambda: propcrm.parse_duration("٣d"),
        propcrm.ValidationError,
    ),
    (
        "Arabic-Indic digits in a work week",
        lambda: propcrm.WorkWeek.parse("mon ٠٩:00-10:00"),
        propcrm.ValidationError,
    ),
    (
        "overrides given as text",
        lambda: propcrm.BusinessCalendar("mon 09:00-10:00", overrides="x"),  # type: ignore[arg-type]
        propcrm.ValidationError,
    ),
    (
        "a sweep pair that is not a pair",
        lambda: propcrm.sweep([(_complaint(),)], at=SHANGHAI_T),  # type: ignore[list-item]
        propcrm.ValidationError,
    ),
]


@pytest.mark.parametrize(("what", "run", "error"), NESTED, ids=[w for w, _, _ in NESTED])
def test_bad_values_inside_good_ones_raise_propcrm_errors(
    what: str, run: Callable[[], object], error: type[PropcrmError]
) -> None:
    """A bad value nested in an argument is refused with the stated propcrm error."""
    with pytest.raises(error):
        run()


def test_a_deeply_nested_value_is_shown_short() -> None:
    """Formatting a 100,000-deep value in an error never recurses past Python's limit."""
    with pytest.raises(propcrm.ValidationError) as info:
        propcrm.grade(_deep(100_000), at=SHANGHAI_T)  # type: ignore[arg-type]
    assert str(info.value) == "complaint: expected a Complaint, got [[[[...]]]]"
