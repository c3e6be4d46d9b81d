from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("分包领导与首席服务员专班")

    def ready(self) -> None:
        from figures import registry
        from projects import page
        from service import views
        from service.figures import leaders_section, service_section

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
