from django.db import migrations


def forwards(apps, schema_editor):
    from tanpuhui.inventories import seed

    seed.load(apps)


class Migration(migrations.Migration):
    dependencies = [("inventories", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
