from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import RESIDENT
from tanpuhui.common.scoping import AudienceMixin
from tanpuhui.notifications import selectors, serializers, services
from tanpuhui.notifications.models import Notification


@extend_schema(tags=["me"])
class MyNotificationListApi(AudienceMixin, generics.ListAPIView):
    """The resident's messages, newest first: coins earned (with the trips counted), vouchers
    issued, used and expiring, crowdfunding outcomes."""

    audience = RESIDENT
    scope_lookup = "recipient"
    serializer_class = serializers.NotificationOutput
    queryset = Notification.objects.order_by("-created_at", "-id")


@extend_schema(tags=["me"], responses=serializers.UnreadOutput)
class MyNotificationUnreadApi(AudienceMixin, APIView):
    """How many messages are unread (the badge)."""

    audience = RESIDENT

    def get(self, request):
        return Response({"unread": selectors.unread_count(request.user)})


@extend_schema(tags=["me"], request=None, responses=serializers.NotificationOutput)
class MyNotificationReadApi(AudienceMixin, generics.GenericAPIView):
    """Mark one message read (again: no change)."""

    audience = RESIDENT
    scope_lookup = "recipient"
    serializer_class = serializers.NotificationOutput
    queryset = Notification.objects.all()

    def post(self, request, pk):
        notification = self.get_object()
        notification = services.notification_read(recipient=request.user, notification_id=notification.pk)
        return Response(serializers.NotificationOutput(notification).data)


@extend_schema(tags=["me"], request=None, responses=serializers.ReadAllOutput)
class MyNotificationReadAllApi(AudienceMixin, APIView):
    """Mark every message read."""

    audience = RESIDENT

    def post(self, request):
        return Response({"marked": services.notifications_read_all(recipient=request.user)})
