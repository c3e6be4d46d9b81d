"""Cells count 复工率 (续建 entries and those resumed by the month's end); every cell is marked stale so
that the next figure read builds them with the new counts. The triggers now also watch status
changes and a report's state and amount (figures.triggers, reinstalled after the migrate)."""

from django.db import migrations, models

from figures import triggers


def mark_every_cell_stale(apps, schema_editor):
    triggers.mark_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0005_stale_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="figurecell",
            name="resumed",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="figurecell",
            name="to_resume",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(mark_every_cell_stale, migrations.RunPython.noop),
    ]
