import itertools

import pytest

from tanpuhui.funding import coins

_seq = itertools.count()


class CoinHelper:
    """Gives residents coins (issuance → wallet, through the ledger) and reads balances."""

    def fund(self, resident, amount: int) -> None:
        coins.move(
            debit=coins.issuance_account(resident.centre),
            credit=coins.wallet(resident),
            amount=amount,
            kind="earn",
            key=f"test-fund:{resident.pk}:{next(_seq)}",
        )

    def balance(self, account) -> int:
        account.refresh_from_db()
        return coins.balance(account)

    def wallet_balance(self, resident) -> int:
        return self.balance(coins.wallet(resident))


@pytest.fixture
def coin_ledger():
    return CoinHelper()
