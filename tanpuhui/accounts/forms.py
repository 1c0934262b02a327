"""Forms of the staff pages about residents (the services check the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Phone number or name"), max_length=50, required=False)


class ResidentRenameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=50,
        help_text=_("The name the resident sees on their pages and merchants see on a voucher."),
    )
