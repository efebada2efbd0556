"""The /accounts/ pages: sign-up → mail → verify → login, lock-out, passwords, logout,
CSRF, the organisation page and the invitation link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from hitonagare.accounts.models import Invitation, Membership, User
from hitonagare.core.models import AuditEvent

from . import factories
from .factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
ORG = "/accounts/organisation/"


def _html(response) -> str:
    return response.content.decode("utf-8")


def _login(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


class TestSignupFlow:
    def test_signup_mail_verify_login(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                SIGNUP,
                {
                    "email": "hanako@example.jp",
                    "display_name": "花子",
                    "password1": PASSWORD,
                    "password2": PASSWORD,
                },
            )
        assert response.status_code == 302
        assert response["Location"] == "/accounts/signup/done/"
        done = client.get("/accounts/signup/done/")
        assert "hanako@example.jp に確認のメールを送りました" in _html(done)

        refused = _login(client, "hanako@example.jp")
        assert refused.status_code == 400
        assert "メールアドレスの確認が済んでいません" in _html(refused)
        assert "/accounts/verify/resend/?email=hanako%40example.jp" in _html(refused)

        link = factories.last_link(r"http://testserver/accounts/verify/\S+/\S+/")
        verified = client.get(link, follow=True)
        assert verified.redirect_chain[-1][0] == LOGIN
        assert "メールアドレスを確認しました" in _html(verified)

        response = _login(client, "hanako@example.jp")
        assert response.status_code == 302
        assert response["Location"] == "/"
        home = client.get("/")
        assert "hanako@example.jp" in _html(home)
        assert "応募者" in _html(home)

    def test_the_signup_form_shows_errors_under_the_fields(self, client):
        response = client.post(
            SIGNUP,
            {"email": "hanako@example.jp", "password1": "abc", "password2": "abd"},
        )
        html = _html(response)
        assert response.status_code == 400
        assert "確認用のパスワードが一致しません。" in html
        assert 'id="id_password2_error"' in html
        assert re.search(r'<input[^>]*name="password2"[^>]*aria-invalid="true"', html)

        response = client.post(
            SIGNUP,
            {"email": "hanako@example.jp", "password1": "qwertyuiop", "password2": "qwertyuiop"},
        )
        html = _html(response)
        assert response.status_code == 400
        assert "このパスワードは一般的すぎます。" in html
        assert re.search(r'<input[^>]*name="password1"[^>]*aria-invalid="true"', html)
        assert not User.objects.filter(email="hanako@example.jp").exists()

    def test_the_form_has_labels_and_csrf(self, client):
        html = _html(client.get(SIGNUP))
        assert 'name="csrfmiddlewaretoken"' in html
        for field in ("email", "display_name", "password1", "password2"):
            assert f'<label for="id_{field}">' in html
        assert 'type="password"' in html
        assert 'autocomplete="new-password"' in html

    def test_a_broken_verification_link_explains_itself(self, client):
        response = client.get("/accounts/verify/MQ/bad-token/")
        assert response.status_code == 400
        assert "確認リンクが正しくないか" in _html(response)

    def test_resend_page_answers_the_same_for_any_address(
        self, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            known = client.post("/accounts/verify/resend/", {"email": "nobody@example.jp"})
        assert known.status_code == 302
        assert mail.outbox == []


class TestLoginAndLockout:
    def test_next_is_followed_only_on_this_site(self, client):
        factories.applicant("next@example.jp")
        response = _login(client, "next@example.jp", next="/eligibility/")
        assert response["Location"] == "/eligibility/"

        other = Client()
        response = _login(other, "next@example.jp", next="https://evil.example/steal")
        assert response["Location"] == "/"

    def test_five_wrong_passwords_lock_and_the_sixth_right_one_is_refused(self, client):
        factories.applicant("lock@example.jp")
        for _ in range(4):
            response = _login(client, "lock@example.jp", "wrong-password-1")
            assert "メールアドレスまたはパスワードが正しくありません。" in _html(response)
        response = _login(client, "lock@example.jp", "wrong-password-1")
        assert "一時的にロックされています" in _html(response)

        response = _login(client, "lock@example.jp")
        assert response.status_code == 400
        assert "一時的にロックされています" in _html(response)
        assert "/accounts/password/reset/" in _html(response)
        assert "_auth_user_id" not in client.session

        User.objects.filter(email="lock@example.jp").update(
            locked_until=timezone.now() - dt.timedelta(seconds=1)
        )
        assert _login(client, "lock@example.jp").status_code == 302

    def test_an_unknown_address_reads_like_a_wrong_password(self, client):
        factories.applicant("known@example.jp")
        known = _html(_login(client, "known@example.jp", "wrong-password-1"))
        unknown = _html(_login(client, "unknown@example.jp", "wrong-password-1"))

        def message(html: str) -> str:
            return re.search(r'<div class="notice notice--error"[^>]*>(.*?)</div>', html, re.S)[1]

        assert message(known) == message(unknown)

    def test_logout_is_post_only(self, client):
        user = factories.applicant()
        client.force_login(user)

        assert client.get("/accounts/logout/").status_code == 405
        assert "_auth_user_id" in client.session
        response = client.post("/accounts/logout/", follow=True)
        assert "_auth_user_id" not in client.session
        assert "ログアウトしました。" in _html(response)

    def test_the_header_offers_logout_as_a_form(self, client):
        client.force_login(factories.applicant("header@example.jp"))
        html = _html(client.get("/"))
        assert re.search(
            r'<form method="post" action="/accounts/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"',
            html,
        )
        assert "header@example.jp" in html

    def test_the_header_offers_login_and_signup_when_logged_out(self, client):
        html = _html(client.get("/"))
        assert 'href="/accounts/login/?next=/"' in html
        assert 'href="/accounts/signup/"' in html

    def test_csrf_is_enforced_on_the_login_form(self):
        factories.applicant("csrf@example.jp")
        strict = Client(enforce_csrf_checks=True)
        response = strict.post(LOGIN, {"email": "csrf@example.jp", "password": PASSWORD})
        assert response.status_code == 403

        strict.get(LOGIN)
        token = strict.cookies["csrftoken"].value
        response = strict.post(
            LOGIN,
            {"email": "csrf@example.jp", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302

    def test_csrf_is_enforced_on_logout(self):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(factories.applicant())
        assert strict.post("/accounts/logout/").status_code == 403
        assert "_auth_user_id" in strict.session


class TestPasswords:
    def test_reset_mails_a_link_that_sets_a_new_password(self, client):
        user = factories.applicant("forgot@example.jp")
        User.objects.filter(pk=user.pk).update(
            locked_until=timezone.now() + dt.timedelta(minutes=10)
        )

        response = client.post("/accounts/password/reset/", {"email": "Forgot@example.jp"})
        assert response["Location"] == "/accounts/password/reset/done/"
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.subject == "[hitonagare] パスワードの再設定"
        assert "パスワード再設定が申し込まれました" in message.body

        link = factories.last_link(r"http://testserver/accounts/password/reset/\S+/\S+/")
        form_page = client.get(link, follow=True)
        assert form_page.status_code == 200
        set_url = form_page.redirect_chain[-1][0]
        weak = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
        assert "短すぎます" in _html(weak)
        response = client.post(
            set_url,
            {"new_password1": "atarashii-kagi-2026", "new_password2": "atarashii-kagi-2026"},
        )
        assert response["Location"] == "/accounts/password/reset/complete/"

        user.refresh_from_db()
        assert user.check_password("atarashii-kagi-2026")
        assert user.locked_until is None
        assert AuditEvent.objects.filter(action="accounts.password_reset").exists()
        assert _login(Client(), "forgot@example.jp", "atarashii-kagi-2026").status_code == 302

    def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(self, client):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
        assert response["Location"] == "/accounts/password/reset/done/"
        assert mail.outbox == []

    def test_change_needs_the_old_password(self, client):
        user = factories.applicant("change@example.jp")
        client.force_login(user)

        wrong = client.post(
            "/accounts/password/change/",
            {
                "old_password": "not-it-at-all",
                "new_password1": "atarashii-kagi-2026",
                "new_password2": "atarashii-kagi-2026",
            },
        )
        assert wrong.status_code == 200
        assert "元のパスワード" in _html(wrong)
        response = client.post(
            "/accounts/password/change/",
            {
                "old_password": PASSWORD,
                "new_password1": "atarashii-kagi-2026",
                "new_password2": "atarashii-kagi-2026",
            },
        )
        assert response["Location"] == "/accounts/password/change/done/"
        user.refresh_from_db()
        assert user.check_password("atarashii-kagi-2026")
        assert "_auth_user_id" in client.session  # still logged in after the change

    def test_change_needs_login(self, client):
        response = client.get("/accounts/password/change/")
        assert response["Location"].startswith("/accounts/login/?next=")


class TestOrganisationAndInvitations:
    def test_non_admin_staff_see_members_but_cannot_invite(self, client):
        organisation = factories.municipality()
        admin = factories.staff(organisation, is_admin=True, email="boss@example.jp")
        clerk = factories.staff(organisation, email="clerk@example.jp")
        client.force_login(clerk)

        page = _html(client.get(ORG))
        assert "海士町" in page
        assert "boss@example.jp" in page
        assert "clerk@example.jp" in page
        assert "招待メールを送る" not in page
        response = client.post("/accounts/organisation/invitations/", {"email": "x@example.jp"})
        assert response.status_code == 403
        assert "管理者だけ" in _html(response)
        assert not Invitation.objects.exists()
        assert admin.membership.is_admin

    def test_applicants_get_a_403_page(self, client):
        client.force_login(factories.applicant())
        response = client.get(ORG)
        assert response.status_code == 403
        assert "職員のアカウントでのみ" in _html(response)
        assert client.post("/accounts/organisation/invitations/", {}).status_code == 403

    def test_anonymous_visitors_are_sent_to_login(self, client):
        response = client.get(ORG)
        assert response["Location"] == "/accounts/login/?next=/accounts/organisation/"

    def test_admin_invites_and_the_invitee_signs_up_from_the_link(
        self, client, django_capture_on_commit_callbacks
    ):
        organisation = factories.municipality()
        admin = factories.staff(organisation, is_admin=True)
        client.force_login(admin)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/accounts/organisation/invitations/",
                {"email": "new.staff@example.jp", "make_admin": "on"},
            )
        assert response["Location"] == ORG
        page = _html(client.get(ORG))
        assert "new.staff@example.jp に招待メールを送りました。" in page
        assert "new.staff@example.jp" in page.split("招待中")[1]

        link = factories.last_link(r"http://testserver/accounts/invitations/[\w-]+/")
        path = link.removeprefix("http://testserver")
        invitee = Client()
        form = invitee.get(path)
        assert form.status_code == 200
        assert "「海士町」への招待" in _html(form)
        assert 'name="password1"' in _html(form)

        weak = invitee.post(path, {"password1": "qwertyuiop", "password2": "qwertyuiop"})
        assert weak.status_code == 400
        assert "一般的すぎます" in _html(weak)

        joined = invitee.post(path, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)
        assert joined.redirect_chain[-1][0] == ORG
        assert "「海士町」の職員として登録しました。" in _html(joined)
        membership = Membership.objects.get(user__email="new.staff@example.jp")
        assert membership.organisation == organisation
        assert membership.is_admin

        again = Client().get(path)
        assert again.status_code == 409
        assert "すでに受諾されています" in _html(again)

    def test_an_expired_link_is_refused(self, client, django_capture_on_commit_callbacks):
        from hitonagare.accounts import services

        admin = factories.staff(factories.municipality(), is_admin=True)
        with django_capture_on_commit_callbacks(execute=True):
            issued = services.invitation_create(by_user=admin, email="late@example.jp")
        Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

        response = client.get(issued.path)
        assert response.status_code == 400
        assert "有効期限" in _html(response)
        response = client.post(issued.path, {"password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 400
        assert not User.objects.filter(email="late@example.jp").exists()

    def test_an_existing_account_logs_in_then_accepts(
        self, client, django_capture_on_commit_callbacks
    ):
        from hitonagare.accounts import services

        organisation = factories.municipality()
        admin = factories.staff(organisation, is_admin=True)
        factories.applicant("known@example.jp")
        with django_capture_on_commit_callbacks(execute=True):
            issued = services.invitation_create(by_user=admin, email="known@example.jp")

        page = _html(client.get(issued.path))
        assert "ログインして招待を受ける" in page
        assert 'name="password1"' not in page
        response = _login(client, "known@example.jp", next=issued.path)
        assert response["Location"] == issued.path
        assert "招待を受ける" in _html(client.get(issued.path))

        client.post(issued.path)
        assert Membership.objects.get(user__email="known@example.jp").organisation == organisation

    def test_a_staff_member_cannot_accept_another_invitation(
        self, client, django_capture_on_commit_callbacks
    ):
        from hitonagare.accounts import services

        admin = factories.staff(factories.municipality(), is_admin=True)
        busy = factories.staff(factories.municipality("131016"), email="busy@example.jp")
        Membership.objects.filter(user=busy).delete()
        with django_capture_on_commit_callbacks(execute=True):
            issued = services.invitation_create(by_user=admin, email="busy@example.jp")
        Membership.objects.create(user=busy, organisation=factories.municipality("131016"))
        client.force_login(busy)

        response = client.post(issued.path)
        assert response.status_code == 409
        assert "すでに組織に所属" in _html(response)

    def test_an_admin_revokes_from_the_page(self, client, django_capture_on_commit_callbacks):
        from hitonagare.accounts import services

        admin = factories.staff(factories.municipality(), is_admin=True)
        with django_capture_on_commit_callbacks(execute=True):
            issued = services.invitation_create(by_user=admin, email="oops@example.jp")
        client.force_login(admin)

        response = client.post(
            f"/accounts/organisation/invitations/{issued.invitation.pk}/revoke/", follow=True
        )
        assert "oops@example.jp への招待を取り消しました。" in _html(response)
        assert Client().get(issued.path).status_code == 400

    def test_an_invalid_invitation_email_shows_under_the_field(self, client):
        client.force_login(factories.staff(factories.municipality(), is_admin=True))
        response = client.post("/accounts/organisation/invitations/", {"email": "not-mail"})
        html = _html(response)
        assert response.status_code == 400
        assert "メールアドレスの形式が正しくありません" in html
        assert re.search(r'<input[^>]*name="email"[^>]*aria-invalid="true"', html)

    def test_the_header_names_the_role_and_organisation(self, client):
        client.force_login(factories.staff(factories.municipality(), email="clerk@example.jp"))
        html = _html(client.get("/"))
        assert "市区町村職員" in html
        assert 'href="/accounts/organisation/"' in html
        assert 'href="/admin/"' not in html
