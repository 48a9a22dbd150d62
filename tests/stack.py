"""Throwaway PostgreSQL and Redis servers on free loopback ports, and
Pantau's own server (``manage.py serve``) for tests and benchmarks that
need the real thing.

For the test runner (tests/run.py), benchmarks and drills::

    with postgres_server() as database_url, redis_server() as redis_url:
        ...  # postgres://pantau@127.0.0.1:PORT/pantau, redis://127.0.0.1:PORT/0

Each server lives in its own temporary directory, listens on 127.0.0.1 only
and is stopped and deleted when the ``with`` block ends, or at interpreter exit
if something skipped that. Nothing is written outside the temporary directory.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
# A free port can be taken by someone else between our probe and the server's
# bind; a couple of fresh tries make that race harmless.
START_ATTEMPTS = 3
_PG_TOOLS = ("pg_ctl", "initdb", "postgres")


class ServiceError(RuntimeError):
    """A throwaway server could not be set up."""


class _ExitedEarly(ServiceError):
    """The server died while starting, as when another process took its port."""


def find_pg_bin() -> Path | None:
    """The directory holding ``pg_ctl``, ``initdb`` and ``postgres``, or None.

    Debian keeps the server binaries off PATH in /usr/lib/postgresql/N/bin;
    the newest version there wins, then whatever PATH offers.
    """
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: _version_key(path.parent.parent.name),
        reverse=True,
    )
    candidates = [path.parent for path in versions]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in _PG_TOOLS):
            return directory
    return None


def find_redis_server() -> str | None:
    return shutil.which("redis-server")


@contextlib.contextmanager
def postgres_server(*, timeout: float = START_TIMEOUT_S) -> Iterator[str]:
    """Run a scratch PostgreSQL cluster; yield its URL.

    The role ``pantau`` is the cluster's superuser (so Django's test runner can
    create ``test_pantau``) and owns the database ``pantau``. Durability is
    off: this is for tests only.
    """
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise ServiceError("PostgreSQL server binaries (pg_ctl) not found")
    with _started(lambda: _start_postgres(bin_dir, timeout)) as service:
        yield service.url


@contextlib.contextmanager
def redis_server(*, timeout: float = START_TIMEOUT_S) -> Iterator[str]:
    """Run a scratch Redis without persistence; yield its URL."""
    binary = find_redis_server()
    if binary is None:
        raise ServiceError("redis-server not found")
    with _started(lambda: _start_redis(binary, timeout)) as service:
        yield service.url


# --- Internals ---------------------------------------------------------------


@dataclass(eq=False)
class _Service:
    name: str
    process: subprocess.Popen[bytes]
    directory: Path
    url: str
    stop_signals: tuple[signal.Signals, ...]
    stopped: bool = False

    @property
    def log(self) -> Path:
        return self.directory / f"{self.name}.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server (politely, then firmly) and delete its directory."""
        if self.stopped:
            return
        self.stopped = True
        _RUNNING.discard(self)
        try:
            for sig in (*self.stop_signals, signal.SIGKILL):
                if self.process.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    self.process.send_signal(sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=STOP_TIMEOUT_S)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


_RUNNING: set[_Service] = set()


@atexit.register
def _stop_leftovers() -> None:
    for service in list(_RUNNING):
        service.stop()


@contextlib.contextmanager
def _started(start: Callable[[], _Service]) -> Iterator[_Service]:
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            service = start()
        except _ExitedEarly:
            if attempt == START_ATTEMPTS:
                raise
            continue
        try:
            yield service
        finally:
            service.stop()
        return


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _as_postgres_user() -> dict[str, Any]:
    """Popen arguments that drop root to ``postgres``, which refuses root."""
    if os.geteuid() != 0:
        return {}
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceError(
            "running as root, but there is no 'postgres' user to run "
            "PostgreSQL as (PostgreSQL refuses to run as root)"
        ) from None
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _launch(
    name: str,
    argv: list[str],
    directory: Path,
    *,
    url: str,
    stop_signals: tuple[signal.Signals, ...],
    ready: Callable[[], bool],
    timeout: float,
    **popen_kwargs: Any,
) -> _Service:
    """Start ``argv`` in ``directory`` (which it then owns) and wait for it."""
    try:
        with (directory / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=directory,
                # Its own process group: a Ctrl-C at the terminal reaches only
                # the runner, which then stops the server in order.
                process_group=0,
                **popen_kwargs,
            )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    service = _Service(name, process, directory, url, stop_signals)
    _RUNNING.add(service)
    try:
        _wait_until(service, ready, timeout)
    except BaseException:
        service.stop()
        raise
    return service


