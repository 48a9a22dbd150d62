"""Start a real Pantau server for a benchmark, on a scratch database.

The server is the one ``make run`` starts (``manage.py serve``: uvicorn,
HTTP + WebSockets), pointed at a temporary SQLite file and media folder, or
at PostgreSQL/Redis when their URLs are given.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    base_url: str
    port: int
    env: dict[str, str]
    accounts: list[dict[str, str]]
    password: str
    workplaces: list[dict[str, float]]
    pid: int = 0
    # Other processes serving it: the instances behind nginx.
    more_pids: tuple[int, ...] = ()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and its
        worker processes (and nginx, in front of instances): with the
        request count, the cost of a request whatever else the machine is
        doing."""
        return sum(
            process_tree_cpu_seconds(pid) for pid in (self.pid, *self.more_pids) if pid
        )


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def process_tree_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of ``pid`` and its descendants (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2]
        except OSError:
            continue
        parts = fields.split()
        total += int(parts[11]) + int(parts[12])  # utime, stime
        pending += _children(current)
    return total / ticks


def machine_cpu_ticks() -> tuple[int, int]:
    """(idle, total) clock ticks of all cores since boot (Linux): between
    two readings, how much of the machine went unused."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return idle, sum(fields)


def scaled_instances(cores: int | None = None) -> int:
    """How many one-process instances the scaled deployment runs on a
    machine of ``cores`` cores (this one by default): three for every two
    cores, and at least two (docs/deployment.md, "The workers")."""
    cores = cores or os.cpu_count() or 1
    return max(2, (3 * cores + 1) // 2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout


def _serve(
    stack: contextlib.ExitStack, env: dict[str, str], port: int, log_path: Path
) -> subprocess.Popen[bytes]:
    """``manage.py serve`` on ``port``, stopped when ``stack`` closes."""
    log = stack.enter_context(log_path.open("wb"))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(stop_process, process)
    return process


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_healthy(
    base: str,
    processes: list[subprocess.Popen[bytes]],
    logs: list[Path],
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            stopped = any(process.poll() is not None for process in processes)
            if stopped or time.monotonic() > deadline:
                raise RuntimeError(
                    "the server did not start:\n"
                    + "\n".join(log.read_text()[-2000:] for log in logs if log.exists())
                ) from None
            time.sleep(0.2)


@contextlib.contextmanager
def running_server(
    *,
    extra_env: dict[str, str] | None = None,
    layer: str | None = None,
    behind_nginx: int = 0,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """``manage.py serve`` on a fresh scratch database with the demo data.

    The server's output goes to a file: uvicorn logs every socket it
    accepts, and a pipe nobody reads would fill up and stall the server.
    ``layer`` swaps the channel layer through a throwaway settings module.
    ``behind_nginx=N`` runs the scaled deployment instead (``deploy/``):
    N one-process instances, each on its own port, behind nginx
    (``bench.nginx``); the environment must then name a Redis.
    """
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as directory:
        scratch = Path(directory)
        env = {
            **os.environ,
            "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "HTTPS": "0",
            "SQLITE_PATH": str(scratch / "bench.sqlite3"),
            "MEDIA_ROOT": str(scratch / "media"),
            "PANTAU_VAR_DIR": str(scratch),
            "LOG_LEVEL": "WARNING",
            "LOGIN_RATE": "100000/min",
            **(extra_env or {}),
        }
        if layer is not None:
            (scratch / "bench_layer_settings.py").write_text(
                "from backend.settings import *  # noqa: F403\n"
                f"CHANNEL_LAYERS['default']['BACKEND'] = {layer!r}  # noqa: F405\n"
            )
            env["PYTHONPATH"] = os.pathsep.join([str(scratch), str(ROOT)])
            env["DJANGO_SETTINGS_MODULE"] = "bench_layer_settings"
        manage(env, "migrate", "--no-input", "-v0")
        seeded = json.loads(manage(env, "seed_demo", "--json"))
        with contextlib.ExitStack() as stack:
            if behind_nginx:
                from bench.nginx import running_nginx

                ports = [free_port() for _ in range(behind_nginx)]
                logs = [scratch / f"server-{port}.log" for port in ports]
                instance_env = {**env, "WEB_CONCURRENCY": "1"}
                processes = [
                    _serve(stack, instance_env, port, log)
                    for port, log in zip(ports, logs, strict=True)
                ]
                for port in ports:
                    _wait_until_healthy(
                        f"http://127.0.0.1:{port}", processes, logs, timeout
                    )
                nginx = stack.enter_context(running_nginx(scratch / "nginx", ports))
                port = nginx.port
                pids = (nginx.pid, *(process.pid for process in processes))
            else:
                port = free_port()
                logs = [scratch / "server.log"]
                processes = [_serve(stack, env, port, logs[0])]
                pids = (processes[0].pid,)
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, processes, logs, timeout)
            yield Server(
                base_url=base,
                port=port,
                env=env,
                accounts=seeded["accounts"],
                password=seeded["password"],
                workplaces=seeded["workplaces"],
                pid=pids[0],
                more_pids=pids[1:],
            )


def login(server: Server, username: str) -> str:
    request = urllib.request.Request(  # noqa: S310 - a loopback http:// URL
        f"{server.base_url}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": server.password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return str(json.loads(response.read())["token"])
