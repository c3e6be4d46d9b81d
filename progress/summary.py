"""The 报送看板's periods per responsible unit from a summary a layer above keeps.

At 100,000 projects the board's pass over every project's reports of the month is the slowest
thing a reporting office opens at month end. A layer that keeps a summary of the periods (the
figures' summary, figures.cells) registers it here in its AppConfig.ready(); the board and 我的填报
ask it first, and read the tables when there is none or it cannot answer at once.
"""

from collections.abc import Callable
from typing import Any

from org.models import Unit

# (year, month, user, unit) → {responsible unit id or None: the sums progress.querysets.summary_of_sums()
# reads}, of the projects `user` sees whose responsible unit is in `unit`'s subtree (any when None);
# None when the summary cannot answer now.
Source = Callable[[int, int, Any, Unit | None], dict[int | None, dict[str, int]] | None]
_sources: list[Source] = []


def register_source(source: Source) -> None:
    """Let `source` answer for the board's periods (the last registered is asked)."""
    _sources.append(source)


def board_lines(
    year: int, month: int, user: Any, unit: Unit | None = None
) -> dict[int | None, dict[str, int]] | None:
    """The month's periods per responsible unit from the registered summary; None when there is
    none, or it cannot answer now, and the caller reads the tables."""
    return _sources[-1](year, month, user, unit) if _sources else None
