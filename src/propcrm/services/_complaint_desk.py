"""The complaint desk's intake: register and grade, regrade, and the steps every command shares.

RULES § 9, 002 §40. ``_complaint_handling`` adds the handling commands and
:class:`~propcrm.services.ComplaintDesk` (in ``_sweeps``) the sweep and promised
replies; this module is private.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from propcrm._checks import require_items
from propcrm._months import add_months
from propcrm._time import Clock, require_aware, zone
from propcrm._validators import is_str, unvalidated
from propcrm.complaints import Complaint, ComplaintHistory, GradeDecision, grade
from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.records import CaseEvent, CaseEventKind, ComplaintCase, GradeRecord
from propcrm.services._arguments import command
from propcrm.services._commands import Actor, CommandRunner, received_before, require_actor
from propcrm.storage import Store

__all__ = ["DeskCommands", "case_event", "grade_record", "record_grade"]

_MICROSECOND = timedelta(microseconds=1)


class DeskCommands:
    """The complaint commands of the desk (see :class:`~propcrm.services.ComplaintDesk`).

    Every command takes ``command_id=`` (the caller's id for this request: a
    retry with the same id changes nothing and returns the first result) and
    ``actor=`` (who does it; they must act for the complaint's community). It
    runs in one transaction, at the clock's time, under the injected policy,
    and returns the complaint's :class:`~propcrm.records.ComplaintCase` as it
    stands after the command.

    Commands that change a case take ``version=``: the case version the caller
    read. When another desk changed the case since, the command raises
    :class:`~propcrm.errors.ConflictError` and changes nothing.

    Args:
        store: The store.
        clock: Tells the time of each command.
        policy: The rules; ``None`` for the defaults.
    """

    def __init__(self, store: Store, *, clock: Clock, policy: Policy | None = None) -> None:
        self._runner = CommandRunner(store, clock=clock, policy=policy)
        self.store = store
        self.policy = self._runner.policy

    @property
    def runner(self) -> CommandRunner:
        """The command runner (shared with the sweeps)."""
        return self._runner

    # --- intake -------------------------------------------------------------------------

    @command
    def register(
        self,
        *,
        command_id: str,
        actor: Actor,
        complaint_id: str,
        community: str,
        customer_id: str,
        summary: str,
        category: str,
        subject: str,
        channel: str = "phone",
        departments: Iterable[str] = (),
        complainant_ids: Iterable[str] | None = None,
        headcount: int | None = None,
        litigation_risk: bool = False,
        media_risk: bool = False,
        litigation_filed: bool = False,
        media_exposed: bool = False,
        received_at: datetime | None = None,
        night_entry_id: str | None = None,
    ) -> ComplaintCase:
        """Register a complaint from any channel, grade it and make the receiver its owner.

        The register's fields (customer, time, departments involved, summary)
        are recorded; the time is the clock's. The actor is the first receiver
        and owns the complaint until it is closed (首问负责制). It is graded at
        once against the complaints of the same key in the window (002 §40);
        its time is kept in the policy's zone (``policy.tz``), whose calendar
        months the window and the escalation to MAJOR count, whatever the
        clock's zone;
        departments involved make it need other departments' help.
        ``received_at`` is when the complaint reached the company, when that was
        before the command (a night-log entry handed over in the morning: its
        clock starts at the call); ``night_entry_id`` names that entry.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ConflictError: ``complaint_id`` is taken.
            ValidationError: A field is invalid (named in the message), or
                ``received_at`` is after the command's time.
        """
        require_actor(actor, community)
        involved = require_items(departments, "departments", str, "a list of department names")
        if received_at is not None:
            require_aware(received_at, "received_at")

        def work(now: datetime) -> ComplaintCase:
            at = self._local(received_before(received_at, now))
            complaint = Complaint(
                complaint_id,
                community=community,
                category=category,
                subject=subject,
                complainant_ids=(customer_id,) if complainant_ids is None else complainant_ids,
                headcount=headcount,
                received_at=at,
                channel=channel,
                first_receiver_id=actor.id,
                litigation_risk=litigation_risk,
                media_risk=media_risk,
                litigation_filed=litigation_filed,
                media_exposed=media_exposed,
                needs_other_departments=bool(involved),
            )
            return self._open_case(
                complaint, actor, now, command_id, customer_id, summary, involved,
                night_entry_id=night_entry_id,
            )  # fmt: skip

        return self._runner.run(
            "complaints.register",
            command_id=command_id,
            actor=actor,
            result_type=ComplaintCase,
            work=work,
        )

    def _open_case(
        self,
        complaint: Complaint,
        actor: Actor,
        at: datetime,
        command_id: str,
        customer_id: str,
        summary: str,
        departments: tuple[str, ...],
        *,
        repeat_of_id: str | None = None,
        night_entry_id: str | None = None,
    ) -> ComplaintCase:
        store = self.store
        decision = grade(complaint, at=at, history=self._history(complaint), policy=self.policy)
        store.complaints.add(complaint)
        case = ComplaintCase(
            complaint.id,
            community=complaint.community,
            customer_id=customer_id,
            summary=summary,
            received_at=complaint.received_at,
            owner_id=actor.id,
            departments=departments,
            grade=decision.grade,
            vip=self._is_vip(customer_id, at),
            repeat_of_id=repeat_of_id,
            night_entry_id=night_entry_id,
        )
        kind = CaseEventKind.REOPENED if repeat_of_id else CaseEventKind.REGISTERED
        case = self._event(case, kind, at, actor, command_id, note=summary)
        case = self._graded(case, decision, at, actor, command_id)
        return store.complaint_cases.add(case)

    def regrade(
        self, complaint_id: str, *, policy: Policy, at: datetime | None = None
    ) -> GradeDecision:
        """Grade a stored complaint again under ``policy``, writing nothing.

        What another set of rules would have decided, from the stored complaint
        and its stored neighbours: compare it with the stored
        :class:`~propcrm.records.GradeRecord` history.

        Args:
            complaint_id: The complaint.
            policy: The rules to grade by.
            at: The moment of evaluation; the clock's time by default.

        Raises:
            NotFoundError: There is no such complaint.
            ValidationError: ``policy`` is not a Policy or ``at`` is naive.
        """
        if not isinstance(policy, Policy):
            raise ValidationError.expected("policy", "a Policy", type(policy).__name__)
        complaint = self.store.complaints.get(complaint_id)
        moment = self._runner.clock.now() if at is None else at
        history = self._history(complaint, policy)
        return grade(complaint, at=moment, history=history, policy=policy)

    def _history(self, complaint: Complaint, policy: Policy | None = None) -> ComplaintHistory:
        """Who complained about the same key in the repeat window ending at ``complaint``."""
        grading = (policy or self.policy).grading
        at = complaint.received_at
        window = {f: getattr(complaint, f) for f in grading.same_complaint_key if f != "channel"}
        window["received_from"] = add_months(at, -grading.repeat_window_months)
        window["received_before"] = at + _MICROSECOND
        history = ComplaintHistory(policy=grading)
        history.extend(self.store.complaints.complainants_any([window]))
        return history

    def _local(self, at: datetime) -> datetime:
        """``at`` in the policy's zone: the calendar that grading counts months on."""
        return at.astimezone(zone(self.policy.tz))

    def _is_vip(self, customer_id: str, at: datetime) -> bool:
        """Whether the customer holds a card valid on the day of ``at`` (policy's zone)."""
        on = at.astimezone(zone(self.policy.tz)).date()
        return any(card.is_valid_on(on) for card in self.store.vip_cards.held_by(customer_id))

    # --- shared steps -------------------------------------------------------------------

    def _case_command(
        self, name: str, command_id: str, actor: Actor, work: object
    ) -> ComplaintCase:
        return self._runner.run(
            name,
            command_id=command_id,
            actor=actor,
            result_type=ComplaintCase,
            work=work,  # type: ignore[arg-type]
        )

    def _case_for(self, complaint_id: str, actor: Actor, version: int | None) -> ComplaintCase:
        case = self.store.complaint_cases.get(complaint_id)
        actor.require(case.community)
        if version is not None:
            case = attrs.evolve(case, version=version)  # a stale version fails on update
        return case

    def _open_for(self, complaint_id: str, actor: Actor, version: int | None) -> ComplaintCase:
        case = self._case_for(complaint_id, actor, version)
        if not case.is_open:
            raise ValidationError.expected(
                "complaint_id",
                "an open complaint",
                complaint_id,
                f"it is {case.state.value}; a new complaint about it is reopen()",
            )
        return case

    def _event(
        self,
        case: ComplaintCase,
        kind: CaseEventKind,
        at: datetime,
        actor: Actor,
        command_id: str,
        note: str = "",
        department: str = "",
    ) -> ComplaintCase:
        # The note and department are the caller's: checked here as CaseEvent checks them.
        is_str(None, _NOTE, note)
        is_str(None, _DEPARTMENT, department)
        seq = case.events + 1
        self.store.case_events.add(
            case_event(case.id, seq, kind, at, actor, command_id, note, department)
        )
        return attrs.evolve(case, events=seq)

    def _graded(
        self,
        case: ComplaintCase,
        decision: GradeDecision,
        at: datetime,
        actor: Actor,
        command_id: str,
        kind: CaseEventKind = CaseEventKind.GRADED,
    ) -> ComplaintCase:
        return record_grade(self.store, self._runner, case, decision, at, actor, command_id, kind)


def record_grade(
    store: Store,
    runner: CommandRunner,
    case: ComplaintCase,
    decision: GradeDecision,
    at: datetime,
    actor: Actor,
    command_id: str,
    kind: CaseEventKind,
) -> ComplaintCase:
    """Store ``decision`` in the grade history, record the event and raise the case's grade."""
    seq = len(store.grade_records.history(case.id)) + 1
    store.grade_records.add(grade_record(case.id, seq, decision, runner, command_id))
    event_seq = case.events + 1
    store.case_events.add(
        case_event(case.id, event_seq, kind, at, actor, command_id, decision.grade.value)
    )
    return attrs.evolve(case, grade=max(case.grade, decision.grade), events=event_seq)


def grade_record(
    complaint_id: str, seq: int, decision: GradeDecision, runner: CommandRunner, command_id: str
) -> GradeRecord:
    """The ``seq``-th stored decision of a complaint, stamped with the runner's policy.

    Built unchecked: the complaint id is a stored or validated complaint's, the
    decision the engine's, the command id the runner's.
    """
    return _grade_record(
        id=f"{complaint_id}:{seq:04d}",
        complaint_id=complaint_id,
        seq=seq,
        decision=decision,
        policy_fingerprint=runner.fingerprint,
        command_id=command_id,
    )


def case_event(
    complaint_id: str,
    seq: int,
    kind: CaseEventKind,
    at: datetime,
    actor: Actor,
    command_id: str,
    note: str = "",
    department: str = "",
) -> CaseEvent:
    """The ``seq``-th event of a complaint's case, under the id its records document.

    Built unchecked: every field must be validated already (a caller's ``note``
    and ``department`` as :meth:`DeskCommands._event` checks them).
    """
    return _case_event(
        id=f"{complaint_id}:{seq:04d}",
        complaint_id=complaint_id,
        seq=seq,
        kind=kind,
        at=at,
        actor_id=actor.id,
        command_id=command_id,
        department=department,
        note=note,
    )


# The desk's records of a validated complaint, built without checking their fields again.
_case_event = unvalidated(CaseEvent)
_grade_record = unvalidated(GradeRecord)
_NOTE, _DEPARTMENT = attrs.fields(CaseEvent).note, attrs.fields(CaseEvent).department
