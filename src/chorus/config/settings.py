"""The one settings module. Everything that varies comes from ``chorus.config.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

from chorus.config import env

CONFIG = env.load()

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
SECRET_KEY_FALLBACKS = list(CONFIG.secret_key_fallbacks)
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "chorus.core",
    "chorus.counts",
    "chorus.accounts",
    "chorus.escrow",
    "chorus.records",
    "chorus.orgs",
    "chorus.reports",
    "chorus.together",
    "chorus.staff",
    "chorus.keyserver",
    "chorus.public",
    "chorus.workspace",
    "chorus.api",
    "chorus.cli",
]

MIDDLEWARE = [
    # Counts the requests in progress: PostgreSQL's voice writer stops waiting for more voices
    # once all of them have handed theirs over (decision 0006).
    "chorus.core.inflight.InFlightMiddleware",
    # First: replace the client address with a keyed network hash and drop the user agent,
    # so nothing later (views, logging, error reports) can see or record either.
    "chorus.core.middleware.ForgetClientMiddleware",
    "chorus.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "chorus.core.middleware.PrivacyHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's SessionMiddleware with a separate cookie (name and Path) for /workspace/.
    "chorus.workspace.session.SeparateSessionMiddleware",
    "chorus.core.middleware.FetchMetadataMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chorus.config.urls"
WSGI_APPLICATION = "chorus.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE for <html lang>
                "django.template.context_processors.csrf",
                "chorus.core.context.site",
            ],
        },
    }
]


def _database(url: str) -> dict[str, Any]:
    db: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=None, conn_health_checks=True)
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend, with write transactions queued on a file lock (decision 0005).
        db["ENGINE"] = "chorus.core.sqlite"
        db["OPTIONS"] = {
            # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
            # concurrent writers queue on busy_timeout instead of failing with "locked" mid-way.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                "PRAGMA secure_delete=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        db["TEST"] = {"NAME": str(CONFIG.var_dir / "test.sqlite3")}
    return db


DATABASES = {"default": _database(CONFIG.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chorus"}
        if CONFIG.cache_url == "locmem://"
        else {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.cache_url,
        }
    )
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.var_dir / "static"
STATICFILES_DIRS = [Path(__file__).resolve().parent.parent / "static"]

# Small bodies only: a voice is a handful of short codes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024
# Exact paths allowed a larger body (BodySizeLimitMiddleware): a survivor's sealed record with
# its attachments (records.services.MAX_ENVELOPE_BYTES, base64 in JSON).
BODY_SIZE_ALLOWANCES = {"/records/envelopes": 48 * 1024 * 1024}
# POST /escrow/entries: up to 8 identifiers, each sealed to every active advocate key; a suite-2
# envelope is about 2 KB in base64, so a few advocates with suite-2 keys pass 16 KiB.
BODY_SIZE_ALLOWANCES["/escrow/entries"] = 256 * 1024
# A report to an organisation: one record's text boxed, plus its sealed case keys.
BODY_SIZE_ALLOWANCES["/reports"] = 2 * 1024 * 1024
# A together report: the same body, plus one sealed share per member key (reports.md §7.6).
BODY_SIZE_ALLOWANCES["/reports/together"] = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
FILE_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024

# Sessions: only survivors who sign in to a codename account and workspace staff have one. The
# cookie is host-only, HttpOnly, SameSite=Strict and ends with the browser; the server keeps the
# session (database backend) so signing out or an expiry ends it everywhere.
SESSION_COOKIE_NAME = "__Host-chorus-session" if CONFIG.production else "chorus-session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * 60  # an hour: a shared or watched device should not stay signed in
SESSION_SAVE_EVERY_REQUEST = False
# CSRF uses a cookie that carries no identity.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SECURE = CONFIG.production
# __Host-: the browser refuses the cookie unless Secure, host-only and Path=/, so no other
# (sub)domain or plain-HTTP response can plant one.
CSRF_COOKIE_NAME = "__Host-csrftoken" if CONFIG.production else "csrftoken"
CSRF_FAILURE_VIEW = "chorus.config.csrf.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
if CONFIG.production:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True

# Mail: the matching job tells advocates "a match exists" (nothing more) through the local mail
# server in production; in development the message is printed. Tests swap in Django's locmem.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend"
        if CONFIG.production
        else "django.core.mail.backends.console.EmailBackend"
    }
}

# Logs carry no client address, user agent or request data: the formatter prints only the
# logger name and message, the access log of the WSGI server is off, and ForgetClientMiddleware
# has already removed both from the request before any code could log them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "no_template_context": {"()": "chorus.core.logfilters.DropTemplateContext"},
        "no_enrolment_tokens": {"()": "chorus.core.logfilters.RedactEnrolmentTokens"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": [], "propagate": False},
        # At DEBUG it would log whole template contexts (chorus.core.logfilters).
        "django.template": {"filters": ["no_template_context"]},
        # They name a refused request's path, which may hold an enrolment token.
        "django.request": {"filters": ["no_enrolment_tokens"]},
        "django.security.csrf": {"filters": ["no_enrolment_tokens"]},
        "chorus": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
