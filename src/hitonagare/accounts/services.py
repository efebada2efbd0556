"""Writes for accounts: sign-up and e-mail verification, login attempts with lock-out,
passwords, invitations, organisations and staff users (ADR 0009).

Every function is keyword-only, raises DomainError (Japanese message, `field` when known) for
bad input, and records an AuditEvent for each write. Mails go out after the commit
(core.notify). Links in mails use HITONAGARE_SITE_URL when set, else the `base_url` the web
view passes (scheme and host of the request), else a bare path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from hitonagare.core.audit import audit_record
from hitonagare.core.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.notify import notify
from hitonagare.regions.codes import CodeError, normalise_lgcode
from hitonagare.regions.models import Municipality, Prefecture

from .models import Invitation, Membership, Organisation, User
from .roles import Role, is_org_admin, organisation_of, role_of

MAX_EMAIL = 150  # the e-mail is also the username (AbstractUser.username: 150 characters)
MAX_DISPLAY_NAME = 150  # kept in AbstractUser.first_name
MAX_ORGANISATION_NAME = 100
MINISTRY_NAME = "総務省"
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def max_failures() -> int:
    return int(getattr(settings, "HITONAGARE_LOGIN_MAX_FAILURES", 5))


def lock_minutes() -> int:
    return int(getattr(settings, "HITONAGARE_LOGIN_LOCK_MINUTES", 15))


def invitation_days() -> int:
    return int(getattr(settings, "HITONAGARE_INVITATION_DAYS", 7))


# --- small helpers ------------------------------------------------------------------------


def _link(path: str, base_url: str | None) -> str:
    base = getattr(settings, "HITONAGARE_SITE_URL", "") or base_url or ""
    return f"{base.rstrip('/')}{path}"


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def email_normalise(raw: str, *, field: str = "email") -> str:
    """Trimmed and lower-cased, so one mailbox is one account; DomainError when malformed."""
    email = (raw or "").strip().lower()
    if not email:
        raise DomainError("email_required", _("メールアドレスを入力してください。"), field=field)
    if len(email) > MAX_EMAIL:
        raise DomainError(
            "email_too_long",
            _("メールアドレスは%(max)d文字以内で入力してください。") % {"max": MAX_EMAIL},
            field=field,
        )
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "email_invalid",
            _("メールアドレスの形式が正しくありません（例: name@example.jp）。"),
            field=field,
        ) from None
    return email


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def _password_problem(password: str, user: User) -> str | None:
    """The validators' messages (AUTH_PASSWORD_VALIDATORS) joined, or None when it is fine."""
    if not password:
        return _("パスワードを入力してください。")
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return " ".join(str(m) for m in error.messages)
    return None


def _display_name_problem(display_name: str) -> str | None:
    if len(display_name) > MAX_DISPLAY_NAME:
        return _("表示名は%(max)d文字以内で入力してください。") % {"max": MAX_DISPLAY_NAME}
    return None


def _new_user_problems(*, email: str, password: str, display_name: str) -> tuple[str, str]:
    """Normalised (email, display_name), or InvalidInputError with every problem at once."""
    problems: dict[str, str] = {}
    display_name = (display_name or "").strip()
    try:
        email = email_normalise(email)
    except DomainError as error:
        problems["email"] = error.message
    if problem := _display_name_problem(display_name):
        problems["display_name"] = problem
    candidate = User(username=email, email=email, first_name=display_name)
    if problem := _password_problem(password, candidate):
        problems["password"] = problem
    if problems:
        raise InvalidInputError(problems)
    return email, display_name


# --- sign-up and e-mail verification -----------------------------------------------------


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the sign-up link: invalid once the address is verified (or changed).

    Valid for settings.PASSWORD_RESET_TIMEOUT, like Django's password-reset tokens, but
    signed with another salt so one kind of token never works as the other.
    """

    key_salt = "hitonagare.accounts.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        verified = "" if user.email_verified_at is None else user.email_verified_at.isoformat()
        return f"{user.pk}{user.email}{verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()


def verification_path(user: User) -> str:
    return reverse(
        "accounts:verify",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )


def hours_of(seconds: int) -> int:
    return max(1, round(seconds / 3600))


def _mail_allowed(user: User, kind: str) -> bool:
    """At most one mail of a kind per account per HITONAGARE_ACCOUNT_MAIL_INTERVAL seconds
    for the public forms that mail existing accounts (sign-up again, resend), so they
    cannot be used to flood someone's mailbox."""
    interval = int(getattr(settings, "HITONAGARE_ACCOUNT_MAIL_INTERVAL", 60))
    return bool(cache.add(f"hitonagare:account-mail:{kind}:{user.pk}", True, timeout=interval))


