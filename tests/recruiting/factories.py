"""Small factories for recruiting tests: organisations, users, openings, profiles."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from typing import Any

from django.utils import timezone

from hitonagare.accounts.models import Membership, Organisation, User
from hitonagare.recruiting import rules
from hitonagare.recruiting.models import ApplicantProfile, Opening
from hitonagare.recruiting.services import OpeningData, opening_create, opening_publish
from hitonagare.regions.models import Municipality, Prefecture

_seq = itertools.count(1)


def municipality_org(lgcode: str) -> Organisation:
    municipality = Municipality.objects.get(lgcode=lgcode)
    organisation, _ = Organisation.objects.get_or_create(
        lgcode=lgcode,
        defaults={
            "kind": Organisation.Kind.MUNICIPALITY,
            "name": municipality.full_name,
            "municipality": municipality,
            "prefecture": municipality.prefecture,
        },
    )
    return organisation


def prefecture_org(code: str) -> Organisation:
    prefecture = Prefecture.objects.get(code=code)
    organisation, _ = Organisation.objects.get_or_create(
        lgcode=prefecture.lgcode,
        defaults={
            "kind": Organisation.Kind.PREFECTURE,
            "name": prefecture.name,
            "prefecture": prefecture,
        },
    )
    return organisation


def other_org(kind: str, name: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(kind=kind, name=name)
    return organisation


def user(
    *,
    email: str | None = None,
    organisation: Organisation | None = None,
    is_admin: bool = False,
    password: str = "correct-horse-battery",
) -> User:
    n = next(_seq)
    email = email or f"user{n}@example.jp"
    created = User.objects.create_user(
        username=email, email=email, password=password, email_verified_at=timezone.now()
    )
    if organisation is not None:
        Membership.objects.create(user=created, organisation=organisation, is_admin=is_admin)
    return created


def opening_data(**overrides: Any) -> OpeningData:
    data = OpeningData(
        program="kyoryokutai",
        title="棚田の保全と農業体験の企画",
        summary="棚田オーナー制度の運営と、都市住民向けの農業体験を企画します。",
        description="地域の農家と協力して、棚田の保全活動と体験プログラムを担当します。",
        themes=(rules.Theme.PRIMARY_INDUSTRY, rules.Theme.TOURISM),
        positions=1,
        municipality_lgcode="325252",  # 島根県海士町
        employment_form="appointed",
        vehicle="provided",
        term_value=3,
        term_unit="years",
        selection_steps="書類選考 → 面接（オンライン可）",
        contact="海士町役場 交流促進課 03-0000-0000",
        monthly_pay_yen=240000,
        housing_support=True,
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    return replace(data, **overrides)


def opening(*, staff: User, publish: bool = True, **overrides: Any) -> Opening:
    created = opening_create(user=staff, data=opening_data(**overrides))
    if publish:
        created = opening_publish(user=staff, opening_id=created.pk)
    return created


def profile(applicant: User, **overrides: Any) -> ApplicantProfile:
    municipality = Municipality.objects.get(lgcode=overrides.pop("lgcode", "131016"))  # 千代田区
    values: dict[str, Any] = {
        "family_name": "山田",
        "given_name": "花子",
        "family_kana": "やまだ",
        "given_kana": "はなこ",
        "birth_date": dt.date(1995, 4, 1),
        "phone": "090-0000-0000",
        "postal_code": "1000001",
        "municipality": municipality,
        "scout_opt_in": True,
    }
    values.update(overrides)
    return ApplicantProfile.objects.create(user=applicant, **values)


# --- service-tests helpers ------------------------------------------------------------------

# The smallest file the CV check accepts as a PDF: the header, one object, the trailer, %%EOF.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def staff_of(lgcode: str, **kwargs: Any) -> User:
    """A staff member of the municipality with this 団体コード (its organisation is made once)."""
    return user(organisation=municipality_org(lgcode), **kwargs)


def profile_data(**overrides: Any) -> Any:
    """A valid ProfileData for profile_save (千代田区 100-0001); override any field."""
    from hitonagare.recruiting.services_profiles import ProfileData

    data = ProfileData(
        family_name="山田",
        given_name="花子",
        family_kana="やまだ",
        given_kana="はなこ",
        birth_date=dt.date(1995, 4, 1),
        phone="090-1234-5678",
        postal_code="100-0001",
        address_line="千代田1-1",
        skills="観光案内の経験5年",
        licences=("car",),
        interests=(rules.Theme.TOURISM, rules.Theme.PRIMARY_INDUSTRY),
        desired_prefectures=("32", "39"),
        availability="3m",
        free_text="島の暮らしに関わりたいです。",
        scout_opt_in=True,
    )
    return replace(data, **overrides)


# --- staff-openings helpers -------------------------------------------------------------------


def prefecture_staff(code: str, **kwargs: Any) -> User:
    """A staff member of the prefecture with this 2-digit code (its organisation made once)."""
    return user(organisation=prefecture_org(code), **kwargs)


def ministry_staff(**kwargs: Any) -> User:
    from hitonagare.accounts.services import organisation_for_ministry

    return user(organisation=organisation_for_ministry(), **kwargs)


def backdate_deadline(opening: Opening, *, days: int = 1) -> Opening:
    """Move an opening's deadline `days` into the past, as if the time had passed (the
    services refuse a past deadline, so this writes the row directly)."""
    deadline = timezone.localdate() - dt.timedelta(days=days)
    Opening.objects.filter(pk=opening.pk).update(deadline=deadline)
    opening.refresh_from_db()
    return opening


# --- search-tests helpers ---------------------------------------------------------------------


def openings_with_texts(
    *, staff: User, texts: list[dict[str, Any]], status: str = Opening.Status.PUBLISHED
) -> list[Opening]:
    """One opening per dict of OpeningData overrides (title, summary, description, area_name,
    municipality_lgcode…), made through the services: opening_create, then opening_publish
    (and opening_close for "closed"), so the search index is kept exactly as in production."""
    from hitonagare.recruiting.services import opening_close

    made: list[Opening] = []
    for overrides in texts:
        created = opening(staff=staff, publish=status != Opening.Status.DRAFT, **overrides)
        if status == Opening.Status.CLOSED:
            created = opening_close(user=staff, opening_id=created.pk)
        made.append(created)
    return made
