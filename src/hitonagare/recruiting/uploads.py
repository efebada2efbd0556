"""Checks on uploaded files by their content, not their name (pure)."""

from __future__ import annotations

from typing import Final

MAX_CV_BYTES: Final = 5 * 1024 * 1024


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
