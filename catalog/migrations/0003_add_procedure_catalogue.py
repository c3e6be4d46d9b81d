import django.db.models.deletion
from django.db import migrations, models


def fill_stages(apps, schema_editor):
    from catalog.defaults import fill_stages

    fill_stages(apps.get_model("catalog", "ProcedureType"))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_default_dictionaries"),
        ("org", "0004_add_name_pinyin_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="proceduretype",
            name="applies_to",
            field=models.CharField(
                choices=[
                    ("all", "全部项目"),
                    ("government", "政府投资项目"),
                    ("enterprise", "企业投资项目"),
                ],
                default="all",
                max_length=20,
                verbose_name="适用项目",
            ),
        ),
        migrations.AddField(
            model_name="proceduretype",
            name="department",
            field=models.ForeignKey(
                blank=True,
                help_text="负责办理该事项的职能部门，用于统计审批事项目录涉及的部门数。",
                limit_choices_to={"kind": "department"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="procedure_types",
                to="org.unit",
                verbose_name="审批部门",
            ),
        ),
        migrations.AddField(
            model_name="proceduretype",
            name="joint_approval",
            field=models.BooleanField(
                default=True, help_text="该事项已纳入联审联批（联合审批）。", verbose_name="纳入联合审批"
            ),
        ),
        migrations.AddField(
            model_name="proceduretype",
            name="stage",
            field=models.CharField(
                blank=True,
                choices=[
                    ("planning", "前期策划"),
                    ("preparation", "施工前准备"),
                    ("construction", "建设实施"),
                    ("acceptance", "竣工验收"),
                ],
                help_text="前期策划、施工前准备、建设实施、竣工验收。",
                max_length=20,
                verbose_name="审批阶段",
            ),
        ),
        migrations.RunPython(fill_stages, migrations.RunPython.noop),
    ]
