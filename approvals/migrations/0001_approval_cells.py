"""审批效能's summary (approvals.cells). Its triggers are installed, and the cells built from the
procedures already there, after the migrate (approvals.apps)."""

from django.db import migrations, models

from approvals import cells


def drop_triggers(apps, schema_editor):
    # Going back: the triggers name the table.
    cells.remove(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("projects", "0007_procedure_done_by_approval"),
    ]

    operations = [
        migrations.CreateModel(
            name='ApprovalCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('month', models.PositiveSmallIntegerField(verbose_name='月份')),
                ('type_id', models.BigIntegerField(verbose_name='手续类型')),
                ('department_id', models.BigIntegerField(verbose_name='审批部门')),
                ('nature', models.CharField(max_length=20, verbose_name='投资性质')),
                ('green_channel', models.BooleanField(verbose_name='绿色通道')),
                ('count', models.IntegerField(default=0, verbose_name='办结件数')),
                ('days', models.BigIntegerField(default=0, verbose_name='办理用时合计（天）')),
            ],
            options={
                'verbose_name': '审批汇总单元',
                'verbose_name_plural': '审批汇总单元',
                'constraints': [models.UniqueConstraint(fields=('year', 'month', 'type_id', 'department_id', 'nature', 'green_channel'), name='approval_cell_key')],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_triggers),
    ]
