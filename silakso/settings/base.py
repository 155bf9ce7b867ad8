"""Settings shared by every environment.

Everything that differs between a laptop demo, the test suite and production comes from the
environment (12-factor); `.env.example` lists every variable. `local.py`, `test.py` and
`production.py` only change defaults.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# ------------------------------------------------------------------------------ core
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time set-up codes an administrator issues
    # SILAKSO apps
    "core",
    "dtks",
    "applications",
    "complaints",
    "referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "silakso.replicas.ReplicaPinMiddleware",
]

ROOT_URLCONF = "silakso.urls"
WSGI_APPLICATION = "silakso.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# Plain widgets rendered in Python (silakso.forms.FastRenderer): the same HTML, faster.
FORM_RENDERER = "silakso.forms.FastRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.silakso",
            ],
        },
    },
]

# ------------------------------------------------------------------------------ database
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# `local.py` falls back to an embedded SQLite file for the zero-configuration demo.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    # Persistent connections: a new PostgreSQL login per request costs ~85% of a cheap
    # request (research/performance.md §f).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # behind PgBouncer in transaction pooling a cursor must not outlive its transaction
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)


def replica_database(primary: dict) -> dict | None:
    """The ``replica`` alias of ``DATABASE_REPLICA_URL`` (a streaming replica of the primary),
    with the primary's connection options; tests point it at the primary's test database."""
    url = env("DATABASE_REPLICA_URL", default="")
    if not url:
        return None
    replica = env.db_url_config(url)
    for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
        if key in primary:
            replica[key] = primary[key]
    replica["OPTIONS"] = {**primary.get("OPTIONS", {}), **replica.get("OPTIONS", {})}
    replica["TEST"] = {"MIRROR": "default"}
    return replica


if env("DATABASE_URL", default="") and replica_database(DATABASES["default"]):
    DATABASES["replica"] = replica_database(DATABASES["default"])
# Heavy reads on the replica when there is one (silakso/replicas.py); all else on the primary.
DATABASE_ROUTERS = ["silakso.replicas.ReplicaRouter"]
SILAKSO_REPLICA_PIN_SECONDS = env.int("SILAKSO_REPLICA_PIN_SECONDS", default=15)
SILAKSO_REPLICA_MAX_LAG_SECONDS = env.float("SILAKSO_REPLICA_MAX_LAG_SECONDS", default=10.0)

# ------------------------------------------------------------------------------ cache, redis
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "silakso.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "silakso",
            # short: a hung Redis costs one of these, then the breaker skips it (redis_health)
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------ auth
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
OTP_TOTP_ISSUER = "SILAKSO"
# Staff (every role above resident) must pass a TOTP code after the password.
SILAKSO_REQUIRE_2FA = env.bool("SILAKSO_REQUIRE_2FA", default=True)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ------------------------------------------------------------------------------ i18n
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------ static, media
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Uploaded files go through Django storage: local disk by default, S3-compatible with
# STORAGE_BACKEND=s3 (needs the `s3` extra: django-storages + boto3).
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "access_key": env("S3_ACCESS_KEY_ID"),
            "secret_key": env("S3_SECRET_ACCESS_KEY"),
            "region_name": env("S3_REGION", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# A whole request body (core.middleware): 32 MB; the registry and recipient imports have
# SILAKSO_IMPORT_MAX_BYTES (2 GB). The nginx template refuses the same sizes.
SILAKSO_MAX_REQUEST_BYTES = env.int("SILAKSO_MAX_REQUEST_BYTES", default=32 * 1024 * 1024)
# Retention periods in days per kind of data (core.retention.DEFAULT_DAYS; docs/privacy.md).
SILAKSO_RETENTION_DAYS = env.dict("SILAKSO_RETENTION_DAYS", cast={"value": int}, default={})

# ------------------------------------------------------------------------- email, notifications
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SILAKSO <noreply@silakso.local>")
# SMS / WhatsApp go through a pluggable sender; see core/notifications.py.
SILAKSO_SMS_SENDER = env("SILAKSO_SMS_SENDER", default="core.notifications.LogSender")
SILAKSO_SMS_GATEWAY_URL = env("SILAKSO_SMS_GATEWAY_URL", default="")
SILAKSO_SMS_GATEWAY_TOKEN = env("SILAKSO_SMS_GATEWAY_TOKEN", default="")
# Without a gateway each SMS is written to the log with its digits masked (a one-time code must
# not land in a log); the demo shows them (settings/local.py).
SILAKSO_LOG_MESSAGE_TEXT = env.bool("SILAKSO_LOG_MESSAGE_TEXT", default=False)
# How the gateway wants the request (docs/messaging.md has the settings of common gateways):
# the body as JSON or as a form, written with $to $message $reference $channel; the header the
# token goes in and its scheme ("Bearer", "Basic", or empty for the bare token); where the
# gateway's answer holds its message id (dotted: "data.id", "messages.0.id").
SILAKSO_SMS_GATEWAY_FORMAT = env("SILAKSO_SMS_GATEWAY_FORMAT", default="json")
SILAKSO_SMS_GATEWAY_BODY = env(
    "SILAKSO_SMS_GATEWAY_BODY",
    default='{"channel": "$channel", "to": "$to", "message": "$message", "reference": "$reference"}',
)
SILAKSO_SMS_GATEWAY_AUTH_HEADER = env("SILAKSO_SMS_GATEWAY_AUTH_HEADER", default="Authorization")
SILAKSO_SMS_GATEWAY_AUTH_SCHEME = env("SILAKSO_SMS_GATEWAY_AUTH_SCHEME", default="Bearer")
SILAKSO_SMS_GATEWAY_ID_FIELD = env("SILAKSO_SMS_GATEWAY_ID_FIELD", default="id")
# WhatsApp through its own gateway URL and token when set, else through the SMS gateway's.
SILAKSO_WHATSAPP_GATEWAY_URL = env("SILAKSO_WHATSAPP_GATEWAY_URL", default="")
SILAKSO_WHATSAPP_GATEWAY_TOKEN = env("SILAKSO_WHATSAPP_GATEWAY_TOKEN", default="")
# The secret the gateway signs its delivery receipts and incoming messages with.
SILAKSO_GATEWAY_SECRET = env("SILAKSO_GATEWAY_SECRET", default="")
# The agency's quiet hours (its settings page) hold SMS and WhatsApp back at night; False
# switches them off for the whole installation (the test suite, whose clock is any hour).
SILAKSO_QUIET_HOURS = env.bool("SILAKSO_QUIET_HOURS", default=True)

# ------------------------------------------------------------------------------ celery
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None  # progress and results live in core.Job rows, not in Redis
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 60
CELERY_TASK_TIME_LIMIT = 65 * 60
# Publishing must fail fast when Redis is down: the row is already committed and the
# periodic sweep picks it up later (core.tasks.retry_pending_notifications_task, ...).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# a worker keeps trying to reach Redis (it must outlive an outage, not exit)
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# a job's lease (core.jobs): renewed every fifth of it by a heartbeat while the job runs
SILAKSO_JOB_LEASE_SECONDS = env.int("SILAKSO_JOB_LEASE_SECONDS", default=20)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Two queues, so that a long batch job never delays what a person waits for. ``interactive``
# (the default): messages to residents and officers, partner deliveries, sweeps, escalations,
# the heartbeat. ``batch``: imports, rounds, desil, verification, exports, annexes, reports,
# dashboards, retention. A worker started without -Q takes both (development, the tests);
# production runs a pool per queue (docker-compose.yml: worker, worker-batch).
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_QUEUES = {
    "interactive": {"exchange": "interactive", "routing_key": "interactive"},
    "batch": {"exchange": "batch", "routing_key": "batch"},
}
BATCH_TASKS = (
    "dtks.tasks.load_regions_task",
    "dtks.tasks.import_enrollments_task",
    "dtks.tasks.import_registry_task",
    "dtks.tasks.rank_pmt_task",
    "dtks.tasks.run_verification_task",
    "dtks.tasks.import_civil_registry_task",
    "dtks.tasks.export_registry_task",
    "dtks.tasks.compare_round_task",
    "dtks.tasks.apply_round_task",
    "dtks.tasks.merge_search_index_lists_task",
    "applications.tasks.render_annex_task",
    "applications.tasks.export_batch_task",
    "core.tasks.monthly_report_task",
    "core.tasks.dashboard_refresh_task",
    "core.tasks.apply_retention_task",
)
CELERY_TASK_ROUTES = {name: {"queue": "batch"} for name in BATCH_TASKS}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# The beat schedule is code, reviewed like code.
CELERY_BEAT_SCHEDULE = {
    "apply-retention": {
        "task": "core.tasks.apply_retention_task",
        "schedule": 24 * 3600.0,
    },
    "sweep-jobs": {
        "task": "core.tasks.sweep_jobs_task",
        "schedule": float(env.int("SILAKSO_JOB_SWEEP_SECONDS", default=10)),
    },
    "retry-pending-notifications": {
        "task": "core.tasks.retry_pending_notifications_task",
        "schedule": 60.0,
    },
    "verify-registry": {
        "task": "dtks.tasks.run_verification_task",
        "schedule": crontab(hour=2, minute=0),
    },
    "rank-households-local-pmt": {
        "task": "dtks.tasks.rank_pmt_task",
        "schedule": crontab(hour=1, minute=15),
    },
    "escalate-overdue-complaints": {
        "task": "complaints.tasks.escalate_overdue_complaints_task",
        "schedule": 900.0,
    },
    "escalate-late-applications": {
        "task": "applications.tasks.escalate_late_applications_task",
        "schedule": crontab(minute=40),
    },
    "escalate-unanswered-referrals": {
        "task": "referrals.tasks.escalate_unanswered_referrals_task",
        "schedule": crontab(minute=20),
    },
    "deliver-due-events": {
        "task": "core.tasks.deliver_due_events_task",
        "schedule": 60.0,
    },
    "deliver-due-webhooks": {
        "task": "referrals.tasks.deliver_due_webhooks_task",
        "schedule": 60.0,
    },
    "refresh-dashboards": {
        "task": "core.tasks.dashboard_refresh_task",
        "schedule": float(env.int("SILAKSO_DASHBOARD_REFRESH_SECONDS", default=600)),
    },
    "monthly-report": {
        "task": "core.tasks.monthly_report_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=30),
    },
    "record-worker-heartbeat": {
        "task": "core.tasks.record_worker_heartbeat_task",
        "schedule": 60.0,
    },
}

# ------------------------------------------------------------------------------ API
REST_FRAMEWORK = {
    # the key first: a request without valid credentials answers 401 with
    # `WWW-Authenticate: Bearer` (DRF takes the header from the first class)
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "silakso.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsActiveStaff"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "silakso.api.sync.UpdatedSinceFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "silakso.api.pagination.StandardPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="1200/min"),
    },
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "silakso.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "silakso.api.exception_handler.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SILAKSO API",
    "DESCRIPTION": (
        "REST API of SILAKSO, the social-welfare portal of a district social agency (Dinas "
        "Sosial). Every endpoint is scoped to the caller's region or provider: objects outside "
        "the scope answer 404. Errors share one shape: `{code, detail, fields}`; an illegal "
        "state transition answers 409 with `allowed_transitions`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # every operation documents its error answers too (silakso.api.schema)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "silakso.api.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set (the same choices appear on several fields).
    "ENUM_NAME_OVERRIDES": {
        "RelationToHeadEnum": "dtks.choices.RelationToHead",
        "EducationEnum": "dtks.choices.Education",
        "OccupationEnum": "dtks.choices.Occupation",
        "ChangeSourceEnum": "dtks.choices.ChangeSource",
        "EnrollmentSourceEnum": "dtks.choices.EnrollmentSource",
        "HouseholdStatusEnum": "dtks.choices.HouseholdStatus",
        "IndividualStatusEnum": "dtks.choices.IndividualStatus",
        "EnrollmentStatusEnum": "dtks.choices.EnrollmentStatus",
        "FlagStatusEnum": "dtks.choices.FlagStatus",
        "JobStatusEnum": "core.choices.JobStatus",
        "ApplicationStatusEnum": "applications.choices.ApplicationStatus",
        "ApplicationChannelEnum": "applications.choices.ApplicationChannel",
        "ProposalStatusEnum": "applications.choices.ProposalStatus",
        "ProposalKindEnum": "applications.choices.ProposalKind",
        "BatchStatusEnum": "applications.choices.BatchStatus",
        "ObjectionStatusEnum": "applications.choices.ObjectionStatus",
        "ObjectionKindEnum": "applications.choices.ObjectionKind",
        "DeliberationKindEnum": "applications.choices.DeliberationKind",
        "ComplaintStatusEnum": "complaints.choices.ComplaintStatus",
        "ComplaintCategoryEnum": "complaints.choices.ComplaintCategory",
        "ComplaintChannelEnum": "complaints.choices.ComplaintChannel",
        "ResolvedByEnum": "complaints.choices.ResolvedBy",
        "ToldViaEnum": "complaints.choices.ToldVia",
        "ReferralStatusEnum": "referrals.choices.ReferralStatus",
        "DomainEnum": "referrals.choices.Domain",
        "ProviderKindEnum": "referrals.choices.ProviderKind",
        "LetterKindEnum": "referrals.choices.LetterKind",
        "CaseOriginEnum": "referrals.choices.CaseOrigin",
        "NeedLevelEnum": "referrals.choices.NeedLevel",
    },
    # Swagger UI and ReDoc assets are served from this installation, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ------------------------------------------------------------------------------ security
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# ------------------------------------------------------------------------------ logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {"request_id": {"()": "core.middleware.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# ------------------------------------------------------------------------------ SILAKSO
# The regency this installation serves (Bangka Tengah in the demo). Used for defaults only;
# every read is still scoped by the user's own region.
# Behind a reverse proxy: take the client's address from X-Forwarded-For (the right-most one not
# in SILAKSO_TRUSTED_PROXIES, addresses or networks; with no list the peer is the one proxy).
# Webhooks go to public HTTPS addresses only; True lets a developer's local receiver in.
SILAKSO_WEBHOOK_ALLOW_PRIVATE = env.bool("SILAKSO_WEBHOOK_ALLOW_PRIVATE", default=False)
SILAKSO_TRUST_X_FORWARDED_FOR = env.bool("SILAKSO_TRUST_X_FORWARDED_FOR", default=False)
SILAKSO_TRUSTED_PROXIES = env.list("SILAKSO_TRUSTED_PROXIES", default=[])
SILAKSO_HOME_REGENCY = env("SILAKSO_HOME_REGENCY", default="19.04")
# The registry map's background: a tile server URL template ("https://tile.example.org/{z}/{x}/{y}.png",
# the office's own or a provider it has an agreement with) and its attribution. Empty: the homes
# are drawn on a plain background, with no request leaving the installation.
SILAKSO_MAP_TILES = env("SILAKSO_MAP_TILES", default="")
SILAKSO_MAP_ATTRIBUTION = env("SILAKSO_MAP_ATTRIBUTION", default="")
# Figures that leave the staff scope (the public transparency page) hide cells of fewer than k
# households, and whatever would reveal them (silakso.disclosure).
SILAKSO_DISCLOSURE_K = env.int("SILAKSO_DISCLOSURE_K", default=5)
if SILAKSO_DISCLOSURE_K < 2:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SILAKSO_DISCLOSURE_K must be 2 or more (it is {}): a published count of 1 can point "
        "at one family.".format(SILAKSO_DISCLOSURE_K)
    )
# SILAKSO apps whose selectors module contributes to the shared pages through optional
# functions of the user: dashboard_cards (staff landing page), nav_items (menu) and
# public_actions (front page). See core/extensions.py.
SILAKSO_APPS = ["core", "dtks", "applications", "complaints", "referrals"]
# Public status check (Cek Bansos): lookups allowed per hour from one address and of one NIK.
SILAKSO_CEK_LIMIT_PER_IP = env.int("SILAKSO_CEK_LIMIT_PER_IP", default=20)
SILAKSO_CEK_LIMIT_PER_NIK = env.int("SILAKSO_CEK_LIMIT_PER_NIK", default=5)
# The public status check prepares its query once per database connection. Switch off behind
# a connection pooler in transaction mode (PgBouncer), which does not keep prepared statements.
SILAKSO_PREPARED_STATEMENTS = env.bool("SILAKSO_PREPARED_STATEMENTS", default=True)
# Public objections (sanggah) allowed per hour from one address; tracking lookups per hour
# from one address and of one tracking code.
SILAKSO_OBJECTION_LIMIT_PER_IP = env.int("SILAKSO_OBJECTION_LIMIT_PER_IP", default=5)
SILAKSO_TRACK_LIMIT_PER_IP = env.int("SILAKSO_TRACK_LIMIT_PER_IP", default=30)
SILAKSO_TRACK_LIMIT_PER_CODE = env.int("SILAKSO_TRACK_LIMIT_PER_CODE", default=10)
# The address residents reach SILAKSO at (links in SMS/email and in the annex QR code).
SILAKSO_PUBLIC_URL = env("SILAKSO_PUBLIC_URL", default="http://127.0.0.1:8000")
# Days a provider has to accept or decline a referral before it is escalated.
SILAKSO_REFERRAL_RESPONSE_DAYS = env.int("SILAKSO_REFERRAL_RESPONSE_DAYS", default=3)
SILAKSO_SITE_NAME = env("SILAKSO_SITE_NAME", default="SILAKSO")
SILAKSO_AGENCY_NAME = env("SILAKSO_AGENCY_NAME", default="Dinas Sosial Kabupaten Bangka Tengah")
