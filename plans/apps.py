from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"

    def ready(self) -> None:
        from plans import views
        from projects import page

        page.register_plan_lookup(views.projects_on_plans)
        page.register_row_detail("plans", views.plan_levels_by_project)
        page.register_tab(
            page.Tab("plans", _("年度计划"), "plans/includes/project_plans.html", 20, views.project_plans_tab)
        )

        from plans import counting  # noqa: F401  (connects the signals that keep PlanEntry.counted)
