"""The `hitonagare eligibility …` and `hitonagare regions …` commands.

In-process through call_command on the test database, and as real subprocesses of the
console script against a throw-away SQLite database (migrated and loaded once).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hitonagare.regions.models import Designation, Municipality

PLACE_KEYS = {"lgcode", "name", "prefecture", "category_id"}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out)
    return caught.value, out.getvalue()


@pytest.mark.django_db
class TestCheck:
    def test_json_is_one_object_with_the_decision_and_both_places(self, reference_data):
        data = json.loads(
            run(
                "eligibility",
                "check",
                "--program",
                "kyoryokutai",
                "--from",
                "100-0001",
                "--to",
                "海士町",
                "--json",
            )
        )

        assert isinstance(data, dict)
        assert data["program"] == "kyoryokutai"
        assert data["symbol"] == "○"
        assert data["eligible"] is True
        assert isinstance(data["reasons"], list)
        assert all(isinstance(r, str) for r in data["reasons"])
        assert data["citations"][0]["basis_date"] == "2022-04-01"
        for key in ("from", "to"):
            assert set(data[key]) >= PLACE_KEYS
            assert len(data[key]["lgcode"]) == 6
            assert data[key]["lgcode"].isdigit()
        assert (data["from"]["lgcode"], data["from"]["name"], data["from"]["prefecture"]) == (
            "131016",
            "千代田区",
            "東京都",
        )
        assert data["from"]["category_id"] == 1
        assert data["from"]["postal_code"] == "1000001"
        assert (data["to"]["lgcode"], data["to"]["name"], data["to"]["prefecture"]) == (
            "325252",
            "海士町",
            "島根県",
        )
        assert data["to"]["category_id"] == 8

    def test_the_text_output_reads_as_a_verdict_with_reasons_and_sources(self, reference_data):
        text = run(
            "eligibility",
            "check",
            "--program",
            "kyoryokutai",
            "--from",
            "札幌市",
            "--to",
            "北見市",
            "--to-area",
            "常呂町",
        )

        lines = text.splitlines()
        assert lines[0] == "判定: 対象（○）"
        assert "  制度: 地域おこし協力隊" in lines
        assert "  転出地: 北海道札幌市（区分4）" in lines
        assert "  転入地: 北海道北見市（区分9）" in lines
        assert "理由:" in lines
        assert "出典:" in lines
        assert any(line.startswith("  1. ") for line in lines)
        assert "https://www.soumu.go.jp/" in text

    def test_a_case_to_check_says_so_and_lists_the_areas(self, reference_data):
        text = run(
            "eligibility", "check", "--program", "kyoryokutai", "--from", "北見市", "--to", "325252"
        )

        assert text.splitlines()[0] == "判定: 要確認（△）"
        assert "常呂町、端野町、留辺蘂町" in text

    def test_a_resident_abroad_is_shown_as_abroad(self, reference_data):
        text = run(
            "eligibility", "check", "--program", "kyoryokutai", "--to", "海士町", "--overseas"
        )

        assert text.splitlines()[0] == "判定: 対象"
        assert "  転出地: （海外）" in text

    @pytest.mark.parametrize("program", ["pm", "intern", "otameshi", "kigyojin"])
    def test_every_program_can_be_checked(self, reference_data, program):
        data = json.loads(
            run(
                "eligibility",
                "check",
                "--program",
                program,
                "--from",
                "131016",
                "--to",
                "325252",
                "--json",
            )
        )

        assert data["program"] == program
        assert data["eligible"] is True


@pytest.mark.django_db
class TestCheckBadInput:
    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (["--program", "jet", "--from", "131016", "--to", "325252"], "unknown_program"),
            (
                ["--program", "kyoryokutai", "--from", "131017", "--to", "325252"],
                "lgcode_check_digit",
            ),
            (["--program", "kyoryokutai", "--from", "12-34", "--to", "325252"], "invalid_code"),
            (
                ["--program", "kyoryokutai", "--from", "999997", "--to", "325252"],
                "municipality_not_found",
            ),
            (
                ["--program", "kyoryokutai", "--from", "999-9999", "--to", "325252"],
                "postal_code_not_found",
            ),
            (["--program", "kyoryokutai", "--to", "325252"], "origin_required"),
            (
                [
                    "--program",
                    "kyoryokutai",
                    "--from",
                    "131016",
                    "--to",
                    "325252",
                    "--as-of",
                    "2020-01-01",
                ],
                "as_of_before_earliest",
            ),
            (
                [
                    "--program",
                    "kyoryokutai",
                    "--from",
                    "131016",
                    "--to",
                    "325252",
                    "--as-of",
                    "2022/04/01",
                ],
                "invalid_date",
            ),
        ],
    )
    def test_bad_input_exits_with_status_2_and_a_japanese_message(self, reference_data, args, code):
        before = (Municipality.objects.count(), Designation.objects.count())

        error, out = run_failing("eligibility", "check", *args)

        assert error.returncode == 2
        assert str(error).startswith(f"エラー（{code}）: ")
        assert out == ""
        assert (Municipality.objects.count(), Designation.objects.count()) == before

    def test_an_ambiguous_name_lists_the_candidates(self, reference_data):
        error, _ = run_failing(
            "eligibility", "check", "--program", "kyoryokutai", "--from", "府中", "--to", "325252"
        )

        assert error.returncode == 2
        message = str(error)
        assert "エラー（ambiguous_name）" in message
        assert "候補: 132063 東京都府中市" in message
        assert "候補: 342084 広島県府中市" in message
        assert "候補: 343021 広島県府中町" in message

    def test_with_json_the_error_is_also_printed_as_json(self, reference_data):
        error, out = run_failing(
            "eligibility",
            "check",
            "--program",
            "kyoryokutai",
            "--from",
            "府中",
            "--to",
            "325252",
            "--json",
        )

        assert error.returncode == 2
        body = json.loads(out)["error"]
        assert body["code"] == "ambiguous_name"
        assert body["field"] == "from"
        assert len(body["candidates"]) == 3


@pytest.mark.django_db
class TestPairs:
    def test_destinations_text_starts_with_the_counts(self, reference_data):
        lines = run(
            "eligibility", "destinations", "--program", "kyoryokutai", "--from", "千代田区"
        ).splitlines()

        assert lines[0] == (
            "東京都千代田区（基準日 2022-04-01）: 対象 1414 / 要確認 0 / 対象外 327"
        )
        assert len(lines) == 1 + 1414
        assert lines[1] == "011002 北海道札幌市 ○ 対象"

    def test_destinations_json_gives_count_and_items_of_eligible_places(self, reference_data):
        data = json.loads(
            run(
                "eligibility",
                "destinations",
                "--program",
                "kyoryokutai",
                "--from",
                "131016",
                "--json",
            )
        )

        assert data["count"] == 1414
        assert len(data["items"]) == 1414
        assert all(set(i) >= {"lgcode", "name", "symbol", "eligible"} for i in data["items"])
        assert data["summary"]["not_eligible"] == 327

    def test_origins_json_with_all_gives_every_municipality(self, reference_data):
        data = json.loads(
            run(
                "eligibility",
                "origins",
                "--program",
                "kyoryokutai",
                "--to",
                "海士町",
                "--all",
                "--json",
            )
        )

        assert data["direction"] == "origins"
        assert data["count"] == 1741
        assert data["summary"] == {"eligible": 630, "needs_check": 292, "not_eligible": 819}
        kitami = next(i for i in data["items"] if i["lgcode"] == "012084")
        assert (kitami["name"], kitami["symbol"], kitami["eligible"]) == ("北見市", "△", None)

    def test_origins_text_marks_the_places_to_check(self, reference_data):
        text = run("eligibility", "origins", "--program", "kyoryokutai", "--to", "海士町")

        assert "012084 北海道北見市 △ 要確認" in text
        assert "対象外" not in text.splitlines()[1:]

    def test_a_bad_anchor_exits_with_status_2(self, reference_data):
        error, _ = run_failing(
            "eligibility", "destinations", "--program", "kyoryokutai", "--from", "府中"
        )

        assert error.returncode == 2
        assert "ambiguous_name" in str(error)


@pytest.mark.django_db
class TestRegions:
    def test_show_json_gives_the_detail_and_designation(self, reference_data):
        data = json.loads(run("regions", "show", "060-0042", "--json"))

        assert data["lgcode"] == "011002"
        assert data["name"] == "札幌市"
        assert data["ward"]["name"] == "札幌市中央区"
        assert data["town_area"] == "大通西"
        assert data["designation"]["category_id"] == 4
        assert data["basis_date"] == "2022-04-01"

    def test_show_text_lists_the_kaso_areas(self, reference_data):
        text = run("regions", "show", "北見市")

        assert text.splitlines()[0] == "北海道 北見市（団体コード 012084）"
        assert "  区分: 9 ３大都市圏外 一部条件不利地域" in text
        assert "  過疎とみなされる旧市町村: 常呂町、端野町、留辺蘂町" in text
        assert "基準日: 2022-04-01" in text

    def test_show_text_of_a_ward_says_the_city_is_judged_as_a_whole(self, reference_data):
        text = run("regions", "show", "011011")

        assert "区: 札幌市中央区（指定都市全体で判定します）" in text

    def test_show_of_an_unknown_code_exits_with_status_2(self, reference_data):
        error, out = run_failing("regions", "show", "999997", "--json")

        assert error.returncode == 2
        assert json.loads(out)["error"]["code"] == "municipality_not_found"

    def test_show_with_a_date_before_the_earliest_edition_exits_with_status_2(self, reference_data):
        error, _ = run_failing("regions", "show", "011002", "--as-of", "2020-01-01")

        assert error.returncode == 2
        assert "as_of_before_earliest" in str(error)

    def test_search_text_lists_code_prefecture_name_and_kana(self, reference_data):
        assert run("regions", "search", "府中").splitlines() == [
            "132063 東京都府中市（ふちゅうし）",
            "342084 広島県府中市（ふちゅうし）",
            "343021 広島県府中町（ふちゅうちょう）",
        ]

    def test_search_json_gives_count_and_items(self, reference_data):
        data = json.loads(run("regions", "search", "あまちょう", "--json"))

        assert data == {
            "count": 1,
            "items": [
                {"lgcode": "325252", "name": "海士町", "prefecture": "島根県", "kana": "あまちょう"}
            ],
        }

    def test_search_without_a_match_says_so(self, reference_data):
        assert run("regions", "search", "存在しない村").strip() == "該当する市区町村はありません。"

    def test_load_without_commit_is_a_dry_run(self, reference_data):
        Municipality.objects.filter(lgcode="325252").update(name="誤記町")

        text = run("regions", "load")

        assert text.splitlines()[0] == "試行のみ（--commit で書き込み）:"
        assert "  municipalities: 新規 0 / 更新 1 / 変更なし 1911" in text
        assert "注意: 2022-04-01: 過疎の旧市町村の一覧が資料で途中までしかない団体" in text
        assert Municipality.objects.get(lgcode="325252").name == "誤記町"

    def test_load_with_commit_repairs_and_a_second_run_changes_nothing(self, reference_data):
        Municipality.objects.filter(lgcode="325252").update(name="誤記町")

        first = json.loads(run("regions", "load", "--commit", "--json"))
        second = json.loads(run("regions", "load", "--commit", "--json"))

        assert first["committed"] is True
        assert first["tables"]["municipalities"]["updated"] == 1
        assert Municipality.objects.get(lgcode="325252").name == "海士町"
        assert second["tables"] == {
            "prefectures": {"created": 0, "updated": 0, "unchanged": 47},
            "municipalities": {"created": 0, "updated": 0, "unchanged": 1912},
            "editions": {"created": 0, "updated": 0, "unchanged": 1},
            "designations": {"created": 0, "updated": 0, "unchanged": 1741},
        }


# --------------------------------------------------------------------------- subprocess


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("hitonagare")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hitonagare.cli"]


@dataclass(frozen=True)
class CliSite:
    env: dict[str, str]
    database: Path


@pytest.fixture(scope="session")
def cli(tmp_path_factory) -> CliSite:
    """The console script's own (local) settings, on a fresh SQLite in a temporary VAR_DIR."""
    var_dir = tmp_path_factory.mktemp("hitonagare-var")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="hitonagare.config.settings.local",
        HITONAGARE_VAR_DIR=str(var_dir),
        PYTHONIOENCODING="utf-8",
    )
    for args in (["migrate", "--noinput", "-v0"], ["regions", "load", "--commit"]):
        subprocess.run([*_console_script(), *args], env=env, check=True, capture_output=True)
    return CliSite(env=env, database=var_dir / "hitonagare.sqlite3")


