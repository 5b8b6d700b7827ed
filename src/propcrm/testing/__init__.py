"""Helpers for testing code that uses propcrm.

:mod:`propcrm.testing.strategies` holds hypothesis strategies for every domain
type. It needs ``hypothesis`` installed (the ``dev`` extra brings it).
"""

__all__: list[str] = []
