"""Infitah settings: one module, read from environment variables only.

Every variable is documented in README.md and .env.example. `INFITAH_ENV` is one of
`development` (default), `test` or `production`; production refuses development
secrets and the embedded SQLite database.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("INFITAH_VAR_DIR", BASE_DIR / "var"))

# Development secrets: usable anywhere but production, which refuses them.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
DEV_PII_KEY = "dev-insecure-pii-key-do-not-use-in-production"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd style)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return os.environ.get(name, default)


def email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL into Django e-mail settings.

    smtp://user:pass@host:587?tls=1 (or smtps:// for implicit TLS), file:///abs/dir,
    console://, locmem://.
    """
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme in {"smtp", "smtps"}:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": query.get("tls", "0") in {"1", "true"},
            "EMAIL_USE_SSL": parts.scheme == "smtps",
        }
    if parts.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise ImproperlyConfigured(f"EMAIL_URL: unsupported scheme {parts.scheme!r}")


def cache_settings(url: str) -> dict[str, object]:
    """Translate CACHE_URL into a CACHES entry: file:///abs/dir[?max_entries=N] (the
    default, under var/cache: shared by the processes of one machine), redis://,
    locmem:// (one cache per process: tests only, production refuses it), dummy://."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ImproperlyConfigured("CACHE_URL: file:// needs an absolute path (file:///…)")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            max_entries = int(query.get("max_entries", "20000"))
        except ValueError as exc:
            raise ImproperlyConfigured("CACHE_URL: max_entries must be an integer") from exc
        return {
            "BACKEND": "infitah.lib.filecache.FileCache",
            "LOCATION": unquote(parts.path),
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"CACHE_URL: unsupported scheme {parts.scheme!r}")


INFITAH_ENV = env_str("INFITAH_ENV", "development")
if INFITAH_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("INFITAH_ENV must be development, test or production")
IS_PRODUCTION = INFITAH_ENV == "production"
IS_TEST = INFITAH_ENV == "test"

SECRET_KEY = env_secret("SECRET_KEY", DEV_SECRET_KEY)
INFITAH_PII_KEY = env_secret("INFITAH_PII_KEY", DEV_PII_KEY)
DEBUG = env_bool("DEBUG", default=INFITAH_ENV == "development")

_default_db = f"sqlite:///{VAR_DIR / 'infitah.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db)

if IS_PRODUCTION:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("Production needs a real SECRET_KEY (50+ characters).")
    if INFITAH_PII_KEY == DEV_PII_KEY or len(INFITAH_PII_KEY) < 32:
        raise ImproperlyConfigured("Production needs a real INFITAH_PII_KEY (32+ characters).")
    if not os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL).")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = [
    h.strip()
    for h in env_str(
        "ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]
if IS_PRODUCTION:
    if DATABASE_URL.startswith("sqlite"):
        raise ImproperlyConfigured(
            "Production needs PostgreSQL: DATABASE_URL names a SQLite database."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Production needs ALLOWED_HOSTS: the site's own host names, not '*'."
        )
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env_str("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    # The admin site of django.contrib.admin, behind the sign-in page and the second factor.
    "infitah.accounts.apps.VerifiedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    # django-ninja's templates and static files: /api/v1/docs served from here, no CDN.
    "ninja",
    "infitah.core",
    "infitah.idempotency",
    "infitah.territories",
    "infitah.accounts",
    "infitah.ledger",
    "infitah.deadlines",
    "infitah.notifications",
    "infitah.numbering",
    "infitah.search",
    "infitah.publication",
    "infitah.cases",
    "infitah.information",
    "infitah.correspondence",
    "infitah.complaints",
    "infitah.petitions",
    "infitah.council",
    "infitah.advisory",
    "infitah.oparl",
    "infitah.open311",
    "infitah.openplan",
    "infitah.finance",
    "infitah.opendata",
    "infitah.openness",
    "infitah.network",
    "infitah.participation",
    "infitah.participation.consultations",
    "infitah.participation.surveys",
    "infitah.participation.labs",
    "infitah.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "infitah.lib.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "infitah.lib.languages.CitizenLanguageMiddleware",
    "infitah.lib.loadshed.LoadShedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "infitah.lib.encoding.StrictFormEncodingMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "infitah.urls"
WSGI_APPLICATION = "infitah.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "infitah" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "infitah.core.context_processors.shell",
            ],
        },
    }
]

# Health checks: a connection kept between requests (CONN_MAX_AGE) that the server has
# closed meanwhile (restart, failover, pg_terminate_backend) is replaced before use,
# instead of failing the next request or task.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several processes share the cache (gunicorn workers, the task worker, the tick): the
# default is a directory they all see; tests keep a per-process memory cache (fast).
_default_cache = "locmem://" if IS_TEST else f"file://{VAR_DIR / 'cache'}"
CACHES = {"default": cache_settings(env_str("CACHE_URL", _default_cache))}
if IS_PRODUCTION and CACHES["default"]["BACKEND"] == cache_settings("locmem://")["BACKEND"]:
    # Every production process (each gunicorn worker, the task worker, the tick) would
    # have its own: stale pages after a publication, rate limits counted per process.
    raise ImproperlyConfigured(
        "CACHE_URL=locmem:// keeps one cache per process; production runs several "
        "(web workers, task worker, tick). Use file:///… (one machine) or redis://."
    )
# Seconds a public page stays in the cache for anonymous visitors; 0 disables it.
INFITAH_PAGE_CACHE_SECONDS = env_int("INFITAH_PAGE_CACHE_SECONDS", 300)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff must pass TOTP two-factor authentication; on by default in production.
INFITAH_REQUIRE_2FA = env_bool("INFITAH_REQUIRE_2FA", default=IS_PRODUCTION)
OTP_TOTP_ISSUER = "Infitah"
# Failed sign-ins and second-factor codes are throttled by infitah/accounts/throttle.py
# (bounded, logged, visible); django-otp's own per-device delay, which doubles without
# limit and says nothing to the user, is off.
OTP_TOTP_THROTTLE_FACTOR = 0
# Sign-in throttling (docs/operations.md): failures per account (and per user at the
# second factor) and per client address within the window (s) before a lock; the first
# lock (s), doubled at each lock in a row up to the maximum (s).
INFITAH_LOGIN_FAILURE_LIMIT = env_int("INFITAH_LOGIN_FAILURE_LIMIT", 5)
INFITAH_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("INFITAH_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
INFITAH_LOGIN_FAILURE_WINDOW = env_int("INFITAH_LOGIN_FAILURE_WINDOW", 900)
INFITAH_LOGIN_LOCKOUT = env_int("INFITAH_LOGIN_LOCKOUT", 60)
INFITAH_LOGIN_LOCKOUT_MAX = env_int("INFITAH_LOGIN_LOCKOUT_MAX", 3600)
# Password reset: seconds a link stays valid; e-mails per account and requests per client
# address within INFITAH_LOGIN_FAILURE_WINDOW.
PASSWORD_RESET_TIMEOUT = env_int("INFITAH_PASSWORD_RESET_TIMEOUT", 3600)
INFITAH_PASSWORD_RESET_LIMIT = env_int("INFITAH_PASSWORD_RESET_LIMIT", 3)
INFITAH_PASSWORD_RESET_ADDRESS_LIMIT = env_int("INFITAH_PASSWORD_RESET_ADDRESS_LIMIT", 10)
# Days an e-mailed invitation to hold roles (or the network role) can be accepted.
INFITAH_INVITATION_DAYS = env_int("INFITAH_INVITATION_DAYS", 7)
for _name in (
    "INFITAH_LOGIN_FAILURE_LIMIT",
    "INFITAH_LOGIN_ADDRESS_FAILURE_LIMIT",
    "INFITAH_LOGIN_FAILURE_WINDOW",
    "INFITAH_LOGIN_LOCKOUT",
    "INFITAH_LOGIN_LOCKOUT_MAX",
    "PASSWORD_RESET_TIMEOUT",
    "INFITAH_PASSWORD_RESET_LIMIT",
    "INFITAH_PASSWORD_RESET_ADDRESS_LIMIT",
    "INFITAH_INVITATION_DAYS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive integer.")
if INFITAH_LOGIN_LOCKOUT_MAX < INFITAH_LOGIN_LOCKOUT:
    raise ImproperlyConfigured("INFITAH_LOGIN_LOCKOUT_MAX must be at least INFITAH_LOGIN_LOCKOUT.")

LANGUAGE_CODE = "ar"
# Django has no Tamazight: declare Standard Moroccan Tamazight (ISO 639-3 zgh), written
# in Tifinagh, left to right (docs/tamazight.md). Its catalogue is partial: a string it
# lacks falls back to LANGUAGE_CODE, Arabic, as Django's DjangoTranslation does for every
# language but the default. Staff pages are not offered in it (infitah.lib.languages).
LANG_INFO["zgh"] = {
    "bidi": False,
    "code": "zgh",
    "name": "Tamazight",
    "name_local": "ⵜⴰⵎⴰⵣⵉⵖⵜ",
}
LANGUAGES = [("zgh", _("Tamazight")), ("ar", _("Arabic")), ("fr", _("French"))]
# Languages whose catalogue may leave strings untranslated (compile_translations lets
# them) and that only the citizen-facing pages speak.
INFITAH_PARTIAL_LANGUAGES = ("zgh",)
LOCALE_PATHS = [BASE_DIR / "infitah" / "locale"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True
# One date and number format per language (infitah/formats/<lang>/formats.py). Integers
# are not grouped by default (ids and years in links and forms); quantities ask for it
# with `|floatformat:"0g"`.
FORMAT_MODULE_PATH = ["infitah.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Largest file an editor may upload (documents); the reverse proxy's body limit must match.
INFITAH_UPLOAD_MAX_BYTES = env_int("INFITAH_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
# Public address of the site, for links in e-mails (no trailing slash).
INFITAH_SITE_URL = env_str("INFITAH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# `manage.py serve` runs the periodic sweeps (`manage.py tick`) every this many seconds
# beside gunicorn and the task worker; 0: not at all (cron or a systemd timer runs them).
INFITAH_TICK_SECONDS = env_int("INFITAH_TICK_SECONDS", 60)
# Load shedding of writes (infitah/lib/loadshed.py): writes in flight per worker process
# (0: three quarters of INFITAH_ASGI_THREADS, so that it triggers before the thread pool
# queues), how long (ms) a write may wait for a slot before a 503, and the Retry-After (s).
INFITAH_SHED_MAX_INFLIGHT = env_int("INFITAH_SHED_MAX_INFLIGHT", 0)
INFITAH_SHED_QUEUE_TIMEOUT = env_int("INFITAH_SHED_QUEUE_TIMEOUT", 0)
INFITAH_SHED_RETRY_AFTER = env_int("INFITAH_SHED_RETRY_AFTER", 2)
# Hours an Idempotency-Key of an API write is remembered (infitah/idempotency/services.py).
INFITAH_IDEMPOTENCY_HOURS = env_int("INFITAH_IDEMPOTENCY_HOURS", 24)
# Signature ingest (infitah/petitions/ingest.py, PostgreSQL only): the two signing API
# endpoints written in batches by one thread per worker; requests waiting per process
# before a 503, and the most requests written in one transaction.
INFITAH_SIGNATURE_INGEST = env_bool("INFITAH_SIGNATURE_INGEST", True)
INFITAH_INGEST_MAX_QUEUE = env_int("INFITAH_INGEST_MAX_QUEUE", 1024)
INFITAH_INGEST_MAX_BATCH = env_int("INFITAH_INGEST_MAX_BATCH", 256)
# Bound (ms) on each statement of a batch: a batch stuck on a lock fails (503, rolled
# back) rather than keeping its requests waiting without an answer.
INFITAH_INGEST_STATEMENT_TIMEOUT = env_int("INFITAH_INGEST_STATEMENT_TIMEOUT", 5000)
# The longest (ms) a signing request waits for its batch: then 503 + Retry-After, nothing
# stored. Keep it (plus 2 s) below gunicorn's --graceful-timeout (30 s), so that a worker
# told to stop answers every request it holds before it is killed.
INFITAH_INGEST_TIMEOUT = env_int("INFITAH_INGEST_TIMEOUT", 10000)
# Under the ASGI entry point (infitah/asgi.py), threads per worker that run Django.
INFITAH_ASGI_THREADS = env_int("INFITAH_ASGI_THREADS", 16)
# Reverse proxies whose X-Forwarded-For is believed, for the client's address of the
# signature rate limits: addresses or networks, separated by commas or spaces.
INFITAH_TRUSTED_PROXIES = env_str("INFITAH_TRUSTED_PROXIES", "").replace(",", " ").split()
for _proxy in INFITAH_TRUSTED_PROXIES:  # refused at start, not at the first signature
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"INFITAH_TRUSTED_PROXIES: {_proxy!r} is not an address"
        ) from _exc
# Petitions: the count of confirmed signatures is kept in this many shard rows per
# petition and province (no hot row), and shown at most this many seconds behind.
INFITAH_PETITION_TALLY_SHARDS = env_int("INFITAH_PETITION_TALLY_SHARDS", 16)
INFITAH_PETITION_COUNT_TTL = env_int("INFITAH_PETITION_COUNT_TTL", 5)
# Access to information: days an unconfirmed request waits for its e-mail confirmation
# before it lapses, and the reminders sent to officers before a due date (working days).
INFITAH_ATI_CONFIRM_DAYS = env_int("INFITAH_ATI_CONFIRM_DAYS", 7)
try:
    INFITAH_ATI_REMINDER_WORKING_DAYS = tuple(
        int(d) for d in env_str("INFITAH_ATI_REMINDER_WORKING_DAYS", "5,1").split(",") if d.strip()
    )
except ValueError as exc:
    raise ImproperlyConfigured(
        "INFITAH_ATI_REMINDER_WORKING_DAYS: comma-separated integers"
    ) from exc
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if IS_TEST
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

_email = email_settings(env_str("EMAIL_URL", f"file://{VAR_DIR / 'mail'}"))
globals().update(_email)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Infitah <no-reply@infitah.localhost>")
# A silent SMTP server must not hold a worker (and the e-mail's row lock) forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# SMS to citizens who gave a phone number (docs/sms.md): file:///abs/dir (one file per
# message), smpp://user:password@host:port?source=INFITAH (an operator's SMS centre),
# locmem:// (tests). Same retry schedule as the e-mails.
SMS_URL = env_str("SMS_URL", f"file://{VAR_DIR / 'sms'}")
if urlsplit(SMS_URL).scheme not in {"file", "smpp", "locmem"}:
    raise ImproperlyConfigured("SMS_URL: file://, smpp:// or locmem:// expected")
# Seconds an SMS centre may stay silent before the attempt counts as failed.
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
# E-mail retries (infitah/notifications/backoff.py): the wait after a failed attempt
# doubles from FIRST_DELAY up to MAX_DELAY (seconds), lengthened by up to JITTER percent;
# after ATTEMPTS attempts in all the e-mail is a dead letter. The defaults span ~50 hours.
INFITAH_EMAIL_RETRY_ATTEMPTS = env_int("INFITAH_EMAIL_RETRY_ATTEMPTS", 17)
INFITAH_EMAIL_RETRY_FIRST_DELAY = env_int("INFITAH_EMAIL_RETRY_FIRST_DELAY", 60)
INFITAH_EMAIL_RETRY_MAX_DELAY = env_int("INFITAH_EMAIL_RETRY_MAX_DELAY", 6 * 3600)
INFITAH_EMAIL_RETRY_JITTER = env_int("INFITAH_EMAIL_RETRY_JITTER", 20)
# A queued e-mail still unsent after this many seconds lost its task: it is queued again.
INFITAH_EMAIL_QUEUED_TIMEOUT = env_int("INFITAH_EMAIL_QUEUED_TIMEOUT", 3600)
if not (
    INFITAH_EMAIL_RETRY_ATTEMPTS >= 1
    and 1 <= INFITAH_EMAIL_RETRY_FIRST_DELAY <= INFITAH_EMAIL_RETRY_MAX_DELAY
    and 0 <= INFITAH_EMAIL_RETRY_JITTER <= 100
    and INFITAH_EMAIL_QUEUED_TIMEOUT >= 60
):
    raise ImproperlyConfigured(
        "E-mail retries: INFITAH_EMAIL_RETRY_ATTEMPTS >= 1, 1 <= INFITAH_EMAIL_RETRY_FIRST_DELAY"
        " <= INFITAH_EMAIL_RETRY_MAX_DELAY, 0 <= INFITAH_EMAIL_RETRY_JITTER <= 100 and"
        " INFITAH_EMAIL_QUEUED_TIMEOUT >= 60 are required"
    )

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_str("TASKS_BACKEND", "database" if not IS_TEST else "immediate") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_str("LOG_LEVEL", "WARNING" if IS_TEST else "INFO"),
    },
    # WeasyPrint reports each step of every PDF it draws at INFO: keep its warnings only.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

AUTHENTICATION_BACKENDS = ["infitah.accounts.backends.EmailBackend"]

# The publication register (docs/register.md): checkpoints are signed with Ed25519, key
# INFITAH_REGISTER_SIGNING_KEY (or _FILE) = base64 of the raw 32-byte private key. Outside
# production, when unset, a development key derived from SECRET_KEY is used: anyone who
# knows SECRET_KEY (the default one is public) can sign with it. Production refuses it.
INFITAH_REGISTER_SIGNING_KEY = env_secret("INFITAH_REGISTER_SIGNING_KEY").strip()
_REGISTER_DEV_KEY = base64.b64encode(
    hashlib.sha256(b"infitah-register-dev-key\n" + SECRET_KEY.encode()).digest()
).decode()
if INFITAH_REGISTER_SIGNING_KEY:
    try:
        _register_key = base64.b64decode(INFITAH_REGISTER_SIGNING_KEY, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("INFITAH_REGISTER_SIGNING_KEY must be base64.") from exc
    if len(_register_key) != 32:
        raise ImproperlyConfigured(
            "INFITAH_REGISTER_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private key."
        )
if IS_PRODUCTION and INFITAH_REGISTER_SIGNING_KEY in {"", _REGISTER_DEV_KEY}:
    raise ImproperlyConfigured(
        "Production needs a real INFITAH_REGISTER_SIGNING_KEY (base64 of 32 random bytes)."
    )
INFITAH_REGISTER_SIGNING_KEY = INFITAH_REGISTER_SIGNING_KEY or _REGISTER_DEV_KEY
# The register as a C2SP transparency log (docs/register.md, "C2SP"): the checkpoints'
# origin line and note key name (default: the site's host and port, then /register/log);
# the public keys (base64, raw 32 bytes) of former signing keys, still valid to verify
# the checkpoints they signed; the witnesses whose cosignatures are accepted, as vkeys
# "name+keyid+base64(0x04||key)", separated by spaces or commas (checked by ledger.checks).
INFITAH_REGISTER_ORIGIN = env_str(
    "INFITAH_REGISTER_ORIGIN", f"{urlsplit(INFITAH_SITE_URL).netloc}/register/log"
)
if not INFITAH_REGISTER_ORIGIN or re.search(r"[\s+]", INFITAH_REGISTER_ORIGIN):
    raise ImproperlyConfigured("INFITAH_REGISTER_ORIGIN: not empty, no spaces, no '+'.")
INFITAH_REGISTER_PREVIOUS_KEYS = [
    k for k in re.split(r"[\s,]+", env_str("INFITAH_REGISTER_PREVIOUS_KEYS")) if k
]
INFITAH_REGISTER_WITNESSES = [
    k for k in re.split(r"[\s,]+", env_str("INFITAH_REGISTER_WITNESSES")) if k
]
# For each document type appended to the register, the function that yields what each
# document's latest entry must hold today: `manage.py verify_register` compares them.


def _months(name: str, default: str) -> list[int]:
    try:
        months = sorted({int(m) for m in env_str(name, default).split(",") if m.strip()})
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: comma-separated month numbers 1..12") from exc
    if not months or not all(1 <= m <= 12 for m in months):
        raise ImproperlyConfigured(f"{name}: comma-separated month numbers 1..12")
    return months


# The months of the councils' ordinary sessions per level (organic laws 113.14, 112.14,
# 111.14; domain.md §5 marks some UNCONFIRMED). A council may set its own (CouncilSettings).
INFITAH_COUNCIL_SESSION_MONTHS = {
    "commune": _months("INFITAH_COUNCIL_SESSION_MONTHS_COMMUNE", "2,5,10"),
    "province": _months("INFITAH_COUNCIL_SESSION_MONTHS_PROVINCE", "1,6,9"),
    "region": _months("INFITAH_COUNCIL_SESSION_MONTHS_REGION", "3,7,10"),
}


INFITAH_REGISTER_SOURCES = {
    "publication.document": "infitah.publication.indexing.register_current",
    "council.document": "infitah.council.register.register_current",
    "council.minutes": "infitah.council.minutes.register_current",
    "openplan.version": "infitah.openplan.register.version_register_current",
    "openplan.evidence": "infitah.openplan.register.evidence_register_current",
}

# The opening programme (docs/openplan.md). The public page warns when it has not changed
# for this many months (OGP Local asks for an update at least every 4); an OGP Local
# candidacy needs at least this many months left in the council's term (domain.md §6).
INFITAH_OPENPLAN_STALE_MONTHS = env_int("INFITAH_OPENPLAN_STALE_MONTHS", 4)
INFITAH_OGP_MIN_TERM_MONTHS = env_int("INFITAH_OGP_MIN_TERM_MONTHS", 16)

# Procurement (docs/finance.md): the OCDS prefix of this deployment's ocids ("ocds-" and
# the 6 characters the Open Contracting Partnership registers for a publisher).
INFITAH_OCDS_PREFIX = os.environ.get("INFITAH_OCDS_PREFIX", "ocds-infita")
if not re.fullmatch(r"ocds-[a-z0-9]{6}", INFITAH_OCDS_PREFIX):
    raise ImproperlyConfigured("INFITAH_OCDS_PREFIX must be 'ocds-' and 6 letters or digits.")
# The publisher named in the OCDS packages.
INFITAH_OCDS_PUBLISHER = os.environ.get("INFITAH_OCDS_PUBLISHER", "Infitah")

# Open data (docs/opendata.md): the licence of every generated dataset, a key of
# INFITAH_OPENDATA_LICENSES; `eu` is the EU licence authority's IRI (DCAT-AP), `ckan` the
# id CKAN clients know.
INFITAH_OPENDATA_LICENSES = {
    "CC-BY-4.0": {
        "title": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "eu": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        "ckan": "cc-by",
    },
    "CC0-1.0": {
        "title": "Creative Commons Zero 1.0",
        "url": "https://creativecommons.org/publicdomain/zero/1.0/",
        "eu": "http://publications.europa.eu/resource/authority/licence/CC0",
        "ckan": "cc-zero",
    },
    "ODC-BY-1.0": {
        "title": "Open Data Commons Attribution 1.0",
        "url": "https://opendatacommons.org/licenses/by/1-0/",
        "eu": "http://publications.europa.eu/resource/authority/licence/ODC_BY",
        "ckan": "odc-by",
    },
    "ODbL-1.0": {
        "title": "Open Data Commons Open Database License 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
        "eu": "http://publications.europa.eu/resource/authority/licence/ODC_BL",
        "ckan": "odc-odbl",
    },
}
INFITAH_OPENDATA_LICENSE = env_str("INFITAH_OPENDATA_LICENSE", "CC-BY-4.0")
if INFITAH_OPENDATA_LICENSE not in INFITAH_OPENDATA_LICENSES:
    raise ImproperlyConfigured(
        f"INFITAH_OPENDATA_LICENSE must be one of {', '.join(INFITAH_OPENDATA_LICENSES)}."
    )
