"""Importing a roster (/members/import/): upload a CSV or xlsx, check it ("確認のみ"), then
register it ("登録する"); and the template CSV.

Who: municipality and prefecture staff, for their own organisation (the service checks again);
the ministry, applicants, companies and desks get the 403 page; anonymous users the login page.
Each POST carries the file: a check writes nothing, a registration writes every row or none.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hitonagare.accounts.roles import HOST_ROLES, organisation_of, require_host_staff
from hitonagare.core.access import role_view
from hitonagare.core.errors import DomainError, PermissionDeniedError
from hitonagare.regions.models import Municipality

from . import roster, services_import

T = "members/import.html"
EXAMPLE_LGCODE = "012025"  # 函館市, when the organisation has no municipality of its own

View = Callable[..., HttpResponseBase]

COLUMN_HINTS = {
    "member_name": gettext_lazy(
        "例: 山田 花子。同じ氏名・任期開始日の行は二重登録として止めます。"
    ),
    "member_kana": gettext_lazy("ひらがな・カタカナのどちらでも構いません。"),
    "member_email": gettext_lazy("活動報告の提出を促すメールの宛先になります。"),
    "program": gettext_lazy(
        "地域おこし協力隊 などの名称、または kyoryokutai などのコード。"
        "「協力隊」「起業人」などの略称も使えます。"
    ),
    "funding_variant": gettext_lazy(
        "報償費の区分や起業人の型など。空欄なら制度の標準の区分として扱います。"
    ),
    "kind": gettext_lazy("委嘱・任用・協定。空欄なら制度に応じて決まります。"),
    "municipality_lgcode": gettext_lazy(
        "6桁の団体コード（例: 012025）。自団体の区域内の市町村に限ります。市町村名でも構いません。"
    ),
    "activity_area": gettext_lazy("大字・旧市町村など。地域要件の判定に使います。"),
    "start_date": gettext_lazy(
        "2025-04-01、2025/4/1、R7.4.1、令和7年4月1日 のどれでも構いません。"
    ),
    "planned_end_date": gettext_lazy(
        "制度ごとの任期の範囲（協力隊は1年〜3年など）に収めてください。"
    ),
    "origin": gettext_lazy(
        "転入前の住所の郵便番号・団体コード・市区町村名。地域要件の判定に使います（空欄なら判定しません）。"
    ),
    "origin_area": gettext_lazy("転出元の大字・旧市町村など。"),
    "origin_overseas": gettext_lazy(
        "はい／いいえ（○／空欄）。「はい」のときは転出元を空欄にします。"
    ),
    "residence_moved_on": gettext_lazy("地域要件の判定の基準日になります（空欄なら任期開始日）。"),
    "monthly_reward_yen": gettext_lazy("円単位の整数。250,000 や 25万円、全角数字も読み取ります。"),
    "note": gettext_lazy("2000文字まで。"),
    "ended_on": gettext_lazy("任期を終えた人だけ。任期終了予定日より後にはできません。"),
    "end_reason": gettext_lazy(
        "任期満了、転職・就職、起業・事業承継、家庭の事情、健康上の理由、受入側の事情、その他。"
    ),
    "end_note": gettext_lazy("任期の途中で終えたときは必須です。"),
}


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("名簿ファイル（CSV または Excel）"),
        help_text=gettext_lazy(
            "CSV（UTF-8 または Shift_JIS）か Excel ブック（.xlsx、最初のシート）。"
            "5MB・5,000行まで。"
        ),
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        error_messages={
            "required": gettext_lazy("取り込むファイルを選んでください。"),
            "empty": gettext_lazy("ファイルが空です。"),
        },
    )


# Municipality or prefecture staff (else the 403 page); anonymous visitors log in first.
host_staff_only = role_view(
    HOST_ROLES, template="members/forbidden.html", context={"area": "write"}
)


def _list_url() -> str:
    try:
        return reverse("members:list")
    except NoReverseMatch:
        return reverse("members_import:upload")


def _page(
    request: HttpRequest,
    form: RosterUploadForm,
    *,
    result: services_import.ImportResult | None = None,
    commit: bool = False,
    status: int = 200,
) -> HttpResponse:
    columns = [
        {
            "header": c.header,
            "required": c.required,
            "aliases": c.aliases,
            "hint": COLUMN_HINTS.get(c.key, ""),
        }
        for c in roster.COLUMNS
    ]
    return render(
        request,
        T,
        {
            "form": form,
            "result": result,
            "commit": commit,
            "columns": columns,
            "organisation": organisation_of(request.user),
            "max_rows": f"{roster.MAX_ROWS:,}",
            "max_megabytes": roster.MAX_BYTES // 1024 // 1024,
            "list_url": _list_url(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def roster_import(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, RosterUploadForm())
    form = RosterUploadForm(request.POST, request.FILES)
    commit = request.POST.get("action") == "commit"
    if not form.is_valid():
        return _page(request, form, commit=commit, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > roster.MAX_BYTES:
        form.add_error(
            "file",
            _("ファイルが大きすぎます。%(mb)sMBまでにしてください。")
            % {"mb": roster.MAX_BYTES // 1024 // 1024},
        )
        return _page(request, form, commit=commit, status=400)
    try:
        result = services_import.roster_import(
            user=request.user, content=upload.read(), filename=upload.name or "", commit=commit
        )
    except PermissionDeniedError:
        raise
    except DomainError as error:
        form.add_error("file", error.message)
        return _page(request, form, commit=commit, status=400)
    if result.committed:
        messages.success(
            request,
            _("名簿から%(n)s件の委嘱・任用を登録しました。") % {"n": result.created},
        )
        return redirect(_list_url())
    return _page(
        request,
        RosterUploadForm(),
        result=result,
        commit=commit,
        status=400 if result.errors else 200,
    )


@require_GET
@host_staff_only
def roster_template(request: HttpRequest) -> HttpResponse:
    """The template CSV (UTF-8 with BOM): the headers and one example row in a municipality
    of the user's own organisation."""
    host = require_host_staff(request.user)
    lgcode = EXAMPLE_LGCODE
    if host.municipality is not None:
        lgcode = host.municipality.lgcode
    elif host.prefecture_id is not None:
        first = (
            Municipality.objects.filter(prefecture_id=host.prefecture_id, parent__isnull=True)
            .exclude(lgcode=host.lgcode)
            .order_by("lgcode")
            .values_list("lgcode", flat=True)
            .first()
        )
        lgcode = first or EXAMPLE_LGCODE
    response = HttpResponse(
        roster.template_csv(lgcode=lgcode), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response
