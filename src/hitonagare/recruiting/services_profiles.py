"""Writes for the applicant profile: save, CV upload, export and deletion of one's own data."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from hitonagare.accounts.roles import require_applicant
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import DomainError, InvalidInputError
from hitonagare.regions import selectors as regions

from . import rules
from .models import ApplicantProfile, Application, Message, Scout
from .uploads import head_and_tail, pdf_problem

# The licences applicants are asked about most often; free text goes to `skills`.
LICENCES: dict[str, str] = {
    "car": "普通自動車免許",
    "car_at": "普通自動車免許（AT限定）",
    "medium_large": "中型・大型自動車免許",
    "motorcycle": "二輪免許",
    "teacher": "教員免許",
    "childcare": "保育士",
    "nurse": "看護師・准看護師",
    "care": "介護福祉士・介護職員初任者研修",
    "cook": "調理師",
    "hunting": "狩猟免許",
    "forestry": "林業関係の資格（チェーンソー等）",
    "it": "情報処理技術者試験",
    "architect": "建築士",
    "guide": "通訳案内士・旅行業務取扱管理者",
}

_KANA = re.compile(r"^[\u3041-\u3096\u30fc\s　]+$")
_PHONE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")


@dataclass(frozen=True)
class ProfileData:
    family_name: str
    given_name: str
    family_kana: str
    given_kana: str
    birth_date: dt.date | None
    phone: str
    postal_code: str
    address_line: str = ""
    skills: str = ""
    licences: tuple[str, ...] = ()
    interests: tuple[rules.Theme, ...] = ()
    desired_prefectures: tuple[str, ...] = ()
    availability: str = ApplicantProfile.Availability.UNDECIDED
    free_text: str = ""
    scout_opt_in: bool = False


_LIMITS = {
    "family_name": (40, "姓"),
    "given_name": (40, "名"),
    "family_kana": (40, "せい"),
    "given_kana": (40, "めい"),
    "address_line": (200, "町名・番地以降"),
    "skills": (2000, "スキル・経験"),
    "free_text": (4000, "自己PR"),
}


# Dashes Japanese input methods type for the hyphen in a phone number (after NFKC, which turns
# the full-width hyphen-minus into "-" but leaves these): 長音符, minus sign (macOS 全角英数),
# hyphen, non-breaking hyphen, en/em dash, horizontal bar.
_PHONE_DASHES = str.maketrans(dict.fromkeys("ー−‐‑–—―", "-"))


def _clean_phone(value: str) -> str:
    return unicodedata.normalize("NFKC", value).translate(_PHONE_DASHES).strip()


def profile_problems(
    data: ProfileData, *, today: dt.date | None = None
) -> tuple[dict[str, str], Any]:
    """Field → Japanese message, and the resolved current address (regions.ResolvedPlace)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    for name in ("family_name", "given_name", "family_kana", "given_kana"):
        if not getattr(data, name).strip():
            errors[name] = f"{_LIMITS[name][1]}を入力してください。"
    for name, (limit, label) in _LIMITS.items():
        if len(getattr(data, name)) > limit:
            errors[name] = f"{label}は{limit}文字以内で入力してください。"
    for name in ("family_kana", "given_kana"):
        value = getattr(data, name).strip()
        if value and name not in errors and not _KANA.match(value):
            errors[name] = "ふりがなはひらがなで入力してください。"
    if data.birth_date is None:
        errors["birth_date"] = "生年月日を入力してください。"
    else:
        age = (
            today.year
            - data.birth_date.year
            - ((today.month, today.day) < (data.birth_date.month, data.birth_date.day))
        )
        if not 15 <= age <= 100:
            errors["birth_date"] = "生年月日を確認してください（15歳以上100歳以下）。"
    if not _PHONE.match(_clean_phone(data.phone)):
        errors["phone"] = "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。"
    resolved = None
    if not data.postal_code.strip():
        errors["postal_code"] = "郵便番号を入力してください。"
    else:
        try:
            resolved = regions.postal_code_lookup(postal_code=data.postal_code)
        except DomainError as error:
            errors["postal_code"] = error.message
    unknown = [code for code in data.licences if code not in LICENCES]
    if unknown:
        errors["licences"] = "資格・免許の選択肢にない値があります。"
    bad_prefectures = [
        code
        for code in data.desired_prefectures
        if not (len(code) == 2 and code.isdigit() and 1 <= int(code) <= 47)
    ]
    if bad_prefectures:
        errors["desired_prefectures"] = "希望する地域は都道府県から選んでください。"
    if len(data.desired_prefectures) > 47:
        errors["desired_prefectures"] = "希望する地域が多すぎます。"
    if data.availability not in ApplicantProfile.Availability.values:
        errors["availability"] = "着任可能時期を選んでください。"
    return errors, resolved


@transaction.atomic
def profile_save(*, user: Any, data: ProfileData) -> ApplicantProfile:
    require_applicant(user)
    errors, resolved = profile_problems(data)
    if errors:
        raise InvalidInputError(errors)
    assert data.birth_date is not None  # profile_problems reports a missing one
    profile = ApplicantProfile.objects.select_for_update().filter(user=user).first()
    created = profile is None
    profile = profile or ApplicantProfile(user=user)
    profile.family_name = data.family_name.strip()
    profile.given_name = data.given_name.strip()
    profile.family_kana = data.family_kana.strip()
    profile.given_kana = data.given_kana.strip()
    profile.birth_date = data.birth_date
    profile.phone = _clean_phone(data.phone)
    profile.postal_code = resolved.postal_code or data.postal_code
    # The ward if there is one: it is where the person lives; eligibility uses its city.
    profile.municipality = resolved.ward or resolved.municipality
    profile.address_line = data.address_line.strip()
    profile.skills = data.skills.strip()
    profile.licences = list(dict.fromkeys(data.licences))
    profile.interests_mask = rules.themes_to_mask(list(data.interests))
    profile.desired_prefectures = sorted(set(data.desired_prefectures))
    profile.availability = data.availability
    profile.free_text = data.free_text.strip()
    profile.scout_opt_in = data.scout_opt_in
    profile.save()
    audit_record(
        actor=user, action="profile.create" if created else "profile.update", target=profile
    )
    return profile


