"""Labels API: product-category rules (public, read) and enterprises' footprint studies."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import NotFound, ValidationFailed
from tanpuhui.common.scoping import PUBLIC, AudienceMixin
from tanpuhui.enterprises.api import EnterpriseMemberMixin
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.labels import filters, jsonld, selectors, serializers, services
from tanpuhui.labels.audiences import CERTIFICATION_BODY, LABEL_VERIFIER
from tanpuhui.labels.models import LowCarbonSpec, Study


@extend_schema(tags=["labels"])
class PcrListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.PcrOutput
    queryset = selectors.pcr_list()
    pagination_class = None


@extend_schema(tags=["labels"])
class PcrDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = PUBLIC
    serializer_class = serializers.PcrOutput
    queryset = selectors.pcr_list()


@extend_schema(tags=["labels"])
class StudyListApi(EnterpriseMemberMixin, generics.ListAPIView):
    serializer_class = serializers.StudyListOutput
    queryset = selectors.study_list()

    @extend_schema(request=serializers.StudyCreateInput, responses={201: serializers.StudyOutput})
    def post(self, request):
        data = serializers.StudyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        study = services.study_create(
            user=request.user,
            enterprise=self.enterprise(v["enterprise"]),
            pcr_id=v["pcr"],
            product_name=v["product_name"],
            reference_date=v["reference_date"],
        )
        return Response(serializers.StudyOutput(selectors.study_detail().get(pk=study.pk)).data, status=201)


@extend_schema(tags=["labels"])
class StudyDetailApi(EnterpriseMemberMixin, generics.RetrieveAPIView):
    serializer_class = serializers.StudyOutput
    queryset = selectors.study_detail()


@extend_schema(tags=["labels"], request=serializers.LineInput, responses={201: serializers.LineOutput})
class StudyLinesApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = Study.objects.select_related("pcr")
    serializer_class = serializers.LineOutput

    def post(self, request, pk):
        study = self.get_object()
        data = serializers.LineInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.line_add(study=study, **data.validated_data)
        return Response(serializers.LineOutput(line).data, status=201)


@extend_schema(tags=["labels"], request=None, responses=serializers.StudyOutput)
class StudyComputeApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = Study.objects.select_related("pcr")
    serializer_class = serializers.StudyOutput

    def post(self, request, pk):
        study = services.study_compute(study=self.get_object())
        return Response(serializers.StudyOutput(selectors.study_detail().get(pk=study.pk)).data)


# --- schemes and low-carbon specs (public data) ---------------------------------------------------------


@extend_schema(tags=["labels"])
class SchemeListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.SchemeOutput
    queryset = selectors.scheme_list()
    pagination_class = None


@extend_schema(tags=["labels"])
class SpecListApi(AudienceMixin, generics.ListAPIView):
    audience = PUBLIC
    serializer_class = serializers.SpecOutput
    queryset = selectors.spec_list()
    pagination_class = None


# --- enterprise: applications ---------------------------------------------------------------------------


@extend_schema(tags=["labels"])
class ApplicationListApi(EnterpriseMemberMixin, generics.ListAPIView):
    """One application for one or more labels (e.g. Guangdong and Hong Kong) on a computed study."""

    serializer_class = serializers.ApplicationOutput
    queryset = selectors.application_list()

    @extend_schema(request=serializers.ApplicationCreateInput, responses={201: serializers.ApplicationOutput})
    def post(self, request):
        data = serializers.ApplicationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        study = (
            self.scoped(Study.objects.select_related("pcr", "enterprise__centre"))
            .filter(pk=v["study"])
            .first()
        )
        if study is None:
            raise NotFound("Not found.")
        application = services.application_create(
            user=request.user, enterprise=study.enterprise, study=study, scheme_codes=v["schemes"]
        )
        return Response(
            serializers.ApplicationOutput(selectors.application_detail().get(pk=application.pk)).data,
            status=201,
        )


class ApplicationByRef(generics.GenericAPIView):
    """One application, as every audience's routes address it: by its public ``ref`` in the URL (the
    integer key stays internal: django-fsm-log's transition log needs one)."""

    lookup_field = "ref"
    lookup_url_kwarg = "pk"
    serializer_class = serializers.ApplicationOutput


