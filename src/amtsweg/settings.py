"""Amtsweg settings: the one settings file.

Everything that differs between installations comes from environment variables, read through the
typed helpers in ``amtsweg.lib.env`` (each also accepts ``NAME_FILE``). README.md lists every
variable. Per-municipality configuration lives in the database, never here.
"""

import sys
from pathlib import Path

from amtsweg.lib.crypto import load_or_create_data_key
from amtsweg.lib.databases import database_settings, is_sqlite
from amtsweg.lib.env import env_bool, env_int, env_list, env_str
from amtsweg.lib.secret_key import load_or_create_secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("AMTSWEG_VAR_DIR", "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or load_or_create_secret_key(VAR_DIR)
# The key that wraps the keys of encrypted personal data (ADR 0008): base64 of 32 bytes. Old
# keys stay listed until `amtsweg rotate_data_key` has re-wrapped everything.
AMTSWEG_DATA_KEY = env_str("AMTSWEG_DATA_KEY") or load_or_create_data_key(VAR_DIR)
AMTSWEG_DATA_KEYS_OLD = env_list("AMTSWEG_DATA_KEYS_OLD")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
BASE_URL = env_str("AMTSWEG_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "amtsweg.core",
    "amtsweg.tenants",
    "amtsweg.catalog",
    "amtsweg.forms",
    "amtsweg.submissions",
    "amtsweg.cases",
    "amtsweg.documents",
    "amtsweg.audit",
    "amtsweg.scheduling",
    "amtsweg.progress",
    "amtsweg.identity",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "amtsweg.identity.staff",
    "amtsweg.identity.bundid",
    "amtsweg.identity.testidp",
    "amtsweg.demo",
    "amtsweg.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "amtsweg.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "amtsweg.identity.staff.middleware.StaffAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "amtsweg.urls"
WSGI_APPLICATION = "amtsweg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # After Django's own: its ``date`` filter with a shortcut, its ``url`` tag with each
            # URL worked out once per process (issue 9).
            "builtins": ["amtsweg.core.templatetags.dates", "amtsweg.core.templatetags.urls"],
            # ``{% load i18n %}`` loads Django's library with each fixed text translated once
            # per language (issue 9). Its label is Django's on purpose: SILENCED_SYSTEM_CHECKS.
            "libraries": {"i18n": "amtsweg.core.templatetags.kept_translations"},
            # Not Django's ``i18n`` processor: it reads the active language three times for
            # every page (each read is dear, ``amtsweg.lib.per_render``), and the templates
            # that show it ask for it themselves (``{% get_current_language %}``), as Django's
            # admin does.
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

#: templates.W003 warns of any template tag label given twice, as ``i18n`` is above, on every
#: command an operator runs; tests/test_system_checks.py fails on any other such label.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# Database: SQLite by default (one command to start); any PostgreSQL URL for production.
DATABASES = {
    "default": database_settings(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'amtsweg.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        prepared_statements=env_bool("DATABASE_PREPARED_STATEMENTS", True),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The nice value (0-19) at which the task worker renders receipts: a peak's pages and submits
# get the CPU first, and the receipts catch up after it (docs/adr/0010). 0 renders at the
# worker's own priority.
RECEIPT_RENDER_NICENESS = env_int("AMTSWEG_RECEIPT_RENDER_NICENESS", 10)
if not 0 <= RECEIPT_RENDER_NICENESS <= 19:
    raise ValueError("AMTSWEG_RECEIPT_RENDER_NICENESS must lie between 0 and 19.")
# With a nice value above 0, the rendering also runs under Linux's idle scheduling policy: only
# on CPU that nothing else wants, giving way at once to a web worker (docs/adr/0010, addendum).
# Not on SQLite: a rendering thread kept off the CPU also keeps Python's interpreter lock from
# the worker's scheduler thread, which may hold SQLite's write lock, and every submit needs it.
_ON_SQLITE = is_sqlite(DATABASES["default"])
RECEIPT_RENDER_IDLE = env_bool("AMTSWEG_RECEIPT_RENDER_IDLE", not _ON_SQLITE)
if RECEIPT_RENDER_IDLE and _ON_SQLITE:
    raise ValueError(
        "AMTSWEG_RECEIPT_RENDER_IDLE is for PostgreSQL: on SQLite a rendering thread kept off "
        "the CPU can hold up the database's write lock (docs/adr/0010)."
    )
# Under the idle policy the worker also waits, before each receipt, until half a core's worth
# of CPU time was free (idle, or its own), but at most this many seconds: well inside the 30 s
# a stopping worker is given (0: it does not wait; ADR 0010, second addendum).
RECEIPT_FREE_CPU_WAIT = env_int("AMTSWEG_RECEIPT_FREE_CPU_WAIT", 10)
if RECEIPT_FREE_CPU_WAIT < 0:
    raise ValueError("AMTSWEG_RECEIPT_FREE_CPU_WAIT must be 0 or more seconds.")
TASKS = {
    "default": {
        "BACKEND": env_str("AMTSWEG_TASK_BACKEND", "amtsweg.lib.tasks.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "identity:login"

# Staff sign-in (amtsweg.identity.staff): password, then a TOTP second factor for every staff
# account; lock-out counted in the database; idle expiry on top of SESSION_COOKIE_AGE, which
# ends a staff session absolutely. README "Staff sign-in" explains each variable.
AMTSWEG_STAFF_MAX_FAILURES = env_int("AMTSWEG_STAFF_MAX_FAILURES", 5)
AMTSWEG_STAFF_MAX_FAILURES_PER_IP = env_int("AMTSWEG_STAFF_MAX_FAILURES_PER_IP", 30)
AMTSWEG_STAFF_LOCKOUT_MINUTES = env_int("AMTSWEG_STAFF_LOCKOUT_MINUTES", 15)
AMTSWEG_STAFF_SESSION_IDLE_MINUTES = env_int("AMTSWEG_STAFF_SESSION_IDLE_MINUTES", 30)
AMTSWEG_BEHIND_PROXY = env_bool("AMTSWEG_BEHIND_PROXY", False)
OTP_TOTP_ISSUER = env_str("AMTSWEG_OTP_ISSUER", "Amtsweg")
# django-otp's own per-device delays would refuse a right code seconds after a wrong one; the
# lock-out above limits guessing instead, and says so.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The admin may delete a user's devices (they enrol again at their next sign-in), never see keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
PASSWORD_RESET_TIMEOUT = 60 * 60
# Optional OIDC single sign-on for staff (amtsweg.identity.staff.oidc): off without an issuer.
AMTSWEG_OIDC_ISSUER = env_str("AMTSWEG_OIDC_ISSUER")
AMTSWEG_OIDC_CLIENT_ID = env_str("AMTSWEG_OIDC_CLIENT_ID")
AMTSWEG_OIDC_CLIENT_SECRET = env_str("AMTSWEG_OIDC_CLIENT_SECRET")
AMTSWEG_OIDC_SCOPES = env_str("AMTSWEG_OIDC_SCOPES", "openid email profile")
AMTSWEG_OIDC_SIGN_ALGO = env_str("AMTSWEG_OIDC_SIGN_ALGO", "RS256")
AMTSWEG_OIDC_CLAIM = env_str("AMTSWEG_OIDC_CLAIM", "email")
AMTSWEG_OIDC_MATCH = env_str("AMTSWEG_OIDC_MATCH", "email")  # or "username"
AMTSWEG_OIDC_TRUST_IDP_MFA = env_bool("AMTSWEG_OIDC_TRUST_IDP_MFA", True)
AMTSWEG_OIDC_MFA_ACR_VALUES = env_list("AMTSWEG_OIDC_MFA_ACR_VALUES")
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if AMTSWEG_OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("amtsweg.identity.staff.oidc.StaffOIDCBackend")

# Django's database sessions, read and written with precompiled statements (issue 9).
SESSION_ENGINE = "amtsweg.core.sessions"
# Messages ("logged out", "signed out after inactivity") kept in the session, not first in a
# signed cookie: the default storage makes a cookie signer for every request, messages or not
# (issue 9), and every request reads the session anyway (the staff session check).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
HTTPS = env_bool("AMTSWEG_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
if env_bool("AMTSWEG_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads (amtsweg.submissions.attachments). AMTSWEG_MAX_UPLOAD_MB caps every file field's own
# limit. Files above FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file while the
# request arrives, so a large upload never sits in memory; the form fields around them (without
# the files) may take DATA_UPLOAD_MAX_MEMORY_SIZE. Limit the whole request body in the reverse
# proxy too (e.g. nginx client_max_body_size), which refuses an oversized upload before it is
# read at all.
AMTSWEG_MAX_UPLOAD_MB = env_int("AMTSWEG_MAX_UPLOAD_MB", 20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 50
# Dotted path to ``scan(file) -> None | reason`` run on every upload before it is stored.
AMTSWEG_VIRUS_SCANNER = env_str("AMTSWEG_VIRUS_SCANNER") or None
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Amtsweg <noreply@amtsweg.localhost>")
_EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
EMAIL_BACKEND = _EMAIL_BACKENDS[env_str("AMTSWEG_EMAIL", "file")]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP server may keep a worker waiting; then the mail counts as failed and is
# retried later (cases.mail_delivery), instead of blocking the job (and its receipt) forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Where feedback on the platform's accessibility statement goes (a municipality's own statement
# sends it to the municipality's e-mail address); empty: the first admin's address.
AMTSWEG_ACCESSIBILITY_EMAIL = env_str("AMTSWEG_ACCESSIBILITY_EMAIL")
# How long before a citizen's session ends the step pages warn and offer to extend it (seconds).
AMTSWEG_SESSION_WARNING_SECONDS = env_int("AMTSWEG_SESSION_WARNING_SECONDS", 120)

# How long an anonymous applicant's draft lives (days).
AMTSWEG_DRAFT_DAYS = env_int("AMTSWEG_DRAFT_DAYS", 30)

# Citizen log-in with BundID over SAML 2.0 (amtsweg.identity.bundid); README "Register with
# BundID". Without key and certificate files a pair is generated into $AMTSWEG_VAR_DIR/saml/.
# The bundled test identity provider stands in for BundID while no IdP metadata file is set;
# it is on in development (DEBUG) and tests, off in production unless switched on.
AMTSWEG_SAML_ENTITY_ID = env_str("AMTSWEG_SAML_ENTITY_ID", f"{BASE_URL}/saml/metadata/")
AMTSWEG_SAML_SP_KEY_FILE = env_str("AMTSWEG_SAML_SP_KEY_FILE") or None
AMTSWEG_SAML_SP_CERT_FILE = env_str("AMTSWEG_SAML_SP_CERT_FILE") or None
AMTSWEG_SAML_IDP_METADATA = env_str("AMTSWEG_SAML_IDP_METADATA") or None
AMTSWEG_BUNDID_DISPLAY_NAME = env_str("AMTSWEG_BUNDID_DISPLAY_NAME", "Amtsweg")
AMTSWEG_BUNDID_ONLINE_SERVICE_ID = env_str("AMTSWEG_BUNDID_ONLINE_SERVICE_ID")
AMTSWEG_TEST_IDP = env_bool("AMTSWEG_TEST_IDP", DEBUG or "pytest" in sys.modules)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own console handler would print every line a second time next to the root's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # pysaml2 logs every message it handles at INFO, xmlschema every schema it loads.
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "ERROR"},
    },
}
