"""The reference data held in memory, per process, for the hot read paths.

Every eligibility check resolves two places, picks an edition and reads two designations:
from the database that is 6–7 queries per request. The data change only when
`hitonagare regions load --commit` runs, so each process keeps one immutable index and
rebuilds it when the data version changes. The version (editions' newest `loaded_at`, which
the loader bumps on any change) is re-read at most every HITONAGARE_REFERENCE_CHECK_SECONDS;
the loader also clears the index of its own process at once.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from .codes import to_hiragana
from .models import ClassificationEdition, Designation, Municipality, Prefecture


@dataclass(frozen=True)
class ReferenceIndex:
    version: tuple[Any, ...]
    editions: tuple[ClassificationEdition, ...]  # newest 基準日 first
    prefectures: tuple[Prefecture, ...]
    municipalities: tuple[Municipality, ...]  # by lgcode
    by_lgcode: dict[str, Municipality]
    by_code5: dict[str, Municipality]
    by_exact_name: dict[str, tuple[Municipality, ...]]  # name, full name, and their kana
    designations: dict[tuple[int, int], Designation]  # (edition id, municipality id)


_lock = threading.Lock()
_index: ReferenceIndex | None = None
_checked_at = 0.0


def _version() -> tuple[Any, ...]:
    agg = ClassificationEdition.objects.aggregate(n=Count("id"), latest=Max("loaded_at"))
    return (agg["n"], agg["latest"], Municipality.objects.count())


def _build(version: tuple[Any, ...]) -> ReferenceIndex:
    prefectures = tuple(Prefecture.objects.order_by("code"))
    pref_by_id = {p.pk: p for p in prefectures}
    municipalities = tuple(Municipality.objects.order_by("lgcode"))
    by_id = {m.pk: m for m in municipalities}
    for m in municipalities:
        # Share one Prefecture/parent object per row instead of a query per access.
        m.prefecture = pref_by_id[m.prefecture_id]
        m.parent = by_id[m.parent_id] if m.parent_id else None
    names: dict[str, list[Municipality]] = defaultdict(list)
    for m in municipalities:
        for key in {m.name, m.full_name, to_hiragana(m.kana), to_hiragana(m.full_kana)}:
            if key:
                names[key].append(m)
    editions = tuple(ClassificationEdition.objects.order_by("-basis_date"))
    edition_by_id = {e.pk: e for e in editions}
    designations = {}
    for d in Designation.objects.all():
        d.edition = edition_by_id[d.edition_id]
        d.municipality = by_id[d.municipality_id]
        designations[(d.edition_id, d.municipality_id)] = d
    return ReferenceIndex(
        version=version,
        editions=editions,
        prefectures=prefectures,
        municipalities=municipalities,
        by_lgcode={m.lgcode: m for m in municipalities},
        by_code5={m.code5: m for m in municipalities},
        by_exact_name={k: tuple(v) for k, v in names.items()},
        designations=designations,
    )


def reference() -> ReferenceIndex:
    global _index, _checked_at
    ttl = getattr(settings, "HITONAGARE_REFERENCE_CHECK_SECONDS", 30)
    index = _index
    if index is not None and time.monotonic() - _checked_at < ttl:
        return index
    with _lock:
        version = _version()
        if _index is None or _index.version != version:
            _index = _build(version)
        _checked_at = time.monotonic()
        return _index


def reference_cache_clear() -> None:
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0
