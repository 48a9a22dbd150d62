"""Reads for the auditor desk's choices: which units a viewer may filter the
audit queue by (the recap's units: backend.performance.selectors.recap_units).

The queue's own scope is ``backend.audit.selectors.reviewable_q``; these only
offer the units inside it, so a filter never widens what anyone sees.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from backend.organization.models import Unit
from backend.organization.visibility import viewer_for


def audit_units(user: Any) -> QuerySet[Unit]:
    """Units whose flagged check-ins ``user`` reviews: the instansi of an
    auditor, the subtree of a unit admin, everything for a superuser."""
    viewer = viewer_for(user)
    units = Unit.objects.select_related("instansi").order_by("instansi__name", "path")
    if viewer.is_superuser:
        return units
    scopes = [Q(path__startswith=path) for path in viewer.admin_unit_paths]
    if viewer.auditor_instansi_ids:
        scopes.append(Q(instansi_id__in=viewer.auditor_instansi_ids))
    if not scopes:
        return units.none()
    return units.filter(reduce(or_, scopes))
