"""The mini-program's calls: a phone code, and ``code2session`` login returning the product's token."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.wechat import serializers, services


@extend_schema(
    tags=["wechat"], request=serializers.MiniLoginInput, responses={200: serializers.MiniLoginOutput}
)
class MiniLoginApi(AudienceMixin, APIView):
    audience = PUBLIC
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request):
        data = serializers.MiniLoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.mini_login(
            centre_code=data.validated_data["centre"],
            code=data.validated_data["code"],
            phone=data.validated_data.get("phone", ""),
            sms_code=data.validated_data.get("sms_code", ""),
        )
        return Response(serializers.MiniLoginOutput(result).data)


@extend_schema(
    tags=["wechat"], request=serializers.PhoneCodeInput, responses={200: serializers.PhoneCodeOutput}
)
class PhoneCodeApi(AudienceMixin, APIView):
    audience = PUBLIC
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request):
        data = serializers.PhoneCodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.phone_code_send(phone=data.validated_data["phone"])
        return Response({"sent": True})
