"""Web forms: format checks only; the rules live in rules.py and the selectors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import PROGRAM_LABELS, Program

PROGRAM_CHOICES = [(p.value, PROGRAM_LABELS[p]) for p in Program]
PAIR_PROGRAM_CHOICES = [
    (p.value, PROGRAM_LABELS[p]) for p in (Program.KYORYOKUTAI, Program.PM, Program.KIGYOJIN)
]
PLACE_HELP = _("郵便番号（例: 100-0001）、市区町村名（例: 海士町、あまちょう）または団体コード")
AREA_HELP = _(
    "一部条件不利地域の市町村では、区域（大字・旧市町村名）で判定が変わります。"
    "分からなければ空欄のままで構いません（要確認と表示します）。"
)


class CheckForm(forms.Form):
    program = forms.ChoiceField(
        label=_("制度"),
        choices=PROGRAM_CHOICES,
        initial=Program.KYORYOKUTAI.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("制度を選んでください。"),
            "invalid_choice": _("制度を選び直してください。"),
        },
    )
    origin = forms.CharField(
        label=_("転出地（今お住まいの場所）"), required=False, max_length=60, help_text=PLACE_HELP
    )
    origin_area = forms.CharField(
        label=_("転出地の区域（大字など・任意）"),
        required=False,
        max_length=60,
        help_text=AREA_HELP,
    )
    destination = forms.CharField(
        label=_("転入地（活動する市町村）"),
        max_length=60,
        help_text=PLACE_HELP,
        error_messages={"required": _("転入地を入力してください。")},
    )
    destination_area = forms.CharField(
        label=_("転入地の区域（大字など・任意）"),
        required=False,
        max_length=60,
        help_text=AREA_HELP,
    )
    as_of = forms.DateField(
        label=_("判定の基準とする日（任意）"),
        required=False,
        help_text=_("空欄なら今日。その日に有効な最新の地域要件確認表で判定します。"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付は YYYY-MM-DD の形式で入力してください。")},
    )
    former_member = forms.BooleanField(
        label=_("元隊員（同一地域で2年以上活動し、解嘱後1年以内）"), required=False
    )
    overseas_resident = forms.BooleanField(
        label=_("海外在住（住民基本台帳に記録がない）"), required=False
    )
    jet_finisher = forms.BooleanField(
        label=_("JETプログラム終了者（2年以上参加、終了後1年以内）"), required=False
    )
    jet_same_area_without_move = forms.BooleanField(
        label=_("JET終了者が、JETで活動した地域で住民票を移さずに隊員になる"), required=False
    )
    pm_already_active = forms.BooleanField(
        label=_(
            "地域プロジェクトマネージャー: すでにその市町村で協力隊員・企業人として活動し住んでいる"
        ),
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("origin") and not data.get("overseas_resident"):
            self.add_error(
                "origin",
                _("転出地を入力してください（海外在住の方は「海外在住」を選んでください）。"),
            )
        return data


class PairsForm(forms.Form):
    program = forms.ChoiceField(
        label=_("制度"),
        choices=PAIR_PROGRAM_CHOICES,
        initial=Program.KYORYOKUTAI.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("制度を選んでください。"),
            "invalid_choice": _("制度を選び直してください。"),
        },
    )
    place = forms.CharField(
        label=_("市区町村"),
        max_length=60,
        help_text=PLACE_HELP,
        error_messages={"required": _("市区町村または郵便番号を入力してください。")},
    )
    area = forms.CharField(
        label=_("区域（大字など・任意）"), required=False, max_length=60, help_text=AREA_HELP
    )
