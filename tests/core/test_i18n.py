"""The English catalogue is complete and the UI follows the browser's Accept-Language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client

PO_FILE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "hitonagare"
    / "locale"
    / "en"
    / "LC_MESSAGES"
    / "django.po"
)


def _po_entries(path: Path) -> list[tuple[str, list[str]]]:
    """(msgid, [msgstr, ...]) for every entry; a small reader for plain gettext files."""
    entries: list[tuple[str, list[str]]] = []
    msgid: str | None = None
    msgstrs: list[str] = []
    field: str | None = None

    def flush() -> None:
        if msgid is not None:
            entries.append((msgid, list(msgstrs)))

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
            if field == "msgid":
                msgid = (msgid or "") + text
            elif field == "msgstr":
                msgstrs[-1] += text
        elif keyword == "msgid":
            flush()
            msgid, msgstrs, field = ast.literal_eval(rest), [], "msgid"
        elif keyword.startswith("msgstr"):
            msgstrs.append(ast.literal_eval(rest))
            field = "msgstr"
        else:  # msgctxt, msgid_plural: not needed for the check
            field = None
    flush()
    return entries


def test_english_catalogue_has_no_empty_translation():
    entries = [(mid, strs) for mid, strs in _po_entries(PO_FILE) if mid]  # skip the header
    assert len(entries) > 100
    empty = [mid for mid, strs in entries if not strs or any(not s for s in strs)]
    assert empty == []
    assert "#, fuzzy" not in PO_FILE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_eligibility_page_in_english():
    response = Client().get("/eligibility/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Relocation requirement check" in html
    assert "地域要件の判定" not in html


@pytest.mark.django_db
def test_eligibility_page_in_japanese():
    response = Client().get("/eligibility/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "地域要件の判定" in html
    assert "Relocation requirement check" not in html


@pytest.mark.django_db
class TestLanguageLinks:
    """The footer switches the language with links (no form: WCAG 3.2.2, cacheable pages)."""

    def test_switches_and_goes_back(self):
        client = Client()
        response = client.get("/language/en/", {"next": "/eligibility/?program=pm"})
        assert response.status_code == 302
        assert response["Location"] == "/eligibility/?program=pm"
        assert response.cookies["django_language"].value == "en"
        assert '<html lang="en">' in client.get("/").content.decode()
        client.get("/language/ja/", {"next": "/"})
        assert '<html lang="ja">' in client.get("/").content.decode()

    def test_never_redirects_off_site(self):
        for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
            response = Client().get("/language/en/", {"next": target})
            assert response["Location"] == "/"

    def test_unknown_language_is_404_and_sets_nothing(self):
        response = Client().get("/language/xx/", {"next": "/"})
        assert response.status_code == 404
        assert "django_language" not in response.cookies

    def test_only_get(self):
        assert Client().post("/language/en/").status_code == 405

    def test_the_footer_links_to_the_other_language(self):
        page = Client().get("/").content.decode()
        assert 'href="/language/en/?next=/"' in page
        assert 'aria-current="true">日本語<' in page