@extend_schema(tags=["labels"])
class ApplicationDetailApi(EnterpriseMemberMixin, ApplicationByRef, generics.RetrieveAPIView):
    queryset = selectors.application_detail()


# --- certification body --------------------------------------------------------------------------------


class BodyMixin(AudienceMixin):
    audience = CERTIFICATION_BODY


@extend_schema(tags=["labels"])
class BodyApplicationListApi(BodyMixin, generics.ListAPIView):
    serializer_class = serializers.ApplicationOutput
    queryset = selectors.application_list()


@extend_schema(tags=["labels"])
class BodyApplicationDetailApi(BodyMixin, ApplicationByRef, generics.RetrieveAPIView):
    queryset = selectors.application_detail()


@extend_schema(tags=["labels"], request=serializers.AssignInput, responses=serializers.ApplicationOutput)
class BodyAssignApi(BodyMixin, ApplicationByRef, generics.GenericAPIView):
    queryset = selectors.application_list()

    def post(self, request, pk):
        application = self.get_object()
        data = serializers.AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        verifier = User.objects.filter(pk=data.validated_data["verifier"]).first()
        if verifier is None:
            raise ValidationFailed("Unknown verifier.", fields={"verifier": ["Unknown verifier."]})
        services.application_assign(application=application, actor=request.user, verifier=verifier)
        return Response(serializers.ApplicationOutput(selectors.application_detail().get(ref=pk)).data)


@extend_schema(tags=["labels"], request=serializers.DecideInput, responses=serializers.ApplicationOutput)
class BodyDecideApi(BodyMixin, ApplicationByRef, generics.GenericAPIView):
    queryset = selectors.application_list()

    def post(self, request, pk):
        application = self.get_object()
        data = serializers.DecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_decide(application=application, actor=request.user, **data.validated_data)
        return Response(serializers.ApplicationOutput(selectors.application_detail().get(ref=pk)).data)


@extend_schema(
    tags=["labels"], request=serializers.CertificateStatusInput, responses=serializers.LabelCertificateOutput
)
class BodyCertificateStatusApi(BodyMixin, generics.GenericAPIView):
    """Suspend, reinstate or withdraw a certificate."""

    serializer_class = serializers.LabelCertificateOutput
    queryset = selectors.certificate_public()

    def post(self, request, pk):
        certificate = self.get_object()
        data = serializers.CertificateStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = services.certificate_set_status(
            certificate=certificate, actor=request.user, **data.validated_data
        )
        return Response(serializers.LabelCertificateOutput(certificate).data)


@extend_schema(
    tags=["labels"], request=serializers.LowCarbonInput, responses={201: serializers.LabelCertificateOutput}
)
class BodyLowCarbonApi(BodyMixin, generics.GenericAPIView):
    """Certify a low-carbon product against its configured limits (422 with the reasons if it fails)."""

    serializer_class = serializers.LabelCertificateOutput
    queryset = selectors.certificate_public()

    def post(self, request):
        data = serializers.LowCarbonInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        enterprise = Enterprise.objects.select_related("centre").filter(pk=v.pop("enterprise")).first()
        spec = LowCarbonSpec.objects.filter(pk=v.pop("spec")).first()
        if enterprise is None:
            raise NotFound("Not found.")
        if spec is None:
            raise ValidationFailed("Unknown specification.", fields={"spec": ["Unknown specification."]})
        certificate = services.lowcarbon_certify(actor=request.user, enterprise=enterprise, spec=spec, **v)
        return Response(serializers.LabelCertificateOutput(certificate).data, status=201)


# --- verifier -----------------------------------------------------------------------------------------


