"""全国地方公共団体コード, postal codes and the query classifier (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hitonagare.regions.codes import (
    CodeError,
    QueryKind,
    check_digit,
    classify_query,
    normalise_lgcode,
    normalise_postal_code,
    to_hiragana,
)

FIVE_DIGITS = st.text(alphabet="0123456789", min_size=5, max_size=5)


class TestCheckDigit:
    @pytest.mark.parametrize(
        ("code5", "digit"),
        [
            ("13101", "6"),  # 東京都千代田区 131016
            ("01100", "2"),  # 北海道札幌市 011002
            ("32525", "2"),  # 島根県海士町 325252
            ("01208", "4"),  # 北海道北見市 012084
            ("22130", "9"),  # 静岡県浜松市 221309
        ],
    )
    def test_the_sixth_digit_follows_jis_x_0402(self, code5, digit):
        assert check_digit(code5) == digit

    @given(FIVE_DIGITS)
    def test_the_check_digit_is_always_a_single_digit(self, code5):
        assert check_digit(code5) in set("0123456789")

    @pytest.mark.parametrize("bad", ["1310", "131016", "1310a", "", "13 01"])
    def test_anything_but_five_digits_is_refused(self, bad):
        with pytest.raises(CodeError) as caught:
            check_digit(bad)
        assert caught.value.code == "invalid_lgcode"
        assert "5桁" in caught.value.message


class TestNormaliseLgcode:
    def test_five_digits_get_their_check_digit_appended(self):
        assert normalise_lgcode("13101") == "131016"
        assert normalise_lgcode("01100") == "011002"

    def test_six_digits_with_a_correct_check_digit_are_kept(self):
        assert normalise_lgcode("131016") == "131016"
        assert normalise_lgcode("011002") == "011002"

    def test_full_width_digits_and_surrounding_spaces_are_accepted(self):
        assert normalise_lgcode("　１３１０１６ ") == "131016"

    def test_a_failing_check_digit_is_refused_and_the_right_code_is_suggested(self):
        with pytest.raises(CodeError) as caught:
            normalise_lgcode("131017")
        assert caught.value.code == "lgcode_check_digit"
        assert "検査数字が正しくありません" in caught.value.message
        assert "131016" in caught.value.message

    @given(FIVE_DIGITS, st.sampled_from("0123456789"))
    def test_exactly_one_sixth_digit_is_valid_for_any_five_digits(self, code5, digit):
        expected = code5 + check_digit(code5)
        assert normalise_lgcode(code5) == expected
        if digit == expected[-1]:
            assert normalise_lgcode(code5 + digit) == expected
        else:
            with pytest.raises(CodeError) as caught:
                normalise_lgcode(code5 + digit)
            assert caught.value.code == "lgcode_check_digit"

    @pytest.mark.parametrize("bad", ["1234", "1234567", "13-101", "abcde", "札幌市"])
    def test_neither_five_nor_six_digits_is_an_invalid_lgcode(self, bad):
        with pytest.raises(CodeError) as caught:
            normalise_lgcode(bad)
        assert caught.value.code == "invalid_lgcode"
        assert "5桁または6桁" in caught.value.message


class TestNormalisePostalCode:
    @pytest.mark.parametrize(
        "raw",
        [
            "100-0001",
            "1000001",
            "〒100-0001",
            "〒1000001",
            "１００－０００１",  # full-width digits and hyphen-minus
            "１００ー０００１",  # a katakana prolonged sound mark typed as the hyphen
            "100‐0001",  # U+2010 hyphen
            "100−0001",  # U+2212 minus sign
            " 100-0001　",
            "〒 100 0001",
        ],
    )
    def test_the_usual_ways_of_writing_a_postal_code_give_seven_digits(self, raw):
        assert normalise_postal_code(raw) == "1000001"

    @pytest.mark.parametrize("bad", ["100-001", "10000011", "1000-001", "abc-defg", ""])
    def test_anything_but_seven_digits_is_an_invalid_postal_code(self, bad):
        with pytest.raises(CodeError) as caught:
            normalise_postal_code(bad)
        assert caught.value.code == "invalid_postal_code"
        assert "7桁" in caught.value.message


class TestClassifyQuery:
    @pytest.mark.parametrize(
        ("raw", "kind", "value"),
        [
            ("131016", QueryKind.LGCODE, "131016"),
            ("13101", QueryKind.LGCODE, "131016"),
            ("１３１０１", QueryKind.LGCODE, "131016"),
            ("100-0001", QueryKind.POSTAL_CODE, "1000001"),
            ("1000001", QueryKind.POSTAL_CODE, "1000001"),
            ("〒100-0001", QueryKind.POSTAL_CODE, "1000001"),
            ("〒１００－０００１", QueryKind.POSTAL_CODE, "1000001"),
            ("海士町", QueryKind.NAME, "海士町"),
            ("あまちょう", QueryKind.NAME, "あまちょう"),
            ("東京都 府中市", QueryKind.NAME, "東京都府中市"),
        ],
    )
    def test_codes_postal_codes_and_names_are_told_apart(self, raw, kind, value):
        parsed = classify_query(raw)
        assert parsed.kind is kind
        assert parsed.value == value

    def test_the_autocomplete_form_code_then_name_is_decided_by_the_code(self):
        parsed = classify_query("011002 北海道札幌市")
        assert parsed.kind is QueryKind.LGCODE
        assert parsed.value == "011002"

    def test_the_autocomplete_form_still_checks_the_check_digit(self):
        with pytest.raises(CodeError) as caught:
            classify_query("011003 北海道札幌市")
        assert caught.value.code == "lgcode_check_digit"

    @pytest.mark.parametrize("blank", ["", "   ", "\u3000"])
    def test_an_empty_query_asks_for_a_name_code_or_postal_code(self, blank):
        with pytest.raises(CodeError) as caught:
            classify_query(blank)
        assert caught.value.code == "empty_query"
        assert "入力してください" in caught.value.message

    @pytest.mark.parametrize("bad", ["12-34", "1234", "12345678", "100-00011"])
    def test_digits_that_are_neither_a_code_nor_a_postal_code_are_refused(self, bad):
        with pytest.raises(CodeError) as caught:
            classify_query(bad)
        assert caught.value.code == "invalid_code"
        assert "団体コード" in caught.value.message
        assert "郵便番号" in caught.value.message

    def test_a_six_digit_code_with_a_bad_check_digit_is_refused(self):
        with pytest.raises(CodeError) as caught:
            classify_query("131017")
        assert caught.value.code == "lgcode_check_digit"


class TestToHiragana:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("アマチョウ", "あまちょう"),
            ("ｱﾏﾁｮｳ", "あまちょう"),  # half-width katakana
            ("フチュウ", "ふちゅう"),
            ("あまちょう", "あまちょう"),
            ("海士町", "海士町"),
            ("ヴ", "ゔ"),
        ],
    )
    def test_katakana_becomes_hiragana_and_everything_else_is_kept(self, text, expected):
        assert to_hiragana(text) == expected
