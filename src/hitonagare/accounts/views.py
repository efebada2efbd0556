"""Account pages (/accounts/): sign-up and verification, login/logout, passwords, the staff
member's organisation with its invitations, and the invitation link.

Thin: parse the form, call a service, render. DomainError goes under its field; a
PermissionDeniedError answers a 403 page with its Japanese message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hitonagare.core.errors import DomainError, NotFoundError, PermissionDeniedError

from . import forms, selectors, services
from .models import Organisation
from .roles import is_org_admin

T = "accounts/"
SIGNUP_EMAIL_KEY = "accounts_signup_email"


def _base_url(request: HttpRequest) -> str:
    """Scheme and host for links in mails (HITONAGARE_SITE_URL wins inside the services)."""
    return request.build_absolute_uri("/")


def _safe_next(request: HttpRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, T + "forbidden.html", {"message": message}, status=403)


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


# --- sign-up and verification -------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.user_signup(
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                base_url=_base_url(request),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            request.session[SIGNUP_EMAIL_KEY] = services.email_normalise(data["email"])
            return redirect("accounts:signup_done")
    return render(request, T + "signup.html", {"form": form}, status=_status(form))


@never_cache
@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, T + "signup_done.html", {"email": request.session.get(SIGNUP_EMAIL_KEY)})


@never_cache
@require_http_methods(["GET", "POST"])
def verification_resend(request: HttpRequest) -> HttpResponse:
    initial = {"email": request.GET.get("email") or request.session.get(SIGNUP_EMAIL_KEY, "")}
    form = forms.ResendForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.verification_resend(
                email=form.cleaned_data["email"], base_url=_base_url(request)
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            request.session[SIGNUP_EMAIL_KEY] = services.email_normalise(form.cleaned_data["email"])
            messages.info(
                request,
                _(
                    "確認が済んでいないアカウントがあれば、確認メールを再送しました。"
                    "数分待っても届かない場合は、迷惑メールのフォルダもご確認ください。"
                ),
            )
            return redirect("accounts:signup_done")
    return render(request, T + "verification_resend.html", {"form": form}, status=_status(form))


@never_cache
@require_GET
def verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        services.user_verify_email(uidb64=uidb64, token=token)
    except DomainError as error:
        if error.code == "already_verified":
            messages.info(request, error.message)
            return redirect("accounts:login")
        return render(request, T + "verify_failed.html", {"message": error.message}, status=400)
    request.session.pop(SIGNUP_EMAIL_KEY, None)
    messages.success(
        request, _("メールアドレスを確認しました。登録したパスワードでログインしてください。")
    )
    return redirect("accounts:login")


# --- login and logout ---------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = forms.LoginForm(request.POST if request.method == "POST" else None)
    error_code = ""
    if form.is_valid():
        try:
            services.login_attempt(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except DomainError as error:
            error_code = error.code
            form.add_error(None, error.message)
        else:
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        T + "login.html",
        {"form": form, "next": next_url or "", "error_code": error_code},
        status=_status(form),
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("ログアウトしました。"))
    return redirect("accounts:login")


# --- passwords (Django's views, our templates and forms) ----------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = T + "password_reset_form.html"
    email_template_name = T + "mail/password_reset_email.txt"
    subject_template_name = T + "mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {
            "site_url": getattr(settings, "HITONAGARE_SITE_URL", "").rstrip("/"),
            "hours": services.hours_of(settings.PASSWORD_RESET_TIMEOUT),
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = T + "password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = T + "password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = T + "password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = T + "password_change_form.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = T + "password_change_done.html"


# --- the organisation page and invitations ------------------------------------------------


def _organisation_page(
    request: HttpRequest,
    organisation: Organisation,
    form: forms.InvitationForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    admin = is_org_admin(request.user)
    context = {
        "organisation": organisation,
        "members": selectors.organisation_members(organisation=organisation),
        "is_admin": admin,
        "invitations": selectors.pending_invitations(organisation=organisation) if admin else (),
        "form": form or forms.InvitationForm(),
        "invitation_days": services.invitation_days(),
    }
    return render(request, T + "organisation.html", context, status=status)


@never_cache
@login_required
@require_GET
def organisation(request: HttpRequest) -> HttpResponse:
    try:
        own = selectors.own_organisation(user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, error.message)
    return _organisation_page(request, own)


@never_cache
@login_required
@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    try:
        own = selectors.own_organisation(user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, error.message)
    if not is_org_admin(request.user):
        return _forbidden(request, _("職員を招待できるのは、その組織の管理者だけです。"))
    form = forms.InvitationForm(request.POST)
    if form.is_valid():
        try:
            issued = services.invitation_create(
                by_user=request.user,
                email=form.cleaned_data["email"],
                make_admin=form.cleaned_data["make_admin"],
                base_url=_base_url(request),
            )
        except PermissionDeniedError as error:
            return _forbidden(request, error.message)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("%(email)s に招待メールを送りました。") % {"email": issued.invitation.email},
            )
            return redirect("accounts:organisation")
    return _organisation_page(request, own, form, status=400)


@never_cache
@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        invitation = services.invitation_revoke(by_user=request.user, invitation_id=invitation_id)
    except PermissionDeniedError as error:
        return _forbidden(request, error.message)
    except NotFoundError as error:
        # Another organisation's invitation: 404, like every object out of scope (ADR 0009).
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(email)s への招待を取り消しました。") % {"email": invitation.email}
        )
    return redirect("accounts:organisation")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation mail: accept (logged in) or create the account and accept."""
    try:
        pending = services.invitation_by_token(token=token)
    except DomainError as error:
        return render(
            request, T + "invitation_invalid.html", {"message": error.message}, status=error.status
        )
    context: dict[str, Any] = {"invitation": pending, "error": ""}
    form: forms.InvitationSignupForm | None = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except DomainError as error:
                context["error"] = error.message
                return render(request, T + "invitation.html", context, status=error.status)
            return _joined(request, membership.organisation)
    elif services.user_by_email(pending.email) is not None:
        context["invitation_login_url"] = (
            f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
        )
    else:
        form = forms.InvitationSignupForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                membership = services.invitation_accept(
                    token=token,
                    signup=services.InvitationSignup(
                        password=form.cleaned_data["password1"],
                        display_name=form.cleaned_data["display_name"],
                    ),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                auth_login(request, membership.user, backend=services.LOGIN_BACKEND)
                return _joined(request, membership.organisation)
    context["form"] = form
    status = _status(form) if form is not None else 200
    return render(request, T + "invitation.html", context, status=status)


def _joined(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    messages.success(
        request, _("「%(name)s」の職員として登録しました。") % {"name": organisation.name}
    )
    return redirect("accounts:organisation")