def _send_verification(user: User, base_url: str | None) -> None:
    body = _(
        "人の流れ（hitonagare）へのご登録ありがとうございます。\n\n"
        "次のリンクを開いて、メールアドレスの確認を完了してください。\n"
        "%(link)s\n\n"
        "リンクの有効期限は%(hours)d時間です。期限が切れたときは、ログイン画面から確認メールを再送できます。\n"
        "お心当たりのない場合は、このメールを破棄してください。"
    ) % {
        "link": _link(verification_path(user), base_url),
        "hours": hours_of(settings.PASSWORD_RESET_TIMEOUT),
    }
    notify(recipients=[user.email], subject=_("メールアドレスの確認"), body=body)


def _send_already_registered(user: User, base_url: str | None) -> None:
    body = _(
        "このメールアドレスで人の流れ（hitonagare）への登録が申し込まれましたが、"
        "このアドレスのアカウントはすでにあります。\n\n"
        "ログイン: %(login)s\n"
        "パスワードを忘れた場合: %(reset)s\n\n"
        "お心当たりのない場合は、このメールを破棄してください。"
    ) % {
        "login": _link(reverse("accounts:login"), base_url),
        "reset": _link(reverse("accounts:password_reset"), base_url),
    }
    notify(recipients=[user.email], subject=_("アカウントはすでに登録されています"), body=body)


@transaction.atomic
def user_signup(
    *, email: str, password: str, display_name: str = "", base_url: str | None = None
) -> User | None:
    """Register an applicant account, inactive until the e-mail link is opened.

    Returns the new user. If the address already has an account, nothing is created and the
    mailbox gets a note (login and password-reset links, or the verification link again when
    still unverified); None is returned, and the page the visitor sees is the same, so sign-up
    does not reveal which addresses are registered.
    """
    email, display_name = _new_user_problems(
        email=email, password=password, display_name=display_name
    )
    existing = user_by_email(email)
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=email,
                    email=email,
                    password=password,
                    first_name=display_name,
                    is_active=False,
                )
        except IntegrityError:  # a concurrent sign-up (or a username taken by hand)
            existing = user_by_email(email) or User.objects.filter(username=email).first()
        else:
            audit_record(actor=user, action="accounts.signup", target=user)
            _mail_allowed(user, "verify")  # starts the interval for resends
            _send_verification(user, base_url)
            return user
    if existing is not None:
        if existing.email_verified_at is None and not existing.is_active:
            if _mail_allowed(existing, "verify"):
                _send_verification(existing, base_url)
        elif _mail_allowed(existing, "registered"):
            _send_already_registered(existing, base_url)
    return None


def verification_resend(*, email: str, base_url: str | None = None) -> None:
    """Send the verification link again to an unverified account; silent otherwise."""
    user = user_by_email(email_normalise(email))
    unverified = user is not None and user.email_verified_at is None and not user.is_active
    if unverified and user is not None and _mail_allowed(user, "verify"):
        _send_verification(user, base_url)


def _user_from_uidb64(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk).first()


@transaction.atomic
def user_verify_email(*, uidb64: str, token: str) -> User:
    """Mark the address verified and activate the account (the link proves the mailbox)."""
    user = _user_from_uidb64(uidb64)
    if user is not None and user.email_verified_at is not None:
        raise ConflictError(
            "already_verified",
            _("このメールアドレスは確認済みです。ログインしてください。"),
        )
    if user is None or not email_verification_token.check_token(user, token):
        raise DomainError(
            "verification_invalid",
            _(
                "確認リンクが正しくないか、有効期限が切れています。"
                "ログイン画面の「確認メールを再送する」から新しいリンクを受け取ってください。"
            ),
        )
    user.email_verified_at = timezone.now()
    user.is_active = True
    user.save(update_fields=["email_verified_at", "is_active"])
    audit_record(actor=user, action="accounts.email_verified", target=user)
    return user


