from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The project's own user model from the first migration, so roles can grow into it."""

    email = models.EmailField(_("メールアドレス"), unique=True, null=True, blank=True)  # type: ignore[assignment]

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")
