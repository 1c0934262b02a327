from django.db import migrations


def forwards(apps, schema_editor):
    from tanpuhui.labels import seed

    seed.load_schemes(apps)


class Migration(migrations.Migration):
    dependencies = [("labels", "0003_certification")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
