"""The what-if form: format checks only; the amounts, the term and the fiscal year are
checked by calculator.estimate_input_problems (through selectors.estimate_what_if), whose
messages the view puts under the fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from hitonagare.core.wareki import fiscal_year_label

from .rules import (
    MONTH_COUNTING_LABELS,
    PROGRAM_LABELS,
    PROGRAM_VARIANTS,
    VARIANT_LABELS,
    FundingProgram,
    MonthCounting,
    Variant,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

PROGRAM_CHOICES = [(p.value, PROGRAM_LABELS[p]) for p in FundingProgram]
VARIANT_CHOICES = [("", _("標準（制度の既定）"))] + [
    (
        PROGRAM_LABELS[program],
        [(v.value, VARIANT_LABELS[v]) for v in variants],
    )
    for program, variants in PROGRAM_VARIANTS.items()
    if variants != (Variant.SINGLE,)
]
MONTH_COUNTING_CHOICES = [("", _("設定の既定値"))] + [
    (m.value, MONTH_COUNTING_LABELS[m]) for m in MonthCounting
]
AMOUNT_HELP = _("円単位の整数（例: 2800000 または 2,800,000）。空欄は0円。")


def _amount(label: _StrOrPromise, help_text: _StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text or AMOUNT_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class EstimateForm(forms.Form):
    program = forms.ChoiceField(
        label=_("制度"),
        choices=PROGRAM_CHOICES,
        initial=FundingProgram.KYORYOKUTAI.value,
        error_messages={
            "required": _("制度を選んでください。"),
            "invalid_choice": _("制度を選び直してください。"),
        },
    )
    variant = forms.ChoiceField(
        label=_("区分"),
        choices=VARIANT_CHOICES,
        required=False,
        help_text=_(
            "協力隊は報償費の区分（令和6年度から）、地域活性化起業人は企業派遣型・副業型、"
            "二地域居住は現地コーディネーター（専任・兼任）。ほかの制度は既定のままにしてください。"
        ),
        error_messages={"invalid_choice": _("区分を選び直してください。")},
    )
    fiscal_year = forms.ChoiceField(
        label=_("年度"),
        choices=(),
        error_messages={
            "required": _("年度を選んでください。"),
            "invalid_choice": _("年度を選び直してください。"),
        },
    )
    start = forms.DateField(
        label=_("任期の開始日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("任期の開始日を入力してください。"),
            "invalid": _("日付は YYYY-MM-DD の形式で入力してください。"),
        },
    )
    end = forms.DateField(
        label=_("任期の終了日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("任期の終了日を入力してください。"),
            "invalid": _("日付は YYYY-MM-DD の形式で入力してください。"),
        },
    )
    reward = _amount(
        _("報償費等（その年度の額）"),
        _(
            "協力隊・PM・デジタル人材・コーディネーターの報酬、起業人の負担金。円単位の整数、空欄は0円。"
        ),
    )
    expenses = _amount(
        _("その他経費（その年度の額）"),
        _("活動経費（物品購入費・旅費など）。起業人の副業型では旅費。円単位の整数、空欄は0円。"),
    )
    startup = _amount(
        _("起業・事業承継の経費（協力隊）"),
        _("任期の最終年次または任期終了の翌年度の分。円単位の整数、空欄は0円。"),
    )
    project = _amount(
        _("起業人発案の事業経費（地域活性化起業人）"),
        _("円単位の整数、空欄は0円。"),
    )
    days = forms.CharField(
        label=_("活動日数（インターン）"),
        required=False,
        max_length=4,
        help_text=_("その年度の活動日数。空欄なら任期のうちその年度の暦日数で計算します。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    month_counting = forms.ChoiceField(
        label=_("月数の数え方"),
        choices=MONTH_COUNTING_CHOICES,
        required=False,
        help_text=_(
            "年度の途中の任期で年額の上限をどう按分するかは資料に定めがありません。"
            "法令ではなく、このシステムの設定です。"
        ),
        error_messages={"invalid_choice": _("月数の数え方を選び直してください。")},
    )

    def __init__(self, *args: object, fiscal_years: Sequence[int] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["fiscal_year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(fy), f"{fiscal_year_label(fy)}（{fy}年4月〜{fy + 1}年3月）") for fy in fiscal_years
        ]
        if fiscal_years:
            field.error_messages["invalid_choice"] = _(
                "年度は%(first)s〜%(last)sから選んでください。"
            ) % {
                "first": fiscal_year_label(fiscal_years[0]),
                "last": fiscal_year_label(fiscal_years[-1]),
            }
