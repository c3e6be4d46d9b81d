from decimal import Decimal

import django.core.validators
from django.db import migrations, models

from assessment.defaults import load_indicators


def load_defaults(apps, schema_editor):
    load_indicators(apps)


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
