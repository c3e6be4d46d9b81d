from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "红黄灯预警"

    def ready(self) -> None:
        # The built-in rules register themselves on import.
        from alerts import rules  # noqa: F401
