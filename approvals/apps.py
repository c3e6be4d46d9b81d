from typing import Any

from django.apps import AppConfig
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate, pre_migrate


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批效能"

    def ready(self) -> None:
        from approvals.figures import figures_section
        from figures import registry

        registry.register("approvals", figures_section)
        pre_migrate.connect(remove_triggers, sender=self)
        post_migrate.connect(restore_triggers, sender=self)


def remove_triggers(using: str = "default", **kwargs: Any) -> None:
    """Before migrating SQLite: the triggers out of the way of its table rebuilds (approvals.cells)."""
    from approvals import cells

    connection = connections[using]
    if connection.vendor == "sqlite" and applied(connection):
        cells.remove(connection)


def restore_triggers(using: str = "default", **kwargs: Any) -> None:
    """After migrating: the triggers (re)installed and the cells built again from the tables, in one
    transaction (on SQLite writes went unrecorded meanwhile; a migration may have changed the
    procedures on either database)."""
    from approvals import cells

    connection = connections[using]
    if not applied(connection):
        return
    with transaction.atomic(using=using):
        cells.install(connection)
        cells.rebuild(connection)


def applied(connection: Any) -> bool:
    return ("approvals", "0001_approval_cells") in MigrationRecorder(connection).applied_migrations()