# --- login with lock-out ------------------------------------------------------------------


def _login_failed() -> DomainError:
    return DomainError(
        "login_failed",
        _(
            "メールアドレスまたはパスワードが正しくありません。"
            "続けて%(count)d回間違えると、%(minutes)d分間ログインできなくなります。"
        )
        % {"count": max_failures(), "minutes": lock_minutes()},
    )


def _login_locked() -> DomainError:
    return DomainError(
        "login_locked",
        _(
            "ログインに続けて失敗したため、このアカウントは一時的にロックされています。"
            "%(minutes)d分ほど待ってからもう一度お試しください。"
            "パスワードを忘れた場合は再設定できます。"
        )
        % {"minutes": lock_minutes()},
    )


def _unknown_key(email: str) -> str:
    return "hitonagare:login-unknown:" + hashlib.sha256(email.encode()).hexdigest()


def _unknown_email_failure(email: str) -> DomainError:
    """Failures for addresses without an account count too (in the cache), so the answers
    (including the lock message) are the same whether or not the address is registered."""
    key = _unknown_key(email)
    cache.add(key, 0, timeout=lock_minutes() * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=lock_minutes() * 60)
        count = 1
    if count >= max_failures():
        cache.set(key + ":locked", True, timeout=lock_minutes() * 60)
        cache.delete(key)
        return _login_locked()
    return _login_failed()


def login_attempt(*, email: str, password: str, request: HttpRequest | None = None) -> User:
    """Check the credentials; with `request`, log the user in (new session key).

    After HITONAGARE_LOGIN_MAX_FAILURES consecutive wrong passwords the account is locked for
    HITONAGARE_LOGIN_LOCK_MINUTES; while locked even the right password is refused. The
    failure counter is raised with one atomic UPDATE (F expression), so concurrent failures
    all count; it is reset by a successful login. The messages never tell whether the address
    has an account: unknown addresses get the same failure and lock answers. Only someone who
    knows the password learns that the address is unverified or the account stopped.
    """
    email = (email or "").strip().lower()
    if not email or not password:
        raise DomainError(
            "login_required_fields", _("メールアドレスとパスワードを入力してください。")
        )
    now = timezone.now()
    user = user_by_email(email)
    if user is None:
        User().set_password(password)  # spend the hashing time an existing account would
        if cache.get(_unknown_key(email) + ":locked"):
            raise _login_locked()
        raise _unknown_email_failure(email)

    if user.locked_until is not None and user.locked_until > now:
        raise _login_locked()

    if not user.check_password(password):
        users = User.objects.filter(pk=user.pk)
        users.update(failed_login_count=F("failed_login_count") + 1)
        # Lock in the same statement that sees the threshold, so two concurrent failures
        # cannot both slip past it; the next period starts with a fresh count.
        locked = users.filter(failed_login_count__gte=max_failures()).update(
            locked_until=now + dt.timedelta(minutes=lock_minutes()), failed_login_count=0
        )
        audit_record(actor=None, action="accounts.login_failed", target=user)
        if locked:
            audit_record(
                actor=None,
                action="accounts.locked",
                target=user,
                data={"minutes": lock_minutes()},
            )
            raise _login_locked()
        raise _login_failed()

    if user.email_verified_at is None:
        raise DomainError(
            "email_unverified",
            _(
                "メールアドレスの確認が済んでいません。登録時に届いたメールのリンクを開いてください。"
                "届いていない場合は確認メールを再送できます。"
            ),
        )
    if not user.is_active:
        raise PermissionDeniedError(
            "account_inactive",
            _("このアカウントは利用を停止されています。お問い合わせ窓口へご連絡ください。"),
        )

    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    user.failed_login_count = 0
    user.locked_until = None
    audit_record(actor=user, action="accounts.login", target=user)
    if request is not None:
        auth_login(request, user, backend=LOGIN_BACKEND)
    return user


@transaction.atomic
def password_set(*, user: User, password: str, reason: str) -> User:
    """Set a password (already validated by the form) and lift any lock-out.

    `reason` is "reset" (the e-mailed link) or "change" (the user knew the old one).
    """
    user.set_password(password)
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["password", "failed_login_count", "locked_until"])
    audit_record(actor=user, action=f"accounts.password_{reason}", target=user)
    return user


