from django.db import migrations

from tanpuhui.registry import forestry_seed


def forwards(apps, schema_editor):
    forestry_seed.apply(apps)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_survey_plots"), ("methodology", "0004_forest_stock_growth_formula")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
