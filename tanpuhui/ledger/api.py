from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.models import Role, User
from tanpuhui.common.api import CentreScopedMixin, HasRole, IsCentreStaff, IsResident
from tanpuhui.common.services import audit_record
from tanpuhui.ledger import selectors, serializers, services
from tanpuhui.ledger.idempotency import idempotent
from tanpuhui.ledger.models import Account, AccountKind, CoinAward, Transfer
from tanpuhui.tenancy.selectors import scope_to_user, visible_centre_ids


@extend_schema(tags=["me"], responses=serializers.WalletOutput)
class WalletApi(APIView):
    permission_classes = [IsResident]

    def get(self, request):
        return Response(serializers.WalletOutput(selectors.wallet_summary(request.user)).data)


@extend_schema(tags=["me"])
class WalletTransfersApi(generics.ListAPIView):
    permission_classes = [IsResident]
    serializer_class = serializers.TransferOutput

    queryset = Transfer.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Transfer.objects.none()
        return selectors.wallet_transfers(self.request.user)

    def get_serializer_context(self):
        wallet = selectors.wallet_account(self.request.user)
        return {**super().get_serializer_context(), "wallet_id": wallet.pk if wallet else None}


@extend_schema(tags=["me"])
class CoinAwardApi(generics.RetrieveAPIView):
    """Why one reduction earned what it earned: kg, rule version, multiplier, cap, arithmetic."""

    permission_classes = [IsResident]
    serializer_class = serializers.AwardExplanationOutput
    lookup_field = "reduction_id"

    queryset = CoinAward.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CoinAward.objects.none()
        return CoinAward.objects.filter(resident=self.request.user).select_related(
            "reduction", "rule", "multiplier", "transfer"
        )


@extend_schema(tags=["staff"], responses=serializers.LedgerSummaryOutput)
class StaffLedgerSummaryApi(APIView):
    """Issuance totals and pool balances per visible centre; provincial roll-up when several."""

    permission_classes = [IsCentreStaff]

    def get(self, request):
        ids = visible_centre_ids(request.user)
        rows = selectors.centre_summary(ids)
        province = selectors.provincial_rollup(rows) if ids is None or len(ids) > 1 else None
        last = selectors.last_check()
        return Response(
            serializers.LedgerSummaryOutput({"centres": rows, "province": province, "last_check": last}).data
        )


@extend_schema(tags=["staff"], request=serializers.RewardInput, responses={201: serializers.RewardOutput})
class StaffRewardApi(CentreScopedMixin, APIView):
    """Pay a resident of the pool's centre from a funding pool. Requires ``Idempotency-Key``."""

    permission_classes = [HasRole.of(Role.CENTRE_OPERATOR, Role.CENTRE_FINANCE)]

    def get_queryset(self):
        return scope_to_user(Account.objects.filter(kind=AccountKind.POOL), self.request.user)

    @idempotent("staff_reward")
    def post(self, request):
        data = serializers.RewardInput(data=request.data)
        data.is_valid(raise_exception=True)
        pool = self.get_queryset().filter(pk=data.validated_data["pool"]).first()
        if pool is None:
            raise services.AccountNotFound(
                "Unknown funding pool.", fields={"pool": [data.validated_data["pool"]]}
            )
        resident = get_object_or_404(
            scope_to_user(User.objects.filter(role_assignments__role=Role.RESIDENT), request.user).distinct(),
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
