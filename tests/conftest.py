"""Test fixtures: the shipped reference data is loaded once per test database."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from hitonagare.regions.services import reference_data_load

    with django_db_blocker.unblock():
        reference_data_load(commit=True)


@pytest.fixture
def reference_data(db):  # type: ignore[no-untyped-def]
    """For tests that use the database: the 2022-04-01 edition and all municipalities."""
    from hitonagare.regions.models import Designation

    assert Designation.objects.count() == 1741


@pytest.fixture(autouse=True)
def _fresh_reference_index():  # type: ignore[no-untyped-def]
    """Tests change reference rows inside rolled-back transactions: never reuse an index."""
    from hitonagare.recruiting.search_store import search_store_clear
    from hitonagare.recruiting.selectors import destination_rows_clear
    from hitonagare.regions.reference import reference_cache_clear

    reference_cache_clear()
    search_store_clear()
    destination_rows_clear()
    yield
    reference_cache_clear()
    search_store_clear()
    destination_rows_clear()


@pytest.fixture(autouse=True)
def _empty_response_cache():  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()
