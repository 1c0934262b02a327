"""Every app's Simplified Chinese catalogue is complete: no empty, fuzzy or placeholder-breaking entry.

New strings come in with ``makemessages``; this test fails until someone writes their Chinese.
"""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def test_catalogues_exist_for_the_foundation_apps():
    apps = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}
    assert {"web", "accounts", "tenancy", "common", "metering"} <= apps


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"empty: {entry.msgid!r}")
            continue
        # A copied English phrase is untranslated; copied units or codes ("kWh", "PHCER") are fine.
        if entry.msgstr.strip() == entry.msgid.strip() and re.search(
            r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", entry.msgid
        ):
            problems.append(f"untranslated (copied): {entry.msgid!r}")
        for translation in translations:
            if sorted(PLACEHOLDER.findall(translation)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"placeholders differ: {entry.msgid!r} -> {translation!r}")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)
