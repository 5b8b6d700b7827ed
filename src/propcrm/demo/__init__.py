"""``propcrm demo``: a year of an invented property portfolio, lived through the desks."""

__all__: list[str] = []
