"""Security switches: the production settings pass Django's deployment checks, the audit log is
append-only down to the database, and failed writes leave nothing behind."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from tanpuhui.accounts.models import RoleAssignment, User
from tanpuhui.accounts.tests.factories import PASSWORD
from tanpuhui.common.models import AppendOnlyError, AuditEvent
from tanpuhui.common.services import audit_record, client_ip

ROOT = Path(__file__).resolve().parents[3]


def deploy_check(tmp_path, **overrides) -> subprocess.CompletedProcess:
    # A clean slate: nothing from the test run (TANPUHUI_TESTING, DJANGO_ALLOW_ASYNC_UNSAFE set by the
    # browser fixtures, DATABASE_URL, …) may leak into the production process.
    inherited = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT"}
    env = {key: value for key, value in os.environ.items() if key in inherited}
    env.update(
        {
            "DJANGO_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "IDENTITY_HASH_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "tanpuhui.example.cn",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
        }
    )
    env.update(overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestDeployChecks:
    def test_production_mode_is_clean(self, tmp_path):
        result = deploy_check(tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_a_weak_secret_key_fails_the_check(self, tmp_path):
        result = deploy_check(tmp_path, SECRET_KEY="short")
        assert result.returncode != 0
        assert "security.W009" in result.stdout + result.stderr

    def test_production_needs_its_secrets_from_the_environment(self, tmp_path):
        result = deploy_check(tmp_path, IDENTITY_HASH_KEY=None)
        assert result.returncode != 0
        assert "IDENTITY_HASH_KEY" in result.stderr

    def test_per_process_cache_and_short_identity_key_are_flagged(self, tmp_path):
        result = deploy_check(tmp_path, REDIS_URL=None, IDENTITY_HASH_KEY="short-key")
        assert result.returncode != 0
        assert "tanpuhui.W001" in result.stderr + result.stdout
        assert "tanpuhui.W002" in result.stderr + result.stdout


@pytest.mark.django_db
def test_pages_send_the_protective_headers(client, gz):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HttpOnly" in str(client.get("/login/").cookies.get("sessionid", "HttpOnly"))


class TestAuditLogIsAppendOnly:
    @pytest.mark.django_db
    def test_orm_refuses_changes(self, gz_operator, resident):
        event = audit_record(actor=gz_operator, action="resident.view", target=resident)
        event.action = "nothing.happened"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).action == "resident.view"

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True)
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE common_auditevent SET action = 'nothing.happened' WHERE id = %s",
            "DELETE FROM common_auditevent WHERE id = %s",
        ],
    )
    def test_raw_sql_is_refused_by_the_trigger(self, gz_operator, resident, sql):
        if connection.vendor != "postgresql":
            pytest.skip("the append-only trigger exists on PostgreSQL only")
        event = audit_record(actor=gz_operator, action="resident.view", target=resident)
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).action == "resident.view"


@pytest.mark.django_db
class TestNothingHalfWritten:
    def test_registration_failing_after_the_user_row_leaves_no_user(self, api, gz, monkeypatch):
        def boom(*args, **kwargs):
            raise DatabaseError("disk full")

        monkeypatch.setattr(RoleAssignment.objects, "create", boom)
        with pytest.raises(DatabaseError):
            api.post(
                "/api/v1/auth/register",
                {
                    "centre": "GZ",
                    "phone": "13912345678",
                    "password": "low-carbon-2016",
                    "display_name": "小明",
                },
                format="json",
            )
        assert not User.objects.filter(phone="13912345678").exists()

    def test_web_registration_with_bad_input_writes_nothing(self, client, gz):
        before = (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
        for data in [
            {"centre": "GZ", "phone": "13912345678", "display_name": "小明", "password": "12345678"},
            {"centre": "ZZ", "phone": "13912345678", "display_name": "小明", "password": "low-carbon-2016"},
            {
                "centre": "GZ",
                "phone": "1391234567\u0661",
                "display_name": "小明",
                "password": "low-carbon-2016",
            },
            {
                "centre": "GZ",
                "phone": "13912345678",
                "display_name": "小\x00明",
                "password": "low-carbon-2016",
            },
        ]:
            assert client.post("/register/", data).status_code == 400
        assert (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


class TestClientAddress:
    def request(self, rf, forwarded=None):
        extra = {"REMOTE_ADDR": "10.0.0.2"}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.get("/", **extra)

    def test_without_proxies_forwarded_for_is_ignored(self, rf, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(self.request(rf, "203.0.113.9")) == "10.0.0.2"

    def test_behind_one_proxy_the_last_hop_is_the_client(self, rf, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        # The client forged the first entry; the proxy appended the real one.
        assert client_ip(self.request(rf, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"

    @pytest.mark.parametrize("forwarded", [None, "", "not-an-ip", "1.2.3.4, "])
    def test_missing_or_garbage_falls_back_to_the_peer(self, rf, settings, forwarded):
        settings.TRUSTED_PROXY_COUNT = 1 if forwarded != "1.2.3.4, " else 2
        assert client_ip(self.request(rf, forwarded)) == "10.0.0.2"

    @pytest.mark.django_db
    def test_lock_out_counts_per_forwarded_client(self, settings, resident):
        from django.test import Client

        settings.TRUSTED_PROXY_COUNT = 1
        settings.LOGIN_FAILURE_LIMIT = 1  # the address limit is 10x: 10 failures from one client
        attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
        for n in range(10):
            attacker.post("/login/", {"username": f"1390000{n:04d}", "password": "guess-guess"})
        assert (
            "失败次数过多"
            in attacker.post("/login/", {"username": "13900009999", "password": "x"}).content.decode()
        )
        neighbour = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
        response = neighbour.post("/login/", {"username": resident.phone, "password": PASSWORD})
        assert response.status_code == 302  # same proxy, different client: not locked out
