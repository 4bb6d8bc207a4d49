"""herodesk settings: one module, every value read from the environment.

SQLite (WAL) under HERODESK_DATA_DIR by default; DATABASE_URL switches to PostgreSQL and
REDIS_URL moves background jobs to a Redis-backed queue served by `herodesk worker`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from herodesk import datadir, env

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env.get_str("HERODESK_DATA_DIR", "herodesk-data") or "herodesk-data").resolve()
datadir.prepare(DATA_DIR)  # owner-only: 0700 dir, 0600 databases and key


def _secret_key() -> str:
    """Use HERODESK_SECRET_KEY(_FILE); otherwise keep a generated key in the data dir."""
    configured = env.get_str("HERODESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env.get_bool("HERODESK_DEBUG", False)
ALLOWED_HOSTS = env.get_list("HERODESK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("HERODESK_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = (env.get_str("HERODESK_BASE_URL", "http://localhost:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "herodesk.accounts",
    "herodesk.customers",
    "herodesk.conversations",
    "herodesk.notifications",
    "herodesk.presence",
    "herodesk.insights",
    "herodesk.quality",
    "herodesk.macros",
    "herodesk.administration",
    "herodesk.slas",
    "herodesk.channels.webform",
    "herodesk.channels.email",
    "herodesk.channels.phone",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "herodesk.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "herodesk.accounts.middleware.TeamTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "herodesk.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "herodesk.urls"
WSGI_APPLICATION = "herodesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["herodesk.conversations.templatetags.desk"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "herodesk.conversations.context_processors.navigation",
                "herodesk.notifications.context_processors.bell",
                "herodesk.insights.context_processors.signals_progress",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env.get_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "herodesk.sqlite",  # Django's SQLite backend plus a writer queue (see herodesk/sqlite)
            "NAME": str(datadir.private_database(DATA_DIR / "herodesk.sqlite3")),
            "TEST": {"NAME": ":memory:"},
            "OPTIONS": {
                # WAL lets readers and the writer work at the same time; IMMEDIATE avoids
                # "database is locked" upgrades from read to write inside a transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Kept open across requests, one per web thread: a new connection re-reads and parses the
            # schema and starts with a cold page cache, several milliseconds of CPU on every request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Background jobs (Huey) -----------------------------------------------------------------------
REDIS_URL = env.get_str("REDIS_URL")
TASKS_IMMEDIATE = env.get_bool("HERODESK_TASKS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": env.get_str("HERODESK_QUEUE_NAME", "herodesk"),
        "url": REDIS_URL,
        "immediate": TASKS_IMMEDIATE,
        "consumer": {
            "workers": env.get_int("HERODESK_WORKER_THREADS", 4),
            "worker_type": "thread",
            "verbose": False,
        },
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "herodesk",
        "filename": str(datadir.private_database(DATA_DIR / "jobs.sqlite3")),
        "immediate": TASKS_IMMEDIATE,
        "consumer": {
            "workers": env.get_int("HERODESK_WORKER_THREADS", 2),
            "worker_type": "thread",
            "verbose": False,
        },
    }

# Intensity in the background analysis job (docs/signals.md): "auto" uses MiniLM embeddings + a linear
# head when the embedding packages are installed, else the fast lexical model; "fast" always the lexical
# model; "embedding" requires the packages.
# fast by default: the embedding path ranks complaint tweets better (AUC 0.916 vs 0.901) and is calibrated
# at the hero-moment threshold 0.6, but ranks STC-3's real customer-service dialogues worse (Spearman with
# -S 0.296 vs 0.360), the only real desk text we can measure on (`signals eval`, docs/signals.md).
INTENSITY_PATH = env.get_str("HERODESK_INTENSITY_PATH", "fast") or "fast"
if INTENSITY_PATH not in ("auto", "fast", "embedding"):
    raise env.SettingError(f"HERODESK_INTENSITY_PATH={INTENSITY_PATH!r}: use auto, fast or embedding")

# --- Auth, sessions, security ---------------------------------------------------------------------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "conversations:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Failed logins within the lockout window that pause logging in, per account and per network address.
LOGIN_FAILURES_PER_ACCOUNT = env.get_int("HERODESK_LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env.get_int("HERODESK_LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env.get_int("HERODESK_LOGIN_LOCKOUT_MINUTES", 15)

HTTPS = env.get_bool("HERODESK_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database: no query per request. Only a hash
# of each session key is stored (herodesk/accounts/sessions.py).
SESSION_ENGINE = "herodesk.accounts.sessions"
SECURE_SSL_REDIRECT = HTTPS and env.get_bool("HERODESK_SSL_REDIRECT", True)
# No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from any client. gunicorn (`herodesk
# serve`) sets the request's scheme from that header only when it comes from HERODESK_TRUSTED_PROXIES.
TRUSTED_PROXIES = env.get_list("HERODESK_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
SECURE_HSTS_SECONDS = env.get_int("HERODESK_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Self-hosted scripts and styles only; images may come from mail (as before: remote images in mail load).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: http: https:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# --- Limits ---------------------------------------------------------------------------------------
MAX_MESSAGE_CHARS = env.get_int("HERODESK_MAX_MESSAGE_CHARS", 100_000)
# A hero moment waiting longer than this (business hours) without relief is missed (docs/signals.md).
HERO_MISSED_AFTER_BUSINESS_HOURS = env.get_int("HERODESK_HERO_MISSED_AFTER_BUSINESS_HOURS", 8)
MAX_ATTACHMENT_BYTES = env.get_int("HERODESK_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
MAX_EMAIL_BYTES = env.get_int("HERODESK_MAX_EMAIL_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.get_int("HERODESK_MAX_REQUEST_BYTES", 30 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
WEBFORM_RATE_LIMIT = env.get_int("HERODESK_WEBFORM_RATE_LIMIT", 5)  # submissions per address per hour
WEBFORM_NETWORK_RATE_LIMIT = env.get_int("HERODESK_WEBFORM_NETWORK_RATE_LIMIT", 20)  # per /24 or /64
WEBFORM_REPLY_RATE_LIMIT = env.get_int("HERODESK_WEBFORM_REPLY_RATE_LIMIT", 20)  # status-link replies an hour

# --- i18n, static, media --------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.get_str("HERODESK_TIME_ZONE", "UTC") or "UTC"
# English only: without the translation machinery every date, label and number renders cheaper.
USE_I18N = False
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = datadir.PRIVATE_FILE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = datadir.PRIVATE_DIR
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ----------------------------------------------------------------------------------------
EMAIL_BACKEND = env.get_str("HERODESK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.get_str("HERODESK_SMTP_HOST", "localhost")
EMAIL_PORT = env.get_int("HERODESK_SMTP_PORT", 25)
EMAIL_HOST_USER = env.get_str("HERODESK_SMTP_USER", "") or ""
EMAIL_HOST_PASSWORD = env.get_str("HERODESK_SMTP_PASSWORD", "") or ""
EMAIL_USE_TLS = env.get_bool("HERODESK_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env.get_bool("HERODESK_SMTP_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.get_str("HERODESK_FROM_EMAIL", "support@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILBOX_ENCRYPTION_KEY = env.get_str("HERODESK_MAILBOX_KEY")
# Where a mailbox password may come from besides the encrypted store: files in this folder only, and
# environment variables with this prefix only, so the mailbox form cannot read other server secrets.
MAILBOX_SECRETS_DIR = Path(
    env.get_str("HERODESK_MAILBOX_SECRETS_DIR", str(DATA_DIR / "secrets")) or str(DATA_DIR / "secrets")
).resolve()
MAILBOX_ENV_PREFIX = env.get_str("HERODESK_MAILBOX_ENV_PREFIX", "HERODESK_MAILBOX_") or "HERODESK_MAILBOX_"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"redact_secrets": {"()": "herodesk.logredact.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env.get_str("HERODESK_LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}},
}
