from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"

    def ready(self) -> None:
        from plans import counting  # noqa: F401  (connects the signals that keep PlanEntry.counted)
