"""Laptop and demo settings: `make run` works with no configuration at all.

Without DATABASE_URL the demo uses an embedded SQLite file; without REDIS_URL Celery tasks run
eagerly in the web process. Set both to run against real PostgreSQL and Redis.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env

# The demo shows the site's own 404/403/500 pages, as residents would see them (Django's debug
# page lists every URL pattern); DJANGO_DEBUG=true brings the debug pages back for development.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-demo-secret-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# No SMS gateway in the demo: each SMS, with its one-time code, is written to the terminal.
SILAKSO_LOG_MESSAGE_TEXT = env.bool("SILAKSO_LOG_MESSAGE_TEXT", default=True)

if not env("DATABASE_URL", default=""):
    _sqlite_path = Path(env("SILAKSO_SQLITE_PATH", default=str(BASE_DIR / "var" / "demo.sqlite3")))
    _sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_sqlite_path),
            "OPTIONS": {"timeout": 20},
        }
    }

else:
    # runserver starts a thread per request: with persistent connections every thread keeps
    # its own, and one demo held 100 connections of a shared server. Close after each request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)

if not REDIS_URL:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_BROKER_URL = "memory://"

# The demo accounts have no authenticator app; production always requires TOTP for staff.
SILAKSO_REQUIRE_2FA = env.bool("SILAKSO_REQUIRE_2FA", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
