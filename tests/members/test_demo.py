"""Demo members: made through the same rules as real ones, and removed with the demo."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from hitonagare.members import rules
from hitonagare.members.models import Appointment, MonthlyReport, Outcome, ReportExpense
from hitonagare.members.services import AppointmentData, appointment_problems
from hitonagare.recruiting import rules as recruiting_rules

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def demo(reference_data):  # type: ignore[no-untyped-def]
    output = run("--openings", "60", "--applicants", "8", "--members", "120")
    assert "隊員 120" in output
    return output


def test_members_are_valid_appointments_with_reports_and_outcomes(demo):
    appointments = list(Appointment.objects.select_related("host", "municipality"))
    assert len(appointments) == 120
    for appointment in appointments:
        program = recruiting_rules.OpeningProgram(appointment.program)
        # The planned term passes the same validation a staff member's entry does.
        assert (
            rules.term_dates_problem(program, appointment.start_date, appointment.planned_end_date)
            is None
        )
        errors, _municipality, _origin = appointment_problems(
            AppointmentData(
                member_name=appointment.member_name,
                program=appointment.program,
                municipality_lgcode=appointment.municipality.lgcode,
                start_date=appointment.start_date,
                planned_end_date=appointment.planned_end_date,
            ),
            host=appointment.host,
        )
        assert errors == {}
        if appointment.ended_on is not None:
            assert appointment.start_date <= appointment.ended_on <= appointment.planned_end_date
            assert appointment.end_reason
    # Every report month lies inside its term; at most one report per month (constraint).
    for report in MonthlyReport.objects.select_related("appointment")[:500]:
        a = report.appointment
        assert rules.month_start(a.start_date) <= report.month <= a.end_date
    statuses = Counter(MonthlyReport.objects.values_list("status", flat=True))
    assert statuses[rules.ReportStatus.APPROVED.value] > 0
    assert ReportExpense.objects.exists()
    # Outcomes only for ended terms.
    assert not Outcome.objects.filter(appointment__ended_on__isnull=True).exists()
    # 地域要件 was judged (or recorded as not judged, with the reason) for 協力隊 with an origin.
    kyoryokutai = Appointment.objects.filter(program="kyoryokutai")
    assert kyoryokutai.filter(eligibility__isnull=False).count() == kyoryokutai.count()


def test_reset_removes_the_demo_members(demo):
    run("--delete")
    assert not Appointment.objects.exists()
    assert not MonthlyReport.objects.exists()
