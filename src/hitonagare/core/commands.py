"""Shared plumbing for the `hitonagare …` commands: output and the exit status on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from .errors import DomainError

EXIT_BAD_INPUT = 2


class DomainCommand(BaseCommand):
    """A command whose subcommands raise DomainError for bad input: exit status 2."""

    def emit_json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str))

    def run_domain(self, func: Callable[[], None], *, as_json: bool) -> None:
        try:
            func()
        except DomainError as error:
            if as_json:
                self.stdout.write(json.dumps({"error": error.as_dict()}, ensure_ascii=False))
            message = f"エラー（{error.code}）: {error.message}"
            for c in error.candidates:
                message += f"\n  候補: {c['lgcode']} {c['prefecture']}{c['name']}"
            raise CommandError(message, returncode=EXIT_BAD_INPUT) from None


def parse_date_option(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            "invalid_date", f"日付「{value}」は YYYY-MM-DD の形式で入力してください。"
        ) from None
