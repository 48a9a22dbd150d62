"""Token authentication with the token → user lookup cached.

knox's ``TokenAuthentication`` costs two queries per request (the token with
its user, then the user's other tokens to prune expired ones). On the
check-in rush every request is a token request, so the verified token is
kept in Django's cache (Redis when ``REDIS_URL`` is set, shared by all
worker processes) for ``AUTH_TOKEN_CACHE_SECONDS``, together with the
user's employee record, unit and instansi, which nearly every API view needs.

Revocation is immediate: deleting a token (logout, "log out everywhere",
the per-user token limit, expiry) replaces its cache entry with a
tombstone, and a request that read the token just before it was deleted
may not cache it afterwards (``cache.add`` never overwrites the tombstone).
Saving a user, or saving or deleting an employee, drops the entries of that
user's tokens (deleting a user deletes its tokens). Changes that bypass
``save()`` (bulk updates, a unit renamed or moved) reach cached sessions
within ``AUTH_TOKEN_CACHE_SECONDS``; so do token deletions made by another
process when there is no Redis (the in-memory cache is per process; the
web server then runs one process, and logging out goes through it).
"""

from __future__ import annotations

import binascii
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions

from backend.organization.models import Employee

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
        # knox's own path: finds the token, deletes expired ones, compares
        # the digest in constant time, refuses inactive users.
        user, auth_token = super().authenticate_credentials(token)
        # The employee, unit and instansi ride along in the cached entry.
        employee = (
            Employee.objects.select_related("unit__instansi")
            .filter(user_id=user.pk)
            .first()
        )
        if employee is not None:
            employee.user = user
        user._state.fields_cache["employee"] = employee
        seconds = ttl
        if auth_token.expiry is not None:
            seconds = min(ttl, int((auth_token.expiry - now).total_seconds()))
        if seconds > 0:
            cache.add(key, auth_token, seconds)
        return user, auth_token


def _token_deleted(sender: Any, instance: AuthToken, **kwargs: Any) -> None:
    # A tombstone rather than a delete: a request that looked the token up
    # just before it was deleted cannot put it back (it uses cache.add).
    cache.set(_key(instance.digest), _REVOKED, settings.AUTH_TOKEN_CACHE_SECONDS)


def forget_user_tokens(user_id: int | None) -> None:
    """Drop the cached entries of ``user_id``'s tokens (they reload)."""
    if user_id is None:
        return
    digests = AuthToken.objects.filter(user_id=user_id).values_list("digest", flat=True)
    cache.delete_many([_key(digest) for digest in digests])


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
