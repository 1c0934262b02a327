import pytest
from django.utils import translation
from freezegun import freeze_time

# The worked examples use fixed dates; freeze "today" so they never drift out of the binding
# window or into the future (time still ticks for ordering).
TODAY = "2026-11-25 12:00:00+08:00"


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.METERING_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _english():
    # Row-error reasons are stored in the active language (zh-hans by default); assert the source.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _frozen_today():
    with freeze_time(TODAY, tick=True):
        yield
