"""Test settings: the real settings, only made faster.

The environment decides the deployment path exactly as in production
(``DATABASE_URL``/``REDIS_URL`` for the PostgreSQL + Redis pass); this module
only supplies a secret key when none is given and a fast password hasher.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("HTTPS", "0")

from backend.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test builds its own schedules; a cached day would outlive its test.
SCHEDULE_CACHE_SECONDS = 0
WORKPLACE_CACHE_SECONDS = 0

# WhiteNoise warns about a missing STATIC_ROOT; tests do not collect static.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# A file, not Django's shared-cache in-memory database: threads in the
# concurrency tests then meet SQLite's real locking (WAL, busy timeout, BEGIN
# IMMEDIATE) as the server does, instead of "database table is locked".
if DATABASE_ENGINE == "sqlite":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / f"test-pantau-{os.getpid()}.sqlite3")  # noqa: F405
    }
