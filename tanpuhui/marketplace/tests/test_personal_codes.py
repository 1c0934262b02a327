"""The resident's short personal code: rotation, grace, the counter's rate limit, plain refusals."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.errors import NotFound, TooManyRequests, ValidationFailed
from tanpuhui.marketplace import codes, services
from tanpuhui.marketplace.models import Event, Offer, PersonalCode, PersonalCodeAttempt, Voucher

pytestmark = pytest.mark.django_db

PERIOD = timedelta(seconds=codes.PERSONAL_CODE_PERIOD)
# the start of a rotation window, so "+ PERIOD" is exactly the next one
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    """Service messages in English here (pages are checked in Chinese below)."""
    with translation.override("en"):
        yield


def test_the_code_rotates_and_the_previous_one_is_accepted_for_the_grace(resident, cashier):
    with freeze_time(T0):
        first = services.personal_code_current(user=resident)
        assert services.personal_code_current(user=resident) == first  # same window, same code
        assert services.personal_code_resolve(staff=cashier, code=first) == resident
    with freeze_time(T0 + PERIOD + timedelta(seconds=30)):
        second = services.personal_code_current(user=resident)
        assert second != first
        assert services.personal_code_resolve(staff=cashier, code=second) == resident
        assert services.personal_code_resolve(staff=cashier, code=first) == resident  # grace
    with freeze_time(T0 + 2 * PERIOD + timedelta(seconds=1)):
        with pytest.raises(ValidationFailed) as late:
            services.personal_code_resolve(staff=cashier, code=first)
        assert late.value.code == "invalid_resident_code"
        assert "5 minutes" in late.value.message  # says why and what to do
        assert services.personal_code_resolve(staff=cashier, code=second) == resident
        services.personal_code_current(user=resident)
    # rows past the grace are swept when a new code is issued
    assert not PersonalCode.objects.filter(code=first).exists()


def test_codes_of_two_residents_differ_and_each_resolves_to_its_own(gz, cashier):
    a, b = ResidentFactory(centre=gz), ResidentFactory(centre=gz)
    code_a, code_b = services.personal_code_current(user=a), services.personal_code_current(user=b)
    assert code_a != code_b
    assert services.personal_code_resolve(staff=cashier, code=codes.personal_code_display(code_a)) == a
    assert services.personal_code_resolve(staff=cashier, code=code_b.lower()) == b


def test_a_wrong_code_says_so_in_plain_words(resident, cashier):
    with pytest.raises(ValidationFailed) as typo:
        services.personal_code_resolve(staff=cashier, code="hello")
    assert "9 letters and digits" in typo.value.message
    assert typo.value.fields == {"resident_token": [typo.value.message]}
    unknown = codes.personal_code_new()  # well formed, nobody has it
    with pytest.raises(ValidationFailed) as nobody:
        services.personal_code_resolve(staff=cashier, code=unknown)
    assert "No resident has this code now" in nobody.value.message
    assert PersonalCodeAttempt.objects.filter(staff=cashier, ok=False).count() == 2


def test_too_many_wrong_codes_from_one_counter_make_it_wait(resident, cashier, other_cashier):
    good = services.personal_code_current(user=resident)
    with freeze_time(T0) as clock:
        for _ in range(services.PERSONAL_FAILURE_LIMIT):
            with pytest.raises(ValidationFailed):
                services.personal_code_resolve(staff=cashier, code=codes.personal_code_new())
            clock.tick(timedelta(minutes=1))
        # now even the right code waits: the counter is told how long
        with pytest.raises(TooManyRequests) as wait:
            services.personal_code_resolve(staff=cashier, code="TPH1:x")
        # the oldest of the five failures was 5 minutes ago: it leaves the 10-minute window in 5
        assert wait.value.status_code == 429
        assert "Wait 5 minutes" in wait.value.message and wait.value.fields == {"retry_after_minutes": 5}
        # another counter is not affected
        assert services.personal_code_resolve(staff=other_cashier, code=codes.resident_token(resident))
        clock.tick(timedelta(minutes=5, seconds=1))
        fresh = services.personal_code_current(user=resident)
        assert services.personal_code_resolve(staff=cashier, code=fresh) == resident
    assert good  # issued outside the frozen clock: unaffected


def test_a_resident_of_another_centre_is_refused_at_the_booth(gz, other_resident, gz_operator):
    event = Event.objects.create(
        centre=gz,
        name="低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    code = services.personal_code_current(user=other_resident)
    with pytest.raises(ValidationFailed):
        services.event_booth_redeem(event=event, user=gz_operator, resident_token=code, offer_id=None)


def test_booth_redeems_with_the_short_code(gz, rich_resident, offer, cashier):
    event = Event.objects.create(
        centre=gz,
        name="低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    Offer.objects.filter(pk=offer.pk).update(event=event)
    code = codes.personal_code_display(services.personal_code_current(user=rich_resident))
    voucher = services.event_booth_redeem(
        event=event, user=cashier, resident_token=code, offer_id=offer.pk, idempotency_key="b1"
    )
    assert voucher.resident == rich_resident and voucher.status == Voucher.Status.VERIFIED


def test_counter_verifies_a_voucher_by_the_residents_personal_code(
    rich_resident, offer, cashier, other_cashier
):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    code = services.personal_code_current(user=rich_resident)
    resident, choices = services.personal_code_vouchers(user=cashier, code=code)
    assert resident == rich_resident and choices == [voucher]
    # another merchant's cashier sees none of them and cannot use this one
    assert services.personal_code_vouchers(user=other_cashier, code=code)[1] == []
    with pytest.raises(NotFound):
        services.voucher_verify(user=other_cashier, code=code, voucher_id=voucher.pk)
    done = services.voucher_verify(user=cashier, code=code, voucher_id=voucher.pk)
    assert done.pk == voucher.pk and done.status == Voucher.Status.VERIFIED
    assert services.personal_code_vouchers(user=cashier, code=code)[1] == []


def test_verify_page_personal_code_then_pick_the_voucher(client, rich_resident, offer, cashier):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    code = codes.personal_code_display(services.personal_code_current(user=rich_resident))
    client.force_login(cashier)
    url = reverse("web:merchant-verify")
    step1 = client.post(url, {"code": code})
    page = step1.content.decode()
    assert step1.status_code == 200 and 'data-testid="verify-choices"' in page and offer.title in page
    step2 = client.post(url, {"code": code, "voucher": str(voucher.pk)})
    assert step2.status_code == 200 and 'data-testid="verify-result"' in step2.content.decode()
    assert client.post(url, {"code": code, "voucher": "nope"}).status_code == 400
    for _ in range(services.PERSONAL_FAILURE_LIMIT):
        assert client.post(url, {"code": codes.personal_code_new()}).status_code == 400
    waiting = client.post(url, {"code": code})
    assert waiting.status_code == 429 and "分钟" in waiting.content.decode()


def test_the_personal_code_card_refreshes_itself(client, resident):
    client.force_login(resident)
    card = client.get(reverse("web:personal-code"))
    html = card.content.decode()
    assert card.status_code == 200 and card["Cache-Control"] == "private, no-store"
    assert 'hx-trigger="every 60s"' in html
    shown = PersonalCode.objects.get(user=resident).code
    assert codes.personal_code_display(shown) in html
    assert "TPH1:" not in html  # the long token is only inside the QR image


def test_a_cashier_lands_on_the_verify_page_and_next_is_kept(client, cashier):
    from tanpuhui.accounts.tests.factories import PASSWORD

    login = reverse("web:login")
    landed = client.post(login, {"username": cashier.phone, "password": PASSWORD})
    assert landed.status_code == 302 and landed["Location"] == reverse("web:merchant-verify")
    client.logout()
    nxt = client.post(
        login + "?next=/merchant/settlement/", {"username": cashier.phone, "password": PASSWORD}
    )
    assert nxt["Location"] == "/merchant/settlement/"


def test_a_resident_still_lands_on_the_profile(client, resident):
    from tanpuhui.accounts.tests.factories import PASSWORD

    landed = client.post(reverse("web:login"), {"username": resident.phone, "password": PASSWORD})
    assert landed["Location"] == reverse("web:profile")
