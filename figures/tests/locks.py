"""Another process rebuilding the figures' cells, for the tests of what a reader does meanwhile."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction

from figures import cells


@contextmanager
def rebuilding_elsewhere(lock: int = cells.REFRESH_LOCK) -> Iterator[None]:
    """Within the block, a thread with a connection of its own holds the cells' rebuild lock
    (PostgreSQL; another summary's `lock`), as a process rebuilding them at that moment does."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        other.join(30)
