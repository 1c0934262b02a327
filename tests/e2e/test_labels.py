"""A paper mill's footprint result page in Chromium on a phone: the figure, the stage chart, axe clean."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "tanpuhui" / "web" / "static" / "vendor" / "axe.min.js"


def test_paper_mill_sees_its_footprint_by_stage(page, centres, login_as, shot):
    from django.apps import apps

    from tanpuhui.labels import demo, seed
    from tanpuhui.labels.models import Study
    from tanpuhui.methodology import seed as methodology_seed

    methodology_seed.apply()  # the registry's factors, whatever an earlier transactional test left
    seed.load(apps)
    demo.load()
    study = Study.objects.get(product_name="高强瓦楞原纸")
    login_as(page, "13800003002", "demo-pass-2016")
    page.goto("/enterprise/footprints/")
    page.click(f"a[href='/enterprise/footprints/{study.pk}/']")
    assert page.locator("[data-testid=footprint-total]").inner_text() == "665.6"
    assert page.locator("[data-testid=stage-chart] rect").count() == 3
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
    )
    assert violations == []
    shot(page, "labels-footprint")
