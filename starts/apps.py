from django.apps import AppConfig


class StartsConfig(AppConfig):
    name = "starts"
    verbose_name = "集中开工"

    def ready(self) -> None:
        from figures import registry
        from lib import triggers
        from starts import cells
        from starts.figures import figures_section

        triggers.keep_through_migrate(
            self,
            ("starts", "0002_start_cells"),
            cells.SUMMARY.statements,
            triggers.marking({"plans", "progress", "projects", "starts"}, cells.mark_all),
        )
        registry.register("starts", figures_section)

        from django.apps import apps

        # The stalled-start rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from starts import alerts  # noqa: F401
