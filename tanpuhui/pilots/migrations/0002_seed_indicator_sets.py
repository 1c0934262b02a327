"""Seed the indicator sets of ``pilots.seed`` (all items marked unverified; see seed.py)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

from tanpuhui.pilots.seed import INDICATOR_SETS


def forwards(apps, schema_editor):
    IndicatorSet = apps.get_model("pilots", "IndicatorSet")
    Indicator = apps.get_model("pilots", "Indicator")
    for data in INDICATOR_SETS:
        total = sum(Decimal(i["weight"]) for i in data["indicators"])
        assert total == 100, (data["pilot_type"], total)
        indicator_set, created = IndicatorSet.objects.get_or_create(
            pilot_type=data["pilot_type"],
            version=data["version"],
            defaults={
                "title": data["title"],
                "source": data["source"],
                "effective_from": date.fromisoformat(data["effective_from"]),
                "weight_total": Decimal(100),
            },
        )
        if not created:
            continue
        for order, item in enumerate(data["indicators"]):
            Indicator.objects.create(
                indicator_set=indicator_set,
                order=order,
                code=item["code"],
                category_zh=item["category_zh"],
                category_en=item["category_en"],
                name_zh=item["name_zh"],
                name_en=item["name_en"],
                kind=item["kind"],
                unit=item["unit"],
                comparator=item["comparator"],
                target=None if item["target"] is None else Decimal(item["target"]),
                weight=Decimal(item["weight"]),
                source=item["source"],
                verified=item["verified"],
            )


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
