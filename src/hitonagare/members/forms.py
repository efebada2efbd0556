"""Web forms of the members pages (/members/): format checks only.

Whether a value is allowed — required fields, the program's term, the host's area, the
reportable month, the expense rows, the receipt's content — is decided by the services
(services.appointment_problems, services_reports.report_problems, …); the views put each of
their Japanese messages back under its field, so a rule and its message are written once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hitonagare.accounts.models import Organisation
from hitonagare.core.forms import DomainErrorsMixin
from hitonagare.recruiting import rules as recruiting_rules
from hitonagare.recruiting.forms_openings import YenField, area_municipalities

from . import rules
from .services import AppointmentData
from .services_reports import MAX_EXPENSES_PER_REPORT, ExpenseData, OutcomeData, ReportData

DATE_INVALID = _("日付は YYYY-MM-DD の形式で入力してください。")
PROGRAM_CHOICES = [
    (p.value, recruiting_rules.OPENING_PROGRAM_LABELS[p]) for p in recruiting_rules.OpeningProgram
]
KIND_CHOICES = [(k.value, rules.APPOINTMENT_KIND_LABELS[k]) for k in rules.AppointmentKind]
END_REASON_CHOICES = [(r.value, rules.END_REASON_LABELS[r]) for r in rules.EndReason]
RESIDENCE_CHOICES = [(r.value, rules.RESIDENCE_LABELS[r]) for r in rules.Residence]
ACTIVITY_CHOICES = [(a.value, rules.ACTIVITY_LABELS[a]) for a in rules.Activity]
CATEGORY_CHOICES = [(c.value, rules.EXPENSE_CATEGORY_LABELS[c]) for c in rules.ExpenseCategory]
STATUS_FILTER_CHOICES = [
    ("active", _("在任中")),
    ("ended", _("終了")),
    ("all", _("すべて")),
]
RECEIPT_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


def _choose(choices: list[tuple[str, Any]], label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("選んでください")), *choices]


def _text(maxlength: int, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"maxlength": maxlength, **attrs})


def _textarea(rows: int, maxlength: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
        **kwargs,
    )


def parse_month(value: str | None) -> dt.date | None:
    """ "2025-04" (or "2025-4", full-width digits) → 2025-04-01; anything else → None."""
    match = MONTH_PATTERN.match(unicodedata.normalize("NFKC", value or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return dt.date(year, month, 1)


def month_value(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def default_kind_help() -> str:
    """ "地域おこし協力隊: 委嘱、…": the kind used when none is chosen."""
    return "、".join(
        f"{recruiting_rules.OPENING_PROGRAM_LABELS[p]}: "
        f"{rules.APPOINTMENT_KIND_LABELS[rules.DEFAULT_KIND[p]]}"
        for p in recruiting_rules.OpeningProgram
    )


# --- appointments ---------------------------------------------------------------------------


def _variant_choices() -> list[tuple[str, str]]:
    """Every funding variant, grouped by program, with a blank for the program's default."""
    from hitonagare.funding.rules import PROGRAM_LABELS, PROGRAM_VARIANTS, VARIANT_LABELS

    groups: list[tuple[str, Any]] = [("", str(_("制度の標準にする")))]
    for program, variants in PROGRAM_VARIANTS.items():
        if len(variants) > 1:
            groups.append(
                (
                    PROGRAM_LABELS[program],
                    [(v.value, VARIANT_LABELS[v]) for v in variants],
                )
            )
    return groups


