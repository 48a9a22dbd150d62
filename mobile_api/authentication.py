"""Token authentication with the token → user lookup cached.

knox's ``TokenAuthentication`` costs two queries per request (the token with
its user, then the user's other tokens to prune expired ones), and nearly
every API view then loads the user's employee record with its unit and
instansi. Here one fixed statement (``backend.lib.row_select``) reads the
token, its user, the employee, unit and instansi, and whether the user has
other expired tokens to prune (then, rarely, knox's own pruning runs). At
the morning rush each employee's first request pays that statement: the
queryset versions cost a fifth of a worker's CPU. The verified token is
kept in Django's cache (Redis when ``REDIS_URL`` is set, shared by all
worker processes) for ``AUTH_TOKEN_CACHE_SECONDS``, together with the
user's employee record, unit and instansi, which nearly every API view needs.

Revocation is immediate: deleting a token (logout, "log out everywhere",
the per-user token limit, expiry) replaces its cache entry with a
tombstone, and a request that read the token just before it was deleted
may not cache it afterwards (``cache.add`` never overwrites the tombstone).
Saving a user, or saving or deleting an employee, drops the entries of that
user's tokens (deleting a user deletes its tokens). The services that
re-chain subordinates or re-path units with a bulk UPDATE
(``backend.organization.services``: a new supervisor, a unit moved) drop
the entries of everyone whose chain or unit path changed, as they write
and again as they commit: the chain and unit path copied onto feed events
and used for authorization are never older than the hierarchy. Other
changes that bypass ``save()`` (other bulk updates, a unit renamed, the
bulk importer) reach cached sessions within ``AUTH_TOKEN_CACHE_SECONDS``;
so do token deletions made by another
process when there is no Redis (the in-memory cache is per process; the
web server then runs one process, and logging out goes through it).
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable
from functools import cache as once
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from backend.lib.row_select import Columns
from backend.organization.models import Employee, Instansi, Unit

_REVOKED = "revoked"


def _key(digest: str) -> str:
    return f"auth:token:{digest}"


class CachedTokenAuthentication(TokenAuthentication):
    """knox tokens, verified once per ``AUTH_TOKEN_CACHE_SECONDS``."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        ttl = settings.AUTH_TOKEN_CACHE_SECONDS
        if ttl <= 0 or knox_settings.AUTO_REFRESH:
            return super().authenticate_credentials(token)  # type: ignore[no-any-return]
        try:
            digest = hash_token(token.decode("utf-8"))
        except (TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        key = _key(digest)
        cached = cache.get(key)
        if cached == _REVOKED:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if isinstance(cached, AuthToken) and (
            cached.expiry is None or cached.expiry > now
        ):
            return self.validate_user(cached)  # type: ignore[no-any-return]
        user, auth_token = self._verify(token.decode("utf-8"), digest, now)
        seconds = ttl
        if auth_token.expiry is not None:
            seconds = min(ttl, int((auth_token.expiry - now).total_seconds()))
        if seconds > 0:
            cache.add(key, auth_token, seconds)
        return user, auth_token

    def _verify(self, token: str, digest: str, now: Any) -> tuple[Any, AuthToken]:
        """knox's check, on the rows of one statement: skips and deletes
        expired tokens (knox's ``_cleanup_token``, run only when the
        statement found one to delete), compares the digest in constant
        time, refuses inactive users."""
        for auth_token, others_expired in _tokens(
            token[: CONSTANTS.TOKEN_KEY_LENGTH], now
        ):
            expired = auth_token.expiry is not None and auth_token.expiry < now
            if (others_expired or expired) and self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                return self.validate_user(auth_token)  # type: ignore[no-any-return]
        raise exceptions.AuthenticationFailed(_("Invalid token."))


@once
def _parts() -> tuple[Columns, ...]:
    """Token, user, employee, unit, instansi: the order of the select list."""
    return (
        Columns(AuthToken, "t"),
        Columns(get_user_model(), "u"),
        Columns(Employee, "e"),
        Columns(Unit, "un"),
        Columns(Instansi, "i"),
    )


@once
def _statement() -> str:
    token, user, employee, unit, instansi = _parts()
    other = Columns(AuthToken, "o")
    quote = connection.ops.quote_name
    selects = ", ".join(part.select_list() for part in _parts())
    # Names quoted from the models' meta; every value is a parameter.
    return (
        f"SELECT {selects}, EXISTS (SELECT 1 FROM {quote(other.table)} o"  # noqa: S608
        f" WHERE {other.column('user')} = {token.column('user')}"
        f" AND {other.column('digest')} <> {token.column('digest')}"
        f" AND {other.column('expiry')} < %s)"
        f" FROM {quote(token.table)} t"
        f" JOIN {quote(user.table)} u ON {user.column('pk')} = {token.column('user')}"
        f" LEFT JOIN {quote(employee.table)} e"
        f" ON {employee.column('user')} = {user.column('pk')}"
        f" LEFT JOIN {quote(unit.table)} un"
        f" ON {unit.column('pk')} = {employee.column('unit')}"
        f" LEFT JOIN {quote(instansi.table)} i"
        f" ON {instansi.column('pk')} = {unit.column('instansi')}"
        f" WHERE {token.column('token_key')} = %s"
    )


def _tokens(token_key: str, now: Any) -> list[tuple[AuthToken, bool]]:
    """The tokens with this key, each with its user (and the user's
    employee, unit and instansi attached), and whether the user has other
    tokens that expired."""
    expiry = AuthToken._meta.get_field("expiry")
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(),
            [expiry.get_db_prep_value(now, connection), token_key],  # type: ignore[union-attr]
        )
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instances: list[Any] = []
        start = 0
        for part in _parts():
            instances.append(part.instance(row, start))
            start += part.width
        token, user, employee, unit, instansi = instances
        if employee is not None:
            unit.instansi = instansi
            employee.unit = unit
            employee.user = user
        user._state.fields_cache["employee"] = employee
        token.user = user
        found.append((token, bool(row[start])))
    return found


def _token_deleted(sender: Any, instance: AuthToken, **kwargs: Any) -> None:
    # A tombstone rather than a delete: a request that looked the token up
    # just before it was deleted cannot put it back (it uses cache.add).
    cache.set(_key(instance.digest), _REVOKED, settings.AUTH_TOKEN_CACHE_SECONDS)


def forget_user_tokens(user_id: int | None) -> None:
    """Drop the cached entries of ``user_id``'s tokens (they reload)."""
    forget_users_tokens([user_id])


def forget_users_tokens(user_ids: Iterable[int | None]) -> None:
    """Drop the cached entries of the tokens of every user in ``user_ids``
    (one query for the digests, one cache round trip)."""
    wanted = {pk for pk in user_ids if pk is not None}
    if not wanted:
        return
    digests = AuthToken.objects.filter(user_id__in=wanted).values_list(
        "digest", flat=True
    )
    keys = [_key(digest) for digest in digests]
    if keys:
        cache.delete_many(keys)


def _user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user_tokens(instance.pk)


def _employee_saved(sender: Any, instance: Employee, **kwargs: Any) -> None:
    forget_user_tokens(instance.user_id)


def connect_signals() -> None:
    post_delete.connect(
        _token_deleted, sender=AuthToken, dispatch_uid="auth-token-cache-revoke"
    )
    post_save.connect(
        _user_saved, sender=get_user_model(), dispatch_uid="auth-token-cache-user"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            _employee_saved,
            sender=Employee,
            dispatch_uid=f"auth-token-cache-employee-{id(signal)}",
        )
