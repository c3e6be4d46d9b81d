from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = _("问题台账与调度会议")

    def ready(self) -> None:
        from problems import views
        from projects import page

        page.register_link(
            page.Link(
                "problems",
                _("问题台账"),
                "problems:list",
                "alert-triangle",
                20,
                badge=views.unsolved_problem_count,
                query=True,
            )
        )

        from figures import registry
        from problems.figures import figures_section

        registry.register("problems", figures_section)

        from django.apps import apps

        # The overdue rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from problems import alerts  # noqa: F401

        # The notices to whoever is given work, connected to the models' signals.
        from problems import announce  # noqa: F401
