"""Repair callback owners by role share (002 回访工作制度 一).

Private module: import :class:`RoleShareAllocator` from :mod:`propcrm.callbacks`.
"""

from __future__ import annotations

from collections.abc import Mapping

from propcrm._callback_policy import CallbackPolicy
from propcrm._callback_rounds import share_weights
from propcrm._checks import require_mapping
from propcrm._slices import policy_slice
from propcrm.errors import ValidationError

__all__ = ["RoleShareAllocator"]

_COUNTS = "a mapping of role -> items given so far, e.g. allocator.counts"


class RoleShareAllocator:
    """Give each repair one callback owner so each role's share holds at every prefix.

    The shares are minimums (service-centre manager >= 10 %, engineering
    supervisor >= 30 %, repair lead >= 60 % — 002 回访工作制度 一), keyed by
    :class:`~propcrm.roles.Role` values. Each item goes to the role with the largest
    deficit ``share * n - count`` (``n`` counting the new item; ties go to the
    larger share, then the name). After every item each role's count is
    within one item of ``share * n``. The allocator is deterministic and
    resumes from stored counts. Shares summing to less than 1 are scaled up
    in proportion, so every minimum still holds.

    >>> from propcrm.callbacks import RoleShareAllocator
    >>> allocator = RoleShareAllocator.from_policy()
    >>> [allocator.assign() for _ in range(10)].count("service_centre_manager")
    1
    >>> RoleShareAllocator(allocator.shares, counts=allocator.counts).counts == allocator.counts
    True
    """

    __slots__ = ("_counts", "_order", "_roles", "_shares", "_total", "_weights", "_whole")

    def __init__(
        self, shares: Mapping[str, float], counts: Mapping[str, int] | None = None
    ) -> None:
        weights = share_weights(shares, "shares")
        stored = {} if counts is None else dict(require_mapping(counts, "counts", _COUNTS))
        for role, count in stored.items():
            if getattr(role, "value", role) not in weights:
                raise ValidationError.expected(
                    f"counts.{role}", f"one of the roles {sorted(weights)}", role
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValidationError.expected(f"counts.{role}", "an integer >= 0", count)
        self._shares = {getattr(r, "value", r): float(share) for r, share in shares.items()}
        self._roles = sorted(weights, key=lambda r: (-weights[r], r))
        self._weights = [weights[r] for r in self._roles]
        self._whole = sum(self._weights)
        stored = {getattr(role, "value", role): count for role, count in stored.items()}
        self._counts = [stored.get(r, 0) for r in self._roles]
        self._total: int = sum(self._counts)
        self._order = range(len(self._roles))

    @classmethod
    def from_policy(
        cls, policy: object = None, *, counts: Mapping[str, int] | None = None
    ) -> RoleShareAllocator:
        """Build from the policy's ``role_shares``, resuming from ``counts`` if given.

        Args:
            policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
            counts: Stored counts per role, to resume a running assignment.
        """
        return cls(policy_slice(policy, CallbackPolicy, "callbacks").role_shares, counts)

    @property
    def shares(self) -> dict[str, float]:
        """The minimum share of each role, as given."""
        return dict(self._shares)

    @property
    def counts(self) -> dict[str, int]:
        """How many items each role has been given so far (store these to resume)."""
        return dict(zip(self._roles, self._counts, strict=True))

    @property
    def total(self) -> int:
        """How many items have been assigned so far."""
        return self._total

    def assign(self) -> str:
        """Return the owner role of the next item and count it."""
        n = self._total + 1
        weights, counts, whole = self._weights, self._counts, self._whole
        best = max(self._order, key=lambda i: weights[i] * n - counts[i] * whole)
        counts[best] += 1
        self._total = n
        return self._roles[best]

    def __repr__(self) -> str:
        return f"RoleShareAllocator({self._shares!r}, counts={self.counts!r})"
