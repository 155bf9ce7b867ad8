"""Test settings: the suite runs against real PostgreSQL and real Redis.

Defaults point at this machine's services (127.0.0.1:5432 as `postgres`, 127.0.0.1:6379);
override with DATABASE_URL / REDIS_URL. Redis database 9 keeps test traffic apart.
"""

from .base import *  # noqa: F403
from .base import env, replica_database

SECRET_KEY = "test-secret-key-only-for-the-test-suite"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/silakso")
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# transactional tests empty every table between tests, the append-only audit trail included
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = " ".join(
    filter(None, [_options.get("options"), "-c silakso.allow_truncate=on"])
)
DATABASES["default"]["TEST"] = {"NAME": env("SILAKSO_TEST_DB_NAME", default="test_silakso")}
if replica_database(DATABASES["default"]):  # the replica test's own cluster pair
    DATABASES["replica"] = replica_database(DATABASES["default"])

REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/9")
CACHES = {
    "default": {
        "BACKEND": "silakso.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "silakso-test",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SILAKSO_QUIET_HOURS = False  # tests run at any hour; the quiet-hours tests switch it on
SILAKSO_REQUIRE_2FA = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env("MEDIA_ROOT", default="/tmp/silakso-test-media")  # noqa: S108
LANGUAGE_CODE = "id"

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# the suite's partner systems are local HTTP receivers (tests that check the rule switch it off)
SILAKSO_WEBHOOK_ALLOW_PRIVATE = True
