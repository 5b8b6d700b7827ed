"""The VIP office end to end, on the memory store and on a SQLite file."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import propcrm.services._vip_office
from propcrm import FixedClock
from propcrm.callbacks import (
    CallbackKind,
    CallbackTask,
    Outcome,
    Subject,
    SubjectKind,
    TaskStatus,
    record_outcome,
)
from propcrm.customers import Customer, TierFacts
from propcrm.errors import PermissionDeniedError, ValidationError
from propcrm.records import NotificationKind, VipArchiveEventKind
from propcrm.roles import Role
from propcrm.services import Actor, ExpirySweepReport, VipOffice
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import (
    CardStateError,
    CardStatus,
    NotEligibleError,
    RevocationGround,
    VipLevel,
    VipProgramme,
)

SH = ZoneInfo("Asia/Shanghai")
ASSISTANT = Actor("va-1", roles=[Role.VIP_ASSISTANT], communities=["东区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])
WEST = Actor("va-9", roles=[Role.VIP_ASSISTANT], communities=["西区"])
BIRTHDAYS = {"self": date(1970, 5, 20), "spouse": date(1972, 10, 8)}


def _t(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file) with two customers."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    made.customers.add(Customer("c1", "王芳", facts=TierFacts(government_official=True)))
    made.customers.add(Customer("c2", "李雷"))
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 3 March 2025, 10:00 in Shanghai."""
    return FixedClock(_t(2025, 3, 3))


@pytest.fixture
def office(store: Any, clock: FixedClock) -> VipOffice:
    """The VIP office over the store, with the default policy."""
    return VipOffice(store, clock=clock)


def _issue(office: VipOffice, customer_id: str = "c1", command_id: str = "issue") -> Any:
    return office.issue(
        command_id=command_id, actor=ASSISTANT, customer_id=customer_id, community="东区",
        level=VipLevel.GOVERNMENT_OFFICIAL, birthdays=BIRTHDAYS,
    )  # fmt: skip


def _sweep(office: VipOffice, clock: FixedClock, on: date) -> ExpirySweepReport:
    clock.set(_t(on.year, on.month, on.day))
    return office.sweep_expiries(command_id=f"sweep-{on}", actor=ASSISTANT)


