"""Default element types (要素类型), loaded by a data migration: (code, name, unit, records 耕地)."""

from django.apps.registry import Apps

ELEMENT_TYPES = [
    ("land", "用地指标", "亩", True),
    ("energy", "能耗指标", "吨标准煤", False),
    ("water", "用水", "万立方米/年", False),
    ("electricity", "用电", "千伏安", False),
    ("gas", "用气", "万立方米/年", False),
    ("environment", "环境容量", "吨/年", False),
    ("forest", "林地", "亩", False),
]


def load_element_types(apps: Apps | None = None) -> None:
    """Create the default element types that do not exist yet."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    ElementType = apps.get_model("elements", "ElementType")
    for order, (code, name, unit, cultivated) in enumerate(ELEMENT_TYPES):
        ElementType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "measure_unit": unit,
                "tracks_cultivated": cultivated,
                "sort_order": order,
            },
        )
