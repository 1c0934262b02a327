from django.urls import path

from tanpuhui.notifications import api, views

api_patterns = [
    path("me/notifications", api.MyNotificationListApi.as_view(), name="me-notifications"),
    path("me/notifications/unread", api.MyNotificationUnreadApi.as_view(), name="me-notifications-unread"),
    path(
        "me/notifications/read-all", api.MyNotificationReadAllApi.as_view(), name="me-notifications-read-all"
    ),
    path("me/notifications/<int:pk>/read", api.MyNotificationReadApi.as_view(), name="me-notification-read"),
]

web_patterns = [
    path("me/messages/", views.inbox, name="notifications"),
]
