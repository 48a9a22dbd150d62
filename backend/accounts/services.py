"""Token login for the phone app, with a per-account lockout.

The rate throttle on the login endpoint limits one address; the lockout here
limits guessing one account's password from many addresses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from backend.accounts.models import PrivacyConsent
from backend.audit.services import audit_record


class LoginRefused(Exception):
    """Raised with a user-facing message and a stable code."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginResult:
    user: Any
    token: str
    expiry: dt.datetime | None


def _failure_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def credentials_check(
    *, username: str, password: str, request: HttpRequest | None = None
) -> Any:
    """The user for these credentials, under the per-account lockout.

    Shared by the API token login and the web session login. Raises
    ``LoginRefused`` (``locked`` or ``invalid_credentials``).
    """
    key = _failure_key(username)
    lockout_seconds = settings.LOGIN_LOCKOUT_MINUTES * 60
    failures = cache.get(key, 0)
    if failures >= settings.LOGIN_MAX_FAILURES:
        raise LoginRefused(
            "locked",
            _(
                "Too many failed logins for this account. Try again in "
                "%(minutes)d minutes."
            )
            % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            retry_after=lockout_seconds,
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=lockout_seconds)
        raise LoginRefused(
            "invalid_credentials", _("The NIP/username or password is wrong.")
        )
    cache.delete(key)
    return user


def token_login(
    *, username: str, password: str, request: HttpRequest | None = None
) -> LoginResult:
    """Check the credentials and issue a new API token.

    Raises ``LoginRefused`` (``locked`` or ``invalid_credentials``).
    """
    user = credentials_check(username=username, password=password, request=request)
    # Keep the newest tokens only: a lost phone's token expires by itself, and
    # logging in on yet another device retires the oldest session.
    stale = (
        AuthToken.objects.filter(user=user)
        .order_by("-created")
        .values_list("pk", flat=True)[settings.API_TOKENS_PER_USER - 1 :]
    )
    AuthToken.objects.filter(pk__in=list(stale)).delete()
    instance, token = AuthToken.objects.create(user=user)
    return LoginResult(user=user, token=token, expiry=instance.expiry)


def token_logout(*, auth_token: AuthToken) -> None:
    """Revoke the token the request was made with."""
    auth_token.delete()


def consent_accept(*, user: Any, ip: str | None = None) -> PrivacyConsent:
    """Record that ``user`` accepted the current notice (idempotent)."""
    version = settings.PRIVACY_NOTICE_VERSION
    existing = PrivacyConsent.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            consent = PrivacyConsent(
                user=user, version=version, accepted_at=timezone.now(), ip=ip
            )
            consent.full_clean(validate_constraints=False)
            consent.save()
            audit_record(
                actor=user,
                action="privacy.consent_accepted",
                target=consent,
                after={"version": version},
                ip=ip,
            )
    except IntegrityError:
        # Two taps at once: the unique constraint kept the first.
        return PrivacyConsent.objects.get(user=user, version=version)
    return consent
