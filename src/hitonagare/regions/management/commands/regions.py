"""hitonagare regions load [--commit] | show X [--json] | search Q [--json]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from hitonagare.core.commands import DomainCommand, parse_date_option
from hitonagare.regions import selectors, services
from hitonagare.regions.presenters import municipality_detail


class Command(DomainCommand):
    help = "市区町村と地域要件区分（参照データ）の読込・表示"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        load = sub.add_parser("load", help="同梱の参照データを読み込む（既定は試行のみ）")
        load.add_argument("--commit", action="store_true", help="実際に書き込む")
        load.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="市区町村の詳細と地域要件区分")
        show.add_argument("query", help="団体コード（5桁・6桁）、郵便番号、または市区町村名")
        show.add_argument("--as-of", help="基準日を選ぶ日付 YYYY-MM-DD（既定は今日）")
        show.add_argument("--json", action="store_true")
        search = sub.add_parser("search", help="市区町村名（漢字・かな）で検索")
        search.add_argument("query")
        search.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        self.run_domain(lambda: getattr(self, f"_{action}")(options), as_json=options["json"])

    def _load(self, options: dict[str, Any]) -> None:
        summary = services.reference_data_load(commit=options["commit"])
        if options["json"]:
            self.emit_json(summary.as_dict())
            return
        self.stdout.write(
            "書き込みました。" if summary.committed else "試行のみ（--commit で書き込み）:"
        )
        for name, table in summary.tables.items():
            self.stdout.write(
                f"  {name}: 新規 {table.created} / 更新 {table.updated} / 変更なし {table.unchanged}"
            )
        for warning in summary.warnings:
            self.stdout.write(f"  注意: {warning}")

    def _show(self, options: dict[str, Any]) -> None:
        resolved = selectors.place_resolve(query=options["query"])
        edition = selectors.edition_in_force(as_of=parse_date_option(options["as_of"]))
        detail = municipality_detail(resolved=resolved, edition=edition)
        if options["json"]:
            self.emit_json(detail)
            return
        d = detail["designation"]
        lines = [
            f"{detail['prefecture']} {detail['name']}（団体コード {detail['lgcode']}）",
            f"  よみ: {detail['kana']}",
            f"  区分: {d['category_id']} {d['category_label']}",
            f"  過疎: {d['kaso_status_label']}",
        ]
        if d["kaso_partial_areas"]:
            lines.append("  過疎とみなされる旧市町村: " + "、".join(d["kaso_partial_areas"]))
        if detail.get("ward"):
            lines.append(f"  区: {detail['ward']['name']}（指定都市全体で判定します）")
        if detail.get("town_area"):
            lines.append(f"  町域: {detail['town_area']}")
        lines.append(f"  基準日: {detail['basis_date']}（{detail['edition_title']}）")
        self.stdout.write("\n".join(lines))

    def _search(self, options: dict[str, Any]) -> None:
        found = selectors.municipality_search(query=options["query"])
        items = [
            {
                "lgcode": m.lgcode,
                "name": m.full_name,
                "prefecture": m.prefecture.name,
                "kana": m.full_kana,
            }
            for m in found
        ]
        if options["json"]:
            self.emit_json({"count": len(items), "items": items})
            return
        if not items:
            self.stdout.write("該当する市区町村はありません。")
        for i in items:
            self.stdout.write(f"{i['lgcode']} {i['prefecture']}{i['name']}（{i['kana']}）")
