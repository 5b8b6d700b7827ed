"""``propcrm report``: the manager's report of a propcrm database."""

__all__: list[str] = []
