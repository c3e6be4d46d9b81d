from django.apps import AppConfig


class StartsConfig(AppConfig):
    name = "starts"
    verbose_name = "集中开工"

    def ready(self) -> None:
        from figures import registry
        from starts.figures import figures_section

        registry.register("starts", figures_section)

        from django.apps import apps

        # The stalled-start rule joins the warnings' registry when that app is installed.
        if apps.is_installed("alerts"):
            from starts import alerts  # noqa: F401
