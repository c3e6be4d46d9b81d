from django.db import migrations


def seed(apps, schema_editor):
    from milestones.defaults import load_templates

    load_templates(apps)


def unseed(apps, schema_editor):
    from milestones.defaults import TEMPLATES

    Template = apps.get_model("milestones", "MilestoneTemplate")
    Template.objects.filter(name__in=[name for name, _kind, _nodes in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("milestones", "0001_milestones_and_templates")]

    operations = [migrations.RunPython(seed, unseed)]
