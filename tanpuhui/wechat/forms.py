from django import forms
from django.utils.translation import gettext_lazy as _

from tanpuhui.notifications.models import Kind
from tanpuhui.wechat.models import OfficialAccount


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(
        label=_("The code we sent"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SecretInput(forms.PasswordInput):
    """Write-only: never renders the stored value."""

    def __init__(self):
        super().__init__(render_value=False, attrs={"autocomplete": "off"})


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=100)
    app_id = forms.CharField(label=_("AppID"), max_length=32)
    mode = forms.ChoiceField(label=_("Message mode"), choices=OfficialAccount.Mode.choices)
    secret = forms.CharField(label=_("AppSecret"), required=False, max_length=64, widget=SecretInput())
    token = forms.CharField(label=_("Server token"), required=False, max_length=32, widget=SecretInput())
    aes_key = forms.CharField(label=_("EncodingAESKey"), required=False, max_length=43, widget=SecretInput())
    mini_app_id = forms.CharField(label=_("Mini-program AppID"), required=False, max_length=32)
    mini_secret = forms.CharField(
        label=_("Mini-program AppSecret"), required=False, max_length=64, widget=SecretInput()
    )
    welcome = forms.CharField(
        label=_("Welcome message"), required=False, max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )
    enabled = forms.BooleanField(label=_("In use"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Kind.choices:
            self.fields[f"template_{value}"] = forms.CharField(
                label=_("Template for: %(kind)s") % {"kind": label}, required=False, max_length=64
            )

    def templates(self) -> dict[str, str]:
        return {value: self.cleaned_data.get(f"template_{value}", "") for value in Kind.values}
