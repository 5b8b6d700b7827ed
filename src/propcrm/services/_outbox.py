"""Delivering the outbox through a hook the host system implements.

Public in :mod:`propcrm.services`; this module is private.
"""

from __future__ import annotations

from typing import Protocol

from attrs import frozen

from propcrm._checks import require_callable, require_int
from propcrm._time import Clock, require_aware
from propcrm.records import Notification
from propcrm.services._commands import require_clock, require_store
from propcrm.storage import Store

__all__ = ["DeliveryHook", "DeliveryReport", "deliver_pending"]


class DeliveryHook(Protocol):
    """What a host implements to deliver notifications (SMS, mail, its own messaging).

    Return normally when the notification was delivered; raise any exception
    when it was not, and it is tried again on the next delivery run.
    """

    def __call__(self, notification: Notification) -> None:
        """Deliver ``notification`` or raise."""
        ...


@frozen
class DeliveryReport:
    """What one delivery run did.

    Attributes:
        delivered: The ids delivered, oldest first.
        failed: The ids whose delivery raised; they stay pending.
    """

    delivered: tuple[str, ...]
    failed: tuple[str, ...]


def deliver_pending(
    store: Store, hook: DeliveryHook, *, clock: Clock, max_attempts: int = 5
) -> DeliveryReport:
    """Deliver every pending notification through ``hook``, each marked as it goes.

    A delivered notification is marked delivered at the clock's time; one
    whose delivery raised has the attempt counted with the error's text and
    stays pending. A notification that already failed ``max_attempts`` times
    is left for a person to look at (``store.notifications.list(pending=True)``).

    Raises:
        ValidationError: ``store`` is not a Store, ``hook`` is not callable,
            ``clock`` is not a Clock or ``max_attempts`` is not a positive integer.
    """
    require_store(store)
    require_callable(hook, "hook", "a callable taking a Notification")
    require_clock(clock)
    require_int(max_attempts, "max_attempts", low=1)
    delivered: list[str] = []
    failed: list[str] = []
    for note in store.notifications.pending():
        if note.attempts >= max_attempts:
            continue
        try:
            hook(note)
        except Exception as e:  # any failure of the host's channel is retried later
            store.notifications.record_failure(note.id, error=_error_text(e))
            failed.append(note.id)
            continue
        store.notifications.mark_delivered(note.id, at=require_aware(clock.now(), "clock.now()"))
        delivered.append(note.id)
    return DeliveryReport(tuple(delivered), tuple(failed))


def _error_text(error: Exception) -> str:
    """``"Type: text"`` of a failed delivery, storable whatever the host raised.

    A lone surrogate (undecodable bytes in a file name, say) is kept escaped;
    an exception whose text cannot be read is named by its type alone.
    """
    name = type(error).__name__
    try:
        text = str(error)
    except Exception:  # a host's exception whose __str__ fails
        return name
    return f"{name}: {text}".encode("utf-8", "backslashreplace").decode("utf-8")
