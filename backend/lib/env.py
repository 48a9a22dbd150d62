"""Strict parsers for environment variables.

Every parser names the variable in its error, so a deployment with a typo
fails at start-up with a message that says what to fix instead of running
with a silently wrong value.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(
        self, environ: Mapping[builtins.str, builtins.str] | None = None
    ) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: builtins.str) -> builtins.str | None:
        value = self.environ.get(name)
        return None if value is None else value.strip()

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}: expected a boolean (1/0, true/false, yes/no, on/off), "
            f"got {value!r}."
        )

    def int(
        self,
        name: builtins.str,
        default: builtins.int,
        *,
        minimum: builtins.int | None = None,
        maximum: builtins.int | None = None,
    ) -> builtins.int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: expected an integer, got {value!r}."
            ) from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}: must be at least {minimum}.")
        if maximum is not None and number > maximum:
            raise ImproperlyConfigured(f"{name}: must be at most {maximum}.")
        return number

    def float(
        self,
        name: builtins.str,
        default: builtins.float,
        *,
        minimum: builtins.float = 0.0,
    ) -> builtins.float:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = float(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: expected a number, got {value!r}."
            ) from None
        if number != number or number < minimum:  # NaN or below the floor
            raise ImproperlyConfigured(f"{name}: must be a number >= {minimum}.")
        return number

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str]
    ) -> builtins.list[builtins.str]:
        value = self.raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(
        self,
        name: builtins.str,
        default: builtins.str,
        choices: tuple[builtins.str, ...],
    ) -> builtins.str:
        value = self.str(name, default).lower()
        if value not in choices:
            raise ImproperlyConfigured(
                f"{name}: expected one of {', '.join(choices)}, got {value!r}."
            )
        return value

    def database(
        self, name: builtins.str, default: builtins.dict[builtins.str, Any]
    ) -> builtins.dict[builtins.str, Any]:
        """Parse ``postgres://user:pass@host:port/db?sslmode=...``.

        An absent variable selects ``default`` (the embedded SQLite database).
        """
        value = self.raw(name)
        if not value:
            return default
        return parse_database_url(name, value)

    def redis(self, name: builtins.str) -> builtins.str | None:
        value = self.raw(name)
        if not value:
            return None
        parse_redis_url(name, value)
        return value


def parse_database_url(name: str, value: str) -> dict[str, Any]:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not a valid URL ({exc}).") from None
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {parts.scheme!r}; use postgres://"
            "user:password@host:port/dbname (leave it unset for SQLite)."
        )
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name or "/" in db_name:
        raise ImproperlyConfigured(
            f"{name}: the URL must name exactly one database, "
            "as in postgres://user:password@host:5432/pantau."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = unquote(parts.hostname or "") if parts.hostname else ""
    # A socket directory can be given as ?host=/run/postgresql.
    host = query.pop("host", host)
    if not host:
        raise ImproperlyConfigured(f"{name}: the URL must name a host.")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db_name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "OPTIONS": query,
    }


def parse_redis_url(name: str, value: str) -> None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not a valid URL ({exc}).") from None
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {parts.scheme!r}; use redis://host:6379/0."
        )
    if parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured(f"{name}: the URL must name a host.")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ImproperlyConfigured(
            f"{name}: the database number must be an integer, got {db!r}."
        )
