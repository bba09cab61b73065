"""Every Townhall setting in one place.

Each option is declared once with `option(...)`: its environment variable, its default and one
line of documentation. `townhall settings` prints the table and the README's configuration table
is generated from the same list (a test keeps them in step).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import dj_database_url


@dataclass(frozen=True)
class Option:
    env: str
    default: str
    doc: str


OPTIONS: list[Option] = []


def option(env: str, default: str, doc: str) -> str:
    OPTIONS.append(Option(env, default, doc))
    return os.environ.get(env, default)


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent

# The installation's data directory is found the same way wherever the command runs: `var/` in
# the checkout the code runs from (beside pyproject.toml); for a package installed elsewhere,
# $XDG_DATA_HOME/townhall. Never the current directory, which would start a new empty site.
INSTALL_DIR = BASE_DIR.parent


def _default_data_dir() -> Path:
    if (INSTALL_DIR / "pyproject.toml").is_file():
        return INSTALL_DIR / "var"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "townhall"


_data_dir_option = option(
    "TOWNHALL_DATA_DIR", "(the checkout's var/)",
    "Directory for the SQLite file, the generated secret key and collected static files. Unset: var/ in "
    "the checkout Townhall runs from, wherever the command is run (a package installed elsewhere: "
    "$XDG_DATA_HOME/townhall).",
)
DATA_DIR = (
    _default_data_dir() if "TOWNHALL_DATA_DIR" not in os.environ else Path(_data_dir_option).expanduser()
).resolve()

DEBUG = _bool(option("TOWNHALL_DEBUG", "false", "Django debug mode. Never on in production: it shows tracebacks."))


def _secret_key() -> str:
    """The secret signs edit tokens and keys author HMACs, so it must survive restarts:
    generated once on first run and kept in the data directory."""
    configured = os.environ.get("SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting together must not both write different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


option("SECRET_KEY", "(generated)", "Signing key. Empty: generated on first run and kept in TOWNHALL_DATA_DIR/secret_key.")
SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _list(option("TOWNHALL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver", "Comma-separated host names this server answers to."))
CSRF_TRUSTED_ORIGINS = _list(option("TOWNHALL_TRUSTED_ORIGINS", "", "Comma-separated origins (https://comments.example.com) trusted for the staff forms behind a proxy."))
TRUSTED_PROXIES = int(option("TOWNHALL_TRUSTED_PROXIES", "0", "How many reverse proxies append to X-Forwarded-For; 0 trusts none and uses the socket address."))
PUBLIC_URL = option("TOWNHALL_PUBLIC_URL", "", "The URL readers reach this server at, used in embed snippets; empty: taken from each request.")

DATABASE_URL = option("DATABASE_URL", "", "Database URL (postgres://user@host/db). Empty: SQLite at TOWNHALL_DATA_DIR/townhall.sqlite3.")
REDIS_URL = option("REDIS_URL", "", "Redis URL for the shared cache and rate limits. Empty: the database cache, and rate limits in a counter table.")

RATE_WRITE = option("TOWNHALL_RATE_WRITE", "10/min", "Comment posts, edits and deletes allowed per client (IP) and period.")
RATE_VOTE = option("TOWNHALL_RATE_VOTE", "60/min", "Votes and reports allowed per client (IP) and period.")
VOTES_PER_IP = int(option("TOWNHALL_VOTES_PER_IP", "3", "Distinct voter tokens from one IP that may vote on one comment."))
ARTICLE_MAX_CHARS = int(option("TOWNHALL_ARTICLE_MAX_CHARS", "100000", "Longest article text (characters) the quote check accepts from a CMS or a page."))
IP_RETENTION_DAYS = int(option("TOWNHALL_IP_RETENTION_DAYS", "30", "After this many days stored IPs are truncated (IPv4 /24, IPv6 /48)."))
AVATAR_MAX_BYTES = int(option("TOWNHALL_AVATAR_MAX_BYTES", "200000", "Largest picture fetched for a signed-in reader (PNG, JPEG, GIF, WebP); larger ones are ignored."))
AVATAR_PRIVATE_HOSTS = _bool(option("TOWNHALL_AVATAR_PRIVATE_HOSTS", "false", "Fetch readers' pictures from private addresses too (a site on the same network). Off: public hosts only."))
ACCESS_LOG = _bool(option("TOWNHALL_ACCESS_LOG", "false", "Write an access log (method, path, status, time; never the client address)."))
WORKERS = int(option("TOWNHALL_WORKERS", "2", "HTTP worker processes started by `townhall serve`."))
THREADS = int(option("TOWNHALL_THREADS", "4", "Threads per HTTP worker that run Django (posts, pages, moderation); hot reads and live streams need none."))
LIVE_HEARTBEAT = float(option("TOWNHALL_LIVE_HEARTBEAT", "15", "Seconds between heartbeats on a live stream, which keep proxies from closing an idle one."))
RUN_TASK_WORKER = _bool(option("TOWNHALL_TASK_WORKER", "true", "Whether `townhall serve` also runs the background task worker."))

EMAIL_HOST = option("TOWNHALL_EMAIL_HOST", "", "SMTP host for notification and alert mail. Empty: emails are written to the log instead, addresses masked.")
EMAIL_PORT = int(option("TOWNHALL_EMAIL_PORT", "587", "SMTP port."))
EMAIL_HOST_USER = option("TOWNHALL_EMAIL_USER", "", "SMTP user name.")
EMAIL_HOST_PASSWORD = option("TOWNHALL_EMAIL_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = _bool(option("TOWNHALL_EMAIL_TLS", "true", "Use STARTTLS for SMTP."))
EMAIL_TIMEOUT = int(option("TOWNHALL_EMAIL_TIMEOUT", "30", "Seconds to wait for the SMTP server; longer counts as a temporary failure (retried)."))
DEFAULT_FROM_EMAIL = option("TOWNHALL_EMAIL_FROM", "Townhall <townhall@localhost>", "From address of notifications.")
MAIL_BATCH_SECONDS = int(option("TOWNHALL_MAIL_BATCH_SECONDS", "180", "Reader notifications for one address that arrive within this many seconds go out as one mail."))
MAIL_RETRIES = int(option("TOWNHALL_MAIL_RETRIES", "6", "How often a mail is retried after a temporary SMTP failure (4xx, connection lost) before it is dropped."))
MAIL_RETRY_SECONDS = int(option("TOWNHALL_MAIL_RETRY_SECONDS", "60", "The first retry waits this many seconds; each next one waits twice as long."))
MAIL_RETURN_PATH = option("TOWNHALL_MAIL_RETURN_PATH", "", "Envelope sender for VERP bounces (bounces@example.com becomes bounces+TOKEN@example.com). Empty: the address of TOWNHALL_EMAIL_FROM.")
MAIL_BOUNCE_SECRET = option("TOWNHALL_MAIL_BOUNCE_SECRET", "", "Secret path part of the provider bounce webhook, POST /mail/bounces/SECRET/ (a raw bounce message as the body). Empty: the endpoint is off.")
MAIL_ACTION_HOURS = int(option("TOWNHALL_MAIL_ACTION_HOURS", "72", "Hours an approve/reject/spam link in a moderator alert stays valid (each works once)."))
ALERT_WEBHOOK_ALLOW = _list(option("TOWNHALL_ALERT_WEBHOOK_ALLOW", "", "Comma-separated hosts an alert webhook (Slack-compatible) may use although they are private or loopback addresses."))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "townhall.core.mail.MaskedLogBackend"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "townhall.core",
    "townhall.comments",
    "townhall.identity",
    "townhall.articles",
    "townhall.moderation",
    "townhall.posting",
    "townhall.demo",
    "townhall.widget",
    "townhall.moderators",
    "townhall.importers",
    "townhall.notifications",
    "townhall.webhooks",
    "townhall.live",
]

MIDDLEWARE = [
    "townhall.core.middleware.SecurityHeadersMiddleware",
    "townhall.core.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # After CORS, so a widget on another origin can read the 413.
    "townhall.core.middleware.BodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The moderation pages speak the moderator's language (Accept-Language); the no-JS pages and
    # emails choose theirs from the page or the site (see townhall.core.i18n).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "townhall.urls"
LOGIN_URL = "/moderate/login/"
LOGIN_REDIRECT_URL = "/moderate/"
WSGI_APPLICATION = "townhall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "townhall.sqlite3"),
            # Keep each worker thread's connection: reconnecting and re-running the PRAGMAs
            # cost about 1 ms a request.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets readers go on while one process writes; IMMEDIATE takes the write lock
                # at BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }

CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "townhall",
        }
    }
else:
    # Shared by every worker process, unlike the local-memory cache: rate limits must hold
    # across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "townhall_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Webhooks (townhall/webhooks): delivered by the task worker, signed as Standard Webhooks says.
WEBHOOK_RETRY_SCHEDULE = option(
    "TOWNHALL_WEBHOOK_RETRY_SCHEDULE", "5s,5m,30m,2h,5h,10h,10h",
    "Waits between a webhook's failed attempts (s, m, h, d); after the last the delivery is marked failed.",
)
WEBHOOK_TIMEOUT = float(option("TOWNHALL_WEBHOOK_TIMEOUT", "5", "Seconds a webhook endpoint gets to connect and to answer each read."))
WEBHOOK_DISABLE_AFTER_DAYS = int(option("TOWNHALL_WEBHOOK_DISABLE_AFTER_DAYS", "5", "A webhook endpoint failing for this many days without a success is disabled and its site's admins are mailed."))
WEBHOOK_SECRET_GRACE_HOURS = int(option("TOWNHALL_WEBHOOK_SECRET_GRACE_HOURS", "24", "After a secret is rotated, deliveries are signed with the old secret too for this many hours."))
WEBHOOK_ALLOW_NETWORKS = _list(option(
    "TOWNHALL_WEBHOOK_ALLOW_NETWORKS", "",
    "Comma-separated private, loopback or link-local networks (10.0.0.0/8, 127.0.0.1) webhook endpoints may use; others are refused.",
))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages of the widget, the no-JS pages, the moderation pages and the emails. Catalogs:
# townhall/locale (built by `townhall catalogs`, which also writes the widget's JSON catalogs).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# `serve` collects static files with gzip copies beside them (the widget is 15 KB gzipped, 52 KB
# plain). Not the Manifest variant: the embed URL sites paste must never change.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app directories unless `serve` has just collected them (with gzip
# copies, which only collected files have).
WHITENOISE_USE_FINDERS = not _bool(option("TOWNHALL_STATIC_COLLECTED", "false", "Set by `townhall serve` for its workers after collectstatic; leave unset."))
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. The default install listens on plain HTTP on 127.0.0.1; behind the
# TLS-terminating proxy the README asks for (TOWNHALL_TRUSTED_PROXIES set), the proxy's
# X-Forwarded-Proto says a request came over HTTPS, cookies are sent over HTTPS only and plain
# HTTP is redirected (not /healthz: the proxy's own health checks call it directly).
if TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(option(
    "TOWNHALL_HSTS_SECONDS", "0",
    "Strict-Transport-Security max-age sent behind a TLS proxy (31536000 in production); 0 sends none.",
))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0  # the comment server's own subdomains only
# Preloading is for registrable domains, which a comment server on a subdomain is not.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# CORS: only the API, only origins some site lists (checked per request in core.cors).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = [
    "content-type", "x-townhall-token", "x-townhall-edit-token", "if-none-match", "accept-language", "last-event-id",
]
CORS_EXPOSE_HEADERS = ["etag", "retry-after"]
CORS_ALLOW_CREDENTIALS = False

NINJA_NUM_PROXIES = TRUSTED_PROXIES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # An expected 4xx (a refused permission, a bad request) is one line; tracebacks are for 5xx.
    "filters": {"one_line_4xx": {"()": "townhall.core.logs.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # django.request logs the request line and status for 4xx; it never includes addresses
    # or bodies, so it stays.
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django.request": {"filters": ["one_line_4xx"]},
        "django.security": {"filters": ["one_line_4xx"]},
    },
}
