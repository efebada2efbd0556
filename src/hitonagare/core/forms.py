"""Form plumbing shared by every app's pages: a service's errors under the fields, and the
POST half of a form page (valid form → service → redirect, else the page again)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.http import HttpResponse

from .errors import ConflictError, InvalidInputError

T = TypeVar("T")


class DomainErrorsMixin:
    """Put a service's field → message map under the fields (unknown keys on top); a field
    whose format check already failed keeps that message."""

    def add_domain_errors(self, errors: Mapping[str, str]) -> None:
        form: Any = self
        for name, message in errors.items():
            field = name if name in form.fields else None
            if field is not None and field in form.errors:
                continue
            form.add_error(field, message)


def submit(
    form: forms.Form,
    action: Callable[[dict[str, Any]], T],
    *,
    done: Callable[[T], HttpResponse],
    redisplay: Callable[[str, int], HttpResponse],
    when_invalid: Callable[[], None] | None = None,
) -> HttpResponse:
    """Run `action(cleaned_data)` for a valid form and answer `done(result)`.

    InvalidInputError puts the service's messages under the fields; ConflictError (the
    state changed meanwhile) becomes the page's problem text with 409. Otherwise the page is
    shown again with `redisplay(problem, status)` (400). `when_invalid` may add more
    messages to a form that failed its own checks, so all errors show at once."""
    problem, status = "", 400
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)  # type: ignore[attr-defined]
        except ConflictError as error:
            problem, status = error.message, 409
        else:
            return done(result)
    elif when_invalid is not None:
        when_invalid()
    return redisplay(problem, status)
