from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MilestonesConfig(AppConfig):
    name = "milestones"
    verbose_name = _("节点计划")

    def ready(self) -> None:
        from projects import page

        page.register_link(page.Link("milestones", _("节点计划"), "milestones:project", "timeline", 30))

        from django.apps import apps

        # The overdue rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from milestones import alerts  # noqa: F401
