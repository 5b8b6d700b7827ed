"""Defects found in the VIP office and the outbox, on the memory store and a SQLite file."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import FixedClock
from propcrm.customers import Customer, TierFacts
from propcrm.errors import ValidationError
from propcrm.records import Notification, NotificationKind
from propcrm.roles import Role
from propcrm.services import Actor, VipOffice, deliver_pending
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import RevocationGround, VipLevel

SH = ZoneInfo("Asia/Shanghai")
ASSISTANT = Actor("va-1", roles=[Role.VIP_ASSISTANT], communities=["东区", "西区"])
MANAGER = Actor("mgr-1", roles=[Role.SERVICE_CENTRE_MANAGER], communities=["东区"])


def _t(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind (the SQLite one in a file) with a tier-A customer."""
    made = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "crm.db")
    made.customers.add(Customer("c1", "王芳", facts=TierFacts(government_official=True)))
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


def _issue(office: VipOffice, command_id: str, community: str = "东区") -> Any:
    return office.issue(
        command_id=command_id, actor=ASSISTANT, customer_id="c1", community=community,
        level=VipLevel.GOVERNMENT_OFFICIAL, birthdays={"self": date(1970, 10, 20)},
    )  # fmt: skip


def _revoke(office: VipOffice, clock: FixedClock, on: datetime) -> None:
    clock.set(on)
    office.revoke(
        command_id="revoke", actor=MANAGER, customer_id="c1",
        ground=RevocationGround.MALICIOUS_ARREARS,
    )  # fmt: skip


def _note(id: str, at: datetime) -> Notification:
    return Notification(
        id, kind=NotificationKind.VIP_EXPIRY, subject_id="JK1001", community="东区",
        to_roles=(Role.VIP_ASSISTANT,), to_ids=("va-1",), message="renew", created_at=at,
    )  # fmt: skip


def test_a_card_issued_after_a_revocation_gets_its_care_planned(
    office: VipOffice, clock: FixedClock
) -> None:
    """Revoked 1 April, issued again 1 June 2025: October's three greetings go to JK1002."""
    _issue(office, "issue")
    office.plan_care(command_id="care-1", actor=ASSISTANT, community="东区", year=2025)
    _revoke(office, clock, _t(2025, 4, 1))
    clock.set(_t(2025, 6, 1))
    _issue(office, "issue-again")
    care = office.plan_care(command_id="care-2", actor=ASSISTANT, community="东区", year=2025)
    prefix = "vip_card:JK1002:vip:greeting:"
    # Dragon Boat Festival 2025 fell on 31 May, before the new card; National Day 1 Oct,
    # Mid-Autumn 6 Oct and the birthday 20 Oct are ahead.
    assert (sorted(care.task_ids), care.already) == (
        [
            f"{prefix}birthday:self:2025",
            f"{prefix}festival:Mid-Autumn Festival:2025",
            f"{prefix}festival:National Day:2025",
        ],
        (),
    )


def test_a_delivery_error_that_is_not_utf8_is_counted_and_the_run_goes_on(
    store: Any, clock: FixedClock
) -> None:
    """A host error naming undecodable bytes is kept escaped; the next notification is sent."""
    store.notifications.add(_note("n1", _t(2025, 3, 3, 9)))
    store.notifications.add(_note("n2", _t(2025, 3, 3, 9) + timedelta(seconds=1)))

    def hook(note: Notification) -> None:
        if note.id == "n1":
            raise OSError(b"no file \xff".decode("utf-8", "surrogateescape"))

    report = deliver_pending(store, hook, clock=clock)
    failed = store.notifications.get("n1")
    assert (report.delivered, report.failed, failed.attempts, failed.last_error) == (
        ("n2",),
        ("n1",),
        1,
        "OSError: no file \\udcff",
    )


def test_a_delivery_error_whose_text_fails_is_counted_by_its_type(
    store: Any, clock: FixedClock
) -> None:
    """An exception whose str() raises is counted under its type name alone."""

    class GarbledError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    def hook(note: Notification) -> None:
        raise GarbledError

    store.notifications.add(_note("n1", _t(2025, 3, 3, 9)))
    report = deliver_pending(store, hook, clock=clock)
    failed = store.notifications.get("n1")
    assert (report.failed, failed.attempts, failed.last_error) == (("n1",), 1, "GarbledError")


def test_issuing_into_an_archive_of_another_community_is_refused(
    office: VipOffice, clock: FixedClock, store: Any
) -> None:
    """The archive is 东区's: an issue for 西区 is refused, naming community; no card is added."""
    _issue(office, "issue")
    _revoke(office, clock, _t(2025, 4, 1))
    with pytest.raises(ValidationError, match="^community: "):
        _issue(office, "issue-west", community="西区")
    assert (len(store.vip_cards), store.vip_archives.get("c1").community) == (1, "东区")
