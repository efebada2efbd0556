"""The Django admin, for ministry admins (and superusers) only.

Who may enter: `HitonagareAdminSite.has_permission` lets in active superusers and users whose
role is MINISTRY_ADMIN (a membership of the ministry organisation), and nobody else, whatever
their `is_staff`. Their model permissions come from `backends.MinistryAdminPermissionBackend`.

How it is installed, the least invasive way: the default `admin.site` instance (on which
regions/admin.py and the others register, and which config/urls.py mounts) gets this subclass
as its class when this module is imported by admin autodiscovery. Registrations, URLs and
`admin.site` references everywhere keep working; no INSTALLED_APPS or urls.py change is
needed (the alternative, AdminConfig.default_site, would replace "django.contrib.admin" in
INSTALLED_APPS).

Logging in goes through /accounts/login/ (the lock-out applies there), never the admin's own
form. Organisations and invitations added here are created by the services (audit trail,
mail); memberships, invitations and users are otherwise read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hitonagare.core.errors import DomainError

from . import services
from .models import Invitation, Membership, Organisation, User
from .roles import ROLE_LABELS, Role, role_of


class HitonagareAdminSite(admin.AdminSite):
    site_header = _("人の流れ 管理サイト（総務省）")
    site_title = _("人の流れ 管理")
    index_title = _("管理")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or role_of(user) is Role.MINISTRY_ADMIN))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            return render(
                request,
                "accounts/forbidden.html",
                {"message": gettext("管理サイトは総務省の管理者だけが利用できます。")},
                status=403,
            )
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, reverse("accounts:login"))

    def password_change(  # type: ignore[override]  # a redirect, not the admin's form
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        """Our page (audited, lifts a lock-out) instead of the admin's own form."""
        return HttpResponseRedirect(reverse("accounts:password_change"))


if not isinstance(admin.site, HitonagareAdminSite):
    admin.site.__class__ = HitonagareAdminSite


class NoChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _adopt(obj: Model, created: Model) -> None:
    """Make the admin's unsaved object the row a service created (for its messages/links)."""
    for field in created._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False
    obj._state.db = created._state.db


# --- organisations ------------------------------------------------------------------------


class OrganisationAddForm(forms.ModelForm):  # type: ignore[type-arg]
    lgcode = forms.CharField(
        label=_("団体コード"),
        required=False,
        help_text=_(
            "市区町村は団体コード（5桁・6桁）、都道府県は都道府県コード（01〜47）。名称は参照データから付けます。"
        ),
    )
    name = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=services.MAX_ORGANISATION_NAME,
        help_text=_("企業・相談窓口のときに入力します。"),
    )

    class Meta:
        model = Organisation
        fields = ["kind", "lgcode", "name", "prefecture"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        prefecture = data.get("prefecture")
        problems = services.organisation_problems(
            kind=data.get("kind") or "",
            name=data.get("name") or "",
            lgcode=data.get("lgcode") or "",
            prefecture_id=prefecture.pk if prefecture else None,
        )
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return data

    def _post_clean(self) -> None:
        """The service validates and creates; skip the model's own unique checks here."""


@admin.register(Organisation)
class OrganisationAdmin(NoChangeAdmin):
    list_display = ["name", "kind", "lgcode", "prefecture", "member_count", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "lgcode"]
    list_select_related = ["prefecture"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        queryset: QuerySet[Organisation] = super().get_queryset(request)
        return queryset.annotate(member_total=Count("memberships"))

    @admin.display(description=_("職員数"), ordering="member_total")
    def member_count(self, obj: Any) -> int:
        return int(getattr(obj, "member_total", 0))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = OrganisationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["kind", "lgcode", "name", "prefecture"]
        return ["kind", "name", "lgcode", "municipality", "prefecture", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = services.organisation_create(
            by_user=request.user,
            kind=data["kind"],
            name=data.get("name") or "",
            lgcode=data.get("lgcode") or "",
            prefecture_id=data["prefecture"].pk if data.get("prefecture") else None,
        )
        _adopt(obj, created)


# --- memberships --------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(NoChangeAdmin):
    list_display = ["user", "organisation", "is_admin", "created_at"]
    list_filter = ["is_admin", "organisation__kind"]
    search_fields = ["user__email", "organisation__name", "organisation__lgcode"]
    list_select_related = ["user", "organisation"]
    fields = ["user", "organisation", "is_admin", "created_at"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # staff join by invitation


# --- invitations --------------------------------------------------------------------------


class InvitationAddForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Invitation
        fields = ["organisation", "email", "make_admin"]

    def clean_email(self) -> str:
        try:
            email = services.email_normalise(self.cleaned_data.get("email") or "")
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        existing = services.user_by_email(email)
        if existing is not None and Membership.objects.filter(user=existing).exists():
            raise forms.ValidationError(
                gettext(
                    "このメールアドレスの方はすでに組織に所属しています（所属できる組織は1人1つです）。"
                )
            )
        return email

    def _post_clean(self) -> None:
        """The service validates and creates (token, expiry, mail)."""


@admin.register(Invitation)
class InvitationAdmin(NoChangeAdmin):
    list_display = [
        "email",
        "organisation",
        "make_admin",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "state",
    ]
    list_filter = ["make_admin", "organisation__kind"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("状態"))
    def state(self, obj: Invitation) -> str:
        if obj.accepted_at is not None:
            return gettext("受諾済み")
        if obj.expires_at <= timezone.now():
            return gettext("期限切れ・取消")
        return gettext("有効")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["organisation", "email", "make_admin"]
        return [
            "organisation",
            "email",
            "make_admin",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "accepted_by",
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        issued = services.invitation_create(
            by_user=request.user,
            email=data["email"],
            make_admin=data["make_admin"],
            organisation=data["organisation"],
            base_url=request.build_absolute_uri("/"),
        )
        _adopt(obj, issued.invitation)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as error:
            # Checked by the service inside the save; nothing was written (one transaction).
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- users --------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(NoChangeAdmin):
    """Users are listed and searched; passwords (hashes) are never shown."""

    list_display = [
        "email",
        "first_name",
        "role_label",
        "is_active",
        "email_verified_at",
        "locked_until",
        "last_login",
        "date_joined",
    ]
    list_filter = ["is_active", "is_superuser", "membership__organisation__kind"]
    search_fields = ["email", "username", "first_name", "membership__organisation__name"]
    list_select_related = ["membership__organisation"]
    ordering = ["-date_joined"]
    fields = [
        "email",
        "username",
        "first_name",
        "is_active",
        "is_superuser",
        "email_verified_at",
        "failed_login_count",
        "locked_until",
        "last_login",
        "date_joined",
    ]
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sign-up, invitations or `hitonagare accounts create-ministry-admin`

    @admin.display(description=_("役割"))
    def role_label(self, obj: User) -> str:
        return str(ROLE_LABELS[role_of(obj)])

    @admin.action(description=_("選んだユーザーのログインのロックを解除する"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            services.user_unlock(by_user=request.user, user_id=user.pk)
            count += 1
        self.message_user(
            request, gettext("%(count)d人のロックを解除しました。") % {"count": count}
        )
