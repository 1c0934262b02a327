"""Writes the catalogue's trees, mapping, GWP sets and factor sets into their tables (idempotent:
rows that exist are left as they are — published sets are never rewritten; a revised set is a new
version in the catalogue)."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps as django_apps

from tanpuhui.inventories import catalogue as cat


def load(apps=None) -> None:
    apps = apps or django_apps  # the live registry: the demo re-applies it after a flush
    SectorNode = apps.get_model("inventories", "SectorNode")
    SectorMapping = apps.get_model("inventories", "SectorMapping")
    GwpSet = apps.get_model("inventories", "GwpSet")
    FactorSet = apps.get_model("inventories", "FactorSet")
    Factor = apps.get_model("inventories", "Factor")
    for tree, nodes in cat.TREES.items():
        for i, node in enumerate(nodes):
            SectorNode.objects.get_or_create(
                tree=tree,
                code=node.code,
                defaults={
                    "parent_code": node.parent,
                    "name_zh": node.name_zh,
                    "name_en": node.name_en,
                    "ordering": i,
                },
            )
    for category, (provincial, gpc, scope) in cat.MAPPING.items():
        SectorMapping.objects.get_or_create(
            category=category, defaults={"provincial_code": provincial, "gpc_code": gpc, "gpc_scope": scope}
        )
    for gwp in cat.GWP_SETS:
        GwpSet.objects.get_or_create(code=gwp["code"], defaults={k: v for k, v in gwp.items() if k != "code"})
    for spec in cat.FACTOR_SETS:
        base = FactorSet.objects.get(code=spec["base"]) if spec["base"] else None
        fields = {k: v for k, v in spec.items() if k not in ("code", "version", "base", "factors")}
        factor_set, created = FactorSet.objects.get_or_create(
            code=spec["code"], version=spec["version"], defaults={**fields, "base": base}
        )
        if not created:
            continue
        Factor.objects.bulk_create(
            Factor(
                factor_set=factor_set,
                subject=subject,
                parameter=parameter,
                sector=sector,
                value=Decimal(value),
                unit=unit,
                uncertainty_pct=Decimal(u),
            )
            for subject, parameter, sector, value, unit, u in spec["factors"]
        )
