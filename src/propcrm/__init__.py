"""propcrm: the customer-relationship rules of a property-management company, as a library.

Customer tiers and VIP cards, complaint grading and escalation, service levels
on business calendars, callback planning, and satisfaction scoring. Every rule
is data (a :class:`~propcrm.policy.Policy` with documented defaults) and every
decision says why (:class:`~propcrm.explain.Reason`).
"""

from propcrm._time import Clock, FixedClock, SystemClock, format_duration, parse_duration
from propcrm.callbacks import (
    CallbackPolicy,
    CallbackTask,
    RoleShareAllocator,
)
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

__version__ = "0.1.0"

__all__ = [
    "CalendarRangeError",
    "CallbackPolicy",
    "CallbackTask",
    "Clock",
    "ConflictError",
    "FixedClock",
    "NotFoundError",
    "Policy",
    "PolicyError",
    "PropcrmError",
    "Reason",
    "RoleShareAllocator",
    "SystemClock",
    "ValidationError",
    "__version__",
    "format_duration",
    "parse_duration",
]
