"""Rosters (名簿) as municipalities keep them, read into appointment values. Pure: no Django.

- The columns: Japanese headers with aliases (氏名 / 名前, 任期開始日 / 開始日 …), matched after
  NFKC, without spaces, marks (※, *) or a trailing （必須）. The header row is the first of the
  first ten rows that names at least two known columns, so a title row above it is fine.
- Values: 制度 and 形態 by label or code; dates as 2025-04-01, 2025/4/1, 2025年4月1日,
  20250401, R7.4.1 or 令和7年4月1日 (an era date outside its era is refused, not moved);
  yen as 250000, 250,000, ￥250,000円, 25万円 or with full-width digits; 団体コード with 5 or 6
  digits, including a code whose leading 0 a spreadsheet dropped.
- Row numbers are those a spreadsheet shows: the header is usually row 1, the first person row 2.
- CSV bytes are decoded as UTF-8 (with or without BOM) or Shift_JIS (CP932); anything else is
  refused with a message, never guessed.

parse_rows returns every row it could read and every problem, by row and column; the services
then check the values against the database (services_import.roster_import).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final

from hitonagare.recruiting.rules import OPENING_PROGRAM_LABELS, OpeningProgram
from hitonagare.regions.codes import CodeError, check_digit, normalise_lgcode

from .rules import APPOINTMENT_KIND_LABELS, END_REASON_LABELS, AppointmentKind, EndReason

Cell = str | int | float | bool | date | datetime | time | None

MAX_BYTES: Final = 5 * 1024 * 1024
MAX_ROWS: Final = 5000  # person rows, the header not counted
MAX_COLUMNS: Final = 60
HEADER_SCAN_ROWS: Final = 10
HEADER_COLUMN: Final = "見出し"

# --- columns --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the services.AppointmentData field
    header: str  # the header the template uses
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: Final[tuple[Column, ...]] = (
    Column("member_name", "氏名", ("名前", "隊員氏名", "隊員名", "氏名（漢字）"), True),
    Column(
        "member_kana",
        "ふりがな",
        ("フリガナ", "よみがな", "ヨミガナ", "氏名（ふりがな）", "氏名（フリガナ）", "かな"),
    ),
    Column("member_email", "メールアドレス", ("メール", "Eメール", "email", "e-mail")),
    Column("program", "制度", ("制度名", "事業", "事業名"), True),
    Column("funding_variant", "区分", ("制度区分", "報償費区分")),
    Column("kind", "形態", ("委嘱形態", "任用形態", "委嘱・任用")),
    Column(
        "municipality_lgcode",
        "活動市町村（団体コード）",
        ("活動市町村", "活動市区町村", "活動市町村コード", "団体コード", "受入市町村"),
        True,
    ),
    Column("activity_area", "活動地域", ("活動地域（大字など）", "活動区域")),
    Column("start_date", "任期開始日", ("開始日", "委嘱開始日", "任用開始日", "着任日"), True),
    Column(
        "planned_end_date",
        "任期終了予定日",
        ("終了予定日", "任期終了日", "委嘱終了予定日", "任期満了日", "任期満了予定日"),
        True,
    ),
    Column(
        "origin",
        "転出元",
        ("転出元の市区町村", "転出元市区町村", "転出元（郵便番号・団体コード・市区町村名）"),
    ),
    Column("origin_area", "転出元の地域", ("転出元の地域（大字など）", "転出元地域")),
    Column("origin_overseas", "海外から転入", ("海外からの転入",)),
    Column("residence_moved_on", "住民票異動日", ("住民票を移した日", "住民異動日", "転入日")),
    Column(
        "monthly_reward_yen", "月額報償費", ("月額報償費（円）", "報償費（月額）", "報償費月額")
    ),
    Column("note", "備考", ("メモ",)),
    # An ended term: recorded after the appointment, with the same rules as on the page.
    Column("ended_on", "終了日", ("退任日", "実際の終了日", "任期の終了日")),
    Column("end_reason", "終了の理由", ("退任理由", "退任の理由", "終了理由")),
    Column("end_note", "終了の詳細", ("退任の詳細", "終了の事情")),
)

COLUMN_BY_KEY: Final[Mapping[str, Column]] = MappingProxyType({c.key: c for c in COLUMNS})


def header_key(text: str) -> str:
    """How headers are compared: NFKC, no spaces, no ※ * marks, no （必須）/（任意）, lower case."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\((必須|任意)\)$", "", text.replace("※", "").replace("*", ""))
    return text.lower()


