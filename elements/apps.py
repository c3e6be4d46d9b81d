from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElementsConfig(AppConfig):
    name = "elements"
    verbose_name = "要素保障"

    def ready(self) -> None:
        from elements import cells, funding_cells, views
        from lib import triggers
        from projects import page

        # The summaries of the needs and of the funding, each rebuilt after a migrate of the
        # tables they are built from or of their own.
        triggers.keep_through_migrate(
            self,
            ("elements", "0006_element_cells"),
            cells.SUMMARY.statements,
            triggers.marking({"elements", "projects"}, cells.mark_all),
        )
        triggers.keep_through_migrate(
            self,
            ("elements", "0007_funding_cells"),
            funding_cells.SUMMARY.statements,
            triggers.marking({"elements", "projects"}, funding_cells.mark_all),
        )

        page.register_tab(
            page.Tab("funding", _("资金"), "elements/includes/project_funding.html", 40, views.funding_tab)
        )
        page.register_tab(
            page.Tab(
                "elements", _("要素保障"), "elements/includes/project_elements.html", 50, views.elements_tab
            )
        )

        from elements.figures import figures_section
        from figures import registry

        registry.register("elements", figures_section)

        # The element types are one more dictionary the administrators edit with the others.
        from catalog.models import DICTIONARIES
        from elements.models import ElementType

        DICTIONARIES.setdefault("element-types", ElementType)

        from django.apps import apps

        # The special-bond rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from elements import alerts  # noqa: F401
