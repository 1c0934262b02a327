from django.urls import path

from tanpuhui.methodology import api, views

api_patterns = [
    path("methodologies", api.MethodologyListApi.as_view(), name="methodology-list"),
    path("methodologies/<slug:code>", api.MethodologyDetailApi.as_view(), name="methodology-detail"),
    path(
        "staff/methodology/parameters",
        api.ParameterPublishApi.as_view(),
        name="methodology-parameter-publish",
    ),
    path("staff/methodology/versions", api.VersionPublishApi.as_view(), name="methodology-version-publish"),
]
web_patterns = [
    path("methodologies/", views.methodology_list, name="methodologies"),
    path("methodologies/<slug:code>/", views.methodology_detail, name="methodology"),
    path("staff/methodology/parameters/", views.staff_parameters, name="staff-parameters"),
    path(
        "staff/methodology/parameters/<int:pk>/publish/",
        views.staff_parameter_publish,
        name="staff-parameter-publish",
    ),
]
