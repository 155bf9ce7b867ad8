"""Settings for `make bench`: the local settings on PostgreSQL + Redis, plus a bare reference view."""

from silakso.settings.local import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SILAKSO_REQUIRE_2FA = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# as in production: a worker keeps its database connection between requests
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
# The load section types a NIK in one search of five, thousands an hour from one officer: the
# limiter is still asked on each (its cost is measured), but does not refuse the benchmark.
SILAKSO_NIK_LOOKUPS_PER_HOUR = 10**9
