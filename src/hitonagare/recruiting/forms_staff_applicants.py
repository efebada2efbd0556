"""Staff web forms for applications and scouting (/staff/applications/, /staff/scouts/).

Format checks only: the rules and their Japanese messages live in services_applications and
services_scouts; the views put InvalidInputError.errors back under these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hitonagare.core.forms import DomainErrorsMixin
from hitonagare.regions.reference import reference

from . import rules
from .models import Opening
from .services_applications import MAX_MESSAGE
from .services_scouts import MAX_SCOUT_MESSAGE

THEME_CHOICES = [(rules.THEME_SLUGS[t], rules.THEME_LABELS[t]) for t in rules.Theme]
STATUS_CHOICES = [(s.value, rules.APPLICATION_STATUS_LABELS[s]) for s in rules.ApplicationStatus]
MAX_NOTE = 500
MAX_SKILLS_QUERY = 100


def _textarea(rows: int, maxlength: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


def prefecture_choices(empty_label: str) -> list[tuple[str, str]]:
    return [("", empty_label)] + [(p.code, p.name) for p in reference().prefectures]


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ApplicationFilterForm(forms.Form):
    """The list's filters: one opening (of those in scope) and one state; bad values are
    dropped rather than reported, so an old bookmark still opens the list."""

    opening = forms.TypedChoiceField(label=_("募集"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("状態"), required=False, choices=[("", _("すべて")), *STATUS_CHOICES]
    )

    def __init__(self, *args: Any, openings: list[Opening], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "opening", [("", _("すべての募集")), *((o.pk, o.title) for o in openings)]
        )

    def value(self, name: str) -> Any:
        """The cleaned value, or None when it was empty or not one of the choices."""
        self.is_valid()  # cleaned_data keeps the fields that are valid even if one is not
        return getattr(self, "cleaned_data", {}).get(name) or None


class StaffTransitionForm(DomainErrorsMixin, forms.Form):
    to_status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        error_messages={
            "required": _("変更先の状態が正しくありません。"),
            "invalid_choice": _("変更先の状態が正しくありません。"),
        },
    )
    note = forms.CharField(
        label=_("メモ（任意）"),
        required=False,
        help_text=_("状態の変更と一緒に履歴へ残ります。応募者には表示されません（500文字まで）。"),
        widget=_textarea(2, MAX_NOTE),
    )


class StaffMessageForm(DomainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("メッセージ"),
        required=False,
        help_text=_("応募者に届き、メールでもお知らせします（4000文字まで）。"),
        widget=_textarea(4, MAX_MESSAGE),
    )
    shown_required = frozenset({"body"})


class CandidateSearchForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label=_("関心のあるテーマ"),
        required=False,
        choices=THEME_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選んだテーマのどれかに関心がある方を探します。"),
        error_messages={"invalid_choice": _("テーマを選び直してください。")},
    )
    skills = forms.CharField(
        label=_("スキル・経験のキーワード"),
        required=False,
        max_length=MAX_SKILLS_QUERY,
        help_text=_("空白で区切ると、すべての語を含む方を探します（例: 観光 英語）。"),
        error_messages={"max_length": _("キーワードは100文字以内で入力してください。")},
    )
    prefecture = forms.ChoiceField(
        label=_("現住所の都道府県"),
        required=False,
        error_messages={"invalid_choice": _("都道府県を選び直してください。")},
    )
    desired_prefecture = forms.ChoiceField(
        label=_("希望する地域（都道府県）"),
        required=False,
        error_messages={"invalid_choice": _("都道府県を選び直してください。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "prefecture", prefecture_choices(str(_("指定しない"))))
        set_choices(self, "desired_prefecture", prefecture_choices(str(_("指定しない"))))

    def search_args(self) -> dict[str, Any]:
        """Keyword arguments for selectors_applications.scout_candidates_search."""
        data = self.cleaned_data
        return {
            "themes": tuple(rules.THEME_BY_SLUG[slug] for slug in data.get("themes") or ()),
            "skills": data.get("skills") or "",
            "prefecture_code": data.get("prefecture") or "",
            "desired_prefecture": data.get("desired_prefecture") or "",
        }


class ScoutSendForm(DomainErrorsMixin, forms.Form):
    """One form per candidate; `auto_id` keeps the ids apart, the names stay plain."""

    applicant = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("スカウトする相手が正しくありません。"),
            "invalid": _("スカウトする相手が正しくありません。"),
        },
    )
    opening = forms.TypedChoiceField(
        label=_("募集"),
        coerce=int,
        help_text=_("公開中の自団体の募集から選びます。"),
        error_messages={
            "required": _("スカウトする募集を選んでください。"),
            "invalid_choice": _("募集を選び直してください（公開中の募集だけ選べます）。"),
        },
    )
    body = forms.CharField(
        label=_("メッセージ"),
        required=False,
        help_text=_("2000文字まで。応募者から返信があるまで、追加のメッセージは送れません。"),
        widget=_textarea(4, MAX_SCOUT_MESSAGE),
    )
    # A search to go back to (the candidates page's query string), kept through the POST.
    search = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_required = frozenset({"opening", "body"})

    def __init__(self, *args: Any, openings: list[Opening], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "opening", [("", _("選んでください")), *((o.pk, o.title) for o in openings)]
        )


class ScoutMessageForm(DomainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("メッセージ"),
        required=False,
        help_text=_("応募者に届き、メールでもお知らせします（2000文字まで）。"),
        widget=_textarea(4, MAX_SCOUT_MESSAGE),
    )
    shown_required = frozenset({"body"})
