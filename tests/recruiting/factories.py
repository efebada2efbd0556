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


def user(*, email: str | None = None, organisation: Organisation | None = None,
         is_admin: bool = False, password: str = "correct-horse-battery") -> User:
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
