"""A stand-in for ``tanpuhui.ledger.services`` used only while the ledger branch is not merged.

It keeps balances in memory with the ledger's contract: transfers debit → credit, InsufficientCoins
when a non-issuer account would go negative, a repeated idempotency key replays.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class InsufficientCoins(Exception):
    pass


class IdempotencyMismatch(Exception):
    pass


@dataclass
class Account:
    kind: str
    centre_id: int
    owner_id: object
    code: str
    balance: int = 0
    transfers: list = field(default_factory=list)


class FakeLedger:
    InsufficientCoins = InsufficientCoins
    IdempotencyMismatch = IdempotencyMismatch

    def __init__(self):
        self.accounts: dict[tuple, Account] = {}
        self.transfers: dict[str, tuple] = {}

    def account_get_or_create(self, *, kind, centre, owner=None, code=""):
        key = (kind, centre.pk, str(getattr(owner, "pk", "")), code)
        if key not in self.accounts:
            self.accounts[key] = Account(kind, centre.pk, key[2], code)
        return self.accounts[key]

    def wallet_of(self, resident):
        return self.account_get_or_create(kind="wallet", centre=resident.centre, owner=resident)

    def transfer_post(self, *, debit, credit, amount, kind, idempotency_key, cause=None, memo="", actor=None):
        request = (id(debit), id(credit), amount, kind)
        if idempotency_key in self.transfers:
            if self.transfers[idempotency_key] != request:
                raise IdempotencyMismatch(idempotency_key)
            return self.transfers[idempotency_key]
        if amount <= 0:
            raise ValueError("amount must be positive")
        if debit.kind != "issuance" and debit.balance < amount:
            raise InsufficientCoins(idempotency_key)
        debit.balance -= amount
        credit.balance += amount
        self.transfers[idempotency_key] = request
        return request

    def total(self) -> int:
        return sum(a.balance for a in self.accounts.values())
