from django.urls import path

from tanpuhui.inventories import api, views

api_patterns = [
    path("inventories/town", api.TownInventoryListApi.as_view(), name="inventories-town"),
    path("inventories/town/<uuid:pk>", api.TownInventoryDetailApi.as_view(), name="inventories-town-detail"),
    path("inventories/town/<uuid:pk>/rows", api.TownInventoryRowsApi.as_view(), name="inventories-town-rows"),
    path(
        "inventories/town/<uuid:pk>/import",
        api.TownInventoryImportApi.as_view(),
        name="inventories-town-import",
    ),
    path(
        "inventories/town/<uuid:pk>/notation-keys",
        api.TownInventoryNotationKeyApi.as_view(),
        name="inventories-town-notation-keys",
    ),
    path(
        "inventories/town/<uuid:pk>/submit",
        api.TownInventorySubmitApi.as_view(),
        name="inventories-town-submit",
    ),
    path(
        "inventories/town/<uuid:pk>/revise",
        api.TownInventoryReviseApi.as_view(),
        name="inventories-town-revise",
    ),
    path("inventories/review", api.ReviewListApi.as_view(), name="inventories-review"),
    path("inventories/review/<uuid:pk>", api.ReviewDetailApi.as_view(), name="inventories-review-detail"),
    path(
        "inventories/review/<uuid:pk>/comments",
        api.ReviewCommentApi.as_view(),
        name="inventories-review-comments",
    ),
    path(
        "inventories/review/<uuid:pk>/send-back",
        api.ReviewSendBackApi.as_view(),
        name="inventories-review-send-back",
    ),
    path(
        "inventories/review/<uuid:pk>/approve",
        api.ReviewApproveApi.as_view(),
        name="inventories-review-approve",
    ),
    path(
        "inventories/review/<uuid:pk>/publish",
        api.ReviewPublishApi.as_view(),
        name="inventories-review-publish",
    ),
    path("inventories/city", api.CityRollUpApi.as_view(), name="inventories-city"),
    path("inventories/province", api.ProvinceRollUpApi.as_view(), name="inventories-province"),
    path("inventories/published", api.PublishedListApi.as_view(), name="inventories-published"),
    path(
        "inventories/published/<uuid:pk>",
        api.PublishedDetailApi.as_view(),
        name="inventories-published-detail",
    ),
    path("inventories/factor-sets", api.FactorSetListApi.as_view(), name="inventories-factor-sets"),
    path("inventories/gwp-sets", api.GwpSetListApi.as_view(), name="inventories-gwp-sets"),
]
web_patterns = [
    path("inventories/", views.public_list, name="inventories"),
    path("inventories/<uuid:pk>/", views.public_report, name="inventories-report"),
    path("inventories/<uuid:pk>/report.xlsx", views.report_xlsx, name="inventories-report-xlsx"),
    path("inventories/<uuid:pk>/report.pdf", views.report_pdf, name="inventories-report-pdf"),
    path("inventories/template.xlsx", views.template_xlsx, name="inventories-template-xlsx"),
    path("inventories/template/<str:sheet>.csv", views.template_csv, name="inventories-template-csv"),
    path("inventories/town/", views.town_list, name="inventories-town"),
    path("inventories/town/<uuid:pk>/", views.town_detail, name="inventories-town-detail"),
    path("inventories/review/", views.review_list, name="inventories-review"),
    path("inventories/review/<uuid:pk>/", views.review_detail, name="inventories-review-detail"),
    path("inventories/province/", views.province, name="inventories-province"),
]
