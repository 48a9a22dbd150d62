"""Start a real Pantau server for a benchmark, on a scratch database.

The server is the one ``make run`` starts (``manage.py serve``: uvicorn,
HTTP + WebSockets), pointed at a temporary SQLite file and media folder, or
at PostgreSQL/Redis when their URLs are given.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.stack import (
    ROOT,
    free_port,
    manage,
    start_app,
    stop_process,
    wait_until_healthy,
)


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


def scratch_settings(scratch: Path) -> dict[str, str]:
    """The environment of a throwaway deployment in ``scratch``: its own
    SQLite database, media and secret key."""
    return {
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "HTTPS": "0",
        "SQLITE_PATH": str(scratch / "bench.sqlite3"),
        "MEDIA_ROOT": str(scratch / "media"),
        "PANTAU_VAR_DIR": str(scratch),
        "LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def running_server(
    *,
    extra_env: dict[str, str] | None = None,
    layer: str | None = None,
    urlconf: str | None = None,
    behind_nginx: int = 0,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """``manage.py serve`` on a fresh scratch database with the demo data.

    ``layer`` swaps the channel layer and ``urlconf`` the root URLconf,
    through a throwaway settings module.
    ``behind_nginx=N`` runs the scaled deployment instead (``deploy/``):
    N one-process instances, each on its own port, behind nginx
    (``bench.nginx``); the environment must then name a Redis.
    """
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as directory:
        scratch = Path(directory)
        env = {
            **os.environ,
            **scratch_settings(scratch),
            "LOGIN_RATE": "100000/min",
            **(extra_env or {}),
        }
        overrides = []
        if layer is not None:
            overrides.append(
                f"CHANNEL_LAYERS['default']['BACKEND'] = {layer!r}  # noqa: F405"
            )
        if urlconf is not None:
            overrides.append(f"ROOT_URLCONF = {urlconf!r}")
        if overrides:
            (scratch / "bench_settings.py").write_text(
                "from backend.settings import *  # noqa: F403\n"
                + "".join(f"{line}\n" for line in overrides)
            )
            env["PYTHONPATH"] = os.pathsep.join([str(scratch), str(ROOT)])
            env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
        manage(env, "migrate", "--no-input", "-v0")
        seeded = json.loads(manage(env, "seed_demo", "--json"))
        with contextlib.ExitStack() as stack:
            # Behind nginx: one-process instances, as deploy/ runs them.
            ports = [free_port() for _ in range(behind_nginx or 1)]
            logs = [scratch / f"server-{port}.log" for port in ports]
            instance_env = {**env, "WEB_CONCURRENCY": "1"} if behind_nginx else env
            processes = []
            for port, log in zip(ports, logs, strict=True):
                processes.append(start_app(instance_env, port, log))
                stack.callback(stop_process, processes[-1])
            for port in ports:
                wait_until_healthy(f"http://127.0.0.1:{port}", processes, logs, timeout)
            pids = tuple(process.pid for process in processes)
            port = ports[0]
            if behind_nginx:
                from bench.nginx import running_nginx

                nginx = stack.enter_context(running_nginx(scratch / "nginx", ports))
                port, pids = nginx.port, (nginx.pid, *pids)
                wait_until_healthy(f"http://127.0.0.1:{port}", processes, logs, timeout)
            base = f"http://127.0.0.1:{port}"
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
