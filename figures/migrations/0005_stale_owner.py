"""Stale marks name the owner unit too (figures.triggers writes it once reinstalled after the
migrate, figures.apps); a mark without one stands for every owner of its unit."""

from django.db import migrations, models

from figures import triggers


def drop_triggers(apps, schema_editor):
    # Going back: the triggers name the column, and SQLite refuses to drop a column a trigger names.
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0004_cells_weekly_parts"),
    ]

    operations = [
        migrations.AddField(
            model_name="figurestale",
            name="owner_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="项目单位"),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_triggers),
    ]
