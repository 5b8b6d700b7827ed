"""propcrm: the customer-relationship rules of a property-management company, as a library.

Customer tiers and VIP cards, complaint grading and escalation, service levels
on business calendars, callback planning, and satisfaction scoring. Every rule
is data (a :class:`~propcrm.policy.Policy` with documented defaults) and every
decision says why (:class:`~propcrm.explain.Reason`).
"""

from propcrm._time import Clock, FixedClock, SystemClock, format_duration, parse_duration
from propcrm.customers import (
    Customer,
    CustomerPolicy,
    Household,
    Member,
    Relation,
    Segment,
    SegmentDecision,
    SegmentPolicy,
    Tier,
    TierDecision,
    TierFacts,
    TierPolicy,
    classify_tier,
    segment,
)
from propcrm.errors import (
    CalendarRangeError,
    ConflictError,
    NotFoundError,
    PolicyError,
    PropcrmError,
    SchemaVersionError,
    StorageError,
    ValidationError,
)
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.privacy import Confidentiality, PersonalData, PersonalKind
from propcrm.satisfaction import (
    KpiScorecard,
    NoDataError,
    NpsResult,
    SatisfactionIndex,
    SatisfactionPolicy,
    SurveyResponse,
    compare_nps,
    compare_nps_paired,
    csat,
    nps,
)
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.vip import (
    BenefitFamily,
    Benefits,
    CardNumber,
    CardNumbersExhaustedError,
    CardSequenceAllocator,
    CardStateError,
    CardStatus,
    MemorySequenceAllocator,
    NotEligibleError,
    RevocationGround,
    VipCard,
    VipLevel,
    VipPolicy,
    VipProgramme,
)

__version__ = "0.1.0"

__all__ = [
    "BenefitFamily",
    "Benefits",
    "CalendarRangeError",
    "CardNumber",
    "CardNumbersExhaustedError",
    "CardSequenceAllocator",
    "CardStateError",
    "CardStatus",
    "Clock",
    "Confidentiality",
    "ConflictError",
    "Customer",
    "CustomerPolicy",
    "FixedClock",
    "Household",
    "KpiScorecard",
    "Member",
    "MemorySequenceAllocator",
    "MemoryStore",
    "NoDataError",
    "NotEligibleError",
    "NotFoundError",
    "NpsResult",
    "PersonalData",
    "PersonalKind",
    "Policy",
    "PolicyError",
    "PropcrmError",
    "Reason",
    "Relation",
    "RevocationGround",
    "SatisfactionIndex",
    "SatisfactionPolicy",
    "SchemaVersionError",
    "Segment",
    "SegmentDecision",
    "SegmentPolicy",
    "SqliteStore",
    "StorageError",
    "SurveyResponse",
    "SystemClock",
    "Tier",
    "TierDecision",
    "TierFacts",
    "TierPolicy",
    "ValidationError",
    "VipCard",
    "VipLevel",
    "VipPolicy",
    "VipProgramme",
    "__version__",
    "classify_tier",
    "compare_nps",
    "compare_nps_paired",
    "csat",
    "format_duration",
    "nps",
    "parse_duration",
    "segment",
]
