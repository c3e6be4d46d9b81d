from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "financing"
    verbose_name = "政银企对接"

    def ready(self) -> None:
        from figures import registry
        from financing import cells, views
        from financing.figures import figures_section
        from lib import triggers
        from projects import page

        # The summary of the needs, rebuilt after a migrate of the tables it is built from or of its own.
        triggers.keep_through_migrate(
            self,
            ("financing", "0003_financing_cells"),
            cells.SUMMARY.statements,
            triggers.marking({"financing", "projects"}, cells.mark_all),
        )

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
