"""Staff pages for members (/members/): who may read and write what, the list, registering an
appointment (direct and from an accepted offer), edit, renew, end, outcomes, linking the
member's account, the report dashboard and review, receipts and the 定住状況 tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.recruiting import factories

from hitonagare.accounts.models import User
from hitonagare.members import rules, services, services_reports
from hitonagare.members.models import (
    Appointment,
    AppointmentRenewal,
    MonthlyReport,
    Outcome,
)
from hitonagare.members.services import AppointmentData
from hitonagare.members.services_reports import ExpenseData, OutcomeData, ReportData
from hitonagare.recruiting import services_applications
from hitonagare.recruiting.models import Application

pytestmark = pytest.mark.django_db

HAKODATE = "012025"  # 北海道函館市: the host
OTARU = "012033"  # 北海道小樽市: another municipality in the same prefecture
CHIYODA_POSTAL = "1000001"  # 東京都千代田区: where the member came from
PDF = factories.MINIMAL_PDF
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01" + b"\x00" * 64
READ_FORBIDDEN = "隊員・任期の記録は、市区町村・都道府県の職員と総務省のアカウントで使えます"
MINISTRY_NO_WRITE = "総務省のアカウントでは隊員の記録を閲覧できます"


def _html(response) -> str:
    return response.content.decode("utf-8")


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _months_ago(n: int) -> dt.date:
    first = timezone.localdate().replace(day=1)
    index = first.year * 12 + first.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _one_year_from(start: dt.date) -> dt.date:
    return rules.add_term(start, rules.Term(1, rules.TermUnit.YEARS)) - dt.timedelta(days=1)


def appointment_data(**overrides: object) -> AppointmentData:
    start = _months_ago(3)
    data = AppointmentData(
        member_name="山田 花子",
        member_kana="やまだ はなこ",
        member_email="hanako@example.jp",
        program="kyoryokutai",
        municipality_lgcode=HAKODATE,
        start_date=start,
        planned_end_date=_one_year_from(start),
        origin=CHIYODA_POSTAL,
        residence_moved_on=start,
    )
    return replace(data, **overrides)  # type: ignore[arg-type]


def _form_post(**overrides: object) -> dict[str, object]:
    start = _months_ago(1)
    data: dict[str, object] = {
        "member_name": "佐藤 一郎",
        "member_kana": "さとう いちろう",
        "member_email": "ichiro@example.jp",
        "program": "kyoryokutai",
        "kind": "",
        "funding_variant": "",
        "municipality_lgcode": HAKODATE,
        "activity_area": "",
        "start_date": start.isoformat(),
        "planned_end_date": _one_year_from(start).isoformat(),
        "origin": "100-0001",
        "origin_area": "",
        "residence_moved_on": start.isoformat(),
        "monthly_reward_yen": "240,000",
        "note": "",
    }
    data.update(overrides)
    return data


def _report_data(month: dt.date, **overrides: object) -> ReportData:
    data = ReportData(
        month=month,
        days_worked=18,
        hours_worked=Decimal("120.5"),
        activities="空き家の調査と移住相談会の準備",
        results="相談会に12組が参加",
        expenses=(
            ExpenseData(
                category="travel",
                amount_yen=3200,
                description="相談会会場までの交通費",
                receipt=SimpleUploadedFile("領収書.png", PNG, content_type="image/png"),
            ),
        ),
    )
    return replace(data, **overrides)  # type: ignore[arg-type]


# --- the world --------------------------------------------------------------------------------


@pytest.fixture
def host_staff(reference_data):
    return factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")


@pytest.fixture
def other_staff(reference_data):
    return factories.staff_of(OTARU, email="staff@otaru.example.jp")


@pytest.fixture
def pref_staff(reference_data):
    return factories.prefecture_staff("01", email="staff@pref.hokkaido.example.jp")


@pytest.fixture
def other_pref_staff(reference_data):
    return factories.prefecture_staff("32", email="staff@pref.shimane.example.jp")


@pytest.fixture
def ministry(reference_data):
    return factories.ministry_staff(email="admin@soumu.example.jp")


@pytest.fixture
def member(reference_data):
    return factories.user(email="hanako@example.jp")


@pytest.fixture
def applicant(reference_data):
    return factories.user(email="someone@example.jp")


@pytest.fixture
def appointment(host_staff, member):
    created = services.appointment_create(user=host_staff, data=appointment_data())
    return services.appointment_link_member(
        user=host_staff, appointment_id=created.pk, email=member.email
    )


@pytest.fixture
def report(appointment, member):
    return services_reports.report_submit(
        user=member, appointment_id=appointment.pk, data=_report_data(_months_ago(2))
    )


def _snapshot(appointment: Appointment) -> tuple:
    appointment.refresh_from_db()
    return (
        appointment.member_name,
        appointment.planned_end_date,
        appointment.ended_on,
        appointment.end_reason,
        appointment.origin_municipality_id,
        appointment.member_id,
        appointment.renewals.count(),
        appointment.outcomes.count(),
    )


# --- who may see what -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(appointment, report):
    expense = report.expenses.get()
    for url in (
        "/members/",
        "/members/new/",
        f"/members/{appointment.pk}/",
        f"/members/{appointment.pk}/edit/",
        "/members/reports/",
        f"/members/reports/{report.pk}/",
        f"/members/reports/{report.pk}/expenses/{expense.pk}/receipt/",
        "/members/settlement/",
    ):
        response = _client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=/members/"), url


def test_personal_accounts_get_the_403_page_on_staff_pages(appointment, report, applicant, member):
    for user in (applicant, member):
        client = _client(user)
        for url in (
            "/members/",
            "/members/new/",
            f"/members/{appointment.pk}/",
            "/members/reports/",
            f"/members/reports/{report.pk}/",
            "/members/settlement/",
        ):
            response = client.get(url)
            assert response.status_code == 403, (user.email, url)
        assert READ_FORBIDDEN in _html(client.get("/members/"))


def test_another_municipality_sees_neither_the_member_nor_the_report(
    appointment, report, other_staff
):
    client = _client(other_staff)
    expense = report.expenses.get()
    assert "山田 花子" not in _html(client.get("/members/?status=all"))
    for url in (
        f"/members/{appointment.pk}/",
        f"/members/{appointment.pk}/edit/",
        f"/members/{appointment.pk}/end/",
        f"/members/reports/{report.pk}/",
        f"/members/reports/{report.pk}/expenses/{expense.pk}/receipt/",
    ):
        assert client.get(url).status_code == 404, url
    before = _snapshot(appointment)
    response = client.post(
        f"/members/{appointment.pk}/end/",
        {"ended_on": timezone.localdate().isoformat(), "reason": "family", "note": "家庭の事情"},
    )
    assert response.status_code == 404
    assert _snapshot(appointment) == before


def test_prefecture_staff_read_their_municipalities_members_but_change_nothing(
    appointment, report, pref_staff
):
    client = _client(pref_staff)
    listing = _html(client.get("/members/"))
    assert "山田 花子" in listing
    assert "函館市" in listing  # the host is named: the prefecture reads several hosts
    detail = client.get(f"/members/{appointment.pk}/")
    assert detail.status_code == 200
    assert "閲覧のみ" in _html(detail)
    assert f"/members/{appointment.pk}/edit/" not in _html(detail)
    page = client.get(f"/members/reports/{report.pk}/")
    assert page.status_code == 200
    assert 'name="decision"' not in _html(page)
    before = _snapshot(appointment)
    for url, data in (
        (f"/members/{appointment.pk}/edit/", _form_post()),
        (f"/members/{appointment.pk}/renew/", {"new_end_date": "2099-01-01"}),
        (f"/members/{appointment.pk}/link/", {"email": "staff@pref.hokkaido.example.jp"}),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    assert _snapshot(appointment) == before
    response = client.post(f"/members/reports/{report.pk}/review/", {"decision": "approve"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == "submitted"


def test_prefecture_staff_of_another_prefecture_get_404(appointment, other_pref_staff):
    client = _client(other_pref_staff)
    assert client.get(f"/members/{appointment.pk}/").status_code == 404
    assert "山田 花子" not in _html(client.get("/members/?status=all"))


def test_the_ministry_reads_everything_and_writes_nothing(appointment, report, ministry):
    client = _client(ministry)
    listing = _html(client.get("/members/"))
    assert "山田 花子" in listing
    assert "/members/new/" not in listing  # no register button
    detail = client.get(f"/members/{appointment.pk}/")
    assert detail.status_code == 200
    assert "閲覧のみ" in _html(detail)
    assert client.get(f"/members/reports/{report.pk}/").status_code == 200
    expense = report.expenses.get()
    download = client.get(f"/members/reports/{report.pk}/expenses/{expense.pk}/receipt/")
    assert download.status_code == 200
    new = client.get("/members/new/")
    assert new.status_code == 403
    assert MINISTRY_NO_WRITE in _html(new)
    before = _snapshot(appointment)
    assert client.get(f"/members/{appointment.pk}/edit/").status_code == 403
    response = client.post(
        f"/members/{appointment.pk}/end/",
        {"ended_on": timezone.localdate().isoformat(), "reason": "family", "note": "家庭の事情"},
    )
    assert response.status_code == 403
    assert client.post("/members/new/", _form_post()).status_code == 403
    assert (
        client.post(f"/members/reports/{report.pk}/review/", {"decision": "approve"}).status_code
        == 404
    )
    assert _snapshot(appointment) == before
    assert Appointment.objects.count() == 1
    report.refresh_from_db()
    assert report.status == "submitted"


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_member_with_the_stored_eligibility_and_overdue_reports(
    appointment, host_staff
):
    page = _html(_client(host_staff).get("/members/"))
    assert "山田 花子" in page
    assert "地域おこし協力隊" in page
    assert "○" in page
    assert "対象" in page
    assert f'基準日 <time datetime="{appointment.start_date:%Y-%m-%d}"' in page
    # The term began three months ago: the months whose due date (the 5th) has passed.
    due = rules.months_due_by(appointment.start_date, appointment.end_date, timezone.localdate(), 5)
    assert len(due) >= 2
    assert f'<strong class="status--ng">{len(due)}</strong>' in page
    assert "/members/import/" in page


def test_the_list_filters_by_status_program_and_name(appointment, host_staff):
    ended = services.appointment_create(
        user=host_staff,
        data=appointment_data(member_name="鈴木 次郎", member_kana="すずき じろう"),
    )
    services.appointment_end(
        user=host_staff,
        appointment_id=ended.pk,
        ended_on=ended.start_date + dt.timedelta(days=20),
        reason="family",
        note="家族の介護のため",
    )
    client = _client(host_staff)
    active = _html(client.get("/members/"))
    assert "山田 花子" in active
    assert "鈴木 次郎" not in active
    gone = _html(client.get("/members/?status=ended"))
    assert "鈴木 次郎" in gone
    assert "山田 花子" not in gone
    found = _html(client.get("/members/?status=all&q=すずき"))
    assert "鈴木 次郎" in found
    assert "山田 花子" not in found
    assert "条件に合う隊員はいません" in _html(client.get("/members/?program=pm"))
    # An unknown status is the default (在任中), not an error.
    assert client.get("/members/?status=bogus").status_code == 200


def test_an_empty_list_says_how_to_register_members(host_staff):
    page = _html(_client(host_staff).get("/members/"))
    assert "まだ隊員の記録はありません" in page
    assert "委嘱・任用を登録" in page


def test_the_list_pages_by_fifty(appointment, host_staff):
    Appointment.objects.bulk_create(
        [
            Appointment(
                host=appointment.host,
                municipality=appointment.municipality,
                member_name=f"隊員 {n:02d}",
                program="kyoryokutai",
                kind="entrustment",
                start_date=appointment.start_date,
                planned_end_date=appointment.planned_end_date,
            )
            for n in range(55)
        ]
    )
    client = _client(host_staff)
    first = _html(client.get("/members/"))
    assert "56人" in first
    assert first.count('<th scope="row"><a href="/members/') == 50
    assert 'rel="next"' in first
    second = _html(client.get("/members/?page=2"))
    assert second.count('<th scope="row"><a href="/members/') == 6


# --- registering and editing --------------------------------------------------------------------


def test_staff_register_an_appointment_and_its_eligibility_is_stored(host_staff):
    client = _client(host_staff)
    form = _html(client.get("/members/new/"))
    assert 'type="date"' in form
    assert "制度の標準" in form
    response = client.post("/members/new/", _form_post())
    created = Appointment.objects.get(member_name="佐藤 一郎")
    assert response.status_code == 302
    assert response["Location"] == f"/members/{created.pk}/"
    assert created.kind == "entrustment"  # the program's default
    assert created.monthly_reward_yen == 240000
    assert created.origin_municipality.lgcode == "131016"
    assert created.eligibility_eligible is True
    assert created.eligibility_basis_date == _months_ago(1)
    detail = _html(client.get(response["Location"]))
    assert "佐藤 一郎さんの委嘱・任用を登録しました。" in detail
    assert "判定根拠を印刷用に表示する" in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"member_name": ""}, "member_name", "氏名を入力してください。"),
        (
            {"planned_end_date": "2020-01-01"},
            "planned_end_date",
            "任期の終了日は開始日より後の日付にしてください。",
        ),
        ({"planned_end_date": "2099-03-31"}, "planned_end_date", "地域おこし協力隊の任期は"),
        (
            {"start_date": "2025-13-01"},
            "start_date",
            "日付は YYYY-MM-DD の形式で入力してください。",
        ),
        ({"municipality_lgcode": OTARU}, "municipality_lgcode", "自団体の区域内から選んでください"),
        ({"monthly_reward_yen": "たくさん"}, "monthly_reward_yen", "月額報償費は円単位の整数"),
        (
            {"member_email": "not-an-address"},
            "member_email",
            "メールアドレスの形式が正しくありません。",
        ),
        ({"program": ""}, "program", "制度を選んでください。"),
    ],
)
def test_bad_input_is_shown_under_its_field_and_nothing_is_saved(
    host_staff, overrides, field, message
):
    response = _client(host_staff).post("/members/new/", _form_post(**overrides))
    page = _html(response)
    assert response.status_code == 400
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert "まだ何も保存していません。" in page
    assert not Appointment.objects.exists()


def test_a_format_error_and_a_rule_error_are_reported_together(host_staff):
    response = _client(host_staff).post(
        "/members/new/", _form_post(member_name="", residence_moved_on="昨日")
    )
    page = _html(response)
    assert "日付は YYYY-MM-DD の形式で入力してください。" in page
    assert "氏名を入力してください。" in page
    assert not Appointment.objects.exists()


def test_editing_re_evaluates_the_eligibility_with_the_new_origin(appointment, host_staff):
    client = _client(host_staff)
    form = _html(client.get(f"/members/{appointment.pk}/edit/"))
    assert 'value="山田 花子"' in form
    start = appointment.start_date
    response = client.post(
        f"/members/{appointment.pk}/edit/",
        _form_post(
            member_name="山田 花子",
            start_date=start.isoformat(),
            planned_end_date=appointment.planned_end_date.isoformat(),
            origin="札幌市",  # 北海道札幌市 → 函館市
            residence_moved_on=(start + dt.timedelta(days=10)).isoformat(),
        ),
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.origin_municipality.name == "札幌市"
    assert appointment.eligibility_basis_date == start + dt.timedelta(days=10)
    assert appointment.eligibility["as_of"] == (start + dt.timedelta(days=10)).isoformat()


def test_an_unknown_origin_is_refused_and_the_record_is_unchanged(appointment, host_staff):
    before = _snapshot(appointment)
    response = _client(host_staff).post(
        f"/members/{appointment.pk}/edit/",
        _form_post(member_name="別の名前", origin="存在しない市"),
    )
    assert response.status_code == 400
    assert 'id="id_origin_error"' in _html(response)
    assert _snapshot(appointment) == before


# --- from an accepted offer -----------------------------------------------------------------------


@pytest.fixture
def accepted_application(host_staff):
    opening = factories.opening(
        staff=host_staff, municipality_lgcode=HAKODATE, start_date=None, term_value=1
    )
    person = factories.user(email="taro@example.jp")
    factories.profile(person, family_name="田中", given_name="太郎")
    application = services_applications.application_submit(
        user=person, opening_id=opening.pk, motivation="函館で暮らしたいです。"
    )
    for to_status, actor in (
        ("screening", host_staff),
        ("offered", host_staff),
        ("accepted", person),
    ):
        services_applications.application_transition(
            user=actor, application_id=application.pk, to_status=to_status
        )
    application.refresh_from_db()
    return application


def test_an_accepted_offer_becomes_an_appointment(accepted_application, host_staff):
    client = _client(host_staff)
    detail = _html(client.get(f"/staff/applications/{accepted_application.pk}/"))
    url = f"/members/from-application/{accepted_application.pk}/"
    assert url in detail
    form = _html(client.get(url))
    assert 'value="田中 太郎"' in form
    assert 'value="1000001"' in form  # the applicant's postal code as the origin
    start = _months_ago(0)
    response = client.post(
        url,
        _form_post(
            member_name="田中 太郎",
            member_email="taro@example.jp",
            start_date=start.isoformat(),
            planned_end_date=_one_year_from(start).isoformat(),
        ),
    )
    created = Appointment.objects.get()
    assert response.status_code == 302
    assert created.application_id == accepted_application.pk
    assert created.member.email == "taro@example.jp"
    # Registered once: the link goes, the page says so.
    assert url not in _html(client.get(f"/staff/applications/{accepted_application.pk}/"))
    again = client.get(url)
    assert again.status_code == 409
    assert "すでに委嘱・任用が登録されています" in _html(again)
    assert f'href="/members/{created.pk}/"' in _html(again)
    assert client.post(url, _form_post()).status_code == 409
    assert Appointment.objects.count() == 1


def test_an_offer_not_yet_accepted_cannot_be_registered(host_staff):
    opening = factories.opening(staff=host_staff, municipality_lgcode=HAKODATE)
    person = factories.user()
    factories.profile(person)
    application = services_applications.application_submit(
        user=person, opening_id=opening.pk, motivation="よろしくお願いします。"
    )
    response = _client(host_staff).get(f"/members/from-application/{application.pk}/")
    assert response.status_code == 409
    assert "内定を承諾した応募からのみ" in _html(response)


def test_another_organisations_application_is_not_found(accepted_application, other_staff):
    client = _client(other_staff)
    url = f"/members/from-application/{accepted_application.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, _form_post(municipality_lgcode=OTARU)).status_code == 404
    assert not Appointment.objects.exists()
    assert Application.objects.filter(pk=accepted_application.pk, status="accepted").exists()


# --- renew, end, outcomes, account --------------------------------------------------------------


def test_a_renewal_moves_the_end_and_keeps_the_history(appointment, host_staff):
    client = _client(host_staff)
    previous = appointment.planned_end_date
    new_end = _one_year_from(previous + dt.timedelta(days=1))
    response = client.post(
        f"/members/{appointment.pk}/renew/",
        {"new_end_date": new_end.isoformat(), "note": "2年目の更新"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.planned_end_date == new_end
    detail = _html(client.get(f"/members/{appointment.pk}/"))
    assert "2年目の更新" in detail
    assert f"{previous:%Y-%m-%d}" in detail
    assert f"{new_end:%Y-%m-%d}" in detail


def test_a_renewal_past_the_program_maximum_is_refused(appointment, host_staff):
    before = _snapshot(appointment)
    response = _client(host_staff).post(
        f"/members/{appointment.pk}/renew/",
        {"new_end_date": (appointment.start_date + dt.timedelta(days=4 * 366)).isoformat()},
    )
    assert response.status_code == 400
    assert "更新後の通算任期が地域おこし協力隊の上限を超えます" in _html(response)
    assert _snapshot(appointment) == before
    assert not AppointmentRenewal.objects.exists()


def test_an_early_end_needs_its_details(appointment, host_staff):
    before = _snapshot(appointment)
    response = _client(host_staff).post(
        f"/members/{appointment.pk}/end/",
        {"ended_on": timezone.localdate().isoformat(), "reason": "career", "note": ""},
    )
    assert response.status_code == 400
    assert "任期途中の終了は、詳細を入力してください。" in _html(response)
    assert _snapshot(appointment) == before


def test_an_end_then_the_exit_survey_then_the_settlement_figures(appointment, host_staff, ministry):
    client = _client(host_staff)
    today = timezone.localdate()
    early = client.get(f"/members/{appointment.pk}/outcome/exit/")
    assert "任期の終了を登録してから記録してください" in _html(early)
    refused = client.post(
        f"/members/{appointment.pk}/outcome/exit/",
        {"surveyed_on": today.isoformat(), "residence": "same", "activity": "startup"},
    )
    assert refused.status_code == 409
    assert not Outcome.objects.exists()

    response = client.post(
        f"/members/{appointment.pk}/end/",
        {"ended_on": today.isoformat(), "reason": "business", "note": "市内で起業するため"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.ended_on == today
    detail = _html(client.get(f"/members/{appointment.pk}/"))
    assert "起業・事業承継" in detail
    follow_up = rules.follow_up_due(today)
    assert f"{follow_up:%Y-%m-%d}" in detail
    assert f"/members/{appointment.pk}/renew/" not in detail

    bad = client.post(
        f"/members/{appointment.pk}/outcome/exit/",
        {"surveyed_on": (today + dt.timedelta(days=3)).isoformat(), "residence": "same"},
    )
    assert bad.status_code == 400
    assert "調査日に未来の日付は入力できません。" in _html(bad)
    assert "現在の仕事を選んでください。" in _html(bad)
    assert not Outcome.objects.exists()

    response = client.post(
        f"/members/{appointment.pk}/outcome/exit/",
        {
            "surveyed_on": today.isoformat(),
            "residence": "same",
            "residence_place": HAKODATE,
            "activity": "startup",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.kind, outcome.residence, outcome.activity) == ("exit", "same", "startup")
    assert client.get(f"/members/{appointment.pk}/outcome/next-year/").status_code == 404

    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    page = _html(client.get(f"/members/settlement/?ended_by={tomorrow}&program=kyoryokutai"))
    row = page[page.index('id="municipalities-012025"') :]
    row = row[: row.index("</tr>")]
    assert "函館市" in row
    assert "100.0%" in row
    assert 'id="nation"' not in page  # the national row is the ministry's
    national = _html(_client(ministry).get(f"/members/settlement/?ended_by={tomorrow}"))
    assert 'id="nation-all"' in national
    assert "不明" in national
    assert "定住率" in national


def test_the_settlement_page_counts_no_answer_as_unknown_and_rejects_a_bad_date(
    appointment, host_staff
):
    services.appointment_end(
        user=host_staff,
        appointment_id=appointment.pk,
        ended_on=timezone.localdate(),
        reason="health",
        note="体調のため",
    )
    client = _client(host_staff)
    page = _html(client.get("/members/settlement/"))
    row = page[page.index('id="municipalities-012025"') :]
    row = row[: row.index("</tr>")]
    assert "0.0%" in row  # one ended, no answer: 不明 stays in the denominator
    assert "不明" in page
    bad = client.get("/members/settlement/?ended_by=yesterday")
    assert bad.status_code == 400
    assert "日付は YYYY-MM-DD の形式で入力してください。" in _html(bad)


def test_linking_the_member_account_by_email(host_staff):
    created = services.appointment_create(user=host_staff, data=appointment_data())
    person = factories.user(email="later@example.jp")
    client = _client(host_staff)
    bad = client.post(f"/members/{created.pk}/link/", {"email": "nobody@example.jp"})
    assert bad.status_code == 400
    assert "このメールアドレスで登録された個人のアカウントが見つかりません。" in _html(bad)
    staff_address = client.post(f"/members/{created.pk}/link/", {"email": host_staff.email})
    assert staff_address.status_code == 400
    created.refresh_from_db()
    assert created.member_id is None
    response = client.post(f"/members/{created.pk}/link/", {"email": "LATER@example.jp"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.member_id == person.pk


# --- reports: dashboard, review, receipts ----------------------------------------------------------


def test_the_dashboard_counts_overdue_and_waiting_reports(appointment, report, host_staff):
    page = _html(_client(host_staff).get("/members/reports/"))
    assert 'id="report-counts"' in page
    # Three months ago and two months ago were due; two months ago was filed.
    todo = page[page.index('id="todo"') :]
    assert "山田 花子" in todo
    first_month = _months_ago(3)
    assert f"{first_month.year}年{first_month.month}月" in todo
    waiting = page[page.index('id="waiting"') : page.index('id="todo"')]
    assert f"/members/reports/{report.pk}/" in waiting


def test_the_dashboard_of_another_municipality_is_empty(appointment, report, other_staff):
    page = _html(_client(other_staff).get("/members/reports/"))
    assert "山田 花子" not in page
    assert "確認待ちの報告はありません。" in page


def test_the_host_approves_a_report(report, host_staff, member, django_capture_on_commit_callbacks):
    client = _client(host_staff)
    page = _html(client.get(f"/members/reports/{report.pk}/"))
    assert "空き家の調査と移住相談会の準備" in page
    assert 'id="expenses-total">3,200<' in page
    assert 'name="decision" value="approve"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/members/reports/{report.pk}/review/", {"decision": "approve"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"
    assert report.reviewed_by_id == host_staff.pk
    assert [m.to for m in mail.outbox] == [[member.email]]
    again = client.post(
        f"/members/reports/{report.pk}/review/", {"decision": "return", "comment": "x"}
    )
    assert again.status_code == 409
    assert "この報告はすでに確認済みです。" in _html(again)


def test_returning_a_report_needs_a_comment(report, host_staff):
    client = _client(host_staff)
    bad = client.post(
        f"/members/reports/{report.pk}/review/", {"decision": "return", "comment": " "}
    )
    assert bad.status_code == 400
    assert "差し戻すときは、直してほしい点を入力してください。" in _html(bad)
    report.refresh_from_db()
    assert report.status == "submitted"
    response = client.post(
        f"/members/reports/{report.pk}/review/",
        {"decision": "return", "comment": "交通費の領収書の日付を確認してください。"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"
    assert report.review_comment == "交通費の領収書の日付を確認してください。"


def test_the_receipt_is_downloaded_with_its_checked_type(report, host_staff, pref_staff):
    expense = report.expenses.get()
    url = f"/members/reports/{report.pk}/expenses/{expense.pk}/receipt/"
    for user in (host_staff, pref_staff):
        response = _client(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PNG
    assert (
        _client(host_staff)
        .get(f"/members/reports/{report.pk}/expenses/999999/receipt/")
        .status_code
        == 404
    )


def test_a_receipt_of_another_report_is_not_found_through_this_one(
    appointment, report, host_staff, member
):
    other = services_reports.report_submit(
        user=member, appointment_id=appointment.pk, data=_report_data(_months_ago(1))
    )
    foreign = other.expenses.get()
    response = _client(host_staff).get(
        f"/members/reports/{report.pk}/expenses/{foreign.pk}/receipt/"
    )
    assert response.status_code == 404


def test_the_detail_lists_the_months_with_their_reports(appointment, report, host_staff):
    page = _html(_client(host_staff).get(f"/members/{appointment.pk}/"))
    months = page[page.index('id="report-months"') :]
    assert f"/members/reports/{report.pk}/" in months
    assert "確認待ち" in months
    assert "期限切れ・未提出" in months
    assert MonthlyReport.objects.count() == 1


def test_the_member_link_appears_in_the_staff_menu(host_staff, applicant):
    assert 'href="/members/"' in _html(_client(host_staff).get("/members/reports/"))
    assert 'href="/members/"' not in _html(_client(applicant).get("/me/"))


def test_outcome_data_for_the_follow_up_is_checked_by_the_service(appointment, host_staff):
    """A follow-up a month after the end is refused with the service's message."""
    services.appointment_end(
        user=host_staff,
        appointment_id=appointment.pk,
        ended_on=timezone.localdate() - dt.timedelta(days=30),
        reason="family",
        note="家族の事情",
    )
    response = _client(host_staff).post(
        f"/members/{appointment.pk}/outcome/follow_up/",
        {
            "surveyed_on": timezone.localdate().isoformat(),
            "residence": "other",
            "activity": "employed",
        },
    )
    assert response.status_code == 400
    assert "1年後の追跡調査は、任期終了からおおむね1年後の日付にしてください。" in _html(response)
    assert not Outcome.objects.exists()
    services_reports.outcome_record(
        user=host_staff,
        appointment_id=appointment.pk,
        data=OutcomeData(
            kind="exit", surveyed_on=timezone.localdate(), residence="nearby", activity="employed"
        ),
    )
    page = _html(_client(host_staff).get(f"/members/{appointment.pk}/"))
    assert "近隣市町村" in page
    assert "就業" in page


