"""The VIP office's daily expiry sweep and family care; the :class:`VipOffice` itself.

Public in :mod:`propcrm.services`; this module is private. RULES § 3 (002 §§ 26, 33)
and § 6 (greetings on the day itself).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from attrs import frozen

from propcrm._checks import require_int
from propcrm._time import zone
from propcrm.callbacks import CallbackKind, CallbackTask, Subject, SubjectKind, plan_vip_care
from propcrm.errors import NotFoundError
from propcrm.explain import Reason
from propcrm.records import Notification, NotificationKind, VipArchive
from propcrm.roles import Role
from propcrm.services._arguments import command
from propcrm.services._commands import Actor, require_actor
from propcrm.services._paging import PAGE, all_pages
from propcrm.services._vip_office import KEEPERS, VipCardCommands, require_role
from propcrm.vip import VipCard

__all__ = ["CarePlanReport", "ExpirySweepReport", "VipOffice"]

_DAY = timedelta(days=1)


@frozen
class ExpirySweepReport:
    """What one expiry sweep wrote.

    Attributes:
        on: The day swept (the clock's date in the policy's zone).
        notification_ids: The reminders written now, soonest expiry first.
        already: The reminders an earlier sweep wrote (nothing written twice).
    """

    on: date
    notification_ids: tuple[str, ...] = ()
    already: tuple[str, ...] = ()


@frozen
class CarePlanReport:
    """What one care planning run put into the callback queue.

    Attributes:
        community: The community planned.
        year: The year planned.
        task_ids: The callback tasks added now.
        already: The tasks an earlier run added (nothing planned twice).
        past: Occasions already past at the run, not planned.
        notes: Why something was not planned (e.g. a festival missing that year).
    """

    community: str
    year: int
    task_ids: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    past: tuple[str, ...] = ()
    notes: tuple[Reason, ...] = ()


class VipOffice(VipCardCommands):
    """The VIP office (VIP客户管理): card commands with the archive, reminders and care.

    Every command takes ``command_id=`` (a retry with the same id changes
    nothing and returns the first result) and ``actor=`` (who does it; they
    must act for the archive's community and hold the role the command
    needs), runs in one transaction on the clock's day, and returns the VIP's
    :class:`~propcrm.records.VipArchive` with the card event written in it
    (reasons and policy fingerprint included). The cards themselves are in
    ``store.vip_cards``, their numbers from ``store.card_numbers``.

    Roles: the VIP assistant issues, renews and replaces cards, records
    birthdays, sweeps expiries and plans care (002 §§ 19-20, 24, 35); a
    service-centre manager or the general manager revokes (§ 28, Decision).

    Args:
        store: The store.
        clock: Tells the time of each command.
        policy: The rules; ``None`` for the defaults.
    """

    # --- the daily sweep and care -------------------------------------------------------

    @command
    def sweep_expiries(self, *, command_id: str, actor: Actor) -> ExpirySweepReport:
        """Remind the VIP assistants of cards expiring within the reminder lead (§ 26).

        Cards of the actor's communities whose expiry day is at most
        ``callbacks.card_expiry_reminder_lead`` (30 days by default) after
        today get one reminder each in the outbox — to the assistant who keeps
        the archive and the VIP-assistant role, naming the customer, the card
        and its expiry day. A second run (the same day or a later one) writes
        no reminder twice.

        Raises:
            PermissionDeniedError: The actor is not the VIP assistant.
        """
        require_actor(actor)
        first = sorted(actor.communities)[0]
        require_role(actor, KEEPERS, "the expiry sweep", first)

        def work(at: datetime) -> ExpirySweepReport:
            on = self._day(at)
            lead = self.policy.callbacks.card_expiry_reminder_lead
            last = on + timedelta(days=-(-lead // _DAY))
            written: list[str] = []
            already: list[str] = []
            for card in self.store.vip_cards.expiring_between(on, last + _DAY):
                archive = self._archive_of(card)
                if archive is None or not actor.acts_for(archive.community):
                    continue
                note_id = f"vip_expiry:{card.id}:{card.expires_on.isoformat()}"
                try:
                    self.store.notifications.get(note_id)
                except NotFoundError:
                    self.store.notifications.add(self._reminder(note_id, card, archive, at, lead))
                    written.append(note_id)
                else:
                    already.append(note_id)
            return ExpirySweepReport(on, tuple(written), tuple(already))

        return self._runner.run(
            "vip.sweep_expiries", command_id=command_id, actor=actor,
            result_type=ExpirySweepReport, work=work,
        )  # fmt: skip

    @command
    def plan_care(
        self, *, command_id: str, actor: Actor, community: str, year: int
    ) -> CarePlanReport:
        """Plan a year of family care for every VIP of ``community`` into the callback queue.

        Festival and birthday greetings on the day itself and the card-expiry
        reminder call (:func:`~propcrm.callbacks.plan_vip_care`, 002 § 33), for
        each archive whose card has not ended. A greeting is planned only for a
        day the card is valid (§ 26; plan again after the renewal); tasks
        already queued (an earlier run, under this card or the card it
        replaced or renewed) and occasions already past are not planned again.

        Raises:
            PermissionDeniedError: The actor does not act for ``community`` or is
                not the VIP assistant.
            ValidationError: ``year`` is not a year.
        """
        require_actor(actor, community)
        require_role(actor, KEEPERS, "planning family care", community)
        require_int(year, "year", low=1, high=9998)

        def work(at: datetime) -> CarePlanReport:
            calendar = None  # built for the first VIP to plan: a calendar of a far year warns
            added: list[str] = []
            already: list[str] = []
            past: list[str] = []
            notes: list[Reason] = []
            for archive in self._archives(community):
                card = self.store.vip_cards.get(archive.card_id)
                if card.change is not None:
                    continue  # revoked: no more care
                if calendar is None:
                    name = self.policy.callbacks.contact_calendar
                    calendar = self.policy.calendar(name, years=[year])
                plan = plan_vip_care(
                    card.id, customer_id=archive.id, birthdays=archive.birthdays,
                    card_expires=card.expires_on, year=year, calendar=calendar,
                    policy=self.policy,
                )  # fmt: skip
                notes += [n for n in plan.notes if n not in notes]
                earlier = self._earlier_cards(archive.id, card)
                for task in self._while_valid(plan.tasks, card, notes):
                    if task.due <= at:
                        past.append(task.id)
                    elif queued := self._queued_as(task.id, card, earlier):
                        already.append(queued)
                    else:
                        self.store.callback_tasks.add(task)
                        added.append(task.id)
            return CarePlanReport(
                community, year, tuple(added), tuple(already), tuple(past), tuple(notes)
            )

        return self._runner.run(
            "vip.plan_care", command_id=command_id, actor=actor, result_type=CarePlanReport,
            work=work,
        )  # fmt: skip

    # --- helpers ---------------------------------------------------------------------------

    def _archive_of(self, card: VipCard) -> VipArchive | None:
        try:
            archive = self.store.vip_archives.get(card.customer_id)
        except NotFoundError:
            return None
        return archive if archive.card_id == card.id else None

    def _archives(self, community: str) -> list[VipArchive]:
        return all_pages(
            lambda after: self.store.vip_archives.list(community=community, limit=PAGE, after=after)
        )

    def _earlier_cards(self, customer_id: str, card: VipCard) -> list[str]:
        """The cards ``card`` took over from, by renewal or replacement, latest first.

        A card revoked before a later issue ended with its care (002 § 28): the
        new card is not its successor, so its cancelled greetings do not count.
        """
        successor = {
            held.change.replaced_by_card_id: held.id
            for held in self.store.vip_cards.held_by(customer_id)
            if held.change is not None and held.change.replaced_by_card_id is not None
        }
        earlier: list[str] = []
        seen = {card.id}
        at = card.id
        while at in successor and successor[at] not in seen:  # a cycle ends the chain
            at = successor[at]
            seen.add(at)
            earlier.append(at)
        return earlier

    def _queued_as(self, task_id: str, card: VipCard, earlier: list[str]) -> str | None:
        """The id ``task_id``'s occasion is queued under: this card's or an earlier card's.

        A care task is named by its card; a replaced or renewed card greets the
        same VIP on the same occasion, so a greeting queued under the card it
        took over from is not queued again (002 §§ 26-27, 33).
        """
        prefix = f"{Subject(SubjectKind.VIP_CARD, card.id)}:"
        occasion = task_id.removeprefix(prefix)
        for card_id in (card.id, *earlier):
            queued = f"{Subject(SubjectKind.VIP_CARD, card_id)}:{occasion}"
            try:
                self.store.callback_tasks.get(queued)
            except NotFoundError:
                continue
            return queued
        return None

    def _while_valid(
        self, tasks: tuple[CallbackTask, ...], card: VipCard, notes: list[Reason]
    ) -> list[CallbackTask]:
        """The greetings on days the card is valid, and the expiry reminder.

        Family care is a benefit of a valid card (002 §§ 26, 33): a greeting on
        or after the expiry day waits for the renewed card's plan.
        """
        tz = zone(self.policy.tz)
        kept = [
            task
            for task in tasks
            if task.kind is not CallbackKind.GREETING
            or task.earliest.astimezone(tz).date() < card.expires_on
        ]
        if len(kept) < len(tasks):
            notes.append(
                Reason(
                    "callback.vip.card_expires",
                    f"card {card.id} expires on {card.expires_on}: no greeting is planned from "
                    "then on; plan care again once the card is renewed",
                    {"card_id": card.id, "expires_on": card.expires_on.isoformat()},
                    "002 §§26, 33",
                )
            )
        return kept

    def _reminder(
        self, note_id: str, card: VipCard, archive: VipArchive, at: datetime, lead: timedelta
    ) -> Notification:
        expires = card.expires_on.isoformat()
        return Notification(
            note_id,
            kind=NotificationKind.VIP_EXPIRY,
            subject_id=card.id,
            community=archive.community,
            to_roles=(Role.VIP_ASSISTANT,),
            to_ids=(archive.assistant_id,),
            message=f"VIP card {card.id} of customer {archive.id} expires on {expires}: "
            "verify the customer again and renew if they still qualify",
            created_at=at,
            reasons=(
                Reason(
                    "vip.card.expiry_reminder",
                    f"card {card.id} expires on {expires}, within {lead.days} days",
                    {"card_id": card.id, "customer_id": archive.id, "expires_on": expires},
                    "002 §26",
                ),
            ),
        )
