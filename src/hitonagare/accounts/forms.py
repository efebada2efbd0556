"""Web forms for accounts: format checks only; the rules (passwords, lock-out, invitations)
live in services.py and come back as DomainError, shown under the field they concern."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from hitonagare.core.errors import DomainError, InvalidInputError

from . import services

PASSWORD_HELP = _(
    "10文字以上。よく使われるもの、数字だけのもの、メールアドレスや名前に似たものは使えません。"
)


def _email_field(**kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=_("メールアドレス"),
        max_length=services.MAX_EMAIL,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません（例: name@example.jp）。"),
            "max_length": _("メールアドレスは150文字以内で入力してください。"),
        },
        **kwargs,
    )


def _password_field(label: Any, *, new: bool, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password" if new else "current-password"}
        ),
        error_messages={"required": _("パスワードを入力してください。")},
    )


def _display_name_field() -> forms.CharField:
    return forms.CharField(
        label=_("表示名（任意）"),
        required=False,
        max_length=services.MAX_DISPLAY_NAME,
        help_text=_("画面やメールでの呼び名です。本名でなくても構いません。"),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"max_length": _("表示名は150文字以内で入力してください。")},
    )


class DomainErrorFormMixin:
    """Put a service's DomainError under the field it names (or above the form)."""

    field_of_error: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        if isinstance(error, InvalidInputError):
            errors = error.errors
        else:
            errors = {error.field or "": error.message}
        for field, message in errors.items():
            name = self.field_of_error.get(field, field)
            form.add_error(name if name in form.fields else None, message)


class PasswordPairMixin:
    """Two password inputs that must match (the rules are checked by the service)."""

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("確認用のパスワードが一致しません。"))  # type: ignore[attr-defined]
        return data


class SignupForm(PasswordPairMixin, DomainErrorFormMixin, forms.Form):
    field_of_error = {"password": "password1"}

    email = _email_field(help_text=_("確認のメールを送ります。ログインにも使います。"))
    display_name = _display_name_field()
    password1 = _password_field(_("パスワード"), new=True, help_text=PASSWORD_HELP)
    password2 = _password_field(_("パスワード（確認）"), new=True)


class InvitationSignupForm(PasswordPairMixin, DomainErrorFormMixin, forms.Form):
    field_of_error = {"password": "password1"}

    display_name = _display_name_field()
    password1 = _password_field(_("パスワード"), new=True, help_text=PASSWORD_HELP)
    password2 = _password_field(_("パスワード（確認）"), new=True)


class LoginForm(DomainErrorFormMixin, forms.Form):
    email = _email_field()
    password = _password_field(_("パスワード"), new=False)


class ResendForm(DomainErrorFormMixin, forms.Form):
    email = _email_field()


class InvitationForm(DomainErrorFormMixin, forms.Form):
    email = _email_field(help_text=_("招待のメールをこのアドレスに送ります。"))
    make_admin = forms.BooleanField(
        label=_("管理者として招待する（ほかの職員を招待できます）"), required=False
    )


class SetPasswordForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """The reset link's form: the service sets the password and lifts any lock-out."""

    reason = "reset"

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        return services.password_set(
            user=self.user, password=self.cleaned_data["new_password1"], reason=self.reason
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    reason = "change"

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        return services.password_set(
            user=self.user, password=self.cleaned_data["new_password1"], reason=self.reason
        )
