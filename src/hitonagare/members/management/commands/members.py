"""hitonagare members import FILE --as EMAIL [--commit] | remind-overdue [--today YYYY-MM-DD]"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from hitonagare.accounts.models import User
from hitonagare.core.commands import EXIT_BAD_INPUT, DomainCommand, parse_date_option
from hitonagare.core.errors import DomainError
from hitonagare.members import roster, services_import, services_reports

IMPORT_HELP = f"""\
名簿（CSV または Excel ブック .xlsx）から委嘱・任用をまとめて登録します。

--as に指定した市区町村・都道府県の職員として取り込みます（その団体の隊員になります）。
既定は確認のみで、何も書き込みません。誤りがなければ --commit を付けて登録します。
1行でも誤りがあれば何も登録せず、行と列ごとの誤りを表示して終了コード 2 で終わります。

CSV は UTF-8（BOM 付き・なし）か Shift_JIS（CP932）。{roster.MAX_BYTES // 1024 // 1024}MB・{roster.MAX_ROWS:,}行まで。
必須の列: {"、".join(c.header for c in roster.COLUMNS if c.required)}
読み取る列: {"、".join(c.header for c in roster.COLUMNS)}
"""

REMIND_HELP = """\
期限（翌月の提出期限日）を過ぎても月次活動報告が出ていない隊員に、催促のメールを送ります。
同じ隊員には1日1通まで: 何度実行しても、同じ日に二通目は送りません。cron で毎日:

  CRON_TZ=Asia/Tokyo
  DJANGO_SETTINGS_MODULE=hitonagare.config.settings.production
  0 9 * * * cd /srv/hitonagare && .venv/bin/hitonagare members remind-overdue >> var/log/remind-overdue.log 2>&1

（本番と同じ環境変数 — DATABASE_URL やメールの設定など — を crontab か呼び出すスクリプトで設定してください。）
"""


class Command(DomainCommand):
    help = (
        "隊員・任期の処理。import: 名簿（CSV・xlsx）の取り込み（既定は確認のみ、--commit で登録）。"
        "remind-overdue: 未提出の月次活動報告の催促メール（cron で毎日）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        load = sub.add_parser(
            "import",
            help="名簿（CSV・xlsx）から委嘱・任用を登録する（既定は確認のみ）",
            description=IMPORT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        load.add_argument("file", help="名簿ファイル（.csv または .xlsx）")
        load.add_argument(
            "--as",
            dest="as_email",
            required=True,
            help="この職員として取り込む（メールアドレス）",
        )
        load.add_argument(
            "--commit", action="store_true", help="誤りがなければ登録する（既定は確認のみ）"
        )
        remind = sub.add_parser(
            "remind-overdue",
            help="未提出の月次活動報告の催促メールを送る（1人1日1通まで）",
            description=REMIND_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        remind.add_argument("--today", help="この日を「今日」として扱う YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        self.run_domain(lambda: getattr(self, f"_{action}")(options), as_json=False)

    def _import(self, o: dict[str, Any]) -> None:
        path = Path(o["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise DomainError(
                "file_unreadable", f"ファイル「{path}」を読めません（{error.strerror}）。"
            ) from None
        user = User.objects.filter(email__iexact=o["as_email"].strip()).first()
        if user is None:
            raise DomainError(
                "user_not_found", f"メールアドレス「{o['as_email']}」のアカウントがありません。"
            )
        result = services_import.roster_import(
            user=user, content=content, filename=path.name, commit=o["commit"]
        )
        encoding = f"、文字コード {result.encoding}" if result.encoding else ""
        self.stdout.write(f"{path.name}: {result.rows}行を読み込みました{encoding}")
        if result.ignored_columns:
            self.stdout.write(f"取り込まない列: {'、'.join(result.ignored_columns)}")
        if result.errors:
            for row_error in result.errors:
                self.stderr.write(f"  {row_error}")
            raise CommandError(
                f"{len(result.errors)}件の誤りがあります。何も登録していません。",
                returncode=EXIT_BAD_INPUT,
            )
        for row in result.preview:
            eligible = {None: "判定なし", True: "満たす", False: "満たさない"}[row.eligible]
            self.stdout.write(
                f"  {row.row}行目 {row.member_name}（{row.program_label}・{row.municipality_name}"
                f" {row.start_date.isoformat()}〜{row.planned_end_date.isoformat()}）"
                f" 地域要件: {eligible}"
            )
        if result.committed:
            self.stdout.write(f"{result.created}件の委嘱・任用を登録しました")
        else:
            self.stdout.write(
                f"誤りはありません。{result.rows}件を登録できます"
                "（確認のみのため書き込んでいません。--commit で登録します）"
            )

    def _remind_overdue(self, o: dict[str, Any]) -> None:
        today = parse_date_option(o["today"]) or timezone.localdate()
        sent = services_reports.reminders_send(today=today)
        self.stdout.write(f"{today.isoformat()}: 催促のメールを{sent}件送りました")
