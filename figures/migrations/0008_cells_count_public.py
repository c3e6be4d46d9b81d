"""Cells count the entries whose project is public, the public site's number of each plan's projects;
the triggers now also watch a project's `is_public` (figures.triggers, reinstalled after the migrate).
Every cell is marked stale so that the next read builds them with the new count."""

from django.db import migrations, models

from figures import triggers


def mark_every_cell_stale(apps, schema_editor):
    triggers.mark_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0007_cells_board_states"),
    ]

    operations = [
        migrations.AddField(
            model_name="figurecell",
            name="public",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(mark_every_cell_stale, migrations.RunPython.noop),
    ]
