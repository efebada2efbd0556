"""全国地方公共団体コード and postal codes: parsing and validation (pure)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

CHECK_WEIGHTS = (6, 5, 4, 3, 2)


class QueryKind(StrEnum):
    LGCODE = "lgcode"
    POSTAL_CODE = "postal_code"
    NAME = "name"


class CodeError(ValueError):
    """A malformed identifier; `code` is a stable machine-readable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedQuery:
    kind: QueryKind
    value: str


def check_digit(code5: str) -> str:
    """The 6th digit of a 全国地方公共団体コード (JIS X 0402 check digit)."""
    if not re.fullmatch(r"[0-9]{5}", code5):
        raise CodeError("invalid_lgcode", f"団体コード「{code5}」は5桁の数字ではありません。")
    total = sum(int(d) * w for d, w in zip(code5, CHECK_WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def normalise_text(text: str) -> str:
    """NFKC (full-width digits and hyphens become ASCII), trimmed, inner spaces removed."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"[\s\u3000]+", "", text)
    return (
        re.sub(r"[‐‑‒–—―−ーｰ]", "-", text) if re.fullmatch(r"[0-9‐‑‒–—―−ーｰ〒-]+", text) else text
    )


def normalise_lgcode(raw: str) -> str:
    """Accept 5 or 6 digits; return the 6-digit code; reject a failing check digit."""
    code = normalise_text(raw)
    if not re.fullmatch(r"[0-9]{5}|[0-9]{6}", code):
        raise CodeError(
            "invalid_lgcode", f"団体コード「{raw}」は5桁または6桁の数字で入力してください。"
        )
    expected = check_digit(code[:5])
    if len(code) == 6 and code[5] != expected:
        raise CodeError(
            "lgcode_check_digit",
            f"団体コード「{code}」の検査数字が正しくありません（{code[:5]}{expected} ではありませんか）。",
        )
    return code[:5] + expected


def normalise_postal_code(raw: str) -> str:
    """Return 7 digits; accept 〒, a hyphen and full-width digits."""
    code = normalise_text(raw).lstrip("〒")
    if not re.fullmatch(r"[0-9]{3}-?[0-9]{4}", code):
        raise CodeError(
            "invalid_postal_code", f"郵便番号「{raw}」は7桁（例: 100-0001）で入力してください。"
        )
    return code.replace("-", "")


def classify_query(raw: str) -> ParsedQuery:
    """Tell a 6/5-digit code, a 7-digit postal code and a name apart."""
    text = normalise_text(raw)
    if not text:
        raise CodeError(
            "empty_query", "市区町村名・団体コード・郵便番号のいずれかを入力してください。"
        )
    if re.fullmatch(r"〒?[0-9]{3}-[0-9]{4}|〒?[0-9]{7}", text):
        return ParsedQuery(QueryKind.POSTAL_CODE, normalise_postal_code(text))
    # "011002北海道札幌市": what the autocomplete fills in; the code decides.
    labelled = re.fullmatch(r"([0-9]{6})([^0-9].*)", text)
    if labelled:
        return ParsedQuery(QueryKind.LGCODE, normalise_lgcode(labelled.group(1)))
    if re.fullmatch(r"[0-9]{5,6}", text):
        return ParsedQuery(QueryKind.LGCODE, normalise_lgcode(text))
    if re.fullmatch(r"[0-9-]+", text):
        raise CodeError(
            "invalid_code",
            f"「{raw}」は団体コード（5桁・6桁）にも郵便番号（7桁）にも当たりません。",
        )
    return ParsedQuery(QueryKind.NAME, text)


_KATAKANA_TO_HIRAGANA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}


def to_hiragana(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_KATAKANA_TO_HIRAGANA)


# The nine regional blocks used by national recruiting sites, by 都道府県コード.
REGION_BLOCKS: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (1, "北海道", ("01",)),
    (2, "東北", ("02", "03", "04", "05", "06", "07")),
    (3, "関東", ("08", "09", "10", "11", "12", "13", "14")),
    (4, "北陸・甲信越", ("15", "16", "17", "18", "19", "20")),
    (5, "東海", ("21", "22", "23", "24")),
    (6, "近畿", ("25", "26", "27", "28", "29", "30")),
    (7, "中国", ("31", "32", "33", "34", "35")),
    (8, "四国", ("36", "37", "38", "39")),
    (9, "九州・沖縄", ("40", "41", "42", "43", "44", "45", "46", "47")),
)
REGION_BLOCK_OF_PREFECTURE: Final[dict[str, int]] = {
    code: block for block, _label, codes in REGION_BLOCKS for code in codes
}
REGION_BLOCK_LABELS: Final[dict[int, str]] = {block: label for block, label, _ in REGION_BLOCKS}
