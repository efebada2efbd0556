"""Formatting for the opening pages: pay, deadlines, counts, pages (humanize-like, Japanese)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, translation
from django.utils.translation import gettext as _

from hitonagare.regions.reference import reference

register = template.Library()


def _japanese() -> bool:
    return (translation.get_language() or "ja").startswith("ja")


def yen_amount(value: int) -> str:
    """240000 → "24万円", 245000 → "24万5,000円", 5000 → "5,000円" (English: "¥240,000")."""
    if not _japanese():
        return f"¥{value:,}"
    man, rest = divmod(value, 10_000)
    if man == 0:
        return f"{rest:,}円"
    return f"{man:,}万{rest:,}円" if rest else f"{man:,}万円"


@register.filter
def monthly_pay(value: int | str | None) -> str:
    """Monthly pay as "月額24万円"; "—" when the opening gives none."""
    if value is None or value == "":
        return "—"
    return _("月額%(amount)s") % {"amount": yen_amount(int(value))}


@register.filter
def long_date(value: dt.date | None) -> str:
    """2026-12-26 → "2026年12月26日" (the locale's DATE_FORMAT)."""
    if value is None:
        return ""
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def deadline_label(value: dt.date | None) -> str:
    """ "2026年12月26日締切", or "随時" for an opening without a deadline."""
    if value is None:
        return _("随時")
    return _("%(date)s締切") % {"date": long_date(value)}


@register.simple_tag
def count_label(total: int, lower_bound: bool = False, estimate: bool = False) -> str:
    """The number of results: "12件", "約1,200件" (estimate) or "500件以上" (lower bound)."""
    number = f"{int(total):,}"
    if lower_bound:
        return _("%(count)s件以上") % {"count": number}
    if estimate:
        return _("約%(count)s件") % {"count": number}
    return _("%(count)s件") % {"count": number}


@register.filter
def prefecture_name(code: str) -> str:
    """A 2-digit prefecture code → its name ("13" → "東京都")."""
    for prefecture in reference().prefectures:
        if prefecture.code == code:
            return prefecture.name
    return code


@register.simple_tag
def page_window(page: int, page_count: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and `radius` either side of the current one;
    None marks a gap ("…"). page_window(7, 20) → [1, None, 5, 6, 7, 8, 9, None, 20]."""
    pages = sorted(
        {1, page_count} | set(range(max(1, page - radius), min(page_count, page + radius) + 1))
    )
    window: list[int | None] = []
    previous = 0
    for number in pages:
        if previous and number - previous > 1:
            window.append(None)
        window.append(number)
        previous = number
    return window


@register.simple_tag
def page_query(base_query: str, number: int) -> str:
    """The search's query string for page `number` (page 1 has no page parameter)."""
    parts = [base_query] if base_query else []
    if number > 1:
        parts.append(f"page={number}")
    return "&".join(parts)
