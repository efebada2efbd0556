"""hitonagare funding estimate --program P --fiscal-year YYYY --start YYYY-MM-DD --end YYYY-MM-DD
[--reward YEN] [--expenses YEN] [--days N] [--json] [--tier T | --variant V] [--startup YEN]
[--project YEN] [--month-counting M]

hitonagare funding rates [--fiscal-year YYYY] [--json]
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandParser

from hitonagare.core.commands import DomainCommand, parse_date_option
from hitonagare.core.errors import DomainError, InvalidInputError
from hitonagare.core.wareki import fiscal_year_label

from ... import selectors
from ...calculator import MemberEstimate, months_text
from ...rules import (
    GRADE_LABELS,
    MONTH_COUNTING_LABELS,
    PROGRAM_VARIANTS,
    VARIANT_LABELS,
    FundingProgram,
    MonthCounting,
    Variant,
)

ESTIMATE_HELP = """\
制度・任期・その年度の経費から、特別交付税・地方財政措置の見込額を試算します（1人分）。

--fiscal-year は年度が始まる西暦の年です（2023 = 令和5年度 = 2023年4月〜2024年3月）。
金額は円単位の整数です。--json では total（整数の円）、items（item, claimed, cap, amount,
source ほか）、flags を出力します。上限が資料で見つかっていない項目は cap と amount が null で、
total はそれを除いた合計です（flags に total_is_partial）。

区分（--tier / --variant、どちらでも可）:
{variants}

月数の数え方（--month-counting、既定は設定 HITONAGARE_FUNDING_MONTH_COUNTING）:
{countings}
年額の上限を年度の途中の任期でどう按分するかは資料に定めがなく、法令ではなく設定です。

