from typing import Any

from django.apps import AppConfig


class StartsConfig(AppConfig):
    name = "starts"
    verbose_name = "集中开工"

    def ready(self) -> None:
        from figures import registry
        from lib import triggers
        from starts import cells
        from starts.figures import figures_section

        triggers.keep_through_migrate(self, ("starts", "0002_start_cells"), cells.statements, mark_stale)
        registry.register("starts", figures_section)

        from django.apps import apps

        # The stalled-start rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from starts import alerts  # noqa: F401


# The apps whose tables the start cells are built from, and their own (the migration that adds
# the cells to a database already holding events leaves them to be built).
WATCHED_APPS = {"plans", "progress", "projects", "starts"}


def mark_stale(connection: Any, plan: Any) -> None:
    """After a migrate every start cell is marked stale when writes may have gone unmarked
    meanwhile, or the cells are new: on SQLite, which ran without the triggers, or after a
    migration of the tables they watch or of the cells themselves."""
    from starts import cells

    watched = any(migration.app_label in WATCHED_APPS for migration, _backwards in plan)
    if connection.vendor == "sqlite" or watched:
        cells.mark_all(connection)
