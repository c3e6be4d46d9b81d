from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = "年度目标预测"

    def ready(self) -> None:
        from figures import registry
        from forecast import views
        from forecast.figures import figures_section
        from projects import page

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
