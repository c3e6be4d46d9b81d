"""Install the triggers that mark the figures' cells stale (figures.triggers), and mark every
(year, unit) that has entries already, so that the first figure read builds its cells."""

from django.db import migrations

from figures import triggers


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # Later migrations rebuild SQLite tables, which triggers would block: the post_migrate
        # handler (figures.apps) installs them once the whole migrate is done.
        return
    triggers.install(schema_editor.connection)
    triggers.mark_all(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_add_figure_cells"),
        ("plans", "0002_planentry_counted"),
        ("progress", "0006_drop_monthly_covering_index"),
        ("projects", "0002_add_report_frequency"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
