from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The project's own user model from the first migration, so roles can grow into it."""

    email = models.EmailField(_("メールアドレス"), unique=True, null=True, blank=True)  # type: ignore[assignment]
    email_verified_at = models.DateTimeField(_("メール確認日時"), null=True, blank=True)
    # Lock-out after repeated failures (accounts/services.py: login_attempt).
    failed_login_count = models.PositiveSmallIntegerField(_("連続失敗回数"), default=0)
    locked_until = models.DateTimeField(_("ロック解除日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")


class Organisation(models.Model):
    """Who a staff member works for. Municipalities and prefectures host openings."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("市区町村")
        PREFECTURE = "prefecture", _("都道府県")
        COMPANY = "company", _("企業")
        DESK = "desk", _("相談窓口")
        MINISTRY = "ministry", _("総務省")

    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # 全国地方公共団体コード for municipalities and prefectures; unique so there is one each.
    lgcode = models.CharField(_("団体コード"), max_length=6, unique=True, null=True, blank=True)
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        verbose_name=_("都道府県"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("市区町村・都道府県はその都道府県。企業・窓口は所在地。"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")
        ordering = ["kind", "lgcode", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def hosts_openings(self) -> bool:
        return self.kind in (self.Kind.MUNICIPALITY, self.Kind.PREFECTURE)


class Membership(models.Model):
    """A staff user's one organisation. Users without a membership are applicants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    is_admin = models.BooleanField(
        _("組織の管理者"), default=False, help_text=_("職員を招待できます。")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.organisation.name}"


class Invitation(models.Model):
    """An organisation admin invites a staff member by e-mail; the token is stored hashed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("メールアドレス"))
    token_hash = models.CharField(max_length=64, unique=True)
    make_admin = models.BooleanField(_("管理者として招待"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("招待日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"))
    accepted_at = models.DateTimeField(_("受諾日時"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("招待")
        verbose_name_plural = _("招待")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation.name}"
