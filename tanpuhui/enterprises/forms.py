"""Page forms of the enterprise portal. They check the shape of what is typed (field by field, in the
user's language); the rules themselves stay in ``services`` and come back as field errors."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.errors import ServiceError
from tanpuhui.enterprises import services
from tanpuhui.enterprises.models import Carrier, Enterprise, ProjectDocument, RetrofitProject
from tanpuhui.tenancy.selectors import centre_list_public


def apply_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's refusal on the fields it names (or above the form)."""
    placed = False
    for field, problems in (error.fields or {}).items():
        if field in form.fields and isinstance(problems, list):
            for problem in problems:
                form.add_error(field, str(problem))
            placed = True
    if not placed:
        form.add_error(None, error.message)


class EnterpriseRegisterForm(forms.Form):
    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, on the business licence."),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Enterprise.Sector.choices)
    centre = forms.ChoiceField(label=_("Operation centre"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [(c.code, c.name) for c in centre_list_public()]


class MemberAddForm(forms.Form):
    phone = forms.CharField(
        label=_("Colleague's mobile number"),
        max_length=20,
        help_text=_("The number they signed up with."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self) -> str:
        return "".join(self.cleaned_data["phone"].split()).replace("-", "")


def _day(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class ProjectForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    title = forms.CharField(label=_("Project title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of retrofit"), choices=RetrofitProject.Kind.choices)
    site = forms.CharField(
        label=_("Site"), max_length=200, help_text=_("Plant, building or street where it was done.")
    )
    description = forms.CharField(
        label=_("What was done"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    period_start = _day(_("Monitoring period from"))
    period_end = _day(_("Monitoring period to"))
    operating_hours_per_year = forms.IntegerField(
        label=_("Operating hours per year"), min_value=1, max_value=8784
    )
    reported_tonnes = forms.DecimalField(
        label=_("Your own estimate (t CO₂e, optional)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=3,
        help_text=_("Shown beside the platform's own figure; it does not change it."),
    )

    def __init__(self, *args, enterprises=None, project: RetrofitProject | None = None, **kwargs):
        if project is not None and "initial" not in kwargs:
            reported = (project.quantification or {}).get("reported_kg_co2e")
            kwargs["initial"] = {
                "enterprise": project.enterprise_id,
                "title": project.title,
                "kind": project.kind,
                "site": project.site,
                "description": project.description,
                "period_start": project.period_start,
                "period_end": project.period_end,
                "operating_hours_per_year": project.operating_hours_per_year,
                "reported_tonnes": Decimal(reported) / 1000 if reported else None,
            }
        super().__init__(*args, **kwargs)
        if project is not None:
            del self.fields["enterprise"]  # a project stays with its enterprise
        else:
            field = self.fields["enterprise"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = enterprises if enterprises is not None else Enterprise.objects.none()

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        tonnes = data.get("reported_tonnes")
        return {
            "title": data["title"],
            "kind": data["kind"],
            "site": data["site"],
            "description": data.get("description", ""),
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "operating_hours_per_year": data["operating_hours_per_year"],
            "reported_kg_co2e": tonnes * 1000 if tonnes is not None else None,
        }


class MonthField(forms.DateField):
    """``YYYY-MM`` from ``<input type="month">`` → the first day of that month."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class ReadingForm(forms.Form):
    month = MonthField(label=_("Month"))
    carrier = forms.ChoiceField(label=_("Energy"), choices=Carrier.choices)
    baseline_qty = forms.DecimalField(
        label=_("Before (baseline)"), min_value=Decimal("0"), max_digits=16, decimal_places=3
    )
    project_qty = forms.DecimalField(
        label=_("After (metered)"), min_value=Decimal("0"), max_digits=16, decimal_places=3
    )


class BaseReadingFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {**f.cleaned_data, "month": f.cleaned_data["month"].replace(day=1)}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


ReadingFormSet = forms.formset_factory(
    ReadingForm, formset=BaseReadingFormSet, extra=3, can_delete=True, max_num=120, absolute_max=240
)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("What it is"), choices=ProjectDocument.DocType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG or XLSX, at most %(mb)d MB.")
        % {"mb": services.MAX_DOCUMENT_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > services.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": services.MAX_DOCUMENT_BYTES // (1024 * 1024)}
            )
        return upload


class SubmitForm(forms.Form):
    comment = forms.CharField(
        label=_("Your answer to the reviewer (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DonateForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    tonnes = forms.DecimalField(
        label=_("Tonnes to donate"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3
    )
    public_thanks = forms.BooleanField(label=_("Thank us in public"), required=False)
