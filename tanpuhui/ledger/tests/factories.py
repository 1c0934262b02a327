from tanpuhui.ledger import services
from tanpuhui.ledger.models import AccountKind, TransferKind


def fund(resident, amount: int, key: str | None = None):
    """Issue ``amount`` coins from the resident's centre issuance account into their wallet."""
    wallet = services.wallet_of(resident)
    return services.transfer_post(
        debit=services.issuance_of(resident.centre),
        credit=wallet,
        amount=amount,
        kind=TransferKind.EARN,
        idempotency_key=key or f"test-fund:{wallet.pk}:{amount}:{wallet.transfers_in.count()}",
    )


def merchant_account(centre, code: str = "m1"):
    return services.account_get_or_create(kind=AccountKind.MERCHANT, centre=centre, code=code)


def make_reduction(resident, kg, behaviour="bus", period_end=None, adjusts=None, centre=None):
    import datetime
    from decimal import Decimal

    from tanpuhui.metering.models import Reduction

    period_end = period_end or datetime.date(2026, 11, 1)
    return Reduction.objects.create(
        centre=centre or resident.centre,
        resident=resident,
        behaviour=behaviour,
        period_start=period_end,
        period_end=period_end,
        kg_co2e=Decimal(str(kg)),
        kind="adjustment" if adjusts else "original",
        adjusts=adjusts,
    )


def default_rule(centre, coins_per_kg="10", caps=(), effective_from=None, expiry_months=24):
    import datetime

    from tanpuhui.ledger.conversion import conversion_rule_create

    return conversion_rule_create(
        centre=centre,
        effective_from=effective_from or datetime.date(2020, 1, 1),
        coins_per_kg=coins_per_kg,
        caps=caps,
        expiry_months=expiry_months,
    )
