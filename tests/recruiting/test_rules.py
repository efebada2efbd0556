"""Pure recruiting rules (no database): term bounds per program, the theme mask, who may move
an application between which states, and the PDF check by content."""

from __future__ import annotations

import itertools

import pytest

from hitonagare.recruiting import rules
from hitonagare.recruiting.rules import Actor, Term, Theme
from hitonagare.recruiting.uploads import MAX_CV_BYTES, pdf_problem

S = rules.ApplicationStatus
P = rules.OpeningProgram
U = rules.TermUnit

# --- term bounds ----------------------------------------------------------------------------

TERM_CASES = [
    # 協力隊: 1年以上3年以下, both ends included.
    (P.KYORYOKUTAI, Term(1, U.YEARS), True),
    (P.KYORYOKUTAI, Term(12, U.MONTHS), True),
    (P.KYORYOKUTAI, Term(11, U.MONTHS), False),
    (P.KYORYOKUTAI, Term(36, U.MONTHS), True),
    (P.KYORYOKUTAI, Term(3, U.YEARS), True),
    (P.KYORYOKUTAI, Term(37, U.MONTHS), False),  # 3年1か月
    (P.KYORYOKUTAI, Term(4, U.YEARS), False),
    (P.KYORYOKUTAI, Term(2, U.WEEKS), False),
    # 地域プロジェクトマネージャー: the same 1〜3年.
    (P.PM, Term(1, U.YEARS), True),
    (P.PM, Term(11, U.MONTHS), False),
    (P.PM, Term(36, U.MONTHS), True),
    (P.PM, Term(37, U.MONTHS), False),
    # インターン: 2週間〜3か月 (3か月 = 91.3125日).
    (P.INTERN, Term(14, U.DAYS), True),
    (P.INTERN, Term(2, U.WEEKS), True),
    (P.INTERN, Term(13, U.DAYS), False),
    (P.INTERN, Term(1, U.WEEKS), False),
    (P.INTERN, Term(3, U.MONTHS), True),
    (P.INTERN, Term(91, U.DAYS), True),
    (P.INTERN, Term(92, U.DAYS), False),
    (P.INTERN, Term(13, U.WEEKS), True),  # 91日
    (P.INTERN, Term(14, U.WEEKS), False),  # 98日
    (P.INTERN, Term(4, U.MONTHS), False),
    (P.INTERN, Term(1, U.YEARS), False),
    # 地域活性化起業人: 6か月〜3年.
    (P.KIGYOJIN, Term(6, U.MONTHS), True),
    (P.KIGYOJIN, Term(5, U.MONTHS), False),
    (P.KIGYOJIN, Term(3, U.YEARS), True),
    (P.KIGYOJIN, Term(36, U.MONTHS), True),
    (P.KIGYOJIN, Term(37, U.MONTHS), False),
    # おためし: 1〜14日.
    (P.OTAMESHI, Term(1, U.DAYS), True),
    (P.OTAMESHI, Term(3, U.DAYS), True),
    (P.OTAMESHI, Term(14, U.DAYS), True),
    (P.OTAMESHI, Term(2, U.WEEKS), True),
    (P.OTAMESHI, Term(15, U.DAYS), False),
    (P.OTAMESHI, Term(3, U.WEEKS), False),
    (P.OTAMESHI, Term(1, U.MONTHS), False),
    # No rule in the sources: 1日〜3年.
    (P.DIGITAL, Term(1, U.DAYS), True),
    (P.DIGITAL, Term(3, U.YEARS), True),
    (P.DIGITAL, Term(37, U.MONTHS), False),
    (P.NICHIIKI, Term(1, U.DAYS), True),
    (P.NICHIIKI, Term(36, U.MONTHS), True),
    (P.NICHIIKI, Term(4, U.YEARS), False),
]


@pytest.mark.parametrize(
    ("program", "term", "ok"), TERM_CASES, ids=[f"{p}-{t.label()}" for p, t, _ in TERM_CASES]
)
def test_term_bounds_are_inclusive(program: P, term: Term, ok: bool) -> None:
    problem = rules.term_problem(program, term)
    if ok:
        assert problem is None
    else:
        assert problem is not None
        assert problem.endswith(f"（入力: {term.label()}）。")


def test_every_program_has_bounds_and_its_ends_are_accepted() -> None:
    assert set(rules.TERM_BOUNDS) == set(P)
    for program, bounds in rules.TERM_BOUNDS.items():
        assert rules.term_problem(program, bounds.minimum) is None
        assert rules.term_problem(program, bounds.maximum) is None
        assert bounds.minimum.days() <= bounds.maximum.days()


