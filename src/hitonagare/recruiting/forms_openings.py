"""The staff form for an opening (/staff/openings/create/ and …/update/).

Format checks only (a number is a number, a date is a date). Everything else — required
fields, lengths, the program's term, the deadline, the activity area inside the host's
region — is `services.opening_problems`: `clean()` builds the OpeningData and puts each of the
service's Japanese messages under its field, so a rule and its message are written once.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from hitonagare.accounts.models import Organisation
from hitonagare.core.forms import DomainErrorsMixin
from hitonagare.regions.models import Municipality

from . import rules
from .models import Opening
from .services import OpeningData, opening_problems

THEME_CHOICES = [(rules.THEME_SLUGS[t], rules.THEME_LABELS[t]) for t in rules.Theme]
PROGRAM_CHOICES = [(p.value, rules.OPENING_PROGRAM_LABELS[p]) for p in rules.OpeningProgram]
TERM_UNIT_CHOICES = [(u.value, rules.TERM_UNIT_LABELS[u]) for u in rules.TermUnit]
# The sources give no term for these programs (rules.TERM_BOUNDS: 1 day to 3 years accepted).
PROGRAMS_WITHOUT_TERM_RULE = frozenset(
    {rules.OpeningProgram.DIGITAL, rules.OpeningProgram.NICHIIKI}
)
DATE_INVALID = _("日付は YYYY-MM-DD の形式で入力してください。")


def _choose(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("選んでください")), *choices]


def _textarea(rows: int, maxlength: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


def _text(maxlength: int, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"maxlength": maxlength, **attrs})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def term_help(program: str | None) -> str:
    """The allowed term of a program and where it comes from (help text under the term)."""
    try:
        chosen = rules.OpeningProgram(program or "")
    except ValueError:
        return _gettext("制度を選ぶと、その制度で認められる期間を表示します。")
    bounds = rules.TERM_BOUNDS[chosen]
    if chosen in PROGRAMS_WITHOUT_TERM_RULE:
        return _gettext("資料に期間の定めがないため、%(range)sの範囲で受け付けます。") % {
            "range": bounds.label()
        }
    return _gettext("%(program)sの期間は%(range)sです（根拠: %(source)s）。") % {
        "program": rules.OPENING_PROGRAM_LABELS[chosen],
        "range": bounds.label(),
        "source": bounds.source,
    }


def term_helps() -> list[tuple[str, str, str]]:
    """(program value, label, help) for every program: the page lists them all and the
    program select switches the help text without a round trip."""
    return [
        (p.value, rules.OPENING_PROGRAM_LABELS[p], term_help(p.value)) for p in rules.OpeningProgram
    ]


def term_help_map() -> dict[str, str]:
    """program value → term help ("" → the text shown before a program is chosen)."""
    return {"": term_help(None), **{value: text for value, _label, text in term_helps()}}


def area_municipalities(host: Organisation) -> list[Municipality]:
    """Where the host may recruit for: a municipality itself (a 指定都市 also its wards); a
    prefecture every municipality inside it. The service checks the same rule on submit."""
    if host.kind == Organisation.Kind.PREFECTURE and host.prefecture_id is not None:
        queryset = Municipality.objects.filter(prefecture_id=host.prefecture_id)
    elif host.municipality_id is not None:
        queryset = Municipality.objects.filter(
            Q(pk=host.municipality_id) | Q(parent_id=host.municipality_id)
        )
    else:
        queryset = Municipality.objects.none()
    return list(queryset.order_by("lgcode"))


class YenField(forms.IntegerField):
    """Whole yen; takes 240000, 240,000, ２４００００ or 240,000円."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
            for mark in (",", "円", " ", "¥", "\\"):
                value = value.replace(mark, "")
        return super().to_python(value)


