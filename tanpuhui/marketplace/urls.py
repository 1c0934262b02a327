from django.urls import path

from tanpuhui.marketplace import api, views

api_patterns = [
    path("offers", api.OfferListApi.as_view(), name="offers"),
    path("offers/<uuid:pk>", api.OfferDetailApi.as_view(), name="offer-detail"),
    path("offers/<uuid:pk>/redeem", api.OfferRedeemApi.as_view(), name="offer-redeem"),
    path("me/vouchers", api.MyVoucherListApi.as_view(), name="me-vouchers"),
    path("me/vouchers/<uuid:pk>", api.MyVoucherDetailApi.as_view(), name="me-voucher-detail"),
    path("merchants/apply", api.MerchantApplyApi.as_view(), name="merchant-apply"),
    path("merchant/me", api.MerchantMeApi.as_view(), name="merchant-me"),
    path("merchant/staff", api.MerchantStaffApi.as_view(), name="merchant-staff"),
    path("merchant/offers", api.MerchantOfferListApi.as_view(), name="merchant-offers"),
    path("merchant/offers/<uuid:pk>", api.MerchantOfferDetailApi.as_view(), name="merchant-offer-detail"),
    path(
        "merchant/offers/<uuid:pk>/submit", api.MerchantOfferSubmitApi.as_view(), name="merchant-offer-submit"
    ),
    path("merchant/verify", api.MerchantVerifyApi.as_view(), name="merchant-verify"),
    path("merchant/settlement", api.MerchantSettlementApi.as_view(), name="merchant-settlement"),
    path("staff/merchants", api.StaffMerchantListApi.as_view(), name="staff-merchants"),
    path(
        "staff/merchants/<uuid:pk>/review", api.StaffMerchantReviewApi.as_view(), name="staff-merchant-review"
    ),
    path("staff/offers", api.StaffOfferListApi.as_view(), name="staff-offers"),
    path("staff/offers/<uuid:pk>/review", api.StaffOfferReviewApi.as_view(), name="staff-offer-review"),
    path("staff/settlement", api.StaffSettlementApi.as_view(), name="staff-settlement"),
    path("events/<uuid:pk>/booth/redeem", api.EventBoothRedeemApi.as_view(), name="event-booth-redeem"),
    path("events/<uuid:pk>/stats", api.EventStatsApi.as_view(), name="event-stats"),
]

web_patterns = [
    path("offers/", views.catalogue, name="offers"),
    path("offers/<uuid:pk>/", views.offer_detail, name="offer-detail"),
    path("offers/<uuid:pk>/redeem/", views.offer_redeem, name="offer-redeem"),
    path("me/vouchers/", views.voucher_wallet, name="vouchers"),
    path("me/vouchers/<uuid:pk>/", views.voucher_detail, name="voucher-detail"),
    path("me/vouchers/<uuid:pk>/status/", views.voucher_status, name="voucher-status"),
    path("me/vouchers/<uuid:pk>/qr.svg", views.voucher_qr, name="voucher-qr"),
    path("me/personal-qr.svg", views.personal_qr, name="personal-qr"),
    path("me/personal-code/", views.personal_code, name="personal-code"),
    path("merchant/apply/", views.merchant_apply, name="merchant-apply"),
    path("merchant/", views.merchant_dashboard, name="merchant-dashboard"),
    path("merchant/verify/", views.merchant_verify, name="merchant-verify"),
    path("merchant/settlement/", views.merchant_settlement, name="merchant-settlement"),
    path("staff/marketplace/", views.staff_approvals, name="staff-approvals"),
    path("staff/marketplace/<str:kind>/<uuid:pk>/review/", views.staff_review, name="staff-review"),
    path("staff/settlement/", views.staff_settlement, name="staff-settlement"),
    path("events/<uuid:pk>/booth/", views.event_booth, name="event-booth"),
    path("events/<uuid:pk>/booth/counter/", views.event_counter, name="event-counter"),
]
