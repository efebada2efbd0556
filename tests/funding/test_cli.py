"""`hitonagare funding estimate …` and `hitonagare funding rates` through call_command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

BASE = (
    "funding",
    "estimate",
    "--program",
    "kyoryokutai",
    "--fiscal-year",
    "2023",
    "--start",
    "2023-04-01",
    "--end",
    "2026-03-31",
)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out)
    return caught.value, out.getvalue()


def test_json_has_integer_total_items_and_flags():
    data = json.loads(run(*BASE, "--reward", "3000000", "--expenses", "1,500,000", "--json"))
    assert data["total"] == 4_300_000
    assert isinstance(data["total"], int)
    assert data["fiscal_year_label"] == "令和5年度"
    assert data["total_is_partial"] is False
    items = {i["item"]: i for i in data["items"]}
    reward = items["kyoryokutai.reward"]
    assert {"item", "claimed", "cap", "amount", "source"} <= set(reward)
    assert (reward["claimed"], reward["cap"], reward["amount"]) == (3_000_000, 2_800_000, 2_800_000)
    assert "総務省 広報誌" in reward["source"]
    codes = [f["code"] for f in data["flags"]]
    assert "cap_exceeded" in codes
    assert "area_requirement_unknown" in codes  # the what-if does not judge 地域要件
    assert all({"code", "message"} <= set(f) for f in data["flags"])


def test_unknown_caps_are_null_in_json_and_the_total_is_flagged_partial():
    data = json.loads(
        run(
            *BASE[:5],
            "2025",
            "--start",
            "2025-04-01",
            "--end",
            "2026-03-31",
            "--reward",
            "3000000",
            "--json",
        )
    )
    assert data["total"] == 0
    assert data["total_is_partial"] is True
    assert all(i["cap"] is None and i["amount"] is None for i in data["items"])
    assert "total_is_partial" in [f["code"] for f in data["flags"]]


def test_intern_days_and_the_days_counting_option():
    data = json.loads(
        run(
            "funding",
            "estimate",
            "--program",
            "intern",
            "--fiscal-year",
            "2023",
            "--start",
            "2023-08-01",
            "--end",
            "2023-08-31",
            "--expenses",
            "500000",
            "--days",
            "20",
            "--json",
        )
    )
    assert data["items"][0]["cap"] == 240_000
    assert data["total"] == 240_000


def test_tier_and_month_counting_options():
    data = json.loads(
        run(
            "funding",
            "estimate",
            "--program",
            "kyoryokutai",
            "--fiscal-year",
            "2023",
            "--start",
            "2023-10-16",
            "--end",
            "2024-09-15",
            "--reward",
            "3000000",
            "--month-counting",
            "full_months",
            "--tier",
            "standard",
            "--json",
        )
    )
    assert data["items"][0]["cap"] == 1_166_666
    assert data["settings"]["month_counting"] == "full_months"


def test_kigyojin_variant_and_project_expenses():
    data = json.loads(
        run(
            "funding",
            "estimate",
            "--program",
            "kigyojin",
            "--variant",
            "side_job",
            "--fiscal-year",
            "2024",
            "--start",
            "2024-04-01",
            "--end",
            "2025-03-31",
            "--reward",
            "1200000",
            "--project",
            "3000000",
            "--json",
        )
    )
    amounts = {i["item"]: i["amount"] for i in data["items"]}
    assert amounts == {
        "kigyojin.side.reward": 1_000_000,
        "kigyojin.side.travel": 0,
        "kigyojin.project": 500_000,
    }


def test_readable_table_without_json():
    out = run(*BASE, "--reward", "3000000")
    assert "令和5年度" in out
    assert "協力隊 報償費等（標準）" in out
    assert "2,800,000円" in out
    assert "見込額の合計: 2,800,000円" in out
    assert "[上限超過]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reward", "-5"), "0以上"),
        (("--expenses", "1.5"), "整数"),
        (("--days", "3"), "インターン"),
        (("--tier", "expert", "--variant", "standard"), "--tier と --variant"),
        (("--month-counting", "weeks"), "月数の数え方"),
    ],
)
def test_bad_input_exits_with_status_2_and_a_japanese_message(args, message):
    error, _ = run_failing(*BASE, *args)
    assert error.returncode == 2
    assert message in str(error)


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (("--fiscal-year", "2030"), "令和3年度"),
        (("--start", "2023/04/01"), "YYYY-MM-DD"),
        (("--end", "2023-03-31"), "開始日より前"),
        (("--program", "kyoryoku"), "制度"),
    ],
)
def test_bad_program_year_or_dates_exit_with_status_2(replace, message):
    args = list(BASE)
    args[args.index(replace[0]) + 1] = replace[1]
    error, _ = run_failing(*args)
    assert error.returncode == 2
    assert message in str(error)


def test_bad_input_with_json_also_prints_the_error_as_json():
    error, out = run_failing(*BASE, "--reward", "abc", "--json")
    assert error.returncode == 2
    assert json.loads(out)["error"]["code"] == "invalid_input"


def test_rates_lists_the_table_with_sources():
    data = json.loads(run("funding", "rates", "--fiscal-year", "2023", "--json"))
    reward = next(r for r in data if r["item"] == "kyoryokutai.reward")
    assert reward["value"] == 2_800_000
    assert reward["grade"] == "official"
    recruitment = next(r for r in data if r["item"] == "kyoryokutai.recruitment")
    assert recruitment["value"] == "unknown"
    text = run("funding", "rates")
    assert "令和8年度" in text
    assert "不明" in text


def test_rates_for_a_year_outside_the_table_exits_2():
    error, _ = run_failing("funding", "rates", "--fiscal-year", "2019")
    assert error.returncode == 2