_KEY_OF_HEADER: Final[Mapping[str, str]] = MappingProxyType(
    {
        header_key(name): column.key
        for column in COLUMNS
        for name in (column.header, column.key, *column.aliases)
    }
)


@dataclass(frozen=True, slots=True)
class Header:
    row: int  # its row number (1 = the first row)
    index: Mapping[str, int]  # column key → position in the row
    titles: Mapping[str, str]  # column key → the header as written in the file
    ignored: tuple[str, ...] = ()  # headers this import does not read

    def title(self, key: str) -> str:
        column = COLUMN_BY_KEY.get(key)
        return self.titles.get(key) or (column.header if column else key)


class HeaderError(ValueError):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


def _is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def header_find(rows: Sequence[Sequence[Cell]]) -> Header:
    """The header row: the first of the first ten rows naming two known columns or more.

    HeaderError when none does, when a required column is missing (listing what is missing
    and what was found) or when two columns mean the same thing."""
    first_filled: tuple[int, Sequence[Cell]] | None = None
    for number, row in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        if all(_is_blank(c) for c in row):
            continue
        if first_filled is None:
            first_filled = (number, row)
        known = [c for c in row if isinstance(c, str) and header_key(c) in _KEY_OF_HEADER]
        if len(known) >= 2:
            return _header_of(number, row)
    required = "、".join(c.header for c in COLUMNS if c.required)
    if first_filled is None:
        raise HeaderError(
            1, f"ファイルにデータがありません。1行目に見出し（{required}など）を入れてください。"
        )
    number, row = first_filled
    found = "、".join(text_of(c) for c in row if not _is_blank(c)) or "なし"
    raise HeaderError(
        number,
        f"見出しの行が見つかりません。最初の{HEADER_SCAN_ROWS}行のどこかに、{required}などの"
        f"列の見出しを入れてください（{number}行目の内容: {found}）。",
    )


def _header_of(number: int, row: Sequence[Cell]) -> Header:
    index: dict[str, int] = {}
    titles: dict[str, str] = {}
    ignored: list[str] = []
    for position, cell in enumerate(row):
        if _is_blank(cell):
            continue
        title = text_of(cell)
        key = _KEY_OF_HEADER.get(header_key(title))
        if key is None:
            ignored.append(title)
            continue
        if key in index:
            canonical = COLUMN_BY_KEY[key].header
            raise HeaderError(
                number,
                f"列「{titles[key]}」と「{title}」はどちらも「{canonical}」の列です。"
                "どちらか一方にしてください。",
            )
        index[key] = position
        titles[key] = title
    missing = [c.header for c in COLUMNS if c.required and c.key not in index]
    if missing:
        found = "、".join(text_of(c) for c in row if not _is_blank(c))
        raise HeaderError(
            number,
            f"必須の列がありません: {'、'.join(missing)}。{number}行目にあった見出し: {found}。",
        )
    return Header(
        row=number,
        index=MappingProxyType(index),
        titles=MappingProxyType(titles),
        ignored=tuple(ignored),
    )


# --- values ---------------------------------------------------------------------------------


class ValueProblem(ValueError):
    """One cell that cannot be read; the message says what to write instead."""


