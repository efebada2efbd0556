"""Importing an existing roster (名簿) from CSV or xlsx: all or nothing.

Every row goes through the validation of a single appointment (services.appointment_problems)
and, when the whole file is clean, through services.appointment_create itself, so an imported
appointment is the same as one entered on the form: 地域要件 evaluated with its facts and one
audit event each, plus one event for the import. A dry run (the default) does all of it in a
transaction that is rolled back, so what it reports is exactly what a commit would do.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from hitonagare.accounts.models import Organisation
from hitonagare.accounts.roles import require_host_staff
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import DomainError, InvalidInputError
from hitonagare.recruiting.rules import OPENING_PROGRAM_LABELS, OpeningProgram
from hitonagare.regions import selectors as regions
from hitonagare.regions.models import Municipality

from . import roster, rules
from .models import Appointment
from .roster import Cell, ParsedRow, RowError
from .services import AppointmentData, appointment_create, appointment_end, appointment_problems

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
MAX_EMPTY_ROWS_IN_A_ROW = 1000
# How recruiting.services.municipality_in_host_area says "no such municipality" (a form's words).
_NO_MUNICIPALITY = "活動地域の市区町村を団体コードまたは候補から選んでください"  # a sheet "used" down to row 1,048,576 stops here


@dataclass(frozen=True)
class ImportedRow:
    """One appointment as it was (or would be) created: for the preview table."""

    row: int
    member_name: str
    program_label: str
    municipality_name: str
    start_date: date
    planned_end_date: date
    eligible: bool | None  # the 地域要件; None when not judged (no 転出元, or no such rule)


@dataclass(frozen=True)
class ImportResult:
    created: int  # appointments written (0 on a dry run or when any row has an error)
    errors: list[RowError]
    rows: int  # person rows read from the file
    committed: bool = False
    encoding: str = ""  # how a CSV was decoded ("" for xlsx)
    ignored_columns: tuple[str, ...] = ()
    preview: list[ImportedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _file_error(message: str) -> DomainError:
    return DomainError("roster_file_invalid", message, field="file")


# --- reading --------------------------------------------------------------------------------


def roster_table_read(*, content: bytes, filename: str) -> tuple[list[list[Cell]], str]:
    """The cells of the file's rows, and the CSV encoding ("" for xlsx). The format is decided
    by the content; an extension that says otherwise is refused."""
    name = filename.lower()
    if len(content) > roster.MAX_BYTES:
        raise _file_error(
            f"ファイルが大きすぎます（{len(content) / 1024 / 1024:.1f}MB）。"
            f"{roster.MAX_BYTES // 1024 // 1024}MBまでにしてください。"
        )
    if not content.strip():
        raise _file_error("ファイルが空です。")
    is_zip = content.startswith(ZIP_MAGIC)
    if content.startswith(OLE2_MAGIC):
        raise _file_error(
            "Excel 97-2003 形式（.xls）やパスワード付きのブックは読み込めません。"
            "パスワードを外し、Excel ブック（.xlsx）か CSV で保存し直してください。"
        )
    if name.endswith(".xlsx") and not is_zip:
        raise _file_error("拡張子は .xlsx ですが、中身が Excel ブックではありません。")
    if is_zip:
        if name.endswith(CSV_EXTENSIONS):
            raise _file_error(
                "拡張子は .csv ですが、中身は CSV ではありません（Excel ブックなどの形式です）。"
            )
        return _xlsx_rows(content), ""
    if not name.endswith(CSV_EXTENSIONS) and "." in name.rsplit("/", 1)[-1]:
        raise _file_error("CSV（.csv）か Excel ブック（.xlsx）のファイルを選んでください。")
    try:
        text, encoding = roster.csv_decode(content)
        return roster.csv_rows(text), encoding
    except roster.RosterFileError as error:
        raise _file_error(error.message) from None


def _xlsx_rows(content: bytes) -> list[list[Cell]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _file_error(
                    "Excel ブック（.xlsx）ではありません（ODS や Word などの形式のようです）。"
                    "Excel ブックか CSV で保存し直してください。"
                )
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception:
        raise _file_error(
            "Excel ブック（.xlsx）として読み取れません。ファイルが壊れていないか確かめてください。"
        ) from None
    try:
        if not workbook.worksheets:
            raise _file_error("ブックにシートがありません。")
        sheet = workbook.worksheets[0]
        rows: list[list[Cell]] = []
        filled = empty_run = 0
        for values in sheet.iter_rows(values_only=True, max_col=roster.MAX_COLUMNS):
            row = list(values)
            while row and row[-1] is None:
                row.pop()
            if not any(v is not None and str(v).strip() for v in row):
                empty_run += 1
                if empty_run > MAX_EMPTY_ROWS_IN_A_ROW:
                    break
                rows.append([])
                continue
            empty_run = 0
            filled += 1
            if filled > roster.MAX_ROWS + roster.HEADER_SCAN_ROWS:
                raise _file_error(roster.too_many_rows_message())
            rows.append(row)
        return rows
    finally:
        workbook.close()


# --- checking against the database ----------------------------------------------------------


def _municipality_lgcode(item: ParsedRow) -> tuple[str, str | None]:
    """(the 団体コード to validate, a problem) from what the row's cell held."""
    if item.municipality_codes:
        if len(item.municipality_codes) == 1:
            return item.municipality_codes[0], None
        existing = list(
            Municipality.objects.filter(lgcode__in=item.municipality_codes).order_by("lgcode")
        )
        if len(existing) == 1:
            return existing[0].lgcode, None
        if not existing:
            return item.municipality_codes[0], None  # appointment_problems says "not found"
        names = "、".join(f"{m.lgcode}（{m.full_name}）" for m in existing)
        return "", (
            f"団体コード「{item.municipality}」は {names} のどちらか決まりません。"
            "先頭の0を含めた6桁で入力してください。"
        )
    if not item.municipality or "municipality_lgcode" in item.unreadable:
        return "", None
    try:
        resolved = regions.place_resolve(query=item.municipality)
    except DomainError as error:
        return "", error.message
    return (resolved.ward or resolved.municipality).lgcode, None


