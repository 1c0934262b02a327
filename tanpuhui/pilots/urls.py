from django.urls import path

from tanpuhui.pilots import api, views

api_patterns = [
    path("pilots/places", api.PlaceListApi.as_view(), name="pilot-places"),
    path("pilots/indicator-sets", api.IndicatorSetListApi.as_view(), name="pilot-indicator-sets"),
    path("pilots/mine", api.MyPilotListApi.as_view(), name="pilots-mine"),
    path("pilots/mine/<uuid:pk>", api.MyPilotDetailApi.as_view(), name="pilot-mine"),
    path("pilots/mine/<uuid:pk>/documents", api.MyPilotDocumentApi.as_view(), name="pilot-mine-documents"),
    path("pilots/mine/<uuid:pk>/measures", api.MyPilotMeasureApi.as_view(), name="pilot-mine-measures"),
    path(
        "pilots/mine/<uuid:pk>/indicator-values",
        api.MyPilotIndicatorValueApi.as_view(),
        name="pilot-mine-values",
    ),
    path("pilots/mine/<uuid:pk>/emissions", api.MyPilotEmissionApi.as_view(), name="pilot-mine-emissions"),
    path(
        "pilots/mine/<uuid:pk>/evaluation", api.MyPilotEvaluationApi.as_view(), name="pilot-mine-evaluation"
    ),
    path("pilots/review", api.ReviewListApi.as_view(), name="pilots-review"),
    path(
        "pilots/review/indicator-sets",
        api.ReviewIndicatorSetApi.as_view(),
        name="pilots-review-indicator-sets",
    ),
    path("pilots/review/<uuid:pk>", api.ReviewDetailApi.as_view(), name="pilot-review"),
    path(
        "pilots/review/<uuid:pk>/transition",
        api.ReviewTransitionApi.as_view(),
        name="pilot-review-transition",
    ),
    path(
        "pilots/review/<uuid:pk>/appropriations",
        api.ReviewAppropriationApi.as_view(),
        name="pilot-review-appropriations",
    ),
    path(
        "pilots/review/appropriations/<int:pk>/disbursements",
        api.ReviewDisbursementApi.as_view(),
        name="pilot-review-disbursements",
    ),
    path(
        "pilots/review/<uuid:pk>/evaluation",
        api.ReviewEvaluationApi.as_view(),
        name="pilot-review-evaluation",
    ),
    path("pilots/review/<uuid:pk>/screens", api.ReviewScreenApi.as_view(), name="pilot-review-screens"),
    path("pilots/dashboard", api.DashboardApi.as_view(), name="pilots-dashboard"),
    path("screens/<str:token>", api.ScreenApi.as_view(), name="screen"),
]
web_patterns = [
    path("screens/<str:token>/", views.screen_page, name="screen"),
    path("staff/my-pilots/", views.my_pilots_page, name="my-pilots"),
    path("staff/my-pilots/<uuid:pk>/", views.my_pilot_page, name="my-pilot"),
    path("staff/pilots/", views.dashboard_page, name="staff-pilots"),
    path("staff/pilots/<uuid:pk>/", views.pilot_page, name="staff-pilot"),
    path("staff/pilots/export.csv", views.dashboard_export_csv, name="staff-pilots-csv"),
    path("staff/pilots/export.xlsx", views.dashboard_export_xlsx, name="staff-pilots-xlsx"),
]
