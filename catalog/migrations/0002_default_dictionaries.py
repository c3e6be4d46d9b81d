from django.db import migrations


def load(apps, schema_editor):
    from catalog.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