def _variant_codes() -> dict[str, str]:
    """区分 by its label (企業派遣型 → dispatch) as funding.rules names them; a value that is
    neither a label nor a code is passed on, and the funding rules say what is allowed."""
    from hitonagare.funding.rules import VARIANT_LABELS

    return {_variant_key(label): v.value for v, label in VARIANT_LABELS.items() if label != "—"}


def _variant_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _data_of(item: ParsedRow, lgcode: str, variants: dict[str, str]) -> AppointmentData:
    variant = item.funding_variant
    return AppointmentData(
        member_name=item.member_name,
        member_kana=item.member_kana,
        member_email=item.member_email,
        program=item.program,
        kind=item.kind,
        funding_variant=variants.get(_variant_key(variant), variant) if variant else "",
        municipality_lgcode=lgcode,
        activity_area=item.activity_area,
        start_date=item.start_date,
        planned_end_date=item.planned_end_date,
        origin=item.origin,
        origin_area=item.origin_area,
        origin_overseas=item.origin_overseas,
        residence_moved_on=item.residence_moved_on,
        monthly_reward_yen=item.monthly_reward_yen,
        note=item.note,
    )


def _origin_hint(item: ParsedRow, message: str) -> str:
    digits = item.origin.replace("-", "")
    if digits.isdigit() and len(digits) == 6:
        return message + "（郵便番号なら、表計算ソフトで先頭の0が消えていないか確かめてください。）"
    return message


def _existing_duplicates(
    host: Organisation, items: Iterable[ParsedRow]
) -> dict[tuple[str, date], int]:
    """(name, start date) → the id of an appointment the host already has."""
    starts = {item.start_date for item in items if item.start_date is not None}
    return {
        (roster.name_key(name), start): pk
        for pk, name, start in Appointment.objects.filter(
            host=host, start_date__in=starts
        ).values_list("pk", "member_name", "start_date")
    }


def _validate(
    parsed: list[ParsedRow], header: roster.Header, host: Organisation
) -> tuple[list[tuple[ParsedRow, AppointmentData]], list[RowError]]:
    checked: list[tuple[ParsedRow, AppointmentData]] = []
    errors: list[RowError] = []
    existing = _existing_duplicates(host, parsed)
    variants = _variant_codes() if any(item.funding_variant for item in parsed) else {}
    for item in parsed:
        lgcode, municipality_problem = _municipality_lgcode(item)
        data = _data_of(item, lgcode, variants)
        problems, _municipality, _origin = appointment_problems(data, host=host)
        if municipality_problem:
            problems["municipality_lgcode"] = municipality_problem
        elif problems.get("municipality_lgcode", "").startswith(_NO_MUNICIPALITY):
            problems["municipality_lgcode"] = (
                f"団体コード「{lgcode}」の市区町村は見つかりません。"
                if lgcode
                else "活動する市町村の団体コードを入力してください（例: 012025）。"
            )
        if "program" in problems and not item.program:
            problems["program"] = "制度を入力してください（例: 地域おこし協力隊）。"
        if "origin" in problems:
            problems["origin"] = _origin_hint(item, problems["origin"])
        if item.start_date is not None and item.member_name.strip():
            duplicate = existing.get((roster.name_key(item.member_name), item.start_date))
            if duplicate is not None:
                problems.setdefault(
                    "member_name",
                    f"同じ氏名・任期開始日の委嘱・任用がすでに登録されています（ID {duplicate}）。",
                )
        if (item.ended_on or item.end_reason or item.end_note) and (
            item.start_date is not None and item.planned_end_date is not None
        ):
            # The same rules as recording the end on the page (rules.end_problems).
            end_columns = {"ended_on": "ended_on", "reason": "end_reason", "note": "end_note"}
            for key, message in rules.end_problems(
                start=item.start_date,
                planned_end=item.planned_end_date,
                ended_on=item.ended_on,
                reason=item.end_reason,
                note=item.end_note,
                today=timezone.localdate(),
            ).items():
                problems.setdefault(end_columns[key], message)
        for key, message in problems.items():
            if key not in item.unreadable:  # the cell's own reading error says more
                errors.append(RowError(item.row, header.title(key), message, key))
        checked.append((item, data))
    return checked, errors