class OpeningForm(DomainErrorsMixin, forms.Form):
    """Builds services.OpeningData; the service's opening_problems reports what is wrong."""

    # Marked 必須 on the page; the service (not the form) reports them missing.
    shown_required = frozenset(
        {
            "program",
            "title",
            "summary",
            "description",
            "themes",
            "positions",
            "municipality_lgcode",
            "employment_form",
            "vehicle",
            "term_value",
            "selection_steps",
            "contact",
        }
    )

    program = forms.CharField(
        label=_("制度"),
        required=False,
        widget=forms.Select(choices=_choose(PROGRAM_CHOICES)),
    )
    title = forms.CharField(
        label=_("タイトル"),
        required=False,
        help_text=_("80文字まで。検索結果や一覧の見出しになります。"),
        widget=_text(80),
    )
    summary = forms.CharField(
        label=_("概要"),
        required=False,
        help_text=_("200文字まで。検索結果に表示される紹介文です。"),
        widget=_textarea(3, 200),
    )
    description = forms.CharField(
        label=_("活動内容"),
        required=False,
        help_text=_("6000文字まで。具体的な仕事、受入体制、求める人物像など。"),
        widget=_textarea(10, 6000),
    )
    themes = forms.MultipleChoiceField(
        label=_("テーマ"),
        required=False,
        choices=THEME_CHOICES,
        help_text=_("1つ以上。検索の絞り込みに使われます。"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("テーマの選択肢にない値があります。")},
    )
    positions = forms.IntegerField(
        label=_("募集人数"),
        required=False,
        initial=1,
        help_text=_("1〜100人"),
        widget=forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
        error_messages={"invalid": _("募集人数は数字で入力してください。")},
    )
    municipality_lgcode = forms.CharField(
        label=_("活動地域（市区町村）"),
        required=False,
        widget=forms.Select(),
    )
    area_name = forms.CharField(
        label=_("大字・地区（任意）"),
        required=False,
        help_text=_(
            "40文字まで。区域によって地域要件の判定が変わる市町村では、"
            "大字・旧市町村名を入れると応募者に正確な判定を示せます。"
        ),
        widget=_text(40),
    )
    employment_form = forms.CharField(
        label=_("雇用形態"),
        required=False,
        widget=forms.Select(choices=_choose(list(Opening.EmploymentForm.choices))),
    )
    monthly_pay_yen = YenField(
        label=_("月額報酬（円・任意）"),
        required=False,
        help_text=_("円単位の整数（例: 240000）。空欄なら報酬は表示しません。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        error_messages={"invalid": _("月額報酬は円単位の整数で入力してください（例: 240000）。")},
    )
    housing_support = forms.BooleanField(label=_("住居の支援あり"), required=False)
    housing_note = forms.CharField(
        label=_("住居について（任意）"),
        required=False,
        help_text=_("200文字まで（例: 町営住宅を貸与、家賃は町が負担）"),
        widget=_text(200),
    )
    vehicle = forms.CharField(
        label=_("車両"),
        required=False,
        widget=forms.Select(choices=_choose(list(Opening.Vehicle.choices))),
    )
    side_work_allowed = forms.BooleanField(label=_("副業可"), required=False)
    term_value = forms.IntegerField(
        label=_("期間"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("期間は数字で入力してください。")},
    )
    term_unit = forms.CharField(
        label=_("期間の単位"),
        required=False,
        initial=rules.TermUnit.YEARS.value,
        widget=forms.Select(choices=TERM_UNIT_CHOICES),
    )
    start_date = forms.DateField(
        label=_("着任予定日（任意）"),
        required=False,
        help_text=_("応募締切日より後の日付"),
        widget=_date(),
        error_messages={"invalid": DATE_INVALID},
    )
    deadline = forms.DateField(
        label=_("応募締切日（任意）"),
        required=False,
        help_text=_("空欄なら随時募集。締切日を過ぎた公開中の募集は翌日に自動で締め切ります。"),
        widget=_date(),
        error_messages={"invalid": DATE_INVALID},
    )
    selection_steps = forms.CharField(
        label=_("選考の流れ"),
        required=False,
        help_text=_("2000文字まで（例: 書類選考 → 面接（オンライン可） → 現地体験）"),
        widget=_textarea(4, 2000),
    )
    contact = forms.CharField(
        label=_("問い合わせ先"),
        required=False,
        help_text=_(
            "300文字まで。担当課・電話番号・メールアドレスなど。公開ページに表示されます。"
        ),
        widget=_textarea(3, 300),
    )

    def __init__(
        self, *args: Any, host: Organisation, current: Opening | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.host = host
        self.current = current
        places = area_municipalities(host)
        choices = [(m.lgcode, m.full_name) for m in places]
        widget = self.fields["municipality_lgcode"].widget
        assert isinstance(widget, forms.Select)
        if len(places) == 1:
            widget.choices = choices
            self.fields["municipality_lgcode"].initial = places[0].lgcode
        else:
            widget.choices = _choose(choices)
            if host.municipality_id is not None:  # a 指定都市: the city itself by default
                self.fields["municipality_lgcode"].initial = next(
                    (m.lgcode for m in places if m.pk == host.municipality_id), ""
                )
        if host.kind == Organisation.Kind.PREFECTURE:
            self.fields["municipality_lgcode"].help_text = _(
                "%(host)sの区域内の市区町村から選んでください。"
            ) % {"host": host.name}
        elif len(places) > 1:
            self.fields["municipality_lgcode"].help_text = _(
                "市全体か、活動する区を選んでください。"
            )
        self.fields["term_value"].help_text = term_help(self["program"].value())

    @classmethod
    def initial_from(cls, opening: Opening) -> dict[str, Any]:
        return {
            "program": opening.program,
            "title": opening.title,
            "summary": opening.summary,
            "description": opening.description,
            "themes": [rules.THEME_SLUGS[t] for t in opening.themes],
            "positions": opening.positions,
            "municipality_lgcode": opening.municipality.lgcode,
            "area_name": opening.area_name,
            "employment_form": opening.employment_form,
            "monthly_pay_yen": opening.monthly_pay_yen,
            "housing_support": opening.housing_support,
            "housing_note": opening.housing_note,
            "vehicle": opening.vehicle,
            "side_work_allowed": opening.side_work_allowed,
            "term_value": opening.term_value,
            "term_unit": opening.term_unit,
            "start_date": opening.start_date,
            "deadline": opening.deadline,
            "selection_steps": opening.selection_steps,
            "contact": opening.contact,
        }

    def to_data(self) -> OpeningData:
        """The cleaned values as OpeningData; a field that failed its format check counts as
        empty (its own message is already under it)."""
        data = getattr(self, "cleaned_data", {})

        def text(name: str) -> str:
            return str(data.get(name) or "")

        def number(name: str) -> int:
            value = data.get(name)
            return int(value) if value is not None else 0

        return OpeningData(
            program=text("program"),
            title=text("title"),
            summary=text("summary"),
            description=text("description"),
            themes=tuple(rules.THEME_BY_SLUG[s] for s in data.get("themes") or ()),
            positions=number("positions"),
            municipality_lgcode=text("municipality_lgcode"),
            employment_form=text("employment_form"),
            vehicle=text("vehicle"),
            term_value=number("term_value"),
            term_unit=text("term_unit"),
            selection_steps=text("selection_steps"),
            contact=text("contact"),
            area_name=text("area_name"),
            monthly_pay_yen=data.get("monthly_pay_yen"),
            housing_support=bool(data.get("housing_support")),
            housing_note=text("housing_note"),
            side_work_allowed=bool(data.get("side_work_allowed")),
            start_date=data.get("start_date"),
            deadline=data.get("deadline"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        problems, _municipality = opening_problems(
            self.to_data(), host=self.host, current=self.current
        )
        self.add_domain_errors(problems)
        return cleaned
