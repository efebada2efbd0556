"""/admin/ is for ministry admins (and superusers) only; writes go through the services."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from hitonagare.accounts.models import Invitation, Organisation, User
from hitonagare.accounts.roles import Role, role_of
from hitonagare.core.models import AuditEvent

from . import factories
from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode("utf-8")


class TestWhoMayEnter:
    def test_anonymous_visitors_go_to_our_login(self, client):
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"

    @pytest.mark.parametrize("who", ["applicant", "municipality_staff", "municipality_admin"])
    def test_applicants_and_municipality_staff_are_refused(self, client, who):
        if who == "applicant":
            user = factories.applicant()
        else:
            user = factories.staff(factories.municipality(), is_admin=who == "municipality_admin")
        User.objects.filter(pk=user.pk).update(is_staff=True)  # is_staff alone is not enough
        client.force_login(user)

        response = client.get("/admin/", follow=True)

        assert response.status_code == 403
        assert "総務省の管理者だけ" in _html(response)
        assert client.get("/admin/accounts/user/").status_code == 302

    def test_the_ministry_admin_enters_and_sees_the_models(self, client):
        client.force_login(factories.ministry_admin())

        response = client.get("/admin/")

        assert response.status_code == 200
        html = _html(response)
        assert "/admin/accounts/organisation/" in html
        assert "/admin/regions/municipality/" in html
        assert client.get("/admin/regions/municipality/?q=海士").status_code == 200
        assert client.get("/admin/accounts/membership/").status_code == 200
        assert client.get("/admin/accounts/invitation/").status_code == 200

    def test_a_superuser_enters(self, client):
        client.force_login(
            User.objects.create_superuser(
                username="root", email="root@example.jp", password=PASSWORD
            )
        )
        assert client.get("/admin/").status_code == 200

    def test_the_admin_login_form_is_not_used(self, client):
        response = client.post("/admin/login/", {"username": "x", "password": "y"})
        assert response["Location"].startswith("/accounts/login/")


class TestModels:
    def test_users_are_listed_without_password_hashes(self, client):
        client.force_login(factories.ministry_admin())
        user = factories.applicant("listed@example.jp")

        listing = _html(client.get("/admin/accounts/user/?q=listed"))
        detail = _html(client.get(f"/admin/accounts/user/{user.pk}/change/"))

        assert "listed@example.jp" in listing
        assert "応募者" in listing
        assert user.password not in detail
        assert "md5$" not in detail
        assert "pbkdf2" not in detail
        assert client.post(f"/admin/accounts/user/{user.pk}/change/", {}).status_code == 403
        assert client.get("/admin/accounts/user/add/").status_code == 403

    def test_adding_a_municipality_goes_through_the_service(self, client):
        client.force_login(factories.ministry_admin())

        response = client.post(
            "/admin/accounts/organisation/add/", {"kind": "municipality", "lgcode": "32525"}
        )

        assert response.status_code == 302
        organisation = Organisation.objects.get(lgcode="325252")
        assert organisation.name == "海士町"
        assert organisation.municipality.lgcode == "325252"
        assert AuditEvent.objects.filter(
            action="accounts.organisation_create", object_id=str(organisation.pk)
        ).exists()

    def test_bad_organisation_input_shows_a_japanese_error(self, client):
        client.force_login(factories.ministry_admin())

        response = client.post(
            "/admin/accounts/organisation/add/", {"kind": "municipality", "lgcode": "325251"}
        )
        assert response.status_code == 200
        assert "検査数字が正しくありません" in _html(response)
        response = client.post("/admin/accounts/organisation/add/", {"kind": "company"})
        assert "組織の名称を入力してください。" in _html(response)
        assert not Organisation.objects.exclude(kind="ministry").exists()

    def test_an_invitation_added_in_the_admin_is_mailed(
        self, client, django_capture_on_commit_callbacks
    ):
        client.force_login(factories.ministry_admin())
        organisation = factories.municipality()

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/admin/accounts/invitation/add/",
                {"organisation": organisation.pk, "email": "first@example.jp", "make_admin": "on"},
            )

        assert response.status_code == 302
        invitation = Invitation.objects.get(email="first@example.jp")
        assert invitation.make_admin
        assert invitation.organisation == organisation
        assert mail.outbox[-1].to == ["first@example.jp"]
        assert "/accounts/invitations/" in mail.outbox[-1].body

    def test_the_unlock_action(self, client):
        from django.utils import timezone

        client.force_login(factories.ministry_admin())
        user = factories.applicant("locked@example.jp")
        User.objects.filter(pk=user.pk).update(locked_until=timezone.now(), failed_login_count=2)

        client.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [user.pk]})

        user.refresh_from_db()
        assert (user.locked_until, user.failed_login_count) == (None, 0)


def test_create_ministry_admin_command(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command(
        "accounts", "create-ministry-admin", "--email", "Chief@Soumu.example.jp", "--password-stdin"
    )

    user = User.objects.get(email="chief@soumu.example.jp")
    assert role_of(user) is Role.MINISTRY_ADMIN
    assert user.check_password(PASSWORD)
    assert "作成しました" in capsys.readouterr().out


def test_create_ministry_admin_command_refuses_a_weak_password(monkeypatch):
    import io

    from django.core.management import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError) as error:
        call_command(
            "accounts", "create-ministry-admin", "--email", "a@example.jp", "--password-stdin"
        )
    assert "短すぎます" in str(error.value)
    assert error.value.returncode == 2
