from django.db import migrations

from tanpuhui.registry import seed


def forwards(apps, schema_editor):
    seed.load(apps.get_model("registry", "ClaimRule"), apps.get_model("registry", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_invariants")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
