"""Every page a resident of the demo meets speaks plainly, in Chinese and in English.

The demo is loaded once; a Guangzhou resident with trips, coins and a voucher opens each page of the
resident journey in both languages. The visible text (not scripts, styles or attributes) must hold no
code identifier: no snake_case word (``electricity_reading``), no ``kg_co2e`` unit spelling, no file
path (``formulas.py``), no raw enum value where its label belongs (``earn``, ``metro`` on a Chinese
page), no English sentence on a Chinese page. A failure lists every finding with its page.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from tanpuhui.accounts.models import User
from tanpuhui.funding.models import CrowdfundingProject
from tanpuhui.marketplace.models import Offer, Voucher
from tanpuhui.metering.models import Reduction
from tanpuhui.methodology import explain
from tanpuhui.methodology.models import Methodology

pytestmark = pytest.mark.django_db

SNAKE = re.compile(
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"
)  # also ROUND_HALF_UP
# Internal units of the ledger and the rule engine: per-mille fractions, "rule v1 → 5".
INTERNAL = re.compile(r"‰|\bv\d+ →")
PATH = re.compile(r"\b[\w/.-]+\.py\b")
CODE_UNIT = re.compile(r"kg_co2e|t_co2e|g_co2e|\*\*[23]")
# Four or more Latin words in a row: an English phrase (a note, a source title) on a Chinese page.
_WORD = r"[A-Za-z][A-Za-z'’-]+"
ENGLISH_PHRASE = re.compile(rf"\b{_WORD}(?:[\s,()]+(?:\d+[\s,()]+)?{_WORD}){{3,}}")
# A Latin run: words joined by spaces. An enum value standing alone in one is a code, not English.
LATIN_RUN = re.compile(r"[A-Za-z0-9_]+(?:[ '’-]+[A-Za-z0-9_]+)*")
SKIP = {"script", "style", "template", "noscript"}


class _Text(HTMLParser):
    """The text a person reads: data outside script/style elements (attributes are never text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def enum_codes() -> set[str]:
    """Every stored choice value that differs from what people read (its label)."""
    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if (
                    isinstance(value, str)
                    and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value)
                    and value != str(label)
                ):
                    codes.add(value)
    return codes


def findings(text: list[str], *, chinese: bool, codes: set[str]) -> list[str]:
    found = []
    for line in text:
        checks = (
            (SNAKE, "code name"),
            (PATH, "file path"),
            (CODE_UNIT, "unit spelling"),
            (INTERNAL, "internal"),
        )
        for pattern, what in checks:
            found += [f"{what} {m.group(0)!r} in {line[:90]!r}" for m in pattern.finditer(line)]
        if chinese:
            found += [
                f"enum value {run.group(0)!r} in {line[:90]!r}"
                for run in LATIN_RUN.finditer(line)
                if run.group(0) in codes
            ]
            found += [f"English {m.group(0)[:60]!r} in {line[:90]!r}" for m in ENGLISH_PHRASE.finditer(line)]
    return found


def demo_resident() -> User:
    """The Guangzhou resident of the demo with a voucher and the most kinds of low-carbon behaviour."""
    with_vouchers = Voucher.objects.filter(resident__centre__code="GZ").values("resident")
    resident = (
        User.objects.filter(pk__in=with_vouchers)
        .annotate(kinds=Count("reductions__behaviour", distinct=True))
        .order_by("-kinds", "phone")
        .first()
    )
    assert resident is not None, "the demo has a Guangzhou resident with a voucher"
    return resident


