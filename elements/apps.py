from django.apps import AppConfig


class ElementsConfig(AppConfig):
    name = "elements"
    verbose_name = "要素保障"

    def ready(self) -> None:
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
