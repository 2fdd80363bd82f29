"""Settings shared by every environment; everything that differs comes from the environment."""

from __future__ import annotations

import datetime
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # The project's apps, from the ground up (DESIGN.md, "Apps").
    "tenancy",
    "accounts",
    "partnerships",
    "culture",
    "discovery",
    "transition",
    "health",
    "dashboards",
    "demo",  # seed_demo only; no app imports it
    "django_otp",
    "django_otp.plugins.otp_totp",  # two-factor sign-in (accounts/twofactor.py)
    "axes",  # sign-in lockout (accounts/security.py); last, so its templates yield to ours
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The database's tenant scope for the request (row-level security, tenancy/rls.py).
    "tenancy.rls.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.SessionLimitsMiddleware",
    "accounts.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenancy.throttles.FailedAuthThrottleMiddleware",
    "tenancy.middleware.NoStoreForMembersMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]
# Refused API calls without valid credentials (401/403) allowed per client address a minute.
API_FAILED_AUTH_LIMIT = env.int("API_FAILED_AUTH_LIMIT", default=20)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.membership",
            ],
            # `{% url %}` remembered per process (tenancy/templatetags/fast_url.py).
            "builtins": ["tenancy.templatetags.fast_url"],
        },
    },
    {
        # Row fragments of the widest tables only (config/jinja2.py); never a whole page.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment", "autoescape": True},
    },
]

# --- Data -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'switchboard.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: a fresh connection per request costs ~7x throughput here.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two roles on PostgreSQL (tenancy/rls.py): DATABASE_URL connects as the application's role,
# which is not the tables' owner and cannot bypass row security; MIGRATION_DATABASE_URL, when
# set, as the owner, which `manage.py migrate` uses (the `owner` alias).
if env.str("MIGRATION_DATABASE_URL", default=""):
    DATABASES["owner"] = env.db_url("MIGRATION_DATABASE_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tenancy.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The proxies in front of the app (addresses or networks, comma-separated): only what they
# append to X-Forwarded-For is believed (tenancy/clientip.py). Empty: the header is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, reading the user with their memberships in one query.
# Axes first: it refuses a locked-out account and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MembershipBackend",
]
# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account from
# one client address, that pair is refused for AXES_COOLOFF_MINUTES (a person behind the same
# hospital NAT, or the same person elsewhere, is not locked out with it). The address is the
# one tenancy.clientip reads (TRUSTED_PROXIES), not a forgeable X-Forwarded-For.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ... and the account from every address after AXES_ACCOUNT_FAILURE_LIMIT wrong passwords
# within the cool-off, whatever their addresses (guessing spread over many addresses).
# Each address counts up to AXES_FAILURE_LIMIT towards it: at the defaults, four addresses.
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_HANDLER = "accounts.security.AccountCeilingHandler"
AXES_CLIENT_IP_CALLABLE = "tenancy.clientip.client_ip"
AXES_USERNAME_CALLABLE = "accounts.security.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"  # 429, why, for how long
AXES_VERBOSE = False
# Two-factor sign-in: the name authenticator apps show, and the seconds a code may be off.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Switchboard")
# django-otp's admin pages never show a device's secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Password-reset e-mails asked for per client address and per address asked about, an hour.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
# With Redis, sessions are read from the cache and written to both: no query per request. A
# cache of each process's own (no REDIS_URL) would keep a signed-out session alive in the
# other workers, so sessions then stay in the database only.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
# A session ends after this long without a request, and this long after sign-in whatever
# its activity (seconds; accounts/sessions.py). The cookie lives no longer than the session.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:org-picker"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2 first: a password stored with an older hasher is re-hashed at its next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=14)


# --- E-mail ---------------------------------------------------------------------------
def mailers_from_env(default_url: str) -> dict:
    """EMAIL_URL (smtp://user:pass@host:587, consolemail://, …) as Django 6.1's MAILERS."""
    mail = env.email_url("EMAIL_URL", default=default_url)
    names = {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_FILE_PATH": "file_path",
        "EMAIL_TIMEOUT": "timeout",
    }
    options = {name: mail[key] for key, name in names.items() if mail.get(key) not in (None, "")}
    if mail["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options.setdefault("timeout", 10)  # a stuck SMTP server must not stall a worker
    else:
        options = {key: value for key, value in options.items() if key == "file_path"}
    return {"default": {"BACKEND": mail["EMAIL_BACKEND"], "OPTIONS": options}}


# Development prints e-mail to the console; production defaults to SMTP on localhost.
MAILERS = mailers_from_env("consolemail://")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Switchboard <no-reply@switchboard.example>"
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))


