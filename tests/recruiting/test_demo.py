"""The demo data command: counts, validity, search, determinism, --if-empty, --reset, safety."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from hitonagare.accounts.models import Membership, Organisation, User
from hitonagare.core.errors import ConflictError
from hitonagare.recruiting import demo, rules
from hitonagare.recruiting.models import ApplicantProfile, Application, Opening
from hitonagare.recruiting.selectors import opening_search, search_params_parse
from hitonagare.recruiting.services import OpeningData, opening_problems
from hitonagare.recruiting.services_applications import application_submit
from hitonagare.regions.models import Prefecture

from . import factories

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def fts_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM recruiting_opening_fts")
        return int(cursor.fetchone()[0])


def as_data(opening: Opening) -> OpeningData:
    return OpeningData(
        program=opening.program,
        title=opening.title,
        summary=opening.summary,
        description=opening.description,
        themes=tuple(opening.themes),
        positions=opening.positions,
        municipality_lgcode=opening.municipality.lgcode,
        employment_form=opening.employment_form,
        vehicle=opening.vehicle,
        term_value=opening.term_value,
        term_unit=opening.term_unit,
        selection_steps=opening.selection_steps,
        contact=opening.contact,
        area_name=opening.area_name,
        monthly_pay_yen=opening.monthly_pay_yen,
        housing_support=opening.housing_support,
        housing_note=opening.housing_note,
        side_work_allowed=opening.side_work_allowed,
        start_date=opening.start_date,
        deadline=opening.deadline,
    )


def content() -> list[tuple[object, ...]]:
    """What the demo wrote, without ids or timestamps (comparable across runs)."""
    today = timezone.localdate()
    return [
        (
            o.host.lgcode or o.host.name,
            o.municipality.lgcode,
            o.program,
            o.status,
            o.title,
            o.summary,
            o.description,
            o.themes_mask,
            o.term_value,
            o.term_unit,
            o.monthly_pay_yen,
            o.area_name,
            (o.deadline - today).days if o.deadline else None,
        )
        for o in Opening.objects.select_related("host", "municipality").order_by("id")
    ]


@pytest.fixture
def demo_300(reference_data) -> str:
    return run("--openings", "300", "--applicants", "12", "--seed", "3")


def test_creates_the_requested_counts_across_programs_and_prefectures(demo_300):
    assert "募集 300" in demo_300
    assert Opening.objects.count() == 300
    demo_users = demo.demo_users()
    assert ApplicantProfile.objects.filter(user__in=demo_users).count() == 12
    assert set(Opening.objects.values_list("program", flat=True)) == {
        p.value for p in rules.OpeningProgram
    }
    programs = Counter(Opening.objects.values_list("program", flat=True))
    assert programs["kyoryokutai"] > 300 / 2  # mostly 協力隊
    statuses = Counter(Opening.objects.values_list("status", flat=True))
    assert set(statuses) == {"published", "draft", "closed", "ended"}
    assert 0.7 <= statuses["published"] / 300 <= 0.9
    hosts = Organisation.objects.filter(openings__isnull=False).distinct()
    municipal = hosts.filter(kind=Organisation.Kind.MUNICIPALITY)
    assert municipal.order_by().values("prefecture").distinct().count() == 47
    assert hosts.filter(kind=Organisation.Kind.PREFECTURE).exists()
    for kind in ("company", "desk", "ministry"):
        assert Membership.objects.filter(organisation__kind=kind, user__in=demo_users).exists(), (
            kind
        )
    # Every host organisation has one admin and one staff member from the demo.
    for org in hosts:
        roles = sorted(org.memberships.values_list("is_admin", flat=True))
        assert roles == [False, True], org
    # Only published openings are in the search index.
    assert fts_count() == statuses["published"]


def test_every_opening_is_valid_for_its_program_and_host_area(demo_300):
    today = timezone.localdate()
    openings = Opening.objects.select_related("host", "municipality")
    for opening in openings:
        errors, municipality = opening_problems(as_data(opening), host=opening.host, today=today)
        if opening.status in (Opening.Status.CLOSED, Opening.Status.ENDED):
            errors.pop("deadline", None)  # their deadlines have passed, as they should
        assert errors == {}, (opening.pk, opening.title, errors)
        assert municipality == opening.municipality
        assert 1 <= len(opening.themes) <= 3
        assert 200 <= len(opening.description) <= 1500
        assert opening.prefecture_code == opening.municipality.lgcode[:2]
        program = rules.OpeningProgram(opening.program)
        if program is rules.OpeningProgram.KYORYOKUTAI:
            assert 200_000 <= opening.monthly_pay_yen <= 280_000
        if program in (rules.OpeningProgram.OTAMESHI, rules.OpeningProgram.INTERN):
            assert opening.monthly_pay_yen is None
        if opening.status == Opening.Status.PUBLISHED:
            assert opening.published_at is not None
            assert opening.published_at <= timezone.now()
            assert opening.deadline is None or today <= opening.deadline <= today + dt.timedelta(
                days=90
            )
        elif opening.status == Opening.Status.DRAFT:
            assert opening.published_at is None
        else:
            assert opening.deadline < today
            assert opening.closed_at is not None
    assert openings.filter(status="published", deadline__isnull=True).exists()  # 随時


def test_published_openings_are_found_by_search_and_others_are_not(demo_300):
    published = list(Opening.objects.filter(status="published").order_by("id")[:15])
    others = list(Opening.objects.exclude(status="published").order_by("id")[:5])
    for opening in published + others:
        q = opening.title.replace(" ", "").replace("　", "")[:20]
        result = opening_search(
            params=search_params_parse(
                q=q, prefectures=[opening.prefecture_code], programs=[opening.program]
            )
        )
        found = {o.pk for o in result.items}
        assert result.total <= 20  # the whole result is on page 1
        assert (opening.pk in found) is (opening.status == "published"), opening.title
    # A two-character query over all of them: exactly the published openings holding it.
    result = opening_search(params=search_params_parse(q="農業", per_page=100))
    expected = Opening.objects.filter(status="published", search_text__contains="農業").count()
    assert expected > 0
    assert result.total == expected


def test_applications_follow_the_state_rules(demo_300):
    applications = Application.objects.prefetch_related("events")
    assert applications.exists()
    assert len({a.status for a in applications}) >= 3
    for application in applications:
        events = list(application.events.all())
        assert events[0].from_status == ""
        assert events[0].to_status == "applied"
        for event in events[1:]:
            assert (
                rules.ApplicationStatus(event.from_status),
                rules.ApplicationStatus(event.to_status),
            ) in rules.TRANSITIONS
        assert events[-1].to_status == application.status
        assert application.profile_snapshot["email"] == application.applicant.email
        if application.opening.program in {p.value for p in rules.PROGRAMS_WITH_AREA_REQUIREMENT}:
            assert application.eligibility is not None


def test_applicants_have_real_postal_codes_and_about_half_accept_scouts(reference_data):
    run("--openings", "40", "--applicants", "40")
    from hitonagare.regions.selectors import postal_code_lookup

    profiles = ApplicantProfile.objects.select_related("municipality")
    for profile in profiles:
        resolved = postal_code_lookup(postal_code=profile.postal_code)
        assert profile.municipality in (resolved.ward, resolved.municipality)
        assert profile.family_kana
        assert profile.given_kana
    opted_in = profiles.filter(scout_opt_in=True).count()
    assert 10 <= opted_in <= 30


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(reference_data):
    run("--openings", "120", "--applicants", "3", "--seed", "7")
    first = content()
    run("--reset", "--openings", "120", "--applicants", "3", "--seed", "7")
    assert content() == first
    run("--reset", "--openings", "120", "--applicants", "3", "--seed", "8")
    assert content() != first


def test_if_empty_does_nothing_the_second_time(reference_data):
    run("--if-empty", "--openings", "50", "--applicants", "2")
    before = (Opening.objects.count(), User.objects.count())
    assert before[0] == 50
    output = run("--if-empty", "--openings", "50", "--applicants", "2", "--print-credentials")
    assert "作成しません" in output
    assert (Opening.objects.count(), User.objects.count()) == before
    # The accounts are listed again; their password was never set (no --print-credentials).
    assert "ローカル開発用" in output
    assert "未設定" in output
    assert demo.DEV_PASSWORD not in output


def test_if_empty_also_skips_when_only_real_openings_exist(reference_data):
    staff = factories.staff_of("325252")
    factories.opening(staff=staff)
    run("--if-empty", "--openings", "50")
    assert Opening.objects.count() == 1
    assert not demo.demo_users().exists()


def test_a_second_run_without_reset_is_refused(reference_data):
    run("--openings", "20", "--applicants", "0")
    with pytest.raises(CommandError) as error:
        run("--openings", "20", "--applicants", "0")
    assert error.value.returncode == 2
    assert Opening.objects.count() == 20


def test_reset_removes_only_demo_data(reference_data):
    # Real data first, including the organisation the demo always uses (海士町).
    real_staff = factories.staff_of("325252")
    real_opening = factories.opening(staff=real_staff, title="本物の募集：島の観光案内")
    real_org = real_staff.membership.organisation
    other_real_org = factories.prefecture_org("01")
    real_applicant = factories.user(email="real.applicant@example.jp")
    factories.profile(real_applicant)
    organisations_before = set(Organisation.objects.values_list("id", flat=True))

    run("--openings", "80", "--applicants", "5")
    assert Opening.objects.count() == 81
    run("--delete")

    assert list(Opening.objects.values_list("id", flat=True)) == [real_opening.pk]
    assert not demo.demo_users().exists()
    assert User.objects.filter(pk__in=[real_staff.pk, real_applicant.pk]).count() == 2
    assert set(Organisation.objects.values_list("id", flat=True)) == organisations_before
    assert Organisation.objects.filter(pk__in=[real_org.pk, other_real_org.pk]).count() == 2
    assert ApplicantProfile.objects.count() == 1
    assert fts_count() == 1
    result = opening_search(params=search_params_parse(q="観光案内"))
    assert [o.pk for o in result.items] == [real_opening.pk]

    # --reset: delete, then create again.
    run("--openings", "30", "--applicants", "0")
    run("--reset", "--openings", "10", "--applicants", "0")
    assert Opening.objects.count() == 11


def test_reset_refuses_when_a_real_applicant_applied_to_a_demo_opening(reference_data):
    run("--openings", "60", "--applicants", "0")
    applicant = factories.user(email="real.person@example.jp")
    factories.profile(applicant)
    opening = (
        Opening.objects.filter(status="published", program="nichiiki").order_by("id").first()
    ) or Opening.objects.filter(status="published").order_by("id").first()
    application_submit(user=applicant, opening_id=opening.pk, motivation="応募します。")
    with pytest.raises(ConflictError):
        demo.demo_data_delete()
    assert Opening.objects.count() == 60


def test_refuses_to_run_under_production_settings(reference_data):
    with override_settings(SETTINGS_MODULE="hitonagare.config.settings.production"):
        with pytest.raises(CommandError) as error:
            run("--openings", "10")
        assert error.value.returncode == 2
        assert "本番" in str(error.value)
        with pytest.raises(CommandError):
            run("--delete")
        assert Opening.objects.count() == 0
        # The service refuses too, whoever calls it.
        with pytest.raises(demo.DomainError):
            demo.demo_data_create(openings=1, applicants=0)
        # --force runs, but never with the fixed development password.
        output = run("--force", "--print-credentials", "--openings", "5", "--applicants", "1")
    assert Opening.objects.count() == 5
    assert demo.DEV_PASSWORD not in output
    for user in demo.demo_users():
        assert not user.has_usable_password()


def test_credentials_are_printed_only_when_asked_with_a_local_notice(reference_data):
    output = run("--openings", "10", "--applicants", "2")
    assert demo.DEV_PASSWORD not in output
    assert all(not u.has_usable_password() for u in demo.demo_users())

    output = run("--reset", "--openings", "10", "--applicants", "2", "--print-credentials")
    assert "ローカル開発用" in output
    assert demo.DEV_PASSWORD in output
    lines = [line for line in output.splitlines() if f"@{demo.DEMO_EMAIL_DOMAIN}" in line]
    assert 5 <= len(lines) <= 10  # a handful of representative accounts, not everyone
    ministry = User.objects.get(email=demo.demo_email("ministry.admin"))
    assert ministry.check_password(demo.DEV_PASSWORD)
    assert User.objects.get(email=demo.demo_email("applicant00001")).check_password(
        demo.DEV_PASSWORD
    )

    run("--reset", "--openings", "5", "--applicants", "0", "--password", "another-long-password")
    assert User.objects.get(email=demo.demo_email("ministry.admin")).check_password(
        "another-long-password"
    )


def test_prefecture_hosts_recruit_only_inside_their_prefecture(demo_300):
    prefecture_openings = Opening.objects.filter(
        host__kind=Organisation.Kind.PREFECTURE
    ).select_related("host", "municipality")
    assert prefecture_openings.exists()
    for opening in prefecture_openings:
        assert opening.municipality.prefecture_id == opening.host.prefecture_id
    assert Prefecture.objects.count() == 47
