"""Writes for funding: a host organisation's own expenses for a fiscal year."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hitonagare.accounts.roles import require_host_staff
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import InvalidInputError
from hitonagare.core.wareki import fiscal_year_label

from .models import YearClaim
from .rules import parse_yen
from .selectors import funding_rates

CLAIM_FIELDS = {
    "recruitment_yen": "募集等経費",
    "kigyojin_preparation_yen": "起業人の受入準備経費",
    "nichiiki_program_yen": "二地域居住の事業経費",
}
MAX_CLAIM_YEN = 10_000_000_000


@transaction.atomic
def year_claim_save(*, user: Any, fiscal_year: int | None, amounts: dict[str, Any]) -> YearClaim:
    """Record (or correct) the organisation's own expenses for a fiscal year."""
    host = require_host_staff(user)
    errors: dict[str, str] = {}
    years = funding_rates().fiscal_years
    if fiscal_year not in years:
        errors["fiscal_year"] = (
            f"年度は{fiscal_year_label(years[0])}〜{fiscal_year_label(years[-1])}から選んでください。"
        )
    values: dict[str, int] = {}
    for field, label in CLAIM_FIELDS.items():
        raw = amounts.get(field)
        try:
            yen = parse_yen(raw if raw not in (None, "") else 0)
        except ValueError as error:
            errors[field] = f"{label}: {error}"
            continue
        if yen < 0 or yen > MAX_CLAIM_YEN or yen != yen.to_integral_value():
            errors[field] = f"{label}は0〜{MAX_CLAIM_YEN:,}円の整数で入力してください。"
            continue
        values[field] = int(yen)
    if errors:
        raise InvalidInputError(errors)
    assert fiscal_year is not None
    claim, _created = YearClaim.objects.select_for_update().update_or_create(
        organisation=host, fiscal_year=fiscal_year, defaults={**values, "updated_by": user}
    )
    audit_record(
        actor=user,
        action="funding.year_claim",
        target=claim,
        organisation=host,
        data={"fiscal_year": fiscal_year, **values},
    )
    return claim
