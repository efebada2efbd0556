"""hitonagare demo-data --openings N --applicants M [--members K] [--seed S] [--reset] [--if-empty]

Demo organisations, staff, openings, applicants and applications for local development
(recruiting/demo.py). Refuses to run with the production settings unless --force.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from hitonagare.core.commands import EXIT_BAD_INPUT, DomainCommand
from hitonagare.recruiting import demo
from hitonagare.recruiting.models import Opening


class Command(DomainCommand):
    help = "ローカル開発用のデモデータ（組織・職員・募集・応募者・応募）を作成します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--openings", type=int, default=400, help="募集の件数（400）")
        parser.add_argument("--applicants", type=int, default=60, help="応募者の人数（60）")
        parser.add_argument(
            "--members", type=int, default=0, help="隊員（委嘱・任用と月次報告）の人数（0）"
        )
        parser.add_argument("--seed", type=int, default=1, help="乱数の種（1）: 同じ種で同じ内容")
        parser.add_argument(
            "--reset", action="store_true", help="先に既存のデモデータを削除してから作成"
        )
        parser.add_argument(
            "--delete", action="store_true", help="デモデータを削除するだけ（作成しない）"
        )
        parser.add_argument("--if-empty", action="store_true", help="募集が1件でもあれば何もしない")
        parser.add_argument(
            "--password",
            help="デモユーザー全員のパスワード（省略時: DEBUG か --print-credentials のときだけ"
            "開発用の固定値、それ以外はログインできないパスワード）",
        )
        parser.add_argument(
            "--print-credentials",
            action="store_true",
            help="代表的なデモアカウントのログイン情報を表示（ローカル開発用）",
        )
        parser.add_argument(
            "--force", action="store_true", help="本番の設定でも実行する（推奨しません）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        production = demo.production_settings()
        if production and not options["force"]:
            raise CommandError(
                "本番の設定（hitonagare.config.settings.production）ではデモデータを扱いません。"
                "どうしても必要なら --force を付けてください。",
                returncode=EXIT_BAD_INPUT,
            )
        self.run_domain(lambda: self._run(options, production=production), as_json=False)

    def _run(self, o: dict[str, Any], *, production: bool) -> None:
        if o["openings"] < 0 or o["applicants"] < 0 or o["members"] < 0:
            raise CommandError("件数は0以上で指定してください。", returncode=EXIT_BAD_INPUT)
        if o["reset"] or o["delete"]:
            started = time.monotonic()
            deleted = demo.demo_data_delete()
            self.stdout.write(
                f"デモデータを削除しました: ユーザー {deleted.users:,}、募集 {deleted.openings:,}、"
                f"応募 {deleted.applications:,}、隊員 {deleted.members:,}、"
                f"組織 {deleted.organisations:,}"
                f"（{time.monotonic() - started:.1f} 秒）"
            )
            if o["delete"]:
                return
        if o["if_empty"] and (Opening.objects.exists() or demo.demo_users().exists()):
            self.stdout.write(
                "募集またはデモユーザーがすでにあるため、デモデータは作成しません（--if-empty）。"
            )
            if o["print_credentials"] and demo.demo_users().exists():
                self._print_existing_credentials(production=production)
            return
        password = o["password"]
        if password is None and not production and (settings.DEBUG or o["print_credentials"]):
            password = demo.DEV_PASSWORD
        result = demo.demo_data_create(
            openings=o["openings"],
            applicants=o["applicants"],
            members=o["members"],
            seed=o["seed"],
            password=password,
            progress=lambda message: self.stderr.write(f"[demo] {message}"),
            allow_production=production,  # only reached with --force
        )
        self.stdout.write(
            f"デモデータを作成しました（{result.seconds:.1f} 秒, seed {o['seed']}）: "
            f"募集 {result.openings:,}（公開 {result.published:,}）、"
            f"募集団体 {result.host_organisations:,}、職員 {result.staff_users:,}、"
            f"応募者 {result.applicants:,}、応募 {result.applications:,}、"
            f"隊員 {result.members:,}（月次報告 {result.reports:,}）"
        )
        if o["print_credentials"]:
            self._print_credentials(result, password, production=production)
        elif not result.password_set:
            self.stdout.write(
                "デモユーザーにはパスワードを設定していません（ログインできません）。"
                "ログインして試すには --print-credentials か --password を付けて作り直してください。"
            )

    def _print_existing_credentials(self, *, production: bool) -> None:
        sample = demo.demo_users().order_by("email").first()
        if sample is None:
            return
        if not sample.has_usable_password():
            shown = "（未設定: ログインできません）"
        elif not production and sample.check_password(demo.DEV_PASSWORD):
            shown = demo.DEV_PASSWORD
        else:
            shown = "（作成時に --password で指定したもの）"
        self._write_credentials(demo.demo_credentials(), shown)

    def _print_credentials(
        self, result: demo.DemoResult, password: str | None, *, production: bool
    ) -> None:
        if password is None:
            shown = "（未設定: ログインできません）"
        elif password == demo.DEV_PASSWORD and not production:
            shown = password
        else:
            shown = "（--password で指定したもの）"
        self._write_credentials(result.credentials, shown)

    def _write_credentials(self, credentials: list[demo.Credential], shown: str) -> None:
        self.stdout.write("")
        self.stdout.write("=== ローカル開発用のデモアカウント（本番では使わないでください） ===")
        self.stdout.write(f"パスワード（全員共通）: {shown}")
        for credential in credentials:
            self.stdout.write(
                f"  {credential.role:<10} {credential.email:<44} {credential.organisation}"
            )
        self.stdout.write(
            f"ほかのデモユーザーも @{demo.DEMO_EMAIL_DOMAIN} のアドレスで同じパスワードです。"
        )
