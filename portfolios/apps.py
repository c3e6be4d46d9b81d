from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "portfolios"
    verbose_name = "项目清单"

    def ready(self) -> None:
        from portfolios.models import ProjectList
        from projects import page

        # Every page that picks a scope (the dashboard, the rankings, the project list, the figures
        # command) may narrow it to one of the lists.
        page.register_project_lists(lambda: ProjectList.objects.order_by("sort_order", "name"))
