from django.urls import path

from tanpuhui.registry import api, views

api_patterns = [
    path("registry/projects", api.ProjectListApi.as_view(), name="registry-projects"),
    path("registry/projects/<uuid:pk>", api.ProjectDetailApi.as_view(), name="registry-project"),
    path("registry/issuances", api.IssuanceListApi.as_view(), name="registry-issuances"),
    path("registry/retirements", api.RetirementListApi.as_view(), name="registry-retirements"),
    path("registry/holdings", api.HoldingsApi.as_view(), name="registry-holdings"),
    path("registry/statistics", api.StatisticsApi.as_view(), name="registry-statistics"),
    path("registry/serials/<str:serial>", api.SerialApi.as_view(), name="registry-serial"),
    path("registry/staff/projects", api.StaffProjectApi.as_view(), name="registry-staff-projects"),
    path("registry/staff/reports", api.StaffReportApi.as_view(), name="registry-staff-reports"),
    path("registry/staff/report-steps", api.StaffReportStepApi.as_view(), name="registry-staff-report-steps"),
    path("registry/staff/sale-bookings", api.StaffSaleBookApi.as_view(), name="registry-staff-sale-bookings"),
    path("registry/verifications", api.VerificationApi.as_view(), name="registry-verifications"),
    path("registry/authority/decisions", api.AuthorityDecisionApi.as_view(), name="registry-decisions"),
    path("registry/authority/cancellations", api.CancellationApi.as_view(), name="registry-cancellations"),
    path("registry/authority/freezes", api.FreezeApi.as_view(), name="registry-freezes"),
    path("registry/my/blocks", api.HeldBlockListApi.as_view(), name="registry-my-blocks"),
    path("registry/my/transfers", api.TransferApi.as_view(), name="registry-transfers"),
    path("registry/my/retirements", api.RetireApi.as_view(), name="registry-retire"),
]
web_patterns = [
    path("registry/", views.overview, name="registry"),
    path("registry/serials/", views.serial_search, name="registry-serials"),
    path("registry/projects/<uuid:pk>/", views.project_page, name="registry-project"),
    path("registry/export.csv", views.export_csv, name="registry-export"),
    path("registry/certificates/<str:code>/", views.certificate_page, name="registry-certificate"),
    path("registry/certificates/<str:code>/pdf", views.certificate_pdf, name="registry-certificate-pdf"),
    path("staff/registry/", views.staff_registry, name="staff-registry"),
]
