from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "后评价"

    def ready(self) -> None:
        from evaluation import cells, views
        from lib import triggers
        from projects import page

        # The summary of the evaluations, rebuilt after a migrate of the tables it is built from
        # or of its own.
        triggers.keep_through_migrate(
            self,
            ("evaluation", "0003_evaluation_cells"),
            cells.SUMMARY.statements,
            triggers.marking({"evaluation", "projects"}, cells.mark_all),
        )

        page.register_tab(
            page.Tab(
                "evaluation",
                _("后评价"),
                "evaluation/includes/project_evaluation.html",
                80,
                views.project_tab,
            )
        )