def resident_pages(resident: User) -> dict[str, str]:
    """The resident journey's pages; one explanation for each kind of behaviour the resident has."""
    explanations = {}
    for behaviour in (
        Reduction.objects.filter(resident=resident).values_list("behaviour", flat=True).distinct()
    ):
        latest = Reduction.objects.filter(resident=resident, behaviour=behaviour, kg_co2e__gt=0).order_by(
            "-id"
        )
        reduction = latest.first() or Reduction.objects.filter(resident=resident, behaviour=behaviour).first()
        assert reduction is not None
        explanations[f"explanation of {behaviour}"] = reverse("web:my-reduction-detail", args=[reduction.pk])
    voucher = Voucher.objects.filter(resident=resident).first()
    offer = Offer.objects.filter(centre=resident.centre, status="approved").first() or Offer.objects.first()
    project = CrowdfundingProject.objects.filter(centre=resident.centre).first()
    methodology = Methodology.objects.get(code="metro")
    assert offer is not None and voucher is not None and project is not None, "the demo has them"
    return {
        "home": reverse("web:home"),
        "reductions": reverse("web:my-reductions"),
        **explanations,
        "wallet": reverse("web:wallet"),
        "offers": reverse("web:offers"),
        "offer": reverse("web:offer-detail", args=[offer.pk]),
        "vouchers": reverse("web:vouchers"),
        "voucher": reverse("web:voucher-detail", args=[voucher.pk]),
        "crowdfunding": reverse("web:crowdfunding"),
        "crowdfunding project": reverse("web:crowdfunding-detail", args=[project.pk]),
        "causes": reverse("web:causes"),
        "campaigns": reverse("web:campaigns"),
        "methodologies": reverse("web:methodologies"),
        "methodology": reverse("web:methodology", args=[methodology.code]),
        "profile": reverse("web:profile"),
    }


def test_findings_catch_what_residents_must_not_read():
    """The scanner itself: each kind of leak is found, and plain text passes."""
    html = (
        "<p>electricity_reading · kg_co2e/kWh · formulas in tanpuhui/methodology/formulas.py</p>"
        "<p>earn · 3 trips</p><p>Announcement on the 2021 electricity factors</p><p>ROUND_HALF_UP · 310 ‰</p>"
        '<script>var a_b = 1;</script><p title="snake_case_ok">你乘坐地铁 1 次</p>'
    )
    found = findings(visible_text(html), chinese=True, codes={"earn"})
    kinds = {f.split(" ")[0] for f in found}
    assert kinds == {"code", "file", "unit", "enum", "English", "internal"}, found
    assert any("ROUND_HALF_UP" in f for f in found)
    assert not any("a_b" in f or "snake_case_ok" in f for f in found)
    assert (
        findings(visible_text("<p>你乘坐地铁 12 次 · +6 枚 · 0.5155 千克</p>"), chinese=True, codes={"earn"})
        == []
    )


def test_every_resident_page_speaks_plainly_in_both_languages():
    call_command("demo_load", stdout=io.StringIO())
    resident = demo_resident()
    client = Client()
    client.force_login(resident)
    codes = enum_codes()
    problems = []
    for lang in ("zh-hans", "en"):
        for name, url in resident_pages(resident).items():
            response = client.get(url, {"lang": lang})
            if response.status_code != 200:
                problems.append(f"[{lang}] {name} {url}: HTTP {response.status_code}")
                continue
            assert response.headers["Content-Language"] == lang
            text = visible_text(response.content.decode())
            problems += [
                f"[{lang}] {name} {url}: {f}" for f in findings(text, chinese=lang == "zh-hans", codes=codes)
            ]
    assert not problems, f"{len(problems)} findings:\n" + "\n".join(dict.fromkeys(problems))

    # The story an explanation tells adds up to the figure quantification stored, for every reduction.
    for reduction in Reduction.objects.filter(resident=resident, kind="original").select_related(
        "source_record"
    ):
        snapshot = reduction.inputs_snapshot
        told = explain.story(
            behaviour=reduction.behaviour,
            formula=snapshot["formula"],
            config=snapshot.get("config"),
            params={slot: Decimal(p["value"]) for slot, p in snapshot["params"].items()},
            quantity=reduction.quantity,
            baseline=reduction.baseline,
            distance_km=reduction.distance_km,
        )
        assert told.lines and told.figure == reduction.kg_co2e, (reduction.behaviour, told, reduction.kg_co2e)
