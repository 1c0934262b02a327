from django.urls import path

from tanpuhui.labels import api, views

api_patterns = [
    path("labels/pcrs", api.PcrListApi.as_view(), name="labels-pcrs"),
    path("labels/pcrs/<int:pk>", api.PcrDetailApi.as_view(), name="labels-pcr-detail"),
    path("labels/schemes", api.SchemeListApi.as_view(), name="labels-schemes"),
    path("labels/low-carbon/specs", api.SpecListApi.as_view(), name="labels-specs"),
    path("labels/studies", api.StudyListApi.as_view(), name="labels-studies"),
    path("labels/studies/import", api.StudyJsonLdImportApi.as_view(), name="labels-study-import"),
    path("labels/studies/<uuid:pk>", api.StudyDetailApi.as_view(), name="labels-study-detail"),
    path("labels/studies/<uuid:pk>/lines", api.StudyLinesApi.as_view(), name="labels-study-lines"),
    path("labels/studies/<uuid:pk>/compute", api.StudyComputeApi.as_view(), name="labels-study-compute"),
    path("labels/studies/<uuid:pk>/jsonld", api.StudyJsonLdApi.as_view(), name="labels-study-jsonld"),
    path("labels/applications", api.ApplicationListApi.as_view(), name="labels-applications"),
    path("labels/applications/<uuid:pk>", api.ApplicationDetailApi.as_view(), name="labels-application"),
    path("labels/body/applications", api.BodyApplicationListApi.as_view(), name="labels-body-applications"),
    path(
        "labels/body/applications/<uuid:pk>",
        api.BodyApplicationDetailApi.as_view(),
        name="labels-body-application",
    ),
    path("labels/body/applications/<uuid:pk>/assign", api.BodyAssignApi.as_view(), name="labels-body-assign"),
    path("labels/body/applications/<uuid:pk>/decide", api.BodyDecideApi.as_view(), name="labels-body-decide"),
    path(
        "labels/body/certificates/<uuid:pk>/status",
        api.BodyCertificateStatusApi.as_view(),
        name="labels-body-certificate-status",
    ),
    path(
        "labels/body/certificates/<uuid:pk>/surveillance",
        api.BodySurveillanceApi.as_view(),
        name="labels-body-certificate-surveillance",
    ),
    path(
        "labels/body/certificates/<uuid:pk>/renew",
        api.BodyRenewApi.as_view(),
        name="labels-body-certificate-renew",
    ),
    path("labels/body/low-carbon", api.BodyLowCarbonApi.as_view(), name="labels-body-low-carbon"),
    path(
        "labels/verifier/applications",
        api.VerifierApplicationListApi.as_view(),
        name="labels-verifier-applications",
    ),
    path(
        "labels/verifier/applications/<uuid:pk>",
        api.VerifierApplicationDetailApi.as_view(),
        name="labels-verifier-application",
    ),
    path(
        "labels/verifier/applications/<uuid:pk>/verify",
        api.VerifierVerifyApi.as_view(),
        name="labels-verifier-verify",
    ),
    path("labels/catalogue", api.CatalogueApi.as_view(), name="labels-catalogue"),
    path("labels/certificates/<str:number>", api.CertificateDetailApi.as_view(), name="labels-certificate"),
]
web_patterns = [
    path("enterprise/footprints/", views.study_list, name="labels-studies"),
    path("enterprise/footprints/<uuid:pk>/", views.study_detail, name="labels-study"),
    path("enterprise/labels/", views.application_list, name="labels-applications"),
    path("enterprise/labels/apply/", views.application_apply, name="labels-apply"),
    path("enterprise/labels/<uuid:pk>/", views.application_detail, name="labels-application"),
    path("certification/labels/", views.body_queue, name="labels-body"),
    path("certification/labels/<uuid:pk>/", views.body_detail, name="labels-body-application"),
    path("certification/labels/<uuid:pk>/assign/", views.body_assign, name="labels-body-assign"),
    path("certification/labels/<uuid:pk>/decide/", views.body_decide, name="labels-body-decide"),
    path("verifier/labels/", views.verifier_queue, name="labels-verifier"),
    path("verifier/labels/<uuid:pk>/", views.verifier_detail, name="labels-verifier-application"),
    path("verifier/labels/<uuid:pk>/verify/", views.verifier_verify, name="labels-verifier-verify"),
    path("labels/", views.catalogue, name="labels-catalogue"),
    path("labels/c/<str:number>/", views.certificate_verify, name="labels-verify"),
    path("labels/c/<str:number>/label.svg", views.certificate_label_svg, name="labels-label-svg"),
    path("labels/c/<str:number>/label.png", views.certificate_label_png, name="labels-label-png"),
]
