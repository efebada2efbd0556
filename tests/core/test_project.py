"""Project-level guards: migrations are in step with the models; settings are sane."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_user_model_is_the_projects_own(settings):
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_production_settings_refuse_to_start_without_a_secret(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import hitonagare.config.settings.base as base

    monkeypatch.setattr(base, "ENV_SECRET_KEY", "")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        import hitonagare.config.settings.production as production

        importlib.reload(production)
