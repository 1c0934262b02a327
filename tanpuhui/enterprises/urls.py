from django.urls import path

from tanpuhui.enterprises import api, views

api_patterns = [
    path("enterprises", api.EnterpriseListApi.as_view(), name="enterprises"),
    path("enterprise/projects", api.ProjectListApi.as_view(), name="enterprise-projects"),
    path("enterprise/projects/<uuid:pk>", api.ProjectDetailApi.as_view(), name="enterprise-project-detail"),
    path(
        "enterprise/projects/<uuid:pk>/readings",
        api.ProjectReadingsApi.as_view(),
        name="enterprise-project-readings",
    ),
    path(
        "enterprise/projects/<uuid:pk>/documents",
        api.ProjectDocumentApi.as_view(),
        name="enterprise-project-documents",
    ),
    path(
        "enterprise/projects/<uuid:pk>/submit",
        api.ProjectSubmitApi.as_view(),
        name="enterprise-project-submit",
    ),
    path("enterprise/donations", api.DonationListApi.as_view(), name="enterprise-donations"),
    path("staff/enterprises", api.StaffEnterpriseListApi.as_view(), name="staff-enterprises"),
    path(
        "staff/enterprises/<uuid:pk>/verify",
        api.StaffEnterpriseVerifyApi.as_view(),
        name="staff-enterprise-verify",
    ),
    path("staff/retrofits", api.StaffReviewQueueApi.as_view(), name="staff-retrofits"),
    path("staff/retrofits/<uuid:pk>", api.StaffProjectDetailApi.as_view(), name="staff-retrofit-detail"),
    path(
        "staff/retrofits/<uuid:pk>/review", api.StaffProjectReviewApi.as_view(), name="staff-retrofit-review"
    ),
    path("certificates/<str:code>", api.CertificateApi.as_view(), name="certificate"),
    path("thank-you", api.ThankYouListApi.as_view(), name="thank-you"),
]
web_patterns = [
    path("enterprise/", views.portal, name="enterprise-portal"),
    path("enterprise/register/", views.enterprise_register, name="enterprise-register"),
    path("enterprise/<uuid:pk>/staff/", views.member_add, name="enterprise-member-add"),
    path("enterprise/projects/new/", views.project_new, name="enterprise-project-new"),
    path("enterprise/projects/<uuid:pk>/edit/", views.project_edit, name="enterprise-project-edit"),
    path(
        "enterprise/projects/<uuid:pk>/readings/", views.project_readings, name="enterprise-project-readings"
    ),
    path("enterprise/projects/<uuid:pk>/documents/", views.document_add, name="enterprise-document-add"),
    path(
        "enterprise/projects/<uuid:pk>/documents/<int:doc>/",
        views.document_file,
        name="enterprise-document",
    ),
    path("enterprise/projects/<uuid:pk>/submit/", views.project_submit, name="enterprise-project-submit"),
    path("enterprise/projects/<uuid:pk>/", views.project_page, name="enterprise-project"),
    path("enterprise/projects/<uuid:pk>/review", views.project_review, name="enterprise-project-review"),
    path("enterprise/projects/<uuid:pk>/donate", views.project_donate, name="enterprise-project-donate"),
    path("staff/retrofits/", views.review_queue, name="staff-retrofits"),
    path("certificates/<str:code>/", views.certificate_page, name="certificate"),
    path("certificates/<str:code>/pdf", views.certificate_pdf, name="certificate-pdf"),
    path("thank-you/", views.thank_you, name="thank-you"),
]
