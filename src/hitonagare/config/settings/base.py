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
    "hitonagare.members",
    "hitonagare.funding",
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
                "hitonagare.accounts.context_processors.current_role",
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
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
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

# Scouting limits per host organisation (recruiting/services_scouts.py), rolling 30 days.
HITONAGARE_SCOUTS_PER_ORGANISATION_30D = int(
    os.environ.get("HITONAGARE_SCOUTS_PER_ORGANISATION_30D", "100")
)
HITONAGARE_SCOUTS_PER_APPLICANT_30D = int(
    os.environ.get("HITONAGARE_SCOUTS_PER_APPLICANT_30D", "2")
)
# Uploaded files (CVs) live outside the static tree and are served only through views that
# check the requester (recruiting/views_applicant.py, views_staff_applicants.py).
MEDIA_ROOT = VAR_DIR / "media"

# --- Accounts and e-mail (accounts/services.py, ADR 0009) ---
# ModelBackend authenticates (accounts.services.login_attempt adds the lock-out); the second
# backend only grants ministry admins their Django-admin permissions (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "hitonagare.accounts.backends.MinistryAdminPermissionBackend",
]
# A path rather than "accounts:login": code and tests compare request paths with it.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Password-reset and sign-up verification links stay valid this long (seconds).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
HITONAGARE_LOGIN_MAX_FAILURES = int(os.environ.get("HITONAGARE_LOGIN_MAX_FAILURES", "5"))
HITONAGARE_LOGIN_LOCK_MINUTES = int(os.environ.get("HITONAGARE_LOGIN_LOCK_MINUTES", "15"))
HITONAGARE_INVITATION_DAYS = 7

# Mail: printed to the console here; production.py selects SMTP, test.py the in-memory outbox.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DJANGO_EMAIL_USE_TLS", "false").lower() == "true"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@localhost")
# How stale (seconds) a cached public search page may be after an opening changes (ADR 0010).
# Members and funding (members/, funding/; ADR 0011, 0012).
HITONAGARE_REPORT_DUE_DAY = int(os.environ.get("HITONAGARE_REPORT_DUE_DAY", "5"))
# A JSON file with values for the caps the sources do not give (funding/data/SOURCES.md).
HITONAGARE_FUNDING_OVERRIDES_FILE = os.environ.get("HITONAGARE_FUNDING_OVERRIDES_FILE", "")
HITONAGARE_FUNDING_MONTH_COUNTING = os.environ.get(
    "HITONAGARE_FUNDING_MONTH_COUNTING", "started_months"
)
HITONAGARE_FUNDING_CAP_READING = os.environ.get("HITONAGARE_FUNDING_CAP_READING", "expense_cap")
HITONAGARE_SEARCH_VERIFY_ALL_LIMIT = int(
    os.environ.get("HITONAGARE_SEARCH_VERIFY_ALL_LIMIT", "1000")
)
HITONAGARE_SEARCH_VERSION_CHECK_SECONDS = float(
    os.environ.get("HITONAGARE_SEARCH_VERSION_CHECK_SECONDS", "1")
)
