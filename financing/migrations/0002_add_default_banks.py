from django.db import migrations

from financing.defaults import load_banks


def create_defaults(apps, schema_editor):
    load_banks(apps)


class Migration(migrations.Migration):
    dependencies = [("financing", "0001_add_financing")]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