@transaction.atomic
def user_unlock(*, by_user: Any, user_id: int) -> User:
    """Lift a lock-out (the ministry admin, from the admin site)."""
    _require_ministry(by_user)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFoundError("user_not_found", _("ユーザーが見つかりません。"))
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    user.refresh_from_db(fields=["failed_login_count", "locked_until"])
    audit_record(actor=by_user, action="accounts.unlock", target=user)
    return user


# --- organisations ------------------------------------------------------------------------


def _is_ministry(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or role_of(user) is Role.MINISTRY_ADMIN


def _require_ministry(user: Any) -> None:
    if user is not None and not _is_ministry(user):
        raise PermissionDeniedError(
            "not_ministry_admin", _("この操作は総務省の管理者のみ行えます。")
        )


def _municipality_for(lgcode: str) -> Municipality:
    try:
        code = normalise_lgcode(lgcode)
    except CodeError as error:
        raise DomainError(error.code, str(error), field="lgcode") from None
    municipality = (
        Municipality.objects.select_related("prefecture", "parent").filter(lgcode=code).first()
    )
    if municipality is None:
        raise NotFoundError(
            "municipality_not_found",
            _("団体コード「%(code)s」の市区町村が見つかりません。") % {"code": code},
            field="lgcode",
        )
    if municipality.is_ward and municipality.parent is not None:
        raise DomainError(
            "ward_not_organisation",
            _(
                "指定都市の区（%(ward)s）は組織にできません。"
                "市（%(city)s、団体コード %(code)s）を指定してください。"
            )
            % {
                "ward": municipality.full_name,
                "city": municipality.parent.full_name,
                "code": municipality.parent.lgcode,
            },
            field="lgcode",
        )
    return municipality


def _prefecture_for(code: str) -> Prefecture:
    raw = (code or "").strip()
    prefecture = None
    if raw.isdigit() and len(raw) <= 2:
        prefecture = Prefecture.objects.filter(code=raw.zfill(2)).first()
    elif raw.isdigit() and len(raw) == 6:
        prefecture = Prefecture.objects.filter(lgcode=raw).first()
    elif raw:
        prefecture = Prefecture.objects.filter(name=raw).first()
    if prefecture is None:
        raise NotFoundError(
            "prefecture_not_found",
            _(
                "都道府県「%(code)s」が見つかりません。"
                "都道府県コード（01〜47）、団体コード（6桁）または名称で指定してください。"
            )
            % {"code": raw},
            field="lgcode",
        )
    return prefecture


@transaction.atomic
def organisation_for_municipality(*, lgcode: str, by_user: Any = None) -> Organisation:
    """The municipality's organisation, created on first use (name = 表示名)."""
    _require_ministry(by_user)
    municipality = _municipality_for(lgcode)
    return _public_body_organisation(
        lgcode=municipality.lgcode,
        kind=Organisation.Kind.MUNICIPALITY,
        defaults={
            "name": municipality.full_name,
            "municipality": municipality,
            "prefecture": municipality.prefecture,
        },
        by_user=by_user,
    )


@transaction.atomic
def organisation_for_prefecture(*, code: str, by_user: Any = None) -> Organisation:
    """The prefecture's organisation (code 01–47, 6-digit 団体コード or name), get-or-create."""
    _require_ministry(by_user)
    prefecture = _prefecture_for(code)
    return _public_body_organisation(
        lgcode=prefecture.lgcode,
        kind=Organisation.Kind.PREFECTURE,
        defaults={"name": prefecture.name, "prefecture": prefecture},
        by_user=by_user,
    )


def _public_body_organisation(
    *, lgcode: str, kind: str, defaults: dict[str, Any], by_user: Any
) -> Organisation:
    """Get or create the one organisation of a 団体コード; a code held by another kind is a
    conflict. A creation is audited."""
    organisation, created = Organisation.objects.get_or_create(
        lgcode=lgcode, defaults={"kind": kind, **defaults}
    )
    if organisation.kind != kind:
        raise ConflictError(
            "lgcode_taken",
            _("団体コード「%(code)s」は別の種別の組織で使われています。") % {"code": lgcode},
            field="lgcode",
        )
    if created:
        audit_record(
            actor=by_user,
            action="accounts.organisation_create",
            target=organisation,
            organisation=organisation,
            data={"kind": organisation.kind, "lgcode": organisation.lgcode},
        )
    return organisation


@transaction.atomic
def organisation_for_ministry(*, by_user: Any = None) -> Organisation:
    """The one ministry organisation (総務省), get-or-create."""
    organisation = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).first()
    if organisation is not None:
        return organisation
    organisation = Organisation.objects.create(kind=Organisation.Kind.MINISTRY, name=MINISTRY_NAME)
    audit_record(
        actor=by_user,
        action="accounts.organisation_create",
        target=organisation,
        organisation=organisation,
        data={"kind": organisation.kind},
    )
    return organisation


