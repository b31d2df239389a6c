"""Resilis settings, read entirely from the environment.

Profiles (``RESILIS_ENV``):
- ``development`` (default): DEBUG on, console e-mail, the dev runner provides DATABASE_URL/REDIS_URL.
- ``test``: like development but fast password hashing and eager-free (real) Celery settings.
- ``production``: DEBUG off, secure cookies, HSTS, every secret required from the environment;
  ``manage.py check --deploy --fail-level WARNING`` passes with it (CI checks it).

``TRUSTED_PROXY_COUNT`` (default 0): how many reverse proxies in front of gunicorn append the address
they saw to X-Forwarded-For. 0 (docker-compose.yml as shipped: gunicorn answers on port 8000 itself):
the client address is ``REMOTE_ADDR`` and the header is ignored. With one TLS proxy (nginx, Traefik,
a load balancer) in front, set 1: the right-most entry is then the client. Never more than the real
number of proxies: a client could otherwise choose its own address and dodge the login lockout.

``DB_CONN_MAX_AGE`` (seconds a database connection is reused): 60 in production, 0 (one connection per
request, closed after it) in development and tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import overload

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


RESILIS_ENV = env("RESILIS_ENV", "development")
if RESILIS_ENV not in {"development", "test", "production"}:
    raise ValueError(f"RESILIS_ENV must be development, test or production, not {RESILIS_ENV!r}")
PRODUCTION = RESILIS_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION and RESILIS_ENV != "test")

if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]  # required: fail at start-up rather than run with a weak key
else:
    SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
ADMIN_URL = env("ADMIN_URL", "admin/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_scopes",
    "guardian",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_htmx",
    "csp",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.accounts",
    "apps.tenants",
    "apps.compliance",
    "apps.governance",
    "apps.bia",
    "apps.continuity",
    "apps.backups",
    "apps.exercises",
    "apps.actions",
    "apps.crisis",
    "apps.costs",
    "apps.declaration",
    "apps.exports",
    "apps.imports",
    "apps.sso",
    "apps.search",
    "apps.onboarding",
    "apps.api",
    "apps.notifications",
    "apps.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.FrenchFirstLocaleMiddleware",
    # Before anything reads the query string or the form: NUL → 400, never a PostgreSQL error.
    "apps.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "apps.tenants.middleware.TenantMiddleware",
    # Axes last, as its documentation asks, so it sees the final authentication outcome.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "resilis.urls"
WSGI_APPLICATION = "resilis.wsgi.application"
FORM_RENDERER = "apps.core.renderer.ResilisFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "apps.tenants.context_processors.tenant",
            ],
        },
    },
]

# --- Database: PostgreSQL only (JSON, triggers for history, constraints). -----------------------
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    raise RuntimeError(
        "DATABASE_URL is not set. Start Resilis with `python3 run.py` (embedded PostgreSQL) "
        "or export DATABASE_URL=postgres://user@host:5432/resilis."
    )
# Persistent connections in production only (DB_CONN_MAX_AGE, seconds). In development the dev server
# runs a thread per request, each thread kept its own connection open and exhausted PostgreSQL's
# max_connections; in tests live-server threads would keep the test database busy at teardown.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE)}
# A reused connection is checked before use (the database restarted, a proxy dropped it).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DB_CONN_MAX_AGE != 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Parallel test processes share one Redis: each gets its own prefix (empty outside pytest-xdist).
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "resilis") + os.environ.get("PYTEST_XDIST_WORKER", ""),
    }
}
# Sessions are read from Redis and written through to PostgreSQL: no database query per request to find the
# session, and nothing lost when Redis restarts (a miss reads the table). Django logs, and falls back to the
# table, when Redis does not answer.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if RESILIS_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portfolio"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
# Single sign-on per organization (apps.sso): OpenID Connect and SAML 2.0 providers stored as allauth SocialApps;
# a login opens an existing member's account only (the adapter), never signs anyone up. SAML goes through allauth's
# saml provider with our subclass (apps.sso.saml): InResponseTo of a request of this browser, assertion IDs kept in
# Redis against replay, the assertion's age bounded.
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter decides which account opens, not an e-mail match alone
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "apps.sso.saml.ResilisSAMLProvider"}}
# A SAML assertion older than this (its IssueInstant), or issued further than python3-saml's clock drift (300 s) in
# the future, is refused; its ID is kept in Redis for this long plus the drift, so a replay is always caught.
SSO_SAML_MAX_ASSERTION_AGE = 300
ACCOUNT_FORMS = {"login": "apps.accounts.forms.LoginForm"}
ACCOUNT_SESSION_REMEMBER = False
# Failed logins are throttled by django-axes (account/IP lockout page); allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Resilis"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_PASSKEY_LOGIN_ENABLED = False
# allauth refuses MFA to unverified addresses to stop an attacker squatting a sign-up. There is no open
# sign-up here: accounts come from an invitation link sent to the address (possession proven) or
# from a platform administrator, so every address is a verified one.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# The client address (audit trail, axes, allauth): see TRUSTED_PROXY_COUNT in the docstring above.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ValueError("TRUSTED_PROXY_COUNT must be 0 or more")

# django-axes: five failures lock the (account, IP) pair for a while (admin included).
AXES_CLIENT_IP_CALLABLE = "apps.core.services.client_ip"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "apps.accounts.adapters.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Guardian: object permissions inside an organization; never the tenant boundary.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Internationalisation: French first. -------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-first dates and 24-hour times in English too (resilis/formats/en).
FORMAT_MODULE_PATH = ["resilis.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (evidence uploads, export files) go through ``storages["default"]`` only (apps/core/files.py),
# under relative names derived from ids (``evidence/<organization>/<random>.pdf``,
# ``exports/<organization>/<job>.pdf``), the same with either backend:
# - ``RESILIS_STORAGE=local`` (default: one host, the embedded run, the tests): files under MEDIA_ROOT.
# - ``RESILIS_STORAGE=s3``: an S3-compatible bucket (MinIO, Scaleway, OVHcloud, AWS…) that every web
#   and worker host shares. ``S3_BUCKET`` is required; ``S3_ENDPOINT_URL`` (empty: AWS), ``S3_REGION``,
#   ``S3_ACCESS_KEY_ID`` / ``S3_SECRET_ACCESS_KEY`` (empty: boto3's own chain, e.g. an instance role),
#   ``S3_ADDRESSING_STYLE`` (``path`` for MinIO), ``S3_PREFIX`` (a folder inside a shared bucket),
#   ``S3_CA_BUNDLE`` (an internal CA). Objects are private: no ACL is sent (the bucket's own, private,
#   applies) and any URL the storage makes is signed and short-lived (``S3_URL_EXPIRE_SECONDS``, 60).
# Downloads are streamed through the permission-checked views; with ``S3_SIGNED_DOWNLOADS=true`` those
# views answer, after the same checks, with a redirect to a signed URL instead (the file then goes from
# the bucket to the browser directly; the bucket must be reachable by the users' browsers).
RESILIS_STORAGE = env("RESILIS_STORAGE", "local")
if RESILIS_STORAGE == "local":
    _files_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif RESILIS_STORAGE == "s3":
    if not env("S3_BUCKET"):
        raise ValueError("RESILIS_STORAGE=s3 needs S3_BUCKET (and usually S3_ENDPOINT_URL and the keys)")
    _files_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env("S3_ADDRESSING_STYLE") or None,
            "location": env("S3_PREFIX", "").strip("/"),
            "verify": env("S3_CA_BUNDLE") or None,
            "signature_version": "s3v4",
            "default_acl": None,  # never "public-read": the bucket's private default applies
            "querystring_auth": True,  # every URL is signed…
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 60),  # …and short-lived
            "file_overwrite": True,  # an export re-rendered keeps its name (derived from the job id)
            "object_parameters": {"CacheControl": "private, no-store"},
        },
    }
else:
    raise ValueError(f"RESILIS_STORAGE must be local or s3, not {RESILIS_STORAGE!r}")
RESILIS_SIGNED_DOWNLOADS = RESILIS_STORAGE == "s3" and env_bool("S3_SIGNED_DOWNLOADS", False)
STORAGES = {
    "default": _files_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The local backend's folder: outside the web root, only served through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# No URL serves MEDIA_ROOT (no route, whitenoise serves static only); the value exists because Django's
# live test server builds a handler from it.
MEDIA_URL = "/_private-media-never-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
RESILIS_UPLOAD_MAX_BYTES = env_int("RESILIS_UPLOAD_MAX_MB", 20) * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Resilis <no-reply@resilis.localhost>")

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Content-Security-Policy: everything is served from our own origin (no CDN, no inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- REST API (apps/api) ------------------------------------------------------------------------
# Token authentication only (no session: the pages have their own forms); JSON in and out; the schema and
# Swagger UI under /api/ with the assets of drf-spectacular-sidecar (served locally, no CDN, CSP unchanged;
# no Redoc: it needs inline styles and Google Fonts).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.authentication.TokenCapability"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.ApiSchema",
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.authentication.TokenRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}
# Requests per token, counted in Redis (DRF's rate syntax: "600/minute").
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "600/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Resilis API",
    "DESCRIPTION": "CaRE Domaine 2 continuity data of one organization. Authenticate with "
                   "`Authorization: Bearer <token>` (tokens are created by an administrator of the organization).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RestoreTestScopeEnum": "apps.backups.models.RestoreTest.Scope",
        "ExerciseScopeEnum": "apps.exercises.models.ExerciseScope",
        "ResourceKindEnum": "apps.bia.models.Resource.Kind",
        "GapKindEnum": ["rto", "rpo"],
    },
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Redis redelivers a task that outlives the visibility timeout: keep it above the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = "default"
# The export rendering (PDF dossier, XLSX workbook) runs on this queue, read by its own worker: one job at a
# time at the lowest CPU priority (``--concurrency 1 --niceness 19``, resilis/celery.py), so exports never slow
# the pages. Every other task, the exports' housekeeping included, stays on the default queue and its worker.
# Each test worker gets a private exports queue.
EXPORTS_QUEUE = env("EXPORTS_QUEUE", "exports")
CELERY_TASK_ROUTES = {"apps.exports.tasks.export_run_task": {"queue": EXPORTS_QUEUE}}
# Portfolio summaries (apps/compliance/portfolio.py) are computed on this queue.
PORTFOLIO_QUEUE = env("PORTFOLIO_QUEUE", "default")
# BIA campaign e-mails (apps/bia/tasks.py) are sent from this queue.
CAMPAIGN_QUEUE = env("CAMPAIGN_QUEUE", "default")
# The BIA analysis computed again after writes (apps/bia/refresh.py) runs on this queue.
ANALYSIS_QUEUE = env("ANALYSIS_QUEUE", "default")
# Other e-mails sent by the worker (invitations, apps/tenants/tasks.py).
MAIL_QUEUE = env("MAIL_QUEUE", "default")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# Exports: re-queue or fail jobs whose worker went silent (45 s without heartbeat), delete expired
# files. Every starting worker re-queues them too (apps/exports/tasks.py, ``worker_ready``).
CELERY_BEAT_SCHEDULE["exports-housekeeping"] = {
    "task": "apps.exports.tasks.exports_housekeeping", "schedule": 60.0,
}
# Exercises: remind the owners of planned tests and exercises 30 and 7 days before (apps/exercises/tasks.py).
CELERY_BEAT_SCHEDULE["exercises-test-reminders"] = {
    "task": "apps.exercises.tasks.test_reminders_dispatch", "schedule": 6 * 3600.0,
}
# The action plan's weekly digest: every Monday at 7:30 (TIME_ZONE), one e-mail per owner with overdue or
# soon-due actions, in each organization's language (apps/actions/tasks.py).
# Backups: alerts of the job feed left unresolved past each organization's delay become actions (apps/backups/feed.py).
CELERY_BEAT_SCHEDULE["backups-escalate-alerts"] = {
    "task": "backups.escalate_alerts", "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["actions-weekly-digest"] = {
    "task": "actions.weekly_digest", "schedule": crontab(day_of_week="mon", hour=7, minute=30),
}
# Notifications (apps/notifications/tasks.py): the daily digest at 7:00 for those who chose it, and the daily scan
# of calendar events (overdue actions, exercises within a week, evidence about to be a year old) at 6:30.
CELERY_BEAT_SCHEDULE["notifications-daily-digest"] = {
    "task": "notifications.daily_digest", "schedule": crontab(hour=7, minute=0),
}
CELERY_BEAT_SCHEDULE["notifications-daily-scan"] = {
    "task": "notifications.daily_scan", "schedule": crontab(hour=6, minute=30),
}
# The direction's home: each organization's requirement statuses counted every night (apps/workspace/tasks.py).
CELERY_BEAT_SCHEDULE["workspace-requirement-snapshot"] = {
    "task": "workspace.snapshot_all", "schedule": crontab(hour=1, minute=15),
}
# BIA campaigns: remind the business owners N days before and after each establishment's due date (apps/bia/tasks.py).
CELERY_BEAT_SCHEDULE["bia-campaign-reminders"] = {
    "task": "bia.campaign_reminders_dispatch", "schedule": crontab(hour=8, minute=0),
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

RESILIS_DEMO_PASSWORD = env("RESILIS_DEMO_PASSWORD", "resilis-demo-2026")