class AppointmentForm(DomainErrorsMixin, forms.Form):
    """Builds services.AppointmentData; services.appointment_problems says what is wrong."""

    shown_required = frozenset(
        {"member_name", "program", "municipality_lgcode", "start_date", "planned_end_date"}
    )

    member_name = forms.CharField(label=_("氏名"), required=False, widget=_text(80))
    member_kana = forms.CharField(label=_("ふりがな（任意）"), required=False, widget=_text(80))
    member_email = forms.CharField(
        label=_("メールアドレス（任意）"),
        required=False,
        help_text=_("活動報告の催促や確認結果をこのアドレスにお知らせします。"),
        widget=forms.TextInput(attrs={"type": "email", "maxlength": 254, "autocomplete": "off"}),
    )
    program = forms.CharField(
        label=_("制度"), required=False, widget=forms.Select(choices=_choose(PROGRAM_CHOICES))
    )
    kind = forms.CharField(
        label=_("形態（委嘱・任用・協定）"),
        required=False,
        widget=forms.Select(choices=_choose(KIND_CHOICES, _("制度の標準にする"))),
    )
    funding_variant = forms.CharField(
        label=_("区分（任意）"),
        required=False,
        help_text=_(
            "財政措置の区分（協力隊の報償費の区分、起業人の企業派遣型・副業型など）。"
            "選んだ制度で使えない区分は保存時にお知らせします。"
        ),
        widget=forms.Select(choices=_variant_choices()),
    )
    municipality_lgcode = forms.CharField(
        label=_("活動する市町村"), required=False, widget=forms.Select()
    )
    activity_area = forms.CharField(
        label=_("活動地域（大字など・任意）"),
        required=False,
        help_text=_("区域によって地域要件が変わる市町村では、大字・旧市町村名を入れてください。"),
        widget=_text(100),
    )
    start_date = _date_field(_("任期開始日"))
    planned_end_date = _date_field(
        _("任期終了予定日"), help_text=_("任期の最後の日（例: 4月1日開始の1年なら翌年3月31日）")
    )
    origin = forms.CharField(
        label=_("転出元（任意）"),
        required=False,
        help_text=_(
            "住民票を移す前の市区町村: 団体コード（例: 131016）、郵便番号（例: 100-0001）"
            "または市区町村名。地域要件の判定に使います。"
        ),
        widget=_text(60, autocomplete="off"),
    )
    origin_area = forms.CharField(
        label=_("転出元の地域（大字など・任意）"), required=False, widget=_text(100)
    )
    origin_overseas = forms.BooleanField(
        label=_("海外から転入した（転出元の市区町村なし）"), required=False
    )
    residence_moved_on = _date_field(
        _("住民票を移した日（任意）"),
        help_text=_(
            "地域要件はこの日を基準日として判定します。空欄のときは任期開始日で判定します。"
        ),
    )
    monthly_reward_yen = YenField(
        label=_("月額報償費（円・任意）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        error_messages={"invalid": _("月額報償費は円単位の整数で入力してください（例: 240000）。")},
    )
    note = forms.CharField(label=_("備考（任意）"), required=False, widget=_textarea(3, 2000))

    def __init__(self, *args: Any, host: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host = host
        places = area_municipalities(host)
        widget = self.fields["municipality_lgcode"].widget
        assert isinstance(widget, forms.Select)
        choices = [(m.lgcode, m.full_name) for m in places]
        if len(places) == 1:
            widget.choices = choices
            self.fields["municipality_lgcode"].initial = places[0].lgcode
        else:
            widget.choices = _choose(choices)
            if host.municipality_id is not None:
                self.fields["municipality_lgcode"].initial = next(
                    (m.lgcode for m in places if m.pk == host.municipality_id), ""
                )
        self.fields["kind"].help_text = _("空欄のときは制度の標準: %(defaults)s") % {
            "defaults": default_kind_help()
        }

    @staticmethod
    def initial_from(data: AppointmentData) -> dict[str, Any]:
        return {
            "member_name": data.member_name,
            "member_kana": data.member_kana,
            "member_email": data.member_email,
            "program": data.program,
            "kind": data.kind,
            "funding_variant": data.funding_variant,
            "municipality_lgcode": data.municipality_lgcode,
            "activity_area": data.activity_area,
            "start_date": data.start_date,
            "planned_end_date": data.planned_end_date,
            "origin": data.origin,
            "origin_area": data.origin_area,
            "origin_overseas": data.origin_overseas,
            "residence_moved_on": data.residence_moved_on,
            "monthly_reward_yen": data.monthly_reward_yen,
            "note": data.note,
        }

    def to_data(self) -> AppointmentData:
        """The cleaned values; a field that failed its format check counts as empty."""
        data = getattr(self, "cleaned_data", {})

        def text(name: str) -> str:
            return str(data.get(name) or "")

        return AppointmentData(
            member_name=text("member_name"),
            member_kana=text("member_kana"),
            member_email=text("member_email").strip(),
            program=text("program"),
            kind=text("kind"),
            funding_variant=text("funding_variant").strip(),
            municipality_lgcode=text("municipality_lgcode"),
            activity_area=text("activity_area"),
            start_date=data.get("start_date"),
            planned_end_date=data.get("planned_end_date"),
            origin=text("origin"),
            origin_area=text("origin_area"),
            origin_overseas=bool(data.get("origin_overseas")),
            residence_moved_on=data.get("residence_moved_on"),
            monthly_reward_yen=data.get("monthly_reward_yen"),
            note=text("note"),
        )


class RenewForm(DomainErrorsMixin, forms.Form):
    shown_required = frozenset({"new_end_date"})

    new_end_date = _date_field(_("更新後の任期終了予定日"))
    note = forms.CharField(
        label=_("備考（任意）"),
        required=False,
        help_text=_("200文字まで（例: 2年目の更新、議会の承認日など）"),
        widget=_text(200),
    )


class EndForm(DomainErrorsMixin, forms.Form):
    shown_required = frozenset({"ended_on", "reason"})

    ended_on = _date_field(_("終了日"), help_text=_("任期の最後の日"))
    reason = forms.CharField(
        label=_("終了の理由"),
        required=False,
        widget=forms.Select(choices=_choose(END_REASON_CHOICES)),
    )
    note = forms.CharField(
        label=_("終了の詳細"),
        required=False,
        help_text=_("任期途中の終了では必須です（2000文字まで）。"),
        widget=_textarea(4, 2000),
    )


class OutcomeForm(DomainErrorsMixin, forms.Form):
    shown_required = frozenset({"surveyed_on", "residence", "activity"})

    surveyed_on = _date_field(_("調査日"))
    residence = forms.CharField(
        label=_("居住地"),
        required=False,
        widget=forms.Select(choices=_choose(RESIDENCE_CHOICES)),
        help_text=_(
            "同一市町村: 活動していた市町村に住んでいる。近隣市町村: その近くの市町村に住んでいる。"
        ),
    )
    residence_place = forms.CharField(
        label=_("居住地の市区町村（任意）"),
        required=False,
        help_text=_("団体コード、郵便番号または市区町村名"),
        widget=_text(60, autocomplete="off"),
    )
    activity = forms.CharField(
        label=_("現在の仕事"),
        required=False,
        widget=forms.Select(choices=_choose(ACTIVITY_CHOICES)),
    )
    note = forms.CharField(label=_("備考（任意）"), required=False, widget=_textarea(3, 2000))

    def to_data(self, kind: str) -> OutcomeData:
        data = getattr(self, "cleaned_data", {})
        return OutcomeData(
            kind=kind,
            surveyed_on=data.get("surveyed_on"),
            residence=str(data.get("residence") or ""),
            activity=str(data.get("activity") or ""),
            residence_place=str(data.get("residence_place") or ""),
            note=str(data.get("note") or ""),
        )


class LinkForm(DomainErrorsMixin, forms.Form):
    shown_required = frozenset({"email"})

    email = forms.CharField(
        label=_("隊員のアカウントのメールアドレス"),
        required=False,
        help_text=_(
            "隊員本人が「人の流れ」に登録したメールアドレス。つなぐと、本人が活動報告を提出できます。"
        ),
        widget=forms.TextInput(attrs={"type": "email", "maxlength": 254, "autocomplete": "off"}),
    )


class ReviewForm(DomainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("承認する")), ("return", _("差し戻す"))],
        error_messages={
            "required": _("承認するか差し戻すかを選んでください。"),
            "invalid_choice": _("承認するか差し戻すかを選んでください。"),
        },
    )
    comment = forms.CharField(
        label=_("コメント"),
        required=False,
        help_text=_("差し戻すときは必須です。隊員にメールで届きます（2000文字まで）。"),
        widget=_textarea(4, 2000),
    )


