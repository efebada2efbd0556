"""accounts.services: sign-up, verification, lock-out, passwords, organisations, invitations."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hitonagare.accounts import services
from hitonagare.accounts.models import Invitation, Membership, Organisation, User
from hitonagare.accounts.roles import Role, role_of
from hitonagare.core.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.models import AuditEvent

from . import factories
from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def _signup(capture, email: str = "hanako@example.jp", **kwargs) -> User | None:
    with capture(execute=True):
        return services.user_signup(email=email, password=PASSWORD, **kwargs)


def _uid_token(path: str) -> tuple[str, str]:
    parts = path.strip("/").split("/")
    return parts[-2], parts[-1]


class TestSignupAndVerification:
    def test_signup_makes_an_inactive_user_and_mails_the_link(
        self, django_capture_on_commit_callbacks
    ):
        user = _signup(
            django_capture_on_commit_callbacks, " Hanako@Example.JP ", display_name="花子"
        )

        assert user is not None
        assert (user.email, user.username, user.first_name) == (
            "hanako@example.jp",
            "hanako@example.jp",
            "花子",
        )
        assert not user.is_active
        assert user.email_verified_at is None
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["hanako@example.jp"]
        assert "メールアドレスの確認" in mail.outbox[0].subject
        assert "/accounts/verify/" in mail.outbox[0].body
        assert AuditEvent.objects.filter(action="accounts.signup", object_id=str(user.pk)).exists()

    def test_the_link_verifies_once(self, django_capture_on_commit_callbacks):
        _signup(django_capture_on_commit_callbacks)
        uidb64, token = _uid_token(factories.last_link(r"/accounts/verify/\S+/\S+/"))

        user = services.user_verify_email(uidb64=uidb64, token=token)

        assert user.is_active
        assert user.email_verified_at is not None
        with pytest.raises(ConflictError) as error:
            services.user_verify_email(uidb64=uidb64, token=token)
        assert "確認済み" in error.value.message

    def test_a_wrong_token_is_refused_in_japanese(self, django_capture_on_commit_callbacks):
        user = _signup(django_capture_on_commit_callbacks)
        uidb64 = urlsafe_base64_encode(force_bytes(user.pk))

        with pytest.raises(DomainError) as error:
            services.user_verify_email(uidb64=uidb64, token="abc-123")
        assert error.value.code == "verification_invalid"
        assert "有効期限" in error.value.message
        with pytest.raises(DomainError):
            services.user_verify_email(uidb64="not-base64!", token="abc")

    def test_a_password_reset_token_does_not_verify_an_address(
        self, django_capture_on_commit_callbacks
    ):
        from django.contrib.auth.tokens import default_token_generator

        user = _signup(django_capture_on_commit_callbacks)
        uidb64 = urlsafe_base64_encode(force_bytes(user.pk))

        with pytest.raises(DomainError):
            services.user_verify_email(
                uidb64=uidb64, token=default_token_generator.make_token(user)
            )

    def test_a_registered_address_gets_a_note_and_no_second_account(
        self, django_capture_on_commit_callbacks
    ):
        first = factories.applicant("taken@example.jp")

        again = _signup(django_capture_on_commit_callbacks, "TAKEN@example.jp")

        assert again is None
        assert User.objects.filter(email__iexact="taken@example.jp").count() == 1
        assert "すでに登録されています" in mail.outbox[-1].subject
        first.refresh_from_db()
        assert first.check_password(PASSWORD)

    def test_signing_up_again_while_unverified_resends_the_link_once_a_minute(
        self, django_capture_on_commit_callbacks
    ):
        from django.core.cache import cache

        _signup(django_capture_on_commit_callbacks)
        _signup(django_capture_on_commit_callbacks)  # within the interval: no second mail
        assert len(mail.outbox) == 1
        cache.clear()  # the interval has passed
        _signup(django_capture_on_commit_callbacks)

        assert [m.subject for m in mail.outbox] == ["[hitonagare] メールアドレスの確認"] * 2

    @pytest.mark.parametrize(
        ("password", "fragment"),
        [
            ("abc-12345", "短すぎます"),
            ("qwertyuiop", "一般的すぎます"),
            ("8391047265", "数字しか"),
            ("", "パスワードを入力してください"),
        ],
    )
    def test_weak_passwords_are_refused_in_japanese(self, password, fragment):
        with pytest.raises(InvalidInputError) as error:
            services.user_signup(email="weak@example.jp", password=password)

        assert fragment in error.value.errors["password"]
        assert not User.objects.filter(email="weak@example.jp").exists()

    def test_a_password_like_the_address_is_refused(self):
        with pytest.raises(InvalidInputError) as error:
            services.user_signup(email="yamada.hanako@example.jp", password="yamada.hanako")
        assert "似すぎています" in error.value.errors["password"]

    def test_every_problem_is_reported_at_once(self):
        with pytest.raises(InvalidInputError) as error:
            services.user_signup(email="not-an-address", password="short", display_name="x" * 151)
        assert set(error.value.errors) == {"email", "password", "display_name"}
        assert "形式" in error.value.errors["email"]

    def test_resend_mails_only_unverified_accounts(self, django_capture_on_commit_callbacks):
        from django.core.cache import cache

        _signup(django_capture_on_commit_callbacks, "new@example.jp")
        factories.applicant("old@example.jp")
        mail.outbox.clear()
        cache.clear()

        with django_capture_on_commit_callbacks(execute=True):
            services.verification_resend(email="new@example.jp")
            services.verification_resend(email="old@example.jp")
            services.verification_resend(email="nobody@example.jp")

        assert [m.to for m in mail.outbox] == [["new@example.jp"]]


class TestLogin:
    def test_the_right_password_logs_in_and_resets_the_counter(self):
        user = factories.applicant("ok@example.jp")
        User.objects.filter(pk=user.pk).update(failed_login_count=3)

        logged_in = services.login_attempt(email="OK@example.jp", password=PASSWORD)

        assert logged_in.pk == user.pk
        user.refresh_from_db()
        assert user.failed_login_count == 0
        assert AuditEvent.objects.filter(action="accounts.login").count() == 1

    def test_an_unverified_user_is_told_to_verify(self, django_capture_on_commit_callbacks):
        _signup(django_capture_on_commit_callbacks, "wait@example.jp")

        with pytest.raises(DomainError) as error:
            services.login_attempt(email="wait@example.jp", password=PASSWORD)

        assert error.value.code == "email_unverified"
        assert "メールアドレスの確認が済んでいません" in error.value.message

    def test_an_unverified_user_with_a_wrong_password_gets_the_plain_failure(
        self, django_capture_on_commit_callbacks
    ):
        _signup(django_capture_on_commit_callbacks, "wait@example.jp")

        with pytest.raises(DomainError) as error:
            services.login_attempt(email="wait@example.jp", password="wrong-password-1")

        assert error.value.code == "login_failed"

    def test_five_failures_lock_the_account_even_for_the_right_password(self):
        user = factories.applicant("lock@example.jp")
        codes = []
        for _ in range(5):
            with pytest.raises(DomainError) as error:
                services.login_attempt(email="lock@example.jp", password="wrong-password-1")
            codes.append(error.value.code)

        assert codes == ["login_failed"] * 4 + ["login_locked"]
        with pytest.raises(DomainError) as error:
            services.login_attempt(email="lock@example.jp", password=PASSWORD)
        assert error.value.code == "login_locked"
        assert "15分" in error.value.message
        user.refresh_from_db()
        assert user.locked_until is not None
        assert AuditEvent.objects.filter(action="accounts.locked").count() == 1

    def test_the_lock_ends_after_the_lock_time(self):
        factories.applicant("later@example.jp")
        for _ in range(5):
            with pytest.raises(DomainError):
                services.login_attempt(email="later@example.jp", password="wrong-password-1")

        later = timezone.now() + dt.timedelta(minutes=15, seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            user = services.login_attempt(email="later@example.jp", password=PASSWORD)

        user.refresh_from_db()
        assert (user.failed_login_count, user.locked_until) == (0, None)

    def test_a_lock_in_the_past_does_not_block(self):
        user = factories.applicant("past@example.jp")
        User.objects.filter(pk=user.pk).update(
            locked_until=timezone.now() - dt.timedelta(seconds=1)
        )
        assert services.login_attempt(email="past@example.jp", password=PASSWORD).pk == user.pk

    @override_settings(HITONAGARE_LOGIN_MAX_FAILURES=2, HITONAGARE_LOGIN_LOCK_MINUTES=1)
    def test_the_limits_come_from_the_settings(self):
        factories.applicant("two@example.jp")
        with pytest.raises(DomainError):
            services.login_attempt(email="two@example.jp", password="wrong-password-1")
        with pytest.raises(DomainError) as error:
            services.login_attempt(email="two@example.jp", password="wrong-password-1")
        assert error.value.code == "login_locked"
        assert "1分" in error.value.message

    def test_failures_count_in_the_database_not_in_a_stale_copy(self):
        """Another process's failures (already in the row) are added to, not overwritten."""
        user = factories.applicant("race@example.jp")
        User.objects.filter(pk=user.pk).update(failed_login_count=3)

        with pytest.raises(DomainError) as error:
            services.login_attempt(email="race@example.jp", password="wrong-password-1")
        assert error.value.code == "login_failed"
        user.refresh_from_db()
        assert user.failed_login_count == 4
        with pytest.raises(DomainError) as error:
            services.login_attempt(email="race@example.jp", password="wrong-password-1")
        assert error.value.code == "login_locked"

    def test_an_unknown_address_gets_the_same_answers(self):
        factories.applicant("known@example.jp")
        answers = {}
        for email in ("known@example.jp", "unknown@example.jp"):
            seen = []
            for _ in range(6):
                with pytest.raises(DomainError) as error:
                    services.login_attempt(email=email, password="wrong-password-1")
                seen.append((error.value.code, error.value.message))
            answers[email] = seen
        assert answers["known@example.jp"] == answers["unknown@example.jp"]
        assert answers["unknown@example.jp"][-1][0] == "login_locked"

    def test_a_stopped_account_cannot_log_in(self):
        user = factories.applicant("stopped@example.jp")
        User.objects.filter(pk=user.pk).update(is_active=False)
        with pytest.raises(PermissionDeniedError):
            services.login_attempt(email="stopped@example.jp", password=PASSWORD)

    def test_setting_a_password_lifts_the_lock(self):
        user = factories.applicant("reset@example.jp")
        User.objects.filter(pk=user.pk).update(
            failed_login_count=0, locked_until=timezone.now() + dt.timedelta(minutes=10)
        )
        user.refresh_from_db()

        services.password_set(user=user, password="atarashii-kagi-2026", reason="reset")

        assert services.login_attempt(email="reset@example.jp", password="atarashii-kagi-2026")
        assert AuditEvent.objects.filter(action="accounts.password_reset").exists()


