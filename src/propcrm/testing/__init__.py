"""Helpers for testing code that uses propcrm.

:mod:`propcrm.testing.strategies` holds hypothesis strategies for every domain
type; :mod:`propcrm.testing.contract` is the contract suite every storage
adapter must pass. They need ``hypothesis`` and ``pytest`` installed (the
``dev`` extra brings both); the rest of propcrm never imports them.
"""

__all__: list[str] = []
