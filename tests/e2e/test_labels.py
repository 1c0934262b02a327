"""A paper mill's footprint result page in Chromium on a phone: the figure, the stage chart, axe clean."""

from pathlib import Path

import pytest

from tests.e2e.test_every_page import AXE_RUN, OVERFLOW, WIDTH

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


def test_a_scanned_label_opens_its_verification_page(page, centres):
    """What a buyer's phone shows after scanning: the catalogue finds the product, the certificate page
    gives number, footprint, scope, rule and validity, and links the Hong Kong label in Traditional
    Chinese; a withdrawn certificate says so."""
    from django.apps import apps

    from tanpuhui.enterprises.tests.factories import make_enterprise
    from tanpuhui.labels import seed, services
    from tanpuhui.labels.tests.factories import accredited_verifier, certified, certifier
    from tanpuhui.methodology import seed as methodology_seed

    methodology_seed.apply()
    seed.load(apps)
    seed.load_schemes(apps)
    gz = centres["GZ"]
    enterprise, user = make_enterprise(gz, name="东莞某造纸厂")
    body = certifier(gz.parent)
    app = certified(enterprise, user, body, accredited_verifier(gz))
    gd = app.certificates.get(scheme__code="gd")
    hk = app.certificates.get(scheme__code="hk")
    page.goto("/labels/?q=瓦楞")
    page.click(f"a[href='/labels/c/{gd.number}/']")
    assert page.locator("[data-testid=certificate-number]").inner_text() == gd.number
    assert "665.62" in page.locator("[data-testid=certificate-footprint]").inner_text()
    assert page.locator("[data-testid=certificate-status]").inner_text().strip() == "有效"
    label = page.locator(f"img[src='/labels/c/{gd.number}/label.svg']")
    # The label loads as an image (a broken SVG would reject ``decode``) at its drawn width.
    assert label.evaluate("img => img.decode().then(() => img.naturalWidth)") == 360
    _accessible_and_narrow(page)
    page.goto("/labels/?q=瓦楞")
    _accessible_and_narrow(page)
    page.goto(f"/labels/c/{gd.number}/")
    page.click(f"[data-testid=siblings] a[href='/labels/c/{hk.number}/']")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert "有效期至" in page.content() and "規則及版本" in page.content()
    services.certificate_set_status(certificate=hk, actor=body, status="withdrawn", note="企業停產")
    page.reload()
    assert page.locator("[data-testid=certificate-status]").inner_text().startswith("已撤銷")


def _accessible_and_narrow(page) -> None:
    """No serious or critical axe-core violation, nothing wider than the phone."""
    page.add_script_tag(path=str(AXE))
    blocking = [v["id"] for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]
    assert blocking == []
    assert page.evaluate(OVERFLOW, WIDTH)["wide"] == []
