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


class PermissionDeniedError(DomainError):
    """The user is known but their role or organisation does not allow this."""

    status = 403


class ConflictError(DomainError):
    """The request is valid but clashes with the current state (e.g. a second application)."""

    status = 409


class InvalidInputError(DomainError):
    """Several fields are wrong at once: `errors` maps each field to its Japanese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_field, first_message = next(iter(errors.items()))
        count = len(errors)
        message = (
            first_message if count == 1 else f"入力に{count}件の誤りがあります。{first_message}"
        )
        super().__init__("invalid_input", message, field=first_field)
        self.errors = dict(errors)

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["errors"] = self.errors
        return body
