from django.urls import path

from tanpuhui.metering import api, views

api_patterns = [
    path("provider/record-types", api.RecordTypeListApi.as_view(), name="provider-record-types"),
    path("provider/batches", api.ProviderBatchListApi.as_view(), name="provider-batches"),
    path("provider/batches/<uuid:pk>", api.ProviderBatchDetailApi.as_view(), name="provider-batch-detail"),
    path(
        "provider/batches/<uuid:pk>/errors",
        api.ProviderBatchErrorsApi.as_view(),
        name="provider-batch-errors",
    ),
    path("staff/batches", api.StaffBatchListApi.as_view(), name="staff-batches"),
    path("staff/batches/<uuid:pk>", api.StaffBatchDetailApi.as_view(), name="staff-batch-detail"),
    path("staff/batches/<uuid:pk>/errors", api.StaffBatchErrorsApi.as_view(), name="staff-batch-errors"),
    path("staff/providers", api.StaffProviderListApi.as_view(), name="staff-providers"),
    path("staff/providers/<int:pk>", api.StaffProviderDetailApi.as_view(), name="staff-provider-detail"),
    path(
        "staff/unmatched-records", api.StaffUnmatchedRecordListApi.as_view(), name="staff-unmatched-records"
    ),
    path("me/reductions", api.MyReductionListApi.as_view(), name="me-reductions"),
    path("me/reductions/<int:pk>", api.MyReductionDetailApi.as_view(), name="me-reduction-detail"),
]
web_patterns = [
    path("me/reductions/", views.my_reductions, name="my-reductions"),
    path("me/reductions/<int:pk>/", views.my_reduction_detail, name="my-reduction-detail"),
    path("staff/metering/batches/", views.staff_batches, name="staff-batches"),
    path("staff/metering/batches/upload/", views.staff_batch_upload, name="staff-batch-upload"),
    path("staff/metering/batches/<uuid:pk>/", views.staff_batch_detail, name="staff-batch-detail"),
    path(
        "staff/metering/batches/<uuid:pk>/progress/", views.staff_batch_progress, name="staff-batch-progress"
    ),
    path("staff/metering/batches/<uuid:pk>/errors.csv", views.staff_batch_errors, name="staff-batch-errors"),
    path("staff/metering/unmatched/", views.staff_unmatched, name="staff-unmatched"),
    path("staff/metering/providers/", views.staff_providers, name="staff-providers"),
    path("staff/metering/providers/add/", views.staff_provider_add, name="staff-provider-add"),
    path("staff/metering/providers/<int:pk>/", views.staff_provider_detail, name="staff-provider-detail"),
    path(
        "staff/metering/providers/<int:pk>/keys/",
        views.staff_provider_key_issue,
        name="staff-provider-key-issue",
    ),
    path(
        "staff/metering/providers/<int:pk>/keys/<str:prefix>/rotate/",
        views.staff_provider_key_rotate,
        name="staff-provider-key-rotate",
    ),
    path(
        "staff/metering/providers/<int:pk>/keys/<str:prefix>/revoke/",
        views.staff_provider_key_revoke,
        name="staff-provider-key-revoke",
    ),
]
