"""Default banks (金融机构), loaded by a data migration: (code, name)."""

from django.apps.registry import Apps

BANKS = [
    ("cdb", "国家开发银行"),
    ("adbc", "中国农业发展银行"),
    ("eximbank", "中国进出口银行"),
    ("icbc", "中国工商银行"),
    ("abc", "中国农业银行"),
    ("boc", "中国银行"),
    ("ccb", "中国建设银行"),
    ("bocom", "交通银行"),
    ("psbc", "中国邮政储蓄银行"),
    ("rcb", "农村商业银行"),
]


def load_banks(apps: Apps | None = None) -> None:
    """Create the default banks that do not exist yet."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Bank = apps.get_model("financing", "Bank")
    for order, (code, name) in enumerate(BANKS):
        Bank.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
