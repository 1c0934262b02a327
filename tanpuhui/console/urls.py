from django.urls import path

from tanpuhui.console import views

api_patterns: list = []
web_patterns = [
    path("console/", views.dashboard, name="console"),
    path("console/figures.csv", views.figures_csv, name="console-figures-csv"),
    path("console/province/", views.rollup, name="console-rollup"),
    path("console/province.csv", views.rollup_csv, name="console-rollup-csv"),
    path("console/audit/", views.audit_log, name="console-audit-log"),
]
