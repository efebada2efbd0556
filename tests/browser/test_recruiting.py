"""The recruiting loop in headless Chromium: search → sign up → profile → apply → staff opening
→ screening and messages → the applicant sees the reply; at 1280 px and 390 px.

Every test saves full-page screenshots under tests/browser/screenshots/ (11_… to 42_…) for a
human to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.recruiting import factories

from hitonagare.recruiting import rules, services_applications
from hitonagare.recruiting.models import Application, Opening

pytestmark = pytest.mark.browser

AMA = "325252"  # 島根県海士町
CHIYODA = "131016"  # 東京都千代田区
PASSWORD = "correct-horse-battery"  # the factories' password
FARMING = 25  # openings with 農業 in the title: two pages of 20
PM_EVERY = 3  # every third of them is 地域プロジェクトマネージャー


# --- helpers -------------------------------------------------------------------------------


def no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")


def focused(page: Any) -> dict[str, Any]:
    """The focused element: tag, id, text, and whether its focus ring can be seen."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {tag: el.tagName, id: el.id, text: (el.textContent || '').trim().slice(0, 30),
                    href: el.getAttribute('href') || '', type: el.type || '',
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
                    shadow: s.boxShadow};
        }"""
    )


def assert_focus_visible(state: dict[str, Any]) -> None:
    ring = (state["outline"] != "none" and state["width"] >= 2) or state["shadow"] != "none"
    assert ring, f"focus is not visible on {state}"


def unlabelled_inputs(page: Any) -> list[str]:
    """Visible-or-not inputs (except hidden ones) without a <label>, aria-label or -labelledby."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && [...el.labels].some(l => l.textContent.trim()))
                          && !(el.getAttribute('aria-label') || '').trim()
                          && !(el.getAttribute('aria-labelledby') || '').trim())
            .map(el => el.outerHTML.slice(0, 120))"""
    )


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator(".site-nav__account")).to_contain_text(email)


def wait_htmx(page: Any) -> None:
    page.wait_for_function("() => window.htmx !== undefined")


def search_response(page: Any) -> Any:
    """Wait for the htmx request that refreshes the results region."""
    return page.expect_response(
        lambda r: "/openings/" in r.url and r.request.headers.get("hx-request") == "true"
    )


def count_of(page: Any, name: str, value: str) -> int:
    text = page.locator(f"#count-{name}-{value}").inner_text()
    match = re.search(r"(\d+)件", text)
    assert match, f"no count in {text!r}"
    return int(match.group(1))


def farming_openings(farming: int = FARMING) -> None:
    """`farming` openings about 農業 in 海士町 (every third a PM, every other one 農林水産業
    only) and 3 about other things in 千代田区."""
    ama = factories.staff_of(AMA)
    for n in range(farming):
        factories.opening(
            staff=ama,
            title=f"農業の担い手 {n:02d} 棚田と島の暮らし",
            program="pm" if n % PM_EVERY == 0 else "kyoryokutai",
            themes=(rules.Theme.PRIMARY_INDUSTRY,)
            if n % 2
            else (rules.Theme.TOURISM, rules.Theme.ICT_DX),
        )
    chiyoda = factories.staff_of(CHIYODA)
    for title in ("観光案内所の運営", "空き家バンクの立ち上げ", "商店街のデジタル化"):
        factories.opening(
            staff=chiyoda,
            title=title,
            summary="まちの魅力を発信します。",
            description="商店街と協力して、まちの魅力を発信する仕事です。",
            municipality_lgcode=CHIYODA,
            themes=(rules.Theme.TOURISM,),
        )


def expected_pm_primary() -> int:
    return sum(1 for n in range(FARMING) if n % PM_EVERY == 0 and n % 2)


# --- 1. public search ----------------------------------------------------------------------


def test_search_keyword_facets_keyboard_pages_errors_and_empty_state(page, shot):
    farming_openings()
    page.goto("/openings/")
    wait_htmx(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("募集を探す")
    status = page.locator("#search-status")
    expect(status).to_contain_text("28件の募集")
    all_kyoryokutai = count_of(page, "program", "kyoryokutai")
    assert all_kyoryokutai == FARMING - len(range(0, FARMING, PM_EVERY)) + 3
    shot(page, "11_search_all")

    # Keyword: typed and submitted with Enter; htmx swaps the results and the counts, and
    # pushes the query into the address bar.
    keyword = page.locator("#id_q")
    keyword.fill("農業")
    with search_response(page) as info:
        keyword.press("Enter")
    assert info.value.status == 200
    expect(status).to_contain_text("25件の募集（1 / 2ページ）")
    expect(page).to_have_url(re.compile(r"[?&]q=%E8%BE%B2%E6%A5%AD"))
    cards = page.locator("ol.search-cards > li")
    expect(cards).to_have_count(20)
    for title in cards.locator(".opening-card__title").all_inner_texts():
        assert "農業" in title
    expect(page.locator("#count-program-kyoryokutai")).to_have_text(
        f"{FARMING - len(range(0, FARMING, PM_EVERY))}件"
    )
    expect(page.locator("#count-program-pm")).to_have_text(f"{len(range(0, FARMING, PM_EVERY))}件")
    assert no_horizontal_scroll(page)
    shot(page, "11_search_keyword")

    # Pages by keyboard: from the results heading, Tab to 次へ and press Enter.
    page.locator("#search-results-title").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["text"] == "次へ":
            break
    else:
        pytest.fail("Tab never reached the 次へ link")
    assert_focus_visible(state)
    shot(page, "11_search_next_focused")
    with search_response(page):
        page.keyboard.press("Enter")
    expect(status).to_contain_text("（2 / 2ページ）")
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(cards).to_have_count(FARMING - 20)
    expect(page.locator("ol.search-cards")).to_have_attribute("start", "21")
    expect(page.locator(".search-pages a[rel=prev]")).to_have_text("前へ")
    shot(page, "11_search_page2")

    # A program and a theme: ticking a box is enough (htmx on change); the total narrows.
    with search_response(page):
        page.get_by_role("checkbox", name=re.compile("^地域プロジェクトマネージャー")).check()
    expect(status).to_contain_text(f"{len(range(0, FARMING, PM_EVERY))}件の募集")
    assert "program=pm" in page.url
    assert "page=" not in page.url, "a new filter starts again at page 1"
    with search_response(page):
        page.locator("#facet-theme").get_by_role("checkbox", name=re.compile("^農林水産業")).check()
    expect(status).to_contain_text(f"{expected_pm_primary()}件の募集")
    assert "theme=primary-industry" in page.url
    expect(cards).to_have_count(expected_pm_primary())
    chips = page.locator(".search-chips")
    expect(chips).to_contain_text("地域プロジェクトマネージャー")
    expect(chips).to_contain_text("農林水産業")
    shot(page, "11_search_facets")

    # The address bar holds the whole search: reloading gives the same page, boxes ticked.
    page.reload()
    expect(status).to_contain_text(f"{expected_pm_primary()}件の募集")
    expect(page.locator("#f-program-pm")).to_be_checked()
    expect(page.locator("#f-theme-primary-industry")).to_be_checked()
    expect(keyword).to_have_value("農業")

    # One character: the Japanese message, tied to the keyword box.
    wait_htmx(page)
    keyword.fill("農")
    with search_response(page) as info:
        keyword.press("Enter")
    assert info.value.status == 400
    message = "キーワード「農」は1文字です。2文字以上で入力してください"
    expect(page.locator(".search-errors")).to_contain_text(message)
    expect(page.locator(".search-errors a[href='#id_q']")).to_have_count(1)
    expect(status).to_have_text("検索条件を確認してください。")
    shot(page, "11_search_one_character")
    # The message sits under the keyword box too (swapped out of band), tied to it.
    expect(page.locator("#id_q-error")).to_contain_text(message)
    expect(keyword).to_have_attribute("aria-invalid", "true")
    assert "id_q-error" in (keyword.get_attribute("aria-describedby") or "")
    # The box was swapped, yet the focus stays in it (htmx restores it by id).
    expect(keyword).to_be_focused()
    # The summary's link leads to the box (a link to an input moves the focus there).
    page.locator(".search-errors a[href='#id_q']").click()
    expect(keyword).to_be_focused()

    # Nothing found: the empty state says what to try.
    wait_htmx(page)
    keyword.fill("宇宙旅行")
    with search_response(page):
        keyword.press("Enter")
    empty = page.locator(".search-empty")
    expect(empty).to_contain_text("条件に合う募集はありません。")
    expect(empty.get_by_role("link", name="すべての募集を見る")).to_be_visible()
    expect(status).to_contain_text("0件")
    expect(page.locator("#id_q-error")).to_have_count(0)
    expect(keyword).not_to_have_attribute("aria-invalid", "true")
    shot(page, "11_search_empty")


def test_search_on_a_phone_has_no_horizontal_scroll(mobile_page, shot):
    page = mobile_page
    farming_openings(4)
    page.goto("/openings/")
    wait_htmx(page)
    assert no_horizontal_scroll(page)
    shot(page, "12_mobile_search_all")

    page.locator("#id_q").fill("農業")
    with search_response(page):
        page.get_by_role("button", name="検索する", exact=True).click()
    expect(page.locator("#search-status")).to_contain_text("4件の募集")
    assert no_horizontal_scroll(page)
    shot(page, "12_mobile_search_keyword")

    page.locator("#id_from").fill("100-0001")
    with search_response(page):
        page.get_by_role("button", name="この条件で検索する").click()
    first_card = page.locator("ol.search-cards > li").first
    expect(first_card.locator(".opening-area")).to_contain_text("対象")
    assert no_horizontal_scroll(page)
    shot(page, "12_mobile_search_with_origin")

    page.goto("/openings/?q=農")
    keyword = page.locator("#id_q")
    expect(page.locator("#id_q-error")).to_contain_text("2文字以上で入力してください")
    expect(keyword).to_have_attribute("aria-invalid", "true")
    assert "id_q-error" in (keyword.get_attribute("aria-describedby") or "")
    assert no_horizontal_scroll(page)
    shot(page, "12_mobile_search_error")

    page.goto("/openings/?q=宇宙旅行")
    expect(page.locator(".search-empty")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "12_mobile_search_empty")


# --- 2. sign up, verify, profile, apply (on a phone) ---------------------------------------


def test_sign_up_verify_profile_and_apply_on_a_phone(mobile_page, mailoutbox, shot):
    page = mobile_page
    ama = factories.staff_of(AMA)
    opening = factories.opening(staff=ama, title="海士町で棚田と農業の担い手")
    email = "hanako@example.jp"
    password = "shimane-ama-tanada-2025"

    page.goto("/accounts/signup/")
    page.locator("#id_email").fill(email)
    page.locator("#id_display_name").fill("はなこ")
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    assert no_horizontal_scroll(page)
    shot(page, "21_mobile_signup")
    page.get_by_role("button", name="確認メールを送る").click()
    expect(page).to_have_url(re.compile("/accounts/signup/done/"))
    shot(page, "21_mobile_signup_done")

    # The mail went through the locmem backend in the live server's thread.
    mails = [m for m in mailoutbox if email in m.to]
    assert len(mails) == 1, [m.subject for m in mailoutbox]
    assert "メールアドレスの確認" in mails[0].subject
    link = re.search(r"https?://\S+/accounts/verify/\S+/\S+/", mails[0].body)
    assert link, mails[0].body

    # Not verified yet: login is refused with a way to resend the mail.
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("link", name="確認メールを再送する")).to_be_visible()

    page.goto(link.group(0))
    expect(page).to_have_url(re.compile("/accounts/login/"))
    expect(page.get_by_text("メールアドレスを確認しました。")).to_be_visible()
    log_in(page, email, password)

    page.goto("/me/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("プロフィール")
    page.locator("#id_family_name").fill("山田")
    page.locator("#id_given_name").fill("花子")
    page.locator("#id_family_kana").fill("やまだ")
    page.locator("#id_given_kana").fill("はなこ")
    page.locator("#id_birth_date").fill("1995-04-01")
    page.locator("#id_phone").fill("090-1234-5678")
    page.locator("#id_postal_code").fill("100-0001")
    page.get_by_role("checkbox", name=re.compile("^農林水産業")).check()
    assert no_horizontal_scroll(page)
    shot(page, "22_mobile_profile_filled")
    page.get_by_role("button", name="プロフィールを保存する").click()
    expect(page.locator("#me-address")).to_have_text("千代田区（100-0001）")
    expect(page.get_by_text("プロフィールを保存しました。")).to_be_visible()

    # From the public page to the apply page: the 地域要件 from 千代田区 to 海士町 is ○ 対象.
    page.goto(f"/openings/{opening.pk}/")
    page.get_by_role("link", name="応募する").first.click()
    expect(page).to_have_url(re.compile(f"/me/applications/new/{opening.pk}/$"))
    decision = page.locator("section[aria-labelledby=me-elig-title]")
    expect(decision.locator(".verdict .symbol")).to_have_text("○")
    expect(decision.locator(".verdict")).to_contain_text("対象")
    expect(decision.locator(".verdict")).not_to_contain_text("対象外")
    expect(decision).to_contain_text("千代田区（100-0001）")
    assert no_horizontal_scroll(page)
    shot(page, "23_mobile_apply_with_decision")

    page.locator("#id_motivation").fill("棚田の保全に関わりたく、応募します。")
    page.get_by_role("button", name="この内容で応募する").click()
    expect(page.get_by_text("に応募しました。")).to_be_visible()
    expect(page.locator(".me-status-now")).to_contain_text("応募済")
    shot(page, "23_mobile_applied")

    page.goto("/me/")
    card = page.locator(".me-card", has_text="海士町で棚田と農業の担い手")
    expect(card.locator(".me-status")).to_have_text("応募済")
    assert no_horizontal_scroll(page)
    shot(page, "24_mobile_dashboard")
    application = Application.objects.get(opening=opening)
    assert application.applicant.email == email
    assert application.eligibility["symbol"] == "○"


# --- 3. staff: create and publish an opening, screen an application, message --------------


def _fill_opening_form(page: Any, *, title: str, term: str) -> None:
    page.locator("#id_program").select_option("kyoryokutai")
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("港と集落の暮らしを支える仕事です。")
    page.locator("#id_description").fill(
        "漁協と協力して、水産物の販路開拓と島の情報発信を担当します。"
    )
    page.get_by_label("農林水産業").check()
    page.get_by_label("地場産品開発・販路拡大").check()
    page.locator("#id_employment_form").select_option("appointed")
    page.locator("#id_vehicle").select_option("provided")
    page.locator("#id_term_value").fill(term)
    page.locator("#id_term_unit").select_option("years")
    page.locator("#id_selection_steps").fill("書類選考 → 面接（オンライン可）")
    page.locator("#id_contact").fill("海士町役場 交流促進課 08514-2-0000")


def test_staff_publishes_screens_and_messages_then_applicant_sees_it(page, another_context, shot):
    staff = factories.staff_of(AMA, email="staff@ama.example.jp")
    applicant = factories.user(email="applicant@example.jp")
    factories.profile(applicant)  # 千代田区 100-0001
    title = "島の水産物の販路開拓"

    log_in(page, staff.email)
    page.goto("/staff/openings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("募集の管理")
    expect(page.locator("#openings-empty")).to_contain_text("まだ募集はありません。")
    shot(page, "31_staff_openings_empty")
    page.get_by_role("link", name="新しい募集を作る").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新しい募集を作る")
    expect(page.locator("#id_municipality_lgcode")).to_have_value(AMA)

    # 協力隊 for 5 years: refused, the message under the field, the field marked invalid.
    _fill_opening_form(page, title=title, term="5")
    page.get_by_role("button", name="下書きとして保存する").click()
    error = page.locator("#id_term_value_error")
    expect(error).to_contain_text("地域おこし協力隊の期間は")
    expect(error).to_contain_text("入力: 5年")
    term = page.locator("#id_term_value")
    expect(term).to_have_attribute("aria-invalid", "true")
    assert "id_term_value_error" in (term.get_attribute("aria-describedby") or "")
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("入力を確認してください（1か所）")
    # The summary's link leads the keyboard to the field: Enter on it, then Tab.
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    state = focused(page)
    assert state["id"] == "id_term_value", state
    assert_focus_visible(state)
    # What was typed is kept.
    expect(page.locator("#id_title")).to_have_value(title)
    expect(page.get_by_label("農林水産業")).to_be_checked()
    shot(page, "32_staff_opening_term_error")
    assert Opening.objects.count() == 0

    term.fill("3")
    page.get_by_role("button", name="下書きとして保存する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#opening-status")).to_have_text("下書き")
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("募集を公開しました。")).to_be_visible()
    expect(page.locator("#opening-status")).to_have_text("公開")
    shot(page, "33_staff_opening_published")
    opening = Opening.objects.get(title=title)
    assert opening.status == Opening.Status.PUBLISHED
    assert set(opening.themes) == {rules.Theme.PRIMARY_INDUSTRY, rules.Theme.LOCAL_PRODUCTS}

    # The applicant applies (through the service: the web flow is the test above).
    application = services_applications.application_submit(
        user=applicant, opening_id=opening.pk, motivation="島の漁業を応援したいです。"
    )

    page.goto("/staff/applications/")
    row = page.locator("table.sa-table tbody tr", has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text("山田 花子")
    expect(row.locator(".sa-elig__symbol")).to_have_text("○")
    expect(row.locator(".sa-elig")).to_contain_text("対象")
    expect(row.locator(".sa-status")).to_have_text("応募済")
    shot(page, "34_staff_applications")

    row.get_by_role("link", name="山田 花子").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 花子")
    page.get_by_role("button", name="「書類選考中」にする").click()
    expect(page.get_by_text("応募の状態を「書類選考中」にしました。")).to_be_visible()
    expect(page.locator(".sa-status-now .sa-status")).to_have_text("書類選考中")

    wait_htmx(page)
    message = "書類を拝見しました。来週、オンラインで面接をお願いできますか。"
    page.locator("#message-form textarea").fill(message)
    with page.expect_response(lambda r: r.url.endswith("/messages/")) as info:
        page.get_by_role("button", name="送信する").click()
    assert info.value.status == 200
    expect(page.locator("#thread-list")).to_contain_text(message)
    expect(page.locator("#message-form textarea")).to_have_value("")
    shot(page, "35_staff_application_detail")

    # On a phone, the list stays inside the screen.
    phone = another_context(mobile=True).new_page()
    log_in(phone, staff.email)
    phone.goto("/staff/applications/")
    expect(phone.locator("table.sa-table")).to_contain_text("山田 花子")
    assert no_horizontal_scroll(phone)
    shot(phone, "36_mobile_staff_applications")
    phone.goto("/staff/openings/create/")
    assert no_horizontal_scroll(phone)
    shot(phone, "36_mobile_staff_opening_form")

    # The applicant sees the new status and the message.
    mine = another_context(mobile=True).new_page()
    log_in(mine, applicant.email)
    mine.goto("/me/")
    card = mine.locator(".me-card", has_text=title)
    expect(card.locator(".me-status")).to_have_text("書類選考中")
    expect(card.locator(".me-unread")).to_contain_text("1件")
    card.get_by_role("link", name=re.compile("応募の詳細とメッセージ")).click()
    expect(mine).to_have_url(re.compile(f"/me/applications/{application.pk}/$"))
    expect(mine.locator(".me-status-now")).to_contain_text("書類選考中")
    expect(mine.locator("#thread-list")).to_contain_text(message)
    assert no_horizontal_scroll(mine)
    shot(mine, "37_mobile_applicant_sees_reply")


# --- 4. keyboard and labels ----------------------------------------------------------------


def test_labels_focus_and_skip_link_on_search_and_profile(page, shot):
    factories.opening(staff=factories.staff_of(AMA))
    applicant = factories.user(email="keyboard@example.jp")

    for url in ("/openings/", "/openings/?q=農"):
        page.goto(url)
        assert unlabelled_inputs(page) == [], url
    page.goto("/openings/")
    wait_htmx(page)

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "本文へ移動", skip
    assert_focus_visible(skip)
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the skip link must come on screen when focused"
    shot(page, "41_search_skip_link")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # Onwards through the form: every stop shows its focus, the keyword box comes first.
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        state = focused(page)
        assert_focus_visible(state)
        seen.append(state["id"] or state["text"])
    assert seen[0] == "id_q", seen
    assert "id_sort" in seen, seen
    assert any(s.startswith("f-program-") for s in seen), seen
    shot(page, "41_search_keyboard")

    log_in(page, applicant.email)
    page.goto("/me/profile/")
    assert unlabelled_inputs(page) == []
    page.locator("#main").focus()
    stops = []
    for _ in range(10):
        page.keyboard.press("Tab")
        state = focused(page)
        assert_focus_visible(state)
        stops.append(state["id"])
    assert "id_family_name" in stops, stops
    assert stops.index("id_family_name") < stops.index("id_given_name"), stops

    # An invalid profile: each message under its field, the field marked, and labels stay.
    page.locator("#id_postal_code").fill("000-0000")
    page.get_by_role("button", name="プロフィールを保存する").click()
    expect(page.locator("#form-errors")).to_be_visible()
    postal = page.locator("#id_postal_code")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_postal_code_error")).to_contain_text("000-0000")
    expect(page.locator("#id_family_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    # Every invalid input is drawn the same way (a tel input once kept its grey border).
    borders = page.evaluate(
        """() => [...document.querySelectorAll('input[aria-invalid=true]')].map(el => {
            const s = getComputedStyle(el); return s.borderTopColor + ' ' + s.borderTopWidth; })"""
    )
    valid = page.evaluate(
        "() => getComputedStyle(document.getElementById('id_address_line')).borderTopColor"
    )
    assert len(set(borders)) == 1, borders
    assert valid not in borders[0], (valid, borders)
    assert unlabelled_inputs(page) == []
    shot(page, "42_profile_errors")
