from django.urls import path

from tanpuhui.wechat import api, views

api_patterns = [
    path("wechat/mini-program/login", api.MiniLoginApi.as_view(), name="wechat-mini-login"),
    path("wechat/phone-codes", api.PhoneCodeApi.as_view(), name="wechat-phone-codes"),
]
web_patterns = [
    path("wechat/jssdk/", views.jssdk, name="wechat-jssdk"),
    path("wechat/<slug:centre>/", views.inbound, name="wechat-inbound"),
    path("wechat/<slug:centre>/bind/", views.bind, name="wechat-bind"),
    path("wechat/<slug:centre>/oauth/", views.oauth_return, name="wechat-oauth"),
    path("wechat/<slug:centre>/register/", views.register, name="wechat-register"),
    path("me/wechat/", views.me_wechat, name="me-wechat"),
    path("staff/wechat/", views.staff_accounts, name="staff-wechat"),
]
