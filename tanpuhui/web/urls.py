from django.urls import path

from tanpuhui.web import views

api_patterns: list = []
web_patterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/bindings/", views.binding_add, name="binding-add"),
    path("me/bindings/<int:pk>/remove/", views.binding_remove, name="binding-remove"),
    path("me/real-name/", views.real_name, name="real-name"),
]
