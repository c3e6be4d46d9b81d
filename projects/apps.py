from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        from projects import page, views

        page.register_tab(
            page.Tab("overview", _("概况"), "projects/includes/tab_overview.html", 10, views.overview_tab)
        )
        page.register_tab(
            page.Tab(
                "procedures", _("手续"), "projects/includes/tab_procedures.html", 30, views.procedures_tab
            )
        )
        page.register_tab(
            page.Tab("history", _("变更历史"), "projects/includes/tab_history.html", 90, views.history_tab)
        )
