"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live server.

The live server needs a transactional database, which pytest-django flushes after every test.
Each browser test therefore reloads the reference data first (about a second). pytest-django runs
plain `db` tests before transactional ones, so only transactional tests can come after these; for
them the data are reloaded once more when the run leaves the browser tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop in the main thread; Django's async-safety guard
# would otherwise refuse the ORM calls that the fixtures make in the same thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def _uses_live_server(item: pytest.Item | None) -> bool:
    return item is not None and "live_server" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
    """After the last browser test's flush, put the reference data back for the tests that follow."""
    result = yield
    if _uses_live_server(item) and nextitem is not None and not _uses_live_server(nextitem):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        from hitonagare.regions.services import reference_data_load

        with item.config.stash[blocking_manager_key].unblock():
            reference_data_load(commit=True)
            # This runs outside the test's own context and opens its own connection: close it,
            # or PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()
    return result


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} がありません（Debian の chromium パッケージを入れてください）"
        if os.environ.get("HITONAGARE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HITONAGARE_REQUIRE_BROWSER=1 ですが {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(live_server: Any) -> str:
    """The live server's URL, with the reference data reloaded after the last test's flush."""
    from hitonagare.regions.services import reference_data_load

    reference_data_load(commit=True)
    return str(live_server.url)


@dataclass
class Problems:
    """What went wrong in the page: uncaught script errors and server errors."""

    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def assert_none(self) -> None:
        assert not self.page_errors, f"JavaScript errors: {self.page_errors}"
        assert not self.server_errors, f"server errors: {self.server_errors}"


def _watch(page: Any, problems: Problems) -> None:
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on(
        "response",
        lambda r: problems.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )


@pytest.fixture
def problems() -> Problems:
    return Problems()


def _new_context(browser: Any, base_url: str, problems: Problems, **options: Any) -> Any:
    context = browser.new_context(
        base_url=base_url, locale="ja-JP", timezone_id="Asia/Tokyo", **options
    )
    context.set_default_timeout(15_000)
    context.on("page", lambda page: _watch(page, problems))
    return context


@pytest.fixture
def context(browser: Any, base_url: str, problems: Problems) -> Iterator[Any]:
    ctx = _new_context(browser, base_url, problems, viewport=DESKTOP)
    yield ctx
    ctx.close()
    problems.assert_none()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def mobile_page(browser: Any, base_url: str, problems: Problems) -> Iterator[Any]:
    ctx = _new_context(
        browser,
        base_url,
        problems,
        viewport=MOBILE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield ctx.new_page()
    ctx.close()
    problems.assert_none()


@pytest.fixture
def shot() -> Any:
    """shot(page, "name") saves a full-page screenshot as screenshots/name.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def another_context(browser: Any, base_url: str, problems: Problems) -> Iterator[Any]:
    """another_context(mobile=False): one more browser context (another person, or the same
    person on a phone), watched for errors like `context` and closed after the test."""
    made: list[Any] = []

    def make(*, mobile: bool = False) -> Any:
        options: dict[str, Any] = (
            {"viewport": MOBILE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
            if mobile
            else {"viewport": DESKTOP}
        )
        ctx = _new_context(browser, base_url, problems, **options)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    problems.assert_none()
