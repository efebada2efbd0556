"""Staff pages for applications and scouting (/staff/applications/, /staff/scouts/): who may
see and do what, the list (filters, counts, pages), the detail (snapshot, 地域要件 and its
printable 判定根拠, history, moves with mails, thread), the CV, and scouting without
revealing who the candidates are."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hitonagare.accounts.models import Organisation, User
from hitonagare.recruiting import rules, services_applications, services_scouts
from hitonagare.recruiting.models import (
    ApplicantProfile,
    Application,
    ApplicationEvent,
    Message,
    Scout,
)
from hitonagare.recruiting.services_profiles import profile_cv_attach

from . import factories

pytestmark = pytest.mark.django_db

AMA = "325252"  # 島根県海士町: the host
NISHINOSHIMA = "325261"  # 島根県西ノ島町: another municipality in the same prefecture
HAKODATE = "012025"  # 北海道函館市
PDF = factories.MINIMAL_PDF
FORBIDDEN = "市区町村・都道府県の職員のアカウントでのみ使えます"


def _html(response) -> str:
    return response.content.decode("utf-8")


def _staff(organisation: Organisation, email: str) -> User:
    return factories.user(email=email, organisation=organisation)


@pytest.fixture
def host_staff(reference_data):
    return _staff(factories.municipality_org(AMA), "staff@ama.example.jp")


@pytest.fixture
def colleague(host_staff):
    return _staff(factories.municipality_org(AMA), "colleague@ama.example.jp")


@pytest.fixture
def other_staff(reference_data):
    return _staff(factories.municipality_org(NISHINOSHIMA), "staff@nishinoshima.example.jp")


@pytest.fixture
def pref_staff(reference_data):
    return _staff(factories.prefecture_org("32"), "staff@pref.shimane.example.jp")


@pytest.fixture
def other_pref_staff(reference_data):
    return _staff(factories.prefecture_org("01"), "staff@pref.hokkaido.example.jp")


@pytest.fixture
def ministry(reference_data):
    return _staff(factories.other_org("ministry", "総務省"), "admin@soumu.example.jp")


@pytest.fixture
def company_staff(reference_data):
    return _staff(factories.other_org("company", "株式会社ひとなが"), "hr@company.example.jp")


@pytest.fixture
def counselor(reference_data):
    return _staff(factories.other_org("desk", "移住相談センター"), "desk@example.jp")


@pytest.fixture
def opening(host_staff):
    return factories.opening(staff=host_staff)


@pytest.fixture
def applicant(reference_data):
    person = factories.user(email="hanako@example.jp")
    factories.profile(
        person,
        phone="090-1111-2222",
        address_line="千代田1-1-1",
        skills="観光案内の経験5年。英語で案内できます。",
        licences=["car"],
        interests_mask=rules.themes_to_mask([rules.Theme.TOURISM]),
        desired_prefectures=["32"],
        birth_date=dt.date(timezone.localdate().year - 35, 1, 1),
        availability=ApplicantProfile.Availability.WITHIN_3M,
        free_text="島の暮らしに関わりたいです。",
    )
    return person


@pytest.fixture
def application(applicant, opening):
    return services_applications.application_submit(
        user=applicant, opening_id=opening.pk, motivation="棚田を守りたいです。"
    )


@pytest.fixture
def scout(host_staff, opening, applicant):
    return services_scouts.scout_send(
        user=host_staff,
        opening_id=opening.pk,
        applicant_id=applicant.pk,
        body="棚田の募集にご関心はありませんか。",
    )


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _attach_cv(user: User, content: bytes = PDF) -> None:
    profile_cv_attach(
        user=user, upload=SimpleUploadedFile("履歴書.pdf", content, "application/pdf")
    )


def _pages(application: Application, scout: Scout) -> list[str]:
    return [
        "/staff/applications/",
        f"/staff/applications/{application.pk}/",
        f"/staff/applications/{application.pk}/cv/",
        "/staff/scouts/",
        "/staff/scouts/candidates/",
        f"/staff/scouts/{scout.pk}/",
    ]


def _posts(application: Application, scout: Scout) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/staff/applications/{application.pk}/status/", {"to_status": "screening"}),
        (f"/staff/applications/{application.pk}/messages/", {"body": "面接の日程について"}),
        (f"/staff/scouts/{scout.pk}/messages/", {"body": "追加のご案内"}),
        (
            "/staff/scouts/candidates/send/",
            {"applicant": str(application.applicant_id), "opening": "1", "body": "x"},
        ),
    ]


def _unchanged(application: Application, scout: Scout) -> None:
    application.refresh_from_db()
    assert application.status == "applied"
    assert not application.messages.exists()
    assert scout.messages.count() == 1
    assert Scout.objects.count() == 1


def _transition(client: Client, application: Application, to: str, note: str = ""):
    return client.post(
        f"/staff/applications/{application.pk}/status/", {"to_status": to, "note": note}
    )


# --- who may do what ----------------------------------------------------------------------------


class TestAccess:
    def test_every_page_opens_for_the_host_staff(self, client, host_staff, application, scout):
        _attach_cv(application.applicant)
        _as(client, host_staff)
        for url in _pages(application, scout):
            assert client.get(url).status_code == 200, url

    def test_anonymous_visitors_are_sent_to_the_login_page(self, client, application, scout):
        for url in _pages(application, scout):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
            assert "next=" in response["Location"]
        for url, data in _posts(application, scout):
            assert client.post(url, data).status_code == 302, url
        _unchanged(application, scout)

    @pytest.mark.parametrize("who", ["applicant", "company_staff", "counselor"])
    def test_applicants_companies_and_desks_get_a_403_page(
        self, request, client, who, application, scout
    ):
        _attach_cv(application.applicant)
        _as(client, request.getfixturevalue(who))
        for url in _pages(application, scout):
            response = client.get(url)
            assert response.status_code == 403, url
            assert FORBIDDEN in _html(response), url
        for url, data in _posts(application, scout):
            assert client.post(url, data).status_code == 403, url
        _unchanged(application, scout)

    def test_staff_of_another_municipality_get_404_and_an_empty_list(
        self, client, other_staff, application, scout
    ):
        _attach_cv(application.applicant)
        _as(client, other_staff)
        listing = client.get("/staff/applications/")
        assert listing.status_code == 200
        assert f"/staff/applications/{application.pk}/" not in _html(listing)
        assert "まだ応募はありません" in _html(listing)
        for url in _pages(application, scout)[1:]:
            if url in ("/staff/scouts/", "/staff/scouts/candidates/"):
                continue
            assert client.get(url).status_code == 404, url
        for url, data in _posts(application, scout)[:3]:
            assert client.post(url, data).status_code == 404, url
        _unchanged(application, scout)
        assert f"/staff/scouts/{scout.pk}/" not in _html(client.get("/staff/scouts/"))

    def test_prefecture_staff_read_their_municipalitys_application_without_acting(
        self, client, pref_staff, application, scout
    ):
        _attach_cv(application.applicant)
        services_applications.application_message_post(
            user=application.applicant, application_id=application.pk, body="質問があります"
        )
        _as(client, pref_staff)
        listing = _html(client.get("/staff/applications/"))
        assert f"/staff/applications/{application.pk}/" in listing
        assert "閲覧のみ" in listing
        assert "海士町" in listing  # the host column, since it is not their own
        detail = client.get(f"/staff/applications/{application.pk}/")
        page = _html(detail)
        assert detail.status_code == 200
        assert "山田 花子" in page
        assert "閲覧のみです" in page
        assert 'name="to_status"' not in page
        assert 'id="message-form"' not in page
        assert "履歴書（PDF）をダウンロード" not in page
        # Reading does not mark the applicant's message read for the host.
        assert application.messages.get().read_at is None
        assert client.get(f"/staff/applications/{application.pk}/cv/").status_code == 404
        assert _transition(client, application, "screening").status_code == 404
        response = client.post(
            f"/staff/applications/{application.pk}/messages/", {"body": "県から失礼します"}
        )
        assert response.status_code == 404
        # Scouts belong to the organisation that sent them.
        assert client.get(f"/staff/scouts/{scout.pk}/").status_code == 404
        application.refresh_from_db()
        assert application.status == "applied"
        assert application.messages.count() == 1

    def test_prefecture_staff_get_404_outside_their_prefecture(
        self, client, other_pref_staff, application
    ):
        _as(client, other_pref_staff)
        assert client.get(f"/staff/applications/{application.pk}/").status_code == 404
        assert f"/staff/applications/{application.pk}/" not in _html(
            client.get("/staff/applications/")
        )
        assert _transition(client, application, "screening").status_code == 404

    def test_the_ministry_reads_every_application_but_does_not_scout(
        self, client, ministry, application, scout
    ):
        _as(client, ministry)
        assert f"/staff/applications/{application.pk}/" in _html(client.get("/staff/applications/"))
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        assert 'name="to_status"' not in page
        assert _transition(client, application, "screening").status_code == 404
        for url in ("/staff/scouts/", "/staff/scouts/candidates/", f"/staff/scouts/{scout.pk}/"):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "スカウトは、市区町村・都道府県の職員" in _html(response)
        application.refresh_from_db()
        assert application.status == "applied"

    def test_csrf_is_enforced_on_a_move(self, host_staff, application):
        client = Client(enforce_csrf_checks=True)
        client.force_login(host_staff)
        assert _transition(client, application, "screening").status_code == 403
        application.refresh_from_db()
        assert application.status == "applied"
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        response = client.post(
            f"/staff/applications/{application.pk}/status/",
            {"to_status": "screening", "csrfmiddlewaretoken": token.group(1)},
        )
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == "screening"


# --- the list -------------------------------------------------------------------------------------


def _apply(opening, n: int, **profile: object) -> Application:
    person = factories.user(email=f"person{n}@example.jp")
    factories.profile(person, family_name="応募", given_name=f"{n}番", **profile)
    return services_applications.application_submit(
        user=person, opening_id=opening.pk, motivation="よろしくお願いします。"
    )


class TestList:
    def test_a_row_shows_name_opening_date_state_eligibility_and_unread(
        self, client, host_staff, application
    ):
        services_applications.application_message_post(
            user=application.applicant, application_id=application.pk, body="一つ目"
        )
        services_applications.application_message_post(
            user=application.applicant, application_id=application.pk, body="二つ目"
        )
        page = _html(_as(client, host_staff).get("/staff/applications/"))
        assert "山田 花子" in page
        assert "棚田の保全と農業体験の企画" in page
        assert timezone.localtime(application.created_at).strftime("%Y-%m-%d") in page
        assert "応募済" in page
        assert '<span class="sa-elig__symbol" aria-hidden="true">○</span>対象' in page
        assert '<strong class="sa-unread">2</strong>' in page
        assert "閲覧のみ" not in page

    def test_a_program_without_the_area_requirement_shows_a_dash(self, client, host_staff):
        other = factories.opening(
            staff=host_staff, program="nichiiki", term_value=1, term_unit="years"
        )
        _apply(other, 1)
        page = _html(_as(client, host_staff).get("/staff/applications/"))
        assert "地域要件なし" in page
        assert "sa-elig__symbol" not in page

    def test_state_tabs_count_and_filter(self, client, host_staff, opening):
        first, second, third = (_apply(opening, n) for n in (1, 2, 3))
        services_applications.application_transition(
            user=host_staff, application_id=second.pk, to_status="screening"
        )
        _as(client, host_staff)
        page = _html(client.get("/staff/applications/"))
        assert re.search(r'aria-current="page">すべて <span class="sa-count">3<', page)
        assert re.search(r">応募済 <span class=\"sa-count\">2<", page)
        assert re.search(r">書類選考中 <span class=\"sa-count\">1<", page)
        filtered = _html(client.get("/staff/applications/?status=screening"))
        assert f"/staff/applications/{second.pk}/" in filtered
        assert f"/staff/applications/{first.pk}/" not in filtered
        assert f"/staff/applications/{third.pk}/" not in filtered
        assert re.search(r'aria-current="page">書類選考中', filtered)
        empty = _html(client.get("/staff/applications/?status=offered"))
        assert "条件に合う応募はありません" in empty

    def test_filter_by_opening_keeps_counts_to_that_opening(self, client, host_staff, opening):
        other = factories.opening(staff=host_staff, title="空き家の活用と移住相談")
        mine = _apply(opening, 1)
        theirs = _apply(other, 2)
        page = _html(_as(client, host_staff).get(f"/staff/applications/?opening={other.pk}"))
        assert f"/staff/applications/{theirs.pk}/" in page
        assert f"/staff/applications/{mine.pk}/" not in page
        assert re.search(r'aria-current="page">すべて <span class="sa-count">1<', page)
        assert f'<option value="{other.pk}" selected>' in page

    def test_unknown_filter_values_are_ignored(self, client, host_staff, application):
        response = _as(client, host_staff).get("/staff/applications/?opening=abc&status=zzz")
        assert response.status_code == 200
        assert f"/staff/applications/{application.pk}/" in _html(response)

    def test_twenty_a_page(self, client, host_staff, opening):
        made = [_apply(opening, n) for n in range(21)]
        _as(client, host_staff)
        first = _html(client.get("/staff/applications/"))
        assert first.count('<th scope="row"') == 20
        assert "応募 21件（1〜20件目）" in first
        assert 'href="/staff/applications/?page=2" rel="next"' in first
        second = _html(client.get("/staff/applications/?page=2"))
        assert second.count('<th scope="row"') == 1
        assert f"/staff/applications/{made[0].pk}/" in second  # the oldest comes last

    def test_empty_state(self, client, host_staff):
        page = _html(_as(client, host_staff).get("/staff/applications/"))
        assert "まだ応募はありません" in page
        assert "<table" not in page


# --- the detail -------------------------------------------------------------------------------------


class TestDetail:
    def test_the_snapshot_is_shown_as_received(self, client, host_staff, application, applicant):
        ApplicantProfile.objects.filter(user=applicant).update(
            phone="080-9999-9999", skills="あとから書き換えた"
        )
        page = _html(_as(client, host_staff).get(f"/staff/applications/{application.pk}/"))
        assert "090-1111-2222" in page
        assert "080-9999-9999" not in page
        assert "観光案内の経験5年" in page
        assert "あとから書き換えた" not in page
        assert "hanako@example.jp" in page
        assert "千代田1-1-1" in page
        assert "棚田を守りたいです。" in page

    def test_the_stored_decision_with_reasons_and_citations(self, client, host_staff, application):
        page = _html(_as(client, host_staff).get(f"/staff/applications/{application.pk}/"))
        stored = application.eligibility
        assert stored["symbol"] in page
        for reason in stored["reasons"]:
            assert reason in page
        for citation in stored["citations"]:
            assert citation["document"] in page

    def test_the_print_link_reproduces_the_decision_at_the_time_of_application(
        self, client, host_staff, application, applicant
    ):
        # The applicant has moved since (to 新宿区): the link still uses the stored inputs.
        from hitonagare.regions.models import Municipality

        ApplicantProfile.objects.filter(user=applicant).update(
            postal_code="1600022", municipality=Municipality.objects.get(lgcode="131041")
        )
        page = _html(_as(client, host_staff).get(f"/staff/applications/{application.pk}/"))
        match = re.search(r'href="(/eligibility/print/\?[^"]+)"', page)
        assert match is not None
        url = match.group(1).replace("&amp;", "&")
        query = parse_qs(urlsplit(url).query)
        stored = application.eligibility
        assert query["program"] == ["kyoryokutai"]
        assert query["origin"] == ["1000001"]
        assert query["destination"] == [AMA]
        assert query["as_of"] == [stored["as_of"]]
        printed = client.get(url)
        assert printed.status_code == 200
        text = _html(printed)
        assert "地域要件 判定根拠" in text
        assert "（団体コード 131016）" in text  # 千代田区, where they lived when applying
        assert f"（団体コード {AMA}）" in text
        assert stored["status_label"] in text
        for reason in stored["reasons"]:
            assert reason in text

    def test_no_area_requirement_and_no_print_link(self, client, host_staff):
        other = factories.opening(
            staff=host_staff, program="nichiiki", term_value=1, term_unit="years"
        )
        application = _apply(other, 1)
        page = _html(_as(client, host_staff).get(f"/staff/applications/{application.pk}/"))
        assert "地域要件はありません" in page
        assert "/eligibility/print/" not in page

    def test_the_history_timeline(self, client, host_staff, application):
        services_applications.application_transition(
            user=host_staff, application_id=application.pk, to_status="screening", note="書類OK"
        )
        page = _html(_as(client, host_staff).get(f"/staff/applications/{application.pk}/"))
        assert "（応募者）" in page
        assert '応募済 <span aria-hidden="true">→</span>' in page
        assert "（staff@ama.example.jp）" in page
        assert "メモ: 書類OK" in page

    def test_buttons_are_the_staff_moves_from_the_current_state(
        self, client, host_staff, application
    ):
        _as(client, host_staff)
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        buttons = re.findall(r'name="to_status" value="(\w+)"', page)
        assert buttons == ["screening", "rejected"]
        for to in ("screening", "interview", "offered"):
            services_applications.application_transition(
                user=host_staff, application_id=application.pk, to_status=to
            )
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        assert 'name="to_status"' not in page
        assert "内定の承諾・辞退は応募者が行います" in page

    def test_opening_marks_the_applicants_messages_read(self, client, host_staff, application):
        services_applications.application_message_post(
            user=application.applicant, application_id=application.pk, body="届いていますか"
        )
        _as(client, host_staff)
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        assert "新着" in page
        assert application.messages.get().read_at is not None
        assert "新着" not in _html(client.get(f"/staff/applications/{application.pk}/"))
        assert '<strong class="sa-unread">' not in _html(client.get("/staff/applications/"))


# --- moves ------------------------------------------------------------------------------------------


class TestTransitions:
    def test_applied_to_offered_with_history_and_a_mail_each_time(
        self, client, host_staff, application, mailoutbox, django_capture_on_commit_callbacks
    ):
        _as(client, host_staff)
        path = [("screening", "書類選考中"), ("interview", "面接調整中"), ("offered", "内定")]
        for to, label in path:
            with django_capture_on_commit_callbacks(execute=True):
                response = _transition(client, application, to, note=f"{label}へ")
            assert response.status_code == 302
            assert response["Location"] == f"/staff/applications/{application.pk}/"
            application.refresh_from_db()
            assert application.status == to
            mail = mailoutbox[-1]
            assert mail.to == ["hanako@example.jp"]
            assert f"「{label}」" in mail.subject
        assert len(mailoutbox) == 3
        events = list(ApplicationEvent.objects.filter(application=application))
        assert [(e.from_status, e.to_status) for e in events] == [
            ("", "applied"),
            ("applied", "screening"),
            ("screening", "interview"),
            ("interview", "offered"),
        ]
        assert [e.actor_id for e in events[1:]] == [host_staff.pk] * 3
        assert events[-1].note == "内定へ"
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        assert "応募の状態を「内定」にしました" in page

    def test_rejected(
        self, client, colleague, application, mailoutbox, django_capture_on_commit_callbacks
    ):
        _as(client, colleague)  # any staff member of the host organisation may act
        with django_capture_on_commit_callbacks(execute=True):
            response = _transition(client, application, "rejected")
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == "rejected"
        assert ApplicationEvent.objects.filter(
            application=application, from_status="applied", to_status="rejected"
        ).exists()
        assert len(mailoutbox) == 1
        assert "「不採用」" in mailoutbox[0].subject

    def test_staff_may_not_accept_on_the_applicants_behalf(
        self, client, host_staff, application, mailoutbox, django_capture_on_commit_callbacks
    ):
        for to in ("screening", "offered"):
            services_applications.application_transition(
                user=host_staff, application_id=application.pk, to_status=to
            )
        _as(client, host_staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = _transition(client, application, "accepted")
        assert response.status_code == 409
        assert "「承諾」への変更は応募者だけが行えます。" in _html(response)
        application.refresh_from_db()
        assert application.status == "offered"
        assert not ApplicationEvent.objects.filter(to_status="accepted").exists()
        assert mailoutbox == []

    def test_a_move_the_rules_do_not_have_is_refused(self, client, host_staff, application):
        response = _transition(_as(client, host_staff), application, "offered")
        assert response.status_code == 409
        assert "「応募済」から「内定」には変更できません。" in _html(response)

    def test_an_unknown_state_and_a_long_note(self, client, host_staff, application):
        _as(client, host_staff)
        response = _transition(client, application, "hired")
        assert response.status_code == 400
        assert "変更先の状態が正しくありません。" in _html(response)
        response = _transition(client, application, "screening", note="あ" * 501)
        assert response.status_code == 400
        assert "メモは500文字以内で入力してください。" in _html(response)
        application.refresh_from_db()
        assert application.status == "applied"


# --- the thread ------------------------------------------------------------------------------------


class TestMessages:
    def test_post_without_javascript(
        self, client, host_staff, application, mailoutbox, django_capture_on_commit_callbacks
    ):
        _as(client, host_staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/staff/applications/{application.pk}/messages/", {"body": "面接は来週です。"}
            )
        assert response.status_code == 302
        assert response["Location"] == f"/staff/applications/{application.pk}/#thread"
        message = Message.objects.get(application=application)
        assert message.from_staff is True
        assert message.sender == host_staff
        assert [m.to for m in mailoutbox] == [["hanako@example.jp"]]
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        assert "面接は来週です。" in page

    def test_htmx_appends_the_message_and_resets_the_form(self, client, host_staff, application):
        response = _as(client, host_staff).post(
            f"/staff/applications/{application.pk}/messages/",
            {"body": "書類を拝見しました。"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        fragment = _html(response)
        assert fragment.lstrip().startswith('<li class="me-message me-message--mine"')
        assert "書類を拝見しました。" in fragment
        assert 'id="message-form"' in fragment
        assert 'hx-swap-oob="true"' in fragment
        assert 'id="thread-empty" hidden hx-swap-oob="true"' in fragment
        assert "<html" not in fragment

    def test_an_empty_message_is_an_error_under_the_field(self, client, host_staff, application):
        _as(client, host_staff)
        response = client.post(f"/staff/applications/{application.pk}/messages/", {"body": " "})
        assert response.status_code == 400
        page = _html(response)
        assert "メッセージを入力してください。" in page
        assert 'aria-invalid="true"' in page
        response = client.post(
            f"/staff/applications/{application.pk}/messages/",
            {"body": ""},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 400
        assert response["HX-Retarget"] == "#message-form"
        assert response["HX-Reswap"] == "outerHTML"
        assert not application.messages.exists()


# --- the CV -------------------------------------------------------------------------------------------


class TestCv:
    def test_host_staff_download_the_current_cv(self, client, host_staff, application):
        _attach_cv(application.applicant)
        newer = PDF.replace(b"Catalog", b"Newer")
        _attach_cv(application.applicant, newer)  # replaced after applying: the current one
        response = _as(client, host_staff).get(f"/staff/applications/{application.pk}/cv/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == newer
        from hitonagare.core.models import AuditEvent

        download = AuditEvent.objects.get(action="application.cv_download")
        assert download.actor_id == host_staff.pk
        assert download.object_id == str(application.pk)
        page = _html(client.get(f"/staff/applications/{application.pk}/"))
        assert f'href="/staff/applications/{application.pk}/cv/"' in page

    def test_no_cv_is_a_404(self, client, host_staff, application):
        _as(client, host_staff)
        assert client.get(f"/staff/applications/{application.pk}/cv/").status_code == 404
        assert "履歴書（PDF）を登録していません" in _html(
            client.get(f"/staff/applications/{application.pk}/")
        )

    def test_only_for_an_application_to_the_organisation(
        self, client, host_staff, application, opening
    ):
        # Someone with a CV who applied elsewhere: no application here, no CV here.
        stranger = factories.user(email="stranger@example.jp")
        factories.profile(stranger)
        _attach_cv(stranger)
        other_staff = _staff(factories.municipality_org(NISHINOSHIMA), "x@nishi.example.jp")
        elsewhere = factories.opening(staff=other_staff, municipality_lgcode=NISHINOSHIMA)
        theirs = services_applications.application_submit(
            user=stranger, opening_id=elsewhere.pk, motivation="よろしくお願いします。"
        )
        _as(client, host_staff)
        assert client.get(f"/staff/applications/{theirs.pk}/cv/").status_code == 404


# --- scouting ------------------------------------------------------------------------------------------


def _send(client: Client, *, applicant: User, opening, body: str = "ご関心はありませんか。"):
    return client.post(
        "/staff/scouts/candidates/send/",
        {"applicant": str(applicant.pk), "opening": str(opening.pk), "body": body},
    )


class TestScoutCandidates:
    def test_candidates_show_what_a_scout_needs_and_never_who_they_are(
        self, client, host_staff, opening, applicant
    ):
        response = _as(client, host_staff).get("/staff/scouts/candidates/")
        assert response.status_code == 200
        page = _html(response)
        assert f'id="candidate-{applicant.pk}"' in page
        assert "30代・東京都 千代田区" in page
        assert "観光振興" in page  # interests
        assert "普通自動車免許" in page  # licences
        assert "観光案内の経験5年" in page  # skills excerpt
        assert "島の暮らしに関わりたいです。" in page  # free text excerpt
        assert "3か月以内" in page  # availability
        assert "島根県" in page  # desired region
        for secret in (
            "山田",
            "花子",
            "やまだ",
            "090-1111-2222",
            "hanako@example.jp",
            "千代田1-1-1",
            "100-0001",
            "1000001",
            str(ApplicantProfile.objects.get(user=applicant).birth_date),
        ):
            assert secret not in page, secret

    def test_opted_out_profiles_are_not_listed(self, client, host_staff, opening, applicant):
        shy = factories.user(email="shy@example.jp")
        factories.profile(shy, scout_opt_in=False, skills="見せたくないスキル")
        page = _html(_as(client, host_staff).get("/staff/scouts/candidates/"))
        assert f'id="candidate-{applicant.pk}"' in page
        assert f'id="candidate-{shy.pk}"' not in page
        assert "見せたくないスキル" not in page

    def test_filters(self, client, host_staff, opening, applicant):
        farmer = factories.user(email="farmer@example.jp")
        factories.profile(
            farmer,
            lgcode=HAKODATE,
            postal_code="0400001",
            skills="酪農の経験",
            interests_mask=rules.themes_to_mask([rules.Theme.PRIMARY_INDUSTRY]),
            desired_prefectures=["01"],
        )
        _as(client, host_staff)

        def found(query: str) -> set[int]:
            page = _html(client.get(f"/staff/scouts/candidates/?{query}"))
            return {
                int(i) for i in re.findall(r'<article class="sa-card" id="candidate-(\d+)"', page)
            }

        assert found("") == {applicant.pk, farmer.pk}
        assert found("themes=primary-industry") == {farmer.pk}
        assert found("themes=tourism&themes=primary-industry") == {applicant.pk, farmer.pk}
        assert found("skills=酪農") == {farmer.pk}
        assert found("skills=観光+英語") == {applicant.pk}
        assert found("prefecture=01") == {farmer.pk}
        assert found("prefecture=13") == {applicant.pk}
        assert found("desired_prefecture=32") == {applicant.pk}

    def test_a_bad_filter_is_an_error_under_its_field(self, client, host_staff):
        response = _as(client, host_staff).get("/staff/scouts/candidates/?prefecture=99")
        assert response.status_code == 400
        assert "都道府県を選び直してください。" in _html(response)

    def test_without_a_published_opening_there_is_nothing_to_send(
        self, client, host_staff, applicant
    ):
        factories.opening(staff=host_staff, publish=False)
        page = _html(_as(client, host_staff).get("/staff/scouts/candidates/"))
        assert "公開中の募集がないため" in page
        assert f'id="candidate-{applicant.pk}"' in page
        assert "/staff/scouts/candidates/send/" not in page


class TestScoutSend:
    def test_send(
        self,
        client,
        host_staff,
        opening,
        applicant,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        _as(client, host_staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/staff/scouts/candidates/send/",
                {
                    "applicant": str(applicant.pk),
                    "opening": str(opening.pk),
                    "body": "棚田の募集をご覧ください。",
                    "search": "themes=tourism&evil=1",
                },
            )
        assert response.status_code == 302
        assert response["Location"] == (
            f"/staff/scouts/candidates/?themes=tourism#candidate-{applicant.pk}"
        )
        scout = Scout.objects.get()
        assert (scout.organisation.lgcode, scout.opening, scout.applicant) == (
            AMA,
            opening,
            applicant,
        )
        assert scout.messages.get().body == "棚田の募集をご覧ください。"
        assert [m.to for m in mailoutbox] == [["hanako@example.jp"]]
        page = _html(client.get("/staff/scouts/candidates/"))
        assert "送信済みのスカウト" in page
        assert f'href="/staff/scouts/{scout.pk}/"' in page

    def test_a_second_scout_for_the_same_opening_is_refused(
        self, client, host_staff, opening, applicant, scout
    ):
        response = _send(_as(client, host_staff), applicant=applicant, opening=opening)
        assert response.status_code == 409
        page = _html(response)
        assert "この募集についてこの方にはすでにスカウトを送っています。" in page
        assert '<details class="sa-send" open>' in page
        assert Scout.objects.count() == 1

    def test_the_organisation_limit(self, client, settings, host_staff, opening, applicant):
        settings.HITONAGARE_SCOUTS_PER_ORGANISATION_30D = 1
        another = factories.user(email="another@example.jp")
        factories.profile(another)
        _as(client, host_staff)
        assert _send(client, applicant=applicant, opening=opening).status_code == 302
        response = _send(client, applicant=another, opening=opening)
        assert response.status_code == 409
        assert "スカウトは1団体30日あたり1件までです。" in _html(response)
        assert list(Scout.objects.values_list("applicant_id", flat=True)) == [applicant.pk]

    def test_an_empty_message_and_a_foreign_opening(
        self, client, host_staff, other_staff, opening, applicant
    ):
        _as(client, host_staff)
        response = _send(client, applicant=applicant, opening=opening, body="")
        assert response.status_code == 400
        assert "スカウトのメッセージを入力してください。" in _html(response)
        elsewhere = factories.opening(staff=other_staff, municipality_lgcode=NISHINOSHIMA)
        response = _send(client, applicant=applicant, opening=elsewhere)
        assert response.status_code == 400
        assert "募集を選び直してください" in _html(response)
        assert not Scout.objects.exists()

    def test_an_opted_out_person_cannot_be_scouted(self, client, host_staff, opening):
        shy = factories.user(email="shy@example.jp")
        factories.profile(shy, scout_opt_in=False)
        assert _send(_as(client, host_staff), applicant=shy, opening=opening).status_code == 404
        assert not Scout.objects.exists()


class TestScoutThread:
    def test_the_list_shows_the_scouts_without_names(self, client, host_staff, scout):
        page = _html(_as(client, host_staff).get("/staff/scouts/"))
        assert f'href="/staff/scouts/{scout.pk}/"' in page
        assert "返信待ち" in page
        assert "30代・東京都 千代田区" in page
        assert "staff@ama.example.jp" in page
        assert "山田" not in page
        assert "hanako@example.jp" not in page

    def test_the_list_links_an_application_to_the_scouted_opening(
        self, client, host_staff, scout, application
    ):
        page = _html(_as(client, host_staff).get("/staff/scouts/"))
        assert f'href="/staff/applications/{application.pk}/">応募あり' in page

    def test_staff_write_again_only_after_a_reply(
        self,
        client,
        host_staff,
        scout,
        applicant,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        _as(client, host_staff)
        page = _html(client.get(f"/staff/scouts/{scout.pk}/"))
        assert "棚田の募集にご関心はありませんか。" in page
        assert "応募者からの返信があるまで" in page
        assert f'action="/staff/scouts/{scout.pk}/messages/"' not in page
        response = client.post(f"/staff/scouts/{scout.pk}/messages/", {"body": "念のため"})
        assert response.status_code == 409
        assert "応募者からの返信があるまで、追加のメッセージは送れません。" in _html(response)
        assert scout.messages.count() == 1

        services_scouts.scout_reply(user=applicant, scout_id=scout.pk, body="興味があります")
        page = _html(client.get(f"/staff/scouts/{scout.pk}/"))
        assert "興味があります" in page
        assert "返信あり" in page
        assert f'action="/staff/scouts/{scout.pk}/messages/"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/staff/scouts/{scout.pk}/messages/", {"body": "ありがとうございます。"}
            )
        assert response.status_code == 302
        assert response["Location"] == f"/staff/scouts/{scout.pk}/#thread"
        assert scout.messages.filter(from_staff=True).count() == 2
        assert [m.to for m in mailoutbox] == [["hanako@example.jp"]]

    def test_a_declined_scout_takes_no_more_messages(self, client, host_staff, scout, applicant):
        services_scouts.scout_decline(user=applicant, scout_id=scout.pk)
        _as(client, host_staff)
        assert "このスカウトは辞退されました" in _html(client.get(f"/staff/scouts/{scout.pk}/"))
        response = client.post(f"/staff/scouts/{scout.pk}/messages/", {"body": "再度"})
        assert response.status_code == 409
        assert scout.messages.count() == 1

    def test_a_colleague_sees_the_organisations_scouts(self, client, colleague, scout):
        _as(client, colleague)
        assert client.get(f"/staff/scouts/{scout.pk}/").status_code == 200
        assert f'href="/staff/scouts/{scout.pk}/"' in _html(client.get("/staff/scouts/"))


def test_staff_addresses_on_the_timeline_stay_with_their_own_organisation(
    client, host_staff, pref_staff, ministry, application
):
    from hitonagare.recruiting.services_applications import application_transition

    application_transition(user=host_staff, application_id=application.pk, to_status="screening")
    own = _html(_as(client, host_staff).get(f"/staff/applications/{application.pk}/"))
    assert "staff@ama.example.jp" in own
    for reader in (pref_staff, ministry):
        page = _html(_as(Client(), reader).get(f"/staff/applications/{application.pk}/"))
        assert "staff@ama.example.jp" not in page
        assert "職員（海士町）" in page
