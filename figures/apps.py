from typing import Any

from django.apps import AppConfig

# The apps whose tables the figures' cells are built from.
WATCHED_APPS = {"plans", "progress", "projects"}


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = "统计数据"

    def ready(self) -> None:
        from figures import cells, map_cells, triggers
        from lib import triggers as lib_triggers
        from plans import totals
        from progress import summary

        lib_triggers.keep_through_migrate(
            self, ("figures", "0002_stale_triggers"), triggers.statements, mark_stale
        )
        # 一张图's summary: of the projects and their plan entries, and its own.
        lib_triggers.keep_through_migrate(
            self,
            ("figures", "0011_map_cells"),
            map_cells.SUMMARY.statements,
            lib_triggers.marking({"figures", "plans", "projects"}, map_cells.mark_all),
        )
        # The plan list's totals from the summary rather than from every entry.
        totals.register_source(cells.plan_totals)
        # The 报送看板's and 我的填报's counts of the month's periods.
        summary.register_source(cells.board_lines)


def mark_stale(connection: Any, plan: Any) -> None:
    """After a migrate every cell is marked stale when writes may have gone unmarked meanwhile: on
    SQLite, which ran without the triggers, or after a migration of the tables they watch."""
    from figures import triggers

    watched = any(migration.app_label in WATCHED_APPS for migration, _backwards in plan)
    if connection.vendor == "sqlite" or watched:
        triggers.mark_all(connection)
