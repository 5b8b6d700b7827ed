"""The complaint desk's intake and handling: register, grade, handle, call back, reopen.

RULES § 9, §§ 4-6. :class:`~propcrm.services.ComplaintDesk` (in ``_sweeps``)
adds the sweep and promised replies to these commands; this module is private.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from propcrm._months import add_months
from propcrm._time import Clock, zone
from propcrm.callbacks import Outcome, plan_after_complaint, record_outcome
from propcrm.complaints import Complaint, ComplaintHistory, GradeDecision, grade
from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.records import CaseEvent, CaseEventKind, CaseState, ComplaintCase, GradeRecord
from propcrm.services._commands import Actor, CommandRunner
from propcrm.storage import Store

__all__ = ["DeskCommands", "record_grade"]

_STEPS = frozenset(
    {
        CaseEventKind.INVESTIGATED,
        CaseEventKind.VERIFIED,
        CaseEventKind.RESPONDED,
        CaseEventKind.FOLLOWED_UP,
        CaseEventKind.FED_BACK,
    }
)
_MICROSECOND = timedelta(microseconds=1)
_HISTORY_PAGE = 1000  # complaints read per page when building a history


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
    ) -> ComplaintCase:
        """Register a complaint from any channel, grade it and make the receiver its owner.

        The register's fields (customer, time, departments involved, summary)
        are recorded; the time is the clock's. The actor is the first receiver
        and owns the complaint until it is closed (首问负责制). It is graded at
        once against the complaints of the same key in the window (002 §40);
        departments involved make it need other departments' help.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ConflictError: ``complaint_id`` is taken.
            ValidationError: A field is invalid (named in the message).
        """
        actor.require(community)
        involved = tuple(departments)

        def work(at: datetime) -> ComplaintCase:
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
            return self._open_case(complaint, actor, at, command_id, customer_id, summary, involved)

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
        """The complaints of the same key in the repeat window ending at ``complaint``."""
        grading = (policy or self.policy).grading
        at = complaint.received_at
        key = {f: getattr(complaint, f) for f in grading.same_complaint_key if f != "channel"}
        history = ComplaintHistory(policy=grading)
        after = None
        while True:
            page = self.store.complaints.list(
                received_from=add_months(at, -grading.repeat_window_months),
                received_before=at + _MICROSECOND,
                limit=_HISTORY_PAGE,
                after=after,
                **key,
            )
            history.extend(page.items)
            if page.next is None:
                return history
            after = page.next

    def _is_vip(self, customer_id: str, at: datetime) -> bool:
        """Whether the customer holds a card valid on the day of ``at`` (policy's zone)."""
        on = at.astimezone(zone(self.policy.tz)).date()
        return any(card.is_valid_on(on) for card in self.store.vip_cards.held_by(customer_id))

    # --- handling -----------------------------------------------------------------------

    def send_liaison_slip(
        self,
        *,
        command_id: str,
        actor: Actor,
        complaint_id: str,
        department: str,
        note: str = "",
        version: int | None = None,
    ) -> ComplaintCase:
        """Send a liaison slip (工作联系单) to a department; it joins the departments involved.

        Needing another department's help makes the complaint IMPORTANT (002 §40)
        unless it already holds a higher grade: the complaint is graded again.

        Raises:
            PermissionDeniedError: The actor does not act for the complaint's community.
            ValidationError: The complaint is no longer open, or ``department`` is empty.
        """
        if not isinstance(department, str) or not department.strip():
            raise ValidationError.expected("department", "a department name", department)

        def work(at: datetime) -> ComplaintCase:
            case = self._open_for(complaint_id, actor, version)
            complaint = self.store.complaints.get(complaint_id)
            if not complaint.needs_other_departments:
                complaint.needs_other_departments = True
                self.store.complaints.update(complaint)
            case = attrs.evolve(case, departments=(*case.departments, department))
            case = self._event(
                case, CaseEventKind.LIAISON_SLIP, at, actor, command_id, note, department
            )
            decision = grade(complaint, at=at, history=self._history(complaint), policy=self.policy)
            if decision.grade > case.grade:
                case = self._graded(case, decision, at, actor, command_id)
            return self.store.complaint_cases.update(case)

        return self._case_command("complaints.liaison_slip", command_id, actor, work)

    def record_step(
        self,
        *,
        command_id: str,
        actor: Actor,
        complaint_id: str,
        kind: CaseEventKind,
        note: str,
        version: int | None = None,
    ) -> ComplaintCase:
        """Record a handling step: investigated, verified, responded, followed up or fed back.

        Issues raised on a visit are investigated and verified the same day
        (客户服务管理制度【1】一.3): :meth:`investigated_same_day` tells whether
        that held.

        Raises:
            PermissionDeniedError: The actor does not act for the complaint's community.
            ValidationError: ``kind`` is not a handling step, or the complaint is not open.
        """
        if kind not in _STEPS:
            raise ValidationError.expected("kind", f"one of {sorted(k.name for k in _STEPS)}", kind)

        def work(at: datetime) -> ComplaintCase:
            case = self._open_for(complaint_id, actor, version)
            case = self._event(case, kind, at, actor, command_id, note)
            return self.store.complaint_cases.update(case)

        return self._case_command(f"complaints.{kind.value}", command_id, actor, work)

    def investigated_same_day(self, complaint_id: str) -> bool:
        """Whether the complaint was investigated and verified on the day it was received.

        Days are taken in the policy's zone (``policy.tz``).
        """
        case = self.store.complaint_cases.get(complaint_id)
        tz = zone(self.policy.tz)
        day = case.received_at.astimezone(tz).date()
        done = {
            event.kind
            for event in self.store.case_events.of_complaint(complaint_id)
            if event.at.astimezone(tz).date() == day
        }
        return {CaseEventKind.INVESTIGATED, CaseEventKind.VERIFIED} <= done

    def mark_handled(
        self,
        *,
        command_id: str,
        actor: Actor,
        complaint_id: str,
        result: str,
        version: int | None = None,
    ) -> ComplaintCase:
        """Record the result, close handling and plan the complaint callback (002 §42).

        The callback is the complaint callback of the callback policy, within
        calling hours (the policy's ``"contact"`` calendar); a VIP's callback is
        owned by the VIP assistant (002 §§19, 35).

        Raises:
            PermissionDeniedError: The actor does not act for the complaint's community.
            ValidationError: ``result`` is empty, or the complaint is not open.
        """
        if not isinstance(result, str) or not result.strip():
            raise ValidationError.expected("result", "the handling result as text", result)

        def work(at: datetime) -> ComplaintCase:
            store, policy = self.store, self.policy
            case = self._open_for(complaint_id, actor, version)
            complaint = store.complaints.get(complaint_id)
            complaint.resolved_at = at
            store.complaints.update(complaint)
            plan = plan_after_complaint(
                complaint_id,
                customer_id=case.customer_id,
                handled_at=at,
                calendar=policy.calendar("contact"),
                policy=policy,
            )
            task = plan.tasks[0]
            if case.vip:
                task = attrs.evolve(task, owner_role=policy.callbacks.vip_role)
            store.callback_tasks.add(task)
            case = attrs.evolve(
                case,
                state=CaseState.HANDLED,
                result=result,
                handled_at=at,
                callback_task_id=task.id,
            )
            case = self._event(case, CaseEventKind.HANDLED, at, actor, command_id, result)
            case = self._event(
                case, CaseEventKind.CALLBACK_PLANNED, at, actor, command_id, task.owner_role
            )
            return store.complaint_cases.update(case)

        return self._case_command("complaints.handled", command_id, actor, work)

    def record_satisfaction(
        self,
        *,
        command_id: str,
        actor: Actor,
        complaint_id: str,
        reached: bool,
        satisfied: bool = False,
        note: str = "",
        version: int | None = None,
    ) -> ComplaintCase:
        """Record the complaint callback's answer; a reached complainant closes the case.

        An unreached attempt is recorded on the callback task; the case stays
        handled, waiting for an answer.

        Raises:
            PermissionDeniedError: The actor does not act for the complaint's community.
            ValidationError: The case is not handled, or the callback has its answer.
        """

        def work(at: datetime) -> ComplaintCase:
            store = self.store
            case = self._case_for(complaint_id, actor, version)
            if case.state is not CaseState.HANDLED or case.callback_task_id is None:
                raise ValidationError.expected(
                    "complaint_id", "a handled complaint awaiting its callback", complaint_id
                )
            task = store.callback_tasks.get(case.callback_task_id)
            outcome = Outcome(at=at, reached=reached, satisfied=satisfied, note=note)
            done = record_outcome(task, outcome, policy=self.policy.callbacks)
            store.callback_tasks.update(attrs.evolve(done.task, version=task.version))
            if reached:
                case = attrs.evolve(case, state=CaseState.CLOSED, satisfied=satisfied)
            text = note or ("satisfied" if satisfied else "not satisfied" if reached else "")
            case = self._event(case, CaseEventKind.SATISFACTION, at, actor, command_id, text)
            return store.complaint_cases.update(case)

        return self._case_command("complaints.satisfaction", command_id, actor, work)

    def reopen(
        self,
        *,
        command_id: str,
        actor: Actor,
        complaint_id: str,
        new_complaint_id: str,
        summary: str,
        version: int | None = None,
    ) -> ComplaintCase:
        """Register a second complaint (二次投诉) about a handled one, linked both ways.

        The second complaint keeps the first one's customer, key and departments,
        is owned by the actor who received it, and is IMPORTANT at least (002 §40).
        Returns the second complaint's case.

        Raises:
            PermissionDeniedError: The actor does not act for the complaint's community.
            ValidationError: The first complaint is still open.
            ConflictError: ``new_complaint_id`` is taken.
        """

        def work(at: datetime) -> ComplaintCase:
            store = self.store
            first = self._case_for(complaint_id, actor, version)
            if first.is_open:
                raise ValidationError.expected(
                    "complaint_id", "a handled complaint", complaint_id,
                    "record another step on the open complaint instead",
                )  # fmt: skip
            old = store.complaints.get(complaint_id)
            second = attrs.evolve(
                old,
                id=new_complaint_id,
                received_at=at,
                resolved_at=None,
                first_receiver_id=actor.id,
                repeat_of_id=complaint_id,
                version=0,
            )
            linked = attrs.evolve(first, reopened_as_id=new_complaint_id)
            linked = self._event(
                linked, CaseEventKind.REOPENED, at, actor, command_id, new_complaint_id
            )
            store.complaint_cases.update(linked)
            return self._open_case(
                second, actor, at, command_id, first.customer_id, summary, first.departments,
                repeat_of_id=complaint_id,
            )  # fmt: skip

        return self._case_command("complaints.reopen", command_id, actor, work)

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
        seq = case.events + 1
        self.store.case_events.add(
            CaseEvent(
                f"{case.id}:{seq:04d}",
                complaint_id=case.id,
                seq=seq,
                kind=kind,
                at=at,
                actor_id=actor.id,
                command_id=command_id,
                department=department,
                note=note,
            )
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
    store.grade_records.add(
        GradeRecord(
            f"{case.id}:{seq:04d}",
            complaint_id=case.id,
            seq=seq,
            decision=decision,
            policy_fingerprint=runner.fingerprint,
            command_id=command_id,
        )
    )
    event_seq = case.events + 1
    store.case_events.add(
        CaseEvent(
            f"{case.id}:{event_seq:04d}",
            complaint_id=case.id,
            seq=event_seq,
            kind=kind,
            at=at,
            actor_id=actor.id,
            command_id=command_id,
            note=decision.grade.value,
        )
    )
    return attrs.evolve(case, grade=max(case.grade, decision.grade), events=event_seq)
