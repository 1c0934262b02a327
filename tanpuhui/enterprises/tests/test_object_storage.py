"""Files through S3: a provider's upload and a generated certificate against a real S3-compatible server.

The server is moto's (``moto[server]``, a dev dependency), started by this module as a subprocess on a
free port of this machine; django-storages talks to it over HTTP exactly as it would to MinIO or a
cloud's object storage.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import storages
from rest_framework.test import APIClient

pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

ROOT = Path(__file__).resolve().parents[3]
BUCKET = "tanpuhui-files"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 — moto's own server module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the S3 test server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


@pytest.fixture
def s3(s3_endpoint, settings):
    """The three storages on a fresh bucket of the test server, as production configures them."""
    client = _client(s3_endpoint)
    bucket = f"{BUCKET}-{os.getpid()}-{time.monotonic_ns()}"
    client.create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket,
        "endpoint_url": s3_endpoint,
        "max_memory_size": 64 * 1024,  # spool to disk above 64 KiB, as production does above 8 MiB
        "file_overwrite": False,
        "default_acl": None,
        **CREDENTIALS,
    }
    backend = "storages.backends.s3.S3Storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": backend, "OPTIONS": {**options, "location": "media"}},
        "uploads": {"BACKEND": backend, "OPTIONS": {**options, "location": "provider-uploads"}},
        "reports": {"BACKEND": backend, "OPTIONS": {**options, "location": "reports"}},
    }
    return client, bucket


def _keys(client, bucket: str, prefix: str) -> dict[str, int]:
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {item["Key"]: item["Size"] for item in listed}


@pytest.mark.django_db
def test_a_provider_file_is_stored_in_s3_and_processed_from_there(
    s3, gz, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tanpuhui.accounts.models import Binding
    from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory
    from tanpuhui.metering.models import Batch, DataProvider, SourceRecord
    from tanpuhui.metering.services import provider_key_issue
    from tanpuhui.metering.tests.factories import make_provider, seed_methods

    client, bucket = s3
    settings.METERING_UPLOAD_DIR = tmp_path / "local-uploads"  # must stay empty: the file goes to S3
    seed_methods(gz, behaviours=["metro"])
    BindingFactory(
        resident=ResidentFactory(centre=gz),
        centre=gz,
        kind=Binding.Kind.TRANSIT_CARD,
        account_number="T100000001",
    )
    provider = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    # Larger than the spool threshold and the multipart chunk, so both the upload and the read stream.
    lines = ["record_id,revision,card,mode,boarded_at,origin,destination,distance_km"]
    start = datetime(2026, 11, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    lines += [
        f"T{i},1,T1{i % 100:08d},metro,{(start + timedelta(minutes=i)).isoformat()},A,B," for i in range(3000)
    ]
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 64 * 1024

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {provider_key_issue(provider=provider)}")
    with django_capture_on_commit_callbacks(execute=True):  # the queued processing runs (eagerly)
        answer = api.post(
            "/api/v1/provider/batches?record_type=transit_trip", data=body, content_type="text/csv"
        )
    assert answer.status_code == 202, answer.content
    batch = Batch.objects.get(pk=answer.json()["id"])

    stored = _keys(client, bucket, "provider-uploads/")
    assert stored == {f"provider-uploads/{batch.file_path}": len(body)}
    assert not any(Path(settings.METERING_UPLOAD_DIR).rglob("*.csv"))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE, batch.failure_reason
    assert (batch.received, batch.rejected) == (3000, 0)
    assert SourceRecord.objects.filter(batch=batch).count() == 3000

    again = api.post("/api/v1/provider/batches?record_type=transit_trip", data=body, content_type="text/csv")
    assert again.status_code == 200 and again.json()["id"] == str(batch.pk)
    assert len(_keys(client, bucket, "provider-uploads/")) == 1  # a duplicate is never stored twice


@pytest.mark.django_db
def test_a_certificate_is_rendered_once_into_s3_and_downloaded_from_there(s3, gz, client):
    from tanpuhui.enterprises import services
    from tanpuhui.enterprises.tests.factories import make_approved_project, make_enterprise

    s3_client, bucket = s3
    enterprise, user = make_enterprise(gz)
    project = make_approved_project(enterprise, user)
    donation = services.donation_create(
        enterprise=enterprise,
        actor=user,
        reduction_year_id=project.years.get().pk,
        kg_co2e=Decimal("1000"),
        idempotency_key="s3",
    )
    url = f"/certificates/{donation.verification_code}/pdf"
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    pdf = b"".join(first.streaming_content)
    assert pdf.startswith(b"%PDF")
    key = f"reports/enterprises/certificates/{donation.verification_code}.pdf"
    assert _keys(s3_client, bucket, "reports/") == {key: len(pdf)}

    # Served from the stored copy: replace the object and the next download is what S3 holds.
    s3_client.put_object(Bucket=bucket, Key=key, Body=b"%PDF-stored-copy")
    second = client.get(url)
    assert b"".join(second.streaming_content) == b"%PDF-stored-copy"


def test_the_environment_selects_s3_for_every_storage(s3_endpoint):
    """What production sets (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, keys) is all it takes."""
    bucket = f"env-{os.getpid()}-{time.monotonic_ns()}"
    _client(s3_endpoint).create_bucket(Bucket=bucket)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "tanpuhui.settings",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    probe = (
        "import django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import storages\n"
        "for alias in ('default', 'uploads', 'reports'):\n"
        "    s = storages[alias]; name = s.save('probe.txt', ContentFile(alias.encode()))\n"
        "    print(alias, type(s).__name__, s.location, s.open(name).read().decode(), s.max_memory_size)\n"
    )
    done = subprocess.run(  # noqa: S603 — our own settings
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:3] == [
        "default S3Storage media default 8388608",
        "uploads S3Storage provider-uploads uploads 8388608",
        "reports S3Storage reports reports 8388608",
    ]
    keys = _keys(_client(s3_endpoint), bucket, "")
    assert set(keys) == {"media/probe.txt", "provider-uploads/probe.txt", "reports/probe.txt"}


def test_without_a_bucket_private_files_stay_in_their_local_folders(settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.METERING_UPLOAD_DIR = tmp_path / "elsewhere"  # after the storage was made: it follows
    name = storages["uploads"].save("probe.csv", ContentFile(b"a,b\n"))
    assert (tmp_path / "elsewhere" / name).read_bytes() == b"a,b\n"
    with pytest.raises(ValueError):
        storages["uploads"].url(name)  # never a public address