def test_a_decision_that_could_not_be_made_is_shown_as_such(host_staff):
    """A 基準日 before the oldest 確認表 the platform holds: stored as not judged, with why."""
    created = services.appointment_create(
        user=host_staff,
        data=appointment_data(
            start_date=dt.date(2021, 4, 1),
            planned_end_date=dt.date(2024, 3, 31),
            residence_moved_on=None,
        ),
    )
    assert created.eligibility["unavailable"] is True
    client = _client(host_staff)
    detail = _html(client.get(f"/members/{created.pk}/"))
    assert "地域要件を判定できませんでした:" in detail
    assert created.eligibility["message"] in detail
    assert "判定根拠を印刷用に表示する" not in detail
    assert "判定不可" in _html(client.get("/members/?status=all"))


def test_a_funding_variant_that_the_program_does_not_have_is_refused(host_staff):
    response = _client(host_staff).post("/members/new/", _form_post(funding_variant="side_job"))
    assert response.status_code == 400
    assert 'id="id_funding_variant_error"' in _html(response)
    assert "side_job" in _html(response)
    assert not Appointment.objects.exists()


def test_prefecture_staff_and_the_ministry_read_the_dashboard_and_the_settlement(
    appointment, report, pref_staff, ministry, other_pref_staff
):
    for user in (pref_staff, ministry):
        client = _client(user)
        dashboard = client.get("/members/reports/")
        assert dashboard.status_code == 200
        assert f"/members/reports/{report.pk}/" in _html(dashboard)
        assert client.get("/members/settlement/").status_code == 200
    elsewhere = _html(_client(other_pref_staff).get("/members/reports/"))
    assert f"/members/reports/{report.pk}/" not in elsewhere


