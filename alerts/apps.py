from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "红黄灯预警"

    def ready(self) -> None:
        from alerts import cells, views
        from lib import triggers

        # The board's summary: of the warnings and the projects' units, and its own.
        triggers.keep_through_migrate(
            self,
            ("alerts", "0005_alert_cells"),
            cells.SUMMARY.statements,
            triggers.marking({"alerts", "projects"}, cells.mark_all),
        )
        from alerts.querysets import figures_section, with_alert_counts, with_worst_alert
        from figures import registry
        from projects import page

        registry.register("alerts", figures_section)
        registry.register_mark("alert", with_worst_alert)
        page.register_list_annotation("alerts", with_alert_counts)
        page.register_tab(
            page.Tab(
                "alerts",
                _("预警"),
                "alerts/includes/project_alerts.html",
                60,
                views.project_alerts_tab,
                badge=views.open_alert_count,
            )
        )

        # The built-in rules register themselves on import; the receivers queue a scan after
        # each accepted report.
        from alerts import receivers, rules  # noqa: F401
