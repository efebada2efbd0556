"""Per-process columns of the published openings, for facets, filters and ordering (ADR 0008).

The database answers "which openings hold these bigrams" (the index) and "which of these
contain the term" (the substring test); everything else a search page needs — filters on
program/prefecture/theme/housing/deadline, facet counts, ordering by relevance, date or
deadline — runs on these NumPy columns in well under a millisecond for 100,000 openings.

The store is rebuilt or patched when the openings change: every search reads
`max(updated_at)` and the published count (one indexed query) and compares them with the
store's; services always touch `updated_at` when they change an opening.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection

from . import rules

PROGRAM_CODES = {program.value: index for index, program in enumerate(rules.OpeningProgram)}
NO_DEADLINE = np.iinfo(np.int32).max  # sorts last when ordering by deadline


@dataclass(frozen=True)
class Snapshot:
    ids: np.ndarray  # int64, ascending
    program: np.ndarray  # int8 (PROGRAM_CODES)
    prefecture: np.ndarray  # int8 (1–47)
    block: np.ndarray  # int8 (1–9)
    municipality: np.ndarray  # int64 Municipality id (activity area)
    themes: np.ndarray  # int32 bit mask
    housing: np.ndarray  # bool
    deadline: np.ndarray  # int32 ordinal day, NO_DEADLINE when none
    published_rank: np.ndarray  # int64: larger = newer (published_at, then id)
    title_text: str  # every normalised title joined by "\x00", in ids order
    title_starts: np.ndarray  # int64 offset of each title in title_text
    version: tuple[Any, ...]

    def positions_of(self, opening_ids: np.ndarray) -> np.ndarray:
        """Row positions of the given ids that are in the store (others are dropped)."""
        n = len(self.ids)
        if n == 0 or len(opening_ids) == 0:
            return np.empty(0, dtype=np.int64)
        positions = np.searchsorted(self.ids, opening_ids)
        inside = positions < n
        positions, opening_ids = positions[inside], opening_ids[inside]
        matched: np.ndarray = positions[self.ids[positions] == opening_ids]
        return matched

    def title_hits(self, term: str) -> np.ndarray:
        """Boolean per row: the normalised title contains `term`."""
        hits = np.zeros(len(self.ids), dtype=bool)
        text = self.title_text
        start = text.find(term)
        found: list[int] = []
        while start != -1:
            found.append(start)
            start = text.find(term, start + 1)
        if found:
            rows = (
                np.searchsorted(self.title_starts, np.array(found, dtype=np.int64), side="right")
                - 1
            )
            hits[rows] = True
        return hits


_lock = threading.Lock()
_snapshot: Snapshot | None = None


def _current_version() -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM recruiting_searchversion WHERE id = 1")
        row = cursor.fetchone()
    return (connection.alias, row[0] if row else None)


_version_seen: tuple[float, tuple[Any, ...]] | None = None


def data_version() -> tuple[Any, ...]:
    """The version of the published openings, for page-cache keys (ADR 0010).

    Read at most every HITONAGARE_SEARCH_VERSION_CHECK_SECONDS per process (0 = always), so a
    cached page is served without touching the database; searches themselves always check.
    """
    global _version_seen
    interval = float(getattr(settings, "HITONAGARE_SEARCH_VERSION_CHECK_SECONDS", 0))
    now = time.monotonic()
    seen = _version_seen
    if interval > 0 and seen is not None and now - seen[0] < interval:
        return seen[1]
    version = _current_version()
    _version_seen = (now, version)
    return version


def version_bump() -> None:
    """Mark the published openings as changed; called by every write to the search index.

    A random token rather than a counter: a rolled-back change followed by another change
    can never reproduce a version that a process has already cached.
    """
    token = secrets.randbits(62)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE recruiting_searchversion SET token = %s WHERE id = 1", [token])
        if cursor.rowcount == 0:
            cursor.execute(
                "INSERT INTO recruiting_searchversion (id, token) VALUES (1, %s)", [token]
            )


def _build(version: tuple[Any, ...]) -> Snapshot:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, program, prefecture_code, region_block, themes_mask, housing_support,"
            " deadline, published_at, search_title, municipality_id FROM recruiting_opening"
            " WHERE status = %s ORDER BY id",
            ["published"],
        )
        rows = cursor.fetchall()
    n = len(rows)
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=n)
    program = np.fromiter((PROGRAM_CODES.get(row[1], 0) for row in rows), dtype=np.int8, count=n)
    prefecture = np.fromiter((int(row[2]) for row in rows), dtype=np.int8, count=n)
    block = np.fromiter((row[3] for row in rows), dtype=np.int8, count=n)
    municipality = np.fromiter((row[9] for row in rows), dtype=np.int64, count=n)
    themes = np.fromiter((row[4] for row in rows), dtype=np.int32, count=n)
    housing = np.fromiter((bool(row[5]) for row in rows), dtype=bool, count=n)
    deadline = np.fromiter((_ordinal(row[6]) for row in rows), dtype=np.int32, count=n)
    published = np.array([_timestamp(row[7]) for row in rows], dtype=np.float64)
    # Rank: newest publication first, ties broken by the larger id.
    order = np.lexsort((ids, published))
    published_rank = np.empty(n, dtype=np.int64)
    published_rank[order] = np.arange(n, dtype=np.int64)
    titles = [row[8] or "" for row in rows]
    lengths = np.fromiter((len(title) + 1 for title in titles), dtype=np.int64, count=n)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n else np.empty(0, dtype=np.int64)
    return Snapshot(
        ids=ids,
        program=program,
        prefecture=prefecture,
        block=block,
        municipality=municipality,
        themes=themes,
        housing=housing,
        deadline=deadline,
        published_rank=published_rank,
        title_text="\x00".join(titles) + "\x00",
        title_starts=starts.astype(np.int64),
        version=version,
    )


def _ordinal(value: Any) -> int:
    if value is None:
        return int(NO_DEADLINE)
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return int(value.toordinal())


def _timestamp(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return float(value.timestamp())


def snapshot() -> Snapshot:
    """The store for the current data; rebuilt when any opening changed since it was built."""
    global _snapshot
    version = _current_version()
    current = _snapshot
    if current is not None and current.version == version:
        return current
    with _lock:
        current = _snapshot
        if current is None or current.version != version:
            current = _build(version)
            _snapshot = current
    return current


def search_store_clear() -> None:
    global _snapshot, _version_seen
    with _lock:
        _snapshot = None
        _version_seen = None
