"""The repositories every store holds, wired in one place.

The memory, SQLite and PostgreSQL stores each hold one repository per kind of
stored record, each over a table engine of their own. :class:`Repositories`
names them once, with their types, and wires them onto whatever table engine a
store makes: a new kind of record is added to every store here.

This module is private.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from propcrm.storage._access_tables import (
    AUDIT_TRAIL,
    CONSENTS,
    AuditTrailRepo,
    ConsentRepo,
)
from propcrm.storage._analysis_tables import (
    PROBLEM_ANALYSES,
    WORK_ORDER_STEPS,
    ProblemAnalysisRepo,
    WorkOrderStepRepo,
)
from propcrm.storage._catalog import (
    CALLBACK_TASKS,
    COMPLAINTS,
    CUSTOMERS,
    HOUSEHOLDS,
    SURVEY_RESPONSES,
    VIP_CARDS,
    WORK_ORDERS,
    CallbackTaskRepo,
    CustomerRepo,
    HouseholdRepo,
    SurveyResponseRepo,
    VipCardRepo,
    WorkOrderRepo,
)
from propcrm.storage._engine import Sequences, Table
from propcrm.storage._office_tables import (
    NIGHT_ENTRIES,
    VIP_ARCHIVES,
    NightEntryRepo,
    VipArchiveRepo,
)
from propcrm.storage._records import (
    CASE_EVENTS,
    COMMANDS,
    COMPLAINT_CASES,
    GRADE_RECORDS,
    NOTIFICATIONS,
    PROMISED_REPLIES,
    CaseEventRepo,
    CommandRepo,
    ComplaintCaseRepo,
    ComplaintRepo,
    GradeRecordRepo,
    NotificationRepo,
    PromisedReplyRepo,
)
from propcrm.storage._repair_tables import (
    ALLOCATOR_STATES,
    REPAIR_SLIPS,
    AllocatorStateRepo,
    RepairSlipRepo,
)

__all__ = ["Repositories"]


class Repositories:
    """One repository per kind of stored record (see :class:`propcrm.storage.Store`)."""

    customers: CustomerRepo
    households: HouseholdRepo
    vip_cards: VipCardRepo
    survey_responses: SurveyResponseRepo
    complaints: ComplaintRepo
    callback_tasks: CallbackTaskRepo
    work_orders: WorkOrderRepo
    complaint_cases: ComplaintCaseRepo
    case_events: CaseEventRepo
    grade_records: GradeRecordRepo
    notifications: NotificationRepo
    promised_replies: PromisedReplyRepo
    commands: CommandRepo
    repair_slips: RepairSlipRepo
    allocator_states: AllocatorStateRepo
    work_order_steps: WorkOrderStepRepo
    problem_analyses: ProblemAnalysisRepo
    audit_trail: AuditTrailRepo
    consents: ConsentRepo
    night_entries: NightEntryRepo
    vip_archives: VipArchiveRepo

    def _wire_repositories(self, table: Callable[[Table[Any]], Any], sequences: Sequences) -> None:
        """Put every repository on the store, each over ``table(spec)``, the store's engine;
        the audit trail numbers its entries from ``sequences``."""
        self.customers = CustomerRepo(table(CUSTOMERS))
        self.households = HouseholdRepo(table(HOUSEHOLDS))
        self.vip_cards = VipCardRepo(table(VIP_CARDS))
        self.survey_responses = SurveyResponseRepo(table(SURVEY_RESPONSES))
        self.complaints = ComplaintRepo(table(COMPLAINTS))
        self.callback_tasks = CallbackTaskRepo(table(CALLBACK_TASKS))
        self.work_orders = WorkOrderRepo(table(WORK_ORDERS))
        self.complaint_cases = ComplaintCaseRepo(table(COMPLAINT_CASES))
        self.case_events = CaseEventRepo(table(CASE_EVENTS))
        self.grade_records = GradeRecordRepo(table(GRADE_RECORDS))
        self.notifications = NotificationRepo(table(NOTIFICATIONS))
        self.promised_replies = PromisedReplyRepo(table(PROMISED_REPLIES))
        self.commands = CommandRepo(table(COMMANDS))
        self.repair_slips = RepairSlipRepo(table(REPAIR_SLIPS))
        self.allocator_states = AllocatorStateRepo(table(ALLOCATOR_STATES))
        self.work_order_steps = WorkOrderStepRepo(table(WORK_ORDER_STEPS))
        self.problem_analyses = ProblemAnalysisRepo(table(PROBLEM_ANALYSES))
        self.audit_trail = AuditTrailRepo(table(AUDIT_TRAIL), sequences)
        self.consents = ConsentRepo(table(CONSENTS))
        self.night_entries = NightEntryRepo(table(NIGHT_ENTRIES))
        self.vip_archives = VipArchiveRepo(table(VIP_ARCHIVES))
