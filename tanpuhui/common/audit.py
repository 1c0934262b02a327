"""What each recorded staff action is called on the audit-log page.

``common.services.audit_record`` stores an action as a short code (``api_key.revoke``); people read
these names instead. An action missing here is shown as "Other action" and cannot be filtered on, so
a new ``audit_record`` call adds its name here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "admin.add": _("Added in the back office"),
    "admin.change": _("Changed in the back office"),
    "admin.delete": _("Deleted in the back office"),
    "api_key.issue": _("API key issued"),
    "api_key.rotate": _("API key rotated"),
    "api_key.revoke": _("API key revoked"),
    "batch.upload": _("Data file uploaded"),
    "binding.release": _("Account binding released"),
    "campaign.create": _("Campaign created"),
    "cause.create": _("Public-welfare cause created"),
    "cause.update": _("Public-welfare cause changed"),
    "crowdfunding.create": _("Crowdfunding project created"),
    "enterprise.register": _("Enterprise registered"),
    "enterprise.member_add": _("Enterprise member added"),
    "enterprise.verify": _("Enterprise verified"),
    "enterprise.donate": _("Enterprise donated reductions"),
    "event.booth_redeem": _("Voucher redeemed at an event booth"),
    "ledger.reward": _("Coins rewarded"),
    "merchant.approve": _("Merchant approved"),
    "merchant.reject": _("Merchant rejected"),
    "merchant.staff_create": _("Merchant staff added"),
    "offer.approve": _("Offer approved"),
    "offer.reject": _("Offer rejected"),
    "methodology.parameter_publish": _("Methodology parameter published"),
    "methodology.version_publish": _("Methodology version published"),
    "methodology.version_update": _("Methodology version changed"),
    "pool.create": _("Funding pool created"),
    "pool.appropriate": _("Money added to a funding pool"),
    "pool.unfunded_voucher": _("Voucher the pool could not pay"),
    "provider.create": _("Data provider onboarded"),
    "resident.view": _("Resident's record opened"),
    "retrofit.create": _("Retrofit project created"),
    "retrofit.update": _("Retrofit project changed"),
    "retrofit.submit": _("Retrofit project submitted"),
    "retrofit.start_review": _("Retrofit review started"),
    "retrofit.approve": _("Retrofit project approved"),
    "retrofit.return": _("Retrofit project returned with comments"),
    "retrofit.reject": _("Retrofit project rejected"),
    "role.grant": _("Role granted"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, _("Other action")))
