"""Regression markers for defects found in a review of the shared API conventions.

Each test states the behaviour the conventions promise and is marked as an
expected failure until the defect is fixed; the marker is strict, so a fix
turns it into a failure that asks for the marker to be removed.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from propcrm import Event, MemoryStore, Policy, csat
from propcrm.customers import Member
from propcrm.errors import ValidationError
from propcrm.sla import SlaCalendar
from propcrm.storage import CallbackTaskRepository, ComplaintRepository, VipCardRepository

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")


def test_a_policy_with_fewer_repair_kinds_reloads_from_its_dump() -> None:
    """A policy whose repair kinds are only 'ordinary' reads back from its TOML unchanged."""
    default = Policy()
    policy = attrs.evolve(
        default,
        callbacks=attrs.evolve(default.callbacks, repair_within={"ordinary": timedelta(days=7)}),
    )
    assert Policy.from_toml(policy.to_toml()) == policy


def test_a_policy_with_other_owner_roles_reloads_from_its_dump() -> None:
    """Repair callback shares over department_head instead of engineering_supervisor round-trip."""
    default = Policy()
    shares = {"service_centre_manager": 0.1, "department_head": 0.3, "repair_lead": 0.6}
    policy = attrs.evolve(default, callbacks=attrs.evolve(default.callbacks, role_shares=shares))
    assert Policy.from_toml(policy.to_toml()).callbacks.role_shares == shares


def test_due_on_takes_on_and_tz() -> None:
    """The callback-task query names its date ``on`` and its zone ``tz`` (docs/naming.rst)."""
    names = list(inspect.signature(CallbackTaskRepository.due_on).parameters)
    assert names[1:3] == ["on", "tz"]


def test_held_by_takes_a_customer_id() -> None:
    """The card query refers to its customer as ``customer_id``, the card's own field name."""
    assert list(inspect.signature(VipCardRepository.held_by).parameters)[1] == "customer_id"


def test_open_due_before_takes_at() -> None:
    """The open-complaints query names its instant ``at``."""
    assert list(inspect.signature(ComplaintRepository.open_due_before).parameters)[1] == "at"


def test_the_sla_calendar_protocol_says_at_and_on() -> None:
    """A custom SLA calendar implements ``at`` and ``on`` arguments, like BusinessCalendar."""
    assert list(inspect.signature(SlaCalendar.next_working_time).parameters)[1] == "at"
    assert list(inspect.signature(SlaCalendar.close_of_day).parameters)[1] == "at"
    assert list(inspect.signature(SlaCalendar.is_provisional).parameters)[1] == "on"


def test_age_on_takes_on() -> None:
    """A member's age is asked ``on`` a date."""
    assert list(inspect.signature(Member.age_on).parameters)[1] == "on"


def test_due_on_refuses_a_role_outside_the_vocabulary() -> None:
    """Asking for the tasks of role 'manager' is an error naming the argument, not an empty list."""
    with pytest.raises(ValidationError, match="role"):
        MemoryStore().callback_tasks.due_on(date(2025, 3, 3), tz="UTC", role="manager")


def test_csat_follows_the_policys_satisfied_from() -> None:
    """With satisfaction.satisfied_from = 5, ratings 5, 4, 4, 3 have one satisfied answer."""
    policy = Policy.from_toml("[satisfaction]\nsatisfied_from = 5\n")
    assert csat([5, 4, 4, 3], policy=policy).satisfied == 1


def test_an_unknown_event_kind_lists_the_known_ones() -> None:
    """An event kind that is not an EventKind is refused with the known kinds listed."""
    at = datetime(2025, 3, 3, 10, tzinfo=SH)
    with pytest.raises(ValidationError, match="answered"):
        Event("recieved", at)  # type: ignore[arg-type]


def test_the_guides_build_named_calendars_one_way() -> None:
    """Every guide builds a policy's named calendar with ``policy.calendar(name)`` only."""
    offenders = [
        page.name
        for page in sorted((ROOT / "docs").glob("*.rst"))
        if "calendars.build(" in page.read_text(encoding="utf-8")
    ]
    assert offenders == []
