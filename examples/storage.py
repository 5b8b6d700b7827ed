"""Keep customers and VIP cards in SQLite: transactions, versions and a read-only reopening.

Run from the repository root: ``python examples/storage.py``. Exits non-zero if
anything it shows is wrong.
"""

import sys
import tempfile
from datetime import date
from pathlib import Path

from propcrm import ConflictError, Policy, StorageError
from propcrm.customers import Customer, TierFacts
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import VipLevel, VipProgramme

ISSUE_DAY = date(2025, 10, 9)


def main() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crm.db"
        with SqliteStore(path) as store:
            programme = VipProgramme(store.card_numbers, policy=Policy())
            official = Customer("c-001", "王芳", facts=TierFacts(government_official=True))

            # One transaction: the customer and her card are stored together or not at all.
            with store.transaction():
                store.customers.add(official)
                card = programme.issue(
                    official, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUE_DAY, by="客户助理"
                )
                store.vip_cards.add(card)
            print(f"issued {card.id} to {official.name}, valid until {card.expires_on}")

            # A failed transaction leaves nothing behind, not even the card number it drew.
            try:
                with store.transaction():
                    store.customers.add(Customer("c-002", "李明"))
                    store.card_numbers.allocate("JK", VipLevel.OTHER)
                    raise RuntimeError("the clerk cancelled")
            except RuntimeError as e:
                print(f"rolled back ({e}): {len(store.customers)} customer stored")
            if len(store.customers) != 1:
                problems.append("a rolled-back customer was stored")

            # Two clerks edit the same record: the second save is refused, not lost.
            desk, office = store.customers.get("c-001"), store.customers.get("c-001")
            desk.name = "王芳 (东区)"
            store.customers.update(desk)
            office.name = "王芳 (西区)"
            try:
                store.customers.update(office)
                problems.append("a stale update was accepted")
            except ConflictError as e:
                print(f"second save refused: {e}")

        # A report opens the file read-only: it can never change what it reads.
        with SqliteStore(path, read_only=True) as reopened:
            stored = reopened.customers.get("c-001")
            due = reopened.vip_cards.expiring_between(date(2028, 1, 1), date(2029, 1, 1))
            print(f"reopened: {stored.name} at version {stored.version}; due for renewal:")
            for expiring in due:
                print(f"  {expiring.id} expires {expiring.expires_on}")
            if (stored.name, stored.version, [c.id for c in due]) != (
                "王芳 (东区)",
                2,
                ["JK1001"],
            ):
                problems.append("the reopened database does not hold what was saved")
            try:
                reopened.customers.add(Customer("c-003", "张伟"))
                problems.append("a read-only store accepted a write")
            except StorageError as e:
                print(f"report store refused a write: {e}")
    for problem in problems:
        print(f"WRONG: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
