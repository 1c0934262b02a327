"""The read replica on a real streaming standby (scripts/replica.sh): which server a page reads from."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common import replica
from tanpuhui.common.replica import COOKIE, REPLICA, REPLICA_VIEWS, ReplicaRouter, lsn_value
from tanpuhui.common.tests import test_pages
from tanpuhui.common.tests.conftest import replica_sql, wait_for_replay
from tanpuhui.tenancy.tests.factories import CentreFactory

pytestmark = pytest.mark.postgres
world = test_pages.world  # the page crawler's demo-like rows


def test_every_replica_view_is_a_route():
    from django.urls import reverse
    from django.urls.exceptions import NoReverseMatch

    for name in REPLICA_VIEWS:
        try:
            reverse(name)
        except NoReverseMatch as error:  # a route with arguments still exists under its name
            assert "with no arguments not found" in str(error) or "arguments '()'" in str(error), name


def test_lsn_text_compares_as_a_position():
    assert lsn_value("0/FFFFFFFF") < lsn_value("1/0") < lsn_value("1/A") < lsn_value("16/B374D848")


def test_writes_never_go_to_the_replica():
    router = ReplicaRouter()
    assert router.db_for_write(Binding) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "accounts") is False
    assert router.db_for_read(Binding) is None  # outside a request that chose the replica


def test_a_public_page_is_read_from_the_replica(replica_alias, client):
    from tanpuhui.registry.tests.factories import account, project

    gz = CentreFactory(code="GZ")
    owner, _ = account(gz)
    proj = project(gz, owner)
    wait_for_replay()
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client.get(f"/registry/projects/{proj.pk}/")
    assert response.status_code == 200
    assert response.wsgi_request.read_alias == REPLICA
    assert proj.title in response.content.decode()
    assert any("registry_carbonproject" in q["sql"] for q in on_replica.captured_queries)
    assert not any("registry_carbonproject" in q["sql"] for q in on_primary.captured_queries)

    # A replica that cannot be reached serves no one: the page reads from the primary.
    connections.settings[REPLICA]["PORT"] = 1  # nothing listens there
    connections[REPLICA].close()
    del connections[REPLICA]
    fallback = client.get(f"/registry/projects/{proj.pk}/")
    assert fallback.status_code == 200 and proj.title in fallback.content.decode()
    assert fallback.wsgi_request.read_alias == DEFAULT_DB_ALIAS


def test_a_resident_reads_their_own_write_while_the_replica_lags(replica_alias, client, settings):
    resident = ResidentFactory(centre=CentreFactory(code="GZ"))
    client.force_login(resident)
    wait_for_replay()
    replica_sql("SELECT pg_wal_replay_pause()")  # the replica now falls behind at will

    response = client.post("/me/bindings/", {"kind": "transit_card", "account_number": "T123456789"})
    assert response.status_code == 302
    written = lsn_value(client.cookies[COOKIE].value.split(":")[0])
    (replayed,) = replica_sql("SELECT CAST(pg_last_wal_replay_lsn() AS text)")
    assert lsn_value(replayed) < written  # the replica has not seen the new binding

    profile = client.get("/me/")
    assert profile.wsgi_request.read_alias == DEFAULT_DB_ALIAS  # so the page read from the primary
    assert "6789" in profile.content.decode()

    # Someone who wrote nothing reads from the lagging replica while it is within the bound…
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    from django.test import Client

    assert Client().get("/registry/").wsgi_request.read_alias == REPLICA
    # …and from the primary once it is not.
    settings.REPLICA_MAX_LAG_SECONDS = 0
    assert Client().get("/registry/").wsgi_request.read_alias == DEFAULT_DB_ALIAS

    settings.REPLICA_MAX_LAG_SECONDS = 3600
    replica_sql("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    again = client.get("/me/")
    assert again.wsgi_request.read_alias == REPLICA  # caught up: back on the replica, binding and all
    assert "6789" in again.content.decode()
    assert Binding.objects.filter(resident=resident).count() == 1


def test_every_page_renders_for_its_role_when_read_from_the_replica(replica_alias, world, monkeypatch):
    """The page crawler (test_pages) with the replica on: a replica-eligible page that wrote and then
    read its own row, or locked a row, would fail here, since the replica is read-only and behind."""
    wait_for_replay()
    chosen: list[tuple[str, str]] = []
    choose = replica.choose_read_alias

    def recording(request):
        alias = choose(request)
        chosen.append((request.path, alias))
        return alias

    monkeypatch.setattr(replica, "choose_read_alias", recording)
    test_pages.test_pages_render_for_their_role(world)
    assert len(chosen) > 20
    assert [path for path, alias in chosen if alias != REPLICA] == []
