"""Put the embedded SQLite database in WAL mode, once per process.

WAL is stored in the database file, so it need not be requested on every
connection; asking for it each time (Django opens a connection per request
under ASGI) costs a lock round trip on the hottest path.
"""

from __future__ import annotations

import threading
from typing import Any

_checked: set[str] = set()
_lock = threading.Lock()


def ensure_wal(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: switch the file to WAL if needed."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name in _checked or connection.is_in_memory_db():
        return
    with _lock:
        if name in _checked:
            return
        cursor = connection.connection.cursor()
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()
        _checked.add(name)
