"""Refusals that domain services raise and the API answers in one way.

``mobile_api.errors`` turns an ``UploadRejected`` into its own status, a
``ReplayConflict`` into 409 and a ``FileGone`` into 410, whichever domain
raised them.
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


class FileGone(Exception):
    """A stored file that the database names but that cannot be served (410).

    ``code`` is a stable machine-readable reason and ``message`` a
    translated sentence for the viewer. ``problem`` is None when the file
    was removed on purpose (the retention purge); otherwise it names the
    row and what is wrong with its file, for the server's log: a lost or
    damaged file is never the viewer's doing, and is logged as an error.
    """

    def __init__(self, code: str, message: str, problem: str | None = None) -> None:
        super().__init__(problem or message)
        self.code = code
        self.message = message
        self.problem = problem
