"""Wall-test declarations of the labels routes (see ``common/tests/walls.py``). Studies and
applications belong to the ENTERPRISE audience (members from enterprises' walls); the certification
body sees the applications and certificates of its centre; a verifier only those assigned to them;
rules, schemes, specs and certificates are PUBLIC."""

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.enterprises.models import Enterprise
from tanpuhui.enterprises.tests.factories import make_enterprise
from tanpuhui.labels import services
from tanpuhui.labels.models import Application, Certificate, ProductCategoryRule, Study
from tanpuhui.labels.tests.factories import accredited_verifier, application, certified, own_study


def _certifier(centre) -> User:
    return make_staff(Role.CERTIFICATION_STAFF, centre)


def _own_application(owner) -> Application:
    return application(Enterprise.objects.get(members__user=owner), owner)


def _body_application(owner) -> Application:
    """An application handled by ``owner``'s body (an enterprise of ``owner``'s centre)."""
    enterprise, user = make_enterprise(owner.centre, name="某造纸厂")
    app = application(enterprise, user)
    Application.objects.filter(pk=app.pk).update(body_centre=owner.centre)
    return app


def _body_certificate(owner) -> Certificate:
    enterprise, user = make_enterprise(owner.centre, name="某纺织厂")
    app = certified(enterprise, user, _certifier(enterprise.centre.parent), accredited_verifier(owner.centre))
    Certificate.objects.filter(application=app).update(body_centre=owner.centre)
    return Certificate.objects.filter(application=app).first()


def _assigned_application(owner) -> Application:
    enterprise, user = make_enterprise(owner.centre, name="某印染厂")
    app = application(enterprise, user)
    services.application_assign(application=app, actor=_certifier(app.body_centre), verifier=owner)
    return app


MEMBERS = {
    "certifier": _certifier,
    "label_verifier": lambda centre: accredited_verifier(centre),
}
AUDIENCE_MEMBER = {"certification_body": "certifier", "label_verifier": "label_verifier"}

OBJECTS = {
    ("enterprise", Study): own_study,
    ("enterprise", Application): _own_application,
    ("public", ProductCategoryRule): lambda owner: ProductCategoryRule.objects.get(code="paper"),
    ("certification_body", Application): _body_application,
    ("certification_body", Certificate): _body_certificate,
    ("label_verifier", Application): _assigned_application,
}
