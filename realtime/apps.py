from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime feed"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete
        from knox.models import AuthToken

        post_delete.connect(
            _token_deleted, sender=AuthToken, dispatch_uid="feed-token-revoked"
        )
        user_logged_out.connect(_logged_out, dispatch_uid="feed-session-revoked")


def _token_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from realtime.groups import token_group
    from realtime.publish import revoke_on_commit

    revoke_on_commit(token_group(instance.digest))


def _logged_out(sender: Any, request: Any, **kwargs: Any) -> None:
    from realtime.groups import session_group
    from realtime.publish import revoke_on_commit

    # Sent before the session is flushed: its key is still the socket's.
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        revoke_on_commit(session_group(session.session_key))
