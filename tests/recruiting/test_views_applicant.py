"""The applicant's own pages (/me/): access rules, profile and CV, applying, the application
page (states, 地域要件, thread), scouts, data export and account deletion."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hitonagare.accounts.models import User
from hitonagare.recruiting import services_applications, services_scouts
from hitonagare.recruiting.models import ApplicantProfile, Application, ApplicationEvent, Scout

from . import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01" + b"\x00" * 64
NOT_PDF = "PDFファイルではありません（ファイルの中身がPDFの形式ではありません）。"


def _html(response) -> str:
    return response.content.decode("utf-8")


def _profile_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "family_name": "山田",
        "given_name": "花子",
        "family_kana": "やまだ",
        "given_kana": "はなこ",
        "birth_date": "1995-04-01",
        "phone": "090-1234-5678",
        "postal_code": "100-0001",
        "address_line": "千代田1-1",
        "skills": "観光案内の経験5年",
        "licences": ["car"],
        "interests": ["tourism", "primary-industry"],
        "desired_prefectures": ["32", "39"],
        "availability": "3m",
        "free_text": "島の暮らしに関わりたいです。",
        "scout_opt_in": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def host_staff(reference_data):
    return factories.user(
        email="staff@ama.example.jp", organisation=factories.municipality_org("325252")
    )


@pytest.fixture
def opening(host_staff):
    return factories.opening(staff=host_staff)


@pytest.fixture
def applicant(reference_data):
    person = factories.user(email="hanako@example.jp")
    factories.profile(person)
    return person


@pytest.fixture
def other_applicant(reference_data):
    person = factories.user(email="taro@example.jp")
    factories.profile(person, family_name="佐藤", given_name="太郎")
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


@pytest.fixture
def me(client, applicant):
    client.force_login(applicant)
    return client


def _attach_cv(user: User) -> None:
    from hitonagare.recruiting.services_profiles import profile_cv_attach

    profile_cv_attach(user=user, upload=SimpleUploadedFile("履歴書.pdf", PDF, "application/pdf"))


def _pages(application: Application, scout: Scout, opening) -> list[str]:
    return [
        "/me/",
        "/me/profile/",
        "/me/profile/cv/",
        "/me/data/export/",
        "/me/data/delete/",
        f"/me/applications/new/{opening.pk}/",
        f"/me/applications/{application.pk}/",
        "/me/scouts/",
        f"/me/scouts/{scout.pk}/",
    ]


class TestAccess:
    def test_every_page_opens_for_the_applicant(self, me, applicant, application, scout, opening):
        _attach_cv(applicant)
        for url in _pages(application, scout, opening):
            response = me.get(url)
            assert response.status_code == 200, url

    def test_anonymous_visitors_are_sent_to_the_login_page(
        self, client, application, scout, opening
    ):
        for url in _pages(application, scout, opening):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(settings.LOGIN_URL), url
            assert "next=" in response["Location"]
        response = client.post(f"/me/applications/{application.pk}/messages/", {"body": "x"})
        assert response.status_code == 302
        assert not application.messages.exists()

    def test_staff_get_a_403_page_in_japanese(
        self, client, host_staff, application, scout, opening
    ):
        client.force_login(host_staff)
        for url in _pages(application, scout, opening):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "応募者のアカウントでのみ使えます" in _html(response)
        response = client.post(
            f"/me/applications/{application.pk}/status/",
            {"to_status": "withdrawn", "confirmed": "true"},
        )
        assert response.status_code == 403
        application.refresh_from_db()
        assert application.status == "applied"

    def test_another_applicant_gets_404_for_someone_elses_application_and_scout(
        self, client, other_applicant, application, scout
    ):
        client.force_login(other_applicant)
        assert client.get(f"/me/applications/{application.pk}/").status_code == 404
        assert client.get(f"/me/scouts/{scout.pk}/").status_code == 404
        assert (
            client.post(
                f"/me/applications/{application.pk}/status/",
                {"to_status": "withdrawn", "confirmed": "true"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/me/applications/{application.pk}/messages/", {"body": "のぞき見"}
            ).status_code
            == 404
        )
        assert client.post(f"/me/scouts/{scout.pk}/reply/", {"body": "x"}).status_code == 404
        assert client.post(f"/me/scouts/{scout.pk}/decline/").status_code == 404
        application.refresh_from_db()
        scout.refresh_from_db()
        assert application.status == "applied"
        assert not application.messages.exists()
        assert scout.status == Scout.Status.SENT

    def test_the_cv_url_only_ever_serves_ones_own_file(self, client, applicant, other_applicant):
        _attach_cv(applicant)
        client.force_login(other_applicant)
        assert client.get("/me/profile/cv/").status_code == 404  # they have none of their own
        other_pdf = PDF.replace(b"Catalog", b"Other")
        from hitonagare.recruiting.services_profiles import profile_cv_attach

        profile_cv_attach(
            user=other_applicant,
            upload=SimpleUploadedFile("mine.pdf", other_pdf, "application/pdf"),
        )
        response = client.get("/me/profile/cv/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == other_pdf


class TestDashboard:
    def test_lists_applications_with_state_and_unread_count_and_scouts(
        self, me, host_staff, application, scout, opening
    ):
        services_applications.application_message_post(
            user=host_staff, application_id=application.pk, body="面接の日程について"
        )
        html = _html(me.get("/me/"))

        assert f'href="/openings/{opening.pk}/"' in html
        assert opening.title in html
        assert "島根県 海士町" in html
        assert "地域おこし協力隊" in html
        assert timezone.localdate().isoformat() in html
        assert "me-status--applied" in html
        assert "応募済" in html
        assert "1件" in html  # one unread staff message
        assert f'href="/me/applications/{application.pk}/"' in html
        assert f'href="/me/scouts/{scout.pk}/"' in html
        assert "未返信 <strong>1</strong>" in html
        assert 'href="/me/data/export/"' in html
        assert 'href="/me/data/delete/"' in html
        assert 'href="/me/profile/"' in html
        assert "プロフィールの充実度" in html

    def test_without_a_profile_it_asks_for_one(self, client, reference_data):
        client.force_login(factories.user())
        html = _html(client.get("/me/"))
        assert "プロフィールがまだ登録されていません" in html
        assert "まだ応募していません" in html


class TestProfile:
    def test_a_new_profile_is_saved_and_shows_the_resolved_municipality(
        self, client, reference_data
    ):
        person = factories.user()
        client.force_login(person)

        response = client.post("/me/profile/", _profile_post())

        assert response.status_code == 302
        assert response["Location"] == "/me/profile/"
        profile = ApplicantProfile.objects.get(user=person)
        assert profile.municipality.full_name == "千代田区"
        assert profile.postal_code == "1000001"
        assert profile.licences == ["car"]
        assert {t.name for t in profile.interests} == {"TOURISM", "PRIMARY_INDUSTRY"}
        assert profile.desired_prefectures == ["32", "39"]
        assert profile.availability == "3m"
        assert profile.scout_opt_in is True
        html = _html(client.get("/me/profile/"))
        assert "千代田区（100-0001）" in html
        assert "プロフィールを保存しました" in html
        # The saved values come back into the form.
        assert 'value="やまだ"' in html
        assert 'id="id_desired_prefectures_32" checked' in html
        assert 'value="car" id="id_licences_0" checked' in html
        assert 'value="tourism" id="id_interests_0" checked' in html

    def test_the_form_offers_licences_themes_prefectures_by_region_and_explains_scouts(self, me):
        html = _html(me.get("/me/profile/"))
        for text in (
            "普通自動車免許",
            "狩猟免許",
            "観光振興",
            "ICT・DX",
            "北海道",
            "九州・沖縄",
            "沖縄県",
            "すぐに",
            "未定",
            "候補の検索には表示されません",
            "PDF・5MBまで",
        ):
            assert text in html, text
        assert 'accept="application/pdf,.pdf"' in html
        assert 'enctype="multipart/form-data"' in html
        assert html.count('name="desired_prefectures"') == 47

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"family_kana": "ヤマダ"}, "family_kana", "ふりがなはひらがなで入力してください。"),
            ({"postal_code": "999-9999"}, "postal_code", "郵便番号「999-9999」は見つかりません。"),
            (
                {"birth_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
                "birth_date",
                "生年月日を確認してください（15歳以上100歳以下）。",
            ),
            (
                {"birth_date": "2000-13-45"},
                "birth_date",
                "日付は YYYY-MM-DD の形式で入力してください。",
            ),
            ({"family_name": ""}, "family_name", "姓を入力してください。"),
        ],
    )
    def test_errors_show_under_their_field_and_nothing_is_saved(
        self, client, reference_data, overrides, field, message
    ):
        person = factories.user()
        client.force_login(person)

        response = client.post("/me/profile/", _profile_post(**overrides))

        assert response.status_code == 400
        html = _html(response)
        assert f'<p class="error" id="id_{field}_error">{message}</p>' in html
        assert f'href="#field-{field}"' in html  # the summary links to the field
        assert 'aria-invalid="true"' in html
        assert f'aria-describedby="id_{field}_' in html or f"id_{field}_error" in html
        assert not ApplicantProfile.objects.filter(user=person).exists()

    def test_several_mistakes_are_reported_at_once_and_the_old_profile_stays(self, me, applicant):
        response = me.post(
            "/me/profile/",
            _profile_post(family_kana="ヤマダ", postal_code="999-9999", birth_date="2000-13-45"),
        )
        assert response.status_code == 400
        html = _html(response)
        assert "ふりがなはひらがなで入力してください。" in html
        assert "郵便番号「999-9999」は見つかりません。" in html
        assert "日付は YYYY-MM-DD の形式で入力してください。" in html
        profile = ApplicantProfile.objects.get(user=applicant)
        assert profile.family_kana == "やまだ"
        assert profile.postal_code == "1000001"

    def test_after_saving_it_goes_back_to_a_safe_next_page_only(self, client, opening):
        person = factories.user()
        client.force_login(person)
        target = f"/me/applications/new/{opening.pk}/"
        response = client.post("/me/profile/", _profile_post(next=target))
        assert response["Location"] == target
        response = client.post("/me/profile/", _profile_post(next="https://evil.example/"))
        assert response["Location"] == "/me/profile/"


class TestCv:
    def test_a_real_pdf_is_stored_downloaded_and_removed(self, me, applicant):
        upload = SimpleUploadedFile("履歴書.pdf", PDF, content_type="application/pdf")
        response = me.post("/me/profile/cv/upload/", {"cv_file": upload})
        assert response.status_code == 302
        profile = ApplicantProfile.objects.get(user=applicant)
        assert profile.cv_file
        assert profile.cv_original_name == "履歴書.pdf"

        response = me.get("/me/profile/cv/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
        assert "履歴書.pdf" in _html(me.get("/me/profile/"))

        response = me.post("/me/profile/cv/remove/")
        assert response.status_code == 302
        profile.refresh_from_db()
        assert not profile.cv_file
        assert me.get("/me/profile/cv/").status_code == 404

    @pytest.mark.parametrize(
        ("name", "content"),
        [("photo.pdf", PNG), ("notes.pdf", "これはテキストです\n".encode())],
    )
    def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(self, me, applicant, name, content):
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        response = me.post("/me/profile/cv/upload/", {"cv_file": upload})
        assert response.status_code == 400
        html = _html(response)
        assert NOT_PDF in html
        assert 'aria-invalid="true"' in html
        assert not ApplicantProfile.objects.get(user=applicant).cv_file

    def test_no_file_chosen_is_an_error_too(self, me):
        response = me.post("/me/profile/cv/upload/", {})
        assert response.status_code == 400
        assert "アップロードするPDFファイルを選んでください。" in _html(response)


class TestApply:
    def test_the_page_shows_the_opening_the_decision_and_the_snapshot(self, me, opening):
        response = me.get(f"/me/applications/new/{opening.pk}/")
        html = _html(response)
        assert opening.title in html
        assert "島根県 海士町" in html
        assert "地域要件の判定" in html
        assert "decision--ok" in html
        assert "<span>対象<span" in html
        assert "千代田区（100-0001）" in html
        assert "山田 花子" in html  # snapshot preview
        assert 'name="motivation"' in html
        assert "地域要件の判定は「対象外」です" not in html

    def test_applying_stores_the_snapshot_and_the_decision(self, me, applicant, opening):
        response = me.post(f"/me/applications/new/{opening.pk}/", {"motivation": "棚田が好きです"})
        application = Application.objects.get(applicant=applicant, opening=opening)
        assert response.status_code == 302
        assert response["Location"] == f"/me/applications/{application.pk}/"
        assert application.motivation == "棚田が好きです"
        assert application.profile_snapshot["family_name"] == "山田"
        assert application.profile_snapshot["municipality"]["name"] == "千代田区"
        assert application.eligibility["eligible"] is True
        assert application.eligibility["symbol"] == "○"
        assert application.eligibility["as_of"] == timezone.localdate().isoformat()
        assert (
            ApplicationEvent.objects.filter(application=application, to_status="applied").count()
            == 1
        )

    def test_a_second_application_gets_the_conflict_message_with_a_link(
        self, me, application, opening
    ):
        html = _html(me.get(f"/me/applications/new/{opening.pk}/"))
        assert "この募集にはすでに応募しています" in html
        assert f'href="/me/applications/{application.pk}/"' in html
        assert 'name="motivation"' not in html

        response = me.post(f"/me/applications/new/{opening.pk}/", {"motivation": "もう一度"})
        assert response.status_code == 409
        assert "この募集にはすでに応募しています" in _html(response)
        assert Application.objects.filter(opening=opening).count() == 1

    def test_an_empty_motivation_is_refused_under_the_field(self, me, applicant, opening):
        response = me.post(f"/me/applications/new/{opening.pk}/", {"motivation": "  "})
        assert response.status_code == 400
        assert (
            '<p class="error" id="id_motivation_error">志望動機を入力してください。</p>'
            in _html(response)
        )
        assert not Application.objects.filter(applicant=applicant).exists()

    def test_a_closed_opening_says_so_and_takes_no_application(
        self, me, applicant, host_staff, opening
    ):
        from hitonagare.recruiting.services import opening_close

        opening_close(user=host_staff, opening_id=opening.pk)
        html = _html(me.get(f"/me/applications/new/{opening.pk}/"))
        assert "この募集は締め切られているため、応募できません。" in html
        assert 'name="motivation"' not in html
        response = me.post(f"/me/applications/new/{opening.pk}/", {"motivation": "お願いします"})
        assert response.status_code == 409
        assert not Application.objects.filter(applicant=applicant).exists()

    def test_without_a_profile_it_redirects_to_the_profile_form_and_back(
        self, client, reference_data, opening
    ):
        client.force_login(factories.user())
        response = client.get(f"/me/applications/new/{opening.pk}/")
        assert response.status_code == 302
        assert (
            response["Location"]
            == f"/me/profile/?next=%2Fme%2Fapplications%2Fnew%2F{opening.pk}%2F"
        )
        html = _html(client.get(response["Location"]))
        assert f'name="next" value="/me/applications/new/{opening.pk}/"' in html

    def test_a_draft_opening_is_not_found(self, me, host_staff):
        draft = factories.opening(staff=host_staff, publish=False)
        assert me.get(f"/me/applications/new/{draft.pk}/").status_code == 404

    def test_not_eligible_is_warned_but_the_applicant_can_still_apply(
        self, client, reference_data, opening
    ):
        person = factories.user()
        factories.profile(person, lgcode="325279", postal_code="6840101")  # 知夫村 → 海士町
        client.force_login(person)

        html = _html(client.get(f"/me/applications/new/{opening.pk}/"))
        assert "地域要件の判定は「対象外」です" in html
        assert "採用するかどうかは募集団体が判断します" in html
        assert "decision--ng" in html
        assert 'name="motivation"' in html

        response = client.post(f"/me/applications/new/{opening.pk}/", {"motivation": "島の隣から"})
        assert response.status_code == 302
        stored = Application.objects.get(applicant=person).eligibility
        assert stored["eligible"] is False
        assert stored["status_label"] == "対象外"


class TestApplicationPage:
    def test_shows_state_history_decision_with_reasons_and_citations(self, me, application):
        html = _html(me.get(f"/me/applications/{application.pk}/"))
        stored = application.eligibility
        assert "応募済" in html
        assert "これまでの経過" in html
        assert stored["reasons"][0] in html
        assert stored["citations"][0]["document"] in html
        assert "decision--ok" in html
        assert "棚田を守りたいです。" in html
        assert "応募を取り下げる" in html
        assert "内定を承諾する" not in html

    def test_withdrawing_needs_a_confirmation_step(self, me, applicant, application):
        url = f"/me/applications/{application.pk}/status/"
        response = me.post(url, {"to_status": "withdrawn"})
        assert response.status_code == 200
        assert "応募を取り下げますか？" in _html(response)
        application.refresh_from_db()
        assert application.status == "applied"

        response = me.post(
            url, {"to_status": "withdrawn", "confirmed": "true", "note": "転職のため"}
        )
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == "withdrawn"
        event = application.events.order_by("-id").first()
        assert (event.from_status, event.to_status, event.actor_id) == (
            "applied",
            "withdrawn",
            applicant.pk,
        )
        html = _html(me.get(f"/me/applications/{application.pk}/"))
        assert "応募済" in html
        assert '<span class="visually-hidden">から</span> 取り下げ' in html
        assert "転職のため" in html
        assert "応募を取り下げる" not in html  # no moves left

    def test_accept_and_decline_are_offered_once_offered(self, me, host_staff, application):
        for status in ("screening", "offered"):
            services_applications.application_transition(
                user=host_staff, application_id=application.pk, to_status=status
            )
        html = _html(me.get(f"/me/applications/{application.pk}/"))
        assert "内定を承諾する" in html
        assert "内定を辞退する" in html
        assert "応募を取り下げる" not in html

        response = me.post(f"/me/applications/{application.pk}/status/", {"to_status": "accepted"})
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == "accepted"

    def test_declining_an_offer_after_confirming(self, me, host_staff, application):
        for status in ("screening", "offered"):
            services_applications.application_transition(
                user=host_staff, application_id=application.pk, to_status=status
            )
        url = f"/me/applications/{application.pk}/status/"
        assert "内定を辞退しますか？" in _html(me.post(url, {"to_status": "declined"}))
        me.post(url, {"to_status": "declined", "confirmed": "true"})
        application.refresh_from_db()
        assert application.status == "declined"

    @pytest.mark.parametrize("target", ["accepted", "screening", "offered", "bogus"])
    def test_moves_the_applicant_may_not_make_are_refused(self, me, application, target):
        response = me.post(
            f"/me/applications/{application.pk}/status/", {"to_status": target, "confirmed": "true"}
        )
        assert response.status_code in (400, 409)
        assert 'role="alert"' in _html(response)
        application.refresh_from_db()
        assert application.status == "applied"
        assert application.events.count() == 1

    def test_opening_the_page_marks_staff_messages_read(self, me, host_staff, application):
        message = services_applications.application_message_post(
            user=host_staff, application_id=application.pk, body="書類を受け取りました"
        )
        html = _html(me.get(f"/me/applications/{application.pk}/"))
        assert "書類を受け取りました" in html
        assert "新着" in html  # shown as new this once
        message.refresh_from_db()
        assert message.read_at is not None
        assert "新着" not in _html(me.get(f"/me/applications/{application.pk}/"))


class TestThread:
    def test_posting_without_js_stores_the_message_and_mails_the_staff(
        self, me, application, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = me.post(
                f"/me/applications/{application.pk}/messages/",
                {"body": "面接はオンラインで可能ですか？"},
            )
        assert response.status_code == 302
        assert response["Location"].endswith(f"/me/applications/{application.pk}/#thread")
        message = application.messages.get()
        assert message.body == "面接はオンラインで可能ですか？"
        assert message.from_staff is False
        assert [m.to for m in mailoutbox] == [["staff@ama.example.jp"]]
        assert "応募者からメッセージ" in mailoutbox[0].subject
        html = _html(me.get(f"/me/applications/{application.pk}/"))
        assert "面接はオンラインで可能ですか？" in html
        assert "自分" in html

    def test_the_thread_is_oldest_first_and_names_who_wrote(self, me, host_staff, application):
        services_applications.application_message_post(
            user=host_staff, application_id=application.pk, body="一通目（団体）"
        )
        services_applications.application_message_post(
            user=application.applicant, application_id=application.pk, body="二通目（自分）"
        )
        html = _html(me.get(f"/me/applications/{application.pk}/"))
        assert html.index("一通目（団体）") < html.index("二通目（自分）")
        assert "me-message--staff" in html
        assert "me-message--mine" in html

    def test_posting_with_htmx_returns_the_new_message_and_a_fresh_form(self, me, application):
        response = me.post(
            f"/me/applications/{application.pk}/messages/",
            {"body": "よろしくお願いします"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        html = _html(response)
        assert "<html" not in html
        assert html.lstrip().startswith('<li class="me-message me-message--mine"')
        assert "よろしくお願いします" in html
        assert '<form id="message-form"' in html
        assert 'hx-swap-oob="true"' in html
        assert 'id="thread-empty"' in html  # the "no messages yet" line is hidden
        assert application.messages.count() == 1

    def test_an_empty_message_is_an_error_in_both_modes(self, me, application):
        url = f"/me/applications/{application.pk}/messages/"
        response = me.post(url, {"body": "   "}, headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert response["HX-Retarget"] == "#message-form"
        assert response["HX-Reswap"] == "outerHTML"
        assert "メッセージを入力してください。" in _html(response)

        response = me.post(url, {"body": ""})
        assert response.status_code == 400
        assert "メッセージを入力してください。" in _html(response)
        assert "<html" in _html(response)
        assert not application.messages.exists()


class TestScouts:
    def test_the_inbox_lists_scouts_with_their_state(self, me, scout, opening):
        html = _html(me.get("/me/scouts/"))
        assert "海士町" in html
        assert opening.title in html
        assert f'href="/me/scouts/{scout.pk}/"' in html
        assert f'href="/openings/{opening.pk}/"' in html
        assert "未返信" in html

    def test_the_thread_shows_the_message_and_links_to_the_opening_and_apply(
        self, me, scout, opening
    ):
        html = _html(me.get(f"/me/scouts/{scout.pk}/"))
        assert "棚田の募集にご関心はありませんか。" in html
        assert f'href="/openings/{opening.pk}/"' in html
        assert f'href="/me/applications/new/{opening.pk}/"' in html

    def test_replying_marks_it_replied_and_mails_the_sender(
        self, me, scout, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = me.post(f"/me/scouts/{scout.pk}/reply/", {"body": "お話を聞きたいです"})
        assert response.status_code == 302
        scout.refresh_from_db()
        assert scout.status == Scout.Status.REPLIED
        assert scout.messages.filter(from_staff=False, body="お話を聞きたいです").exists()
        assert [m.to for m in mailoutbox] == [["staff@ama.example.jp"]]
        html = _html(me.get(f"/me/scouts/{scout.pk}/"))
        assert "お話を聞きたいです" in html
        assert "返信済み" in html

    def test_declining_stops_replies(self, me, scout):
        response = me.post(f"/me/scouts/{scout.pk}/decline/")
        assert response.status_code == 302
        scout.refresh_from_db()
        assert scout.status == Scout.Status.DECLINED
        html = _html(me.get(f"/me/scouts/{scout.pk}/"))
        assert "このスカウトは辞退しました" in html
        assert 'name="body"' not in html
        response = me.post(f"/me/scouts/{scout.pk}/reply/", {"body": "やっぱり"})
        assert response.status_code == 409
        assert "辞退されたスカウトには返信できません。" in _html(response)
        assert not scout.messages.filter(from_staff=False).exists()

    def test_an_empty_reply_is_an_error(self, me, scout):
        response = me.post(f"/me/scouts/{scout.pk}/reply/", {"body": ""})
        assert response.status_code == 400
        assert "メッセージを入力してください。" in _html(response)


class TestOwnData:
    def test_export_is_a_json_download_of_ones_own_data_only(
        self, me, applicant, other_applicant, application, opening
    ):
        services_applications.application_submit(
            user=other_applicant, opening_id=opening.pk, motivation="他人の志望動機"
        )
        response = me.get("/me/data/export/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        today = timezone.localdate().strftime("%Y%m%d")
        assert response["Content-Disposition"] == (
            f'attachment; filename="hitonagare-my-data-{today}.json"'
        )
        text = _html(response)
        assert "山田" in text  # ensure_ascii=False: Japanese as text, not \u escapes
        data = json.loads(text)
        assert data["account"]["email"] == "hanako@example.jp"
        assert data["profile"]["given_name"] == "花子"
        assert [a["motivation"] for a in data["applications"]] == ["棚田を守りたいです。"]
        assert "taro@example.jp" not in text
        assert "他人の志望動機" not in text
        assert "太郎" not in text

    def test_delete_needs_the_email_and_then_removes_the_user_and_logs_out(
        self, me, applicant, application
    ):
        response = me.post("/me/data/delete/", {"confirm_email": "wrong@example.jp"})
        assert response.status_code == 400
        assert "確認のため、登録したメールアドレスを入力してください。" in _html(response)
        assert User.objects.filter(pk=applicant.pk).exists()

        response = me.post("/me/data/delete/", {"confirm_email": "Hanako@Example.jp"})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert not User.objects.filter(pk=applicant.pk).exists()
        assert not Application.objects.filter(pk=application.pk).exists()
        assert not ApplicantProfile.objects.filter(user_id=applicant.pk).exists()
        notes = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("削除しました" in n for n in notes)
        assert me.get("/me/").status_code == 302  # logged out


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, applicant):
        client = Client(enforce_csrf_checks=True)
        client.force_login(applicant)
        response = client.post("/me/profile/", _profile_post(family_name="乗っ取り"))
        assert response.status_code == 403
        assert ApplicantProfile.objects.get(user=applicant).family_name == "山田"

        page = client.get("/me/profile/")
        token = page.cookies["csrftoken"].value
        response = client.post(
            "/me/profile/", _profile_post(family_name="山本", csrfmiddlewaretoken=token)
        )
        assert response.status_code == 302
        assert ApplicantProfile.objects.get(user=applicant).family_name == "山本"