def _wait_until(service: _Service, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if service.process.poll() is not None:
            raise _ExitedEarly(
                f"{service.name} exited with code {service.process.returncode} "
                f"while starting:\n{service.log_tail()}"
            )
        if ready():
            return
        if time.monotonic() > deadline:
            raise ServiceError(
                f"{service.name} not ready after {timeout:.0f}s:\n{service.log_tail()}"
            )
        time.sleep(0.1)


def initdb_cluster(
    bin_dir: Path,
    data: Path,
    *,
    env: dict[str, str],
    drop: dict[str, Any],
    timeout: float | None = None,
) -> None:
    """``initdb`` of a scratch cluster in ``data``: user ``pantau``, trust
    authentication, UTF-8; run as ``drop`` (the postgres user under root).
    Raises ``ServiceError`` with initdb's own words when it fails."""
    initdb = subprocess.run(
        [
            str(bin_dir / "initdb"),
            f"--pgdata={data}",
            "--username=pantau",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd=data.parent,
        env=env,
        timeout=timeout,
        check=False,
        **drop,
    )
    if initdb.returncode != 0:
        raise ServiceError(
            "initdb failed:\n" + initdb.stderr.decode(errors="replace")[-2000:]
        )


def postgres_argv(bin_dir: Path, data: Path, port: int, **more: str) -> list[str]:
    """The command line of a scratch server: loopback TCP only, durability
    off (tests do not crash the host), plus ``more`` settings."""
    config = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": "",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        **more,
    }
    argv = [str(bin_dir / "postgres"), "-D", str(data)]
    for key, value in config.items():
        argv += ["-c", f"{key}={value}"]
    return argv


def _start_postgres(bin_dir: Path, timeout: float) -> _Service:
    drop = _as_postgres_user()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    directory = Path(tempfile.mkdtemp(prefix="pantau-pg-"))
    data = directory / "data"
    try:
        if drop:
            os.chown(directory, drop["user"], drop["group"])
        initdb_cluster(bin_dir, data, env=env, drop=drop, timeout=timeout)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise

    port = free_port()
    argv = postgres_argv(bin_dir, data, port)

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=port,
            user="pantau",
            dbname="postgres",
            connect_timeout=2,
            autocommit=True,
        )

    def ready() -> bool:
        try:
            connect().close()
        except psycopg.OperationalError:
            return False
        return True

    service = _launch(
        "postgres",
        argv,
        directory,
        url=f"postgres://pantau@127.0.0.1:{port}/pantau",
        # SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one.
        stop_signals=(signal.SIGINT, signal.SIGQUIT),
        ready=ready,
        timeout=timeout,
        env=env,
        **drop,
    )
    try:
        with connect() as conn:
            conn.execute("CREATE DATABASE pantau")
    except BaseException:
        service.stop()
        raise
    return service


def _start_redis(binary: str, timeout: float) -> _Service:
    directory = Path(tempfile.mkdtemp(prefix="pantau-redis-"))
    port = free_port()
    argv = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--dir",
        str(directory),
    ]

    def ready() -> bool:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    return _launch(
        "redis",
        argv,
        directory,
        url=f"redis://127.0.0.1:{port}/0",
        stop_signals=(signal.SIGTERM,),
        ready=ready,
        timeout=timeout,
    )


# --- nginx --------------------------------------------------------------------


def nginx_binary() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def nginx_main_config(directory: Path, site_conf: Path) -> str:
    """What /etc/nginx/nginx.conf provides on Debian, in ``directory``,
    around the site in ``site_conf``."""
    temp = directory / "temp"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir(parents=True, exist_ok=True)
    # As root, workers would otherwise drop to "nobody" and could not read
    # the caller's private temporary directories.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}"
        "worker_processes 1;\n"
        "daemon off;\n"
        f"pid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log info;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        f"    access_log {directory}/access.log;\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    include {site_conf};\n"
        "}\n"
    )


# --- Pantau itself -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def manage(env: dict[str, str], *args: str, timeout: float | None = None) -> str:
    """Run ``manage.py`` with ``env``; its standard output."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    ).stdout


def start_app(
    env: dict[str, str], port: int, log_path: Path
) -> subprocess.Popen[bytes]:
    """``manage.py serve`` on 127.0.0.1:``port``, its output in ``log_path``
    (uvicorn logs every socket it accepts: a pipe nobody reads would fill
    up and stall it). In a process group of its own, as the services
    above: a Ctrl-C reaches only the caller, which stops it with
    ``stop_process``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )


def wait_until_healthy(
    base_url: str,
    processes: list[subprocess.Popen[bytes]],
    logs: list[Path],
    timeout: float,
) -> None:
    """Until ``base_url``/healthz answers; ``RuntimeError`` with the end of
    the logs if one of ``processes`` stops first or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            stopped = any(process.poll() is not None for process in processes)
            if stopped or time.monotonic() > deadline:
                raise RuntimeError(
                    "the server did not start:\n"
                    + "\n".join(log.read_text()[-2000:] for log in logs if log.exists())
                ) from None
            time.sleep(0.2)


def stop_process(
    process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM
) -> None:
    """Send ``sig`` unless it has stopped already, then wait; killed after 15 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
