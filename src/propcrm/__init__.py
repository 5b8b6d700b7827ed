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
    SchemaVersionError,
    StorageError,
    ValidationError,
)
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore

__version__ = "0.1.0"

__all__ = [
    "CalendarRangeError",
    "Clock",
    "ConflictError",
    "FixedClock",
    "MemoryStore",
    "NotFoundError",
    "Policy",
    "PolicyError",
    "PropcrmError",
    "Reason",
    "SchemaVersionError",
    "SqliteStore",
    "StorageError",
    "SystemClock",
    "ValidationError",
    "__version__",
    "format_duration",
    "parse_duration",
]
