"""Adversarial checks of the desks: VIP care, command replays, night handover, history import."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.callbacks import TaskStatus
from propcrm.complaints import Complaint
from propcrm.customers import Customer, TierFacts
from propcrm.errors import CalendarRangeError, ConflictError, NotFoundError, ValidationError
from propcrm.records import NightEntryState
from propcrm.roles import Role
from propcrm.services import Actor, ComplaintDesk, HistoryEntry, NightDesk, Period, VipOffice
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import RevocationGround, VipLevel

SH = ZoneInfo("Asia/Shanghai")
ASSISTANT = Actor("va-1", roles=[Role.VIP_ASSISTANT], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
ROOM = Actor("night-1", roles=[Role.MONITORING_ROOM], communities=["东区"])
CLERK = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
WEST_ROOM = Actor("night-9", roles=[Role.MONITORING_ROOM], communities=["西区"])
WEST_CLERK = Actor("desk-9", roles=[Role.DESK_STAFF], communities=["西区"])
PREFIX = "vip_card:{}:vip:greeting:"


def _t(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file) with a tier-A customer."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    made.customers.add(Customer("c1", "王芳", facts=TierFacts(government_official=True)))
    yield made
    made.close()


def _office(store: Any, clock: FixedClock) -> VipOffice:
    office = VipOffice(store, clock=clock)
    office.issue(
        command_id="issue", actor=ASSISTANT, customer_id="c1", community="东区",
        level=VipLevel.GOVERNMENT_OFFICIAL, birthdays={"self": date(1970, 5, 20)},
    )  # fmt: skip
    return office


# --- VIP family care ------------------------------------------------------------------


def test_care_planned_again_after_a_replacement_queues_no_greeting_twice(store: Any) -> None:
    """Card JK1001 replaced by JK1002 on 1 April: the year's four greetings stay queued once."""
    clock = FixedClock(_t(2025, 3, 3))
    office = _office(store, clock)
    first = office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    clock.set(_t(2025, 4, 1))
    office.replace(command_id="lost", actor=ASSISTANT, customer_id="c1")
    again = office.plan_care(command_id="care-2", actor=ASSISTANT, community="东区", year=2025)
    # Dragon Boat, Mid-Autumn, National Day and the birthday (20 May), all after 1 April
    assert (len(first.task_ids), again.task_ids, len(again.already)) == (4, (), 4)
    assert len(store.callback_tasks) == 4


def _renewal_year(store: Any) -> tuple[VipOffice, FixedClock]:
    """Card JK1001 issued 2022-03-03, expiring 2025-03-03; care planned for 2025 on 2 January."""
    clock = FixedClock(_t(2022, 3, 3))
    office = _office(store, clock)
    clock.set(_t(2025, 1, 2))
    return office, clock


def test_no_greeting_is_planned_for_a_day_the_card_is_void(store: Any) -> None:
    """Before renewal only the Spring Festival (29 Jan) falls in the card's validity (§ 26)."""
    office, _ = _renewal_year(store)
    care = office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    assert sorted(care.task_ids) == [
        "vip_card:JK1001:vip:greeting:festival:Spring Festival:2025",
        "vip_card:JK1001:vip:reminder:card_expiry:2025-03-03",
    ]


def test_care_planned_again_after_a_renewal_queues_each_occasion_once(store: Any) -> None:
    """Renewed on the expiry day: the rest of 2025 is planned once, under the new card."""
    office, clock = _renewal_year(store)
    office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    clock.set(_t(2025, 3, 3))
    office.renew(command_id="renew", actor=ASSISTANT, customer_id="c1")
    again = office.plan_care(command_id="care-2", actor=ASSISTANT, community="东区", year=2025)
    new = PREFIX.format("JK1002")
    assert sorted(again.task_ids) == [
        f"{new}birthday:self:2025",
        f"{new}festival:Dragon Boat Festival:2025",
        f"{new}festival:Mid-Autumn Festival:2025",
        f"{new}festival:National Day:2025",
    ]
    assert len(store.callback_tasks) == 6  # with the Spring Festival and the expiry reminder


def test_a_revocation_leaves_no_greeting_planned(store: Any) -> None:
    """Revoked on 1 April (§ 28): none of the four greetings queued for the card stays planned."""
    clock = FixedClock(_t(2025, 3, 3))
    office = _office(store, clock)
    care = office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    clock.set(_t(2025, 4, 1))
    office.revoke(
        command_id="revoke", actor=MANAGER, customer_id="c1",
        ground=RevocationGround.HARMS_GROUP_INTERESTS,
    )  # fmt: skip
    statuses = [store.callback_tasks.get(task_id).status for task_id in care.task_ids]
    assert (len(statuses), TaskStatus.PLANNED in statuses) == (4, False)


# --- command replays ------------------------------------------------------------------


def _night(store: Any, clock: FixedClock) -> NightDesk:
    return NightDesk(store, clock=clock)