def test_term_messages_name_the_program_the_bounds_and_the_input() -> None:
    assert rules.term_problem(P.KYORYOKUTAI, Term(11, U.MONTHS)) == (
        "地域おこし協力隊の期間は1年〜3年です（入力: 11か月）。"
    )
    assert rules.term_problem(P.INTERN, Term(92, U.DAYS)) == (
        "地域おこし協力隊インターンの期間は2週間〜3か月です（入力: 92日）。"
    )
    assert rules.term_problem(P.KIGYOJIN, Term(5, U.MONTHS)) == (
        "地域活性化起業人の期間は6か月〜3年です（入力: 5か月）。"
    )
    assert rules.term_problem(P.OTAMESHI, Term(15, U.DAYS)) == (
        "おためし地域おこし協力隊の期間は1日〜14日です（入力: 15日）。"
    )


@pytest.mark.parametrize("value", [0, -1, -36])
@pytest.mark.parametrize("program", list(P))
def test_a_term_must_be_positive(program: P, value: int) -> None:
    assert rules.term_problem(program, Term(value, U.DAYS)) == "期間は1以上の数で入力してください。"


def test_twelve_months_are_one_year_and_thirty_six_are_three() -> None:
    assert Term(12, U.MONTHS).days() == Term(1, U.YEARS).days()
    assert Term(36, U.MONTHS).days() == Term(3, U.YEARS).days()
    assert Term(2, U.WEEKS).days() == Term(14, U.DAYS).days() == 14
    assert Term(3, U.YEARS).label() == "3年"
    assert rules.TERM_BOUNDS[P.INTERN].label() == "2週間〜3か月"


# --- themes ---------------------------------------------------------------------------------


def test_theme_mask_round_trips_for_every_subset() -> None:
    themes = list(Theme)
    for size in range(len(themes) + 1):
        for subset in itertools.combinations(themes, size):
            mask = rules.themes_to_mask(list(subset))
            assert rules.mask_to_themes(mask) == list(subset)
            assert mask == sum(1 << int(theme) for theme in subset)


def test_theme_mask_values() -> None:
    assert rules.themes_to_mask([]) == 0
    assert rules.mask_to_themes(0) == []
    assert rules.themes_to_mask([Theme.TOURISM]) == 1
    assert rules.themes_to_mask([Theme.OTHER]) == 1 << 10
    # Order and repetition do not matter; the result comes back in vocabulary order.
    assert rules.themes_to_mask([Theme.ICT_DX, Theme.TOURISM, Theme.ICT_DX]) == 0b1000001
    assert rules.mask_to_themes(0b1000001) == [Theme.TOURISM, Theme.ICT_DX]
    assert rules.themes_to_mask({Theme.WELFARE}) == rules.themes_to_mask((Theme.WELFARE,))
    # Bits beyond the vocabulary are ignored, not invented into themes.
    assert rules.mask_to_themes((1 << 11) | (1 << 20) | 0b100) == [Theme.PRIMARY_INDUSTRY]


def test_theme_labels_and_slugs_cover_the_vocabulary() -> None:
    assert set(rules.THEME_LABELS) == set(Theme)
    assert set(rules.THEME_SLUGS) == set(Theme)
    assert len(set(rules.THEME_SLUGS.values())) == len(Theme)
    for theme, slug in rules.THEME_SLUGS.items():
        assert rules.THEME_BY_SLUG[slug] is theme
    assert rules.THEME_LABELS[Theme.PRIMARY_INDUSTRY] == "農林水産業"


# --- application states ---------------------------------------------------------------------

# Written out here, independently of rules.TRANSITIONS: (from, to) → the one actor allowed.
ALLOWED = {
    (S.APPLIED, S.SCREENING): Actor.STAFF,
    (S.SCREENING, S.INTERVIEW): Actor.STAFF,
    (S.SCREENING, S.OFFERED): Actor.STAFF,
    (S.INTERVIEW, S.OFFERED): Actor.STAFF,
    (S.APPLIED, S.REJECTED): Actor.STAFF,
    (S.SCREENING, S.REJECTED): Actor.STAFF,
    (S.INTERVIEW, S.REJECTED): Actor.STAFF,
    (S.OFFERED, S.ACCEPTED): Actor.APPLICANT,
    (S.OFFERED, S.DECLINED): Actor.APPLICANT,
    (S.APPLIED, S.WITHDRAWN): Actor.APPLICANT,
    (S.SCREENING, S.WITHDRAWN): Actor.APPLICANT,
    (S.INTERVIEW, S.WITHDRAWN): Actor.APPLICANT,
}
LABEL = {
    S.APPLIED: "応募済",
    S.SCREENING: "書類選考中",
    S.INTERVIEW: "面接調整中",
    S.OFFERED: "内定",
    S.ACCEPTED: "承諾",
    S.DECLINED: "辞退",
    S.REJECTED: "不採用",
    S.WITHDRAWN: "取り下げ",
}
WHO = {Actor.APPLICANT: "応募者", Actor.STAFF: "募集団体の職員"}


def test_the_transition_table_is_exactly_the_expected_one() -> None:
    assert dict(rules.TRANSITIONS) == ALLOWED
    assert dict(rules.APPLICATION_STATUS_LABELS) == LABEL


