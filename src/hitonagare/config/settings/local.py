"""Development and the default `make serve`: SQLite in var/, console mail."""

from .base import *  # noqa: F403
from .base import ENV_ALLOWED_HOSTS, ENV_SECRET_KEY

DEBUG = False
# A fixed development key is fine here: local.py is never used in production,
# and production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = ENV_SECRET_KEY or "local-development-only-not-a-secret"
ALLOWED_HOSTS = ENV_ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