def test_a_vips_card_lifecycle_with_care_events(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """Issued 2025-03-03, greeted, reminded 30 days ahead, renewed, replaced, revoked."""
    archive = _issue(office)
    assert (archive.card_id, archive.assistant_id, archive.birthdays) == (
        "JK1001",
        "va-1",
        BIRTHDAYS,
    )
    issued = archive.events[0]
    assert [r.rule for r in issued.reasons] == ["vip.card.issued", "tier.a.government_official"]
    assert store.vip_cards.get("JK1001").expires_on == date(2028, 3, 3)
    # 2025 care: Spring Festival (29 Jan) is past; three festivals and two birthdays ahead
    care = office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    prefix = "vip_card:JK1001:vip:greeting:"
    assert sorted(care.task_ids) == [
        f"{prefix}birthday:self:2025",
        f"{prefix}birthday:spouse:2025",
        f"{prefix}festival:Dragon Boat Festival:2025",
        f"{prefix}festival:Mid-Autumn Festival:2025",
        f"{prefix}festival:National Day:2025",
    ]
    assert care.past == (f"{prefix}festival:Spring Festival:2025",)
    birthday = store.callback_tasks.get(f"{prefix}birthday:self:2025")
    assert (birthday.earliest, birthday.due, birthday.owner_role) == (
        _t(2025, 5, 20, 9),
        _t(2025, 5, 20, 20),
        "vip_assistant",
    )
    # reminders 30 days ahead: 2028-02-01 + 30 days = 03-02, too early; 02-02 + 30 = 03-03
    assert _sweep(office, clock, date(2028, 2, 1)).notification_ids == ()
    assert _sweep(office, clock, date(2028, 2, 2)).notification_ids == (
        "vip_expiry:JK1001:2028-03-03",
    )
    note = store.notifications.get("vip_expiry:JK1001:2028-03-03")
    assert (note.kind, note.to_ids, note.to_roles, note.subject_id) == (
        NotificationKind.VIP_EXPIRY,
        ("va-1",),
        (Role.VIP_ASSISTANT,),
        "JK1001",
    )
    assert "expires on 2028-03-03" in note.message
    clock.set(_t(2028, 3, 3))
    archive = office.renew(command_id="renew", actor=ASSISTANT, customer_id="c1")
    old, new = store.vip_cards.get("JK1001"), store.vip_cards.get("JK1002")
    assert (archive.card_id, old.status, old.change.replaced_by_card_id, new.expires_on) == (
        "JK1002",
        CardStatus.EXPIRED,
        "JK1002",
        date(2031, 3, 3),
    )
    clock.set(_t(2028, 6, 1))
    archive = office.replace(command_id="lost", actor=ASSISTANT, customer_id="c1")
    assert (archive.card_id, store.vip_cards.get("JK1003").expires_on) == (
        "JK1003",
        date(2031, 3, 3),
    )
    archive = office.revoke(
        command_id="revoke", actor=MANAGER, customer_id="c1",
        ground=RevocationGround.HARMS_GROUP_INTERESTS, note="led a group complaint",
    )  # fmt: skip
    assert [e.kind for e in archive.events] == [
        VipArchiveEventKind.ISSUED,
        VipArchiveEventKind.RENEWED,
        VipArchiveEventKind.REPLACED,
        VipArchiveEventKind.REVOKED,
    ]
    assert archive.card_ids == ("JK1001", "JK1002", "JK1003")
    assert store.vip_cards.get("JK1003").status is CardStatus.REVOKED
    # a revoked VIP gets no more care
    care = office.plan_care(command_id="care-2", actor=ASSISTANT, community="东区", year=2028)
    assert (care.task_ids, care.already, care.past) == ((), (), ())


def test_care_planned_twice_is_queued_once(office: VipOffice, store: Any) -> None:
    """A second run under a new command id finds the five tasks queued and adds none."""
    _issue(office)
    office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    again = office.plan_care(command_id="care-2", actor=ASSISTANT, community="东区", year=2025)
    assert (again.task_ids, len(again.already), len(store.callback_tasks)) == ((), 5, 5)


def test_a_second_sweep_writes_no_reminder_twice(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """The next day's sweep finds the reminder written and reports it as already there."""
    _issue(office)
    _sweep(office, clock, date(2028, 2, 2))
    report = _sweep(office, clock, date(2028, 2, 3))
    assert (report.notification_ids, report.already, len(store.notifications)) == (
        (),
        ("vip_expiry:JK1001:2028-03-03",),
        1,
    )


def test_renewal_before_the_expiry_day_is_refused(office: VipOffice, clock: FixedClock) -> None:
    """Renewal opens on the expiry day (到期后): 2028-03-02 is too early."""
    _issue(office)
    clock.set(_t(2028, 3, 2))
    with pytest.raises(CardStateError, match="cannot be renewed before 2028-03-03"):
        office.renew(command_id="renew", actor=ASSISTANT, customer_id="c1")


def test_a_customer_who_is_not_tier_a_gets_no_card(office: VipOffice, store: Any) -> None:
    """A tier-C customer is refused with the reasons, and no number is used up."""
    with pytest.raises(NotEligibleError, match="only tier-A customers qualify"):
        _issue(office, "c2")
    assert (len(store.vip_cards), len(store.vip_archives)) == (0, 0)


def test_a_second_card_while_one_is_valid_is_refused(office: VipOffice) -> None:
    """The programme sees the stored card: renew or replace it instead."""
    _issue(office)
    with pytest.raises(CardStateError, match="already holds VIP card JK1001"):
        _issue(office, command_id="issue-again")


def test_a_retried_issue_changes_nothing(office: VipOffice, store: Any) -> None:
    """The same command id returns the first archive; one card, the next number still 002."""
    first = _issue(office)
    assert (_issue(office), len(store.vip_cards)) == (first, 1)
    store.customers.add(Customer("c3", "韩梅", facts=TierFacts(government_official=True)))
    assert _issue(office, "c3", "issue-c3").card_id == "JK1002"


def test_a_failure_mid_issue_returns_the_card_number(
    office: VipOffice, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the card is stored undoes it all: the next issue is JK1001 again."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(propcrm.services._vip_office, "classify_tier", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _issue(office)
    monkeypatch.undo()
    assert (len(store.vip_cards), store.commands.find("issue")) == (0, None)
    assert _issue(office).card_id == "JK1001"


def test_the_assistant_may_not_revoke(office: VipOffice) -> None:
    """Revocation is the company's: a service-centre manager or the general manager (§ 28)."""
    _issue(office)
    with pytest.raises(PermissionDeniedError, match="general_manager, service_centre_manager"):
        office.revoke(
            command_id="r", actor=ASSISTANT, customer_id="c1",
            ground=RevocationGround.MALICIOUS_ARREARS,
        )  # fmt: skip


def test_desk_staff_may_not_issue(office: VipOffice) -> None:
    """Cards are issued by the VIP assistant (§§ 19, 24)."""
    clerk = Actor("desk-1", roles=[Role.DESK_STAFF], communities=["东区"])
    with pytest.raises(PermissionDeniedError, match="vip_assistant"):
        office.issue(
            command_id="i", actor=clerk, customer_id="c1", community="东区",
            level=VipLevel.GOVERNMENT_OFFICIAL,
        )  # fmt: skip


def test_another_communitys_assistant_may_not_replace(office: VipOffice) -> None:
    """The archive of 东区 is kept by 东区's office."""
    _issue(office)
    with pytest.raises(PermissionDeniedError, match="not '东区'"):
        office.replace(command_id="r", actor=WEST, customer_id="c1")


def test_another_communitys_sweep_skips_the_card(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """西区's assistant sweeps 西区's archives only: no reminder for a 东区 card."""
    _issue(office)
    clock.set(_t(2028, 2, 2))
    report = office.sweep_expiries(command_id="s", actor=WEST)
    assert (report.notification_ids, len(store.notifications)) == ((), 0)


def test_birthdays_are_recorded_in_the_archive(office: VipOffice) -> None:
    """Recording birthdays replaces them; a bad date names the person."""
    _issue(office)
    archive = office.record_birthdays(
        command_id="b", actor=ASSISTANT, customer_id="c1", birthdays={"son": date(2001, 2, 3)}
    )
    assert archive.birthdays == {"son": date(2001, 2, 3)}
    with pytest.raises(ValidationError, match="^birthdays.son: expected a datetime.date"):
        office.record_birthdays(
            command_id="b2", actor=ASSISTANT, customer_id="c1", birthdays={"son": "2001-02-03"}
        )


def test_a_bad_year_names_the_argument(office: VipOffice) -> None:
    """plan_care refuses a year that is not an integer year."""
    with pytest.raises(ValidationError, match="^year: expected an integer from 1 to 9998"):
        office.plan_care(command_id="c", actor=ASSISTANT, community="东区", year=0)


def test_a_revoked_vip_who_qualifies_again_continues_the_archive(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """A new card after a revocation is written in the same archive, birthdays replaced."""
    _issue(office)
    office.revoke(
        command_id="r", actor=MANAGER, customer_id="c1",
        ground=RevocationGround.MALICIOUS_ARREARS,
    )  # fmt: skip
    clock.set(_t(2026, 3, 3))
    archive = office.issue(
        command_id="again", actor=ASSISTANT, customer_id="c1", community="东区",
        level=VipLevel.GOVERNMENT_OFFICIAL, birthdays={"self": date(1970, 5, 21)},
    )  # fmt: skip
    assert (archive.customer_id, archive.card_ids, archive.birthdays) == (
        "c1",
        ("JK1001", "JK1002"),
        {"self": date(1970, 5, 21)},
    )


def test_a_card_the_office_does_not_keep_gets_no_reminder(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """A card stored without an archive (issued elsewhere) is left out of the sweep."""
    programme = VipProgramme(store.card_numbers)
    customer = store.customers.get("c1")
    store.vip_cards.add(
        programme.issue(customer, level=VipLevel.OTHER, on=date(2025, 3, 3), by="x")
    )
    assert _sweep(office, clock, date(2028, 2, 2)).notification_ids == ()


def test_birthdays_name_people_by_text(office: VipOffice) -> None:
    """A birthday keyed by a number is refused, naming birthdays."""
    with pytest.raises(ValidationError, match="^birthdays: expected people named by"):
        office.issue(
            command_id="i", actor=ASSISTANT, customer_id="c1", community="东区",
            level=VipLevel.OTHER, birthdays={1: date(1970, 1, 1)},  # type: ignore[dict-item]
        )  # fmt: skip


def test_a_revocation_cancels_the_cards_coming_care_and_names_it(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """Revoked 25 May 2025: the four later greetings are cancelled, 20 May's is left, c3's kept."""
    store.customers.add(Customer("c3", "赵敏", facts=TierFacts(government_official=True)))
    _issue(office)  # JK1001, birthdays 20 May and 8 October
    _issue(office, "c3", "issue-c3")  # JK1002, the same birthdays
    office.plan_care(command_id="care", actor=ASSISTANT, community="东区", year=2025)
    clock.set(_t(2025, 5, 25))
    archive = office.revoke(
        command_id="revoke", actor=MANAGER, customer_id="c1",
        ground=RevocationGround.HARMS_GROUP_INTERESTS,
    )  # fmt: skip
    greeting = "vip_card:{}:vip:greeting:{}:2025"
    later = sorted(
        greeting.format("JK1001", occasion)
        for occasion in (
            "birthday:spouse", "festival:Dragon Boat Festival",
            "festival:Mid-Autumn Festival", "festival:National Day",
        )
    )  # fmt: skip
    status = {task.id: task.status for task in store.callback_tasks.list(limit=100).items}
    assert [status[task_id] for task_id in later] == [TaskStatus.CANCELLED] * 4
    assert status[greeting.format("JK1001", "birthday:self")] is TaskStatus.PLANNED
    assert {
        status[greeting.format("JK1002", o)] for o in ("birthday:self", "festival:National Day")
    } == {TaskStatus.PLANNED}
    cancelled = archive.events[-1].reasons[-1]
    assert (cancelled.rule, cancelled.facts["task_ids"]) == ("vip.care.cancelled", later)


def test_a_cancelled_callback_takes_no_outcome() -> None:
    """record_outcome() on a cancelled greeting is refused: it is no longer to be made."""
    task = CallbackTask(
        "vip_card:JK1001:vip:greeting:festival:National Day:2025",
        Subject(SubjectKind.VIP_CARD, "JK1001"), CallbackKind.GREETING, "c1", "vip_assistant",
        _t(2025, 10, 1, 0), _t(2025, 10, 1, 23), status=TaskStatus.CANCELLED,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="cancelled"):
        record_outcome(task, Outcome(_t(2025, 10, 1), reached=True))