def organisation_problems(
    *, kind: str, name: str = "", lgcode: str = "", prefecture_id: int | None = None
) -> dict[str, str]:
    """What is wrong with these inputs for a new organisation (field → Japanese message)."""
    problems: dict[str, str] = {}
    if kind not in Organisation.Kind.values:
        return {"kind": _("組織の種別を選んでください。")}
    name = (name or "").strip()
    if kind == Organisation.Kind.MUNICIPALITY:
        try:
            municipality = _municipality_for(lgcode)
        except DomainError as error:
            problems["lgcode"] = error.message
        else:
            if Organisation.objects.filter(lgcode=municipality.lgcode).exists():
                problems["lgcode"] = _("「%(name)s」の組織はすでにあります。") % {
                    "name": municipality.full_name
                }
    elif kind == Organisation.Kind.PREFECTURE:
        try:
            prefecture = _prefecture_for(lgcode)
        except DomainError as error:
            problems["lgcode"] = error.message
        else:
            if Organisation.objects.filter(lgcode=prefecture.lgcode).exists():
                problems["lgcode"] = _("「%(name)s」の組織はすでにあります。") % {
                    "name": prefecture.name
                }
    elif kind == Organisation.Kind.MINISTRY:
        if Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).exists():
            problems["kind"] = _("総務省の組織はすでにあります（1つだけ作れます）。")
    else:
        if lgcode.strip():
            problems["lgcode"] = _("団体コードは市区町村・都道府県の組織にだけ指定します。")
        if not name:
            problems["name"] = _("組織の名称を入力してください。")
        elif len(name) > MAX_ORGANISATION_NAME:
            problems["name"] = _("名称は%(max)d文字以内で入力してください。") % {
                "max": MAX_ORGANISATION_NAME
            }
        elif Organisation.objects.filter(kind=kind, name=name).exists():
            problems["name"] = _("同じ種別・名称の組織がすでにあります。")
        if prefecture_id is not None and not Prefecture.objects.filter(pk=prefecture_id).exists():
            problems["prefecture"] = _("都道府県を選び直してください。")
    return problems


@transaction.atomic
def organisation_create(
    *,
    by_user: Any,
    kind: str,
    name: str = "",
    lgcode: str = "",
    prefecture_id: int | None = None,
) -> Organisation:
    """A new organisation (ministry admin or superuser; `by_user=None` for scripts).

    Municipalities and prefectures are named from the reference data by their code, so
    there is exactly one per 団体. Companies and desks take a name and, optionally, the
    prefecture they are in.
    """
    _require_ministry(by_user)
    problems = organisation_problems(
        kind=kind, name=name, lgcode=lgcode, prefecture_id=prefecture_id
    )
    if problems:
        raise InvalidInputError(problems)
    if kind == Organisation.Kind.MUNICIPALITY:
        return organisation_for_municipality(lgcode=lgcode, by_user=by_user)
    if kind == Organisation.Kind.PREFECTURE:
        return organisation_for_prefecture(code=lgcode, by_user=by_user)
    if kind == Organisation.Kind.MINISTRY:
        return organisation_for_ministry(by_user=by_user)
    organisation = Organisation.objects.create(
        kind=kind, name=name.strip(), prefecture_id=prefecture_id
    )
    audit_record(
        actor=by_user,
        action="accounts.organisation_create",
        target=organisation,
        organisation=organisation,
        data={"kind": kind, "name": organisation.name},
    )
    return organisation