def text_of(cell: Cell) -> str:
    """A cell as text: trimmed; whole numbers from a spreadsheet without ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell).strip()


def _nfkc(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_PROGRAM_ALIASES: Final[Mapping[str, OpeningProgram]] = MappingProxyType(
    {
        **{_nfkc(p.value).lower(): p for p in OpeningProgram},
        **{_nfkc(label).lower(): p for p, label in OPENING_PROGRAM_LABELS.items()},
        "協力隊": OpeningProgram.KYORYOKUTAI,
        "おためし": OpeningProgram.OTAMESHI,
        "おためし協力隊": OpeningProgram.OTAMESHI,
        "インターン": OpeningProgram.INTERN,
        "協力隊インターン": OpeningProgram.INTERN,
        "地域pm": OpeningProgram.PM,
        "地域プロジェクトマネージャー": OpeningProgram.PM,
        "起業人": OpeningProgram.KIGYOJIN,
        "地域おこし企業人": OpeningProgram.KIGYOJIN,  # the program's name until 令和2年度
        "外部デジタル人材": OpeningProgram.DIGITAL,
        "cio補佐官": OpeningProgram.DIGITAL,
        "二地域居住": OpeningProgram.NICHIIKI,
    }
)


def parse_program(cell: Cell) -> str:
    """制度: a label (地域おこし協力隊) or a code (kyoryokutai) → the code; "" when empty."""
    text = text_of(cell)
    if not text:
        return ""
    program = _PROGRAM_ALIASES.get(_nfkc(text).lower())
    if program is None:
        labels = "、".join(OPENING_PROGRAM_LABELS.values())
        raise ValueProblem(
            f"制度「{text}」が分かりません。{labels} のいずれか"
            "（または kyoryokutai などのコード）で入力してください。"
        )
    return program.value


_KIND_ALIASES: Final[Mapping[str, AppointmentKind]] = MappingProxyType(
    {
        **{k.value: k for k in AppointmentKind},
        **{label: k for k, label in APPOINTMENT_KIND_LABELS.items()},
    }
)


def parse_kind(cell: Cell) -> str:
    """形態: 委嘱・任用・協定 (or the codes) → the code; "" (the program's usual one) when empty."""
    text = text_of(cell)
    if not text:
        return ""
    kind = _KIND_ALIASES.get(_nfkc(text).lower())
    if kind is None:
        raise ValueProblem(
            f"形態「{text}」が分かりません。委嘱・任用・協定のいずれかで入力してください"
            "（空欄なら制度に応じて決まります）。"
        )
    return kind.value


_END_REASON_ALIASES: Final[Mapping[str, EndReason]] = MappingProxyType(
    {
        **{reason.value: reason for reason in EndReason},
        **{_label.lower(): reason for reason, _label in END_REASON_LABELS.items()},
        "満了": EndReason.TERM_COMPLETED,
        "転職": EndReason.CAREER,
        "就職": EndReason.CAREER,
        "起業": EndReason.BUSINESS,
        "事業承継": EndReason.BUSINESS,
    }
)


def parse_end_reason(cell: Cell) -> str:
    """終了の理由: a label (任期満了, 転職・就職 …) or its code → the code; "" when empty."""
    text = text_of(cell)
    if not text:
        return ""
    reason = _END_REASON_ALIASES.get(unicodedata.normalize("NFKC", text).strip().lower())
    if reason is None:
        labels = "・".join(f"「{label}」" for label in END_REASON_LABELS.values())
        raise ValueProblem(
            f"終了の理由「{text}」が分かりません。{labels}のいずれかで入力してください。"
        )
    return reason.value


# (name, first day, initials); the day after an era's last day is the next era's first.
_ERAS: Final[tuple[tuple[str, date, tuple[str, ...]], ...]] = (
    ("令和", date(2019, 5, 1), ("令和", "令", "R")),
    ("平成", date(1989, 1, 8), ("平成", "平", "H")),
    ("昭和", date(1926, 12, 25), ("昭和", "昭", "S")),
)
_ERA_BY_INITIAL: Final[Mapping[str, int]] = MappingProxyType(
    {initial: i for i, (_n, _d, initials) in enumerate(_ERAS) for initial in initials}
)
_SEP = r"[-/.]"
_WESTERN = re.compile(rf"(\d{{4}})(?:{_SEP}(\d{{1,2}}){_SEP}|年(\d{{1,2}})月)(\d{{1,2}})日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_JAPANESE = re.compile(
    rf"(令和|平成|昭和|令|平|昭|R|H|S)(元|\d{{1,2}})(?:{_SEP}(\d{{1,2}}){_SEP}|年(\d{{1,2}})月)"
    r"(\d{1,2})日?",
    re.IGNORECASE,
)
DATE_FORMATS_HINT: Final = "2025-04-01、2025/4/1、R7.4.1、令和7年4月1日"
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100


def _make_date(raw: str, year: int, month: int, day: int) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueProblem(f"日付「{raw}」の年が正しくありません（{year}年）。")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"日付「{raw}」は存在しない日付です。") from None


