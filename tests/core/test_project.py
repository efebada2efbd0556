"""Project-level guards: migrations are in step with the models; settings are sane."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_user_model_is_the_projects_own(settings):
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_production_settings_refuse_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_ALLOWED_HOSTS"] = "example.jp"
    proc = subprocess.run(
        [sys.executable, "-c", "import hitonagare.config.settings.production"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "DJANGO_SECRET_KEY" in proc.stderr
