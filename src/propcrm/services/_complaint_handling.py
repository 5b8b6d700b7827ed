"""The complaint desk's handling: liaison slips, steps, handled, callback answer, reopen.

RULES § 9, 002 §§ 40-42. :class:`~propcrm.services.ComplaintDesk` (in
``_sweeps``) adds the sweep and promised replies; this module is private.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from propcrm._checks import require_instance
from propcrm._time import zone
from propcrm.callbacks import Outcome, TaskStatus, plan_after_complaint, record_outcome
from propcrm.complaints import grade
from propcrm.errors import ValidationError
from propcrm.records import CaseEventKind, CaseState, ComplaintCase
from propcrm.services._arguments import command
from propcrm.services._commands import Actor
from propcrm.services._complaint_desk import DeskCommands

__all__ = ["HandlingCommands"]

_STEPS = frozenset(
    {
        CaseEventKind.INVESTIGATED,
        CaseEventKind.VERIFIED,
        CaseEventKind.RESPONDED,
        CaseEventKind.FOLLOWED_UP,
        CaseEventKind.FED_BACK,
    }
)


class HandlingCommands(DeskCommands):
    """The handling commands of the desk (see :class:`~propcrm.services.ComplaintDesk`)."""

    @command
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

    @command
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
        require_instance(kind, CaseEventKind, "kind", "a CaseEventKind")
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

    @command
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

    @command
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
        handled, waiting for an answer: the next attempt's outcome replaces it
        on the task (each attempt stays a ``satisfaction`` event of the case).

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
            attempt = task
            if task.status is TaskStatus.UNREACHED:  # tried before: this is the next attempt
                attempt = attrs.evolve(task, status=TaskStatus.PLANNED, outcome=None)
            done = record_outcome(attempt, outcome, policy=self.policy.callbacks)
            store.callback_tasks.update(attrs.evolve(done.task, version=task.version))
            if reached:
                case = attrs.evolve(case, state=CaseState.CLOSED, satisfied=satisfied)
            text = note or ("satisfied" if satisfied else "not satisfied" if reached else "")
            case = self._event(case, CaseEventKind.SATISFACTION, at, actor, command_id, text)
            return store.complaint_cases.update(case)

        return self._case_command("complaints.satisfaction", command_id, actor, work)

    @command
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
            ValidationError: The first complaint is still open, or was reopened
                already (the message names its second complaint).
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
            if first.reopened_as_id is not None:
                raise ValidationError.expected(
                    "complaint_id", "a complaint not reopened yet", complaint_id,
                    f"it was reopened as {first.reopened_as_id}; reopen that one instead",
                )  # fmt: skip
            old = store.complaints.get(complaint_id)
            second = attrs.evolve(
                old,
                id=new_complaint_id,
                received_at=self._local(at),
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
