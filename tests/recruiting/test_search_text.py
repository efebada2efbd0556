"""Search text handling (ADR 0008), pure: normalisation, bigram tokens, query parsing, and
the proof that "index candidates + substring check" is exactly "substring scan"."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import event, given, reject, settings
from hypothesis import strategies as st

from hitonagare.recruiting.search_text import (
    MAX_QUERY_LENGTH,
    MAX_TERM_LENGTH,
    MAX_TERMS,
    QueryError,
    QueryTerm,
    bigram_token,
    bigrams,
    document_tokens,
    fts5_match_expression,
    matches,
    normalise,
    parse_query,
    tsquery_expression,
)

TOKEN = r"[0-9a-f]+x[0-9a-f]+"
FTS5_EXPRESSION = re.compile(rf'"{TOKEN}"(?: AND "{TOKEN}")*')
TSQUERY_EXPRESSION = re.compile(rf"'{TOKEN}'(?: & '{TOKEN}')*")


def reference_match(normalised_document: str, raw_query: str) -> bool:
    """An independent statement of the requirement: every whitespace-separated word of the
    normalised query is a substring of the normalised document."""
    words = unicodedata.normalize("NFKC", raw_query).casefold().replace("\x00", " ").split()
    return all(word in normalised_document for word in words)


def decode(token: str) -> str:
    first, second = token.split("x")
    return chr(int(first, 16)) + chr(int(second, 16))


class TestNormalise:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("ＩＣＴ", "ict"),  # 全角英字 → 半角, then lower case
            ("ICT", "ict"),
            ("Ict", "ict"),
            ("２０２４年", "2024年"),  # 全角数字 → 半角
            ("ﾃﾚﾜｰｸ", "テレワーク"),  # 半角カナ → 全角
            ("ｶﾞｲﾄﾞ", "ガイド"),  # 半角カナ + 濁点 → one full-width character each
            ("ﾊﾟﾝ", "パン"),  # 半濁点
            ("　", " "),  # 全角スペース → space
            ("㈱", "(株)"),
            ("Straße", "strasse"),  # case folding, not just lower()
            ("農業、林業。移住", "農業、林業。移住"),  # Japanese punctuation is kept
            ("ひらがな カタカナ", "ひらがな カタカナ"),  # hiragana and katakana stay distinct
        ],
    )
    def test_examples(self, raw, expected):
        assert normalise(raw) == expected

    def test_nul_becomes_a_space(self):
        # PostgreSQL cannot store NUL and SQLite's LIKE stops at it: it separates words.
        assert normalise("abc\x00農業") == "abc 農業"
        assert [term.text for term in parse_query("農業\x00体験")] == ["農業", "体験"]

    def test_the_same_text_in_different_widths_and_cases_normalises_the_same(self):
        assert normalise("ＩＣＴ") == normalise("ICT") == normalise("ict") == normalise("Ｉｃｔ")
        assert normalise("ﾃﾚﾜｰｸ") == normalise("テレワーク")

    @given(st.text(max_size=30))
    def test_normalise_is_idempotent(self, text):
        once = normalise(text)
        assert normalise(once) == once


class TestBigramTokens:
    @pytest.mark.parametrize(
        "pair",
        ["農業", "ab", "aA", "𠮷野", "野𠮷", "😀😀", "👍🏽", "\x00a", "a\U0010ffff", "ー・"],
    )
    def test_a_token_is_ascii_and_decodes_back_to_its_pair(self, pair):
        token = bigram_token(pair)
        assert re.fullmatch(TOKEN, token)
        assert decode(token) == pair

    def test_pairs_that_a_plain_concatenation_would_confuse_get_different_tokens(self):
        # U+0001 U+0023 and U+0012 U+0003 both read "123" without the separator.
        assert bigram_token("\x01\x23") == "1x23"
        assert bigram_token("\x12\x03") == "12x3"
        assert bigram_token("\U00020bb7a") != bigram_token("\u20bb\u7a00")  # 𠮷a vs ₻稀
        assert bigram_token("𠮷野") != bigram_token("吉野")

    @given(st.text(min_size=2, max_size=2), st.text(min_size=2, max_size=2))
    def test_different_pairs_never_share_a_token(self, first, second):
        assert decode(bigram_token(first)) == first
        assert (bigram_token(first) == bigram_token(second)) == (first == second)

    @given(
        st.text(
            alphabet=st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
            min_size=2,
            max_size=2,
        )
    )
    def test_astral_plane_pairs_round_trip(self, pair):
        assert decode(bigram_token(pair)) == pair

    def test_bigrams_never_cross_whitespace(self):
        assert list(bigrams("農業 林業")) == ["農業", "林業"]
        assert list(bigrams("地場\n産品")) == ["地場", "産品"]
        assert list(bigrams("a")) == []
        assert list(bigrams("")) == []

    def test_document_tokens_are_distinct_sorted_and_cover_every_bigram(self):
        tokens = document_tokens("ああああ 農業、農業")
        assert tokens.split() == sorted(set(tokens.split()))
        assert {decode(token) for token in tokens.split()} == {"ああ", "農業", "業、", "、農"}

    def test_a_document_without_bigrams_has_no_tokens(self):
        assert document_tokens("") == ""
        assert document_tokens("a b c") == ""


class TestParseQuery:
    def test_terms_are_normalised(self):
        (term,) = parse_query("ＩＣＴ")
        assert term.text == "ict"
        (term,) = parse_query("ﾃﾚﾜｰｸ")
        assert term.text == "テレワーク"

    @pytest.mark.parametrize("raw", ["", " ", "　　", "\t\n"])
    def test_an_empty_query_has_no_terms(self, raw):
        assert parse_query(raw) == ()

    @pytest.mark.parametrize(
        ("raw", "texts"),
        [
            ("農業 移住", ["農業", "移住"]),
            ("農業　移住", ["農業", "移住"]),  # full-width space
            ("農業\t移住\n古民家", ["農業", "移住", "古民家"]),
            ("  農業   移住  ", ["農業", "移住"]),
        ],
    )
    def test_whitespace_of_any_width_splits_terms(self, raw, texts):
        assert [term.text for term in parse_query(raw)] == texts

    @pytest.mark.parametrize(
        ("raw", "texts"),
        [
            ("農業 農業体験", ["農業体験"]),
            ("農業体験 農業", ["農業体験"]),
            ("ああ ああああ あああ", ["ああああ"]),
            ("ICT ＩＣＴ ict", ["ict"]),
            ("ab ba aba", ["aba"]),
        ],
    )
    def test_repeated_and_contained_terms_are_dropped(self, raw, texts):
        assert [term.text for term in parse_query(raw)] == texts

    def test_a_term_not_inside_another_is_kept(self):
        assert [term.text for term in parse_query("農業 林業 農林業")] == ["農業", "農林業"]

    def test_terms_know_their_distinct_bigrams_and_whether_they_need_the_substring_test(self):
        two, three, repeated = parse_query("農業 古民家 ああああ")
        assert [decode(t) for t in two.tokens] == ["農業"]
        assert not two.needs_substring_check
        assert [decode(t) for t in three.tokens] == ["古民", "民家"]
        assert three.needs_substring_check
        assert [decode(t) for t in repeated.tokens] == ["ああ"]
        assert repeated.needs_substring_check

    @pytest.mark.parametrize("raw", ["農", "農 業", "農業 林", "ｶﾞ", " a "])
    def test_a_one_character_term_is_refused_in_japanese(self, raw):
        with pytest.raises(QueryError) as caught:
            parse_query(raw)
        message = str(caught.value)
        assert "1文字です" in message
        assert "2文字以上で入力してください" in message
        assert "例: 農業、林業、移住" in message

    def test_the_one_character_message_names_the_term(self):
        with pytest.raises(QueryError, match="キーワード「林」は1文字です"):
            parse_query("農業 林")

    def test_a_query_over_the_length_limit_is_refused(self):
        allowed = "農業" + " " * 96 + "林業"  # 100 characters, spaces count
        assert len(allowed) == MAX_QUERY_LENGTH
        parse_query(allowed)
        with pytest.raises(QueryError, match=f"キーワードは{MAX_QUERY_LENGTH}文字以内"):
            parse_query(allowed + "a")

    def test_a_term_over_the_term_limit_is_refused(self):
        parse_query("あ" * MAX_TERM_LENGTH)
        with pytest.raises(QueryError, match=f"1語{MAX_TERM_LENGTH}文字以内"):
            parse_query("あ" * (MAX_TERM_LENGTH + 1))

    def test_more_than_the_allowed_number_of_terms_is_refused(self):
        words = ["農業", "林業", "漁業", "移住", "定住", "観光"]
        assert len(parse_query(" ".join(words[:MAX_TERMS]))) == MAX_TERMS
        with pytest.raises(QueryError, match=f"キーワードは{MAX_TERMS}語までです"):
            parse_query(" ".join(words[: MAX_TERMS + 1]))
        # Repeats are not counted as more terms.
        assert len(parse_query(" ".join(["農業"] * 10))) == 1

    def test_query_error_is_a_value_error(self):
        assert issubclass(QueryError, ValueError)


HOSTILE_QUERIES = [
    '"農業"',
    "'移住'",
    '農業" OR "林業',
    "農業 OR 林業",
    "NOT 移住",
    "農業 AND NOT 林業",
    "農業*",
    "NEAR(農業 林業)",
    "(移住)",
    "a:b",
    "tokens:農業",
    "農業:*",
    "&& || !!",
    "!移住",
    "農業&林業|移住",
    "\\\\ \\'",
    "'); DROP TABLE recruiting_opening; --",
    "100% a_b",
    "^移住 -林業 +農業",
    "{農業}",
]


class TestExpressionsAreSafe:
    @pytest.mark.parametrize("raw", HOSTILE_QUERIES)
    def test_no_user_character_reaches_the_fts5_or_tsquery_expression(self, raw):
        terms = parse_query(raw)
        assert terms
        fts5 = fts5_match_expression(terms)
        tsquery = tsquery_expression(terms)
        assert FTS5_EXPRESSION.fullmatch(fts5), fts5
        assert TSQUERY_EXPRESSION.fullmatch(tsquery), tsquery
        wanted = {token for term in terms for token in term.tokens}
        assert set(re.findall(TOKEN, fts5)) == wanted
        assert set(re.findall(TOKEN, tsquery)) == wanted

    def test_tokens_shared_by_terms_appear_once(self):
        terms = parse_query("農業体験 体験農業")
        fts5 = fts5_match_expression(terms)
        found = re.findall(TOKEN, fts5)
        assert len(found) == len(set(found)) == 4  # 農業 業体 験農 体験

    @given(st.text(min_size=1, max_size=MAX_QUERY_LENGTH))
    def test_any_query_gives_a_safe_expression_or_a_query_error(self, raw):
        try:
            terms = parse_query(raw)
        except QueryError:
            return
        if not terms:
            return
        assert FTS5_EXPRESSION.fullmatch(fts5_match_expression(terms))
        assert TSQUERY_EXPRESSION.fullmatch(tsquery_expression(terms))


# --- the property: candidates (bigram tokens) + verification == substring scan -------------

HIRAGANA = "あいうえおかきくけこがさしすのまみむめもやゆよらりるれろわをんっゃー"
KATAKANA = "アイウカキクサシスタチツテトナニノマミムリルレロワンッャーヴガパ"
KANJI = "農業林漁移住定地場産品古民家道駅町村海士島体験観光空協力隊子育教"
ASCII = "abcxyzABCXYZ0123"
PUNCT = "、。・「」ー!?%_*:&'\""
WIDE_AND_HALF = "ＡＢＣａｂ１２ｱｲｳｶﾞﾃﾚﾜｰｸ"
SPACES = " 　\n\t\x00"
WORD_ALPHABET = HIRAGANA + KATAKANA + KANJI + ASCII + PUNCT + WIDE_AND_HALF
SMALL_ALPHABET = "ああいアア農業林移住ab、。ーｱ"  # few symbols: random terms often match

documents_strategy = st.lists(
    st.text(
        alphabet=st.sampled_from(WORD_ALPHABET + SPACES) | st.sampled_from(SMALL_ALPHABET),
        max_size=80,
    ),
    min_size=1,
    max_size=6,
)


def _index_answer(normalised_document: str, terms: tuple[QueryTerm, ...]) -> bool:
    """What the database does, in Python: the index narrows, the substring test confirms."""
    held = set(document_tokens(normalised_document).split())
    candidate = all(set(term.tokens) <= held for term in terms)
    return candidate and all(
        term.text in normalised_document for term in terms if term.needs_substring_check
    )


@st.composite
def documents_and_query(draw: st.DrawFn) -> tuple[list[str], str]:
    documents = draw(documents_strategy)
    terms: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        source = draw(
            st.sampled_from(
                ["normalised", "raw", "rearranged", "stretched", "walk", "random", "small"]
            )
        )
        document = draw(st.sampled_from(documents))
        if source in ("normalised", "raw", "rearranged", "stretched"):
            text = document if source == "raw" else normalise(document)
            words = [w for w in text.split() if len(w) >= 2] or ["ああ"]
            word = draw(st.sampled_from(words))
            start = draw(st.integers(min_value=0, max_value=len(word) - 2))
            end = draw(st.integers(min_value=start + 2, max_value=min(len(word), start + 12)))
            piece = word[start:end]
            if source == "rearranged":
                # The same characters (often the same bigrams) in another order.
                piece = "".join(draw(st.permutations(piece)))
            elif source == "stretched":
                # ああ → あああ: the bigrams may all be held, the term itself not.
                piece = piece[0] * draw(st.integers(min_value=2, max_value=4)) + piece[1:]
            terms.append(piece)
        elif source == "walk":
            # A walk through the document's bigrams: every bigram of the term is held, so
            # only the substring test can tell (農業林 + 林業 hold 業林, 林業: is 農業林業 there?).
            pairs = sorted(set(bigrams(normalise(document)))) or ["ああ"]
            piece = draw(st.sampled_from(pairs))
            for _ in range(draw(st.integers(min_value=0, max_value=5))):
                following = [pair[1] for pair in pairs if pair[0] == piece[-1]]
                if not following:
                    break
                piece += draw(st.sampled_from(following))
            terms.append(piece)
        else:
            alphabet = WORD_ALPHABET if source == "random" else SMALL_ALPHABET
            terms.append(draw(st.text(alphabet=alphabet, min_size=2, max_size=6)))
    separator = draw(st.sampled_from([" ", "　", "  "]))
    return documents, separator.join(terms)


@settings(max_examples=600)
@given(documents_and_query())
def test_index_candidates_then_substring_check_equal_the_substring_scan(case):
    documents, raw_query = case
    try:
        terms = parse_query(raw_query)
    except QueryError:
        reject()
    for document in documents:
        normalised = normalise(document)
        expected = reference_match(normalised, raw_query)
        assert matches(normalised, terms) == expected, (document, raw_query)
        assert _index_answer(normalised, terms) == expected, (document, raw_query)
        held = set(document_tokens(normalised).split())
        if all(set(term.tokens) <= held for term in terms) and not expected:
            event("every bigram held, yet no match: the substring check decides")
        else:
            event(f"match={expected}")


@given(documents_strategy, st.data())
def test_every_substring_of_a_document_finds_it(documents, data):
    """100% recall: any two or more characters of a document (without whitespace) find it."""
    normalised = normalise(data.draw(st.sampled_from(documents)))
    words = [word for word in normalised.split() if len(word) >= 2]
    if not words:
        return
    word = data.draw(st.sampled_from(words))
    start = data.draw(st.integers(min_value=0, max_value=len(word) - 2))
    end = data.draw(st.integers(min_value=start + 2, max_value=min(len(word), start + 40)))
    try:
        terms = parse_query(word[start:end])
    except QueryError:
        # Re-normalising a slice can shrink it (e.g. a lone combining mark joins its base).
        reject()
    assert _index_answer(normalised, terms)


@settings(max_examples=300)
@given(
    st.text(alphabet=st.sampled_from(SMALL_ALPHABET + "農林業 "), min_size=2, max_size=40),
    st.data(),
)
def test_terms_whose_bigrams_are_all_held_are_decided_by_the_substring_check(document, data):
    """Walk the document's bigram graph: the term's bigrams are all in the index, so the
    candidate step says yes; only the substring test separates 農業林業 from 農業林 + 林業."""
    normalised = normalise(document)
    pairs = sorted(set(bigrams(normalised)))
    if not pairs:
        return
    term = data.draw(st.sampled_from(pairs))
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        following = [pair[1] for pair in pairs if pair[0] == term[-1]]
        if not following:
            break
        term += data.draw(st.sampled_from(following))
    terms = parse_query(term)
    held = set(document_tokens(normalised).split())
    assert all(set(t.tokens) <= held for t in terms)
    expected = reference_match(normalised, term)
    event("substring" if expected else "all bigrams held, not a substring")
    assert _index_answer(normalised, terms) == expected == matches(normalised, terms)


def test_a_term_with_every_bigram_held_but_not_present_is_not_a_match():
    document = normalise("農業林、林業")
    terms = parse_query("農業林業")
    held = set(document_tokens(document).split())
    assert all(set(term.tokens) <= held for term in terms)  # 農業, 業林, 林業 are all held
    assert not matches(document, terms)
    assert not _index_answer(document, terms)
    repeated = normalise("ああい")
    assert not _index_answer(repeated, parse_query("あああ"))
    assert _index_answer(repeated, parse_query("ああ"))
