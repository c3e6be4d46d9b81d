from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批效能"

    def ready(self) -> None:
        from approvals.figures import figures_section
        from figures import registry

        registry.register("approvals", figures_section)
