"""Members through their term and the funding estimate in headless Chromium, at 1280 px and
390 px: staff register an appointment, end it and record the exit outcome; a member files a
monthly report with a receipt and staff return it; the settlement and roster-import pages;
the year's estimate and the what-if; the main forms by keyboard only.

Every test saves full-page screenshots under tests/browser/screenshots/ (m…, f…) for a human
to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.test_recruiting import (
    assert_focus_visible,
    focused,
    log_in,
    no_horizontal_scroll,
    unlabelled_inputs,
)
from tests.recruiting import factories

from hitonagare.funding import selectors as funding_selectors
from hitonagare.members import rules, services, services_reports
from hitonagare.members.models import Appointment, MonthlyReport
from hitonagare.members.services import AppointmentData
from hitonagare.members.services_reports import OutcomeData

pytestmark = pytest.mark.browser

HAKODATE = "012025"  # 北海道函館市: the host
ORIGIN_POSTAL = "1000001"  # 東京都千代田区: where the member came from


# --- helpers -------------------------------------------------------------------------------


def months_ago(n: int, today: dt.date | None = None) -> dt.date:
    first = (today or timezone.localdate()).replace(day=1)
    index = first.year * 12 + first.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def one_year_from(start: dt.date) -> dt.date:
    return rules.add_term(start, rules.Term(1, rules.TermUnit.YEARS)) - dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def appoint(staff: Any, **overrides: Any) -> Appointment:
    start = overrides.pop("start_date", months_ago(3))
    data = AppointmentData(
        member_name=overrides.pop("member_name", "山田 花子"),
        member_kana=overrides.pop("member_kana", "やまだ はなこ"),
        member_email=overrides.pop("member_email", "hanako@example.jp"),
        program="kyoryokutai",
        municipality_lgcode=HAKODATE,
        start_date=start,
        planned_end_date=overrides.pop("planned_end_date", one_year_from(start)),
        origin=ORIGIN_POSTAL,
        residence_moved_on=start,
        monthly_reward_yen=overrides.pop("monthly_reward_yen", 240_000),
        **overrides,
    )
    return services.appointment_create(user=staff, data=data)


def phone_of(another_context: Any, email: str) -> Any:
    """A phone (390 px) logged in as `email`."""
    phone = another_context(mobile=True).new_page()
    log_in(phone, email)
    return phone


def page_fits(page: Any) -> bool:
    """Nothing wider than the viewport. (A phone zooms a too-wide page out, which widens
    window.innerWidth too: compare with the viewport we asked for.)"""
    width = page.viewport_size["width"]
    return (
        bool(no_horizontal_scroll(page))
        and page.evaluate("() => document.documentElement.scrollWidth") <= width
    )


def check_page(page: Any) -> None:
    """Every input labelled, nothing wider than the screen."""
    assert unlabelled_inputs(page) == [], page.url
    assert page_fits(page), f"the page scrolls sideways: {page.url}"


def wide_tables_scroll_inside(page: Any) -> None:
    """A table wider than its box scrolls in its .table-wrap, which the keyboard can reach."""
    problems = page.evaluate(
        """() => [...document.querySelectorAll('table')].filter(t => {
            const wrap = t.closest('.table-wrap');
            if (!wrap) return t.scrollWidth > document.documentElement.clientWidth;
            return wrap.scrollWidth > wrap.clientWidth && wrap.tabIndex < 0;
        }).map(t => t.id || t.outerHTML.slice(0, 80))"""
    )
    assert problems == [], problems


# --- 1. staff: register, end early, record the exit outcome ---------------------------------


def _fill_appointment(page: Any, *, start: dt.date, end: dt.date) -> None:
    page.locator("#id_member_name").fill("佐藤 一郎")
    page.locator("#id_member_kana").fill("さとう いちろう")
    page.locator("#id_member_email").fill("ichiro@example.jp")
    page.locator("#id_program").select_option("kyoryokutai")
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_planned_end_date").fill(end.isoformat())
    page.locator("#id_origin").fill("100-0001")
    page.locator("#id_residence_moved_on").fill(start.isoformat())
    page.locator("#id_monthly_reward_yen").fill("240,000")


def test_staff_register_end_early_and_record_the_exit_outcome(page, another_context, shot):
    staff = factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")
    today = timezone.localdate()
    start = months_ago(3, today)
    end = one_year_from(start)

    log_in(page, staff.email)
    page.goto("/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("隊員・任期")
    expect(page.locator("#members-empty")).to_contain_text("まだ隊員の記録はありません。")
    check_page(page)
    shot(page, "m01_members_empty")

    page.get_by_role("link", name="委嘱・任用を直接登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("委嘱・任用を登録")
    expect(page.locator("#id_municipality_lgcode")).to_have_value(HAKODATE)

    # Nothing but a name and a 転出元 nobody knows: every problem at once, under its field.
    page.locator("#id_member_name").fill("佐藤 一郎")
    page.locator("#id_origin").fill("999-9999")
    page.get_by_role("button", name="登録する").click()
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("入力を確認してください。")
    for name in ("program", "start_date", "planned_end_date", "origin"):
        field = page.locator(f"#id_{name}")
        expect(field).to_have_attribute("aria-invalid", "true")
        assert f"id_{name}_error" in (field.get_attribute("aria-describedby") or ""), name
        expect(page.locator(f"#id_{name}_error")).not_to_be_empty()
    expect(page.locator("#id_member_name")).to_have_value("佐藤 一郎")
    check_page(page)
    shot(page, "m02_appointment_form_errors")
    assert Appointment.objects.count() == 0

    _fill_appointment(page, start=start, end=end)
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_text("佐藤 一郎さんの委嘱・任用を登録しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("佐藤 一郎")
    expect(page.locator("#term-state")).to_have_text("在任中")
    decision = page.locator("section[aria-labelledby=elig-title]")
    expect(decision.locator(".verdict .symbol")).to_have_text("○")
    expect(decision.locator(".verdict")).to_contain_text("対象")
    expect(decision.locator(".verdict")).not_to_contain_text("対象外")
    expect(page.locator("#elig-basis")).to_contain_text(start.isoformat())
    expect(page.locator("#elig-basis")).to_contain_text("基準日")
    expect(page.locator("#appointment-facts")).to_contain_text("千代田区")
    check_page(page)
    shot(page, "m03_appointment_detail")
    appointment = Appointment.objects.get()
    assert appointment.eligibility_eligible is True
    assert appointment.eligibility_basis_date == start

    # An early end: the reason and its detail are required; the outcome rows open up.
    ended_on = today - dt.timedelta(days=3)
    page.get_by_role("link", name="任期の終了を登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("任期の終了を登録")
    page.locator("#id_ended_on").fill(ended_on.isoformat())
    page.locator("#id_reason").select_option("career")
    page.get_by_role("button", name="終了を登録する").click()
    expect(page.locator("#id_note")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_note_error")).not_to_be_empty()
    check_page(page)
    shot(page, "m04_end_form_errors")
    page.locator("#id_note").fill("町内の農業法人に就職するため。")
    page.get_by_role("button", name="終了を登録する").click()
    expect(page.get_by_text("任期の終了を登録しました。")).to_be_visible()
    expect(page.locator("#term-state")).to_have_text("終了")
    expect(page.locator("#ended-on")).to_contain_text(f"{ended_on.month}月{ended_on.day}日")
    expect(page.locator("#end-reason")).to_contain_text("転職・就職")

    page.get_by_role("link", name=re.compile(r"^記録する\s*（任期終了時）")).click()
    page.locator("#id_residence").select_option("same")
    page.locator("#id_activity").select_option("employed")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("定住状況（任期終了時）を記録しました。")).to_be_visible()
    exit_row = page.locator("#outcome-exit")
    expect(exit_row).to_contain_text("同一市町村")
    expect(exit_row).to_contain_text("就業")
    expect(exit_row).to_contain_text(today.isoformat())
    check_page(page)
    shot(page, "m05_appointment_detail_ended")
    appointment.refresh_from_db()
    assert appointment.ended_on == ended_on
    assert appointment.end_reason == "career"
    assert appointment.outcomes.get().residence == "same"

    page.goto("/members/?status=all")
    row = page.locator("#members tbody tr", has_text="佐藤 一郎")
    expect(row).to_contain_text("終了")
    expect(row.locator(".sa-elig")).to_contain_text("対象")
    check_page(page)
    wide_tables_scroll_inside(page)
    shot(page, "m06_members_list")

    # The same pages on a phone: the tables scroll in their boxes, not the page.
    phone = phone_of(another_context, staff.email)
    phone.goto("/members/?status=all")
    expect(phone.locator("#members")).to_contain_text("佐藤 一郎")
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "m06_mobile_members_list")
    phone.goto("/members/new/")
    phone.get_by_role("button", name="登録する").click()
    expect(phone.locator("#form-errors")).to_be_visible()
    check_page(phone)
    shot(phone, "m02_mobile_appointment_form_errors")
    phone.goto(f"/members/{appointment.pk}/")
    expect(phone.locator("#outcome-exit")).to_contain_text("同一市町村")
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "m05_mobile_appointment_detail")


# --- 2. the member files a report, staff return it, the member sees why -------------------


def test_member_files_a_report_with_a_receipt_and_staff_return_it(
    page, another_context, shot, tmp_path: Path
):
    staff = factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")
    member = factories.user(email="hanako@example.jp")
    appointment = appoint(staff)
    services.appointment_link_member(user=staff, appointment_id=appointment.pk, email=member.email)
    month = months_ago(1)
    receipt = tmp_path / "ryoshusho.pdf"
    receipt.write_bytes(factories.MINIMAL_PDF)

    log_in(page, member.email)
    page.goto("/members/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("活動報告")
    table = page.locator(f"#months-{appointment.pk}")
    expect(table).to_contain_text(month_label(month))
    check_page(page)
    shot(page, "m11_member_mine")

    page.get_by_role("link", name=re.compile(rf"^報告する\s*（{month_label(month)}）")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("活動報告を提出")
    expect(page.locator("#id_month")).to_have_value(f"{month:%Y-%m}")

    # Filed empty: the required fields are named; an amount without a category too.
    page.locator("#id_expense-0-amount_yen").fill("3,200")
    page.get_by_role("button", name="提出する", exact=True).click()
    expect(page.locator("#form-errors")).to_be_visible()
    for name in ("days_worked", "hours_worked", "activities"):
        expect(page.locator(f"#id_{name}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_expense-0-category_error")).not_to_be_empty()
    check_page(page)
    shot(page, "m12_report_form_errors")
    assert MonthlyReport.objects.count() == 0

    page.locator("#id_days_worked").fill("18")
    page.locator("#id_hours_worked").fill("120.5")
    page.locator("#id_activities").fill("空き家の調査と、移住相談会の準備をしました。")
    page.locator("#id_results").fill("相談会に12組が参加しました。")
    page.locator("#id_expense-0-category").select_option("travel")
    page.locator("#id_expense-0-amount_yen").fill("3,200")
    page.locator("#id_expense-0-description").fill("相談会会場までの交通費")
    page.locator("#id_expense-0-receipt").set_input_files(str(receipt))
    check_page(page)
    shot(page, "m13_report_form_filled")
    page.get_by_role("button", name="提出する", exact=True).click()
    expect(page.get_by_text("の活動報告を提出しました。")).to_be_visible()
    expect(page.locator("#report-status")).to_have_text("確認待ち")
    expect(page.locator("#expenses")).to_contain_text("相談会会場までの交通費")
    expect(page.locator("#expenses-total")).to_have_text("3,200")
    expect(page.get_by_role("link", name="ryoshusho.pdf")).to_be_visible()
    check_page(page)
    shot(page, "m14_member_report_waiting")
    report = MonthlyReport.objects.get()
    assert report.status == rules.ReportStatus.SUBMITTED.value
    assert report.expenses.get().receipt_type == "application/pdf"

    # Staff: the dashboard, the report, returned with a comment.
    staff_page = another_context().new_page()
    log_in(staff_page, staff.email)
    staff_page.goto("/members/reports/")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("活動報告の状況")
    waiting = staff_page.locator("#waiting tbody tr", has_text="山田 花子")
    expect(waiting).to_contain_text(month_label(month))
    check_page(staff_page)
    shot(staff_page, "m15_reports_dashboard")

    waiting.get_by_role("link").click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("山田 花子さんの活動報告")
    expect(staff_page.locator("#report-status")).to_have_text("確認待ち")
    # 差し戻す without a comment: refused, the message under the comment box.
    staff_page.get_by_role("button", name="差し戻す").click()
    expect(staff_page.locator("#id_comment")).to_have_attribute("aria-invalid", "true")
    expect(staff_page.locator("#id_comment_error")).not_to_be_empty()
    comment = "交通費の領収書の日付が報告月と違います。確認して再提出してください。"
    staff_page.locator("#id_comment").fill(comment)
    check_page(staff_page)
    shot(staff_page, "m16_report_review")
    staff_page.get_by_role("button", name="差し戻す").click()
    expect(staff_page.get_by_text("報告を差し戻しました。")).to_be_visible()
    expect(staff_page.locator("#report-status")).to_have_text("差戻し")
    report.refresh_from_db()
    assert report.status == rules.ReportStatus.RETURNED.value

    # The member sees 差戻し and the comment, and the way to correct it.
    page.goto("/members/mine/")
    expect(page.locator(f"#months-{appointment.pk}")).to_contain_text("差戻し")
    page.get_by_role("link", name=re.compile(rf"^見て直す\s*（{month_label(month)}）")).click()
    expect(page.locator("#report-status")).to_have_text("差戻し")
    expect(page.locator("#review-comment")).to_contain_text(comment)
    expect(page.locator("#returned-notice").get_by_role("link")).to_have_text("直して再提出する")
    check_page(page)
    shot(page, "m17_member_report_returned")

    # On a phone: the member's pages and the staff's.
    phone = phone_of(another_context, member.email)
    phone.goto("/members/mine/")
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "m11_mobile_member_mine")
    phone.goto(f"/members/mine/{appointment.pk}/reports/new/")
    check_page(phone)
    shot(phone, "m13_mobile_report_form")
    phone.goto(f"/members/mine/reports/{report.pk}/")
    expect(phone.locator("#review-comment")).to_contain_text(comment)
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "m17_mobile_member_report_returned")
    staff_phone = phone_of(another_context, staff.email)
    staff_phone.goto("/members/reports/")
    check_page(staff_phone)
    wide_tables_scroll_inside(staff_phone)
    shot(staff_phone, "m15_mobile_reports_dashboard")
    staff_phone.goto(f"/members/reports/{report.pk}/")
    check_page(staff_phone)
    wide_tables_scroll_inside(staff_phone)
    shot(staff_phone, "m16_mobile_report_review")


# --- 3. settlement and roster import --------------------------------------------------------


def test_settlement_tables_and_import_errors(page, another_context, shot):
    staff = factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")
    today = timezone.localdate()
    for n, (residence, activity) in enumerate(
        (("same", "startup"), ("nearby", "employed"), ("other", "employed"))
    ):
        start = months_ago(20 + n, today)
        ended = appoint(staff, member_name=f"終了 {n}号", start_date=start)
        services.appointment_end(
            user=staff,
            appointment_id=ended.pk,
            ended_on=one_year_from(start),
            reason="completed",
        )
        services_reports.outcome_record(
            user=staff,
            appointment_id=ended.pk,
            data=OutcomeData(
                kind="exit",
                surveyed_on=one_year_from(start),
                residence=residence,
                activity=activity,
            ),
        )

    log_in(page, staff.email)
    page.goto("/members/settlement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("定住状況")
    row = page.locator(f"#municipalities-{HAKODATE}")
    expect(row.locator("td").first).to_have_text("3")
    expect(row).to_contain_text("66.7%")  # (1 same + 1 nearby) / 3
    check_page(page)
    wide_tables_scroll_inside(page)
    shot(page, "m21_settlement")

    # A roster with mistakes: nothing registered, each mistake with its row and column.
    header = "氏名,制度,活動市町村（団体コード）,任期開始日,任期終了予定日,転出元\n"
    rows = (
        "山田 花子,地域おこし協力隊,012025,2026-13-01,2027-03-31,100-0001\n"
        ",宇宙開発隊,012033,2026-04-01,2027-03-31,100-0001\n"
    )
    roster = {"name": "meibo.csv", "mimeType": "text/csv", "buffer": (header + rows).encode()}
    page.goto("/members/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("名簿を取り込む")
    check_page(page)
    page.locator("#id_file").set_input_files(roster)
    page.get_by_role("button", name="確認のみ（登録しない）").click()
    expect(page.locator("#import-errors")).to_contain_text("誤りがあります")
    errors = page.locator("#import-error-table tbody tr")
    assert errors.count() >= 3, errors.all_inner_texts()
    expect(page.locator("#import-error-table")).to_contain_text("2行目")
    expect(page.locator("#import-error-table")).to_contain_text("3行目")
    check_page(page)
    shot(page, "m22_import_errors")
    assert Appointment.objects.count() == 3

    phone = phone_of(another_context, staff.email)
    phone.goto("/members/settlement/")
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "m21_mobile_settlement")
    phone.goto("/members/import/")
    phone.locator("#id_file").set_input_files(roster)
    phone.get_by_role("button", name="確認のみ（登録しない）").click()
    expect(phone.locator("#import-errors")).to_be_visible()
    check_page(phone)
    shot(phone, "m22_mobile_import_errors")


# --- 4. funding: the year from the records, the what-if ------------------------------------


def test_year_estimate_with_a_detail_and_a_what_if(page, another_context, shot):
    staff = factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")
    appoint(staff, member_name="山田 花子")
    appoint(staff, member_name="鈴木 次郎", member_email="jiro@example.jp")

    log_in(page, staff.email)
    page.goto("/funding/year/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("の特別交付税の見込み")
    page.get_by_role("link", name="函館市").click()
    detail = page.locator("#detail-section")
    expect(detail.get_by_role("heading", level=2)).to_have_text("函館市の内訳")
    expect(detail).to_contain_text("山田 花子")
    expect(detail).to_contain_text("鈴木 次郎")
    check_page(page)
    wide_tables_scroll_inside(page)
    shot(page, "f01_year_detail")

    # The what-if the rates data backs: 令和5年度 協力隊 報償費 280万円 + その他 200万円.
    rates = funding_selectors.funding_rates()
    assert rates.get("kyoryokutai.reward", 2023).value == Decimal(2_800_000)
    assert rates.get("kyoryokutai.other", 2023).value == Decimal(2_000_000)
    page.goto("/funding/estimate/")
    check_page(page)
    page.locator("#id_program").select_option("kyoryokutai")
    page.locator("#id_fiscal_year").select_option("2023")
    page.locator("#id_start").fill("2023-04-01")
    page.locator("#id_end").fill("2024-03-31")
    page.locator("#id_reward").fill("2,800,000")
    page.locator("#id_expenses").fill("2,000,000")
    page.get_by_role("button", name="試算する").click()
    result = page.locator("#result")
    expect(result.get_by_role("heading", level=2)).to_have_text(
        "令和5年度の見込み（地域おこし協力隊）"
    )
    expect(result.locator(".counts strong")).to_have_text("4,800,000")
    expect(result.locator(".badge", has_text="一部不明")).to_have_count(0)
    check_page(page)
    wide_tables_scroll_inside(page)
    shot(page, "f02_estimate_result")

    phone = phone_of(another_context, staff.email)
    phone.goto(f"/funding/year/?org={HAKODATE}")
    expect(phone.locator("#detail-section")).to_contain_text("山田 花子")
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "f01_mobile_year_detail")
    phone.goto(
        "/funding/estimate/?program=kyoryokutai&variant=&fiscal_year=2023&start=2023-04-01"
        "&end=2024-03-31&reward=2%2C800%2C000&expenses=2%2C000%2C000"
    )
    expect(phone.locator("#result .counts strong")).to_have_text("4,800,000")
    check_page(phone)
    wide_tables_scroll_inside(phone)
    shot(phone, "f02_mobile_estimate_result")


# --- 5. keyboard only ------------------------------------------------------------------------


def tab_to(page: Any, element_id: str = "", *, text: str = "", limit: int = 40) -> list[str]:
    """Press Tab until the element with this id (or this text) has the focus; every stop on
    the way shows its focus. (A date input takes several stops: its parts and its picker.)"""
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        assert_focus_visible(state)
        stops.append(state["id"] or state["text"])
        if (element_id and state["id"] == element_id) or (text and state["text"] == text):
            return stops
    raise AssertionError(f"Tab never reached {element_id or text}: {stops}")


DATE_ORDERS = {  # the digits to type for 2033-11-22 in each order of a date input's parts
    "mdy": "11222033",
    "dmy": "22112033",
    "ymd": "0020331122",  # the year part takes up to 6 digits: fill them to move on
}


def date_order(page: Any) -> str:
    """The order of a date input's parts: it follows the browser's own language (Debian's
    Chromium here shows mm/dd/yyyy whatever the page's locale), so ask the browser."""
    for order, digits in DATE_ORDERS.items():
        page.evaluate(
            """() => { const probe = document.createElement('input');
                       probe.type = 'date'; probe.id = 'date-probe'; document.body.prepend(probe); }"""
        )
        probe = page.locator("#date-probe")
        probe.focus()
        page.keyboard.type(digits)
        value = probe.input_value()
        page.evaluate("() => document.getElementById('date-probe').remove()")
        if value == "2033-11-22":
            return order
    raise AssertionError("the date input takes none of the known orders")


def type_date(page: Any, order: str, value: dt.date) -> None:
    """Type a date into the focused date input, in the browser's order of its parts."""
    parts = {
        "y": f"{value.year:06d}" if order == "ymd" else f"{value.year}",
        "m": f"{value.month:02d}",
        "d": f"{value.day:02d}",
    }
    page.keyboard.type("".join(parts[p] for p in order))


def choose(page: Any, element_id: str, value: str) -> None:
    """Pick an option of the focused <select> with the arrow keys."""
    select = page.locator(f"#{element_id}")
    values = select.evaluate("el => [...el.options].map(o => o.value)")
    steps = values.index(value) - values.index(select.input_value())
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert select.input_value() == value, (element_id, select.input_value())


def test_main_forms_work_with_the_keyboard_alone(page, shot):
    staff = factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")
    member = factories.user(email="hanako@example.jp")
    today = timezone.localdate()
    start = months_ago(2, today)

    # The appointment form: Tab from the top of the page, type, Enter on the button.
    log_in(page, staff.email)
    page.goto("/members/new/")
    order = date_order(page)
    page.locator("#main").focus()
    tab_to(page, "id_member_name")
    page.keyboard.type("佐藤 一郎")
    tab_to(page, "id_program")
    choose(page, "id_program", "kyoryokutai")
    tab_to(page, "id_start_date")
    type_date(page, order, start)
    tab_to(page, "id_planned_end_date")
    type_date(page, order, one_year_from(start))
    tab_to(page, "id_origin")
    page.keyboard.type("100-0001")
    stops = tab_to(page, "id_note")
    page.keyboard.type("キーボードだけで登録")
    shot(page, "m31_keyboard_appointment_form")
    after_note = tab_to(page, text="登録する")
    assert len(after_note) == 1, after_note  # the button comes right after the last field
    page.keyboard.press("Enter")
    expect(page.get_by_text("佐藤 一郎さんの委嘱・任用を登録しました。")).to_be_visible()
    appointment = Appointment.objects.get()
    assert appointment.start_date == start
    assert appointment.origin_municipality is not None
    assert "id_residence_moved_on" in stops

    # The report form: Enter in a text box files the report (not "行を追加").
    services.appointment_link_member(user=staff, appointment_id=appointment.pk, email=member.email)
    page.context.clear_cookies()
    log_in(page, member.email)
    page.goto(f"/members/mine/{appointment.pk}/reports/new/?month={months_ago(1, today):%Y-%m}")
    page.locator("#main").focus()
    tab_to(page, "id_days_worked")
    page.keyboard.type("15")
    tab_to(page, "id_hours_worked")
    page.keyboard.type("100")
    tab_to(page, "id_activities")
    page.keyboard.type("集落の草刈りと、移住体験ツアーの受け入れ。")
    tab_to(page, "id_expense-0-description")
    page.keyboard.type("なし")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "id_expense-0-category"
    choose(page, "id_expense-0-category", "supplies")
    tab_to(page, "id_expense-0-amount_yen")
    page.keyboard.type("1500")
    shot(page, "m32_keyboard_report_form")
    page.keyboard.press("Enter")
    expect(page.locator("#report-status")).to_have_text("確認待ち")
    report = MonthlyReport.objects.get()
    assert report.days_worked == 15
    assert report.expenses.get().amount_yen == 1500

    # The what-if: Tab, arrows and Enter.
    page.context.clear_cookies()
    log_in(page, staff.email)
    page.goto("/funding/estimate/")
    page.locator("#main").focus()
    tab_to(page, "id_fiscal_year")
    choose(page, "id_fiscal_year", "2023")
    tab_to(page, "id_start")
    type_date(page, order, dt.date(2023, 4, 1))
    tab_to(page, "id_end")
    type_date(page, order, dt.date(2024, 3, 31))
    tab_to(page, "id_reward")
    page.keyboard.type("2800000")
    tab_to(page, "id_expenses")
    page.keyboard.type("2000000")
    page.keyboard.press("Enter")
    expect(page.locator("#result .counts strong")).to_have_text("4,800,000")
    shot(page, "f03_keyboard_estimate")
