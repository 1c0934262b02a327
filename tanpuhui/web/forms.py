from django import forms
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts.models import Binding, phone_validator
from tanpuhui.tenancy.selectors import centre_list_public


class RegisterForm(forms.Form):
    centre = forms.ChoiceField(label=_("Operation centre"))
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    display_name = forms.CharField(label=_("Nickname"), max_length=50)
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [(c.code, f"{c.name} ({c.city})") for c in centre_list_public()]


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class BindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Binding.Kind.choices)
    account_number = forms.CharField(label=_("Account or card number"), max_length=40)
    label = forms.CharField(label=_("Label (optional)"), max_length=40, required=False)


class RealNameForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), min_length=18, max_length=18)
