"""Applicant web forms (/me/): format checks only.

The rules and their Japanese messages live in the services (services_profiles,
services_applications, services_scouts); the views map InvalidInputError.errors back onto
these fields, so a message is written once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hitonagare.core.forms import DomainErrorsMixin
from hitonagare.regions.codes import REGION_BLOCKS
from hitonagare.regions.reference import reference

from . import rules
from .models import ApplicantProfile
from .services_applications import MAX_MESSAGE, MAX_MOTIVATION
from .services_profiles import LICENCES, ProfileData
from .services_scouts import MAX_SCOUT_MESSAGE

DATE_INVALID = _("日付は YYYY-MM-DD の形式で入力してください。")
THEME_CHOICES = [(rules.THEME_SLUGS[t], rules.THEME_LABELS[t]) for t in rules.Theme]
PREFECTURE_CODES = [f"{n:02d}" for n in range(1, 48)]


def _textarea(rows: int, maxlength: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


def _prefecture_names() -> dict[str, str]:
    return {p.code: p.name for p in reference().prefectures}


class ProfileForm(DomainErrorsMixin, forms.Form):
    """Builds services_profiles.ProfileData. Required-ness is checked by the service."""

    # Shown with 必須 although the service, not the form, reports them missing.
    shown_required = frozenset(
        {
            "family_name",
            "given_name",
            "family_kana",
            "given_kana",
            "birth_date",
            "phone",
            "postal_code",
        }
    )

    family_name = forms.CharField(
        label=_("姓"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "maxlength": 40}),
    )
    given_name = forms.CharField(
        label=_("名"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "maxlength": 40}),
    )
    family_kana = forms.CharField(
        label=_("せい（ふりがな）"),
        required=False,
        help_text=_("ひらがなで入力してください（例: やまだ）"),
        widget=forms.TextInput(attrs={"maxlength": 40}),
    )
    given_kana = forms.CharField(
        label=_("めい（ふりがな）"),
        required=False,
        help_text=_("ひらがなで入力してください（例: はなこ）"),
        widget=forms.TextInput(attrs={"maxlength": 40}),
    )
    birth_date = forms.DateField(
        label=_("生年月日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )
    phone = forms.CharField(
        label=_("電話番号"),
        required=False,
        help_text=_("例: 090-1234-5678"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "maxlength": 20}),
    )
    postal_code = forms.CharField(
        label=_("郵便番号（現住所）"),
        required=False,
        help_text=_(
            "例: 100-0001。市区町村は郵便番号から決まり、地域要件の判定（転出地）に使います。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": 8}
        ),
    )
    address_line = forms.CharField(
        label=_("町名・番地以降（任意）"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1", "maxlength": 200}),
    )
    skills = forms.CharField(
        label=_("スキル・経験（任意）"),
        required=False,
        help_text=_("仕事や地域活動の経験、得意なことなど（2000文字まで）"),
        widget=_textarea(6, 2000),
    )
    licences = forms.MultipleChoiceField(
        label=_("資格・免許（任意）"),
        required=False,
        choices=list(LICENCES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("資格・免許の選択肢にない値があります。")},
    )
    interests = forms.MultipleChoiceField(
        label=_("関心のあるテーマ（任意）"),
        required=False,
        choices=THEME_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("テーマの選択肢にない値があります。")},
    )
    desired_prefectures = forms.MultipleChoiceField(
        label=_("希望する地域（任意）"),
        required=False,
        choices=[(code, code) for code in PREFECTURE_CODES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("希望する地域は都道府県から選んでください。")},
    )
    availability = forms.ChoiceField(
        label=_("着任可能時期"),
        choices=ApplicantProfile.Availability.choices,
        initial=ApplicantProfile.Availability.UNDECIDED,
        required=False,
        error_messages={"invalid_choice": _("着任可能時期を選んでください。")},
    )
    free_text = forms.CharField(
        label=_("自己PR（任意）"),
        required=False,
        help_text=_("4000文字まで"),
        widget=_textarea(8, 4000),
    )
    scout_opt_in = forms.BooleanField(label=_("募集団体からのスカウトを受け取る"), required=False)

    @classmethod
    def initial_from(cls, profile: ApplicantProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        code = profile.postal_code
        return {
            "family_name": profile.family_name,
            "given_name": profile.given_name,
            "family_kana": profile.family_kana,
            "given_kana": profile.given_kana,
            "birth_date": profile.birth_date,
            "phone": profile.phone,
            "postal_code": f"{code[:3]}-{code[3:]}" if len(code) == 7 else code,
            "address_line": profile.address_line,
            "skills": profile.skills,
            "licences": list(profile.licences),
            "interests": [rules.THEME_SLUGS[t] for t in profile.interests],
            "desired_prefectures": list(profile.desired_prefectures),
            "availability": profile.availability,
            "free_text": profile.free_text,
            "scout_opt_in": profile.scout_opt_in,
        }

    def to_data(self) -> ProfileData:
        """The cleaned values; a field that failed its format check counts as empty."""
        data = getattr(self, "cleaned_data", {})

        def text(name: str) -> str:
            return str(data.get(name) or "")

        return ProfileData(
            family_name=text("family_name"),
            given_name=text("given_name"),
            family_kana=text("family_kana"),
            given_kana=text("given_kana"),
            birth_date=data.get("birth_date"),
            phone=text("phone"),
            postal_code=text("postal_code"),
            address_line=text("address_line"),
            skills=text("skills"),
            licences=tuple(data.get("licences") or ()),
            interests=tuple(rules.THEME_BY_SLUG[s] for s in data.get("interests") or ()),
            desired_prefectures=tuple(data.get("desired_prefectures") or ()),
            availability=text("availability") or ApplicantProfile.Availability.UNDECIDED,
            free_text=text("free_text"),
            scout_opt_in=bool(data.get("scout_opt_in")),
        )

    def prefecture_groups(self) -> list[dict[str, Any]]:
        """The 47 prefectures grouped by 地方 (regions.codes.REGION_BLOCKS), with their state."""
        names = _prefecture_names()
        chosen = {str(v) for v in self["desired_prefectures"].value() or ()}
        return [
            {
                "block": block,
                "label": label,
                "prefectures": [
                    {"code": code, "name": names.get(code, code), "checked": code in chosen}
                    for code in codes
                ],
            }
            for block, label, codes in REGION_BLOCKS
        ]


class CvForm(forms.Form):
    cv_file = forms.FileField(
        label=_("履歴書・職務経歴書（PDF）"),
        help_text=_("PDF・5MBまで"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("アップロードするPDFファイルを選んでください。"),
            "empty": _("ファイルが空です。"),
        },
    )


class ApplyForm(DomainErrorsMixin, forms.Form):
    motivation = forms.CharField(
        label=_("志望動機"),
        required=False,
        help_text=_("この募集に応募する理由や、活かせる経験など（4000文字まで）"),
        widget=_textarea(10, MAX_MOTIVATION),
    )
    shown_required = frozenset({"motivation"})


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        choices=[(s.value, rules.APPLICATION_STATUS_LABELS[s]) for s in rules.ApplicationStatus],
        error_messages={
            "required": _("変更先の状態が正しくありません。"),
            "invalid_choice": _("変更先の状態が正しくありません。"),
        },
    )
    confirmed = forms.BooleanField(required=False)
    note = forms.CharField(
        label=_("理由（任意・募集団体に伝わります）"),
        required=False,
        widget=_textarea(3, 500),
    )


class MessageForm(DomainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("メッセージ"),
        required=False,
        help_text=_("募集団体の担当者に届きます（4000文字まで）"),
        widget=_textarea(4, MAX_MESSAGE),
    )
    shown_required = frozenset({"body"})


class ScoutReplyForm(DomainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("返信"),
        required=False,
        help_text=_("募集団体の担当者に届きます（2000文字まで）"),
        widget=_textarea(4, MAX_SCOUT_MESSAGE),
    )
    shown_required = frozenset({"body"})


class DeleteForm(DomainErrorsMixin, forms.Form):
    confirm_email = forms.CharField(
        label=_("確認のため、登録しているメールアドレスを入力してください"),
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    shown_required = frozenset({"confirm_email"})
