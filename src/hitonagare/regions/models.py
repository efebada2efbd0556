"""Municipalities and their 地域要件 designations, versioned by 基準日."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Prefecture(models.Model):
    code = models.CharField(_("都道府県コード"), max_length=2, unique=True)
    lgcode = models.CharField(_("団体コード"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=8, unique=True)
    kana = models.CharField(_("よみ"), max_length=16)
    in_three_metro_areas = models.BooleanField(_("3大都市圏（11都府県）"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("市")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")
        SPECIAL_WARD = "special_ward", _("特別区")
        DESIGNATED_CITY = "designated_city", _("指定都市")
        WARD = "ward", _("指定都市の区")

    lgcode = models.CharField(_("団体コード"), max_length=6, unique=True)
    code5 = models.CharField(_("団体コード（5桁）"), max_length=5, unique=True)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField(_("名称"), max_length=32)
    kana = models.CharField(_("よみ"), max_length=64, blank=True)
    # 札幌市中央区 for a ward, the plain name otherwise: what people type and read.
    full_name = models.CharField(_("表示名"), max_length=48)
    full_kana = models.CharField(_("表示名のよみ"), max_length=96, blank=True)
    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        verbose_name=_("指定都市"),
    )
    lat = models.FloatField(_("緯度"), null=True, blank=True)
    lng = models.FloatField(_("経度"), null=True, blank=True)
    url = models.URLField(_("公式サイト"), blank=True)

    class Meta:
        ordering = ["lgcode"]
        verbose_name = _("市区町村")
        verbose_name_plural = _("市区町村")
        indexes = [models.Index(fields=["full_name"]), models.Index(fields=["full_kana"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_ward(self) -> bool:
        return self.kind == self.Kind.WARD


class ClassificationEdition(models.Model):
    """One edition of the 地域要件確認表 (and the 過疎 list of the same 基準日)."""

    basis_date = models.DateField(_("基準日"), unique=True)
    title = models.CharField(_("資料名"), max_length=200)
    document_url = models.URLField(_("資料URL"), blank=True)
    kaso_title = models.CharField(_("過疎地域一覧の資料名"), max_length=200, blank=True)
    kaso_document_url = models.URLField(_("過疎地域一覧URL"), blank=True)
    matrix = models.JSONField(_("転出地×転入地マトリクス"))
    loaded_at = models.DateTimeField(_("読込日時"), auto_now=True)

    class Meta:
        ordering = ["-basis_date"]
        verbose_name = _("地域要件確認表の版")
        verbose_name_plural = _("地域要件確認表の版")

    def __str__(self) -> str:
        return f"{self.title}"


class Designation(models.Model):
    """A municipality's 地域要件 classification in one edition."""

    class AreaType(models.TextChoices):
        URBAN = "都市地域", _("都市地域")
        FULL = "全部条件不利地域", _("全部条件不利地域")
        PARTIAL = "一部条件不利地域", _("一部条件不利地域")

    class KasoStatus(models.TextChoices):
        NONE = "", _("過疎地域ではない")
        FULL = "full", _("全部過疎")
        PARTIAL = "partial", _("一部過疎")
        DEEMED = "deemed", _("みなし過疎")

    edition = models.ForeignKey(
        ClassificationEdition, on_delete=models.CASCADE, related_name="designations"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="designations"
    )
    category_id = models.PositiveSmallIntegerField(_("区分（10区分）"))
    area_type = models.CharField(_("区分"), max_length=16, choices=AreaType.choices)
    in_metro = models.BooleanField(_("3大都市圏内（マトリクス上）"))
    prefecture_in_metro = models.BooleanField(_("3大都市圏の都府県"))
    pop_decline_exception = models.BooleanField(_("人口減少率例外"), default=False)
    designated_city = models.BooleanField(_("指定都市"), default=False)
    designated_city_contains_disadvantaged = models.BooleanField(
        _("条件不利地域を含む指定都市"), null=True, blank=True
    )
    kaso_status = models.CharField(
        _("過疎"), max_length=8, choices=KasoStatus.choices, blank=True, default=""
    )
    kaso_graduate_transitional = models.BooleanField(_("卒業団体の経過措置"), default=False)
    kaso_partial_areas = models.JSONField(_("過疎の旧市町村（一部過疎）"), default=list, blank=True)
    kaso_partial_areas_truncated = models.BooleanField(
        _("旧市町村の一覧が途中で切れている"), default=False
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        ordering = ["edition", "municipality"]
        verbose_name = _("地域要件区分")
        verbose_name_plural = _("地域要件区分")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "municipality"], name="designation_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=models.Q(category_id__gte=1, category_id__lte=10),
                name="designation_category_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} ({self.edition.basis_date}): {self.category_id}"
