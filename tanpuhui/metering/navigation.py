"""Pages of the metering context (see ``common.navigation``)."""

from django.utils.translation import gettext_lazy as _

from tanpuhui.common.navigation import NavItem, register
from tanpuhui.metering import selectors

# Resident, public and portal pages ---------------------------------------------------------------

register(
    NavItem(
        "my-reductions",
        _("My reductions"),
        "web:my-reductions",
        audience="resident",
        area="resident",
        order=20,
        tab=True,
        active_on=("web:my-reduction-detail",),
        icon="leaf",
    ),
)


# Staff console -----------------------------------------------------------------------------------

register(
    NavItem(
        "staff-batches",
        _("Data batches"),
        "web:staff-batches",
        audience="staff",
        area="staff",
        group=_("Data"),
        order=20,
        active_on=("web:staff-batch-detail", "web:staff-batch-upload"),
        badge=selectors.batches_waiting,
    ),
    NavItem(
        "staff-unmatched",
        _("Unmatched records"),
        "web:staff-unmatched",
        audience="staff",
        area="staff",
        group=_("Data"),
        order=25,
        badge=selectors.unmatched_waiting_count,
    ),
    NavItem(
        "staff-providers",
        _("Data providers and keys"),
        "web:staff-providers",
        audience="staff",
        area="staff",
        group=_("Records and settings"),
        order=81,
        active_on=(
            "web:staff-provider-detail",
            "web:staff-provider-add",
            "web:staff-provider-key-issue",
            "web:staff-provider-key-rotate",
        ),
    ),
)
