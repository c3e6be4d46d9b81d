from django.db import migrations

from elements.defaults import load_element_types


def create_defaults(apps, schema_editor):
    load_element_types(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("elements", "0001_add_funding_and_elements"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