@pytest.mark.parametrize("actor", list(Actor))
@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_transition_for_every_actor(current: S, target: S, actor: Actor) -> None:
    problem = rules.transition_problem(current, target, actor)
    allowed_for = ALLOWED.get((current, target))
    if allowed_for is None:
        assert problem == f"「{LABEL[current]}」から「{LABEL[target]}」には変更できません。"
    elif allowed_for is actor:
        assert problem is None
    else:
        assert problem == f"「{LABEL[target]}」への変更は{WHO[allowed_for]}だけが行えます。"


def test_wrong_actor_messages() -> None:
    assert rules.transition_problem(S.APPLIED, S.SCREENING, Actor.APPLICANT) == (
        "「書類選考中」への変更は募集団体の職員だけが行えます。"
    )
    assert rules.transition_problem(S.OFFERED, S.ACCEPTED, Actor.STAFF) == (
        "「承諾」への変更は応募者だけが行えます。"
    )
    assert rules.transition_problem(S.APPLIED, S.WITHDRAWN, Actor.STAFF) == (
        "「取り下げ」への変更は応募者だけが行えます。"
    )
    assert rules.transition_problem(S.APPLIED, S.OFFERED, Actor.STAFF) == (
        "「応募済」から「内定」には変更できません。"
    )
    assert rules.transition_problem(S.APPLIED, S.APPLIED, Actor.STAFF) == (
        "「応募済」から「応募済」には変更できません。"
    )


def test_next_statuses_per_actor() -> None:
    staff, applicant = Actor.STAFF, Actor.APPLICANT
    assert set(rules.next_statuses(S.APPLIED, staff)) == {S.SCREENING, S.REJECTED}
    assert set(rules.next_statuses(S.SCREENING, staff)) == {S.INTERVIEW, S.OFFERED, S.REJECTED}
    assert set(rules.next_statuses(S.INTERVIEW, staff)) == {S.OFFERED, S.REJECTED}
    assert rules.next_statuses(S.OFFERED, staff) == []
    assert rules.next_statuses(S.APPLIED, applicant) == [S.WITHDRAWN]
    assert rules.next_statuses(S.SCREENING, applicant) == [S.WITHDRAWN]
    assert rules.next_statuses(S.INTERVIEW, applicant) == [S.WITHDRAWN]
    assert set(rules.next_statuses(S.OFFERED, applicant)) == {S.ACCEPTED, S.DECLINED}


@pytest.mark.parametrize("terminal", [S.ACCEPTED, S.DECLINED, S.REJECTED, S.WITHDRAWN])
def test_terminal_states_have_no_next_states(terminal: S) -> None:
    assert terminal in rules.TERMINAL_STATUSES
    for actor in Actor:
        assert rules.next_statuses(terminal, actor) == []
        for target in S:
            assert rules.transition_problem(terminal, target, actor) is not None
    assert not any(frm is terminal for frm, _ in rules.TRANSITIONS)


def test_the_terminal_set_is_exactly_the_states_without_exits() -> None:
    without_exits = {status for status in S if not any(frm is status for frm, _ in ALLOWED)}
    assert without_exits == set(rules.TERMINAL_STATUSES)
    # Every non-terminal state can still be left by someone, and every state is reachable.
    reachable = {S.APPLIED} | {to for _, to in ALLOWED}
    assert reachable == set(S)


# --- PDF check ------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def _check(data: bytes, size: int | None = None) -> str | None:
    return pdf_problem(data[:1024], data[-2048:], len(data) if size is None else size)


def test_a_minimal_pdf_passes() -> None:
    assert _check(PDF) is None
    assert _check(PDF + b"\r\n") is None  # trailing line end after %%EOF


def test_pdf_problems_with_their_messages() -> None:
    assert _check(b"") == "ファイルが空です。"
    assert _check(PNG) == "PDFファイルではありません（ファイルの中身がPDFの形式ではありません）。"
    assert _check(b"hello %PDF-1.4 %%EOF") == (
        "PDFファイルではありません（ファイルの中身がPDFの形式ではありません）。"
    )
    assert _check(PDF[:-7]) == "PDFファイルが途中で切れているか、壊れています。"
    assert _check(PDF, size=MAX_CV_BYTES + 1) == "ファイルが大きすぎます（上限 5MB）。"


def test_the_size_limit_is_inclusive() -> None:
    assert MAX_CV_BYTES == 5 * 1024 * 1024
    assert _check(PDF, size=MAX_CV_BYTES) is None
    assert _check(PDF, size=MAX_CV_BYTES + 1) is not None


def test_a_year_typed_as_365_days_fits_the_one_year_minimum():
    from hitonagare.recruiting.rules import OpeningProgram, Term, TermUnit, term_problem

    assert term_problem(OpeningProgram.KYORYOKUTAI, Term(365, TermUnit.DAYS)) is None
    assert term_problem(OpeningProgram.KYORYOKUTAI, Term(364, TermUnit.DAYS)) is not None
