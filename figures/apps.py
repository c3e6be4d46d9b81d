from typing import Any

from django.apps import AppConfig
from django.db import connections
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


def remove_triggers(using: str = "default", **kwargs: Any) -> None:
    """Before migrating: the triggers out of the way of the schema changes (see figures.triggers)."""
    from figures import triggers

    triggers.remove(connections[using])


def restore_triggers(using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """After migrating: the triggers back, once their migration is applied; every cell marked stale
    if a migration of the tables they watch ran without them."""
    from figures import triggers

    connection = connections[using]
    if ("figures", "0002_stale_triggers") not in MigrationRecorder(connection).applied_migrations():
        return
    triggers.install(connection)
    if any(migration.app_label in WATCHED_APPS for migration, _backwards in plan or []):
        triggers.mark_all(connection)
