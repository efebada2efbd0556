from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hitonagare.recruiting.models import PROGRAM_CHOICES

from . import rules


def _choices(enum: type, labels: object) -> list[tuple[str, str]]:
    return [(member.value, labels[member]) for member in enum]  # type: ignore[attr-defined,index]


KIND_CHOICES = _choices(rules.AppointmentKind, rules.APPOINTMENT_KIND_LABELS)
END_REASON_CHOICES = _choices(rules.EndReason, rules.END_REASON_LABELS)
REPORT_STATUS_CHOICES = _choices(rules.ReportStatus, rules.REPORT_STATUS_LABELS)
EXPENSE_CATEGORY_CHOICES = _choices(rules.ExpenseCategory, rules.EXPENSE_CATEGORY_LABELS)
OUTCOME_KIND_CHOICES = _choices(rules.OutcomeKind, rules.OUTCOME_KIND_LABELS)
RESIDENCE_CHOICES = _choices(rules.Residence, rules.RESIDENCE_LABELS)
ACTIVITY_CHOICES = _choices(rules.Activity, rules.ACTIVITY_LABELS)


class Appointment(models.Model):
    """A 委嘱 / 任用 / 協定: one person, one host municipality, one program, one term."""

    host = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("受入団体"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("活動する市町村"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    activity_area = models.CharField(_("活動地域（大字など）"), max_length=100, blank=True)
    # The person: an account when they have one (from an application, or linked later);
    # imported rosters often start with a name only.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("隊員のアカウント"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    member_name = models.CharField(_("氏名"), max_length=80)
    member_kana = models.CharField(_("ふりがな"), max_length=80, blank=True)
    member_email = models.EmailField(_("メールアドレス"), blank=True)
    application = models.OneToOneField(
        "recruiting.Application",
        verbose_name=_("元の応募"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )
    program = models.CharField(_("制度"), max_length=16, choices=PROGRAM_CHOICES)
    # 起業人 企業派遣型/副業型, 協力隊 報償費区分 …: funding.rules decides what is valid.
    funding_variant = models.CharField(_("区分"), max_length=32, blank=True)
    kind = models.CharField(_("形態"), max_length=16, choices=KIND_CHOICES)
    start_date = models.DateField(_("任期開始日"))
    planned_end_date = models.DateField(_("任期終了予定日"))
    ended_on = models.DateField(_("終了日"), null=True, blank=True)
    end_reason = models.CharField(
        _("終了の理由"), max_length=16, choices=END_REASON_CHOICES, blank=True
    )
    end_note = models.TextField(_("終了の詳細"), max_length=2000, blank=True)
    origin_municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("転出元の市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_area = models.CharField(_("転出元の地域（大字など）"), max_length=100, blank=True)
    origin_overseas = models.BooleanField(_("海外から転入"), default=False)
    residence_moved_on = models.DateField(_("住民票を移した日"), null=True, blank=True)
    monthly_reward_yen = models.PositiveIntegerField(_("月額報償費（円）"), null=True, blank=True)
    # The 地域要件 decision with the appointment's facts, and the 基準日 it was made on.
    eligibility = models.JSONField(_("地域要件の判定"), null=True, blank=True)
    eligibility_eligible = models.BooleanField(_("地域要件を満たす"), null=True, blank=True)
    eligibility_basis_date = models.DateField(_("判定の基準日"), null=True, blank=True)
    note = models.TextField(_("備考"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("委嘱・任用")
        verbose_name_plural = _("委嘱・任用")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["host", "ended_on"], name="appointment_host_ended"),
            models.Index(fields=["program", "ended_on"], name="appointment_program_ended"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gte=F("start_date")),
                name="appointment_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start_date")),
                name="appointment_ended_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name}（{self.get_program_display()}）"

    @property
    def end_date(self):  # type: ignore[no-untyped-def]
        """The day the term ends: the actual end when known, else the planned one."""
        return self.ended_on or self.planned_end_date


class AppointmentRenewal(models.Model):
    """A 任期更新: the planned end moves; the history stays."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="renewals")
    previous_end_date = models.DateField(_("更新前の終了予定日"))
    new_end_date = models.DateField(_("更新後の終了予定日"))
    note = models.CharField(_("備考"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("任期の更新")
        verbose_name_plural = _("任期の更新")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.previous_end_date} → {self.new_end_date}"


class MonthlyReport(models.Model):
    """One activity report per member per month; staff approve it or return it."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("報告月"))  # always the first day of the month
    status = models.CharField(
        _("状態"),
        max_length=16,
        choices=REPORT_STATUS_CHOICES,
        default=rules.ReportStatus.SUBMITTED.value,
    )
    days_worked = models.PositiveSmallIntegerField(_("活動日数"))
    hours_worked = models.DecimalField(_("活動時間"), max_digits=5, decimal_places=1)
    activities = models.TextField(_("活動内容"), max_length=4000)
    results = models.TextField(_("成果・課題"), max_length=4000, blank=True)
    submitted_at = models.DateTimeField(_("提出日時"))
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField(_("確認者のコメント"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("月次活動報告")
        verbose_name_plural = _("月次活動報告")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "month"], name="one_report_per_month"),
        ]
        indexes = [models.Index(fields=["status", "month"], name="report_status_month")]

    def __str__(self) -> str:
        return f"{self.appointment.member_name} {self.month:%Y-%m}"


class ReportExpense(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="expenses")
    category = models.CharField(_("費目"), max_length=16, choices=EXPENSE_CATEGORY_CHOICES)
    amount_yen = models.PositiveIntegerField(_("金額（円）"))
    description = models.CharField(_("内容"), max_length=200)
    receipt = models.FileField(_("領収書"), upload_to="receipts/%Y/%m/", blank=True)
    receipt_name = models.CharField(max_length=200, blank=True)
    receipt_type = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("経費")
        verbose_name_plural = _("経費")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount_yen}円"


class ReportReminder(models.Model):
    """A reminder sent for a missing report: at most one per member, month and day."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    month = models.DateField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "month", "sent_on"], name="one_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.sent_on})"


class Outcome(models.Model):
    """The exit survey at the end of the term, and the follow-up a year later."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("調査"), max_length=16, choices=OUTCOME_KIND_CHOICES)
    surveyed_on = models.DateField(_("調査日"))
    residence = models.CharField(_("居住地"), max_length=16, choices=RESIDENCE_CHOICES)
    residence_municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("居住地の市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.CharField(_("現在の仕事"), max_length=16, choices=ACTIVITY_CHOICES)
    note = models.TextField(_("備考"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("定住状況")
        verbose_name_plural = _("定住状況")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind"], name="one_outcome_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_residence_display()}"
