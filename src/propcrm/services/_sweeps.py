"""The escalation sweep and promised replies: deadlines watched, who is to be told written down.

Public in :mod:`propcrm.services`; this module is private.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import attrs
from attrs import frozen

from propcrm.complaints import Complaint, Grade, sweep
from propcrm.errors import ValidationError
from propcrm.records import (
    CaseEventKind,
    Notification,
    NotificationKind,
    PromisedReply,
)
from propcrm.services._analysis import AnalysisReport, Finding, RecurringProblem, analyse, recurring
from propcrm.services._arguments import NOT_DIGESTED, command, command_with
from propcrm.services._commands import Actor, require_actor
from propcrm.services._complaint_desk import record_grade
from propcrm.services._complaint_handling import HandlingCommands
from propcrm.services._complaint_import import HistoryEntry, import_history
from propcrm.services._periods import Period, period_of

__all__ = ["ComplaintDesk", "EscalationRecord", "SweepReport"]

_PAGE = 500


def _batch_ids(entries: object) -> object:
    """What tells two imports apart: the complaint ids of the batch, in order.

    A batch that is not a list or tuple (a generator) is not read here, which
    would consume it: its import gets no digest.
    """
    if not isinstance(entries, list | tuple):
        return NOT_DIGESTED
    return [
        entry.complaint.id if isinstance(entry, HistoryEntry) else NOT_DIGESTED for entry in entries
    ]


@frozen
class EscalationRecord:
    """One complaint whose grade rose in a sweep.

    Attributes:
        complaint_id: The complaint.
        previous: The grade it held.
        grade: The grade it holds now.
        notification_id: The outbox entry telling its handler and supervisor.
    """

    complaint_id: str
    previous: Grade
    grade: Grade
    notification_id: str


@frozen
class SweepReport:
    """What one sweep found and wrote.

    Attributes:
        at: The moment of the sweep (the clock's time).
        escalations: The complaints whose grade rose, oldest received first.
        overdue_reply_ids: The promised replies found overdue (each notified once).
    """

    at: datetime
    escalations: tuple[EscalationRecord, ...] = ()
    overdue_reply_ids: tuple[str, ...] = ()


class ComplaintDesk(HandlingCommands):
    """The complaint desk (投诉处理): complaint commands and sweeps over a store.

    Every command takes ``command_id=`` (the caller's id for this request: a
    retry with the same id changes nothing and returns the first result) and
    ``actor=`` (who does it; they must act for the record's community,
    otherwise :class:`~propcrm.errors.PermissionDeniedError`). It runs in one
    store transaction — a failure leaves nothing half-done — at the injected
    clock's time, under the injected policy.

    Commands that change a complaint return its
    :class:`~propcrm.records.ComplaintCase` as it stands afterwards, and take
    ``version=``: the case version the caller read. When another desk changed
    the case since, the command raises :class:`~propcrm.errors.ConflictError`
    and changes nothing; read it again and retry.

    Args:
        store: The store.
        clock: Tells the time of each command
            (:class:`~propcrm.SystemClock`, or :class:`~propcrm.FixedClock` in tests).
        policy: The rules; ``None`` for the defaults.

    Raises:
        ValidationError: ``clock`` has no ``now()`` or ``policy`` is not a Policy.
    """

    @command
    def sweep(self, *, command_id: str, actor: Actor) -> SweepReport:
        """Re-grade the open complaints of the actor's communities at the clock's time.

        Each complaint whose grade rose (one week unresolved: HOT; one
        calendar month: MAJOR, 002 §40) gets a stored grade decision, an
        ``escalated`` event and a notification to its new handler and
        supervisor and its owner. Promised replies past due get a notification
        to whoever promised them. Running it twice at one moment changes
        nothing the second time: the grades are held, the replies marked.
        """
        return _sweep(self, command_id=command_id, actor=actor)

    def recurring(
        self, *, actor: Actor, community: str, period: Period | str
    ) -> tuple[RecurringProblem, ...]:
        """The keys of "the same complaint" that recurred in ``period``, writing nothing.

        A key recurs when one of the community's complaints received in the
        period counts at least ``grading.repeat_complainants`` different
        complainants within its repeat window (002 §40).

        Args:
            actor: Who asks; they must act for ``community``.
            community: The community analysed.
            period: A :class:`Period`, a month ``"2025-07"`` or a quarter ``"2025-Q3"``.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ValidationError: ``period`` is invalid.
        """
        require_actor(actor, community)
        return recurring(self.store, self.runner, community=community, period=period_of(period))

    @command
    def analyse(
        self,
        *,
        command_id: str,
        actor: Actor,
        community: str,
        period: Period | str,
        findings: Iterable[Finding],
    ) -> AnalysisReport:
        """Record the periodic analysis: a root cause and preventive measure per recurring key.

        Complaints are analysed periodically, and a recurring problem gets a
        root cause and a preventive measure (客户服务管理制度【1】三.7; 002 § 43).
        Each recurring key of :meth:`recurring` needs one :class:`Finding`;
        each is stored as a :class:`~propcrm.records.ProblemAnalysis` in
        ``store.problem_analyses``.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ValidationError: A recurring key has no finding, a finding names a
                key that did not recur, or ``period`` is invalid.
            ConflictError: The period was analysed already by another command.
        """
        return analyse(
            self.store, self.runner, command_id=command_id, actor=actor,
            community=community, period=period, findings=findings,
        )  # fmt: skip

    @command_with(entries=_batch_ids)
    def import_history(
        self, *, command_id: str, actor: Actor, entries: Iterable[HistoryEntry]
    ) -> int:
        """Import a register kept before the desk: grade and store every entry in one
        transaction; return how many were imported.

        Each complaint is graded against the stored complaints of its key in
        the window and the other entries (complaints received at the same
        moment count each other), as registering them one by one in time order
        would, and stored with its case, its grade decision and its
        ``registered`` and ``graded`` events. An open complaint is graded at
        its receipt (the sweep escalates it from there); a resolved one at its
        resolution, so a week or a month unresolved raised it on the way (002
        §40). A complaint with ``resolved_at``
        becomes a closed case handled then (its callback was made where it was
        handled); the others are open and the sweep watches them. Nothing is
        committed per entry: a batch of thousands costs one commit.

        Raises:
            PermissionDeniedError: The actor does not act for an entry's community.
            ConflictError: A complaint id is stored already or given twice:
                nothing is imported.
            ValidationError: An entry is not a :class:`HistoryEntry`, its
                category is not allowed by the policy, or it was received or
                resolved after the clock's time.
        """
        require_actor(actor)
        return import_history(self.runner, command_id=command_id, actor=actor, entries=entries)

    @command
    def promise_reply(
        self,
        *,
        command_id: str,
        actor: Actor,
        reply_id: str,
        community: str,
        customer_id: str,
        question: str,
        due: datetime,
        complaint_id: str | None = None,
    ) -> PromisedReply:
        """Promise a reply to a question not answered on the spot (回访制度 一.3).

        The sweep tells the actor when ``due`` passes without a reply.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ValidationError: ``due`` is not after now, or a field is invalid.
        """
        return _promise_reply(
            self, command_id=command_id, actor=actor, reply_id=reply_id,
            community=community, customer_id=customer_id, question=question,
            due=due, complaint_id=complaint_id,
        )  # fmt: skip

    @command
    def give_reply(
        self, *, command_id: str, actor: Actor, reply_id: str, answer: str
    ) -> PromisedReply:
        """Record the reply given to a promised question.

        Raises:
            PermissionDeniedError: The actor does not act for the reply's community.
            ValidationError: ``answer`` is empty or the reply was given already.
        """
        return _give_reply(
            self, command_id=command_id, actor=actor, reply_id=reply_id, answer=answer
        )


def _sweep(desk: ComplaintDesk, *, command_id: str, actor: Actor) -> SweepReport:

    def work(at: datetime) -> SweepReport:
        store, runner = desk.store, desk.runner
        escalations: list[EscalationRecord] = []
        for community in sorted(actor.communities):
            for pairs in _open_pages(desk, community):
                for found in sweep(pairs, at=at, policy=desk.policy.grading):
                    case = store.complaint_cases.get(found.complaint_id)
                    decision = found.decision
                    raised = record_grade(
                        store, runner, case, decision, at, actor, command_id,
                        CaseEventKind.ESCALATED,
                    )  # fmt: skip
                    store.complaint_cases.update(raised)
                    note = Notification(
                        f"escalation:{case.id}:{decision.grade.value}",
                        kind=NotificationKind.ESCALATION,
                        subject_id=case.id,
                        community=case.community,
                        to_roles=(decision.handler_role, decision.supervisor_role),
                        to_ids=(case.owner_id,),
                        message=(
                            f"complaint {case.id} rose from {found.previous.label} to "
                            f"{decision.grade.label}: {decision.handler_role.label} handles it; "
                            f"its resolution target was {decision.resolve_by.isoformat()}"
                        ),
                        created_at=at,
                        reasons=decision.reasons,
                    )
                    store.notifications.add(note)
                    escalations.append(
                        EscalationRecord(case.id, found.previous, decision.grade, note.id)
                    )
        overdue = []
        for reply in store.promised_replies.overdue(at):
            if not actor.acts_for(reply.community):
                continue
            store.notifications.add(
                Notification(
                    f"reply_overdue:{reply.id}",
                    kind=NotificationKind.REPLY_OVERDUE,
                    subject_id=reply.id,
                    community=reply.community,
                    to_roles=(),
                    to_ids=(reply.promised_by,),
                    message=(
                        f"the reply promised to {reply.customer_id} by "
                        f"{reply.due.isoformat()} is overdue: {reply.question}"
                    ),
                    created_at=at,
                )
            )
            store.promised_replies.update(attrs.evolve(reply, overdue_notified=True))
            overdue.append(reply.id)
        return SweepReport(at, tuple(escalations), tuple(overdue))

    return desk.runner.run(
        "complaints.sweep",
        command_id=command_id,
        actor=actor,
        result_type=SweepReport,
        work=work,
    )


def _open_pages(desk: ComplaintDesk, community: str) -> Iterator[list[tuple[Complaint, Grade]]]:
    """The community's open complaints with the grade each case holds, a page at a time,
    oldest first: the cases' grades from their index, the complaints read by the page."""
    store = desk.store
    after = None
    while True:
        page = store.complaint_cases.open_grades(community, limit=_PAGE, after=after)
        complaints = store.complaints.get_many([id for id, _ in page.items])
        held = [grade for _, grade in page.items]
        yield list(zip(complaints, held, strict=True))
        if page.next is None:
            return
        after = page.next


def _promise_reply(
    desk: ComplaintDesk,
    *,
    command_id: str,
    actor: Actor,
    reply_id: str,
    community: str,
    customer_id: str,
    question: str,
    due: datetime,
    complaint_id: str | None = None,
) -> PromisedReply:
    require_actor(actor, community)

    def work(at: datetime) -> PromisedReply:
        reply = PromisedReply(
            reply_id,
            community=community,
            customer_id=customer_id,
            question=question,
            promised_by=actor.id,
            promised_at=at,
            due=due,
            complaint_id=complaint_id,
        )
        return desk.store.promised_replies.add(reply)

    return desk.runner.run(
        "replies.promise", command_id=command_id, actor=actor, result_type=PromisedReply, work=work
    )


def _give_reply(
    desk: ComplaintDesk, *, command_id: str, actor: Actor, reply_id: str, answer: str
) -> PromisedReply:
    if not isinstance(answer, str) or not answer.strip():
        raise ValidationError.expected("answer", "the reply given, as text", answer)

    def work(at: datetime) -> PromisedReply:
        reply = desk.store.promised_replies.get(reply_id)
        actor.require(reply.community)
        if not reply.is_open:
            raise ValidationError.expected(
                "reply_id", "a reply still owed", reply_id, "it was answered already"
            )
        return desk.store.promised_replies.update(
            attrs.evolve(reply, answered_at=at, answer=answer)
        )

    return desk.runner.run(
        "replies.give", command_id=command_id, actor=actor, result_type=PromisedReply, work=work
    )