class TestOrganisations:
    def test_a_municipality_is_created_once_from_the_reference_data(self):
        first = services.organisation_for_municipality(lgcode="32525")
        again = services.organisation_for_municipality(lgcode="325252")

        assert first.pk == again.pk
        assert (first.kind, first.name, first.lgcode) == ("municipality", "海士町", "325252")
        assert first.prefecture.name == "島根県"
        assert role_of(factories.staff(first)) is Role.MUNICIPALITY_STAFF

    def test_bad_codes_and_wards_are_refused(self):
        with pytest.raises(DomainError) as error:
            services.organisation_for_municipality(lgcode="325251")
        assert "検査数字" in error.value.message
        with pytest.raises(NotFoundError):
            services.organisation_for_municipality(lgcode="999997")
        with pytest.raises(DomainError) as error:
            services.organisation_for_municipality(lgcode="011011")  # 札幌市中央区
        assert "指定都市の区" in error.value.message

    def test_a_prefecture_by_code_lgcode_or_name(self):
        by_code = services.organisation_for_prefecture(code="32")
        assert by_code.name == "島根県"
        assert services.organisation_for_prefecture(code="320005").pk == by_code.pk
        assert services.organisation_for_prefecture(code="島根県").pk == by_code.pk
        with pytest.raises(NotFoundError):
            services.organisation_for_prefecture(code="48")

    def test_organisation_create_is_for_the_ministry(self):
        admin = factories.ministry_admin()
        staff = factories.staff(factories.municipality())

        company = services.organisation_create(
            by_user=admin, kind="company", name="株式会社ひとなが"
        )
        assert company.kind == "company"
        with pytest.raises(PermissionDeniedError):
            services.organisation_create(by_user=staff, kind="company", name="別の会社")
        with pytest.raises(InvalidInputError) as error:
            services.organisation_create(by_user=admin, kind="company", name="株式会社ひとなが")
        assert "すでにあります" in error.value.errors["name"]
        with pytest.raises(InvalidInputError) as error:
            services.organisation_create(by_user=admin, kind="ministry")
        assert "1つだけ" in error.value.errors["kind"]
        assert AuditEvent.objects.filter(
            action="accounts.organisation_create", object_id=str(company.pk)
        ).exists()

    def test_staff_user_create_makes_a_verified_member(self):
        organisation = factories.municipality()
        user = services.staff_user_create(
            email="Clerk@Example.jp", password=PASSWORD, organisation=organisation, is_admin=True
        )
        assert user.email == "clerk@example.jp"
        assert user.is_active
        assert user.email_verified_at is not None
        assert user.membership.is_admin
        with pytest.raises(ConflictError):
            services.staff_user_create(
                email="clerk@example.jp", password=PASSWORD, organisation=organisation
            )


