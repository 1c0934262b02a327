from rest_framework import serializers

from tanpuhui.notifications.messages import describe
from tanpuhui.notifications.models import Kind


class NotificationOutput(serializers.Serializer):
    """One message, worded in the request's language (``title``, ``body``), with its facts."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The page the message is about")
    coins = serializers.IntegerField()
    kg_co2e = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Records per behaviour")
    created_at = serializers.DateTimeField()
    read = serializers.SerializerMethodField()

    def get_title(self, obj) -> str:
        return describe(obj).title

    def get_body(self, obj) -> str:
        return describe(obj).body

    def get_url(self, obj) -> str:
        return describe(obj).url

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class UnreadOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Messages that were unread and are now read")
