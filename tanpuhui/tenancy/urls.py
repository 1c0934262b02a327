from django.urls import path

from tanpuhui.tenancy import api

api_patterns = [path("centres", api.CentreListApi.as_view(), name="centre-list")]
web_patterns: list = []
