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
