"""Enterprise portal, staff review and public certificate endpoints (thin: validate, call a service, serialise)."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.enterprises import selectors, serializers, services
from tanpuhui.enterprises.audiences import ENTERPRISE, ENTERPRISE_APPLICANT
from tanpuhui.enterprises.models import Donation, Enterprise, RetrofitProject, ReviewEvent
from tanpuhui.ledger.idempotency import idempotent


class EnterpriseMemberMixin(AudienceMixin):
    """Enterprise staff see their own enterprises' rows only; another enterprise's row is a 404."""

    audience = ENTERPRISE

    def enterprise(self, enterprise_id) -> Enterprise:
        enterprise = self.scoped(Enterprise.objects.all(), "members__user").filter(pk=enterprise_id).first()
        if enterprise is None:
            raise NotFound("Not found.")
        return enterprise


def _project_detail_queryset():
    return RetrofitProject.objects.select_related("enterprise", "centre").prefetch_related(
        "readings",
        "documents",
        "years",
        Prefetch("review_events", queryset=ReviewEvent.objects.order_by("at", "id")),
    )


# --- enterprise portal ---------------------------------------------------------------------------


@extend_schema(tags=["enterprises"])
class EnterpriseListApi(AudienceMixin, generics.ListAPIView):
    audience = ENTERPRISE_APPLICANT
    serializer_class = serializers.EnterpriseOutput
    queryset = Enterprise.objects.select_related("centre")
    pagination_class = None

    @extend_schema(request=serializers.EnterpriseRegisterInput, responses={201: serializers.EnterpriseOutput})
    def post(self, request):
        data = serializers.EnterpriseRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        enterprise = services.enterprise_register(
            user=request.user,
            name=v["name"],
            credit_code=v["credit_code"],
            sector=v["sector"],
            centre_code=v["centre"],
        )
        return Response(serializers.EnterpriseOutput(enterprise).data, status=201)


@extend_schema(tags=["enterprises"])
class ProjectListApi(EnterpriseMemberMixin, generics.ListAPIView):
    serializer_class = serializers.ProjectListOutput
    queryset = selectors.project_list()

    @extend_schema(request=serializers.ProjectCreateInput, responses={201: serializers.ProjectOutput})
    def post(self, request):
        data = serializers.ProjectCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        enterprise = self.enterprise(v.pop("enterprise"))
        project = services.project_create(enterprise=enterprise, actor=request.user, **v)
        return Response(
            serializers.ProjectOutput(_project_detail_queryset().get(pk=project.pk)).data, status=201
        )


@extend_schema(tags=["enterprises"])
class ProjectDetailApi(EnterpriseMemberMixin, generics.RetrieveAPIView):
    serializer_class = serializers.ProjectOutput
    queryset = _project_detail_queryset()


@extend_schema(tags=["enterprises"], request=serializers.ReadingsInput, responses=serializers.ProjectOutput)
class ProjectReadingsApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = RetrofitProject.objects.all()
    serializer_class = serializers.ProjectOutput

    def put(self, request, pk):
        project = self.get_object()
        data = serializers.ReadingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.readings_replace(
            project=project, actor=request.user, readings=data.validated_data["readings"]
        )
        return Response(serializers.ProjectOutput(_project_detail_queryset().get(pk=project.pk)).data)


@extend_schema(
    tags=["enterprises"],
    request={"multipart/form-data": serializers.DocumentInput},
    responses={201: serializers.DocumentOutput},
)
class ProjectDocumentApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = RetrofitProject.objects.all()
    serializer_class = serializers.DocumentOutput
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk):
        project = self.get_object()
        data = serializers.DocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_upload(
            project=project,
            actor=request.user,
            upload=data.validated_data["file"],
            doc_type=data.validated_data["doc_type"],
        )
        return Response(serializers.DocumentOutput(document).data, status=201)


@extend_schema(tags=["enterprises"], request=serializers.SubmitInput, responses=serializers.ProjectOutput)
class ProjectSubmitApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = RetrofitProject.objects.all()
    serializer_class = serializers.ProjectOutput

    def post(self, request, pk):
        project = self.get_object()
        data = serializers.SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.project_transition(
            project_id=project.pk, actor=request.user, step="submit", comment=data.validated_data["comment"]
        )
        return Response(serializers.ProjectOutput(_project_detail_queryset().get(pk=project.pk)).data)


@extend_schema(tags=["enterprises"])
class DonationListApi(EnterpriseMemberMixin, generics.ListAPIView):
    serializer_class = serializers.DonationOutput
    queryset = Donation.objects.select_related("enterprise", "reduction_year__project", "pool", "centre")

    @extend_schema(request=serializers.DonationInput, responses={201: serializers.DonationOutput})
    @idempotent("enterprise_donation")
    def post(self, request):
        data = serializers.DonationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        year = (
            self.scoped(RetrofitProject.objects.all())
            .filter(years__pk=v["reduction_year"])
            .select_related("enterprise")
            .first()
        )
        if year is None:
            raise NotFound("No approved reduction with this id.")
        donation = services.donation_create(
            enterprise=year.enterprise,
            actor=request.user,
            reduction_year_id=v["reduction_year"],
            kg_co2e=v["kg_co2e"],
            idempotency_key=request.idempotency_key,
            public_thanks=v["public_thanks"],
            request=request,
        )
        return Response(serializers.DonationOutput(donation).data, status=201)


# --- staff ---------------------------------------------------------------------------------------


@extend_schema(tags=["staff"])
class StaffEnterpriseListApi(AudienceMixin, generics.ListAPIView):
    audience = STAFF
    serializer_class = serializers.EnterpriseOutput
    queryset = Enterprise.objects.select_related("centre").order_by("status", "name")


@extend_schema(
    tags=["staff"], request=serializers.EnterpriseVerifyInput, responses=serializers.EnterpriseOutput
)
class StaffEnterpriseVerifyApi(AudienceMixin, generics.GenericAPIView):
    audience = STAFF
    queryset = Enterprise.objects.select_related("centre")
    serializer_class = serializers.EnterpriseOutput

    def post(self, request, pk):
        enterprise = self.get_object()
        data = serializers.EnterpriseVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = services.enterprise_verify(
            enterprise_id=enterprise.pk,
            actor=request.user,
            approve=data.validated_data["approve"],
            note=data.validated_data["note"],
            request=request,
        )
        return Response(serializers.EnterpriseOutput(enterprise).data)


@extend_schema(tags=["staff"])
class StaffReviewQueueApi(AudienceMixin, generics.ListAPIView):
    audience = STAFF
    serializer_class = serializers.ProjectListOutput
    queryset = selectors.review_queue()


@extend_schema(tags=["staff"])
class StaffProjectDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = STAFF
    serializer_class = serializers.ProjectOutput
    queryset = _project_detail_queryset()


@extend_schema(tags=["staff"], request=serializers.RetrofitReviewInput, responses=serializers.ProjectOutput)
class StaffProjectReviewApi(AudienceMixin, generics.GenericAPIView):
    audience = STAFF
    queryset = RetrofitProject.objects.all()
    serializer_class = serializers.ProjectOutput

    def post(self, request, pk):
        project = self.get_object()
        data = serializers.RetrofitReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.project_transition(
            project_id=project.pk,
            actor=request.user,
            step=data.validated_data["action"],
            comment=data.validated_data["comment"],
            request=request,
        )
        return Response(serializers.ProjectOutput(_project_detail_queryset().get(pk=project.pk)).data)


# --- public --------------------------------------------------------------------------------------


@extend_schema(tags=["public"], responses=serializers.CertificateOutput)
class CertificateApi(AudienceMixin, APIView):
    audience = PUBLIC

    def get(self, request, code: str):
        donation = selectors.certificate(code)
        if donation is None:
            raise Http404
        return Response(serializers.CertificateOutput(donation).data)


@extend_schema(tags=["public"])
class ThankYouListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.ThankYouOutput
    queryset = selectors.thank_you_list()
