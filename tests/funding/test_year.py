"""The year's estimate from the records: inputs from appointments and approved reports,
scoping by role, the organisation's own expenses, and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.recruiting import factories

from hitonagare.core.errors import InvalidInputError, PermissionDeniedError
from hitonagare.core.models import AuditEvent
from hitonagare.funding import selectors_year, services
from hitonagare.funding.calculator import EstimateSettings
from hitonagare.funding.models import YearClaim
from hitonagare.funding.rules import MonthCounting
from hitonagare.members import services as member_services
from hitonagare.members.models import MonthlyReport, ReportExpense

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 20)


def appoint(staff, lgcode: str, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "member_name": "山田 花子",
        "program": "kyoryokutai",
        "municipality_lgcode": lgcode,
        "start_date": dt.date(2023, 10, 1),
        "planned_end_date": dt.date(2025, 9, 30),
        "origin": "1000001",
        "monthly_reward_yen": 240_000,
        **overrides,
    }
    return member_services.appointment_create(
        user=staff, data=member_services.AppointmentData(**data)
    )


def approved_report(appointment, month: dt.date, *, expenses=(), days: int = 20):  # type: ignore[no-untyped-def]
    report = MonthlyReport.objects.create(
        appointment=appointment,
        month=month,
        status="approved",
        days_worked=days,
        hours_worked=Decimal(days * 7),
        activities="活動",
        submitted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    for amount in expenses:
        ReportExpense.objects.create(
            report=report, category="travel", amount_yen=amount, description="交通費"
        )
    return report


@pytest.fixture
def world(reference_data):  # type: ignore[no-untyped-def]
    hakodate = factories.staff_of("012025")
    otaru = factories.staff_of("012033")
    ama = factories.staff_of("325252")
    a = appoint(hakodate, "012025")
    approved_report(a, dt.date(2024, 4, 1), expenses=(30_000, 12_000))
    approved_report(a, dt.date(2024, 3, 1), expenses=(99_000,))  # the previous fiscal year
    MonthlyReport.objects.create(  # submitted, not approved: not counted
        appointment=a,
        month=dt.date(2024, 5, 1),
        days_worked=10,
        hours_worked=Decimal(70),
        activities="活動",
        submitted_at=dt.datetime(2024, 6, 3, tzinfo=dt.UTC),
    )
    b = appoint(otaru, "012033", member_name="小樽 次郎")
    c = appoint(ama, "325252", member_name="海士 三郎")
    return {"hakodate": hakodate, "otaru": otaru, "ama": ama, "a": a, "b": b, "c": c}


def test_inputs_from_the_records(world):
    settings = EstimateSettings(month_counting=MonthCounting.STARTED_MONTHS)
    inputs = selectors_year.year_inputs(
        user=world["hakodate"], fiscal_year=2024, settings=settings, today=TODAY
    )
    assert [i.lgcode for i in inputs] == ["012025"]
    (member,) = inputs[0].members
    # 12 months of FY2024 (2024-04..2025-03) inside the term × 240,000.
    assert member.reward_yen == Decimal(240_000 * 12)
    # Only the approved April report's expenses of FY2024.
    assert member.expenses_yen == Decimal(42_000)
    # Due by 2024-06-20: April and May (May due 6/5); only April is approved.
    assert member.reports_missing == 1
    assert member.eligible is True


def test_fiscal_year_crossing_term_counts_only_its_months(world):
    settings = EstimateSettings(month_counting=MonthCounting.STARTED_MONTHS)
    (fy2023,) = selectors_year.year_inputs(
        user=world["hakodate"], fiscal_year=2023, settings=settings, today=TODAY
    )
    # October 2023 – March 2024: six months.
    assert fy2023.members[0].reward_yen == Decimal(240_000 * 6)
    assert fy2023.members[0].expenses_yen == Decimal(99_000)


def test_scoping(world, reference_data):
    pref = factories.prefecture_staff("01")
    ministry = factories.ministry_staff()
    settings = EstimateSettings()
    lgcodes = lambda user: [  # noqa: E731
        i.lgcode
        for i in selectors_year.year_inputs(
            user=user, fiscal_year=2024, settings=settings, today=TODAY
        )
    ]
    assert lgcodes(world["otaru"]) == ["012033"]
    assert sorted(lgcodes(pref)) == ["012025", "012033"]
    assert sorted(lgcodes(ministry)) == ["012025", "012033", "325252"]
    with pytest.raises(PermissionDeniedError):
        lgcodes(factories.user())
    national = selectors_year.year_estimates(user=ministry, fiscal_year=2024, today=TODAY)
    assert national.national is not None
    assert national.national.members == 3
    assert selectors_year.year_estimates(user=pref, fiscal_year=2024).national is None


def test_year_claim_is_saved_validated_and_audited(world):
    staff = world["hakodate"]
    claim = services.year_claim_save(
        user=staff, fiscal_year=2024, amounts={"recruitment_yen": "1,200,000"}
    )
    assert claim.recruitment_yen == 1_200_000
    assert AuditEvent.objects.filter(action="funding.year_claim").count() == 1
    with pytest.raises(InvalidInputError) as error:
        services.year_claim_save(
            user=staff,
            fiscal_year=2024,
            amounts={"recruitment_yen": "-5", "nichiiki_program_yen": "1.5"},
        )
    assert set(error.value.errors) == {"recruitment_yen", "nichiiki_program_yen"}
    assert YearClaim.objects.get().recruitment_yen == 1_200_000  # unchanged
    with pytest.raises(InvalidInputError):
        services.year_claim_save(user=staff, fiscal_year=2019, amounts={})
    with pytest.raises(PermissionDeniedError):
        services.year_claim_save(user=factories.ministry_staff(), fiscal_year=2024, amounts={})
    settings = EstimateSettings()
    (inputs,) = selectors_year.year_inputs(user=staff, fiscal_year=2024, settings=settings)
    assert inputs.recruitment_yen == Decimal(1_200_000)


class TestPages:
    def test_page_and_exports_for_own_organisation(self, world):
        client = Client()
        client.force_login(world["hakodate"])
        page = client.get("/funding/year/", {"fy": "2024"})
        assert page.status_code == 200
        text = page.content.decode()
        assert "令和6年度の特別交付税の見込み" in text
        assert "山田 花子" in text
        assert "小樽 次郎" not in text
        xlsx = client.get("/funding/year/export.xlsx", {"fy": "2024"})
        assert xlsx.status_code == 200
        assert "attachment" in xlsx["Content-Disposition"]
        book = load_workbook(io.BytesIO(xlsx.content))
        cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
        assert "令和6年度" in cells
        assert "山田 花子" in cells
        assert "小樽 次郎" not in cells
        exported = client.get("/funding/year/export.csv", {"fy": "2024"}).content.decode(
            "utf-8-sig"
        )
        rows = list(csv.reader(io.StringIO(exported)))
        assert rows[0][0] == "年度"
        assert any("山田 花子" in row for row in rows)
        assert not any("小樽 次郎" in row for row in rows)

    def test_roles(self, world):
        anonymous = Client().get("/funding/year/")
        assert anonymous.status_code == 302
        assert "/accounts/login/" in anonymous["Location"]
        applicant = Client()
        applicant.force_login(factories.user())
        assert applicant.get("/funding/year/").status_code == 403
        assert applicant.get("/funding/year/export.csv").status_code == 403
        ministry = Client()
        ministry.force_login(factories.ministry_staff())
        text = ministry.get("/funding/year/", {"fy": "2024"}).content.decode()
        assert "全国の集計" in text
        assert "小樽 次郎" not in text
        assert "団体の経費（隊員ごとでない経費）" not in text  # the ministry records none

    def test_other_organisation_in_the_url_is_404(self, world):
        client = Client()
        client.force_login(world["hakodate"])
        assert client.get("/funding/year/", {"fy": "2024", "org": "012033"}).status_code == 404
        assert client.get("/funding/year/", {"fy": "1999"}).status_code == 404

    def test_claim_form(self, world):
        client = Client()
        client.force_login(world["hakodate"])
        response = client.post(
            "/funding/year/claims/", {"fiscal_year": "2024", "recruitment_yen": "500000"}
        )
        assert response.status_code == 302
        assert YearClaim.objects.get().recruitment_yen == 500_000
        bad = client.post(
            "/funding/year/claims/", {"fiscal_year": "2024", "recruitment_yen": "abc"}, follow=True
        )
        assert "金額" in bad.content.decode()
        assert YearClaim.objects.get().recruitment_yen == 500_000
