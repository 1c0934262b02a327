"""The one door from enterprises and funding to the coin ledger.

Coins move only through ``tanpuhui.ledger.services`` (transfer_post / transfers_post). This module
names the accounts these contexts use and keeps the calls in one place:

- a donation pool's coins:      ledger account kind POOL,     owner the FundingPool (spendable)
- coins a pool reserved for issued vouchers: kind ESCROW, owner the FundingPool, code ``vouchers``
- crowdfunding escrow:          kind ESCROW,                  owner the CrowdfundingProject
- a project's released coins:   kind DONATION,                owner the CrowdfundingProject
- a public-welfare cause:       kind DONATION,                owner the Cause
- coins minted from donations:  kind ISSUANCE (the centre's issuer account, may go negative)
- coins retired when a donation pool pays for a voucher: kind BREAKAGE, code ``pool-spent``
"""

from __future__ import annotations

from typing import Any

from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import Account, AccountKind

InsufficientCoins = ledger.InsufficientCoins
wallet = ledger.wallet_of
issuance_account = ledger.issuance_of


def account(kind: str, *, centre, owner=None, code: str = "") -> Account:
    return ledger.account_get_or_create(kind=kind, centre=centre, owner=owner, code=code)


def pool_account(pool) -> Account:
    return account(AccountKind.POOL, centre=pool.centre, owner=pool)


VOUCHER_HOLD_CODE = "vouchers"


def hold_account(pool) -> Account:
    """Where a pool's coins wait between a voucher's redemption and its verification (or expiry)."""
    return account(AccountKind.ESCROW, centre=pool.centre, owner=pool, code=VOUCHER_HOLD_CODE)


def retired_account(centre) -> Account:
    return account(
        AccountKind.BREAKAGE, centre=centre, code="pool-spent"
    )  # coins retired when a pool pays a voucher


def escrow_account(project) -> Account:
    return account(AccountKind.ESCROW, centre=project.centre, owner=project)


def project_account(project) -> Account:
    return account(AccountKind.DONATION, centre=project.centre, owner=project)


def cause_account(cause) -> Account:
    return account(AccountKind.DONATION, centre=cause.centre, owner=cause)


def move(*, debit, credit, amount: int, kind: str, key: str, memo: str = "", actor=None, cause=None) -> Any:
    """Coins go debit → credit, once per ``key`` (the ledger replays a repeated key)."""
    return ledger.transfer_post(
        debit=debit,
        credit=credit,
        amount=int(amount),
        kind=kind,
        idempotency_key=key,
        cause=cause,
        memo=memo[:200],
        actor=actor,
    )


def balance(acct: Account) -> int:
    return int(acct.balance)
