from typing import Any

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批效能"

    def ready(self) -> None:
        from approvals import cells
        from approvals.figures import figures_section
        from figures import registry
        from lib import triggers

        registry.register("approvals", figures_section)
        triggers.keep_through_migrate(
            self, ("approvals", "0004_day_cells_and_unit_cells"), cells.statements, rebuild
        )


def rebuild(connection: Any, plan: Any) -> None:
    """After a migrate the cells are built again from the tables: on SQLite writes went uncounted
    meanwhile, and a migration may have changed the procedures on either database."""
    from approvals import cells

    cells.rebuild(connection)
