from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class YearClaim(models.Model):
    """A host organisation's own expenses for one fiscal year, not tied to a person:
    協力隊の募集等経費, 起業人の受入準備経費, 二地域居住の事業経費."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        related_name="year_claims",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度（開始年）"))
    recruitment_yen = models.PositiveBigIntegerField(_("募集等経費（円）"), default=0)
    kigyojin_preparation_yen = models.PositiveBigIntegerField(
        _("起業人の受入準備経費（円）"), default=0
    )
    nichiiki_program_yen = models.PositiveBigIntegerField(
        _("二地域居住の事業経費（円）"), default=0
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("団体の年度経費")
        verbose_name_plural = _("団体の年度経費")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year"], name="one_claim_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.fiscal_year}"
