from decimal import Decimal

import django.core.validators
from django.db import migrations, models

DEFAULTS = [
    ("completion_rate", "年度计划完成率", Decimal("40"), Decimal("100")),
    ("start_rate", "开工率", Decimal("20"), Decimal("100")),
    ("on_time_reporting", "按时报送率", Decimal("15"), Decimal("100")),
    ("problem_closure", "问题销号率", Decimal("15"), Decimal("100")),
    ("warning_closure", "预警销号率", Decimal("10"), Decimal("100")),
]


def load_defaults(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    for order, (code, name, weight, target) in enumerate(DEFAULTS):
        Indicator.objects.get_or_create(code=code, defaults={"name": name, "weight": weight, "target": target, "sort_order": order})


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="Indicator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=40, unique=True, verbose_name="编码")),
                ("name", models.CharField(max_length=60, verbose_name="指标")),
                ("weight", models.DecimalField(decimal_places=1, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal("0")), django.core.validators.MaxValueValidator(Decimal("100"))], verbose_name="权重（分）")),
                ("target", models.DecimalField(decimal_places=1, default=Decimal("100"), help_text="达到目标值得满分，未达到按比例得分。", max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal("0.1")), django.core.validators.MaxValueValidator(Decimal("1000"))], verbose_name="目标值（%）")),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
            ],
            options={"verbose_name": "考核指标", "verbose_name_plural": "考核指标", "ordering": ["sort_order", "code"]},
        ),
        migrations.RunPython(load_defaults, migrations.RunPython.noop),
    ]
