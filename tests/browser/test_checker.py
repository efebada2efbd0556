"""The 地域要件 checker and the all-pairs pages, in headless Chromium.

Every test saves full-page screenshots under tests/browser/screenshots/ for a human to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_checker(page: Any) -> None:
    page.goto("/eligibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text("地域要件の判定")
    # htmx must be loaded before we rely on hx-get (suggestions, the htmx submit).
    page.wait_for_function("() => window.htmx !== undefined")


def pick_suggestion(page: Any, field_id: str, typed: str, wanted: str) -> str:
    """Type like a person, wait for the htmx-filled <datalist>, and choose the wanted option.

    The native datalist popup cannot be clicked in headless Chromium; choosing an option puts
    its value into the input, which is what this does.
    """
    field = page.locator(f"#{field_id}")
    field.click()
    field.press_sequentially(typed, delay=30)
    option = page.locator(f"#{field_id}-list option[value*='{wanted}']").first
    expect(option).to_be_attached()
    value = option.get_attribute("value")
    assert value is not None
    field.fill(value)
    return value


def submit(page: Any) -> Any:
    with page.expect_response(lambda r: "/eligibility/?" in r.url) as info:
        page.get_by_role("button", name="判定する").click()
    return info.value


def no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_postal_code_to_amacho_is_eligible_and_prints(page, context, shot):
    open_checker(page)
    shot(page, "01_checker_empty")

    page.locator("#id_origin").fill("100-0001")
    chosen = pick_suggestion(page, "id_destination", "海士", "海士町")
    assert "島根県海士町" in chosen
    shot(page, "01_checker_filled")

    response = submit(page)
    assert response.status == 200
    result = page.locator("#result")
    verdict = result.locator(".verdict")
    expect(verdict).to_contain_text("対象")
    expect(verdict).not_to_contain_text("対象外")
    expect(verdict.locator(".symbol")).to_have_text("○")
    expect(result.locator(".decision--ok")).to_be_visible()
    expect(result).to_contain_text("東京都 千代田区")
    expect(result).to_contain_text("島根県 海士町")
    reasons = result.locator("ol.reasons li")
    expect(reasons).to_have_count(3)
    expect(reasons.nth(1)).to_contain_text("「○」")
    expect(result).to_contain_text("基準日 2022-04-01")
    # htmx pushed the query into the address bar, so the page can be reloaded or shared.
    assert "destination=" in page.url
    shot(page, "01_checker_result_ok")

    link = result.get_by_role("link", name="判定根拠を印刷する")
    expect(link).to_have_attribute("target", "_blank")
    with context.expect_page() as popup_info:
        link.click()
    printed = popup_info.value
    printed.wait_for_load_state()
    assert "/eligibility/print/?" in printed.url
    expect(printed.get_by_role("heading", level=1)).to_have_text("地域要件 判定根拠")
    body = printed.locator("main")
    expect(body).to_contain_text("判定根拠")
    expect(body).to_contain_text("2022-04-01")
    expect(body).to_contain_text("印刷日時")
    expect(body).to_contain_text("団体コード 131016")
    expect(body).to_contain_text("団体コード 325252")
    expect(body.locator(".verdict")).to_contain_text("対象")
    # Row headers stay on one line (overflow-wrap:anywhere once squeezed them to a column).
    assert printed.evaluate(
        """() => [...document.querySelectorAll('th[scope=row]')].every(th => {
            const r = document.createRange(); r.selectNodeContents(th);
            return r.getClientRects().length === 1; })"""
    )
    shot(printed, "01_print_screen")

    printed.emulate_media(media="print")
    expect(printed.get_by_role("button", name="印刷する")).to_be_hidden()
    expect(printed.locator(".site-footer")).to_be_hidden()
    expect(body).to_contain_text("印刷日時")
    shot(printed, "01_print_media")
    pdf = printed.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_partly_disadvantaged_origin_needs_checking_then_area_decides(page, shot):
    open_checker(page)
    page.locator("#id_origin").fill("北見市")
    page.locator("#id_destination").fill("海士町")
    submit(page)
    result = page.locator("#result")
    verdict = result.locator(".verdict")
    expect(verdict).to_contain_text("要確認")
    expect(verdict.locator(".symbol")).to_have_text("△")
    expect(result.locator(".decision--check")).to_be_visible()
    areas = result.locator(".notice--warn")
    expect(areas).to_contain_text("確認が必要な区域")
    for area in ("常呂町", "端野町", "留辺蘂町"):
        expect(areas).to_contain_text(area)
    shot(page, "02_kitami_needs_check")

    page.get_by_text("区域（大字など）と基準日を指定する").click()
    # The area field suggests the 過疎 旧市町村 of the origin first, then its 町域.
    chosen = pick_suggestion(page, "id_origin_area", "常呂", "常呂町")
    assert chosen == "常呂町"
    expect(page.locator("#id_origin_area-list option[value='常呂町常呂']")).to_be_attached()
    submit(page)
    expect(verdict).to_contain_text("対象外")
    expect(result.locator(".decision--ng")).to_be_visible()
    expect(result.locator("ol.reasons")).to_contain_text("条件不利区域内")
    expect(result.locator(".place").first).to_contain_text("常呂町")
    expect(result.locator(".notice--warn")).to_have_count(0)
    shot(page, "02_kitami_tokoro_not_eligible")


def test_bad_input_shows_japanese_errors_and_candidates(page, shot):
    open_checker(page)
    page.locator("#id_origin").fill("000-0000")
    page.locator("#id_destination").fill("海士町")
    response = submit(page)
    assert response.status == 400
    errors = page.locator("#form-errors")
    expect(errors).to_contain_text("入力を確認してください。")
    expect(errors).to_contain_text("郵便番号「000-0000」は見つかりません。")
    expect(page.locator("#result .decision")).to_have_count(0)
    shot(page, "03_unknown_postal_code")

    # The error links to its field.
    errors.get_by_role("link").first.click()
    expect(page.locator("#id_origin")).to_be_focused()

    page.locator("#id_origin").fill("府中")
    submit(page)
    expect(errors).to_contain_text("「府中」に当たる市区町村が一つに決まりません（3件）")
    candidates = page.get_by_role("button", name=re.compile("府中"))
    expect(candidates).to_have_count(3)
    expect(candidates.first).to_contain_text("東京都 府中市（132063）")
    shot(page, "03_ambiguous_name_candidates")

    page.get_by_role("button", name="広島県 府中町（343021）").click()
    expect(page.locator("#id_origin")).to_have_value("343021 広島県府中町")
    expect(page.locator("#id_origin")).to_be_focused()
    submit(page)
    expect(page.locator("#result .verdict")).to_be_visible()
    expect(page.locator("#result .place").first).to_contain_text("広島県 府中町")
    expect(page.locator("#form-errors")).to_have_count(0)
    shot(page, "03_candidate_chosen_result")

    # Reloading the pushed URL renders the whole page: the candidates sit under the field, once.
    page.goto("/eligibility/?program=kyoryokutai&origin=府中&destination=海士町")
    expect(page.locator("#id_origin")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_origin-error")).to_contain_text("一つに決まりません")
    expect(page.get_by_role("button", name=re.compile("府中"))).to_have_count(3)
    # The neighbouring field is not stretched by the taller column beside it.
    height = page.locator("#id_destination").bounding_box()["height"]
    assert height < 60, f"destination input stretched to {height}px"
    page.get_by_role("button", name="東京都 府中市（132063）").click()
    expect(page.locator("#id_origin")).to_have_value("132063 東京都府中市")
    shot(page, "03_ambiguous_name_full_page")
    page.wait_for_function("() => window.htmx !== undefined")

    # Empty form: both messages in Japanese, nothing crashes.
    page.locator("#id_origin").fill("")
    page.locator("#id_destination").fill("")
    response = submit(page)
    assert response.status == 400
    expect(errors).to_contain_text("転入地を入力してください。")
    expect(errors).to_contain_text("転出地を入力してください")


def test_skip_link_and_keyboard_focus_are_visible(page, shot):
    open_checker(page)

    def focused() -> dict[str, str]:
        return page.evaluate(
            """() => {
                const el = document.activeElement;
                const s = getComputedStyle(el);
                return {tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 20),
                        name: el.name || '', outline: s.outlineStyle,
                        width: s.outlineWidth, x: String(el.getBoundingClientRect().left)};
            }"""
        )

    def assert_focus_visible(state: dict[str, str]) -> None:
        assert state["outline"] != "none", state
        assert float(state["width"].removesuffix("px")) >= 2, state

    page.keyboard.press("Tab")
    skip = focused()
    assert skip["text"] == "本文へ移動", skip
    assert float(skip["x"]) >= 0, "the skip link must come on screen when focused"
    assert_focus_visible(skip)
    shot(page, "04_skip_link_focused")

    page.keyboard.press("Enter")
    assert focused()["id"] == "main"

    page.keyboard.press("Tab")
    radio = focused()
    assert radio["name"] == "program", radio
    assert_focus_visible(radio)

    page.keyboard.press("Tab")
    origin = focused()
    assert origin["id"] == "id_origin", origin
    assert_focus_visible(origin)
    page.keyboard.type("100-0001")

    page.keyboard.press("Tab")
    destination = focused()
    assert destination["id"] == "id_destination", destination
    assert_focus_visible(destination)
    page.keyboard.type("325252")
    shot(page, "04_destination_focused")

    # Onwards through both <details> summaries to the submit button, then submit by keyboard.
    seen = []
    for _ in range(10):
        page.keyboard.press("Tab")
        state = focused()
        assert_focus_visible(state)
        seen.append(state["tag"])
        if state["tag"] == "BUTTON":
            break
    assert seen.count("SUMMARY") == 2, seen
    assert seen[-1] == "BUTTON", seen
    page.keyboard.press("Enter")
    expect(page.locator("#result .verdict")).to_contain_text("対象")
    shot(page, "04_submitted_by_keyboard")


def test_mobile_layout_has_no_horizontal_scroll(mobile_page, shot):
    page = mobile_page
    open_checker(page)
    assert no_horizontal_scroll(page)
    shot(page, "05_mobile_checker")

    page.locator("#id_origin").fill("100-0001")
    page.locator("#id_destination").fill("海士町")
    submit(page)
    expect(page.locator("#result .verdict")).to_contain_text("対象")
    assert no_horizontal_scroll(page)
    shot(page, "05_mobile_checker_result")

    page.locator("#id_origin").fill("府中")
    submit(page)
    expect(page.locator("#form-errors")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "05_mobile_checker_error")

    page.goto("/eligibility/destinations/?program=kyoryokutai&place=千代田区")
    expect(page.locator("svg.map")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "05_mobile_destinations")


def counts(page: Any) -> dict[str, int]:
    items = page.locator("ul.counts li")
    found = {}
    for i in range(items.count()):
        label = items.nth(i).locator("span").inner_text().strip()
        number = items.nth(i).locator("strong").inner_text().replace(",", "").strip()
        found[label] = int(number)
    return found


def test_destinations_from_chiyoda_and_origins_of_a_town(page, shot):
    page.goto("/eligibility/destinations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ここから行ける地域")
    page.locator("#id_place").fill("千代田区")
    page.get_by_role("button", name="表示する").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("東京都 千代田区")
    assert counts(page) == {"対象": 1414, "要確認": 0, "対象外": 327}
    expect(page.locator("ul.counts")).to_contain_text("1,414")
    svg = page.locator("svg.map")
    expect(svg).to_be_visible()
    expect(svg.locator("path.pref")).to_have_count(47)
    assert svg.locator("circle.dot--ok").count() > 1000
    assert svg.locator("circle").count() > 1400
    expect(svg.locator("circle.dot--anchor")).to_have_count(1)
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 300
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(47)
    expect(rows.first.locator("th")).to_have_text("北海道")
    shot(page, "06_destinations_chiyoda")

    page.goto("/eligibility/origins/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ここへ来られる地域")
    page.locator("#id_place").fill("海士町")
    page.get_by_role("button", name="表示する").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("島根県 海士町")
    assert counts(page) == {"対象": 630, "要確認": 292, "対象外": 819}
    assert page.locator("svg.map circle.dot--check").count() > 200
    expect(page.locator("table tbody tr")).to_have_count(47)
    shot(page, "06_origins_amacho")