class VerifierMixin(AudienceMixin):
    audience = LABEL_VERIFIER


@extend_schema(tags=["labels"])
class VerifierApplicationListApi(VerifierMixin, generics.ListAPIView):
    serializer_class = serializers.ApplicationOutput
    queryset = selectors.application_list()


@extend_schema(tags=["labels"])
class VerifierApplicationDetailApi(VerifierMixin, ApplicationByRef, generics.RetrieveAPIView):
    queryset = selectors.application_detail()


@extend_schema(tags=["labels"], request=serializers.LabelVerifyInput, responses=serializers.ApplicationOutput)
class VerifierVerifyApi(VerifierMixin, ApplicationByRef, generics.GenericAPIView):
    queryset = selectors.application_list()

    def post(self, request, pk):
        application = self.get_object()
        data = serializers.LabelVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_verify(application=application, actor=request.user, **data.validated_data)
        return Response(serializers.ApplicationOutput(selectors.application_detail().get(ref=pk)).data)


# --- public catalogue -----------------------------------------------------------------------------------


@extend_schema(tags=["labels"])
class CatalogueApi(AudienceMixin, generics.ListAPIView):
    """Valid labels and certificates (``status`` for the others), for buyers' systems."""

    audience = PUBLIC
    serializer_class = serializers.LabelCertificateOutput
    queryset = selectors.catalogue()
    filterset_class = filters.CatalogueFilter


@extend_schema(tags=["labels"])
class CertificateDetailApi(AudienceMixin, generics.RetrieveAPIView):
    audience = PUBLIC
    serializer_class = serializers.LabelCertificateOutput
    queryset = selectors.certificate_public()
    lookup_field = "number"


# --- openLCA JSON-LD ----------------------------------------------------------------------------------


@extend_schema(tags=["labels"], responses={200: dict})
class StudyJsonLdApi(EnterpriseMemberMixin, generics.GenericAPIView):
    """The study as an openLCA JSON-LD product system (processes, flows, exchanges)."""

    queryset = Study.objects.select_related("pcr", "enterprise").prefetch_related("lines")

    def get(self, request, pk):
        return Response(jsonld.export_study(self.get_object()))


@extend_schema(
    tags=["labels"], request=serializers.JsonLdImportInput, responses={201: serializers.StudyOutput}
)
class StudyJsonLdImportApi(EnterpriseMemberMixin, generics.GenericAPIView):
    queryset = Study.objects.all()
    serializer_class = serializers.StudyOutput

    def post(self, request):
        data = serializers.JsonLdImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        study = jsonld.import_study(
            user=request.user, enterprise=self.enterprise(v["enterprise"]), document=v["document"]
        )
        return Response(serializers.StudyOutput(selectors.study_detail().get(pk=study.pk)).data, status=201)


@extend_schema(
    tags=["labels"], request=serializers.SurveillanceInput, responses=serializers.LabelCertificateOutput
)
class BodySurveillanceApi(BodyMixin, generics.GenericAPIView):
    """Record a surveillance visit inside its window (a failed visit suspends the certificate)."""

    serializer_class = serializers.LabelCertificateOutput
    queryset = selectors.certificate_public()

    def post(self, request, pk):
        certificate = self.get_object()
        data = serializers.SurveillanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.surveillance_record(certificate=certificate, actor=request.user, **data.validated_data)
        return Response(serializers.LabelCertificateOutput(selectors.certificate_public().get(pk=pk)).data)


@extend_schema(tags=["labels"], request=None, responses=serializers.LabelCertificateOutput(many=True))
class BodyRenewApi(BodyMixin, generics.GenericAPIView):
    """Renew within 6 months of expiry; cross-recognised labels renew together."""

    serializer_class = serializers.LabelCertificateOutput
    queryset = selectors.certificate_public()

    def post(self, request, pk):
        renewed = services.certificate_renew(certificate=self.get_object(), actor=request.user)
        return Response(serializers.LabelCertificateOutput(renewed, many=True).data)
