from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = "年度目标预测"

    def ready(self) -> None:
        from figures import registry
        from forecast import cells, views
        from forecast.figures import figures_section
        from lib import triggers
        from projects import page

        triggers.keep_through_migrate(
            self,
            ("forecast", "0001_forecast_rows"),
            cells.SUMMARY.statements,
            triggers.marking({"plans", "progress", "projects", "forecast"}, cells.mark_all),
        )
        registry.register("forecast", figures_section, card="forecast/includes/dashboard_card.html")
        page.register_tab(
            page.Tab(
                "forecast", _("年度预测"), "forecast/includes/project_forecast.html", 25, views.project_tab
            )
        )

        from django.apps import apps

        # The 年度目标风险 rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from forecast import alerts  # noqa: F401
