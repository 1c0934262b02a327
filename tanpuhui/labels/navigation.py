"""Pages of the labels context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register
from tanpuhui.labels import selectors
from tanpuhui.labels.audiences import CERTIFICATION_BODY, LABEL_VERIFIER
from tanpuhui.labels.models import Application

register(
    NavItem(
        "labels-studies",
        _("Product footprints"),
        "web:labels-studies",
        audience="enterprise_applicant",
        area="enterprise",
        order=20,
        active_on=("web:labels-study",),
        icon="leaf",
    ),
    NavItem(
        "labels-applications",
        _("Carbon labels"),
        "web:labels-applications",
        audience="enterprise_applicant",
        area="enterprise",
        order=22,
        active_on=("web:labels-application",),
    ),
    NavItem(
        "labels-body",
        _("Label applications"),
        "web:labels-body",
        audience="certification_body",
        area="staff",
        group=_("Certification"),
        order=10,
        active_on=("web:labels-body-application",),
        badge=lambda user: selectors.applications_waiting(
            queryset=CERTIFICATION_BODY.scope(Application.objects.all(), user)
        ).count(),
    ),
    NavItem(
        "labels-verifier",
        _("Label verification"),
        "web:labels-verifier",
        audience="label_verifier",
        area="staff",
        group=_("Certification"),
        order=20,
        active_on=("web:labels-verifier-application",),
        badge=lambda user: (
            LABEL_VERIFIER.scope(Application.objects.all(), user)
            .filter(status=Application.Status.ASSIGNED)
            .count()
        ),
    ),
    NavItem(
        "labels-catalogue",
        _("Carbon labels"),
        "web:labels-catalogue",
        audience="public",
        area="public",
        order=60,
        active_on=("web:labels-verify",),
    ),
)
