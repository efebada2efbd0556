"""Checks on uploaded files by their content, not their name (pure)."""

from __future__ import annotations

from typing import Final, Protocol

MAX_CV_BYTES: Final = 5 * 1024 * 1024
HEAD_BYTES: Final = 1024
TAIL_BYTES: Final = 2048


class Upload(Protocol):
    size: int | None

    def seek(self, offset: int) -> object: ...
    def read(self, size: int = -1) -> bytes: ...


def head_and_tail(upload: Upload) -> tuple[bytes, bytes, int]:
    """The first and last bytes of an upload and its size, for the checks below; the upload
    is rewound afterwards so it can be saved."""
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(max(0, size - TAIL_BYTES))
    tail = upload.read()
    upload.seek(0)
    return head, tail, size


def pdf_problem(head: bytes, tail: bytes, size: int) -> str | None:
    """A Japanese message when the bytes are not a plausible PDF of an allowed size."""
    if size == 0:
        return "ファイルが空です。"
    if size > MAX_CV_BYTES:
        return f"ファイルが大きすぎます（上限 {MAX_CV_BYTES // (1024 * 1024)}MB）。"
    if not head.startswith(b"%PDF-"):
        return "PDFファイルではありません（ファイルの中身がPDFの形式ではありません）。"
    if b"%%EOF" not in tail:
        return "PDFファイルが途中で切れているか、壊れています。"
    return None


MAX_RECEIPT_BYTES: Final = 5 * 1024 * 1024

# Receipts come as scans or phone photos as often as PDFs.
RECEIPT_TYPES: Final = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def receipt_type(head: bytes, tail: bytes, size: int) -> tuple[str | None, str, str]:
    """(problem, content type, extension) of a receipt judged by its bytes."""
    if size == 0:
        return "ファイルが空です。", "", ""
    if size > MAX_RECEIPT_BYTES:
        limit = MAX_RECEIPT_BYTES // (1024 * 1024)
        return f"領収書のファイルが大きすぎます（上限 {limit}MB）。", "", ""
    for magic, content_type, extension in RECEIPT_TYPES:
        if head.startswith(magic):
            if extension == "pdf" and b"%%EOF" not in tail:
                return "PDFファイルが途中で切れているか、壊れています。", "", ""
            return None, content_type, extension
    return (
        "領収書はPDF・JPEG・PNGのいずれかにしてください（ファイルの中身で判定しています）。",
        "",
        "",
    )
