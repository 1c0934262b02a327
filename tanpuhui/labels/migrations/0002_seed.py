from django.db import migrations


def forwards(apps, schema_editor):
    from tanpuhui.labels import seed

    seed.load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("labels", "0001_initial"),
        ("methodology", "0004_forest_stock_growth_formula"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