def parse_date(cell: Cell) -> date | None:
    """A date as a spreadsheet stores it or as people write it; None when empty."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        if cell.time() != time():
            raise ValueProblem(
                f"日付「{cell.isoformat(' ')}」に時刻が入っています。日付だけにしてください。"
            )
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, bool | time):
        raise ValueProblem(
            f"「{text_of(cell)}」は日付ではありません。{DATE_FORMATS_HINT} のように入力してください。"
        )
    if isinstance(cell, int | float):
        raise ValueProblem(
            f"日付が数値（{text_of(cell)}）になっています。セルの書式を日付にするか、"
            f"{DATE_FORMATS_HINT} のように入力してください。"
        )
    raw = cell.strip()
    if not raw:
        return None
    # "2025-04-01 00:00:00" as some programs export a date: midnight only.
    text = _nfkc(re.sub(r"(?:\s+|T)0{1,2}:00(?::00)?$", "", unicodedata.normalize("NFKC", raw)))
    if match := _WESTERN.fullmatch(text):
        year, month1, month2, day = match.groups()
        return _make_date(raw, int(year), int(month1 or month2), int(day))
    if match := _COMPACT.fullmatch(text):
        year, month, day = match.groups()
        return _make_date(raw, int(year), int(month), int(day))
    if match := _JAPANESE.fullmatch(text):
        initial, number, month1, month2, day = match.groups()
        position = _ERA_BY_INITIAL[initial.upper() if initial.isascii() else initial]
        name, first, _initials = _ERAS[position]
        era_year = 1 if number == "元" else int(number)
        if era_year < 1:
            raise ValueProblem(f"日付「{raw}」の年が正しくありません（{name}0年はありません）。")
        parsed = _make_date(raw, first.year + era_year - 1, int(month1 or month2), int(day))
        if parsed < first:
            raise ValueProblem(
                f"日付「{raw}」は{name}の始まり（{first.year}年{first.month}月{first.day}日）"
                "より前です。年号か日付を確かめてください。"
            )
        if position > 0:
            following = _ERAS[position - 1][1]
            if parsed >= following:
                last = following - timedelta(days=1)
                raise ValueProblem(
                    f"日付「{raw}」は{_ERAS[position - 1][0]}の期間です（{name}は"
                    f"{last.year}年{last.month}月{last.day}日まで）。"
                    "年号か日付を確かめてください。"
                )
        return parsed
    raise ValueProblem(
        f"日付「{raw}」を読み取れません。{DATE_FORMATS_HINT} のように入力してください。"
    )


_YEN = re.compile(r"(-?)(?:(\d+)万)?(\d*)(?:\.0+)?")


def parse_yen(cell: Cell) -> int | None:
    """An amount in yen: 250000, 250,000, ￥250,000円, 25万円, ２５０，０００; None when empty."""
    if cell is None:
        return None
    if isinstance(cell, bool) or not isinstance(cell, int | float | str):
        raise ValueProblem(f"金額「{text_of(cell)}」は数字で入力してください（例: 250,000）。")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if not cell.is_integer():
            raise ValueProblem(f"金額「{cell}」は1円単位の整数で入力してください。")
        return int(cell)
    raw = cell.strip()
    if not raw:
        return None
    text = _nfkc(raw).replace(",", "").removeprefix("¥").removeprefix("\\").removesuffix("円")
    match = _YEN.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueProblem(
            f"金額「{raw}」を読み取れません。250000 や 250,000 のように円単位の整数で入力してください。"
        )
    sign, man, rest = match.groups()
    amount = int(man or 0) * 10_000 + int(rest or 0)
    return -amount if sign else amount


_TRUE: Final = frozenset(
    {"1", "true", "yes", "y", "はい", "○", "〇", "◯", "✓", "✔", "レ", "有", "あり", "該当", "海外"}
)
_FALSE: Final = frozenset(
    {"0", "false", "no", "n", "いいえ", "×", "✕", "-", "無", "なし", "非該当"}
)


def parse_flag(cell: Cell) -> bool:
    """Yes/no: はい・○・1・TRUE or いいえ・×・0・空欄."""
    if cell is None:
        return False
    if isinstance(cell, bool):
        return cell
    text = _nfkc(text_of(cell)).lower()
    if text == "" or text in _FALSE:
        return False
    if text in _TRUE:
        return True
    raise ValueProblem(f"「{text_of(cell)}」は はい／いいえ（○／空欄）で入力してください。")


def parse_lgcode(cell: Cell) -> tuple[str, ...]:
    """The 団体コード(s) a cell can mean, each as 6 digits with a valid check digit.

    Empty → (); a name (not digits) → () as well: the services look the name up. Two codes
    when a 5-digit value could be a 5-digit code or a 6-digit one whose leading 0 a spreadsheet
    dropped (12025: 12025x or 012025): the services keep the one that exists."""
    text = _nfkc(text_of(cell))
    labelled = re.fullmatch(r"(\d{4,6})(\D.*)?", text)
    if labelled is None:
        if re.fullmatch(r"[\d-]+", text):
            raise ValueProblem(
                f"団体コード「{text_of(cell)}」は6桁の数字で入力してください（例: 012025）。"
            )
        return ()
    digits = labelled.group(1)
    try:
        if len(digits) == 4:  # "01202" with its leading 0 dropped
            return (normalise_lgcode("0" + digits),)
        if len(digits) == 6 or digits.startswith("0"):
            return (normalise_lgcode(digits),)
        codes = [normalise_lgcode(digits)]
    except CodeError as error:
        raise ValueProblem(error.message) from None
    padded = "0" + digits
    if check_digit(padded[:5]) == padded[5]:
        codes.append(padded)
    return tuple(codes)


def name_key(name: str) -> str:
    """Names compared for duplicates: NFKC, without spaces (山田 花子 = 山田　花子)."""
    return _nfkc(name)


# --- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as a spreadsheet numbers it; the header row is usually 1
    column: str  # the header as written in the file ("見出し" for the header itself)
    message: str
    field: str = ""  # the AppointmentData field, when the error is about one

    def __str__(self) -> str:
        return (
            f"{self.row}行目・{self.column}: {self.message}"
            if self.column
            else (f"{self.row}行目: {self.message}")
        )


@dataclass(frozen=True, slots=True)
class ParsedRow:
    row: int
    member_name: str = ""
    member_kana: str = ""
    member_email: str = ""
    program: str = ""
    funding_variant: str = ""
    kind: str = ""
    municipality: str = ""  # as written (a code, or a name the services look up)
    municipality_codes: tuple[str, ...] = ()
    activity_area: str = ""
    start_date: date | None = None
    planned_end_date: date | None = None
    origin: str = ""
    origin_area: str = ""
    origin_overseas: bool = False
    residence_moved_on: date | None = None
    monthly_reward_yen: int | None = None
    note: str = ""
    ended_on: date | None = None
    end_reason: str = ""
    end_note: str = ""
    unreadable: frozenset[str] = field(default_factory=frozenset)  # fields with a RowError


_PARSERS: Final[Mapping[str, Callable[[Cell], object]]] = {
    "program": parse_program,
    "kind": parse_kind,
    "start_date": parse_date,
    "planned_end_date": parse_date,
    "residence_moved_on": parse_date,
    "ended_on": parse_date,
    "end_reason": parse_end_reason,
    "monthly_reward_yen": parse_yen,
    "origin_overseas": parse_flag,
    "municipality_codes": parse_lgcode,
}


def _cell(row: Sequence[Cell], header: Header, key: str) -> Cell:
    position = header.index.get(key)
    return row[position] if position is not None and position < len(row) else None


def _parse_row(
    number: int, row: Sequence[Cell], header: Header
) -> tuple[ParsedRow, list[RowError]]:
    values: dict[str, object] = {}
    errors: list[RowError] = []
    for column in COLUMNS:
        cell = _cell(row, header, column.key)
        if column.key == "municipality_lgcode":
            values["municipality"] = text_of(cell)
            target = "municipality_codes"
        else:
            target = column.key
        parser = _PARSERS.get(target)
        try:
            if parser is not None:
                values[target] = parser(cell)
            elif column.key == "member_email":
                values[target] = unicodedata.normalize("NFKC", text_of(cell))
            else:
                values[target] = text_of(cell)
        except ValueProblem as problem:
            errors.append(RowError(number, header.title(column.key), str(problem), column.key))
    unreadable = frozenset(e.field for e in errors)
    return ParsedRow(row=number, unreadable=unreadable, **values), errors  # type: ignore[arg-type]


def parse_rows(rows: Sequence[Sequence[Cell]]) -> tuple[list[ParsedRow], list[RowError]]:
    """Every person row after the header (blank rows skipped), and every problem by row and
    column: unreadable cells, and a person listed twice with the same start date.

    A header problem is the only error returned then (row = the header's row, column 見出し)."""
    try:
        header = header_find(rows)
    except HeaderError as error:
        return [], [RowError(error.row, HEADER_COLUMN, error.message)]
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, date], int] = {}
    for number, row in enumerate(rows[header.row :], start=header.row + 1):
        if all(_is_blank(c) for c in row):
            continue
        item, row_errors = _parse_row(number, row, header)
        parsed.append(item)
        errors.extend(row_errors)
        if item.member_name and item.start_date is not None:
            key = (name_key(item.member_name), item.start_date)
            if key in seen:
                errors.append(
                    RowError(
                        number,
                        header.title("member_name"),
                        f"{seen[key]}行目と同じ氏名・任期開始日です。同じ人を二度登録しようとして"
                        "いないか確かめてください。",
                        "member_name",
                    )
                )
            else:
                seen[key] = number
    return parsed, errors


