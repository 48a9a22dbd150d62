"""Reads for the auditor desk's choices: which units a viewer may filter the
audit queue by (the recap's units: backend.performance.selectors.recap_units).

The queue's own scope is ``backend.audit.selectors.reviewable_q``; these only
offer the units inside it, so a filter never widens what anyone sees.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from backend.organization.models import Unit
from backend.organization.visibility import overseen_units


def audit_units(user: Any) -> QuerySet[Unit]:
    """Units whose flagged check-ins ``user`` reviews: the instansi of an
    auditor, the subtree of a unit admin, everything for a superuser."""
    return overseen_units(user)
