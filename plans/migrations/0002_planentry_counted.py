from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef, Q

PRECEDENCE = ("local", "city", "province")


def mark_counted(apps, schema_editor):
    """Mark the entry that counts for each project and year on the plans already there."""
    Plan = apps.get_model("plans", "Plan")
    PlanEntry = apps.get_model("plans", "PlanEntry")
    # The latest issued version: the initial plan, or an adjustment with its 下达日期.
    issued = Q(kind="initial") | Q(issued_on__isnull=False)
    latest = Plan.objects.filter(issued).values("year", "level").annotate(version=Max("version"))
    for year in sorted({row["year"] for row in latest}):
        in_force = {
            row["level"]: Plan.objects.get(year=year, level=row["level"], version=row["version"]).pk
            for row in latest
            if row["year"] == year
        }
        earlier = []
        for level in PRECEDENCE:
            if level not in in_force:
                continue
            entries = PlanEntry.objects.filter(plan_id=in_force[level])
            if earlier:
                entries = entries.exclude(
                    Exists(PlanEntry.objects.filter(plan_id__in=earlier, project_id=OuterRef("project_id")))
                )
            entries.update(counted=True)
            earlier.append(in_force[level])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="planentry",
            name="counted",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="多级计划合并统计时，同一项目按本级、市级、省级的顺序只计一次，此条目为计入的一条。",
                verbose_name="计入合并口径",
            ),
        ),
        migrations.RunPython(mark_counted, migrations.RunPython.noop),
    ]
