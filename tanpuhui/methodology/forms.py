"""The staff form for publishing a new value of a parameter series (the service checks the rest)."""

from datetime import timedelta
from decimal import Decimal
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tanpuhui.methodology import formulas

_MASSES = ("g_co2e", "kg_co2e", "t_co2e")
_ENERGIES = ("kWh", "MWh")


def unit_choices(current: str) -> list[tuple[str, str | Promise]]:
    """The units a new value of a series may be given in: the current one first, then the other
    spellings of the same quantity (t CO₂e/MWh for kg CO₂e/kWh…); the service converts them."""
    head, sep, tail = current.partition("/")
    heads = _MASSES if head in _MASSES else (head,)
    tails = _ENERGIES if tail in _ENERGIES else (tail,)
    found = [current]
    for h in heads:
        for t in tails:
            unit = f"{h}{sep}{t}"
            try:
                formulas.convert(Decimal(1), unit, current)
            except formulas.UnitMismatch:
                continue
            found.append(unit)
    return [(unit, formulas.pretty_unit(unit) or _("no unit")) for unit in dict.fromkeys(found)]


class ParameterPublishForm(forms.Form):
    value = forms.DecimalField(label=_("New value"), min_value=Decimal(0), max_digits=24, decimal_places=12)
    unit = forms.ChoiceField(label=_("Unit"), help_text=_("A value in another unit is converted."))
    valid_from = forms.DateField(
        label=_("Applies from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A future date: figures already computed never change."),
    )
    source_publication = forms.CharField(label=_("Publication"), max_length=300)
    source_issuer = forms.CharField(label=_("Publisher"), max_length=200)
    source_year = forms.IntegerField(label=_("Year of publication"), min_value=1990, max_value=2100)
    year = forms.IntegerField(
        label=_("Year the data describe"), min_value=1990, max_value=2100, required=False
    )
    source_url = forms.URLField(
        label=_("Web address of the source"), max_length=500, required=False, assume_scheme="https"
    )
    derivation = forms.CharField(
        label=_("How the value was derived"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, current_unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = unit_choices(current_unit)

    def clean_valid_from(self):
        on = self.cleaned_data["valid_from"]
        tomorrow = timezone.localdate() + timedelta(days=1)
        if on < tomorrow:
            raise forms.ValidationError(
                _("Choose %(day)s or later: published values apply from a future date only."),
                params={"day": tomorrow.isoformat()},
            )
        return on
