"""The default 考核 indicators, loaded by the initial migration: (code, name, weight, target %)."""

from decimal import Decimal

from django.apps.registry import Apps

INDICATORS = [
    ("completion_rate", "年度计划完成率", Decimal("40"), Decimal("100")),
    ("start_rate", "开工率", Decimal("20"), Decimal("100")),
    ("on_time_reporting", "按时报送率", Decimal("15"), Decimal("100")),
    ("problem_closure", "问题销号率", Decimal("15"), Decimal("100")),
    ("warning_closure", "预警销号率", Decimal("10"), Decimal("100")),
]


def load_indicators(apps: Apps | None = None) -> None:
    """Create the default indicators that do not exist yet."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Indicator = apps.get_model("assessment", "Indicator")
    for order, (code, name, weight, target) in enumerate(INDICATORS):
        Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "target": target, "sort_order": order}
        )