入力の誤りはメッセージを標準エラーに出し、終了コード 2 で終わります。
"""


def _variants_help() -> str:
    lines = []
    for program, variants in PROGRAM_VARIANTS.items():
        if variants == (Variant.SINGLE,):
            continue
        names = "、".join(f"{v.value}（{VARIANT_LABELS[v]}）" for v in variants)
        lines.append(f"  {program.value}: {names}（既定: {variants[0].value}）")
    return "\n".join(lines)


def _countings_help() -> str:
    return "\n".join(f"  {m.value}: {MONTH_COUNTING_LABELS[m]}" for m in MonthCounting)


def _yen(value: object) -> str:
    return "不明" if value is None else f"{int(value):,}円"  # type: ignore[call-overload]


class Command(DomainCommand):
    help = (
        "特別交付税・地方財政措置の見込み。estimate: 1人分を試算する。"
        "rates: 収録している上限額・措置率と出典を表示する。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        est = sub.add_parser(
            "estimate",
            help="1人分の見込額を試算する",
            description=ESTIMATE_HELP.format(
                variants=_variants_help(), countings=_countings_help()
            ),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        programs = ", ".join(p.value for p in FundingProgram)
        est.add_argument("--program", required=True, help=f"制度（{programs}）")
        est.add_argument(
            "--fiscal-year", required=True, help="年度（開始年の西暦。2023 = 令和5年度）"
        )
        est.add_argument("--start", required=True, help="任期の開始日 YYYY-MM-DD")
        est.add_argument("--end", required=True, help="任期の終了日 YYYY-MM-DD")
        est.add_argument("--reward", help="報償費等（その年度の額、円）")
        est.add_argument(
            "--expenses", help="その他経費（その年度の額、円。起業人の副業型では旅費）"
        )
        est.add_argument("--startup", help="協力隊の起業・事業承継の経費（円）")
        est.add_argument("--project", help="起業人発案の事業経費（円）")
        est.add_argument("--days", help="インターンのその年度の活動日数")
        est.add_argument("--tier", help="協力隊の報償費の区分（standard, expert, disadvantaged）")
        est.add_argument("--variant", help="区分（起業人: dispatch, side_job など）")
        est.add_argument(
            "--month-counting", help="月数の数え方（started_months, full_months, days）"
        )
        est.add_argument("--json", action="store_true", help="JSONで出力する")

        rates = sub.add_parser("rates", help="収録している上限額・措置率と出典を表示する")
        rates.add_argument("--fiscal-year", help="この年度だけ（開始年の西暦）")
        rates.add_argument("--json", action="store_true", help="JSONで出力する")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        self.run_domain(
            lambda: getattr(self, f"_{action}")(options), as_json=bool(options.get("json"))
        )

    # --- estimate ---------------------------------------------------------------------------

    def _estimate(self, o: dict[str, Any]) -> None:
        tier, variant = o["tier"], o["variant"]
        if tier and variant and tier != variant:
            raise DomainError(
                "invalid_input",
                "--tier と --variant に異なる区分が指定されています。",
                field="variant",
            )
        try:
            what_if = selectors.estimate_what_if(
                program=o["program"],
                variant=tier or variant,
                fiscal_year=o["fiscal_year"],
                start=parse_date_option(o["start"]),
                end=parse_date_option(o["end"]),
                amounts={name: o[name] for name in selectors.AMOUNT_FIELDS},
                days=o["days"],
                month_counting=o["month_counting"],
            )
        except InvalidInputError as error:
            lines = "\n".join(f"  --{f.replace('_', '-')}: {m}" for f, m in error.errors.items())
            raise DomainError(
                "invalid_input", f"入力を確認してください。\n{lines}", field=error.field
            ) from None
        if o["json"]:
            self.emit_json(what_if.to_dict())
            return
        self._print_estimate(what_if.estimate)

    def _print_estimate(self, e: MemberEstimate) -> None:
        w = self.stdout.write
        w(f"{fiscal_year_label(e.fiscal_year)}（{e.fiscal_year}年度）{e.program_label}")
        if e.variant is not Variant.SINGLE:
            w(f"区分: {e.variant_label}")
        w(
            f"任期: {e.start.isoformat()}〜{e.end.isoformat()}（{months_text(e.months)}か月分を数えます。"
            f"数え方: {MONTH_COUNTING_LABELS[e.settings.month_counting]}。設定であり法令ではありません）"
        )
        w("")
        w(f"{'項目':<28}{'申請額':>14}{'上限':>14}{'見込額':>14}")
        for item in e.items:
            cap = "なし" if item.cap is None and item.amount is not None else _yen(item.cap)
            amount = "計算せず" if item.amount is None else _yen(item.amount)
            w(f"{item.label:<28}{_yen(item.claimed):>14}{cap:>14}{amount:>14}")
            w(f"    出典: {item.source}")
            w(f"    {item.explanation}")
        w("")
        partial = "（上限が不明な項目を除いた一部の合計）" if e.total_is_partial else ""
        w(f"見込額の合計: {_yen(e.total)}{partial}")
        for flag in e.flags:
            w(f"[{flag.label}] {flag.message}")

    # --- rates ------------------------------------------------------------------------------

    def _rates(self, o: dict[str, Any]) -> None:
        table = selectors.funding_rates()
        year: int | None = None
        if o["fiscal_year"]:
            try:
                year = int(o["fiscal_year"])
            except ValueError:
                year = None
            if year not in table.fiscal_years:
                first, last = table.fiscal_years[0], table.fiscal_years[-1]
                raise DomainError(
                    "invalid_fiscal_year",
                    f"年度は{first}〜{last}の西暦で指定してください（指定: {o['fiscal_year']}）。",
                    field="fiscal_year",
                )
        entries = [r for r in table.entries() if year is None or r.fiscal_year == year]
        if o["json"]:
            self.emit_json([r.to_dict() for r in entries])
            return
        for r in entries:
            grade = GRADE_LABELS[r.grade] if r.grade else "—"
            self.stdout.write(
                f"{fiscal_year_label(r.fiscal_year)}\t{r.label}\t{r.value_text()}\t{grade}\t"
                f"{r.source.label}\t{r.note}"
            )
