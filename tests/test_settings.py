"""Settings are read from the environment once, at import.

So most tests here start a fresh Python with a controlled environment and look
at what Django ended up with; the URL parsers are also tested directly with
``Env`` over a plain dict.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from backend.lib.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET = "test-secret-key-not-for-production-0123456789"
PROBE = """
import json, django
from django.conf import settings
django.setup()
names = [
    "DEBUG", "SECRET_KEY", "DATABASES", "CHANNEL_LAYERS", "CACHES", "TIME_ZONE",
    "USE_TZ", "USE_I18N", "LANGUAGE_CODE", "WEB_CONCURRENCY", "REDIS_URL",
    "WRITE_GROUP_COMMIT",
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
]
found = {name: getattr(settings, name) for name in names}
found["LANGUAGES"] = [code for code, _label in settings.LANGUAGES]
print(json.dumps(found, default=str))
"""
ERROR_PREFIX = "django.core.exceptions.ImproperlyConfigured: "


def run_python(
    argv: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    # Only what the test gives: nothing leaks in from the pass that runs it
    # (DATABASE_URL, REDIS_URL) or from the developer's shell.
    full_env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *argv],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(env: dict[str, str]) -> dict[str, Any]:
    result = run_python(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def settings_error(env: dict[str, str]) -> str:
    """The ImproperlyConfigured message that stops Django from starting."""
    result = run_python(["-c", PROBE], env)
    assert result.returncode != 0, "settings loaded, but should have failed"
    errors = [
        line.removeprefix(ERROR_PREFIX)
        for line in result.stderr.splitlines()
        if line.startswith(ERROR_PREFIX)
    ]
    assert errors, result.stderr
    return errors[-1]


@pytest.fixture
def var_dir(tmp_path: Path) -> dict[str, str]:
    """Keep the SQLite directory that settings create out of the work tree."""
    return {"PANTAU_VAR_DIR": str(tmp_path / "var")}


# --- Defaults -----------------------------------------------------------------


def test_it_runs_embedded_with_nothing_but_a_secret_key() -> None:
    loaded = load_settings({"SECRET_KEY": SECRET})

    assert loaded["DEBUG"] is False
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "backend.lib.sqlite_writers"
    assert database["NAME"] == str(BASE_DIR / "var" / "pantau.sqlite3")
    init_command = database["OPTIONS"]["init_command"]
    # WAL is set on the file once per process (backend.lib.sqlite), and
    # checked on a real connection by test_sqlite_connections_use_wal_...
    assert "PRAGMA synchronous=FULL;" in init_command
    assert "PRAGMA foreign_keys=ON;" in init_command
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert loaded["CHANNEL_LAYERS"]["default"]["BACKEND"] == (
        "realtime.layers.InMemoryChannelLayer"
    )
    assert loaded["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert loaded["REDIS_URL"] is None
    assert loaded["WEB_CONCURRENCY"] == 1
    assert loaded["WRITE_GROUP_COMMIT"] is True
    assert loaded["TIME_ZONE"] == "Asia/Jakarta"
    assert loaded["USE_TZ"] is True
    assert loaded["USE_I18N"] is True
    assert loaded["LANGUAGE_CODE"] == "id"
    assert loaded["LANGUAGES"] == ["id", "en"]
    # With DEBUG off, HTTPS is assumed: cookies are secure and HTTP redirects.
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True


def test_it_refuses_to_start_without_secret_key_when_debug_is_off(
    var_dir: dict[str, str],
) -> None:
    assert settings_error(var_dir).startswith("SECRET_KEY:")
    assert settings_error({**var_dir, "SECRET_KEY": "  "}).startswith("SECRET_KEY:")


def test_debug_runs_with_a_development_key(var_dir: dict[str, str]) -> None:
    loaded = load_settings({**var_dir, "DEBUG": "1"})

    assert loaded["DEBUG"] is True
    assert loaded["SECRET_KEY"].startswith("django-insecure-")
    assert loaded["SECURE_SSL_REDIRECT"] is False


# --- DATABASE_URL -------------------------------------------------------------


def test_database_url_switches_to_postgres(var_dir: dict[str, str]) -> None:
    url = "postgres://pantau:p%40ss%3Aw%2Fo%20rd@db.internal:6543/pantau_prod"
    loaded = load_settings(
        {**var_dir, "SECRET_KEY": SECRET, "DATABASE_URL": f"{url}?sslmode=require"}
    )

    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["USER"] == "pantau"
    assert database["PASSWORD"] == "p@ss:w/o rd"
    assert database["HOST"] == "db.internal"
    assert database["PORT"] == "6543"
    assert database["NAME"] == "pantau_prod"
    assert database["OPTIONS"] == {"sslmode": "require", "connect_timeout": 5}
    assert database["CONN_HEALTH_CHECKS"] is True
    # PostgreSQL locks rows, not the database: nothing to group.
    assert loaded["WRITE_GROUP_COMMIT"] is False


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://u:secret@localhost/pantau",
            {"USER": "u", "PASSWORD": "secret", "HOST": "localhost", "PORT": ""},
        ),
        (
            "pgsql://u@10.0.0.5:5432/pantau",
            {"USER": "u", "PASSWORD": "", "HOST": "10.0.0.5", "PORT": "5432"},
        ),
        (
            "postgres://u@/pantau?host=/run/postgresql",
            {"USER": "u", "PASSWORD": "", "HOST": "/run/postgresql", "PORT": ""},
        ),
    ],
)
def test_database_url_variants(url: str, expected: dict[str, str]) -> None:
    database = Env({"DATABASE_URL": url}).database("DATABASE_URL", {})

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "pantau"
    assert {key: database[key] for key in expected} == expected
    assert database["OPTIONS"] == {}


def test_empty_database_url_keeps_sqlite() -> None:
    default = {"ENGINE": "django.db.backends.sqlite3"}

    assert Env({"DATABASE_URL": " "}).database("DATABASE_URL", default) is default


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u:p@db.internal:3306/pantau",
        "sqlite:///var/pantau.sqlite3",
        "postgres://u:p@db.internal:5432",
        "postgres://u:p@db.internal:5432/",
        "postgres://u:p@db.internal:5432/pantau/extra",
        "postgres://u:p@db.internal:99999/pantau",
        "postgres://u:p@db.internal:port/pantau",
        "postgres:///pantau",
    ],
)
def test_malformed_database_url_names_the_variable(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL: "):
        Env({"DATABASE_URL": url}).database("DATABASE_URL", {})


def test_malformed_database_url_stops_start_up(var_dir: dict[str, str]) -> None:
    error = settings_error(
        {**var_dir, "SECRET_KEY": SECRET, "DATABASE_URL": "mysql://u@db/pantau"}
    )

    assert error.startswith("DATABASE_URL:")


# --- REDIS_URL and WEB_CONCURRENCY --------------------------------------------


def test_redis_url_switches_channel_layer_and_cache(var_dir: dict[str, str]) -> None:
    url = "redis://:s3cret@cache.internal:6380/2"
    loaded = load_settings({**var_dir, "SECRET_KEY": SECRET, "REDIS_URL": url})

    assert loaded["REDIS_URL"] == url
    assert loaded["CHANNEL_LAYERS"]["default"] == {
        "BACKEND": "realtime.layers.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [url]},
    }
    cache = loaded["CACHES"]["default"]
    # Django's Redis cache, for which Redis down is a miss (fail_soft_cache).
    assert cache["BACKEND"] == "backend.lib.fail_soft_cache.FailSoftRedisCache"
    assert cache["LOCATION"] == url


def test_a_connection_pool_uses_the_fail_fast_backend(var_dir: dict[str, str]) -> None:
    loaded = load_settings(
        {
            **var_dir,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": "postgres://pantau@db.internal/pantau",
            "DB_POOL_MAX": "4",
        }
    )

    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "backend.lib.postgresql"
    assert database["OPTIONS"]["pool"]["max_size"] == 4


@pytest.mark.parametrize(
    "url",
    [
        "http://cache.internal:6379/0",
        "redis://cache.internal:port/0",
        "redis://cache.internal:70000/0",
        "redis://cache.internal:6379/zero",
        "redis:///0",
    ],
)
def test_malformed_redis_url_names_the_variable(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL: "):
        Env({"REDIS_URL": url}).redis("REDIS_URL")


def test_malformed_redis_url_stops_start_up(var_dir: dict[str, str]) -> None:
    error = settings_error(
        {**var_dir, "SECRET_KEY": SECRET, "REDIS_URL": "cache.internal:6379"}
    )

    assert error.startswith("REDIS_URL:")


def test_several_workers_without_redis_fail_loudly(var_dir: dict[str, str]) -> None:
    error = settings_error({**var_dir, "SECRET_KEY": SECRET, "WEB_CONCURRENCY": "4"})

    assert error.startswith("WEB_CONCURRENCY:")
    assert "REDIS_URL" in error


def test_several_workers_run_with_redis(var_dir: dict[str, str]) -> None:
    loaded = load_settings(
        {
            **var_dir,
            "SECRET_KEY": SECRET,
            "WEB_CONCURRENCY": "4",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )

    assert loaded["WEB_CONCURRENCY"] == 4


# --- Typed values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("HTTPS", "yes please"),
        ("WEB_CONCURRENCY", "two"),
        ("WEB_CONCURRENCY", "0"),
        ("SQLITE_BUSY_TIMEOUT_S", "1.5"),
        ("TOKEN_TTL_DAYS", "0"),
        ("LOGIN_MAX_FAILURES", "-1"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(
    var_dir: dict[str, str], name: str, value: str
) -> None:
    error = settings_error({**var_dir, "SECRET_KEY": SECRET, name: value})

    assert error.startswith(f"{name}:")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_booleans_accept_the_usual_spellings(value: str, expected: bool) -> None:
    assert Env({"FLAG": value}).bool("FLAG", not expected) is expected


@pytest.mark.parametrize("value", ["2", "y", "enabled", "truee"])
def test_bad_booleans_name_the_variable(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^FLAG: expected a boolean"):
        Env({"FLAG": value}).bool("FLAG", False)


def test_integers_use_the_default_when_unset_or_empty() -> None:
    assert Env({}).int("WORKERS", 3) == 3
    assert Env({"WORKERS": ""}).int("WORKERS", 3) == 3
    assert Env({"WORKERS": " 8 "}).int("WORKERS", 3, minimum=1, maximum=8) == 8


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("eight", r"^WORKERS: expected an integer"),
        ("8.0", r"^WORKERS: expected an integer"),
        ("0", r"^WORKERS: must be at least 1"),
        ("65", r"^WORKERS: must be at most 64"),
    ],
)
def test_bad_integers_name_the_variable(value: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        Env({"WORKERS": value}).int("WORKERS", 1, minimum=1, maximum=64)


def test_lists_split_on_commas_and_drop_blanks() -> None:
    env = Env({"ALLOWED_HOSTS": " a.go.id, ,b.go.id ,"})

    assert env.list("ALLOWED_HOSTS", ["x"]) == ["a.go.id", "b.go.id"]
    assert Env({}).list("ALLOWED_HOSTS", ["x"]) == ["x"]


# --- Production -----------------------------------------------------------------


def test_deploy_check_passes_with_a_production_environment(
    var_dir: dict[str, str],
) -> None:
    production = {
        **var_dir,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "pantau.example.go.id",
        "HTTPS": "1",
    }
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_and_full_sync(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    default = connections["default"]
    if default.vendor != "sqlite":
        pytest.skip("the database under test is not SQLite")
    # The test database is in memory, where WAL does not apply, so open a
    # file database with the same settings, as the running server would.
    settings_dict = {**default.settings_dict, "NAME": str(tmp_path / "db.sqlite3")}
    wrapper = type(default)(settings_dict, alias="pragma_check")
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                pragmas = {}
                for pragma in ("journal_mode", "synchronous", "foreign_keys"):
                    cursor.execute(f"PRAGMA {pragma}")
                    pragmas[pragma] = cursor.fetchone()[0]
        finally:
            wrapper.close()

    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
