"""A provider's file is streamed into the uploads storage: memory stays flat whatever its size."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.storage import storages

from tanpuhui.metering import services
from tanpuhui.metering.models import DataProvider
from tanpuhui.metering.tests.factories import make_provider

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


class _Generated:
    """``size`` bytes of CSV produced as they are read (never a whole file in the test either)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.line = b"T1,1,T100000001,metro,2026-09-01T08:00:00+08:00,A,B,\n"
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        chunk = (self.line * (size // len(self.line) + 1))[:size]
        self.left -= len(chunk)
        self.sha.update(chunk)
        return chunk


def test_a_large_upload_is_streamed_to_storage_in_chunks(gz):
    provider = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    body = _Generated(24 * MIB)
    tracemalloc.start()
    try:
        batch, duplicate = services.batch_receive(
            provider=provider, record_type="transit_trip", file_format="csv", stream=body, enqueue=False
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not duplicate and batch.size_bytes == 24 * MIB and batch.sha256 == body.sha.hexdigest()
    assert peak < 6 * MIB, f"peak {peak / MIB:.1f} MiB for a 24 MiB file"  # a few 1 MiB chunks, not the file
    uploads = storages["uploads"]
    assert uploads.size(batch.file_path) == 24 * MIB
    assert not any(Path(uploads.path("incoming")).iterdir())  # no spooled copy left behind
