"""Log in with a NIP or a plain username (admins without a NIP)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class NipOrUsernameBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not username or password is None:
            return None
        user_model = get_user_model()
        identifier = username.strip().replace(" ", "")
        user = (
            user_model.objects.filter(employee__nip=identifier).first()
            or user_model.objects.filter(username=username.strip()).first()
        )
        if user is None:
            # Spend the same time as a real check, so response timing does
            # not reveal which NIPs exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