# --- files ----------------------------------------------------------------------------------


class RosterFileError(ValueError):
    """The file as a whole cannot be read (encoding, format, size)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _halfwidth_katakana_share(text: str) -> float:
    non_ascii = [c for c in text if not c.isascii()]
    if not non_ascii:
        return 0.0
    return sum(1 for c in non_ascii if "\uff61" <= c <= "\uff9f") / len(non_ascii)


def csv_decode(content: bytes) -> tuple[str, str]:
    """(text, encoding name shown to people): UTF-8 with or without BOM, or Shift_JIS (CP932).

    RosterFileError for anything else (UTF-16, EUC-JP, binary files)."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8（BOM付き）"
        except UnicodeDecodeError as error:
            raise RosterFileError(
                f"ファイルの文字コードを読み取れません（UTF-8 の印がありますが、{error.start}バイト目が"
                "UTF-8 ではありません）。CSV UTF-8 で保存し直してください。"
            ) from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RosterFileError(
            "UTF-16（Unicode テキスト）のファイルには対応していません。"
            "Excel の「CSV UTF-8（コンマ区切り）」で保存し直してください。"
        )
    if b"\x00" in content[:4096]:
        raise RosterFileError(
            "CSV ファイルではないようです（文字でないデータが含まれています）。"
            "CSV（.csv）か Excel ブック（.xlsx）を選んでください。"
        )
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp932")
    except UnicodeDecodeError:
        raise RosterFileError(
            "ファイルの文字コードを判別できません。UTF-8 か Shift_JIS のどちらでもありません。"
            "Excel の「CSV UTF-8（コンマ区切り）」で保存し直してください。"
        ) from None
    # EUC-JP bytes decode as CP932 too, but as a run of half-width katakana: refuse, not guess.
    if _halfwidth_katakana_share(text) > 0.5:
        raise RosterFileError(
            "ファイルの文字コードを判別できません（EUC-JP などの可能性があります）。"
            "Excel の「CSV UTF-8（コンマ区切り）」で保存し直してください。"
        )
    return text, "Shift_JIS（CP932）"


