"""The privacy notice shown at first login, and whether it is accepted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from backend.accounts.models import PrivacyConsent

NOTICE = gettext_lazy(
    "Pantau records your check-ins with their position and a photo, and your "
    "daily work reports, to establish attendance and work output as required "
    "for ASN. Your supervisors, the admins of your unit and, for check-ins "
    "flagged as suspicious, the auditors of your instansi can see them; every "
    "access to your photos by someone else is logged. Original photos are "
    "deleted after %(days)d days; a small copy, the photo's fingerprint and "
    "its technical facts are kept as evidence. Location is read only when you "
    "check in. Questions and requests about your data go to your unit admin "
    "(UU 27/2022 on Personal Data Protection)."
)


def notice() -> dict[str, str]:
    """The current notice in the active language, with its version."""
    return {
        "version": settings.PRIVACY_NOTICE_VERSION,
        "text": str(NOTICE) % {"days": settings.PHOTO_ORIGINAL_RETENTION_DAYS},
    }


def consent_required(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return not PrivacyConsent.objects.filter(
        user=user, version=settings.PRIVACY_NOTICE_VERSION
    ).exists()


def consent_fields(user: Any) -> dict[str, Any]:
    """What the login answer and ``/me`` add about the notice."""
    return {"consent_required": consent_required(user), "privacy_notice": notice()}
