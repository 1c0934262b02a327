"""HTTP: provider uploads (multipart and streamed), limits, tenant walls, residents' reductions."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory
from tanpuhui.metering.models import Batch, DataProvider, Reduction
from tanpuhui.metering.services import provider_key_issue
from tanpuhui.metering.tests.factories import make_provider, seed_methods

pytestmark = pytest.mark.django_db

BATCHES = "/api/v1/provider/batches"
HEADER = "record_id,card,mode,boarded_at\n"
GOOD = HEADER + "t1,T100000001,metro,2026-09-01T08:12:00+08:00\n"


def key_client(provider) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {provider_key_issue(provider=provider)}")
    return client


@pytest.fixture
def gz_transit(gz):
    seed_methods(gz)
    return make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)


@pytest.fixture
def zs_transit(zs):
    seed_methods(zs)
    return make_provider(zs, DataProvider.Kind.TRANSIT_OPERATOR)


def post_raw(client, body: bytes, content_type="text/csv", record_type="transit_trip"):
    return client.generic("POST", f"{BATCHES}?record_type={record_type}", body, content_type=content_type)


class TestUpload:
    def test_streamed_csv_is_accepted_and_processed(
        self, gz_transit, resident, django_capture_on_commit_callbacks
    ):
        BindingFactory(resident=resident, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001")
        client = key_client(gz_transit)
        with django_capture_on_commit_callbacks(execute=True):
            response = post_raw(client, GOOD.encode())
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["duplicate"] is False
        detail = client.get(f"{BATCHES}/{body['id']}").json()
        assert detail["status"] == "done"
        assert {k: detail[k] for k in ("received", "accepted", "rejected", "matched", "quantified")} == {
            "received": 1, "accepted": 1, "rejected": 0, "matched": 1, "quantified": 1,
        }  # fmt: skip

    def test_multipart_upload_and_duplicate_file(self, gz_transit, django_capture_on_commit_callbacks):
        client = key_client(gz_transit)
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(
                BATCHES,
                {
                    "record_type": "transit_trip",
                    "file": SimpleUploadedFile("trips.csv", GOOD.encode(), "text/csv"),
                },
                format="multipart",
            )
        assert first.status_code == 202, first.content
        again = post_raw(client, GOOD.encode())
        assert again.status_code == 200
        assert again.json()["duplicate"] is True
        assert again.json()["id"] == first.json()["id"]
        assert Batch.objects.count() == 1

    def test_ndjson_body(self, gz_transit, django_capture_on_commit_callbacks):
        body = b'{"record_id": "j1", "card": "T1", "mode": "bus", "boarded_at": "2026-09-01T08:00:00"}\n'
        with django_capture_on_commit_callbacks(execute=True):
            response = post_raw(key_client(gz_transit), body, "application/x-ndjson")
        assert response.status_code == 202
        assert Batch.objects.get().file_format == "jsonl"

    def test_wrong_content_type_is_415(self, gz_transit):
        response = post_raw(key_client(gz_transit), b'{"a": 1}', "application/json")
        assert response.status_code == 415
        assert response.json()["error"]["code"] == "unsupported_media_type"

    def test_over_the_size_limit_is_413_and_nothing_kept(self, gz_transit, settings):
        settings.METERING_MAX_UPLOAD_BYTES = 100
        response = post_raw(key_client(gz_transit), (GOOD * 10).encode())
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "file_too_large"
        assert not Batch.objects.exists()

    def test_the_size_limit_message_names_the_limit_that_is_enforced(self, gz_transit, settings):
        """The limit is binary (MiB) and the message says so, with the exact byte count."""
        settings.METERING_MAX_UPLOAD_BYTES = 1024 * 1024
        client = key_client(gz_transit)
        exactly = GOOD.encode() + b"\n" * (1024 * 1024 - len(GOOD.encode()))  # blank lines are no rows
        over = exactly + b"\n"
        response = post_raw(client, over)
        assert response.status_code == 413
        message = response.json()["error"]["message"]
        assert "1 MiB" in message and "1,048,576" in message and "MB." not in message
        assert post_raw(client, exactly).status_code == 202

    def test_the_default_limit_is_200_mib(self):
        from django.utils import translation

        from tanpuhui.metering import services

        assert services.max_upload_bytes() == 200 * 1024 * 1024
        with translation.override("en"):
            assert services.too_large().message == "The file is larger than 200 MiB (209,715,200 bytes)."

    def test_record_type_not_allowed_for_this_provider(self, gz_transit):
        response = post_raw(key_client(gz_transit), GOOD.encode(), record_type="electricity_reading")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "record_type_not_allowed"

    def test_residents_and_anonymous_cannot_upload(self, api, resident, client_for, gz_transit):
        assert api.generic("POST", BATCHES, GOOD, content_type="text/csv").status_code in (401, 403)
        assert client_for(resident).generic("POST", BATCHES, GOOD, content_type="text/csv").status_code == 403


class TestProviderTenantWall:
    def test_zs_provider_cannot_read_gz_batch_or_errors(
        self, gz_transit, zs_transit, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            batch_id = post_raw(key_client(gz_transit), GOOD.encode()).json()["id"]
        zs = key_client(zs_transit)
        assert zs.get(f"{BATCHES}/{batch_id}").status_code == 404
        assert zs.get(f"{BATCHES}/{batch_id}/errors").status_code == 404
        assert zs.get(BATCHES).json()["count"] == 0

    def test_uploads_always_go_to_the_providers_own_centre(
        self, gz_transit, zs, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = key_client(gz_transit).generic(
                "POST",
                f"{BATCHES}?record_type=transit_trip&centre=ZS",
                GOOD.encode(),
                content_type="text/csv",
            )
        assert Batch.objects.get(pk=response.json()["id"]).centre.code == "GZ"

    def test_errors_csv_neutralises_formulas(self, gz_transit, django_capture_on_commit_callbacks):
        body = (
            HEADER
            + '=HYPERLINK("http://x"),T1,metro,2026-09-01T08:00:00\nt2,T1,@SUM(A1),2026-09-01T08:00:00\n'
        )
        client = key_client(gz_transit)
        with django_capture_on_commit_callbacks(execute=True):
            batch_id = post_raw(client, body.encode()).json()["id"]
        response = client.get(f"{BATCHES}/{batch_id}/errors")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0] == ["row", "field", "reason", "raw_value", "code"]
        assert rows[1][0] == "2" and rows[1][3] == '\'=HYPERLINK("http://x")'
        assert rows[2][3] == "'@SUM(A1)"


class TestReadersLanguage:
    def test_row_errors_are_rendered_in_the_readers_language(
        self, gz_transit, gz_operator, client, django_capture_on_commit_callbacks
    ):
        """A file processed while Chinese was active: the provider reading with ?lang=en gets English,
        the default reader Chinese (the message is stored as a code, rendered on reading)."""
        body = HEADER + "t1,T100000001,tram,2026-09-01T08:00:00\n"
        provider_client = key_client(gz_transit)
        with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
            batch_id = post_raw(provider_client, body.encode()).json()["id"]

        def reasons(response):
            rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
            return [(row[2], row[4]) for row in rows[1:]]

        chinese = provider_client.get(f"{BATCHES}/{batch_id}/errors")
        assert reasons(chinese) == [("必须为 bus 或 metro", "bad_mode")]
        english = provider_client.get(f"{BATCHES}/{batch_id}/errors?lang=en")  # the language switch
        assert reasons(english) == [("must be bus or metro", "bad_mode")]
        client.force_login(gz_operator)
        assert (
            "must be bus or metro"
            in client.get(f"/staff/metering/batches/{batch_id}/?lang=en").content.decode()
        )
        staff_csv = client.get(f"/staff/metering/batches/{batch_id}/errors.csv?lang=en")
        assert reasons(staff_csv) == [("must be bus or metro", "bad_mode")]

    def test_rows_stored_before_codes_keep_their_text(self, gz_transit):
        from tanpuhui.metering.models import RowError
        from tanpuhui.metering.selectors import batch_errors_csv
        from tanpuhui.metering.tests.factories import upload

        batch, _ = upload(gz_transit, "transit_trip", GOOD)
        batch.rejected = 1
        RowError.objects.create(batch=batch, row_number=2, field="mode", reason="必须为 bus 或 metro")
        rows = list(csv.reader(io.StringIO("".join(batch_errors_csv(batch, "en")))))
        assert rows[1][:3] == ["2", "mode", "必须为 bus 或 metro"]


class TestTooOld:
    def test_a_backlog_older_than_the_binding_window_is_counted_and_explained(
        self, gz_transit, gz_operator, client_for, client, django_capture_on_commit_callbacks
    ):
        """Today is 2026-11-25 and the window 90 days: a trip of 2026-06-01 can never be credited
        (no binding made from now on reaches back that far), one of 2026-11-01 still can."""
        body = HEADER + (
            "old1,T100000009,metro,2026-06-01T08:00:00+08:00\n"
            "new1,T100000009,metro,2026-11-01T08:00:00+08:00\n"
        )
        with django_capture_on_commit_callbacks(execute=True):
            batch_id = post_raw(key_client(gz_transit), body.encode()).json()["id"]
        staff = client_for(gz_operator)
        detail = staff.get(f"/api/v1/staff/batches/{batch_id}").json()
        assert (detail["unmatched"], detail["too_old"]) == (2, 1)
        provider_detail = key_client(gz_transit).get(f"{BATCHES}/{batch_id}").json()
        assert provider_detail["too_old"] == 1
        records = staff.get("/api/v1/staff/unmatched-records").json()["results"]
        reasons = {r["external_id"]: r["unmatched_reason"] for r in records}
        assert reasons == {"old1": "too_old", "new1": "no_binding_yet"}
        client.force_login(gz_operator)
        page = client.get(f"/staff/metering/batches/{batch_id}/?lang=en").content.decode()
        assert "1 unmatched record ended before the centre" in page
        unmatched_page = client.get("/staff/metering/unmatched/?lang=en").content.decode()
        assert "Ended before the binding window" in unmatched_page


class TestStaffTenantWall:
    def test_staff_see_only_their_centres_batches(
        self,
        gz_transit,
        zs_transit,
        gz_operator,
        zs_operator,
        provincial_officer,
        client_for,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            batch_id = post_raw(key_client(gz_transit), GOOD.encode()).json()["id"]
        assert client_for(gz_operator).get(f"/api/v1/staff/batches/{batch_id}").status_code == 200
        assert client_for(zs_operator).get(f"/api/v1/staff/batches/{batch_id}").status_code == 404
        assert client_for(zs_operator).get(f"/api/v1/staff/batches/{batch_id}/errors").status_code == 404
        assert client_for(zs_operator).get("/api/v1/staff/batches").json()["count"] == 0
        assert client_for(provincial_officer).get("/api/v1/staff/batches").json()["count"] == 1
        assert client_for(zs_operator).get("/api/v1/staff/unmatched-records").json()["count"] == 0
        assert client_for(gz_operator).get("/api/v1/staff/unmatched-records").json()["count"] == 1

    def test_staff_pages_are_scoped(
        self, gz_transit, gz_operator, zs_operator, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            batch_id = post_raw(key_client(gz_transit), GOOD.encode()).json()["id"]
        client.force_login(zs_operator)
        assert client.get(f"/staff/metering/batches/{batch_id}/").status_code == 404
        assert client.get(f"/staff/metering/batches/{batch_id}/errors.csv").status_code == 404
        assert batch_id not in client.get("/staff/metering/batches/").content.decode()
        client.force_login(gz_operator)
        page = client.get(f"/staff/metering/batches/{batch_id}/")
        assert page.status_code == 200
        assert b"hx-get" not in page.content  # finished: no more polling
        assert client.get("/staff/metering/unmatched/").status_code == 200

    def test_residents_cannot_open_staff_pages(self, resident, client):
        client.force_login(resident)
        assert client.get("/staff/metering/batches/").status_code == 403


class TestMyReductions:
    @pytest.fixture
    def reductions(self, gz_transit, resident, django_capture_on_commit_callbacks):
        BindingFactory(resident=resident, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001")
        other = ResidentFactory(centre=resident.centre)
        BindingFactory(resident=other, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000002")
        body = HEADER + (
            "t1,T100000001,metro,2026-09-01T08:12:00+08:00\n"
            "t2,T100000001,bus,2026-10-03T08:12:00+08:00\n"
            "t3,T100000002,bus,2026-10-03T08:12:00+08:00\n"
        )
        with django_capture_on_commit_callbacks(execute=True):
            post_raw(key_client(gz_transit), body.encode())
        return other

    def test_list_filters_and_own_rows_only(self, reductions, resident, client_for):
        client = client_for(resident)
        body = client.get("/api/v1/me/reductions").json()
        assert body["count"] == 2
        assert client.get("/api/v1/me/reductions?behaviour=metro").json()["count"] == 1
        assert client.get("/api/v1/me/reductions?month=2026-10").json()["results"][0]["kg_co2e"] == "0.1500"
        assert client.get("/api/v1/me/reductions?month=2026-13").status_code == 400
        assert client.get("/api/v1/me/reductions?behaviour=flying").status_code == 400

    def test_detail_explains_record_method_parameters(self, reductions, resident, client_for):
        reduction = Reduction.objects.get(resident=resident, behaviour="metro")
        body = client_for(resident).get(f"/api/v1/me/reductions/{reduction.pk}").json()
        explanation = body["explanation"]
        assert explanation["record"]["record_id"] == "t1"
        assert explanation["methodology"]["formula"] == "transit_per_trip"
        assert explanation["parameters"][0]["value"] == "0.5155"
        assert explanation["parameters"][0]["unit"] == "kg_co2e/trip"
        assert "tests" in explanation["parameters"][0]["source"]

    def test_another_residents_reduction_is_404(self, reductions, resident, client_for):
        theirs = Reduction.objects.get(resident=reductions)
        assert client_for(resident).get(f"/api/v1/me/reductions/{theirs.pk}").status_code == 404

    def test_pages_render_chart_and_explanation(self, reductions, resident, client):
        client.force_login(resident)
        page = client.get("/me/reductions/")
        assert page.status_code == 200
        assert b"<svg" in page.content and b"<rect" in page.content
        reduction = Reduction.objects.get(resident=resident, behaviour="metro")
        detail = client.get(f"/me/reductions/{reduction.pk}/")
        assert detail.status_code == 200
        assert "0.5155" in detail.content.decode()
        theirs = Reduction.objects.get(resident=reductions)
        assert client.get(f"/me/reductions/{theirs.pk}/").status_code == 404

    def test_pages_are_residents_only(self, gz_operator, client):
        """Staff have no reductions of their own: like the wallet, the pages answer 403, not an empty page."""
        assert client.get("/me/reductions/")["Location"].startswith("/login/")
        client.force_login(gz_operator)
        assert client.get("/me/reductions/").status_code == 403
        assert client.get("/me/reductions/1/").status_code == 403


class TestStaffUploadPage:
    def test_operator_uploads_from_the_back_office(
        self, gz_transit, gz_operator, client, django_capture_on_commit_callbacks
    ):
        client.force_login(gz_operator)
        upload = SimpleUploadedFile("trips.csv", GOOD.encode(), "text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/staff/metering/batches/upload/",
                {"provider": gz_transit.pk, "record_type": "transit_trip", "file": upload},
            )
        batch = Batch.objects.get()
        assert response.status_code == 302 and str(batch.pk) in response["Location"]
        assert batch.uploaded_by == gz_operator
        progress = client.get(f"/staff/metering/batches/{batch.pk}/progress/")
        assert progress.status_code == 200 and b"batch-progress" in progress.content

    def test_operator_cannot_upload_for_another_centres_provider(self, zs_transit, gz_operator, client):
        client.force_login(gz_operator)
        upload = SimpleUploadedFile("trips.csv", GOOD.encode(), "text/csv")
        response = client.post(
            "/staff/metering/batches/upload/",
            {"provider": zs_transit.pk, "record_type": "transit_trip", "file": upload},
        )
        assert response.status_code == 404
        assert not Batch.objects.exists()