@transaction.atomic
def staff_user_create(
    *,
    email: str,
    password: str,
    organisation: Organisation,
    is_admin: bool = False,
    display_name: str = "",
    by_user: Any = None,
) -> User:
    """A verified, active staff user in `organisation` (the ministry, scripts and demo data)."""
    _require_ministry(by_user)
    email, display_name = _new_user_problems(
        email=email, password=password, display_name=display_name
    )
    if user_by_email(email) is not None or User.objects.filter(username=email).exists():
        raise ConflictError(
            "email_taken",
            _("このメールアドレスのアカウントはすでにあります。"),
            field="email",
        )
    user = User.objects.create_user(
        username=email,
        email=email,
        password=password,
        first_name=display_name,
        email_verified_at=timezone.now(),
    )
    membership = Membership.objects.create(user=user, organisation=organisation, is_admin=is_admin)
    audit_record(
        actor=by_user,
        action="accounts.staff_create",
        target=membership,
        organisation=organisation,
        data={"email": email, "is_admin": is_admin},
    )
    return user


@transaction.atomic
def ministry_admin_create(*, email: str, password: str) -> User:
    """The first ministry admin (the `hitonagare accounts create-ministry-admin` command)."""
    return staff_user_create(
        email=email,
        password=password,
        organisation=organisation_for_ministry(),
        is_admin=True,
    )


# --- invitations --------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its token; the token exists only here and in the mail."""

    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        return reverse("accounts:invitation", kwargs={"token": self.token})


def _invitation_problem(invitation: Invitation, now: dt.datetime) -> DomainError | None:
    if invitation.accepted_at is not None:
        return ConflictError(
            "invitation_used",
            _("この招待はすでに受諾されています。招待リンクは1回だけ使えます。"),
        )
    if invitation.expires_at <= now:
        return DomainError(
            "invitation_expired",
            _(
                "この招待は有効期限（%(expires)s）が切れているか、取り消されました。"
                "招待した組織の管理者に再送を依頼してください。"
            )
            % {"expires": _local(invitation.expires_at)},
        )
    return None


def _invitation_unknown() -> NotFoundError:
    return NotFoundError(
        "invitation_not_found",
        _("この招待リンクは正しくありません。メールのURLを最後までコピーしたか確認してください。"),
    )


def invitation_by_token(*, token: str) -> Invitation:
    """The pending invitation for a link, or a DomainError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise _invitation_unknown()
    if problem := _invitation_problem(invitation, timezone.now()):
        raise problem
    return invitation


@transaction.atomic
def invitation_create(
    *,
    by_user: Any,
    email: str,
    make_admin: bool = False,
    organisation: Organisation | None = None,
    base_url: str | None = None,
) -> IssuedInvitation:
    """Invite a staff member to `by_user`'s organisation by e-mail (its admins only).

    The ministry admin may name another `organisation` (to invite its first admin). The token
    is random (secrets) and stored only as its SHA-256; it expires after
    HITONAGARE_INVITATION_DAYS (7). A newer invitation to the same address for the same
    organisation replaces the pending one.
    """
    own = organisation_of(by_user)
    target = organisation or own
    if target is None or (target != own and not _is_ministry(by_user)):
        raise PermissionDeniedError(
            "not_org_admin", _("職員を招待できるのは、その組織の管理者だけです。")
        )
    if target == own and not (is_org_admin(by_user) or _is_ministry(by_user)):
        raise PermissionDeniedError(
            "not_org_admin", _("職員を招待できるのは、その組織の管理者だけです。")
        )
    email = email_normalise(email)
    existing = user_by_email(email)
    if existing is not None and Membership.objects.filter(user=existing).exists():
        raise ConflictError(
            "already_member",
            _("このメールアドレスの方はすでに組織に所属しています（所属できる組織は1人1つです）。"),
            field="email",
        )
    now = timezone.now()
    superseded = Invitation.objects.filter(
        organisation=target, email__iexact=email, accepted_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=target,
        email=email,
        token_hash=token_hash(token),
        make_admin=make_admin,
        invited_by=by_user,
        expires_at=now + dt.timedelta(days=invitation_days()),
    )
    audit_record(
        actor=by_user,
        action="accounts.invitation_create",
        target=invitation,
        organisation=target,
        data={"email": email, "make_admin": make_admin, "superseded": superseded},
    )
    issued = IssuedInvitation(invitation=invitation, token=token)
    inviter = by_user.first_name or by_user.email
    body = _(
        "%(inviter)s さんから、人の流れ（hitonagare）の「%(organisation)s」の%(as)sとして招待されました。\n\n"
        "次のリンクを開いて招待を受けてください（アカウントがなければその場で作れます）。\n"
        "%(link)s\n\n"
        "有効期限: %(expires)s（リンクは1回だけ使えます）\n"
        "お心当たりのない場合は、このメールを破棄してください。"
    ) % {
        "inviter": inviter,
        "organisation": target.name,
        "as": _("管理者") if make_admin else _("職員"),
        "link": _link(issued.path, base_url),
        "expires": _local(invitation.expires_at),
    }
    notify(
        recipients=[email],
        subject=_("「%(organisation)s」への招待") % {"organisation": target.name},
        body=body,
    )
    return issued


@transaction.atomic
def invitation_revoke(*, by_user: Any, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation of one's own organisation (its link stops working)."""
    own = organisation_of(by_user)
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or (invitation.organisation_id != getattr(own, "pk", None)):
        raise NotFoundError("invitation_not_found", _("招待が見つかりません。"))
    if not is_org_admin(by_user):
        raise PermissionDeniedError(
            "not_org_admin", _("招待を取り消せるのは、その組織の管理者だけです。")
        )
    now = timezone.now()
    if problem := _invitation_problem(invitation, now):
        raise problem
    invitation.expires_at = now
    invitation.save(update_fields=["expires_at"])
    audit_record(
        actor=by_user,
        action="accounts.invitation_revoke",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": invitation.email},
    )
    return invitation


