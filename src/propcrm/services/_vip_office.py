"""The VIP office's card commands: issued, renewed, replaced and revoked with the archive kept.

:class:`~propcrm.services.VipOffice` (in ``_vip_care``) adds the expiry sweep
and family care; this module is private. RULES § 3 (002 §§ 19-28,
33): the rules are the :class:`~propcrm.vip.VipProgramme`'s; the office runs
them over a store, keeps each VIP's archive (§ 20), reminds the VIP assistant of
cards about to expire and plans family care into the callback queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import attrs

from propcrm._time import Clock, zone
from propcrm._vip_records import birthdays_of
from propcrm.callbacks import Subject, SubjectKind, TaskStatus
from propcrm.customers import classify_tier
from propcrm.errors import NotFoundError, PermissionDeniedError, ValidationError
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.records import (
    VipArchive,
    VipArchiveEvent,
    VipArchiveEventKind,
)
from propcrm.roles import Role
from propcrm.services._arguments import command, command_with, omitted
from propcrm.services._commands import Actor, CommandRunner, require_actor
from propcrm.services._paging import PAGE, all_pages
from propcrm.storage import Store
from propcrm.vip import RevocationGround, VipCard, VipLevel, VipProgramme

__all__ = ["KEEPERS", "REVOKERS", "VipCardCommands", "require_role"]

_PAGE = 500
_DAY = timedelta(days=1)

KEEPERS = frozenset({Role.VIP_ASSISTANT})
"""Who issues, renews and replaces cards and keeps the archives: the VIP assistant
(客户助理, 002 §§ 19-20, 24, 35)."""

REVOKERS = frozenset({Role.SERVICE_CENTRE_MANAGER, Role.GENERAL_MANAGER})
"""Who revokes VIP status: the company (我司, 002 § 28) through a manager — Decision, RULES § 3."""


def require_role(actor: Actor, allowed: frozenset[Role], what: str, community: str) -> None:
    """Refuse unless the actor holds one of ``allowed``, saying who may do ``what``."""
    if not actor.roles & allowed:
        names = ", ".join(sorted(role.value for role in allowed))
        raise PermissionDeniedError(
            f"{what} is done by the {names}; {actor.id} is none of them",
            actor_id=actor.id,
            community=community,
        )


class VipCardCommands:
    """The card commands of the office (see :class:`~propcrm.services.VipOffice`).

    Args:
        store: The store.
        clock: Tells the time of each command.
        policy: The rules; ``None`` for the defaults.
    """

    def __init__(self, store: Store, *, clock: Clock, policy: Policy | None = None) -> None:
        self._runner = CommandRunner(store, clock=clock, policy=policy)
        self.store = store
        self.policy = self._runner.policy

    # --- cards --------------------------------------------------------------------------

    @command_with(birthdays=omitted)
    def issue(
        self,
        *,
        command_id: str,
        actor: Actor,
        customer_id: str,
        community: str,
        level: VipLevel,
        birthdays: Mapping[str, date] | None = None,
    ) -> VipArchive:
        """Issue a card to a tier-A customer and open (or continue) their archive (§§ 20, 24-25).

        Raises:
            PermissionDeniedError: The actor does not act for ``community`` or is
                not the VIP assistant.
            NotFoundError: There is no such customer.
            NotEligibleError: The customer is not tier A today (with the reasons).
            CardStateError: The customer holds a card valid today.
            ValidationError: A field is invalid (named in the message), or
                ``community`` is not that of the customer's archive.
        """
        require_actor(actor, community)
        require_role(actor, KEEPERS, "issuing a VIP card", community)
        known = None if birthdays is None else birthdays_of(birthdays)

        def work(at: datetime) -> VipArchive:
            on = self._day(at)
            customer = self.store.customers.get(customer_id)
            try:
                archive: VipArchive | None = self.store.vip_archives.get(customer_id)
            except NotFoundError:
                archive = None
            if archive is not None:
                actor.require(archive.community)
                if archive.community != community:
                    raise ValidationError.expected(
                        "community", f"the community of the VIP's archive, {archive.community!r}",
                        community, "issue the card for the community that keeps the archive",
                    )  # fmt: skip
            card = self._programme(customer_id).issue(customer, level=level, on=on, by=actor.id)
            self.store.vip_cards.add(card)
            decision = classify_tier(customer, on=on, policy=self.policy.customers.tiers)
            issued = Reason(
                "vip.card.issued",
                f"card {card.id} issued, valid from {on} until before {card.expires_on}",
                {"card_id": card.id, "expires_on": card.expires_on.isoformat()},
                "002 §§24-26",
            )
            event = self._event(
                VipArchiveEventKind.ISSUED, at, on, actor, command_id, card.id, None, "",
                (issued, *decision.reasons),
            )  # fmt: skip
            if archive is None:
                return self.store.vip_archives.add(
                    VipArchive(
                        customer_id, community=community, assistant_id=actor.id, opened_at=at,
                        card_id=card.id, birthdays=known or {}, events=(event,),
                    )
                )  # fmt: skip
            if known is not None:
                archive = attrs.evolve(archive, birthdays=known)
            return self._written(archive, card.id, event)

        return self._command("vip.issue", command_id, actor, work)

    @command
    def renew(
        self,
        *,
        command_id: str,
        actor: Actor,
        customer_id: str,
        level: VipLevel | None = None,
    ) -> VipArchive:
        """Verify the VIP again at expiry; one who still qualifies gets a new card (§ 26).

        Raises:
            PermissionDeniedError: The actor does not act for the archive's
                community or is not the VIP assistant.
            NotFoundError: There is no archive for ``customer_id``.
            NotEligibleError: The customer no longer qualifies; nothing changes.
            CardStateError: The card ended, or renewal has not opened yet.
        """

        def work(at: datetime, archive: VipArchive, card: VipCard) -> VipArchive:
            on = self._day(at)
            customer = self.store.customers.get(customer_id)
            programme = self._programme(customer_id)
            reissue = programme.renew(card, customer, on=on, by=actor.id, level=level)
            self._replace_card(card, reissue.old, reissue.new)
            decision = classify_tier(customer, on=on, policy=self.policy.customers.tiers)
            renewed = Reason(
                "vip.card.renewed",
                f"card {card.id} renewed as {reissue.new.id}, valid until before "
                f"{reissue.new.expires_on}: the customer still qualifies",
                {"card_id": reissue.new.id, "previous_card_id": card.id},
                "002 §26",
            )
            event = self._event(
                VipArchiveEventKind.RENEWED, at, on, actor, command_id, reissue.new.id, card.id,
                "", (renewed, *decision.reasons),
            )  # fmt: skip
            return self._written(archive, reissue.new.id, event)

        return self._card_command("vip.renew", command_id, actor, customer_id, KEEPERS, work)

    @command
    def replace(
        self,
        *,
        command_id: str,
        actor: Actor,
        customer_id: str,
        why: str = "card reported lost (遗失)",
    ) -> VipArchive:
        """Replace a lost card with a new number, keeping its expiry (§ 27).

        Raises:
            PermissionDeniedError: The actor does not act for the archive's
                community or is not the VIP assistant.
            NotFoundError: There is no archive for ``customer_id``.
            CardStateError: The card is not valid today.
        """

        def work(at: datetime, archive: VipArchive, card: VipCard) -> VipArchive:
            on = self._day(at)
            reissue = self._programme(customer_id).replace(card, on=on, by=actor.id, why=why)
            self._replace_card(card, reissue.old, reissue.new)
            replaced = Reason(
                "vip.card.replaced",
                f"card {card.id} invalid from {on}; {reissue.new.id} replaces it until before "
                f"{reissue.new.expires_on}",
                {"card_id": reissue.new.id, "previous_card_id": card.id},
                "002 §27",
            )
            event = self._event(
                VipArchiveEventKind.REPLACED, at, on, actor, command_id, reissue.new.id, card.id,
                why, (replaced,),
            )  # fmt: skip
            return self._written(archive, reissue.new.id, event)

        return self._card_command("vip.replace", command_id, actor, customer_id, KEEPERS, work)

    @command
    def revoke(
        self,
        *,
        command_id: str,
        actor: Actor,
        customer_id: str,
        ground: RevocationGround,
        note: str = "",
    ) -> VipArchive:
        """Revoke the VIP's card: priority and discount services stop today (§ 28).

        Family care is a benefit of a valid card (§ 33): every callback still
        planned for the card from now on (its greetings, its expiry reminder)
        is cancelled with a reason, and the archive's event names them.

        Raises:
            PermissionDeniedError: The actor does not act for the archive's
                community, or is neither service-centre manager nor general manager.
            NotFoundError: There is no archive for ``customer_id``.
            CardStateError: The card is not valid today.
            ValidationError: ``ground`` is not a :class:`~propcrm.vip.RevocationGround`.
        """

        def work(at: datetime, archive: VipArchive, card: VipCard) -> VipArchive:
            on = self._day(at)
            programme = self._programme(customer_id)
            ended = programme.revoke(card, ground=ground, on=on, by=actor.id, note=note)
            self.store.vip_cards.update(attrs.evolve(ended, version=card.version))
            assert ended.change is not None  # a revoked card records its change
            revoked = Reason(
                "vip.card.revoked",
                f"card {card.id} revoked from {on}: {ended.change.why}",
                {"card_id": card.id, "ground": getattr(ended.change.ground, "value", "")},
                "002 §28",
            )
            cancelled = self._cancel_care(card, at, on)
            event = self._event(
                VipArchiveEventKind.REVOKED, at, on, actor, command_id, card.id, None,
                ended.change.why, (revoked, *cancelled),
            )  # fmt: skip
            return self._written(archive, card.id, event)

        return self._card_command("vip.revoke", command_id, actor, customer_id, REVOKERS, work)

    @command_with(birthdays=omitted)
    def record_birthdays(
        self, *, command_id: str, actor: Actor, customer_id: str, birthdays: Mapping[str, date]
    ) -> VipArchive:
        """Record the birthdays of the VIP and family in the archive (§§ 20, 33), replacing them.

        Raises:
            PermissionDeniedError: The actor does not act for the archive's
                community or is not the VIP assistant.
            NotFoundError: There is no archive for ``customer_id``.
            ValidationError: ``birthdays`` is not a mapping of person to date.
        """

        known = birthdays_of(birthdays)

        def work(at: datetime, archive: VipArchive, card: VipCard) -> VipArchive:
            return self.store.vip_archives.update(attrs.evolve(archive, birthdays=known))

        return self._card_command("vip.birthdays", command_id, actor, customer_id, KEEPERS, work)

    # --- shared steps -------------------------------------------------------------------

    def _cancel_care(self, card: VipCard, at: datetime, on: date) -> tuple[Reason, ...]:
        """Cancel the callbacks still planned for ``card`` (or the cards it took over
        from) after ``at``; say which.

        Care tasks belong to the VIP role and are named by their card; a
        revocation is rare, so reading that role's coming tasks is cheap enough.
        """
        # Care queued under a card this one replaced or renewed is this card's care
        # (plan_care does not queue it again), so it ends with this card too.
        subjects = {
            Subject(SubjectKind.VIP_CARD, held.id)
            for held in self.store.vip_cards.held_by(card.customer_id)
        }
        why = Reason(
            "callback.vip.card_revoked",
            f"card {card.id} was revoked on {on}: family care ends with the card",
            {"card_id": card.id, "revoked_on": on.isoformat()},
            "002 §§28, 33",
        )
        coming = all_pages(
            lambda after: self.store.callback_tasks.list(
                owner_role=self.policy.callbacks.vip_role, due_from=at, order_by="due",
                limit=PAGE, after=after,
            )
        )  # fmt: skip
        cancelled = [
            task
            for task in coming
            if task.subject in subjects and task.status is TaskStatus.PLANNED
        ]
        for task in cancelled:
            task.status = TaskStatus.CANCELLED
            task.reasons = (*task.reasons, why)
            self.store.callback_tasks.update(task)
        if not cancelled:
            return ()
        ids = sorted(task.id for task in cancelled)
        return (
            Reason(
                "vip.care.cancelled",
                f"{len(ids)} planned callback(s) of card {card.id} cancelled",
                {"card_id": card.id, "task_ids": ids},
                "002 §§28, 33",
            ),
        )

    def _command(
        self, name: str, command_id: str, actor: Actor, work: Callable[[datetime], VipArchive]
    ) -> VipArchive:
        return self._runner.run(
            name, command_id=command_id, actor=actor, result_type=VipArchive, work=work
        )

    def _card_command(
        self,
        name: str,
        command_id: str,
        actor: Actor,
        customer_id: str,
        roles: frozenset[Role],
        work: Callable[[datetime, VipArchive, VipCard], VipArchive],
    ) -> VipArchive:
        require_actor(actor)

        def run(at: datetime) -> VipArchive:
            archive = self.store.vip_archives.get(customer_id)
            actor.require(archive.community)
            require_role(actor, roles, name.replace("vip.", "VIP card "), archive.community)
            return work(at, archive, self.store.vip_cards.get(archive.card_id))

        return self._command(name, command_id, actor, run)

    def _day(self, at: datetime) -> date:
        return at.astimezone(zone(self.policy.tz)).date()

    def _programme(self, customer_id: str) -> VipProgramme:
        """The engine, knowing the customer's stored cards, numbering from the store."""
        held = self.store.vip_cards.held_by(customer_id)
        return VipProgramme(self.store.card_numbers, policy=self.policy, cards=held)

    def _replace_card(self, stored: VipCard, old: VipCard, new: VipCard) -> None:
        self.store.vip_cards.update(attrs.evolve(old, version=stored.version))
        self.store.vip_cards.add(new)

    def _event(
        self,
        kind: VipArchiveEventKind,
        at: datetime,
        on: date,
        actor: Actor,
        command_id: str,
        card_id: str,
        previous: str | None,
        note: str,
        reasons: tuple[Reason, ...],
    ) -> VipArchiveEvent:
        return VipArchiveEvent(
            kind, at=at, on=on, actor_id=actor.id, command_id=command_id, card_id=card_id,
            previous_card_id=previous, note=note, policy_fingerprint=self._runner.fingerprint,
            reasons=reasons,
        )  # fmt: skip

    def _written(self, archive: VipArchive, card_id: str, event: VipArchiveEvent) -> VipArchive:
        return self.store.vip_archives.update(
            attrs.evolve(archive, card_id=card_id, events=(*archive.events, event))
        )
