"""Hermetic test settings: fast hashing, in-memory mail, plain static storage."""

from .base import *  # noqa: F403
from .base import ENV_DATABASE_URL, database_from_url

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES = {"default": database_from_url(ENV_DATABASE_URL)}
if not ENV_DATABASE_URL:
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Tests serve static files through staticfiles (live_server), not from a collected STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
HITONAGARE_SEARCH_VERSION_CHECK_SECONDS = 0.0  # tests expect a change to show at once
