"""Every database gets the registry: methodologies, version 1.0 of each and sourced parameters."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tanpuhui.methodology import seed

    seed.apply(apps)


class Migration(migrations.Migration):
    dependencies = [("methodology", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
