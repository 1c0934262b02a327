"""The label itself, drawn from the certificate: SVG (in the scheme's label language — Traditional
Chinese for Hong Kong) and PNG, each with the value, the unit, the scheme mark area and a QR code that
opens the public verification page. The PNG is drawn with Pillow in Latin script (the server has no CJK
font); the SVG carries the Chinese text and is what print shops take."""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

import segno
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from tanpuhui.labels.models import Certificate

WIDTH, HEIGHT = 360, 200
GREEN = "#1b7f4b"
FONT_DIR = "/usr/share/fonts/truetype/dejavu"


def figure(value: Decimal) -> str:
    """The value as printed: four significant figures are what a footprint supports."""
    text = f"{value:.4g}" if abs(value) < 10000 else f"{value:,.0f}"
    return text if "e" not in text else f"{value:,.0f}"


def _language(certificate: Certificate) -> str:
    return certificate.scheme.label_language if certificate.scheme else "zh-hans"


def label_svg(certificate: Certificate, verify_url: str) -> str:
    qr = segno.make(verify_url, error="m")
    qr_size = 124
    scale = qr_size / qr.symbol_size(border=2)[0]
    with translation.override(_language(certificate)):
        mark = certificate.scheme.name if certificate.scheme else _("Low-carbon product")
        words = {
            "title": _("Carbon footprint"),
            "per": _("kg CO₂e per %(unit)s") % {"unit": certificate.declared_unit_words},
            "number": _("No. %(number)s") % {"number": certificate.number},
            "valid": _("Valid until %(day)s") % {"day": certificate.valid_until.isoformat()},
            "scan": _("Scan to verify"),
        }
    e = {k: escape(v) for k, v in words.items()}
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{e["title"]} {figure(certificate.kg_co2e)} {e["per"]}">
<rect x="2" y="2" width="{WIDTH - 4}" height="{HEIGHT - 4}" rx="14" fill="#fff" stroke="{GREEN}" stroke-width="4"/>
<rect x="2" y="2" width="{WIDTH - 4}" height="38" rx="14" fill="{GREEN}"/>
<rect x="2" y="26" width="{WIDTH - 4}" height="14" fill="{GREEN}"/>
<text x="18" y="28" font-family="sans-serif" font-size="16" font-weight="700" fill="#fff">{escape(mark)}</text>
<text x="18" y="66" font-family="sans-serif" font-size="13" fill="#333">{e["title"]}</text>
<text x="18" y="112" font-family="sans-serif" font-size="40" font-weight="700" fill="{GREEN}">{figure(certificate.kg_co2e)}</text>
<text x="18" y="134" font-family="sans-serif" font-size="12" fill="#333">{e["per"]}</text>
<text x="18" y="166" font-family="sans-serif" font-size="11" fill="#555">{e["number"]}</text>
<text x="18" y="182" font-family="sans-serif" font-size="11" fill="#555">{e["valid"]}</text>
<g transform="translate({WIDTH - qr_size - 14},{48}) scale({scale:.4f})">{qr.svg_inline(scale=1, border=2, dark="#000", light="#fff")}</g>
<text x="{WIDTH - qr_size / 2 - 14}" y="188" text-anchor="middle" font-family="sans-serif" font-size="10" fill="#555">{e["scan"]}</text>
</svg>"""


def label_png(certificate: Certificate, verify_url: str, *, scale: int = 2) -> bytes:
    w, h = WIDTH * scale, HEIGHT * scale
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)

    def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        try:
            return ImageFont.truetype(f"{FONT_DIR}/DejaVuSans{'-Bold' if bold else ''}.ttf", size * scale)
        except OSError:  # pragma: no cover - a server without DejaVu
            return ImageFont.load_default()

    draw.rounded_rectangle(
        (2 * scale, 2 * scale, w - 2 * scale, h - 2 * scale), 14 * scale, outline=GREEN, width=4 * scale
    )
    draw.rounded_rectangle((2 * scale, 2 * scale, w - 2 * scale, 40 * scale), 14 * scale, fill=GREEN)
    draw.rectangle((2 * scale, 26 * scale, w - 2 * scale, 40 * scale), fill=GREEN)
    mark = certificate.scheme.name_en if certificate.scheme else "Low-carbon product"
    draw.text((18 * scale, 12 * scale), mark, font=font(15, True), fill="white")
    draw.text((18 * scale, 52 * scale), "Carbon footprint", font=font(13), fill="#333")
    draw.text((18 * scale, 72 * scale), figure(certificate.kg_co2e), font=font(38, True), fill=GREEN)
    draw.text(
        (18 * scale, 122 * scale), f"kg CO2e per {certificate.declared_unit}", font=font(12), fill="#333"
    )
    draw.text((18 * scale, 156 * scale), f"No. {certificate.number}", font=font(11), fill="#555")
    draw.text(
        (18 * scale, 172 * scale),
        f"Valid until {certificate.valid_until.isoformat()}",
        font=font(11),
        fill="#555",
    )
    # Whole pixels per module (no resampling), centred in the QR area, so every scanner reads it.
    side = 124 * scale
    code = segno.make(verify_url, error="m")
    module = max(1, side // code.symbol_size(border=2)[0])
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=module, border=2)
    qr = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    offset = (side - qr.width) // 2
    image.paste(qr, (w - side - 14 * scale + offset, 48 * scale + offset))
    draw.text(
        (w - side - 14 * scale + side // 2, 178 * scale),
        "Scan to verify",
        font=font(10),
        fill="#555",
        anchor="mm",
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
