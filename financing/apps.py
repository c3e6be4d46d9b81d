from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "financing"
    verbose_name = "政银企对接"

    def ready(self) -> None:
        from figures import registry
        from financing import views
        from financing.figures import figures_section
        from projects import page

        registry.register("financing", figures_section, card="financing/includes/dashboard_card.html")
        page.register_tab(
            page.Tab(
                "financing", _("融资对接"), "financing/includes/project_financing.html", 45, views.project_tab
            )
        )

        # The banks are one more dictionary the administrators edit with the others.
        from catalog.models import DICTIONARIES
        from financing.models import Bank

        DICTIONARIES.setdefault("banks", Bank)
