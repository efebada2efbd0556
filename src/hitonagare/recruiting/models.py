from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


def _choices(enum: type, labels: object) -> list[tuple[str, str]]:
    return [(member.value, labels[member]) for member in enum]  # type: ignore[attr-defined,index]


PROGRAM_CHOICES = _choices(rules.OpeningProgram, rules.OPENING_PROGRAM_LABELS)
TERM_UNIT_CHOICES = _choices(rules.TermUnit, rules.TERM_UNIT_LABELS)
APPLICATION_STATUS_CHOICES = _choices(rules.ApplicationStatus, rules.APPLICATION_STATUS_LABELS)


class Opening(models.Model):
    """A 募集: one host organisation, one program, one activity area."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        PUBLISHED = "published", _("公開")
        CLOSED = "closed", _("締切")
        ENDED = "ended", _("終了")

    class EmploymentForm(models.TextChoices):
        APPOINTED = "appointed", _("会計年度任用職員")
        CONTRACT = "contract", _("業務委託")
        EMPLOYED = "employed", _("雇用（その他）")
        DISPATCH = "dispatch", _("企業からの派遣（協定）")
        SIDE_JOB = "side_job", _("副業・兼業")
        NONE = "none", _("雇用関係なし（体験・交流）")

    class Vehicle(models.TextChoices):
        PROVIDED = "provided", _("活動用車両の貸与あり")
        ALLOWANCE = "allowance", _("自家用車の使用（手当あり）")
        NONE = "none", _("なし")
        ASK = "ask", _("要相談")

    host = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("募集団体"),
        on_delete=models.PROTECT,
        related_name="openings",
    )
    program = models.CharField(_("制度"), max_length=16, choices=PROGRAM_CHOICES)
    title = models.CharField(_("タイトル"), max_length=80)
    summary = models.CharField(_("概要"), max_length=200)
    description = models.TextField(_("活動内容"), max_length=6000)
    themes_mask = models.PositiveIntegerField(_("テーマ"), default=0)
    positions = models.PositiveSmallIntegerField(_("募集人数"), default=1)
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("活動地域"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_name = models.CharField(_("大字・地区"), max_length=40, blank=True)
    employment_form = models.CharField(_("雇用形態"), max_length=16, choices=EmploymentForm.choices)
    monthly_pay_yen = models.PositiveIntegerField(_("月額報酬（円）"), null=True, blank=True)
    housing_support = models.BooleanField(_("住居の支援あり"), default=False)
    housing_note = models.CharField(_("住居について"), max_length=200, blank=True)
    vehicle = models.CharField(_("車両"), max_length=16, choices=Vehicle.choices)
    side_work_allowed = models.BooleanField(_("副業可"), default=False)
    term_value = models.PositiveSmallIntegerField(_("期間"))
    term_unit = models.CharField(_("期間の単位"), max_length=8, choices=TERM_UNIT_CHOICES)
    start_date = models.DateField(_("着任予定日"), null=True, blank=True)
    deadline = models.DateField(_("応募締切日"), null=True, blank=True)
    selection_steps = models.TextField(_("選考の流れ"), max_length=2000)
    contact = models.CharField(_("問い合わせ先"), max_length=300)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Denormalised from municipality for facets and filters without joins.
    prefecture_code = models.CharField(_("都道府県コード"), max_length=2, db_index=True)
    region_block = models.PositiveSmallIntegerField(_("地方ブロック"))
    # Normalised text (recruiting/search_text.py): what the search tests substrings against.
    search_title = models.CharField(max_length=200, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("締切日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("募集")
        verbose_name_plural = _("募集")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["host", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def themes(self) -> list[rules.Theme]:
        return rules.mask_to_themes(self.themes_mask)

    @property
    def theme_labels(self) -> list[str]:
        return [rules.THEME_LABELS[theme] for theme in self.themes]

    @property
    def term(self) -> rules.Term:
        return rules.Term(self.term_value, rules.TermUnit(self.term_unit))

    @property
    def program_label(self) -> str:
        return rules.OPENING_PROGRAM_LABELS[rules.OpeningProgram(self.program)]


class ApplicantProfile(models.Model):
    """One profile per applicant, reused (as a snapshot) for every application."""

    class Availability(models.TextChoices):
        NOW = "now", _("すぐに")
        WITHIN_3M = "3m", _("3か月以内")
        WITHIN_6M = "6m", _("半年以内")
        WITHIN_1Y = "1y", _("1年以内")
        UNDECIDED = "undecided", _("未定")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_profile"
    )
    family_name = models.CharField(_("姓"), max_length=40)
    given_name = models.CharField(_("名"), max_length=40)
    family_kana = models.CharField(_("せい（ふりがな）"), max_length=40)
    given_kana = models.CharField(_("めい（ふりがな）"), max_length=40)
    birth_date = models.DateField(_("生年月日"))
    phone = models.CharField(_("電話番号"), max_length=20)
    postal_code = models.CharField(_("郵便番号"), max_length=8)
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("現住所の市区町村"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address_line = models.CharField(_("町名・番地以降"), max_length=200, blank=True)
    skills = models.TextField(_("スキル・経験"), max_length=2000, blank=True)
    licences = models.JSONField(_("資格・免許"), default=list, blank=True)
    interests_mask = models.PositiveIntegerField(_("関心のあるテーマ"), default=0)
    desired_prefectures = models.JSONField(
        _("希望する地域（都道府県コード）"), default=list, blank=True
    )
    availability = models.CharField(
        _("着任可能時期"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.UNDECIDED,
    )
    free_text = models.TextField(_("自己PR"), max_length=4000, blank=True)
    cv_file = models.FileField(_("履歴書（PDF）"), upload_to="cv/%Y/%m/", blank=True)
    cv_original_name = models.CharField(max_length=200, blank=True)
    scout_opt_in = models.BooleanField(_("スカウトを受け取る"), default=False, db_index=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("応募者プロフィール")
        verbose_name_plural = _("応募者プロフィール")

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def interests(self) -> list[rules.Theme]:
        return rules.mask_to_themes(self.interests_mask)


class Application(models.Model):
    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    status = models.CharField(
        _("状態"),
        max_length=16,
        choices=APPLICATION_STATUS_CHOICES,
        default=rules.ApplicationStatus.APPLIED.value,
    )
    motivation = models.TextField(_("志望動機"), max_length=4000)
    profile_snapshot = models.JSONField(_("応募時のプロフィール"))
    # The 地域要件 decision at the time of application (eligibility Decision.to_dict + inputs).
    eligibility = models.JSONField(_("応募時の地域要件判定"), null=True, blank=True)
    created_at = models.DateTimeField(_("応募日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("応募")
        verbose_name_plural = _("応募")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "applicant"], name="one_application_per_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opening} / {self.applicant}"

    @property
    def status_label(self) -> str:
        return rules.APPLICATION_STATUS_LABELS[rules.ApplicationStatus(self.status)]


class ApplicationEvent(models.Model):
    """The history of an application: every state change, who made it and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=APPLICATION_STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=16, choices=APPLICATION_STATUS_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("メモ"), max_length=500, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("応募の履歴")
        verbose_name_plural = _("応募の履歴")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class Scout(models.Model):
    """A scout message from a host organisation to an opted-in applicant, tied to an opening."""

    class Status(models.TextChoices):
        SENT = "sent", _("送信済")
        REPLIED = "replied", _("返信あり")
        DECLINED = "declined", _("辞退")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="scouts"
    )
    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="scouts")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scouts_received"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("スカウト")
        verbose_name_plural = _("スカウト")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "applicant"], name="one_scout_per_opening_and_applicant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.applicant}"


class Message(models.Model):
    """A message in the thread of an application or of a scout."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    scout = models.ForeignKey(
        Scout, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("本文"), max_length=4000)
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("メッセージ")
        verbose_name_plural = _("メッセージ")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(application__isnull=False, scout__isnull=True)
                    | models.Q(application__isnull=True, scout__isnull=False)
                ),
                name="message_belongs_to_one_thread",
            )
        ]

    def __str__(self) -> str:
        return self.body[:40]


class SearchVersion(models.Model):
    """One row whose token changes whenever the set of published openings changes, so each
    process knows when to rebuild its search columns (recruiting/search_store.py)."""

    token = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.token)
