"""Every advisory lock the application takes on PostgreSQL has a number of its own: two summaries
sharing one would wait for each other's rebuilds, and a reader of one would fall back to the
tables while the other rebuilds."""

import importlib

from figures.summary import SUMMARIES

# The modules that name an advisory lock, and the constant each names it by.
LOCKS = {
    "progress.rollup": "ROLLUP_LOCK",
    "plans.counting": "RECOUNT_LOCK",
    "figures.cells": "REFRESH_LOCK",
    "service.cells": "REFRESH_LOCK",
    "starts.cells": "REFRESH_LOCK",
    "elements.cells": "REFRESH_LOCK",
    "elements.funding_cells": "REFRESH_LOCK",
    "figures.map_cells": "REFRESH_LOCK",
    "financing.cells": "REFRESH_LOCK",
    "alerts.cells": "REFRESH_LOCK",
    "evaluation.cells": "REFRESH_LOCK",
    "forecast.cells": "REFRESH_LOCK",
}


def test_each_lock_has_a_number_of_its_own():
    numbers = {module: getattr(importlib.import_module(module), name) for module, name in LOCKS.items()}
    shared = {n for n in numbers.values() if list(numbers.values()).count(n) > 1}
    assert not shared, {module: n for module, n in numbers.items() if n in shared}


def test_every_summary_has_a_lock_of_its_own_among_them():
    numbers = {getattr(importlib.import_module(module), name) for module, name in LOCKS.items()}
    locks = [summary.lock for summary in SUMMARIES]
    assert locks
    assert len(set(locks)) == len(locks), sorted(locks)
    assert set(locks) <= numbers
