"""Demo: the seeded registry plus what the demo centres publish themselves.

- each demo city centre's tap-water supply intensity (kWh/m³). These are ILLUSTRATIVE demo values,
  labelled as such: there is no authoritative national figure, and a real centre publishes its
  utility's own figure with its source (services.parameter_publish);
- Hengqin (HQ) credits electricity savings by Korea carbon-point style tiers (5 / 10 / 15 %), to
  show a centre-specific version next to the global one.
Idempotent: rows are looked up by natural key and never changed.
"""

from datetime import date
from decimal import Decimal

from tanpuhui.methodology import seed
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter
from tanpuhui.tenancy.models import Centre

DEMO_INTENSITY = Decimal("0.29")


def load() -> str:
    created = seed.apply()
    intensities = 0
    for centre in Centre.objects.filter(code__in=["GZ", "ZS", "DG", "HQ"]):
        _row, made = Parameter.objects.get_or_create(
            code="water_supply_intensity",
            region=Parameter.Region.CENTRE,
            centre=centre,
            qualifier="",
            valid_from=seed.PLATFORM_START,
            defaults={
                "name_zh": "自来水供水单位电耗（演示值）",
                "name_en": "Tap-water supply electricity intensity (demo value)",
                "value": DEMO_INTENSITY,
                "unit": "kWh/m**3",
                "source_publication": "演示数据：示意值，非本市公布数据 / Demo data: illustrative, not a "
                "published figure for this city",
                "source_issuer": "Tanpuhui demo",
                "source_year": 2026,
                "derivation": "Order of magnitude of urban water-supply electricity use in China, for the demo "
                "only. A real centre publishes its utility's figure with the source.",
            },
        )
        intensities += int(made)
    hq = Centre.objects.filter(code="HQ").first()
    tiers = 0
    if hq is not None:
        methodology = Methodology.objects.get(code="electricity_saving")
        version, made = MethodologyVersion.objects.get_or_create(
            methodology=methodology,
            centre=hq,
            label="1.0-HQ-tiers",
            defaults={
                "formula": "utility_saving_kwh",
                "config": {"tiers": ["0.05", "0.10", "0.15"]},
                "effective_from": date(2016, 1, 1),
                "source_text": seed.HQ_TIERS_SOURCE,
                "notes_zh": "节电比例达到 5%、10%、15% 档位时，按档位比例乘以基线计减排量。",
                "notes_en": "Savings reaching 5 %, 10 % or 15 % are credited at that tier × the baseline.",
            },
        )
        if made:
            VersionParameter.objects.create(
                version=version, slot="factor", code="grid_ef", regions="south_china_grid,national"
            )
            tiers = 1
    seed.apply_wording()  # the demo's own rows read plainly too
    return (
        f"{created['methodologies']} methodologies, {created['versions']} versions, "
        f"{created['parameters']} parameters seeded; {intensities} demo water intensities; {tiers} tier version"
    )
