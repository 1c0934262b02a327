"""Forms of the staff pages: onboarding a data provider and naming an API key. They only shape the
input; ``services.provider_create`` and ``accounts.services.provider_key_issue`` hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts.models import ApiKey
from tanpuhui.metering.models import DataProvider, RecordType
from tanpuhui.tenancy.models import Centre


class ProviderForm(forms.Form):
    centre: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Operation centre"), queryset=Centre.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=DataProvider._meta.get_field("name").max_length)
    code = forms.SlugField(
        label=_("Short code"),
        max_length=40,
        help_text=_(
            "Letters, digits and hyphens, unique in the centre, e.g. gz-metro. It cannot be changed later."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind of provider"), choices=DataProvider.Kind.choices)
    record_types = forms.MultipleChoiceField(
        label=_("Records it may deliver"),
        choices=RecordType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked for the usual records of this kind of provider."),
    )

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]  # the staff member's centres


class KeyForm(forms.Form):
    name = forms.CharField(
        label=_("What the key is for"),
        max_length=ApiKey._meta.get_field("name").max_length,
        required=False,
        help_text=_("For example: nightly upload. Leave empty for “upload”."),
    )
