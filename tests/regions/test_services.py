"""reference_data_load: dry run, idempotency, repair, warnings and all-or-nothing."""

from __future__ import annotations

import pytest

from hitonagare.core.errors import DomainError
from hitonagare.regions import selectors, services
from hitonagare.regions.models import (
    ClassificationEdition,
    Designation,
    Municipality,
    Prefecture,
)

SHIPPED = {"prefectures": 47, "municipalities": 1912, "editions": 1, "designations": 1741}
TRUNCATED_KASO_LISTS = ("上越市", "呉市", "今治市", "薩摩川内市")


def _counts() -> dict[str, int]:
    return {
        "prefectures": Prefecture.objects.count(),
        "municipalities": Municipality.objects.count(),
        "editions": ClassificationEdition.objects.count(),
        "designations": Designation.objects.count(),
    }


def _delete_everything() -> None:
    Designation.objects.all().delete()
    ClassificationEdition.objects.all().delete()
    Municipality.objects.filter(parent__isnull=False).delete()  # wards protect their city
    Municipality.objects.all().delete()
    Prefecture.objects.all().delete()


def _designation(lgcode: str) -> Designation:
    return Designation.objects.get(municipality__lgcode=lgcode)


pytestmark = pytest.mark.django_db


class TestDryRun:
    def test_a_dry_run_on_an_empty_database_reports_everything_as_new_and_writes_nothing(
        self, reference_data
    ):
        _delete_everything()
        assert _counts() == dict.fromkeys(SHIPPED, 0)

        summary = services.reference_data_load()

        assert summary.committed is False
        assert {name: t.created for name, t in summary.tables.items()} == SHIPPED
        assert all(t.updated == 0 and t.unchanged == 0 for t in summary.tables.values())
        assert _counts() == dict.fromkeys(SHIPPED, 0)

    def test_a_committed_load_on_an_empty_database_creates_the_shipped_data(self, reference_data):
        _delete_everything()

        summary = services.reference_data_load(commit=True)

        assert summary.committed is True
        assert {name: t.created for name, t in summary.tables.items()} == SHIPPED
        assert _counts() == SHIPPED
        assert Municipality.objects.filter(kind=Municipality.Kind.WARD).count() == 171

    def test_a_dry_run_does_not_repair_a_changed_row(self, reference_data):
        Municipality.objects.filter(lgcode="325252").update(name="誤記町")

        summary = services.reference_data_load(commit=False)

        assert summary.tables["municipalities"].updated == 1
        assert Municipality.objects.get(lgcode="325252").name == "誤記町"


class TestIdempotency:
    def test_loading_the_loaded_data_again_reports_every_row_unchanged(self, reference_data):
        summary = services.reference_data_load(commit=True)

        assert {name: t.unchanged for name, t in summary.tables.items()} == SHIPPED
        assert all(t.created == 0 and t.updated == 0 for t in summary.tables.values())
        assert _counts() == SHIPPED

    def test_a_row_changed_in_the_database_is_reported_as_updated_and_repaired(
        self, reference_data
    ):
        Municipality.objects.filter(lgcode="325252").update(name="誤記町", lat=None)
        Designation.objects.filter(municipality__lgcode="325252").update(
            category_id=9, area_type="一部条件不利地域"
        )

        summary = services.reference_data_load(commit=True)

        assert summary.tables["municipalities"].updated == 1
        assert summary.tables["municipalities"].unchanged == SHIPPED["municipalities"] - 1
        assert summary.tables["designations"].updated == 1
        assert summary.tables["designations"].unchanged == SHIPPED["designations"] - 1
        ama = Municipality.objects.get(lgcode="325252")
        assert ama.name == "海士町"
        assert ama.lat == pytest.approx(36.0967, abs=1e-3)
        assert _designation("325252").category_id == 8
        assert _designation("325252").area_type == "全部条件不利地域"

    def test_a_deleted_designation_is_created_again(self, reference_data):
        _designation("325252").delete()

        summary = services.reference_data_load(commit=True)

        assert summary.tables["designations"].created == 1
        assert _designation("325252").category_id == 8


