from rest_framework import serializers


class MiniLoginInput(serializers.Serializer):
    centre = serializers.CharField(max_length=10, help_text="The centre's code, e.g. GZ.")
    code = serializers.CharField(max_length=128, help_text="The code from the mini-program's wx.login().")
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="First login only."
    )
    sms_code = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        help_text="The code sent to the phone (first login only).",
    )


class MiniLoginOutput(serializers.Serializer):
    linked = serializers.BooleanField(
        help_text="False: register with phone and sms_code (a new wx.login code)."
    )
    token = serializers.CharField(allow_null=True, help_text="Bearer token for the API (30 days).")


class PhoneCodeInput(serializers.Serializer):
    phone = serializers.CharField(max_length=20)


class PhoneCodeOutput(serializers.Serializer):
    sent = serializers.BooleanField()