def _profile_of(user: Any) -> ApplicantProfile:
    profile = ApplicantProfile.objects.filter(user=user).first()
    if profile is None:
        raise DomainError("profile_required", "先にプロフィールを登録してください。")
    return profile


@transaction.atomic
def profile_cv_attach(*, user: Any, upload: UploadedFile) -> ApplicantProfile:
    require_applicant(user)
    profile = _profile_of(user)
    head, tail, size = head_and_tail(upload)
    problem = pdf_problem(head, tail, size)
    if problem:
        raise InvalidInputError({"cv_file": problem})
    old = profile.cv_file.name if profile.cv_file else ""
    original = (upload.name or "cv.pdf")[-200:]
    profile.cv_file.save(f"cv-{profile.pk}.pdf", upload, save=False)
    profile.cv_original_name = original
    profile.save(update_fields=["cv_file", "cv_original_name", "updated_at"])
    if old and old != profile.cv_file.name:
        storage = profile.cv_file.storage
        transaction.on_commit(lambda: storage.delete(old))
    audit_record(actor=user, action="profile.cv_attach", target=profile, data={"bytes": size})
    return profile


@transaction.atomic
def profile_cv_remove(*, user: Any) -> None:
    require_applicant(user)
    profile = _profile_of(user)
    if profile.cv_file:
        name, storage = profile.cv_file.name, profile.cv_file.storage
        profile.cv_file = ""
        profile.cv_original_name = ""
        profile.save(update_fields=["cv_file", "cv_original_name", "updated_at"])
        transaction.on_commit(lambda: storage.delete(name))
        audit_record(actor=user, action="profile.cv_remove", target=profile)


def profile_as_dict(profile: ApplicantProfile) -> dict[str, Any]:
    """The profile as JSON-ready data (export, and the snapshot stored with an application)."""
    return {
        "family_name": profile.family_name,
        "given_name": profile.given_name,
        "family_kana": profile.family_kana,
        "given_kana": profile.given_kana,
        "birth_date": profile.birth_date.isoformat(),
        "phone": profile.phone,
        "postal_code": profile.postal_code,
        "municipality": {
            "lgcode": profile.municipality.lgcode,
            "name": profile.municipality.full_name,
        },
        "address_line": profile.address_line,
        "skills": profile.skills,
        "licences": [LICENCES.get(code, code) for code in profile.licences],
        "interests": [rules.THEME_LABELS[theme] for theme in profile.interests],
        "desired_prefectures": profile.desired_prefectures,
        "availability": profile.get_availability_display(),
        "free_text": profile.free_text,
        "cv_file": profile.cv_original_name or None,
        "scout_opt_in": profile.scout_opt_in,
    }


def applicant_data_export(*, user: Any) -> dict[str, Any]:
    """Everything the platform holds about the applicant, as JSON-ready data."""
    require_applicant(user)
    profile = ApplicantProfile.objects.filter(user=user).select_related("municipality").first()
    applications = Application.objects.filter(applicant=user).select_related(
        "opening", "opening__municipality"
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": None if profile is None else profile_as_dict(profile),
        "applications": [
            {
                "opening": {
                    "id": a.opening_id,
                    "title": a.opening.title,
                    "municipality": a.opening.municipality.full_name,
                },
                "status": a.status_label,
                "created_at": a.created_at.isoformat(),
                "motivation": a.motivation,
                "eligibility": a.eligibility,
                "history": [
                    {
                        "from": e.from_status,
                        "to": e.to_status,
                        "at": e.at.isoformat(),
                        "note": e.note,
                    }
                    for e in a.events.all()
                ],
                "messages": [
                    {"from_staff": m.from_staff, "body": m.body, "at": m.created_at.isoformat()}
                    for m in a.messages.all()
                ],
            }
            for a in applications
        ],
        "scouts": [
            {
                "organisation": s.organisation.name,
                "opening": s.opening.title,
                "status": s.get_status_display(),
                "created_at": s.created_at.isoformat(),
                "messages": [
                    {"from_staff": m.from_staff, "body": m.body, "at": m.created_at.isoformat()}
                    for m in s.messages.all()
                ],
            }
            for s in Scout.objects.filter(applicant=user).select_related("organisation", "opening")
        ],
    }


@transaction.atomic
def applicant_data_delete(*, user: Any, confirm_email: str) -> None:
    """Delete the applicant's account and everything tied to it (profile, CV, applications,
    messages, scouts). The audit trail keeps only that a deletion happened."""
    require_applicant(user)
    if (confirm_email or "").strip().lower() != (user.email or "").lower():
        raise InvalidInputError(
            {"confirm_email": "確認のため、登録したメールアドレスを入力してください。"}
        )
    profile = ApplicantProfile.objects.filter(user=user).first()
    if profile is not None and profile.cv_file:
        name, storage = profile.cv_file.name, profile.cv_file.storage
        transaction.on_commit(lambda: storage.delete(name))
    Message.objects.filter(sender=user).update(sender=None)
    audit_record(actor=None, action="applicant.delete", target=user, data={})
    user.delete()