def _sorted(errors: list[RowError]) -> list[RowError]:
    order = {column.key: i for i, column in enumerate(roster.COLUMNS)}
    return sorted(errors, key=lambda e: (e.row, order.get(e.field, len(order))))


def _preview(item: ParsedRow, appointment: Appointment) -> ImportedRow:
    return ImportedRow(
        row=item.row,
        member_name=appointment.member_name,
        program_label=OPENING_PROGRAM_LABELS[OpeningProgram(appointment.program)],
        municipality_name=appointment.municipality.full_name,
        start_date=appointment.start_date,
        planned_end_date=appointment.planned_end_date,
        eligible=appointment.eligibility_eligible,
    )


# --- the import -----------------------------------------------------------------------------


def roster_import(*, user: Any, content: bytes, filename: str, commit: bool) -> ImportResult:
    """Check a roster file and, with commit=True and no error in any row, create every
    appointment in one transaction. Nothing is written when any row has an error.

    DomainError when the file as a whole cannot be read (size, format, encoding, row count);
    row problems come back in ImportResult.errors, by row and column."""
    host = require_host_staff(user)
    table, encoding = roster_table_read(content=content, filename=filename)
    parsed, errors = roster.parse_rows(table)
    if len(parsed) > roster.MAX_ROWS:
        raise _file_error(roster.too_many_rows_message())
    try:
        header = roster.header_find(table)
    except roster.HeaderError:
        return ImportResult(created=0, errors=errors, rows=0, encoding=encoding)
    if not parsed and not errors:
        errors = [RowError(header.row + 1, "", "見出しの下に隊員の行がありません。")]
    result = ImportResult(
        created=0,
        errors=errors,
        rows=len(parsed),
        encoding=encoding,
        ignored_columns=header.ignored,
    )
    try:
        with transaction.atomic():
            # One import at a time per organisation: the duplicate check below stays true.
            Organisation.objects.select_for_update().filter(pk=host.pk).first()
            checked, problems = _validate(parsed, header, host)
            errors = _sorted(errors + problems)
            if errors:
                result = ImportResult(
                    created=0,
                    errors=errors,
                    rows=len(parsed),
                    encoding=encoding,
                    ignored_columns=header.ignored,
                )
                raise _Rollback
            preview: list[ImportedRow] = []
            for item, data in checked:
                try:
                    appointment = appointment_create(user=user, data=data)
                    if item.ended_on is not None:
                        appointment = appointment_end(
                            user=user,
                            appointment_id=appointment.pk,
                            ended_on=item.ended_on,
                            reason=item.end_reason,
                            note=item.end_note,
                        )
                except InvalidInputError as error:  # only if the data changed under us
                    errors.extend(
                        RowError(item.row, header.title(k), m, k) for k, m in error.errors.items()
                    )
                    continue
                preview.append(_preview(item, appointment))
            if errors:
                result = ImportResult(
                    created=0,
                    errors=_sorted(errors),
                    rows=len(parsed),
                    encoding=encoding,
                    ignored_columns=header.ignored,
                )
                raise _Rollback
            audit_record(
                actor=user,
                action="appointment.import",
                target=host,
                organisation=host,
                data={
                    "filename": filename[-200:],
                    "rows": len(parsed),
                    "encoding": encoding or "xlsx",
                },
            )
            result = ImportResult(
                created=len(preview) if commit else 0,
                errors=[],
                rows=len(parsed),
                committed=commit,
                encoding=encoding,
                ignored_columns=header.ignored,
                preview=preview,
            )
            if not commit:
                raise _Rollback
    except _Rollback:
        pass
    return result
