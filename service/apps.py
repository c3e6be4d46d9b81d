from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("分包领导与首席服务员专班")

    def ready(self) -> None:
        from figures import registry
        from lib import triggers
        from projects import page
        from service import cells, views
        from service.figures import leaders_section, service_section

        triggers.keep_through_migrate(
            self,
            ("service", "0002_leader_cells"),
            cells.statements,
            triggers.marking(WATCHED_APPS, cells.mark_all),
        )

        registry.register("leaders", leaders_section, card="service/includes/dashboard_card.html")
        registry.register("service", service_section)
        page.register_tab(
            page.Tab(
                "service",
                _("专班与服务台账"),
                "service/includes/project_service.html",
                55,
                views.project_tab,
            )
        )


# The apps whose tables the leader cells are built from, and their own (the migration that adds
# the cells to a database already holding entries leaves them to be built).
WATCHED_APPS = {"alerts", "plans", "progress", "projects", "service"}
