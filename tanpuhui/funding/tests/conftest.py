import itertools

import pytest

from tanpuhui.funding import coins
from tanpuhui.funding.tests.fakeledger import FakeLedger

_seq = itertools.count()


class CoinHelper:
    """Gives residents coins and reads balances, through the real ledger when it is merged."""

    def __init__(self, fake):
        self.fake = fake

    def fund(self, resident, amount: int) -> None:
        coins.move(
            debit=coins.issuance_account(resident.centre), credit=coins.wallet(resident), amount=amount,
            kind="earn", key=f"test-fund:{resident.pk}:{next(_seq)}",
        )

    def balance(self, account) -> int:
        account = account.__class__.objects.get(pk=account.pk) if hasattr(account, "_meta") else account
        return coins.balance(account)

    def wallet_balance(self, resident) -> int:
        return self.balance(coins.wallet(resident))


@pytest.fixture(autouse=True)
def coin_ledger():
    fake = None if coins.ledger_available() else FakeLedger()
    coins.use_backend(fake)
    yield CoinHelper(fake)
    coins.use_backend(None)
