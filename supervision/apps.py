from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督查督办")

    def ready(self) -> None:
        from figures import registry
        from supervision.figures import figures_section

        registry.register("supervision", figures_section)

        from django.apps import apps

        # The notices to the addressed unit, connected to the model's signals.
        from supervision import announce  # noqa: F401

        # The overdue rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from supervision import alerts  # noqa: F401
