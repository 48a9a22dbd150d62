"""Who is on the other end of a feed socket.

- Phones and scripts send their API token, as ``?token=<token>`` or the
  header ``Authorization: Token <token>``. A token is proof enough on its
  own, so these sockets may come without an Origin header.
- Browsers use their session cookie. Any web page can open a socket to any
  host and the browser attaches the cookie, so sockets that carry a session
  cookie must come from one of ALLOWED_HOSTS (``AllowedHostsOriginValidator``);
  otherwise the handshake is rejected (HTTP 403).

A socket with a bad token, a dead session or no credentials at all reaches
the consumer as anonymous and is closed with code 4401 (realtime.consumers).
A token socket carries its token's digest in ``scope["token_digest"]``: when
the token is deleted (logout, "log out everywhere", expiry), its open
sockets are closed with 4401 too (realtime.publish.revoke_on_commit).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed

ASGIApp = Any


def query_params(scope: dict[str, Any]) -> dict[str, list[str]]:
    return parse_qs(scope.get("query_string", b"").decode("latin-1"))


def token_of(scope: dict[str, Any]) -> str | None:
    """The API token the socket presents, or None for none."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            prefix, _space, token = value.decode("latin-1").strip().partition(" ")
            if prefix.lower() == knox_settings.AUTH_HEADER_PREFIX.lower():
                return token.strip()
    tokens = query_params(scope).get("token")
    return tokens[0] if tokens else None


def has_session_cookie(scope: dict[str, Any]) -> bool:
    name = settings.SESSION_COOKIE_NAME.encode("latin-1")
    for header, value in scope.get("headers", []):
        if header == b"cookie" and any(
            part.strip().startswith(name + b"=") for part in value.split(b";")
        ):
            return True
    return False


@database_sync_to_async
def user_for_token(token: str) -> tuple[Any, str | None]:
    """The active user of a valid, unexpired token and the token's digest;
    AnonymousUser and None otherwise."""
    try:
        user, auth_token = TokenAuthentication().authenticate_credentials(
            token.encode()
        )
    except AuthenticationFailed:
        return AnonymousUser(), None
    return user, auth_token.digest


def feed_auth(inner: ASGIApp) -> ASGIApp:
    """Token auth for token sockets; session auth, Origin checked, for the
    rest."""
    browser = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = token_of(scope)
        digest = None
        if token is not None:
            user, digest = await user_for_token(token)
        elif has_session_cookie(scope):
            return await browser(scope, receive, send)
        else:
            user = AnonymousUser()
        return await inner(
            {**scope, "user": user, "token_digest": digest}, receive, send
        )

    return app
