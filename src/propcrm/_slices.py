"""One policy convention for every engine and service.

Every engine and service takes ``policy=`` as a keyword. It accepts the root
:class:`~propcrm.policy.Policy`, the capability's own slice (for example a
:class:`~propcrm.sla.SlaPolicy`), or ``None`` for the documented defaults.
Anything else is a one-line :class:`~propcrm.errors.ValidationError` that names
the expected type and the attribute path that gets it from the root policy.

The root policy is recognised by a class attribute rather than by importing
:mod:`propcrm.policy`, which itself imports every capability's slice: the
engines stay below the policy module in the import graph.
"""

from __future__ import annotations

from typing import Any, TypeVar

from propcrm.errors import ValidationError

__all__ = ["ROOT_MARKER", "policy_slice"]

T = TypeVar("T")

#: The class attribute that marks the root policy type.
ROOT_MARKER = "__propcrm_root_policy__"


def policy_slice(
    policy: object,
    expected: type[T],
    path: str,
    *,
    argument: str = "policy",
) -> T:
    """Return the ``expected`` slice of ``policy``, or its defaults for ``None``.

    Args:
        policy: The root policy, the slice itself, or ``None``.
        expected: The slice type the caller needs.
        path: The dotted attribute path from the root policy to the slice,
            e.g. ``"customers.tiers"``.
        argument: The caller's argument name, for the error message.

    Raises:
        ValidationError: ``policy`` is neither the root policy, the slice nor
            ``None``. The message is one short line; it never shows the value.
    """
    if policy is None:
        return expected()
    if isinstance(policy, expected):
        return policy
    if getattr(type(policy), ROOT_MARKER, False):
        found: Any = policy
        for name in path.split("."):
            found = getattr(found, name)
        if isinstance(found, expected):
            return found
    raise ValidationError(
        argument,
        f"{argument}: expected a {expected.__name__}, got a {type(policy).__name__}; "
        f"pass policy.{path} or the whole Policy",
    )
