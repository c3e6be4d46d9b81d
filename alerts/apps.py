from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "红黄灯预警"

    def ready(self) -> None:
        from alerts.querysets import figures_section
        from figures import registry

        registry.register("alerts", figures_section)

        # The built-in rules register themselves on import; the receivers queue a scan after
        # each accepted report.
        from alerts import receivers, rules  # noqa: F401
