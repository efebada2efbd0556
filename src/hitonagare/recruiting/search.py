"""Opening search on SQLite and PostgreSQL with the same results (ADR 0008).

`index_opening` keeps the bigram index in step with an opening (services call it inside their
transaction); `text_filter` turns parsed query terms into a queryset filter that is exact:
the index narrows, a substring test on the normalised text confirms.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from hitonagare.regions.codes import REGION_BLOCK_OF_PREFECTURE

from . import rules
from .models import Opening
from .search_store import version_bump
from .search_text import (
    QueryTerm,
    document_tokens,
    fts5_match_expression,
    normalise,
    tsquery_expression,
)

FTS_TABLE = "recruiting_opening_fts"
# NFKC can lengthen a title (㈱ → (株), ㌀ → アパート): the normalised title is cut to fit its
# column (PostgreSQL refuses longer values). It only ranks; matching reads the whole text.
SEARCH_TITLE_LENGTH: int = Opening._meta.get_field("search_title").max_length or 200


def searchable_text(opening: Opening) -> tuple[str, str]:
    """(normalised title, normalised whole text) of an opening: the fields the search covers."""
    municipality = opening.municipality
    parts = [
        opening.title,
        opening.summary,
        opening.description,
        " ".join(opening.theme_labels),
        opening.program_label,
        municipality.full_name,
        municipality.name,
        municipality.kana,
        opening.area_name,
    ]
    whole = normalise("\n".join(part for part in parts if part))
    return normalise(opening.title)[:SEARCH_TITLE_LENGTH], whole


def fill_denormalised(opening: Opening) -> None:
    """Set the facet and search columns derived from other fields (before save)."""
    prefecture_code = opening.municipality.lgcode[:2]
    opening.prefecture_code = prefecture_code
    opening.region_block = REGION_BLOCK_OF_PREFECTURE[prefecture_code]
    opening.search_title, opening.search_text = searchable_text(opening)


def index_opening(opening: Opening) -> None:
    """Put a published opening in the index, or take any other out. Call after save()."""
    published = opening.status == Opening.Status.PUBLISHED
    version_bump()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM recruiting_opening_fts WHERE rowid = %s", [opening.pk])
            if published:
                cursor.execute(
                    "INSERT INTO recruiting_opening_fts(rowid, tokens) VALUES (%s, %s)",
                    [opening.pk, document_tokens(opening.search_text)],
                )
        elif published:
            cursor.execute(
                "INSERT INTO recruiting_opening_fts(opening_id, tokens) "
                "VALUES (%s, array_to_tsvector(string_to_array(%s, ' '))) "
                "ON CONFLICT (opening_id) DO UPDATE SET tokens = excluded.tokens",
                [opening.pk, document_tokens(opening.search_text)],
            )
        else:
            cursor.execute("DELETE FROM recruiting_opening_fts WHERE opening_id = %s", [opening.pk])


def index_openings_bulk(openings: Iterable[Opening]) -> int:
    """Index many published openings at once (demo data, rebuilds). Returns how many."""
    rows = [
        (opening.pk, document_tokens(opening.search_text))
        for opening in openings
        if opening.status == Opening.Status.PUBLISHED
    ]
    version_bump()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(
                "DELETE FROM recruiting_opening_fts WHERE rowid = %s", [(pk,) for pk, _ in rows]
            )
            cursor.executemany(
                "INSERT INTO recruiting_opening_fts(rowid, tokens) VALUES (%s, %s)", rows
            )
        else:
            cursor.executemany(
                "INSERT INTO recruiting_opening_fts(opening_id, tokens) "
                "VALUES (%s, array_to_tsvector(string_to_array(%s, ' '))) "
                "ON CONFLICT (opening_id) DO UPDATE SET tokens = excluded.tokens",
                rows,
            )
    return len(rows)


def index_rebuild() -> int:
    """Recompute every published opening's normalised text and refill the index from it
    (after a restore, or after the searched fields change). Returns how many were indexed."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM recruiting_opening_fts")
    total = 0
    queryset = Opening.objects.filter(status=Opening.Status.PUBLISHED).select_related(
        "municipality"
    )
    batch: list[Opening] = []
    for opening in queryset.iterator(chunk_size=2000):
        fill_denormalised(opening)
        batch.append(opening)
        if len(batch) >= 2000:
            total += _store_and_index(batch)
            batch = []
    return total + _store_and_index(batch)


def _store_and_index(batch: list[Opening]) -> int:
    Opening.objects.bulk_update(
        batch, ["search_title", "search_text", "prefecture_code", "region_block"]
    )
    return index_openings_bulk(batch)


def text_filter(terms: tuple[QueryTerm, ...]) -> Q:
    """Published openings whose normalised text contains every term (exact, both databases)."""
    if not terms:
        return Q()
    if connection.vendor == "sqlite":
        candidates = RawSQL(
            "SELECT rowid FROM recruiting_opening_fts WHERE recruiting_opening_fts MATCH %s",
            [fts5_match_expression(terms)],
        )
    else:
        candidates = RawSQL(
            "SELECT opening_id FROM recruiting_opening_fts WHERE tokens @@ %s::tsquery",
            [tsquery_expression(terms)],
        )
    condition = Q(pk__in=candidates)
    for term in terms:
        if term.needs_substring_check:
            condition &= Q(search_text__contains=term.text)
    return condition


def theme_filter(themes: Iterable[rules.Theme]) -> Q:
    """Openings carrying every one of the given themes (bit mask test, portable SQL)."""
    mask = rules.themes_to_mask(list(themes))
    if not mask:
        return Q()
    return Q(
        pk__in=RawSQL(
            "SELECT id FROM recruiting_opening WHERE (themes_mask & %s) = %s", [mask, mask]
        )
    )


def candidate_ids(terms: tuple[QueryTerm, ...]) -> np.ndarray:
    """Ids of published openings holding every bigram of every term (a superset; sorted)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT group_concat(rowid) FROM recruiting_opening_fts"
                " WHERE recruiting_opening_fts MATCH %s",
                [fts5_match_expression(terms)],
            )
        else:
            with transaction.atomic():
                # For very common bigrams the planner picks a sequential scan that unpacks
                # every tsvector (545 ms at 100k openings) over the GIN index (~20 ms).
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(
                    "SELECT string_agg(opening_id::text, ',') FROM recruiting_opening_fts"
                    " WHERE tokens @@ %s::tsquery",
                    [tsquery_expression(terms)],
                )
        joined = cursor.fetchone()[0]
    if not joined:
        return np.empty(0, dtype=np.int64)
    # fromstring parses the comma list in C: ~10x faster than split() for 75,000 ids.
    ids = np.fromstring(joined, sep=",", dtype=np.int64)
    ids.sort()
    return ids


VERIFY_CHUNK = 500


def verified_ids(opening_ids: Iterable[int], terms: tuple[QueryTerm, ...]) -> np.ndarray:
    """The subset of `opening_ids` whose normalised text contains every term (exact)."""
    checks = [term for term in terms if term.needs_substring_check]
    ids = [int(value) for value in opening_ids]
    if not checks:
        return np.array(sorted(ids), dtype=np.int64)
    found: list[int] = []
    for start in range(0, len(ids), VERIFY_CHUNK):
        queryset = Opening.objects.filter(pk__in=ids[start : start + VERIFY_CHUNK])
        for term in checks:
            queryset = queryset.filter(search_text__contains=term.text)
        found.extend(queryset.values_list("id", flat=True))
    return np.array(sorted(found), dtype=np.int64)
