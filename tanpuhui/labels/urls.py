from django.urls import path

from tanpuhui.labels import api, views

api_patterns = [
    path("labels/pcrs", api.PcrListApi.as_view(), name="labels-pcrs"),
    path("labels/pcrs/<int:pk>", api.PcrDetailApi.as_view(), name="labels-pcr-detail"),
    path("labels/studies", api.StudyListApi.as_view(), name="labels-studies"),
    path("labels/studies/<uuid:pk>", api.StudyDetailApi.as_view(), name="labels-study-detail"),
    path("labels/studies/<uuid:pk>/lines", api.StudyLinesApi.as_view(), name="labels-study-lines"),
    path("labels/studies/<uuid:pk>/compute", api.StudyComputeApi.as_view(), name="labels-study-compute"),
]
web_patterns = [
    path("enterprise/footprints/", views.study_list, name="labels-studies"),
    path("enterprise/footprints/<uuid:pk>/", views.study_detail, name="labels-study"),
]
