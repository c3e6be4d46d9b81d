from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "后评价"

    def ready(self) -> None:
        from evaluation import views
        from projects import page

        page.register_tab(
            page.Tab(
                "evaluation",
                _("后评价"),
                "evaluation/includes/project_evaluation.html",
                80,
                views.project_tab,
            )
        )
