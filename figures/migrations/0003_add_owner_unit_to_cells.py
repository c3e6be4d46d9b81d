"""The owner unit (项目单位) as a key of the figures' cells, so that a unit's or an owner's scope is
added up from them too: each combination is kept per owner unit and added up over the owners
(`per_owner`). The cells built before are neither: every (year, unit) is marked stale, so the
first figure read builds them again (the triggers, reinstalled after the migrate by figures.apps,
now also mark a project whose owner unit changes)."""

from django.db import migrations, models

from figures import triggers


def mark_all(apps, schema_editor):
    triggers.mark_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0002_stale_triggers"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="figurecell",
            name="figure_cell_by_period",
        ),
        migrations.AddField(
            model_name="figurecell",
            name="owner_unit_id",
            field=models.BigIntegerField(null=True, verbose_name="项目单位"),
        ),
        migrations.AddField(
            model_name="figurecell",
            name="per_owner",
            field=models.BooleanField(default=False, verbose_name="按项目单位"),
        ),
        migrations.AddIndex(
            model_name="figurecell",
            index=models.Index(fields=["year", "month", "per_owner", "plan_id"], name="figure_cell_by_period"),
        ),
        migrations.RunPython(mark_all, migrations.RunPython.noop),
    ]
