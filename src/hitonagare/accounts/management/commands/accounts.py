"""hitonagare accounts create-ministry-admin --email E --password-stdin [--json]"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser

from hitonagare.accounts import services
from hitonagare.core.commands import DomainCommand
from hitonagare.core.errors import DomainError


class Command(DomainCommand):
    help = "アカウントの管理（総務省の管理者の作成）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        create = sub.add_parser(
            "create-ministry-admin",
            help="総務省の組織（なければ作成）に管理者のアカウントを作る",
        )
        create.add_argument("--email", required=True, help="メールアドレス（ログインに使う）")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="パスワードを標準入力の1行目から読む（指定しなければ対話で入力）",
        )
        create.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        self.run_domain(lambda: getattr(self, f"_{action}")(options), as_json=options["json"])

    def _read_password(self, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\r\n")
        import getpass

        first = getpass.getpass("パスワード: ")
        if first != getpass.getpass("パスワード（確認）: "):
            raise DomainError("password_mismatch", "確認用のパスワードが一致しません。")
        return first

    def _create_ministry_admin(self, options: dict[str, Any]) -> None:
        user = services.ministry_admin_create(
            email=options["email"], password=self._read_password(options)
        )
        organisation = user.membership.organisation
        if options["json"]:
            self.emit_json({"id": user.pk, "email": user.email, "organisation": organisation.name})
            return
        self.stdout.write(
            f"作成しました: {user.email}（{organisation.name}の管理者）。"
            "/accounts/login/ からログインし、/admin/ を開けます。"
        )
