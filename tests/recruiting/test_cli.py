"""`hitonagare recruiting close-deadlines`: closes only published openings whose deadline has
passed, --dry-run writes nothing, a second run closes nothing, bad dates exit with status 2."""

from __future__ import annotations

import argparse
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hitonagare.core.models import AuditEvent
from hitonagare.recruiting import services
from hitonagare.recruiting.management.commands.recruiting import Command
from hitonagare.recruiting.models import Opening
from hitonagare.recruiting.selectors import opening_search, search_params_parse

from . import factories

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("recruiting", *args, stdout=out)
    return out.getvalue()


def _state() -> list[tuple]:
    return list(Opening.objects.order_by("pk").values_list()) + list(
        AuditEvent.objects.order_by("pk").values_list("pk", "action")
    )


@pytest.fixture
def staff(reference_data):
    return factories.staff_of("325252")


@pytest.fixture
def openings(staff):
    """One opening of each kind the command must tell apart."""
    today = timezone.localdate()
    past = factories.backdate_deadline(factories.opening(staff=staff, title="締切を過ぎた牡蠣"))
    past_closed = factories.opening(staff=staff, title="もう締め切った募集")
    services.opening_close(user=staff, opening_id=past_closed.pk)
    return {
        "past": past,
        "long_past": factories.backdate_deadline(
            factories.opening(staff=staff, title="ずっと前の締切"), days=40
        ),
        "today": factories.opening(staff=staff, title="今日が締切", deadline=today),
        "future": factories.opening(staff=staff, title="来月が締切"),
        "no_deadline": factories.opening(staff=staff, title="随時募集", deadline=None),
        "draft_past": factories.backdate_deadline(
            factories.opening(staff=staff, publish=False, title="下書きで締切過ぎ")
        ),
        "closed_past": factories.backdate_deadline(past_closed),
    }


def _statuses(openings: dict[str, Opening]) -> dict[str, str]:
    by_id = dict(Opening.objects.values_list("id", "status"))
    return {key: by_id[opening.pk] for key, opening in openings.items()}


def test_closes_only_published_openings_whose_deadline_has_passed(openings):
    out = run("close-deadlines")

    assert out.splitlines()[-1] == "2件の募集を締め切りました"
    assert f"#{openings['past'].pk} " in out
    assert f"#{openings['long_past'].pk} " in out
    assert "今日が締切" not in out
    assert _statuses(openings) == {
        "past": "closed",
        "long_past": "closed",
        "today": "published",  # the deadline day itself is still open
        "future": "published",
        "no_deadline": "published",
        "draft_past": "draft",
        "closed_past": "closed",
    }
    event = AuditEvent.objects.filter(object_id=str(openings["past"].pk)).order_by("-id")[0]
    assert (event.action, event.actor_id, event.data["reason"]) == (
        "opening.closed",
        None,
        "deadline",
    )
    found = {o.pk for o in opening_search(params=search_params_parse(q="牡蠣")).items}
    assert openings["past"].pk not in found


def test_dry_run_lists_without_writing(openings):
    before = _state()

    out = run("close-deadlines", "--dry-run")

    assert _state() == before
    lines = out.splitlines()
    assert lines[-1] == (
        f"2件の募集が締切の対象です（基準日 {timezone.localdate().isoformat()}、"
        "--dry-run のため書き込んでいません）"
    )
    listed = [line for line in lines if line.startswith("  #")]
    assert listed == [
        f"  #{openings['long_past'].pk} 締切日 {openings['long_past'].deadline.isoformat()}"
        " 海士町「ずっと前の締切」",
        f"  #{openings['past'].pk} 締切日 {openings['past'].deadline.isoformat()}"
        " 海士町「締切を過ぎた牡蠣」",
    ]


def test_a_second_run_closes_nothing(openings):
    run("close-deadlines")
    after_first = _state()

    out = run("close-deadlines")

    assert out.strip() == "0件の募集を締め切りました"
    assert _state() == after_first


def test_date_sets_the_day_to_compare_with(openings):
    in_a_month = timezone.localdate() + dt.timedelta(days=30)
    future_deadline = openings["future"].deadline
    assert future_deadline == in_a_month

    on_the_day = run("close-deadlines", "--date", in_a_month.isoformat())
    the_day_after = run(
        "close-deadlines", "--date", (in_a_month + dt.timedelta(days=1)).isoformat()
    )

    # On the deadline day the opening is still open; the day after, it is closed.
    assert on_the_day.splitlines()[-1] == "3件の募集を締め切りました"  # past, long_past, today
    assert the_day_after.splitlines()[-1] == "1件の募集を締め切りました"
    statuses = _statuses(openings)
    assert statuses["future"] == "closed"
    assert statuses["no_deadline"] == "published"


def test_a_bad_date_exits_with_status_2_and_writes_nothing(openings):
    before = _state()

    with pytest.raises(CommandError) as caught:
        run("close-deadlines", "--date", "2026-02-30")

    assert caught.value.returncode == 2
    assert str(caught.value) == (
        "エラー（invalid_date）: 日付「2026-02-30」は YYYY-MM-DD の形式で入力してください。"
    )
    assert _state() == before


def test_the_help_documents_the_cron_line():
    parser = Command().create_parser("hitonagare", "recruiting")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = sub.choices["close-deadlines"].format_help()

    assert "CRON_TZ=Asia/Tokyo" in text
    assert "5 0 * * * cd /srv/hitonagare && .venv/bin/hitonagare recruiting close-deadlines" in text
    assert "--dry-run" in text
    assert "--date" in text
    assert "close-deadlines" in parser.format_help()


def test_rebuild_index_restores_search_after_the_index_is_emptied(reference_data):
    from django.db import connection

    from hitonagare.recruiting.selectors import opening_search, search_params_parse

    staff = factories.user(organisation=factories.municipality_org("325252"))
    opening = factories.opening(staff=staff, title="星空ガイドの育成")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM recruiting_opening_fts")
    assert opening_search(params=search_params_parse(q="星空")).total == 0
    out = StringIO()
    call_command("recruiting", "rebuild-index", stdout=out)
    assert "公開中の募集 1件" in out.getvalue()
    assert [o.pk for o in opening_search(params=search_params_parse(q="星空")).items] == [
        opening.pk
    ]
