"""nginx in front of Pantau instances, for a benchmark of the scaled
deployment.

``deploy/nginx/pantau.conf`` balances each request over one-process
instances (``least_conn``), keeps idle connections to them open, and reads
a request's body in full before it passes it on. The site below keeps
those parts of it, word for word where they matter to speed (the upstream
block, the check-in location's body buffer, which every request of the
benchmark gets, the proxy headers and HTTP/1.1 to the instances),
and leaves out what a loopback benchmark has no use for: TLS, the host
name checks, static files and the photo locations. It listens on plain
HTTP on 127.0.0.1, inside the same stand-in for Debian's nginx.conf that
tests/deploy/test_nginx.py runs the shipped site in (``tests.stack``).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.stack import free_port, nginx_binary, nginx_main_config, stop_process


@dataclass(frozen=True)
class Nginx:
    port: int
    pid: int


def site(port: int, upstream_ports: list[int]) -> str:
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in upstream_ports)
    return f"""upstream pantau_app {{
    least_conn;
{servers}    keepalive 32;
    keepalive_timeout 4s;
}}
server {{
    listen 127.0.0.1:{port};
    access_log off;
    client_max_body_size 16m;
    client_body_buffer_size 4m;
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header Connection "";
    location / {{
        proxy_pass http://pantau_app;
    }}
}}
"""


@contextlib.contextmanager
def running_nginx(directory: Path, upstream_ports: list[int]) -> Iterator[Nginx]:
    """nginx on a free loopback port in front of ``upstream_ports``."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError(
            "nginx is not installed (apt-get install nginx): the benchmark of "
            "the scaled deployment runs the instances behind it"
        )
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site_conf = directory / "site.conf"
    site_conf.write_text(site(port, upstream_ports))
    conf = directory / "nginx.conf"
    conf.write_text(nginx_main_config(directory, site_conf))
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(directory)],
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
        stop_process(process)
