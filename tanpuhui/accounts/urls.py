from django.urls import path

from tanpuhui.accounts import api, views

api_patterns = [
    path("auth/register", api.RegisterApi.as_view(), name="auth-register"),
    path("auth/token", api.TokenApi.as_view(), name="auth-token"),
    path("auth/logout", api.LogoutApi.as_view(), name="auth-logout"),
    path("me", api.MeApi.as_view(), name="me"),
    path("me/bindings", api.BindingListApi.as_view(), name="me-bindings"),
    path("me/bindings/<int:pk>", api.BindingDetailApi.as_view(), name="me-binding-detail"),
    path("me/real-name", api.RealNameApi.as_view(), name="me-real-name"),
    path("staff/residents", api.StaffResidentListApi.as_view(), name="staff-residents"),
    path("staff/residents/<uuid:pk>", api.StaffResidentDetailApi.as_view(), name="staff-resident-detail"),
    path("staff/bindings", api.StaffBindingListApi.as_view(), name="staff-bindings"),
    path(
        "staff/bindings/<int:pk>/release", api.StaffBindingReleaseApi.as_view(), name="staff-binding-release"
    ),
    path("staff/api-keys", api.StaffApiKeyListApi.as_view(), name="staff-api-keys"),
    path(
        "staff/api-keys/<str:prefix>/rotate", api.StaffApiKeyRotateApi.as_view(), name="staff-api-key-rotate"
    ),
    path(
        "staff/api-keys/<str:prefix>/revoke", api.StaffApiKeyRevokeApi.as_view(), name="staff-api-key-revoke"
    ),
]
web_patterns = [
    path("staff/residents/", views.staff_residents, name="staff-residents"),
    path("staff/residents/<uuid:pk>/", views.staff_resident, name="staff-resident"),
]