def test_staff_receipt_and_cv_downloads_are_audited(reference_data, settings, tmp_path):
    """Personal files leaving the system leave a trace: who downloaded which receipt."""
    import datetime as _dt
    from decimal import Decimal as _D

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client as _Client

    from hitonagare.core.models import AuditEvent
    from hitonagare.members import services as _services
    from hitonagare.members import services_reports as _reports

    settings.MEDIA_ROOT = str(tmp_path)
    staff = factories.staff_of("012025")
    member = factories.user(email="receipt-audit@example.jp")
    appointment = _services.appointment_create(
        user=staff,
        data=_services.AppointmentData(
            member_name="監査 花子",
            program="kyoryokutai",
            municipality_lgcode="012025",
            start_date=_dt.date(2025, 4, 1),
            planned_end_date=_dt.date(2026, 3, 31),
        ),
    )
    appointment.member = member
    appointment.save()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    report = _reports.report_submit(
        user=member,
        appointment_id=appointment.pk,
        data=_reports.ReportData(
            month=_dt.date(2025, 4, 1),
            days_worked=10,
            hours_worked=_D("70"),
            activities="活動",
            expenses=(
                _reports.ExpenseData(
                    category="travel",
                    amount_yen=1200,
                    description="バス代",
                    receipt=SimpleUploadedFile("r.pdf", pdf, content_type="application/pdf"),
                ),
            ),
        ),
        today=_dt.date(2025, 5, 2),
    )
    expense = report.expenses.get()
    client = _Client()
    client.force_login(staff)
    response = client.get(f"/members/reports/{report.pk}/expenses/{expense.pk}/receipt/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    event = AuditEvent.objects.get(action="report.receipt_download")
    assert event.actor_id == staff.pk
    assert event.data == {"expense": expense.pk}