def _log(desk: NightDesk, n: int, actor: Actor = ROOM, community: str = "东区") -> Any:
    return desk.log(
        command_id=f"log-{n}", actor=actor, entry_id=f"N-{n}", community=community,
        customer_id=f"cust-{n}", caller="13812345678", content="water from the ceiling",
    )  # fmt: skip


def test_another_communitys_actor_cannot_replay_a_command_id(store: Any) -> None:
    """西区's night room reusing 东区's command id gets a conflict, never 东区's entry."""
    desk = _night(store, FixedClock(_t(2025, 3, 3, 23)))
    _log(desk, 1)
    with pytest.raises(ConflictError, match="done by another person"):
        desk.log(
            command_id="log-1", actor=WEST_ROOM, entry_id="W-1", community="西区",
            customer_id="w", caller="13900000000", content="noise",
        )  # fmt: skip


def test_a_replayed_decision_by_another_actor_is_refused(store: Any) -> None:
    """A routing decision's id replayed by another community's desk is a conflict."""
    desk = _night(store, FixedClock(_t(2025, 3, 3, 23)))
    _log(desk, 1)
    desk.assign_complaint(
        command_id="route", actor=CLERK, entry_id="N-1", category="noise", subject="pump"
    )
    with pytest.raises(ConflictError, match="done by another person"):
        desk.assign_complaint(
            command_id="route", actor=WEST_CLERK, entry_id="N-1", category="x", subject="y"
        )


def test_a_command_id_reused_with_other_arguments_is_a_conflict(store: Any) -> None:
    """The same id for another entry is a conflict, not a silent replay of the first entry."""
    desk = _night(store, FixedClock(_t(2025, 3, 3, 23)))
    _log(desk, 1)
    with pytest.raises(ConflictError):
        desk.log(
            command_id="log-1", actor=ROOM, entry_id="N-2", community="东区",
            customer_id="cust-2", caller="13812345678", content="another call",
        )  # fmt: skip


# --- night handover -------------------------------------------------------------------


def test_a_handover_whose_record_command_id_is_taken_opens_nothing(store: Any) -> None:
    """The id the handover gives N-1's work order was used for W-9: refused, nothing handed over."""
    clock = FixedClock(_t(2025, 3, 3, 23))
    desk = _night(store, clock)
    _log(desk, 1)
    desk.assign_work_order(
        command_id="route", actor=ROOM, entry_id="N-1", address="3-1201", category="house"
    )
    clock.set(_t(2025, 3, 4, 9))
    desk.work_orders.register(
        command_id="hand:N-1", actor=CLERK, work_order_id="W-9", community="东区",
        customer_id="c", address="5-101", contact="13812345678", content="door", category="house",
    )  # fmt: skip
    with pytest.raises(ConflictError, match="hand:N-1"):
        desk.handover(command_id="hand", actor=CLERK, community="东区")
    assert store.night_entries.get("N-1").state is NightEntryState.OPEN
    with pytest.raises(NotFoundError):
        store.work_orders.get("night:N-1")


# --- history import -------------------------------------------------------------------


def test_a_history_complaint_received_after_the_import_is_refused(store: Any) -> None:
    """History is what was received before the import: a later receipt names received_at."""
    now = _t(2025, 3, 3, 9)
    desk = ComplaintDesk(store, clock=FixedClock(now))
    complaint = Complaint(
        "H-1", community="东区", category="noise", subject="pump", complainant_ids=["c1"],
        received_at=now + timedelta(hours=1), first_receiver_id="desk-li",
    )  # fmt: skip
    entry = HistoryEntry(complaint, customer_id="c1", summary="hums")
    with pytest.raises(ValidationError, match="received_at"):
        desk.import_history(command_id="imp", actor=CLERK, entries=[entry])
    assert len(store.complaint_cases) == 0


def test_a_history_complaint_resolved_after_the_import_is_refused(store: Any) -> None:
    """A resolution later than the import's time is refused, naming the entry's resolved_at."""
    now = _t(2025, 3, 3, 9)
    desk = ComplaintDesk(store, clock=FixedClock(now))
    complaint = Complaint(
        "H-1", community="东区", category="noise", subject="pump", complainant_ids=["c1"],
        received_at=now - timedelta(days=2), first_receiver_id="desk-li",
        resolved_at=now + timedelta(days=1),
    )  # fmt: skip
    entry = HistoryEntry(complaint, customer_id="c1", summary="hums")
    with pytest.raises(ValidationError, match=r"^entries\[0\]\.complaint\.resolved_at: "):
        desk.import_history(command_id="imp", actor=CLERK, entries=[entry])


# --- periods --------------------------------------------------------------------------


def test_a_period_ending_past_year_9999_names_the_period() -> None:
    """'9999-Q4' would end on 10000-01-01: a CalendarRangeError naming ``period``."""
    with pytest.raises(CalendarRangeError, match="^period: "):
        Period.parse("9999-Q4")


def test_a_period_in_full_width_digits_is_refused() -> None:
    """'２０２５-07' is not the month '2025-07': a second label would file the same period twice."""
    with pytest.raises(ValidationError, match="^period: "):
        Period.parse("２０２５-07")
