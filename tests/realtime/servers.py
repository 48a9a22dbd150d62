"""Real Pantau servers (``manage.py serve``) and a Redis that can be stopped
and started again on the same port, for the tests of the deployed path."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis
from django.db import connection

from tests import stack


def test_database_url() -> str:
    """The URL of the database this test runs on (pytest's test_pantau)."""
    db = connection.settings_dict
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextlib.contextmanager
def serving(scratch: Path, *, redis_url: str) -> Iterator[str]:
    """A ``manage.py serve`` process on the test database; yields host:port."""
    port = stack.free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "WEB_CONCURRENCY": "1",
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
        "HTTPS": "0",
        "MEDIA_ROOT": str(scratch / "media"),
        "LOG_LEVEL": "WARNING",
    }
    log_path = scratch / f"server-{port}.log"
    process = stack.start_app(env, port, log_path)
    try:
        stack.wait_until_healthy(f"http://127.0.0.1:{port}", [process], [log_path], 60)
        yield f"127.0.0.1:{port}"
    finally:
        stack.stop_process(process)


class RestartableRedis:
    """redis-server on a fixed port, without persistence."""

    def __init__(self, scratch: Path) -> None:
        binary = stack.find_redis_server()
        assert binary, "redis-server not found"
        self.binary = binary
        self.scratch = scratch
        self.port = stack.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.scratch)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client: Any = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 30
        try:
            while True:
                with contextlib.suppress(redis.RedisError):
                    if client.ping():
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None
