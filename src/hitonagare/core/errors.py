"""Errors the domain raises on bad input, mapped once to HTTP (api), exit 2 (CLI) and forms."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Bad input from the user: a stable `code`, a Japanese `message`, an HTTP status."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        candidates: Sequence[dict[str, str]] = (),
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.candidates = list(candidates)
        self.field = field  # the input it is about, when known (forms show it there)

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.candidates:
            body["candidates"] = self.candidates
        if self.field:
            body["field"] = self.field
        return body


class NotFoundError(DomainError):
    status = 404
