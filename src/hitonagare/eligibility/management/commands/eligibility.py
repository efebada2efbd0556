"""hitonagare eligibility check | destinations | origins"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from hitonagare.core.commands import DomainCommand, parse_date_option
from hitonagare.eligibility import selectors
from hitonagare.eligibility.rules import Exceptions

PROGRAM_HELP = "kyoryokutai | pm | intern | otameshi | kigyojin"
PLACE_HELP = "団体コード（5桁・6桁）、郵便番号（7桁）、または市区町村名"


class Command(DomainCommand):
    help = "地域要件の判定（地域おこし協力隊・地域プロジェクトマネージャー等）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        check = sub.add_parser("check", help="転出地→転入地を判定")
        check.add_argument("--program", required=True, help=PROGRAM_HELP)
        check.add_argument("--from", dest="origin", help="転出地: " + PLACE_HELP)
        check.add_argument("--to", dest="destination", required=True, help="転入地: " + PLACE_HELP)
        check.add_argument(
            "--from-area", help="転出地の区域（大字・旧市町村、または inside/outside）"
        )
        check.add_argument(
            "--to-area", help="転入地の区域（大字・旧市町村、または inside/outside）"
        )
        check.add_argument("--as-of", help="この日に有効な基準日で判定 YYYY-MM-DD")
        check.add_argument("--former-member", action="store_true", help="元隊員の例外")
        check.add_argument("--overseas", action="store_true", help="海外在住者の例外")
        check.add_argument("--jet", action="store_true", help="JETプログラム終了者の例外")
        check.add_argument(
            "--jet-same-area", action="store_true", help="JET終了者が同じ地域で住民票異動なし"
        )
        check.add_argument(
            "--pm-already-active", action="store_true", help="PM: 既に同市町村で活動中"
        )
        check.add_argument("--json", action="store_true")
        for name, anchor, help_text in (
            ("destinations", "--from", "ここから行ける転入地"),
            ("origins", "--to", "ここへ来られる転出地"),
        ):
            p = sub.add_parser(name, help=help_text)
            p.add_argument("--program", required=True, help=PROGRAM_HELP)
            p.add_argument(anchor, dest="anchor", required=True, help=PLACE_HELP)
            p.add_argument("--area", help="区域（大字・旧市町村、または inside/outside）")
            p.add_argument("--as-of", help="YYYY-MM-DD")
            p.add_argument("--all", action="store_true", help="対象外も含めて全件を出力")
            p.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        self.run_domain(lambda: getattr(self, f"_{action}")(options), as_json=options["json"])

    def _check(self, o: dict[str, Any]) -> None:
        result = selectors.eligibility_check(
            program=o["program"],
            origin=o["origin"],
            destination=o["destination"],
            origin_area=o["from_area"],
            destination_area=o["to_area"],
            as_of=parse_date_option(o["as_of"]),
            exceptions=Exceptions(
                former_member=o["former_member"],
                overseas_resident=o["overseas"],
                jet_finisher=o["jet"] or o["jet_same_area"],
                jet_same_area_without_move=o["jet_same_area"],
                pm_already_active=o["pm_already_active"],
            ),
        )
        if o["json"]:
            self.emit_json(result.to_dict())
            return
        d = result.decision
        data = result.to_dict()
        origin = data.get("from") or {}
        dest = data["to"]
        lines = [
            f"判定: {d.status_label}" + (f"（{d.symbol.value}）" if d.symbol else ""),
            f"  制度: {data.get('program_label', d.program.value)}",
            f"  転出地: {origin.get('prefecture', '')}{origin.get('name', '（海外）')}"
            + (f"（区分{origin['category_id']}）" if origin else ""),
            f"  転入地: {dest['prefecture']}{dest['name']}（区分{dest['category_id']}）",
            "理由:",
            *[f"  {i}. {r}" for i, r in enumerate(d.reasons, 1)],
            "出典:",
            *[
                f"  - {c.document} {c.section}" + (f" {c.url}" if c.url else "")
                for c in d.citations
            ],
        ]
        self.stdout.write("\n".join(lines))

    def _pairs(self, o: dict[str, Any], direction: str) -> None:
        common = {"program": o["program"], "as_of": parse_date_option(o["as_of"])}
        if direction == "destinations":
            result = selectors.eligibility_destinations(
                origin=o["anchor"], origin_area=o["area"], **common
            )
        else:
            result = selectors.eligibility_origins(
                destination=o["anchor"], destination_area=o["area"], **common
            )
        if o["json"]:
            self.emit_json(result.to_dict(only_eligible=not o["all"]))
            return
        c = result.counts
        self.stdout.write(
            f"{result.anchor_place.prefecture}{result.anchor_place.name}"
            f"（基準日 {result.edition.basis_date.isoformat()}）: 対象 {c['eligible']} / "
            f"要確認 {c['needs_check']} / 対象外 {c['not_eligible']}"
        )
        for item in result.items:
            if item.eligible is False and not o["all"]:
                continue
            status = {True: "対象", None: "要確認", False: "対象外"}[item.eligible]
            self.stdout.write(
                f"{item.lgcode} {item.prefecture}{item.name} {item.symbol or '-'} {status}"
            )

    def _destinations(self, o: dict[str, Any]) -> None:
        self._pairs(o, "destinations")

    def _origins(self, o: dict[str, Any]) -> None:
        self._pairs(o, "origins")
