"""Files through Django's storage API: one place that knows where uploads and generated reports live.

Three storages (``settings.STORAGES``): ``default`` (public media such as offer pictures), ``uploads``
(providers' files: they hold account numbers, never served by URL) and ``reports`` (generated documents
such as certificates, served only through the product's own views). The embedded setup keeps them on
local disk; production points all three at S3-compatible object storage (docs/operations.md "Files").

Large files never sit in memory: an upload is streamed in chunks to a temporary file while it is
hashed, then handed to the storage (a rename on local disk, a multipart upload to S3); reads come back
as a file object read in chunks (django-storages spools an S3 object to disk above
``AWS_S3_MAX_MEMORY_SIZE``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse

CHUNK = 1024 * 1024
UPLOADS = "uploads"
REPORTS = "reports"


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class SettingDirStorage(FileSystemStorage):
    """Local-disk storage whose folder is a setting read on every use (tests and benchmarks point
    ``METERING_UPLOAD_DIR`` at a temporary folder after the storage was made)."""

    def __init__(self, setting: str, **kwargs: Any) -> None:
        self.setting = setting
        super().__init__(**kwargs)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(getattr(settings, self.setting))

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no public address; serve them through a view")


def storage(alias: str) -> Storage:
    return storages[alias]


def is_local(store: Storage) -> bool:
    return isinstance(store, FileSystemStorage)


class _SpooledUpload(File):
    """A finished temporary file; ``temporary_file_path`` lets FileSystemStorage move it, not copy it."""

    def temporary_file_path(self) -> str:
        assert self.file is not None
        return self.file.name


class TooLarge(Exception):
    pass


@contextmanager
def spooled(
    stream: Readable, *, limit: int, folder: str | None = None
) -> Iterator[tuple[IO[bytes], int, str]]:
    """Copy ``stream`` to a temporary file a chunk at a time, hashing it; yields (file, size, sha256).

    Over ``limit`` bytes raises ``TooLarge`` as soon as the limit is passed. The file is removed on exit
    unless it was moved away (``save_spooled``)."""
    digest = hashlib.sha256()
    size = 0
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 — closed below, after the caller is done
        prefix="incoming-", suffix=".part", dir=folder, delete=False
    )
    try:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        handle.seek(0)
        yield handle, size, digest.hexdigest()
    finally:
        handle.close()
        Path(handle.name).unlink(missing_ok=True)


def spool_folder(alias: str) -> str | None:
    """Where to spool an upload bound for ``alias``: its own folder on local disk (so saving is a
    rename), the system's temporary folder otherwise."""
    store = storage(alias)
    if is_local(store):
        assert isinstance(store, FileSystemStorage)
        return str(Path(store.location) / "incoming")
    return getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)


def save_spooled(alias: str, name: str, handle: IO[bytes]) -> str:
    """Hand a spooled file to the storage under ``name``; returns the name actually used."""
    return storage(alias).save(name, _SpooledUpload(handle, name=name))


@contextmanager
def open_binary(alias: str, name: str) -> Iterator[IO[bytes]]:
    """The stored file for reading in chunks (a real file on local disk; a spooled download on S3)."""
    store = storage(alias)
    if is_local(store):
        # Batches received before the storage API kept an absolute path; they stay readable.
        with open(name if os.path.isabs(name) else store.path(name), "rb") as handle:
            yield handle
        return
    stored = store.open(name, "rb")
    try:
        # S3File downloads into a SpooledTemporaryFile (to disk above AWS_S3_MAX_MEMORY_SIZE); hand the
        # parsers that io object, which TextIOWrapper and the COPY reader take as any file.
        assert stored.file is not None
        yield stored.file
    finally:
        stored.close()


def delete(alias: str, name: str) -> None:
    store = storage(alias)
    if name and store.exists(name):
        store.delete(name)


def report(name: str, render: Callable[[], bytes]) -> str:
    """A generated document, rendered once and kept in the ``reports`` storage (it never changes once
    issued: a certificate describes a final act). Returns its storage name."""
    store = storage(REPORTS)
    if not store.exists(name):
        stored = store.save(name, ContentFile(render()))
        if stored != name:  # a parallel request rendered it first; keep one copy
            store.delete(stored)
    return name


def report_response(
    name: str, *, filename: str, content_type: str, as_attachment: bool = False
) -> FileResponse:
    """Stream a stored report to the client in chunks (FileResponse reads the storage file lazily)."""
    response = FileResponse(
        storage(REPORTS).open(name, "rb"),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
