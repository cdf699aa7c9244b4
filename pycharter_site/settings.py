"""Settings for the PyCharter governance site, read from the environment.

Every knob is an environment variable (or a line in a `.env` file beside
manage.py). Without any, the site runs in DEBUG mode on an SQLite file in the
project folder, which is what the README's one-command start uses.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
# Without DEBUG there is no default: `check --deploy` reports it (pycharter_site.E001)
# and Django refuses to sign sessions or CSRF tokens with an empty key.
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "pycharter_site.apps.GovernanceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "seal",
    "django_tasks",
    "django_tasks_db",
    "tenancy",
    "contracts",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files itself (gunicorn has no static file server).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenancy.middleware.TenantScopeMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Sign-in attempts are limited (django-axes): after 5 wrong passwords for one username from
# one address, that pair is locked out for 15 minutes, even with the right password; a
# successful sign-in clears the count.
AUTHENTICATION_BACKENDS = [
    "pycharter_site.authentication.SignInAttemptsBackend",
    "pycharter_site.authentication.AccountBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

ROOT_URLCONF = "pycharter_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's own form templates through Jinja2, the admin's widget wrappers through Django's
# engine: see pycharter_site/form_renderer.py.
FORM_RENDERER = "pycharter_site.form_renderer.FormRenderer"

WSGI_APPLICATION = "pycharter_site.wsgi.application"
ASGI_APPLICATION = "pycharter_site.asgi.application"

# Database. PostgreSQL in production; an SQLite file for trying the site out.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# On PostgreSQL every table (PyCharter's and Django's own) lives in this schema;
# `migrate` creates it when missing. SQLite has no schemas and ignores it.
DB_SCHEMA = env.str("DB_SCHEMA", default="pycharter")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c search_path={DB_SCHEMA},public"
    )
    # Parameters are bound on the server, and a statement a connection has run five times is
    # prepared there: PostgreSQL then skips parsing and planning it. A page's dozen queries
    # cost PostgreSQL 5.7 ms of CPU unprepared, 1.7 ms prepared. Behind a pooler in
    # transaction mode, use one that keeps prepared statements (PgBouncer 1.21 and later).
    DATABASES["default"]["OPTIONS"].update(
        server_side_binding=True,
        prepare_threshold=env.int("DB_PREPARE_THRESHOLD", default=5),
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default=None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: the demo's pages keep reading while its worker writes a large
    # check in one transaction (SQLite's default journal locks readers out meanwhile).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each gunicorn worker keeps its connection between requests: opening one (a new PostgreSQL
# backend process, authentication) cost more than a whole API request. A connection that
# broke while idle is replaced before the next request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The site speaks English only: without the translation machinery, each of the admin's
# hundreds of strings a page is used as written (a tenth of a violations list's CPU;
# the pages' HTML is the same byte for byte).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Security: strict unless DEBUG. `manage.py check --deploy` is clean with
# DEBUG off, a real SECRET_KEY and ALLOWED_HOSTS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Django's database sessions, read by plain SQL (see pycharter_site/sessions.py).
SESSION_ENGINE = "pycharter_site.sessions"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# django-import-export: only users who may add a model may import it.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Uploaded and imported files larger than this are refused before parsing.
PYCHARTER_MAX_IMPORT_BYTES = env.int("PYCHARTER_MAX_IMPORT_BYTES", default=50 * 1024 * 1024)
# Contract documents (YAML/JSON) are parsed whole in memory: kept small enough that
# one parses within a request (about 1 s per MB of YAML).
PYCHARTER_MAX_CONTRACT_BYTES = env.int("PYCHARTER_MAX_CONTRACT_BYTES", default=5 * 1024 * 1024)
# Imports from the admin's import pages run row by row within a request; bigger files go
# through `manage.py import_data`.
PYCHARTER_ADMIN_IMPORT_MAX_ROWS = env.int("PYCHARTER_ADMIN_IMPORT_MAX_ROWS", default=5000)
# Data files checked from the admin; bigger ones go through `manage.py run_quality_check`.
# Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) stream to a temporary file and
# are moved into storage for their job, never read whole into memory.
PYCHARTER_QUALITY_UPLOAD_MAX_BYTES = env.int(
    "PYCHARTER_QUALITY_UPLOAD_MAX_BYTES", default=1024 * 1024 * 1024
)
# Admin uploads over this size are checked by a worker, not in the request.
PYCHARTER_QUALITY_JOB_THRESHOLD_BYTES = env.int(
    "PYCHARTER_QUALITY_JOB_THRESHOLD_BYTES", default=1024 * 1024
)

# Imports from the admin (its import pages, "Import contract file") over this size run in a
# worker instead of the request: no preview, the job's page shows the outcome.
PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES = env.int(
    "PYCHARTER_IMPORT_JOB_THRESHOLD_BYTES", default=512 * 1024
)
# Exports from the admin of more rows than this are written by a worker; the job's page
# offers the file.
PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS = env.int("PYCHARTER_EXPORT_JOB_THRESHOLD_ROWS",
                                              default=10_000)

# Attachments: stored through Django's storage API, a local folder by default; set
# ATTACHMENT_STORAGE=s3 (with django-storages and its AWS_* variables) for S3-compatible storage.
PYCHARTER_MAX_ATTACHMENT_BYTES = env.int("PYCHARTER_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
PYCHARTER_ATTACHMENT_TYPES = env.list(
    "PYCHARTER_ATTACHMENT_TYPES",
    default=["application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain",
             "text/csv", "application/json", "text/markdown"],
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Production serves compressed files under hashed names (cached forever); that needs
# `collectstatic` first, so DEBUG (and the test suite) serve the files as they are.
if env.bool("STATIC_FILES_HASHED", default=not DEBUG):
    STORAGES["staticfiles"] = {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }
if env.str("ATTACHMENT_STORAGE", default="local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# Alert delivery: webhooks are POSTed with a timeout and retried with exponential backoff.
PYCHARTER_WEBHOOK_TIMEOUT_SECONDS = env.float("PYCHARTER_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
PYCHARTER_WEBHOOK_MAX_ATTEMPTS = env.int("PYCHARTER_WEBHOOK_MAX_ATTEMPTS", default=3)
PYCHARTER_WEBHOOK_BACKOFF_SECONDS = env.float("PYCHARTER_WEBHOOK_BACKOFF_SECONDS", default=1.0)
# Webhooks go to public addresses only; these hosts (names or IP literals) are exempt.
PYCHARTER_WEBHOOK_ALLOWED_HOSTS = env.list("PYCHARTER_WEBHOOK_ALLOWED_HOSTS", default=[])

# The HTTP API for pipelines (/api/v1/): API tokens or the browser session; JSON out,
# always through tenancy.sanitize. Each token may make PYCHARTER_API_TOKEN_RATE requests.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenancy.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenancy.api.permissions.TenantAccessPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["tenancy.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env.str("PYCHARTER_API_TOKEN_RATE", default="600/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "tenancy.api.renderers.SanitizingJSONRenderer",
        "tenancy.api.renderers.SanitizingBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["tenancy.api.filtering.ListFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tenancy.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PyCharter Governance API",
    "DESCRIPTION": "Contracts, reference data and quality results for pipelines.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ViolationStatusEnum": "quality.models.ViolationStatus",
        "ContractStatusEnum": "contracts.models.Status",
        "ResolutionReasonEnum": "quality.models.ResolutionReason",
    },
}
# Records one POST checks on the spot; a POST of more is checked by a worker (202 Accepted
# with the job to follow), up to PYCHARTER_API_MAX_JOB_RECORDS.
PYCHARTER_API_MAX_CHECK_RECORDS = env.int("PYCHARTER_API_MAX_CHECK_RECORDS", default=5_000)
PYCHARTER_API_MAX_JOB_RECORDS = env.int("PYCHARTER_API_MAX_JOB_RECORDS", default=1_000_000)

# Email: one URL, e.g. smtp+tls://user:password@smtp.example.com:587. With DEBUG (the demo)
# mail is printed on the console, so alerts never fail on a missing mail server.
vars().update(env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pycharter-governance@localhost")

# Logs: one JSON object per line on stdout, for whatever collects the process's output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pycharter_site.logs.JsonLinesFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                   "formatter": "json"},
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes announces itself at every start, which would end up in commands' output.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background jobs ------------------------------------------------------------------------
# The queue lives in the site's own database (django-tasks' database backend): no broker
# to run, and workers on any number of machines share it through row locks (SELECT ... FOR
# UPDATE SKIP LOCKED on PostgreSQL). Start one with `manage.py run_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Periodic work the workers enqueue themselves: task path -> seconds between runs.
PYCHARTER_PERIODIC_TASKS = {
    "tenancy.jobs.worker_heartbeat": 60,
    "tenancy.jobs.jobs_orphaned_fail_task": 60,
    "quality.jobs.alert_deliveries_retry": env.int("ALERT_RETRY_INTERVAL_SECONDS", default=300),
}
# Load balancers probe /health/ over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# /health/ answers 503 when a queued job waited longer than this, or no worker ran anything
# (at least the heartbeat above) for that long.
PYCHARTER_HEALTH_MAX_QUEUE_AGE_SECONDS = env.int("HEALTH_MAX_QUEUE_AGE_SECONDS", default=600)
PYCHARTER_HEALTH_WORKER_SEEN_SECONDS = env.int("HEALTH_WORKER_SEEN_SECONDS", default=180)