def uploaded_files_storage() -> dict:
    """Where uploaded files live: the local disk (MEDIA_ROOT) by default; with S3_BUCKET an
    S3-compatible object store (AWS S3, MinIO), so that web and worker processes on several
    machines share them. Objects are private; every download streams through the app, behind
    the access policy (no public or pre-signed link is ever handed out)."""
    bucket = env.str("S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "addressing_style": "path",  # MinIO and most S3-compatible stores
        },
    }


STORAGES = {
    "default": uploaded_files_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less header in base.html
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"  # "reload and try again" (403_csrf.html)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tenancy.rest.StandardPagination",
    "DEFAULT_METADATA_CLASS": "tenancy.metadata.Metadata",
    "DEFAULT_RENDERER_CLASSES": [
        "tenancy.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "tenancy.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tenancy.rest.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "tenancy.throttles.AnonThrottle",
        "tenancy.throttles.UserThrottle",
    ],
    # Per client address without sign-in; per user (a telephony feed's token included) with.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": (
        "The system of record for outsourced nurse-triage partnerships. Every tenant-owned "
        "resource lives under /api/v1/orgs/{org_slug}/. Authenticate with a session or with "
        "an organization-scoped token: `Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tenancy.schema.optional_withheld_fields",  # internal and HR fields may be absent
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role.choices",
        "PartnershipStatusEnum": "partnerships.models.PartnershipStatus.choices",
        "ClientKindEnum": "partnerships.models.ClientKind.choices",
        "AdaptationKindEnum": "culture.models.AdaptationKind.choices",
        "AdaptationStatusEnum": "culture.models.AdaptationStatus.choices",
        "PhysicianPreferenceKindEnum": ("culture.models.PhysicianPreferenceKind.choices"),
        "LanguageEnum": "culture.models.Language.choices",
        "ServiceKindEnum": "discovery.models.ServiceKind.choices",
        "TaskStatusEnum": "transition.models.TaskStatus.choices",
        "KnowledgeStatusEnum": "transition.models.KnowledgeStatus.choices",
        "StaffRoleEnum": "transition.models.StaffRole.choices",
        "ReadinessStateEnum": "transition.api.serializers.READINESS_STATES",
        "CoverageStateEnum": "transition.api.serializers.COVERAGE_STATES",
        "PmAppointmentStateEnum": "transition.api.serializers.APPOINTMENT_STATES",
        "GoNoGoDecisionEnum": "transition.models.Decision.choices",
        "CallFlowStateEnum": "discovery.models.callflows.CallFlowState.choices",
        "AuditAnswerEnum": "health.models.Answer.choices",
        "TouchpointKindEnum": "health.models.TouchpointKind.choices",
        "IssueStatusEnum": "health.models.IssueStatus.choices",
        "FollowUpStateEnum": "health.api.touchpoints.FOLLOW_UP_STATES",
    },
}

# --- Celery ---------------------------------------------------------------------------
# Without REDIS_URL, Celery uses kombu's filesystem transport under var/: no server needed.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"socket_connect_timeout": 3, "socket_timeout": 5, "max_retries": 2, "visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # kombu's default is ./control, i.e. a stray folder in the working tree.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
CELERY_TASK_IGNORE_RESULT = True
# A task's message is acknowledged once it ran, so a worker killed mid-task loses nothing: a
# lost prefork child's message goes back at once (reject on worker lost), a dead worker's
# after Redis's visibility_timeout (above), which must stay longer than CELERY_TASK_TIME_LIMIT
# or a task still running would be handed out a second time. Tasks must be idempotent
# (tests/health/test_worker_kill.py kills a real worker mid-sweep).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that enqueues while the broker is down gives up quickly instead of hanging.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No secret carried in a URL path (a calendar feed's key) reaches a log: tenancy.logmask.
    "filters": {"mask_secrets": {"()": "tenancy.logmask.MaskSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # django-axes logs every sign-in at INFO; the audit trail has them (accounts/security.py).
        "axes": {"level": "WARNING"},
        # runserver's request log, through the masking console handler too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