def hitonagare(cli: CliSite, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_console_script(), *args],
        env=cli.env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )


def _row_counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return (
            conn.execute("select count(*) from regions_municipality").fetchone()[0],
            conn.execute("select count(*) from regions_designation").fetchone()[0],
        )


class TestConsoleScript:
    def test_check_json_from_the_console_script(self, cli):
        proc = hitonagare(
            cli,
            "eligibility",
            "check",
            "--program",
            "kyoryokutai",
            "--from",
            "100-0001",
            "--to",
            "海士町",
            "--json",
        )

        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        assert (data["symbol"], data["eligible"]) == ("○", True)
        assert data["from"]["lgcode"] == "131016"
        assert data["to"]["lgcode"] == "325252"

    def test_an_ambiguous_name_exits_with_status_2_and_lists_candidates_on_stderr(self, cli):
        before = _row_counts(cli.database)

        proc = hitonagare(
            cli,
            "eligibility",
            "check",
            "--program",
            "kyoryokutai",
            "--from",
            "府中",
            "--to",
            "海士町",
        )

        assert proc.returncode == 2
        assert proc.stdout == ""
        assert "エラー（ambiguous_name）" in proc.stderr
        assert "候補: 343021 広島県府中町" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert _row_counts(cli.database) == before == (1912, 1741)

    def test_an_unknown_program_exits_with_status_2(self, cli):
        proc = hitonagare(
            cli, "eligibility", "check", "--program", "jet", "--from", "131016", "--to", "325252"
        )

        assert proc.returncode == 2
        assert "エラー（unknown_program）: 制度「jet」は扱っていません" in proc.stderr

    def test_a_second_committed_load_changes_nothing(self, cli):
        proc = hitonagare(cli, "regions", "load", "--commit", "--json")

        assert proc.returncode == 0, proc.stderr
        tables = json.loads(proc.stdout)["tables"]
        assert all(t["created"] == 0 and t["updated"] == 0 for t in tables.values())
        assert tables["designations"]["unchanged"] == 1741
