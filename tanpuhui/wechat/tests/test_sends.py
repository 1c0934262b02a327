"""Template messages: only to linked residents who agreed, retried with backoff, rate-limited, and
every attempt recorded (append-only)."""

import pytest

from tanpuhui.notifications.models import Notification
from tanpuhui.notifications.signals import notifications_written
from tanpuhui.wechat import services
from tanpuhui.wechat.models import Link, Send

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(account, resident):
    return Link.objects.create(account=account, resident=resident, openid="oSend")


def _note(resident, kind="voucher_issued", cause="v1"):
    return Notification.objects.create(
        recipient=resident,
        kind=kind,
        cause_type="marketplace.voucher",
        cause_id=cause,
        subject="绿色出行券",
        target_id="00000000-0000-0000-0000-000000000001",
        coins=50,
    )


def _announce(note):
    notifications_written.send(
        sender=Notification, kinds=[note.kind], cause_type=note.cause_type, cause_ids=[note.cause_id]
    )


def test_a_written_notification_goes_out_once(fake, linked, resident):
    note = _note(resident)
    _announce(note)
    _announce(note)  # a builder run twice announces again: still one message
    assert len(fake.sent) == 1 and fake.sent[0]["template_id"] == "TPL_voucher_issued"
    assert "绿色出行券" in fake.sent[0]["data"]["first"]["value"] + fake.sent[0]["data"]["remark"]["value"]
    assert Send.objects.filter(status="sent").count() == 1


def test_no_consent_not_following_or_no_template_sends_nothing(fake, linked, resident, account):
    linked.consent = False
    linked.save()
    _announce(_note(resident, cause="a"))
    linked.consent, linked.followed = True, False
    linked.save()
    _announce(_note(resident, cause="b"))
    linked.followed = True
    linked.save()
    account.templates = {}
    account.save()
    _announce(_note(resident, cause="c"))
    assert fake.sent == [] and not Send.objects.exists()


def test_failures_are_retried_with_backoff_and_recorded(fake, linked, resident):
    fake.fail_sends = [-1, 45009]  # system busy, then over WeChat's quota
    _announce(_note(resident))
    rows = list(Send.objects.order_by("id").values_list("attempt", "status", "errcode"))
    assert rows == [(1, "failed", -1), (2, "failed", 45009), (3, "sent", 0)]
    assert [services.backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_it_gives_up_after_five_attempts(fake, linked, resident):
    fake.fail_sends = [-1] * 10
    _announce(_note(resident))
    assert list(Send.objects.order_by("id").values_list("status", flat=True)) == ["failed"] * 4 + ["gave_up"]


def test_an_unfollowed_user_is_not_retried(fake, linked, resident):
    fake.fail_sends = [43004]
    _announce(_note(resident))
    assert list(Send.objects.values_list("status", flat=True)) == ["gave_up"]
    linked.refresh_from_db()
    assert linked.followed is False


def test_the_rate_limit_holds_messages_back(fake, linked, resident, settings):
    settings.WECHAT_SENDS_PER_MINUTE = 1
    _announce(_note(resident, cause="one"))
    _announce(_note(resident, cause="two"))
    assert len(fake.sent) == 1
    assert sorted(Send.objects.values_list("status", flat=True)) == ["deferred", "sent"]


def test_the_send_log_is_append_only(fake, linked, resident):
    _announce(_note(resident))
    with pytest.raises(Exception):  # noqa: B017 - the ORM refuses (AppendOnlyModel)
        Send.objects.update(status="failed")


def test_the_hook_is_set_based_one_signal_per_run(gz, django_capture_on_commit_callbacks):
    from tanpuhui.accounts.models import Binding
    from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory
    from tanpuhui.ledger.conversion import reductions_convert
    from tanpuhui.ledger.tests.factories import default_rule
    from tanpuhui.metering.models import DataProvider
    from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload
    from tanpuhui.notifications.tests.test_services import HEADER, trips

    seed_methods(gz)
    default_rule(gz)
    transit = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    text = HEADER
    for i in range(3):
        card = f"T10000000{i}"
        BindingFactory(
            resident=ResidentFactory(centre=gz),
            centre=gz,
            kind=Binding.Kind.TRANSIT_CARD,
            account_number=card,
        )
        text += trips(card, 5, start=i * 10)
    heard = []

    def listen(sender, kinds, cause_type, cause_ids, **kwargs):
        heard.append((cause_type, tuple(cause_ids)))

    notifications_written.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            batch, _ = upload(transit, "transit_trip", text)
            reductions_convert(batch_id=str(batch.pk))
    finally:
        notifications_written.disconnect(listen)
    runs = [h for h in heard if h[0] == "ledger.conversionrun"]
    assert len(runs) == 1 and Notification.objects.filter(kind="coins_earned").count() == 3
