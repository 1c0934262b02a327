"""/api/v1/me/notifications: the resident's own messages, worded in the request's language."""

import pytest

from tanpuhui.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def note(recipient, cause_id: str, coins: int = 132) -> Notification:
    return Notification.objects.create(
        recipient=recipient, kind=Kind.COINS_EARNED, cause_type="ledger.conversionrun", cause_id=cause_id,
        coins=coins, counts={"metro": 39}, kg_co2e="20.1045",
    )  # fmt: skip


def test_list_read_and_read_all(client_for, resident, other_resident):
    first, second = note(resident, "1"), note(resident, "2", coins=5)
    note(other_resident, "3")
    api = client_for(resident)
    listed = api.get("/api/v1/me/notifications?lang=zh-hans").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [second.pk, first.pk]  # newest first, only mine
    assert rows[1]["title"] == "获得 132 枚碳币" and rows[1]["counts"] == {"metro": 39}
    assert rows[1]["body"].startswith("你乘地铁 39 次") and rows[1]["read"] is False
    assert api.get("/api/v1/me/notifications/unread").json() == {"unread": 2}
    read = api.post(f"/api/v1/me/notifications/{first.pk}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    assert api.get("/api/v1/me/notifications/unread").json() == {"unread": 1}
    assert api.post("/api/v1/me/notifications/read-all").json() == {"marked": 1}
    assert api.get("/api/v1/me/notifications/unread").json() == {"unread": 0}


def test_another_residents_message_is_a_404(client_for, resident, other_resident):
    theirs = note(other_resident, "9")
    assert client_for(resident).post(f"/api/v1/me/notifications/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
