from django.urls import path

from tanpuhui.ledger import api, views

api_patterns = [
    path("me/wallet", api.WalletApi.as_view(), name="me-wallet"),
    path("me/wallet/transfers", api.WalletTransfersApi.as_view(), name="me-wallet-transfers"),
    path("me/coin-awards/<int:reduction_id>", api.CoinAwardApi.as_view(), name="me-coin-award"),
    path("staff/ledger/summary", api.StaffLedgerSummaryApi.as_view(), name="staff-ledger-summary"),
    path("staff/ledger/rewards", api.StaffRewardApi.as_view(), name="staff-ledger-rewards"),
]
web_patterns = [
    path("me/wallet/", views.wallet_page, name="wallet"),
    path("staff/ledger/", views.staff_ledger_page, name="staff-ledger"),
]