def csv_rows(text: str) -> list[list[Cell]]:
    """The records of a CSV text (comma-separated; tab-separated when the first line has tabs
    and no commas). RosterFileError beyond MAX_ROWS person rows."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    rows: list[list[Cell]] = []
    filled = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(list(record[:MAX_COLUMNS]))
            if any(value.strip() for value in record):
                filled += 1
                if filled > MAX_ROWS + HEADER_SCAN_ROWS:
                    raise RosterFileError(too_many_rows_message())
    except csv.Error as error:
        raise RosterFileError(
            f"CSV として読み取れません（{len(rows) + 1}行目: {error}）。"
        ) from None
    return rows


def too_many_rows_message() -> str:
    return (
        f"行数が多すぎます。1回に取り込めるのは{MAX_ROWS:,}行までです。ファイルを分けてください。"
    )


# --- the template -----------------------------------------------------------------------------


def template_csv(*, lgcode: str) -> bytes:
    """The template people fill in: UTF-8 with BOM (Excel opens it as UTF-8), the headers and
    one example row in the host's municipality `lgcode`."""
    example = {
        "member_name": "山田 花子",
        "member_kana": "やまだ はなこ",
        "member_email": "hanako@example.jp",
        "program": OPENING_PROGRAM_LABELS[OpeningProgram.KYORYOKUTAI],
        "funding_variant": "",
        "kind": APPOINTMENT_KIND_LABELS[AppointmentKind.ENTRUSTMENT],
        "municipality_lgcode": lgcode,
        "activity_area": "",
        "start_date": "2025-04-01",
        "planned_end_date": "2028-03-31",
        "origin": "100-0001",
        "origin_area": "",
        "origin_overseas": "",
        "residence_moved_on": "2025-04-01",
        "monthly_reward_yen": "240000",
        "note": "",
        "ended_on": "",  # an ended term: 終了日, 終了の理由 (任期満了 …), 終了の詳細
        "end_reason": "",
        "end_note": "",
    }
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow([example[c.key] for c in COLUMNS])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
