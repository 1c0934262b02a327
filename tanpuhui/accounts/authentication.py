from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tanpuhui.accounts import services


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        token = services.token_find(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        request.auth_token = token
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key <prefix>.<secret>`` for data providers and integrations."""

    keyword = "api-key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        key = services.api_key_authenticate(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API key."))
        type(key).objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key.user, key


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key <prefix>.<secret>",
        }
