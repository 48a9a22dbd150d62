"""Refusals that domain services raise and the API answers in one way.

``mobile_api.errors`` turns an ``UploadRejected`` into its own status and a
``ReplayConflict`` into 409, whichever domain raised them.
"""

from __future__ import annotations

from typing import Any


class UploadRejected(Exception):
    """An uploaded file is refused.

    ``status`` is the HTTP status to answer with (400, 413 or 415), ``code``
    a stable machine-readable reason and ``message`` a translated sentence
    for the user.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ReplayConflict(Exception):
    """A ``client_uuid`` was used before for different content (409)."""

    def __init__(self, message: str, existing: Any) -> None:
        super().__init__(message)
        self.existing = existing
