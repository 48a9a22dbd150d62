"""Pantau settings: one module, driven by the environment.

With no environment at all Pantau runs embedded: SQLite (WAL), the in-memory
channel layer and local media. ``DATABASE_URL`` and ``REDIS_URL`` switch the
same code to PostgreSQL and Redis. See docs/configuration.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backend.lib.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

DEBUG = env.bool("DEBUG", False)
_DEV_SECRET_KEY = "django-insecure-pantau-local-development-only"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY: required when DEBUG is off (set DEBUG=1 for local "
            "development, or give a long random SECRET_KEY)."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (nginx terminates it) every cookie is secure and HTTP redirects.
HTTPS = env.bool("HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "backend.organization",
    "backend.accounts",
    "backend.attendance",
    "backend.audit",
    "backend.flexwork",
    "backend.activity",
    "backend.performance",
    "backend.ops",
    "backend.demo",
    "mobile_api",
    "realtime",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "web.csp.PantauCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backend.lib.locale_middleware.PathlessLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR = Path(env.str("PANTAU_VAR_DIR", str(BASE_DIR / "var")))
SQLITE_PATH = Path(env.str("SQLITE_PATH", str(VAR_DIR / "pantau.sqlite3")))
_SQLITE = {
    # Django's backend, with write transactions queued on a lock instead of
    # sleeping in SQLite's busy handler (backend/lib/sqlite_writers).
    "ENGINE": "backend.lib.sqlite_writers",
    "NAME": SQLITE_PATH,
    "OPTIONS": {
        # synchronous=FULL fsyncs the WAL on every commit, so a check-in
        # answered 201 survives a crash or power loss. WAL itself (readers
        # proceed during a write) is a property of the file, set once per
        # process by backend.lib.sqlite rather than on every connection.
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
        # on the busy timeout instead of failing with "database is locked"
        # when a read transaction tries to upgrade.
        "init_command": "PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT_S", 20, minimum=1),
    },
    # A request thread keeps its connection for the next request
    # (backend.lib.sync_handler reuses threads): opening one costs a schema
    # parse and empties the prepared-statement cache.
    "CONN_MAX_AGE": env.int("SQLITE_CONN_MAX_AGE", 300, minimum=0),
    "CONN_HEALTH_CHECKS": True,
}
_default_db = env.database("DATABASE_URL", _SQLITE)
if _default_db["ENGINE"].endswith("postgresql"):
    _pool_max = env.int("DB_POOL_MAX", 0, minimum=0)
    if _pool_max:
        _default_db["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": _pool_max,
            "timeout": env.int("DB_POOL_TIMEOUT_S", 10, minimum=1),
        }
        # The same backend, with a pool that answers at once (503) while
        # PostgreSQL is down and uses it again as soon as it is back.
        _default_db["ENGINE"] = "backend.lib.postgresql"
    else:
        _default_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", 0, minimum=0)
        _default_db["CONN_HEALTH_CHECKS"] = True
    _default_db["OPTIONS"].setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT_S", 5, minimum=1)
    )
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _default_db}
DATABASE_ENGINE = "postgresql" if "postgresql" in _default_db["ENGINE"] else "sqlite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Check-ins of concurrent requests written in one transaction, one commit
# (backend/lib/group_commit.py): SQLite has one writer at a time.
WRITE_GROUP_COMMIT = env.bool("WRITE_GROUP_COMMIT", DATABASE_ENGINE == "sqlite")

# --- Redis: channel layer and shared cache --------------------------------
REDIS_URL = env.redis("REDIS_URL")
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", 1, minimum=1, maximum=64)
# HTTP requests one worker process works on at once; more are answered 503
# with Retry-After at once (backend/lib/admission.py). 0: no limit.
WEB_MAX_IN_FLIGHT = env.int("WEB_MAX_IN_FLIGHT", 32, minimum=0)
# Gen-0 garbage-collection threshold of a web worker, whose start-up heap is
# frozen (backend/lib/gc_tuning.py). 0: Python's default (700).
WEB_GC_THRESHOLD = env.int("WEB_GC_THRESHOLD", 5000, minimum=0)
# Photo decodes run on threads of their own, at most this many at once
# (0: one per core), with this much added to their nice value, so that
# request threads holding the GIL come first (backend/lib/pixel_threads.py).
PIXEL_THREADS = env.int("PIXEL_THREADS", 0, minimum=0, maximum=256)
PIXEL_THREAD_NICE = env.int("PIXEL_THREAD_NICE", 10, minimum=0, maximum=19)
if WEB_CONCURRENCY > 1 and not REDIS_URL:
    raise ImproperlyConfigured(
        "WEB_CONCURRENCY: more than one worker process needs REDIS_URL; the "
        "in-memory channel layer does not cross processes, so supervisors on "
        "one worker would miss events published by another."
    )
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layers.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            # Redis down is a cache miss, not a failed request.
            "BACKEND": "backend.lib.fail_soft_cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pantau",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["backend.accounts.backends.NipOrUsernameBackend"]
LOGIN_URL = "web:login"

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Media is never served under a public URL: photos go through views that
# check who is asking (see backend/attendance/views.py).
MEDIA_URL = "/media-not-public/"
# Behind nginx (deploy/nginx/pantau.conf), those views answer with an
# X-Accel-Redirect to this internal location, which nginx maps to MEDIA_ROOT,
# instead of streaming the file through the worker. Empty: the app streams.
PROTECTED_MEDIA_ACCEL_PREFIX = env.str("PROTECTED_MEDIA_ACCEL_PREFIX", "")
if PROTECTED_MEDIA_ACCEL_PREFIX and not (
    PROTECTED_MEDIA_ACCEL_PREFIX.startswith("/")
    and PROTECTED_MEDIA_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        "PROTECTED_MEDIA_ACCEL_PREFIX: must start and end with '/', as in "
        f"/_protected/, got {PROTECTED_MEDIA_ACCEL_PREFIX!r}."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_PERMISSIONS = 0o640

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mobile_api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Documents the error answers every operation can give (mobile_api.errors).
    "DEFAULT_SCHEMA_CLASS": "mobile_api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "mobile_api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_RATE", "20/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=env.int("TOKEN_TTL_DAYS", 30, minimum=1)),
    "AUTO_REFRESH": False,
}
# A verified token (with its user and employee) is reused from the cache for
# this long; logout and token deletion take effect at once regardless
# (mobile_api/authentication.py). 0 checks the database on every request.
AUTH_TOKEN_CACHE_SECONDS = env.int("AUTH_TOKEN_CACHE_SECONDS", 60, minimum=0)
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", 5, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Pantau mobile API",
    "DESCRIPTION": (
        "Attendance (presensi) with location and photo evidence and daily "
        "work-output reports for ASN. Authenticate with `Authorization: "
        "Token <token>` from POST /api/v1/auth/token/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Both BerAKHLAK and hasil-kerja ratings use one scale: name it once.
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "backend.performance.predikat.Rating",
        "CheckInKindEnum": "backend.attendance.models.CheckIn.Kind",
        "CheckInStatusEnum": "backend.attendance.models.CheckIn.Status",
    },
    # Swagger UI from the project's own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Failed logins per account before it is locked for LOGIN_LOCKOUT_MINUTES.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Check-ins: evidence limits and verification thresholds ---------------
# Every threshold is a setting (and an environment variable) because the
# regional rules differ and several are not yet backed by regulation.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
# Above the 50 MP of current phone cameras; a decompression bomb is refused.
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", 60_000_000, minimum=10_000)
CHECKIN_OFFLINE_WINDOW_HOURS = env.int("CHECKIN_OFFLINE_WINDOW_HOURS", 72, minimum=1)
CHECKIN_CLOCK_SKEW_SECONDS = env.int("CHECKIN_CLOCK_SKEW_SECONDS", 120, minimum=0)
FLAG_SYNC_GAP_MINUTES = env.int("FLAG_SYNC_GAP_MINUTES", 120, minimum=1)
FLAG_POOR_ACCURACY_M = env.float("FLAG_POOR_ACCURACY_M", 100.0)
FLAG_TRAVEL_SPEED_KMH = env.float("FLAG_TRAVEL_SPEED_KMH", 300.0)
FLAG_EXIF_DISTANCE_M = env.float("FLAG_EXIF_DISTANCE_M", 1000.0)
FLAG_EXIF_TIME_MINUTES = env.int("FLAG_EXIF_TIME_MINUTES", 15, minimum=1)
# Hamming distance between 64-bit perceptual hashes that counts as the same
# picture (a re-sized or re-compressed copy).
FLAG_PHASH_DISTANCE = env.int("FLAG_PHASH_DISTANCE", 6, minimum=0, maximum=16)
FLAG_NEAR_DUPLICATE_DAYS = env.int("FLAG_NEAR_DUPLICATE_DAYS", 90, minimum=1)
FLAG_DEVICE_SHARED_DAYS = env.int("FLAG_DEVICE_SHARED_DAYS", 30, minimum=1)
# Check-ins are expected from this long before the start of the working day
# until this long after its end.
SCHEDULE_WINDOW_BEFORE_MINUTES = env.int(
    "SCHEDULE_WINDOW_BEFORE_MINUTES", 180, minimum=0
)
SCHEDULE_WINDOW_AFTER_MINUTES = env.int("SCHEDULE_WINDOW_AFTER_MINUTES", 360, minimum=0)
# Seconds a day's schedules are reused in one process before re-reading.
SCHEDULE_CACHE_SECONDS = env.int("SCHEDULE_CACHE_SECONDS", 60, minimum=0)
# Seconds an employee's workplaces and geofences are reused in one process
# (a change made through this process applies at once).
WORKPLACE_CACHE_SECONDS = env.int("WORKPLACE_CACHE_SECONDS", 60, minimum=0)

# --- Performance (kinerja): daily-report evidence and signals -------------
# Evidence files per report, and their total size (photos and PDFs).
REPORT_EVIDENCE_MAX_FILES = env.int(
    "REPORT_EVIDENCE_MAX_FILES", 5, minimum=1, maximum=10
)
REPORT_EVIDENCE_MAX_TOTAL_BYTES = env.int(
    "REPORT_EVIDENCE_MAX_TOTAL_BYTES", 40 * 1024 * 1024, minimum=1024
)
REPORT_EVIDENCE_MAX_LINKS = env.int("REPORT_EVIDENCE_MAX_LINKS", 5, minimum=0)
REPORT_DOCUMENT_MAX_BYTES = env.int(
    "REPORT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
# An evidence photo further than this from the place a report claims does not
# support the claim.
REPORT_EVIDENCE_PLACE_RADIUS_M = env.float("REPORT_EVIDENCE_PLACE_RADIUS_M", 500.0)
# Evidence photos taken more than this outside the report's hours are flagged.
REPORT_EVIDENCE_TIME_TOLERANCE_MINUTES = env.int(
    "REPORT_EVIDENCE_TIME_TOLERANCE_MINUTES", 60, minimum=0
)
# Reports may be sent for days up to this far back.
REPORT_MAX_AGE_DAYS = env.int("REPORT_MAX_AGE_DAYS", 31, minimum=1)
# Warn supervisors when an employee is this many TK days short of the next
# PP 94/2021 threshold.
DISCIPLINE_WARN_DAYS = env.int("DISCIPLINE_WARN_DAYS", 1, minimum=0)

# --- Audit, privacy and retention (docs/audit.md) ---------------------------
# Original check-in photos older than this are deleted by
# `manage.py purge_photo_originals` (hashes, EXIF facts and the thumbnail stay).
PHOTO_ORIGINAL_RETENTION_DAYS = env.int("PHOTO_ORIGINAL_RETENTION_DAYS", 365, minimum=1)
# The audit log is this many independent hash chains; an actor always appends
# to the same one. More chains, fewer check-ins waiting on one chain's lock
# (PostgreSQL); any number verifies. Changing it later is safe.
AUDIT_CHAINS = env.int("AUDIT_CHAINS", 16, minimum=1, maximum=1024)
# Behind nginx: take the client IP for the audit log from the last
# X-Forwarded-For address (the one the proxy appended).
AUDIT_TRUST_FORWARDED_FOR = env.bool("AUDIT_TRUST_FORWARDED_FOR", False)
# Bump to ask every user to accept a changed privacy notice again.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", "2026-1")

# --- Web app: maps (docs/web.md) --------------------------------------------
# Tile server of the supervisor and audit maps, a Leaflet URL template such as
# https://tile.openstreetmap.org/{z}/{x}/{y}.png (its host is added to the
# CSP img-src). Empty: no tiles; positions and geofences on a blank map.
MAP_TILE_URL = env.str("MAP_TILE_URL", "")
if MAP_TILE_URL and (
    not MAP_TILE_URL.startswith(("https://", "http://"))
    or not all(part in MAP_TILE_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured(
        "MAP_TILE_URL: expected an http(s) URL template with {z}, {x} and {y}, "
        f"got {MAP_TILE_URL!r} (leave it empty for maps without tiles)."
    )
# Credit line the tile server's licence asks for, e.g. "© OpenStreetMap".
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", "")

# --- Web app: Content-Security-Policy (django-csp; web/csp.py adds the ws/wss
# origin of the request's host and the map tile server) ----------------------
CONTENT_SECURITY_POLICY = {
    # Swagger UI renders with an inline script; it is the API's own page.
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
