"""Pure text handling for Japanese full-text search (ADR 0008).

Every opening keeps a normalised copy of its searchable text. The index holds the set of its
character bigrams; a query term of n ≥ 2 characters can only occur in a document that holds
all n−1 bigrams of the term, so the index gives a superset, and a substring test on the
normalised text (skipped for two-character terms, where "holds the bigram" already means
"contains the term") makes it exact. The same tokens go to SQLite FTS5 and PostgreSQL
tsvector, so both databases return the same rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

MIN_TERM_LENGTH: Final = 2
MAX_TERM_LENGTH: Final = 40
MAX_TERMS: Final = 5
MAX_QUERY_LENGTH: Final = 100


def normalise(text: str) -> str:
    """NFKC (全角英数→半角, 半角カナ→全角) then case folding; the same for text and query.

    NUL becomes a space: PostgreSQL cannot store it, and SQLite's LIKE stops reading at it
    (a term after a NUL would be in the index but never pass the substring test)."""
    return unicodedata.normalize("NFKC", text).casefold().replace("\x00", " ")


def _char_token(char: str) -> str:
    return format(ord(char), "x")


def bigram_token(pair: str) -> str:
    """An ASCII token for two characters: hex code points joined by 'x' (not a hex digit).

    ASCII keeps SQLite's `ascii` tokenizer and PostgreSQL's tsvector input from splitting
    or folding anything: whatever the characters are, one bigram is one token.
    """
    return f"{_char_token(pair[0])}x{_char_token(pair[1])}"


def bigrams(normalised: str) -> Iterable[str]:
    """The bigrams of normalised text, skipping any with whitespace (queries never hold it)."""
    for index in range(len(normalised) - 1):
        pair = normalised[index : index + 2]
        if not (pair[0].isspace() or pair[1].isspace()):
            yield pair


def document_tokens(normalised: str) -> str:
    """The distinct bigram tokens of a document, space-separated, sorted for stable output."""
    return " ".join(sorted({bigram_token(pair) for pair in bigrams(normalised)}))


@dataclass(frozen=True, slots=True)
class QueryTerm:
    text: str  # normalised
    tokens: tuple[str, ...]  # distinct bigram tokens, in order of first appearance

    @property
    def needs_substring_check(self) -> bool:
        return len(self.text) > MIN_TERM_LENGTH


class QueryError(ValueError):
    """A query the search cannot answer; the message is Japanese and shown to the user."""


def parse_query(raw: str) -> tuple[QueryTerm, ...]:
    """Split a query on whitespace (full-width too) into normalised terms, all of which must match."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(f"キーワードは{MAX_QUERY_LENGTH}文字以内で入力してください。")
    words = normalise(raw).split()
    terms: list[QueryTerm] = []
    seen: set[str] = set()
    for word in words:
        if word in seen:
            continue
        seen.add(word)
        if len(word) < MIN_TERM_LENGTH:
            raise QueryError(
                f"キーワード「{word}」は1文字です。{MIN_TERM_LENGTH}文字以上で入力してください"
                "（例: 農業、林業、移住）。"
            )
        if len(word) > MAX_TERM_LENGTH:
            raise QueryError(f"キーワードは1語{MAX_TERM_LENGTH}文字以内で入力してください。")
        tokens = tuple(dict.fromkeys(bigram_token(pair) for pair in bigrams(word)))
        terms.append(QueryTerm(text=word, tokens=tokens))
    if len(terms) > MAX_TERMS:
        raise QueryError(f"キーワードは{MAX_TERMS}語までです。")
    # Terms contained in another term add nothing (AND semantics): drop them.
    return tuple(
        term
        for term in terms
        if not any(other is not term and term.text in other.text for other in terms)
    )


def matches(normalised_document: str, terms: tuple[QueryTerm, ...]) -> bool:
    """The reference semantics: every term is a substring of the normalised document."""
    return all(term.text in normalised_document for term in terms)


def fts5_match_expression(terms: tuple[QueryTerm, ...]) -> str:
    """FTS5 MATCH: every bigram of every term (tokens are ASCII alnum+x, safe to quote)."""
    tokens = dict.fromkeys(token for term in terms for token in term.tokens)
    return " AND ".join(f'"{token}"' for token in tokens)


def tsquery_expression(terms: tuple[QueryTerm, ...]) -> str:
    """PostgreSQL tsquery input (no parser, no dictionary): every bigram token ANDed."""
    tokens = dict.fromkeys(token for term in terms for token in term.tokens)
    return " & ".join(f"'{token}'" for token in tokens)
