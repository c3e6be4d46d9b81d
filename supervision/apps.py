from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督查督办")

    def ready(self) -> None:
        from figures import registry
        from supervision.figures import figures_section

        registry.register("supervision", figures_section)
