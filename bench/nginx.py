"""nginx in front of Pantau instances, for a benchmark of the scaled
deployment.

``deploy/nginx/pantau.conf`` balances each request over one-process
instances (``least_conn``), keeps idle connections to them open, and reads
a request's body in full before it passes it on. The site below keeps
those parts of it, word for word where they matter to speed (the upstream
block, the body buffer, the proxy headers and HTTP/1.1 to the instances),
and leaves out what a loopback benchmark has no use for: TLS, the host
name checks, static files and the photo locations. It listens on plain
HTTP on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Nginx:
    port: int
    pid: int


def nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        "nginx is not installed (apt-get install nginx): the benchmark of the "
        "scaled deployment runs the instances behind it"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config(directory: Path, port: int, upstream_ports: list[int]) -> str:
    temp = directory / "temp"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir(parents=True, exist_ok=True)
    # As root, workers would otherwise drop to "nobody" and could not write
    # the benchmark's private temporary directories.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in upstream_ports)
    return f"""{user}worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream pantau_app {{
        least_conn;
{servers}        keepalive 32;
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 16m;
        client_body_buffer_size 256k;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Connection "";
        location / {{
            proxy_pass http://pantau_app;
        }}
    }}
}}
"""


@contextlib.contextmanager
def running_nginx(directory: Path, upstream_ports: list[int]) -> Iterator[Nginx]:
    """nginx on a free loopback port in front of ``upstream_ports``."""
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    conf = directory / "nginx.conf"
    conf.write_text(config(directory, port, upstream_ports))
    process = subprocess.Popen(
        [nginx_binary(), "-c", str(conf), "-p", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=1),
            ):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log = directory / "error.log"
                raise RuntimeError(
                    "nginx did not start:\n"
                    + (log.read_text()[-2000:] if log.exists() else "")
                )
            time.sleep(0.05)
        yield Nginx(port=port, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