class TestCachesAfterAReload:
    """The designation table is cached per process, keyed by the edition's loaded_at."""

    def test_a_reload_that_only_renames_a_municipality_reaches_the_designation_table(
        self, reference_data, monkeypatch
    ):
        before = selectors.designation_table(edition=selectors.edition_in_force())
        assert before.names[before.index["325252"]] == "海士町"
        original = services._read_csv

        def read_csv(name: str) -> list[dict[str, str]]:
            rows = original(name)
            if name == "municipalities.csv":
                rows = [{**r, "name": "海士村"} if r["lgcode"] == "325252" else r for r in rows]
            return rows

        monkeypatch.setattr(services, "_read_csv", read_csv)

        summary = services.reference_data_load(commit=True)

        assert summary.tables["municipalities"].updated == 1
        assert summary.tables["designations"].updated == 0
        after = selectors.designation_table(edition=selectors.edition_in_force())
        assert after.names[after.index["325252"]] == "海士村"


class TestWarnings:
    def test_the_summary_warns_about_the_four_truncated_kaso_lists(self, reference_data):
        summary = services.reference_data_load()

        truncated = [w for w in summary.warnings if "途中までしかない" in w]
        assert len(truncated) == 1
        assert truncated[0].startswith("2022-04-01")
        for name in TRUNCATED_KASO_LISTS:
            assert name in truncated[0]
        assert Designation.objects.filter(kaso_partial_areas_truncated=True).count() == 4
        data = summary.as_dict()  # what `regions load --json` prints
        assert data["committed"] is False
        assert data["tables"]["designations"] == {"created": 0, "updated": 0, "unchanged": 1741}
        assert data["warnings"] == summary.warnings


class TestAllOrNothing:
    @pytest.fixture
    def bad_designation_row(self, monkeypatch):
        """The shipped files, except that the last designation row has category 11."""
        original = services._read_csv

        def read_csv(name: str) -> list[dict[str, str]]:
            rows = original(name)
            if name.startswith("designations"):
                rows[-1] = {**rows[-1], "category_id": "11"}
            return rows

        monkeypatch.setattr(services, "_read_csv", read_csv)

    @pytest.mark.usefixtures("bad_designation_row")
    def test_one_bad_row_aborts_the_whole_load_and_nothing_is_written(self, reference_data):
        # Changes the load would repair before it reaches the designations.
        Municipality.objects.filter(lgcode="325252").update(name="誤記町")
        _designation("011002").delete()
        before = _counts()

        with pytest.raises(DomainError) as caught:
            services.reference_data_load(commit=True)

        assert caught.value.code == "invalid_reference_data"
        assert "区分は1〜10です" in caught.value.message
        assert "designations_2022-04-01.csv" in caught.value.message
        assert _counts() == before
        assert Municipality.objects.get(lgcode="325252").name == "誤記町"
        assert not Designation.objects.filter(municipality__lgcode="011002").exists()

    def test_an_unknown_area_type_is_invalid_reference_data(self, reference_data, monkeypatch):
        original = services._read_csv

        def read_csv(name: str) -> list[dict[str, str]]:
            rows = original(name)
            if name.startswith("designations"):
                rows[0] = {**rows[0], "area_type": "過疎地域"}
            return rows

        monkeypatch.setattr(services, "_read_csv", read_csv)

        with pytest.raises(DomainError) as caught:
            services.reference_data_load(commit=True)

        assert caught.value.code == "invalid_reference_data"
        assert "過疎地域" in caught.value.message

    def test_a_municipality_with_a_failing_check_digit_is_invalid_reference_data(
        self, reference_data, monkeypatch
    ):
        original = services._read_csv

        def read_csv(name: str) -> list[dict[str, str]]:
            rows = original(name)
            if name == "municipalities.csv":
                rows.append({**rows[0], "lgcode": "999999", "code5": "99999"})
            return rows

        monkeypatch.setattr(services, "_read_csv", read_csv)

        with pytest.raises(DomainError) as caught:
            services.reference_data_load(commit=True)

        assert caught.value.code == "invalid_reference_data"
        assert "999999" in caught.value.message
        assert not Municipality.objects.filter(lgcode="999999").exists()
