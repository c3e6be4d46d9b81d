from typing import Any

from django.apps import AppConfig
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate, pre_migrate

# The apps whose tables the figures' cells are built from.
WATCHED_APPS = {"plans", "progress", "projects"}


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = "统计数据"

    def ready(self) -> None:
        pre_migrate.connect(remove_triggers, sender=self)
        post_migrate.connect(restore_triggers, sender=self)
        from figures import cells
        from plans import totals

        # The plan list's totals from the summary rather than from every entry.
        totals.register_source(cells.plan_totals)


def remove_triggers(using: str = "default", **kwargs: Any) -> None:
    """Before migrating SQLite: the triggers out of the way of its table rebuilds (figures.triggers).
    PostgreSQL alters tables in place and keeps them."""
    from figures import triggers

    connection = connections[using]
    if connection.vendor == "sqlite":
        triggers.remove(connection)


def restore_triggers(using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """After migrating: the triggers (re)installed in one transaction, once their migration is
    applied; every cell marked stale when writes may have gone unmarked meanwhile (on SQLite, which
    ran without them, or after a migration of the tables they watch)."""
    from figures import triggers

    connection = connections[using]
    if ("figures", "0002_stale_triggers") not in MigrationRecorder(connection).applied_migrations():
        return
    with transaction.atomic(using=using):
        triggers.install(connection)
        watched = any(migration.app_label in WATCHED_APPS for migration, _backwards in plan or [])
        if connection.vendor == "sqlite" or watched:
            triggers.mark_all(connection)