class TestInvitations:
    def _invite(self, capture, admin, email="new.staff@example.jp", **kwargs):
        with capture(execute=True):
            return services.invitation_create(by_user=admin, email=email, **kwargs)

    def test_only_an_admin_of_the_organisation_invites(self, django_capture_on_commit_callbacks):
        organisation = factories.municipality()
        clerk = factories.staff(organisation)
        with pytest.raises(PermissionDeniedError):
            services.invitation_create(by_user=clerk, email="x@example.jp")
        with pytest.raises(PermissionDeniedError):
            services.invitation_create(by_user=factories.applicant(), email="x@example.jp")
        admin = factories.staff(factories.municipality("131016"), is_admin=True)
        with pytest.raises(PermissionDeniedError):
            services.invitation_create(
                by_user=admin, email="x@example.jp", organisation=organisation
            )
        assert not Invitation.objects.exists()

    def test_the_token_is_stored_hashed_and_mailed(self, django_capture_on_commit_callbacks):
        admin = factories.staff(factories.municipality(), is_admin=True)

        issued = self._invite(django_capture_on_commit_callbacks, admin, make_admin=True)

        invitation = issued.invitation
        assert invitation.token_hash == services.token_hash(issued.token)
        assert issued.token not in invitation.token_hash
        assert len(invitation.token_hash) == 64
        assert invitation.expires_at - invitation.created_at == pytest.approx(
            dt.timedelta(days=7), abs=dt.timedelta(seconds=5)
        )
        assert mail.outbox[-1].to == ["new.staff@example.jp"]
        assert issued.path in mail.outbox[-1].body
        assert "海士町" in mail.outbox[-1].subject
        assert AuditEvent.objects.filter(action="accounts.invitation_create").exists()

    def test_accepting_with_a_new_account_joins_the_organisation(
        self, django_capture_on_commit_callbacks
    ):
        organisation = factories.municipality()
        admin = factories.staff(organisation, is_admin=True)
        issued = self._invite(django_capture_on_commit_callbacks, admin, make_admin=True)

        membership = services.invitation_accept(
            token=issued.token, signup=services.InvitationSignup(password=PASSWORD)
        )

        assert membership.organisation == organisation
        assert membership.is_admin
        user = membership.user
        assert user.email == "new.staff@example.jp"
        assert user.is_active
        assert user.email_verified_at is not None
        assert role_of(user) is Role.MUNICIPALITY_STAFF
        invitation = Invitation.objects.get(pk=issued.invitation.pk)
        assert invitation.accepted_by == user
        assert invitation.accepted_at is not None

    def test_a_token_works_once(self, django_capture_on_commit_callbacks):
        admin = factories.staff(factories.municipality(), is_admin=True)
        issued = self._invite(django_capture_on_commit_callbacks, admin)
        services.invitation_accept(
            token=issued.token, signup=services.InvitationSignup(password=PASSWORD)
        )

        with pytest.raises(ConflictError) as error:
            services.invitation_accept(
                token=issued.token, signup=services.InvitationSignup(password=PASSWORD)
            )
        assert "すでに受諾" in error.value.message
        with pytest.raises(ConflictError):
            services.invitation_by_token(token=issued.token)

    def test_an_expired_token_is_refused(self, django_capture_on_commit_callbacks):
        admin = factories.staff(factories.municipality(), is_admin=True)
        issued = self._invite(django_capture_on_commit_callbacks, admin)
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )

        with pytest.raises(DomainError) as error:
            services.invitation_accept(
                token=issued.token, signup=services.InvitationSignup(password=PASSWORD)
            )
        assert error.value.code == "invitation_expired"
        assert "有効期限" in error.value.message
        assert not Membership.objects.filter(user__email="new.staff@example.jp").exists()

    def test_an_unknown_token_is_not_found(self):
        with pytest.raises(NotFoundError) as error:
            services.invitation_accept(
                token="nope", signup=services.InvitationSignup(password=PASSWORD)
            )
        assert "正しくありません" in error.value.message

    def test_a_logged_in_user_accepts_with_their_own_address_only(
        self, django_capture_on_commit_callbacks
    ):
        admin = factories.staff(factories.municipality(), is_admin=True)
        invited = factories.applicant("invited@example.jp")
        other = factories.applicant("other@example.jp")
        issued = self._invite(django_capture_on_commit_callbacks, admin, email="invited@example.jp")

        with pytest.raises(PermissionDeniedError):
            services.invitation_accept(token=issued.token, user=other)
        membership = services.invitation_accept(token=issued.token, user=invited)

        assert membership.user == invited
        assert not membership.is_admin

    def test_a_member_of_an_organisation_cannot_accept(self, django_capture_on_commit_callbacks):
        admin = factories.staff(factories.municipality(), is_admin=True)
        issued = self._invite(django_capture_on_commit_callbacks, admin, email="busy@example.jp")
        busy = factories.staff(factories.municipality("131016"), email="busy@example.jp")

        with pytest.raises(ConflictError) as error:
            services.invitation_accept(token=issued.token, user=busy)
        assert "すでに組織に所属" in error.value.message
        assert Invitation.objects.get(pk=issued.invitation.pk).accepted_at is None

    def test_members_cannot_be_invited_again(self):
        admin = factories.staff(factories.municipality(), is_admin=True)
        factories.staff(factories.municipality("131016"), email="member@example.jp")
        with pytest.raises(ConflictError) as error:
            services.invitation_create(by_user=admin, email="member@example.jp")
        assert error.value.field == "email"

    def test_a_new_invitation_replaces_the_pending_one(self, django_capture_on_commit_callbacks):
        admin = factories.staff(factories.municipality(), is_admin=True)
        first = self._invite(django_capture_on_commit_callbacks, admin)
        second = self._invite(django_capture_on_commit_callbacks, admin)

        with pytest.raises(DomainError) as error:
            services.invitation_by_token(token=first.token)
        assert error.value.code == "invitation_expired"
        assert services.invitation_by_token(token=second.token).pk == second.invitation.pk

    def test_an_admin_revokes_a_pending_invitation(self, django_capture_on_commit_callbacks):
        organisation = factories.municipality()
        admin = factories.staff(organisation, is_admin=True)
        issued = self._invite(django_capture_on_commit_callbacks, admin)
        outsider = factories.staff(factories.municipality("131016"), is_admin=True)

        with pytest.raises(NotFoundError):
            services.invitation_revoke(by_user=outsider, invitation_id=issued.invitation.pk)
        services.invitation_revoke(by_user=admin, invitation_id=issued.invitation.pk)

        with pytest.raises(DomainError):
            services.invitation_by_token(token=issued.token)

    def test_the_ministry_invites_the_first_admin_of_an_organisation(
        self, django_capture_on_commit_callbacks
    ):
        organisation = factories.municipality()
        issued = self._invite(
            django_capture_on_commit_callbacks,
            factories.ministry_admin(),
            organisation=organisation,
            make_admin=True,
        )
        assert issued.invitation.organisation == organisation


def test_ministry_admin_create_makes_the_ministry_once():
    user = services.ministry_admin_create(email="admin@soumu.example.jp", password=PASSWORD)
    assert role_of(user) is Role.MINISTRY_ADMIN
    assert Organisation.objects.filter(kind="ministry").count() == 1
