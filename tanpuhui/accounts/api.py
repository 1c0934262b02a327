from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tanpuhui.accounts import filters, selectors, serializers, services
from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.accounts.models import PROVIDER_MANAGER_ROLES, ApiKey, Binding, Role, User
from tanpuhui.common.api import HasRole, ManagedByRolesMixin
from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import PUBLIC, SIGNED_IN, AudienceMixin
from tanpuhui.common.services import audit_record


@extend_schema(tags=["auth"], request=serializers.RegisterInput, responses={201: serializers.MeOutput})
class RegisterApi(AudienceMixin, APIView):
    audience = PUBLIC
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request):
        data = serializers.RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.resident_register(
            centre_code=data.validated_data["centre"],
            phone=data.validated_data["phone"],
            password=data.validated_data["password"],
            display_name=data.validated_data["display_name"],
        )
        return Response(serializers.MeOutput(selectors.user_with_profile(user.pk)).data, status=201)


@extend_schema(tags=["auth"], request=serializers.TokenInput, responses={200: serializers.TokenOutput})
class TokenApi(AudienceMixin, APIView):
    audience = PUBLIC
    authentication_classes: list = []

    def post(self, request):
        data = serializers.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.login_attempt(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        token = services.token_issue(user=user, client=data.validated_data["client"])
        return Response({"token": token, "expires_in": int(services.TOKEN_LIFETIME.total_seconds())})


@extend_schema(tags=["auth"], request=None, responses={204: None})
class LogoutApi(AudienceMixin, APIView):
    audience = SIGNED_IN

    def post(self, request):
        token = getattr(request, "auth_token", None)
        if token is not None:
            services.token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"])
class MeApi(AudienceMixin, APIView):
    audience = SIGNED_IN

    @extend_schema(responses=serializers.MeOutput)
    def get(self, request):
        return Response(serializers.MeOutput(selectors.user_with_profile(request.user.pk)).data)

    @extend_schema(request=serializers.MeUpdateInput, responses=serializers.MeOutput)
    def patch(self, request):
        data = serializers.MeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, **data.validated_data)
        return Response(serializers.MeOutput(selectors.user_with_profile(user.pk)).data)


@extend_schema(tags=["me"])
class BindingListApi(AudienceMixin, generics.ListAPIView):
    audience = RESIDENT
    serializer_class = serializers.BindingOutput
    queryset = Binding.objects.filter(unbound_at__isnull=True)
    pagination_class = None

    @extend_schema(request=serializers.BindingInput, responses={201: serializers.BindingOutput})
    def post(self, request):
        data = serializers.BindingInput(data=request.data)
        data.is_valid(raise_exception=True)
        binding = services.binding_create(resident=request.user, **data.validated_data)
        return Response(serializers.BindingOutput(binding).data, status=201)


@extend_schema(tags=["me"])
class BindingDetailApi(AudienceMixin, generics.GenericAPIView):
    audience = RESIDENT
    queryset = Binding.objects.filter(unbound_at__isnull=True)
    serializer_class = serializers.BindingOutput

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.binding_remove(resident=request.user, binding_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"], request=serializers.RealNameInput, responses={200: serializers.MeOutput})
class RealNameApi(AudienceMixin, APIView):
    audience = RESIDENT

    def post(self, request):
        data = serializers.RealNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.real_name_verify(user=request.user, **data.validated_data)
        return Response(serializers.MeOutput(selectors.user_with_profile(request.user.pk)).data)


@extend_schema(tags=["staff"])
class StaffResidentListApi(AudienceMixin, generics.ListAPIView):
    audience = STAFF
    serializer_class = serializers.StaffResidentOutput
    queryset = selectors.resident_list()
    filterset_class = filters.StaffResidentFilter


@extend_schema(tags=["staff"])
class StaffResidentDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = STAFF
    serializer_class = serializers.StaffResidentOutput
    queryset = selectors.resident_list()

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        with transaction.atomic():
            audit_record(
                actor=request.user, action="resident.view", target=self.get_object(), request=request
            )
        return response


class _ApiKeyStaffBase(AudienceMixin, ManagedByRolesMixin, generics.GenericAPIView):
    """Keys of data-provider service accounts in the staff member's centres (scoped by the key's user)."""

    audience = STAFF
    scope_lookup = "user__centre"
    queryset = ApiKey.objects.select_related("user__centre").order_by("-created_at")
    serializer_class = serializers.ApiKeyOutput
    lookup_field = "prefix"
    # Everyone in the back office may look; provider managers manage keys.
    manage_roles = tuple(PROVIDER_MANAGER_ROLES)


@extend_schema(tags=["staff"])
class StaffApiKeyListApi(_ApiKeyStaffBase, generics.ListAPIView):
    @extend_schema(request=serializers.ApiKeyIssueInput, responses={201: serializers.ApiKeyIssuedOutput})
    def post(self, request):
        data = serializers.ApiKeyIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The provider must be in the staff member's centres: looked up through the same scoping.
        provider = (
            self.scoped(User.objects.select_related("centre"), "centre")
            .filter(pk=data.validated_data["provider"])
            .first()
        )
        if provider is None:
            raise NotFound(_("No such data provider."), fields={"provider": [_("No such data provider.")]})
        key, plaintext = services.provider_key_issue(
            provider=provider, name=data.validated_data["name"], actor=request.user
        )
        return Response(serializers.ApiKeyIssuedOutput({"key": plaintext, "api_key": key}).data, status=201)


@extend_schema(tags=["staff"], request=None, responses={201: serializers.ApiKeyIssuedOutput})
class StaffApiKeyRotateApi(_ApiKeyStaffBase):
    def post(self, request, prefix: str):
        old = self.get_object()
        new, plaintext = services.api_key_rotate(key=old, actor=request.user)
        old.refresh_from_db()
        body = {"key": plaintext, "api_key": new, "previous": old}
        return Response(serializers.ApiKeyIssuedOutput(body).data, status=201)


@extend_schema(tags=["staff"], request=None, responses={200: serializers.ApiKeyOutput})
class StaffApiKeyRevokeApi(_ApiKeyStaffBase):
    def post(self, request, prefix: str):
        key = services.api_key_revoke(key=self.get_object(), actor=request.user)
        return Response(serializers.ApiKeyOutput(key).data)


@extend_schema(tags=["staff"])
class StaffBindingListApi(AudienceMixin, generics.ListAPIView):
    """Who holds a number in my centre (active bindings): needs the full number or a resident."""

    audience = STAFF
    serializer_class = serializers.StaffBindingOutput
    queryset = (
        Binding.objects.filter(unbound_at__isnull=True)
        .select_related("resident", "centre")
        .order_by("-created_at")
    )
    filterset_class = filters.StaffBindingFilter


@extend_schema(
    tags=["staff"], request=serializers.BindingReleaseInput, responses=serializers.StaffBindingOutput
)
class StaffBindingReleaseApi(AudienceMixin, generics.GenericAPIView):
    audience = STAFF
    queryset = Binding.objects.filter(unbound_at__isnull=True).select_related("resident", "centre")
    serializer_class = serializers.StaffBindingOutput

    permission_classes = [HasRole.of(Role.CENTRE_OPERATOR, Role.PROVINCIAL_OFFICER)]

    def post(self, request, pk: int):
        target = self.get_object()  # another centre's binding is a 404 before the body is read
        data = serializers.BindingReleaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        binding = services.binding_release(
            binding=target,
            actor=request.user,
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response(serializers.StaffBindingOutput(binding).data)
