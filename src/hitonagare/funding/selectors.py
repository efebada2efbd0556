"""Reads for the funding estimate: the rate table and settings from the Django settings, and
the what-if estimate shared by the web page and the CLI. No writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hitonagare.core.errors import InvalidInputError

from .calculator import (
    EstimateSettings,
    MemberEstimate,
    MemberYearInput,
    estimate_input_problems,
    member_estimate,
)
from .rules import (
    CapReading,
    FundingProgram,
    MonthCounting,
    RateTable,
    parse_yen,
    rates_load,
    variant_resolve,
)

OVERRIDES_SETTING = "HITONAGARE_FUNDING_OVERRIDES_FILE"
MONTH_COUNTING_SETTING = "HITONAGARE_FUNDING_MONTH_COUNTING"
CAP_READING_SETTING = "HITONAGARE_FUNDING_CAP_READING"

AMOUNT_FIELDS = ("reward", "expenses", "startup", "project")


def funding_rates() -> RateTable:
    """The shipped table with the overrides file of the settings, if any."""
    path = getattr(settings, OVERRIDES_SETTING, None) or None
    try:
        return rates_load(path)
    except ValueError as error:
        raise ImproperlyConfigured(f"{OVERRIDES_SETTING}: {error}") from None


def funding_settings(*, month_counting: str | None = None) -> EstimateSettings:
    """The estimate settings: the month counting (the argument, else the setting, else
    STARTED_MONTHS) and the reading of "上限（1/2）" (the setting, else EXPENSE_CAP)."""
    counting = month_counting or getattr(settings, MONTH_COUNTING_SETTING, None)
    reading = getattr(settings, CAP_READING_SETTING, None)
    try:
        return EstimateSettings(
            month_counting=MonthCounting(counting or MonthCounting.STARTED_MONTHS),
            cap_reading=CapReading(reading or CapReading.EXPENSE_CAP),
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{MONTH_COUNTING_SETTING} は {', '.join(m.value for m in MonthCounting)}、"
            f"{CAP_READING_SETTING} は {', '.join(r.value for r in CapReading)} の"
            f"いずれかにしてください（{error}）。"
        ) from None


@dataclass(frozen=True)
class WhatIf:
    estimate: MemberEstimate
    rates: RateTable
    settings: EstimateSettings

    def to_dict(self) -> dict[str, object]:
        data = self.estimate.to_dict()
        data["overrides_file"] = bool(self.rates.overrides_file)
        return data


def estimate_what_if(
    *,
    program: str,
    variant: str | None,
    fiscal_year: int | str | None,
    start: date | None,
    end: date | None,
    amounts: Mapping[str, str | int | Decimal | None],
    days: int | str | None = None,
    month_counting: str | None = None,
) -> WhatIf:
    """One member's estimate for staff trying figures out; InvalidInputError (Japanese
    messages by field) for bad input. ``fiscal_year`` is the western start year."""
    rates = funding_rates()
    problems = estimate_input_problems(
        program=program,
        variant=variant,
        fiscal_year=fiscal_year,
        start=start,
        end=end,
        amounts=amounts,
        days=days,
        covered_years=rates.fiscal_years,
    )
    if month_counting:
        try:
            MonthCounting(month_counting)
        except ValueError:
            allowed = "、".join(m.value for m in MonthCounting)
            problems["month_counting"] = (
                f"月数の数え方「{month_counting}」は指定できません（指定できる値: {allowed}）。"
            )
    if problems:
        raise InvalidInputError(problems)
    assert start is not None
    assert end is not None
    assert fiscal_year is not None
    yen = {name: parse_yen(amounts.get(name) or 0) for name in AMOUNT_FIELDS}
    estimate_settings = funding_settings(month_counting=month_counting)
    funding_program = FundingProgram(program)
    member = MemberYearInput(
        member_ref="what-if",
        name="試算",
        program=funding_program,
        variant=variant_resolve(funding_program, variant),
        start=start,
        end=end,
        reward_yen=yen["reward"],
        expenses_yen=yen["expenses"],
        startup_yen=yen["startup"],
        project_yen=yen["project"],
        days=None if days is None or days == "" else int(days),
        eligible=None,  # the what-if does not judge the 地域要件: flagged for 協力隊 and PM
    )
    estimate = member_estimate(
        member, fiscal_year=int(fiscal_year), rates=rates, settings=estimate_settings
    )
    return WhatIf(estimate=estimate, rates=rates, settings=estimate_settings)
