"""Settings shared by every environment.

The environment is read here, once; the other modules only override.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parents[3]
PROJECT_DIR = SRC_DIR.parent
VAR_DIR = Path(os.environ.get("HITONAGARE_VAR_DIR", PROJECT_DIR / "var"))

ENV_DATABASE_URL = os.environ.get("DATABASE_URL", "")
ENV_SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ENV_ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "hitonagare.core",
    "hitonagare.accounts",
    "hitonagare.regions",
    "hitonagare.eligibility",
    "hitonagare.recruiting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hitonagare.core.middleware.ApiJsonErrorsMiddleware",
]

ROOT_URLCONF = "hitonagare.config.urls"
WSGI_APPLICATION = "hitonagare.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, object]:
    """PostgreSQL (or any dj-database-url) when DATABASE_URL is set, else SQLite in var/."""
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "hitonagare.sqlite3",
        # WAL lets readers run beside one writer; the busy timeout makes a writer wait
        # instead of failing with "database is locked" under concurrent requests.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": database_from_url(ENV_DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "hitonagare" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The 地域要件 classification edition is chosen per query by its 基準日 (see regions.selectors).
HITONAGARE_NINJA_DOCS = True

# How often a process re-reads the reference-data version (see regions/reference.py).
HITONAGARE_REFERENCE_CHECK_SECONDS = int(os.environ.get("HITONAGARE_REFERENCE_CHECK_SECONDS", "30"))

# Per-process response cache for public, URL-determined API answers (core/http_cache.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "hitonagare",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
HITONAGARE_RESPONSE_CACHE_SECONDS = int(os.environ.get("HITONAGARE_RESPONSE_CACHE_SECONDS", "600"))
HITONAGARE_SITE_URL = os.environ.get("HITONAGARE_SITE_URL", "")
