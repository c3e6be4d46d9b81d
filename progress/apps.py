from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "进度月报"

    def ready(self) -> None:
        from projects import page

        page.register_link(page.Link("reports", _("进度报告与图片库"), "progress:project", "report", 10))
