"""propcrm: the customer-relationship rules of a property-management company, as a library.

Customer tiers and VIP cards, complaint grading and escalation, service levels
on business calendars, callback planning, and satisfaction scoring. Every rule
is data (a :class:`~propcrm.policy.Policy` with documented defaults) and every
decision says why (:class:`~propcrm.explain.Reason`).
"""

from propcrm._time import Clock, FixedClock, SystemClock, format_duration, parse_duration
from propcrm.errors import (
    CalendarRangeError,
    ConflictError,
    NotFoundError,
    PolicyError,
    PropcrmError,
    ValidationError,
)
from propcrm.explain import Reason
from propcrm.policy import Policy
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

__version__ = "0.1.0"

__all__ = [
    "CalendarRangeError",
    "Clock",
    "ConflictError",
    "FixedClock",
    "KpiScorecard",
    "NoDataError",
    "NotFoundError",
    "NpsResult",
    "Policy",
    "PolicyError",
    "PropcrmError",
    "Reason",
    "SatisfactionIndex",
    "SatisfactionPolicy",
    "SurveyResponse",
    "SystemClock",
    "ValidationError",
    "__version__",
    "compare_nps",
    "compare_nps_paired",
    "csat",
    "format_duration",
    "nps",
    "parse_duration",
]
