"""The client's IP address as the audit log records it."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def valid_ip(value: str | None) -> str | None:
    """``value`` if it is an IPv4/IPv6 address, else None."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The address of whoever sent ``request``.

    Behind nginx (``AUDIT_TRUST_FORWARDED_FOR``) that is the last address in
    X-Forwarded-For, the one nginx itself appended; anything before it is
    what the client claimed and is not trusted.
    """
    meta = getattr(request, "META", {})
    if getattr(settings, "AUDIT_TRUST_FORWARDED_FOR", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return valid_ip(forwarded.split(",")[-1])
    return valid_ip(meta.get("REMOTE_ADDR"))
