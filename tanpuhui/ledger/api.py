from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.accounts.models import Role, User
from tanpuhui.common.api import HasRole
from tanpuhui.common.scoping import AudienceMixin
from tanpuhui.common.services import audit_record
from tanpuhui.ledger import selectors, serializers, services
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.ledger.models import Account, AccountKind, CoinAward, Transfer
from tanpuhui.tenancy.models import Centre


@extend_schema(tags=["me"], responses=serializers.WalletOutput)
class WalletApi(AudienceMixin, APIView):
    audience = RESIDENT

    def get(self, request):
        return Response(serializers.WalletOutput(selectors.wallet_summary(request.user)).data)


@extend_schema(tags=["me"])
class WalletTransfersApi(AudienceMixin, generics.ListAPIView):
    """The transfers in or out of the resident's own wallet."""

    audience = RESIDENT
    serializer_class = serializers.TransferOutput
    queryset = Transfer.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Transfer.objects.none()
        return selectors.wallet_transfers(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.award_lines_attach(page)

    def get_serializer_context(self):
        wallet = selectors.wallet_account(self.request.user)
        return {**super().get_serializer_context(), "wallet_id": wallet.pk if wallet else None}


@extend_schema(tags=["me"])
class CoinAwardApi(AudienceMixin, generics.RetrieveAPIView):
    """Why one reduction earned what it earned: kg, rule version, multiplier, cap, arithmetic."""

    audience = RESIDENT
    serializer_class = serializers.AwardExplanationOutput
    lookup_field = "reduction_id"
    queryset = CoinAward.objects.select_related("reduction", "rule", "multiplier")


@extend_schema(tags=["staff"], responses=serializers.LedgerSummaryOutput)
class StaffLedgerSummaryApi(AudienceMixin, APIView):
    """Issuance totals and pool balances per visible centre; provincial roll-up when several."""

    audience = STAFF

    def get(self, request):
        rows = selectors.centre_summary(self.scoped(Centre.objects.all(), "pk"))
        province = selectors.provincial_rollup(rows) if len(rows) > 1 else None
        last = selectors.last_check()
        return Response(
            serializers.LedgerSummaryOutput({"centres": rows, "province": province, "last_check": last}).data
        )


@extend_schema(tags=["staff"], request=serializers.RewardInput, responses={201: serializers.RewardOutput})
class StaffRewardApi(AudienceMixin, APIView):
    """Pay a resident of the pool's centre from a funding pool. Requires ``Idempotency-Key``."""

    audience = STAFF
    permission_classes = [HasRole.of(Role.CENTRE_OPERATOR, Role.CENTRE_FINANCE)]

    @idempotent("staff_reward")
    def post(self, request):
        data = serializers.RewardInput(data=request.data)
        data.is_valid(raise_exception=True)
        pool = (
            self.scoped(Account.objects.filter(kind=AccountKind.POOL))
            .filter(pk=data.validated_data["pool"])
            .first()
        )
        if pool is None:
            raise services.AccountNotFound(
                "Unknown funding pool.", fields={"pool": [data.validated_data["pool"]]}
            )
        resident = get_object_or_404(
            self.scoped(User.objects.filter(role_assignments__role=Role.RESIDENT)).distinct(),
            pk=data.validated_data["resident"],
        )
        transfer = services.pool_reward(
            pool=pool,
            resident=resident,
            amount=data.validated_data["amount"],
            idempotency_key=request.idempotency_key,
            actor=request.user,
            memo=data.validated_data["memo"],
        )
        audit_record(
            actor=request.user, action="ledger.reward", target=transfer, centre=pool.centre, request=request
        )
        pool.refresh_from_db()
        out = {
            "pk": transfer.pk,
            "amount": transfer.amount,
            "pool_balance": pool.balance,
            "credit_id": transfer.credit_id,
        }
        return Response(serializers.RewardOutput(out).data, status=201)