@dataclass(frozen=True)
class InvitationSignup:
    """A new account made from an invitation link: the e-mail is the invitation's."""

    password: str
    display_name: str = ""


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: Any = None,
    signup: InvitationSignup | None = None,
) -> Membership:
    """Join the inviting organisation, as a logged-in `user` or with a new account.

    The logged-in user must own the invited address and belong to no organisation yet. A new
    account gets the invited address, verified (the link proves the mailbox). The invitation
    is marked used in the same transaction with a conditional UPDATE, so a link works once.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise _invitation_unknown()
    now = timezone.now()
    if problem := _invitation_problem(invitation, now):
        raise problem

    if user is not None and getattr(user, "is_authenticated", False):
        if (user.email or "").lower() != invitation.email.lower():
            raise PermissionDeniedError(
                "invitation_other_email",
                _(
                    "この招待は %(email)s 宛てです。そのメールアドレスのアカウントでログインし直してください。"
                )
                % {"email": invitation.email},
            )
        if Membership.objects.filter(user=user).exists():
            raise ConflictError(
                "already_member",
                _(
                    "このアカウントはすでに組織に所属しているため、招待を受けられません（所属できる組織は1人1つです）。"
                ),
            )
        member = user
    elif signup is not None:
        if user_by_email(invitation.email) is not None:
            raise ConflictError(
                "account_exists",
                _("%(email)s のアカウントはすでにあります。ログインしてから招待を受けてください。")
                % {"email": invitation.email},
            )
        email, display_name = _new_user_problems(
            email=invitation.email, password=signup.password, display_name=signup.display_name
        )
        member = User.objects.create_user(
            username=email,
            email=email,
            password=signup.password,
            first_name=display_name,
            email_verified_at=now,
        )
        audit_record(
            actor=member,
            action="accounts.signup",
            target=member,
            data={"via": "invitation"},
        )
    else:
        raise DomainError(
            "login_or_signup",
            _("招待を受けるには、ログインするかアカウントを作成してください。"),
        )

    used = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=now, accepted_by=member
    )
    if not used:
        raise ConflictError(
            "invitation_used",
            _("この招待はすでに受諾されています。招待リンクは1回だけ使えます。"),
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=member, organisation=invitation.organisation, is_admin=invitation.make_admin
            )
    except IntegrityError:
        raise ConflictError(
            "already_member",
            _(
                "このアカウントはすでに組織に所属しているため、招待を受けられません（所属できる組織は1人1つです）。"
            ),
        ) from None
    audit_record(
        actor=member,
        action="accounts.invitation_accept",
        target=membership,
        organisation=invitation.organisation,
        data={"invitation": invitation.pk, "is_admin": invitation.make_admin},
    )
    return membership