# --- filters --------------------------------------------------------------------------------


class AppointmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状態"), required=False, choices=STATUS_FILTER_CHOICES, initial="active"
    )
    program = forms.ChoiceField(
        label=_("制度"), required=False, choices=_choose(PROGRAM_CHOICES, _("すべての制度"))
    )
    q = forms.CharField(
        label=_("氏名・ふりがなで探す"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 80}),
    )

    def value(self, name: str) -> str:
        """The cleaned value, or the default when the field's value is not allowed."""
        self.is_valid()
        if name in self.errors:
            return ""
        return str(self.cleaned_data.get(name) or "")


class SettlementFilterForm(forms.Form):
    ended_by = _date_field(
        _("任期終了日がこの日まで"), help_text=_("この日までに任期が終わった人を集計します。")
    )
    program = forms.ChoiceField(
        label=_("制度"),
        required=False,
        choices=PROGRAM_CHOICES,
        initial=recruiting_rules.OpeningProgram.KYORYOKUTAI.value,
        error_messages={"invalid_choice": _("制度を選んでください。")},
    )


# --- monthly reports ------------------------------------------------------------------------


class ReportForm(DomainErrorsMixin, forms.Form):
    """The report itself; the expense rows are ExpenseFormSet."""

    shown_required = frozenset({"month", "days_worked", "hours_worked", "activities"})

    month = forms.CharField(label=_("報告月"), required=False, widget=forms.Select())
    days_worked = forms.IntegerField(
        label=_("活動日数"),
        required=False,
        help_text=_("その月に活動した日数"),
        widget=forms.NumberInput(attrs={"min": 0, "max": 31, "inputmode": "numeric"}),
        error_messages={"invalid": _("活動日数は整数で入力してください。")},
    )
    hours_worked = forms.DecimalField(
        label=_("活動時間"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("その月の合計時間（0.5時間単位など、小数は1桁まで）"),
        widget=forms.NumberInput(
            attrs={"min": 0, "max": 400, "step": "0.5", "inputmode": "decimal"}
        ),
        error_messages={
            "invalid": _("活動時間は数字で入力してください（例: 120.5）。"),
            "max_digits": _("活動時間は0〜400時間で入力してください。"),
            "max_decimal_places": _("活動時間の小数は1桁までにしてください。"),
            "max_whole_digits": _("活動時間は0〜400時間で入力してください。"),
        },
    )
    activities = forms.CharField(
        label=_("活動内容"),
        required=False,
        help_text=_("その月に取り組んだこと（4000文字まで）"),
        widget=_textarea(8, 4000),
    )
    results = forms.CharField(
        label=_("成果・課題（任意）"),
        required=False,
        help_text=_("4000文字まで"),
        widget=_textarea(5, 4000),
    )

    def __init__(
        self,
        *args: Any,
        months: list[dt.date] | None = None,
        fixed_month: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["month"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [(month_value(m), month_label(m)) for m in months or ()]
        if fixed_month:  # resubmitting a returned report: the month does not change
            self.fields["month"].widget = forms.HiddenInput()

    def month_date(self) -> dt.date | None:
        data = getattr(self, "cleaned_data", {})
        return parse_month(data.get("month"))

    def clean_month(self) -> str:
        value = str(self.cleaned_data.get("month") or "")
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("報告月は YYYY-MM の形式で選んでください。"))
        return value


class ExpenseForm(forms.Form):
    """One expense row; a row left entirely blank is not an expense."""

    category = forms.CharField(
        label=_("費目"), required=False, widget=forms.Select(choices=_choose(CATEGORY_CHOICES))
    )
    amount_yen = YenField(
        label=_("金額（円）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        error_messages={"invalid": _("金額は円単位の整数で入力してください（例: 3200）。")},
    )
    description = forms.CharField(label=_("内容"), required=False, widget=_text(200))
    receipt = forms.FileField(
        label=_("領収書（PDF・JPEG・PNG）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT}),
        error_messages={
            "empty": _("ファイルが空です。"),
            "invalid": _("ファイルを読み取れませんでした。もう一度選んでください。"),
            "missing": _("ファイルを読み取れませんでした。もう一度選んでください。"),
        },
    )
    # On a resubmission: the row's receipt as filed before, kept unless replaced or dropped.
    keep_receipt = forms.IntegerField(required=False, widget=forms.HiddenInput())
    drop_receipt = forms.BooleanField(label=_("この領収書を外す"), required=False)

    def is_blank(self) -> bool:
        """Nothing typed and no new file: the row is not an expense (clearing a filed row
        removes that expense)."""
        data = getattr(self, "cleaned_data", None)
        if data is None:
            return not self.has_changed()
        return not any(
            (
                data.get("category"),
                data.get("amount_yen") is not None,
                str(data.get("description") or "").strip(),
                data.get("receipt"),
            )
        )


class BaseExpenseFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[tuple[int, ExpenseForm]]:
        """(row index, form) of the rows that hold an expense, in page order."""
        return [(i, f) for i, f in enumerate(self.forms) if not f.is_blank()]


ExpenseFormSet = forms.formset_factory(
    ExpenseForm,
    formset=BaseExpenseFormSet,
    extra=0,
    max_num=MAX_EXPENSES_PER_REPORT,
    absolute_max=MAX_EXPENSES_PER_REPORT,
    validate_max=True,
)
EXPENSE_PREFIX = "expense"
DEFAULT_ROWS = 5
MORE_ROWS = 5


def report_data(
    form: ReportForm,
    expenses: list[tuple[int, ExpenseData]],
    *,
    month: dt.date | None = None,
) -> ReportData:
    data = getattr(form, "cleaned_data", {})
    hours = data.get("hours_worked")
    return ReportData(
        month=month if month is not None else form.month_date(),
        days_worked=data.get("days_worked"),
        hours_worked=Decimal(hours) if hours is not None else None,
        activities=str(data.get("activities") or ""),
        results=str(data.get("results") or ""),
        expenses=tuple(expense for _index, expense in expenses),
    )
