"""A whole Pantau deployment on this machine, for the fault drills.

PostgreSQL and Redis that can be stopped and started again on the same port
and data, and ``manage.py serve`` with two uvicorn workers in front of them,
all on 127.0.0.1 free ports and inside one scratch directory. Nothing here
knows about the drills' faults except how to cause them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from tests import stack
from tests.realtime.servers import RestartableRedis

SECRET_KEY = "drill-secret-key-not-for-production-0123456789abcdefgh"


class RestartablePostgres:
    """A scratch PostgreSQL cluster that keeps its data and port across a
    stop and a start (durability off: a drill does not crash the host)."""

    def __init__(self) -> None:
        bin_dir = stack.find_pg_bin()
        if bin_dir is None:
            raise stack.ServiceError("PostgreSQL server binaries (pg_ctl) not found")
        self.bin_dir = bin_dir
        # A directory of its own: the server runs as ``postgres`` when we are
        # root, and the drill's scratch directory is private to us.
        self.directory = Path(tempfile.mkdtemp(prefix="pantau-drill-pg-"))
        self.data = self.directory / "data"
        self.port = stack.free_port()
        self.url = f"postgres://pantau@127.0.0.1:{self.port}/pantau"
        self.drop = stack._as_postgres_user()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C.UTF-8",
        }
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self._create()
        except BaseException:
            self.remove()
            raise

    def _create(self) -> None:
        if self.drop:
            os.chown(self.directory, self.drop["user"], self.drop["group"])
        stack.initdb_cluster(self.bin_dir, self.data, env=self.env, drop=self.drop)
        self.start()
        with self._connect("postgres") as conn:
            conn.execute("CREATE DATABASE pantau")

    def _connect(self, dbname: str = "pantau") -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="pantau",
            dbname=dbname,
            connect_timeout=2,
            autocommit=True,
        )

    def connect(self) -> psycopg.Connection[Any]:
        return self._connect()

    def start(self, timeout: float = 60.0) -> None:
        argv = stack.postgres_argv(
            self.bin_dir, self.data, self.port, max_connections="100"
        )
        log = (self.directory / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
            env=self.env,
            process_group=0,
            **self.drop,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._connect("postgres").close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise stack.ServiceError("PostgreSQL did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Fast shutdown (SIGINT), as ``systemctl stop postgresql`` does."""
        if self.process is None:
            return
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
            if self.process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Deployment:
    scratch: Path
    postgres: RestartablePostgres
    redis: RestartableRedis
    media_root: Path
    base_url: str = ""
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    accounts: list[dict[str, str]] = field(default_factory=list)
    password: str = ""
    workplaces: list[dict[str, Any]] = field(default_factory=list)

    @property
    def log(self) -> Path:
        return self.scratch / "server.log"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def manage(self, *args: str) -> str:
        return stack.manage(self.env, *args)

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor)."""
        assert self.process is not None
        return sorted(
            pid
            for pid in children(self.process.pid)
            if b"spawn_main" in cmdline(pid) and b"resource_tracker" not in cmdline(pid)
        )

    def db(self) -> psycopg.Connection[Any]:
        return self.postgres.connect()


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def wait_healthy(base_url: str, *, timeout: float, process: Any = None) -> float:
    """Seconds until ``/healthz`` answers 200."""
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError("the server exited")
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{base_url} not healthy after {timeout:.0f} s")
        time.sleep(0.1)


@contextlib.contextmanager
def deployment(
    *, media_root: Path | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Deployment]:
    """PostgreSQL + Redis + ``manage.py serve`` (WEB_CONCURRENCY=2) with the
    demo data, on 127.0.0.1 free ports; everything stopped and deleted after."""
    with tempfile.TemporaryDirectory(prefix="pantau-drill-") as directory:
        scratch = Path(directory)
        postgres = RestartablePostgres()
        redis = RestartableRedis(scratch)
        try:
            redis.start()
            media = media_root or scratch / "media"
            media.mkdir(parents=True, exist_ok=True)
            deployed = Deployment(scratch, postgres, redis, media)
            deployed.env = {
                **{
                    k: v
                    for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
                },
                "DJANGO_SETTINGS_MODULE": "backend.settings",
                "SECRET_KEY": SECRET_KEY,
                "HTTPS": "0",
                "DATABASE_URL": postgres.url,
                "REDIS_URL": redis.url,
                "WEB_CONCURRENCY": "2",
                "MEDIA_ROOT": str(media),
                "PANTAU_VAR_DIR": str(scratch),
                "LOG_LEVEL": "WARNING",
                "LOGIN_RATE": "100000/min",
                **(extra_env or {}),
            }
            deployed.manage("migrate", "--no-input", "-v0")
            seeded = json.loads(deployed.manage("seed_demo", "--json"))
            deployed.accounts = seeded["accounts"]
            deployed.password = seeded["password"]
            deployed.workplaces = seeded["workplaces"]
            deployed.port = stack.free_port()
            deployed.base_url = f"http://127.0.0.1:{deployed.port}"
            deployed.process = stack.start_app(
                deployed.env, deployed.port, deployed.log
            )
            try:
                try:
                    wait_healthy(
                        deployed.base_url, timeout=60, process=deployed.process
                    )
                except (RuntimeError, TimeoutError) as exc:
                    raise RuntimeError(
                        f"the server did not start: {exc}\n{deployed.log_tail()}"
                    ) from None
                deadline = time.monotonic() + 30
                while len(deployed.worker_pids()) < 2:
                    assert time.monotonic() < deadline, "two workers did not start"
                    time.sleep(0.1)
                yield deployed
            finally:
                _stop_server(deployed.process)
        finally:
            redis.stop()
            postgres.remove()


def _stop_server(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        # The whole group: the supervisor and its workers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
