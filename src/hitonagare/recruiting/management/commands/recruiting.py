"""hitonagare recruiting close-deadlines [--date YYYY-MM-DD] [--dry-run]"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils import timezone

from hitonagare.core.commands import DomainCommand, parse_date_option
from hitonagare.recruiting import search, services

CLOSE_DEADLINES_HELP = """\
応募締切日を過ぎた公開中の募集を締め切ります（締切日 < 今日。今日は Asia/Tokyo の日付）。

何度実行しても同じ結果になります（締め切った募集は次の実行では対象になりません）。
毎日、日付が変わった直後に cron で実行してください。例（crontab）:

  CRON_TZ=Asia/Tokyo
  DJANGO_SETTINGS_MODULE=hitonagare.config.settings.production
  5 0 * * * cd /srv/hitonagare && .venv/bin/hitonagare recruiting close-deadlines >> var/log/close-deadlines.log 2>&1

（本番と同じ環境変数 — DATABASE_URL など — を crontab か呼び出すスクリプトで設定してください。）

--dry-run は対象の募集を表示するだけで、何も書き込みません。
"""


class Command(DomainCommand):
    help = (
        "募集の定期処理。close-deadlines: 締切日を過ぎた公開中の募集を締め切る"
        "（cron で毎日: CRON_TZ=Asia/Tokyo と 5 0 * * * hitonagare recruiting close-deadlines。"
        "詳しくは close-deadlines --help）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        close = sub.add_parser(
            "close-deadlines",
            help="締切日を過ぎた公開中の募集を締め切る（cron で毎日）",
            description=CLOSE_DEADLINES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        close.add_argument(
            "--date",
            help="この日を「今日」として扱う YYYY-MM-DD（締切日がこの日より前の募集が対象）",
        )
        close.add_argument(
            "--dry-run", action="store_true", help="対象を表示するだけで書き込まない"
        )

        sub.add_parser(
            "rebuild-index",
            help="検索索引を公開中の募集から作り直す（復元後など。結果は変わらず、件数を表示）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        self.run_domain(lambda: getattr(self, f"_{action}")(options), as_json=False)

    def _close_deadlines(self, o: dict[str, Any]) -> None:
        today = parse_date_option(o["date"]) or timezone.localdate()
        due = list(services.openings_due_for_closing(today=today))
        for opening in due:
            deadline = opening.deadline.isoformat() if opening.deadline else "-"
            self.stdout.write(
                f"  #{opening.pk} 締切日 {deadline} {opening.host.name}「{opening.title}」"
            )
        if o["dry_run"]:
            self.stdout.write(
                f"{len(due)}件の募集が締切の対象です（基準日 {today.isoformat()}、"
                "--dry-run のため書き込んでいません）"
            )
            return
        closed = services.openings_close_past_deadline(today=today)
        self.stdout.write(f"{closed}件の募集を締め切りました")

    def _rebuild_index(self, o: dict[str, Any]) -> None:
        with transaction.atomic():
            count = search.index_rebuild()
        self.stdout.write(f"検索索引を作り直しました（公開中の募集 {count}件）")
