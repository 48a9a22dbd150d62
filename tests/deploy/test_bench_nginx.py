"""The benchmark's nginx (bench/nginx.py) passes requests to the instances
and balances them, as the deployment's does."""

from __future__ import annotations

import contextlib
import http.server
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.nginx import running_nginx, site
from tests.stack import nginx_binary

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.skipif(nginx_binary() is None, reason="needs nginx"),
]


@contextlib.contextmanager
def _instance(name: str, seen: Counter[str]) -> Iterator[int]:
    """A stand-in instance that answers with its name and counts requests."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen[name] += 1
            answer = f"{name} {len(body)} {self.headers['X-Forwarded-For']}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_requests_reach_both_instances_with_their_bodies(tmp_path: Path) -> None:
    seen: Counter[str] = Counter()
    # 2 MiB stays in nginx's 4 MiB buffer; 6 MiB goes through a file.
    bodies = [b"x" * (2 * 1024 * 1024), b"y" * (6 * 1024 * 1024)]
    with (
        _instance("a", seen) as first,
        _instance("b", seen) as second,
        running_nginx(tmp_path / "nginx", [first, second]) as nginx,
    ):
        for number in range(20):
            body = bodies[number % 2]
            request = urllib.request.Request(
                f"http://127.0.0.1:{nginx.port}/api/v1/checkins/", data=body
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                _name, size, forwarded = response.read().decode().split()
                assert int(size) == len(body)
                assert forwarded == "127.0.0.1"
    log = (tmp_path / "nginx" / "error.log").read_text()
    assert log.count("a client request body is buffered to a temporary file") == 10
    # least_conn with nothing in flight takes turns.
    assert seen["a"] >= 5
    assert seen["b"] >= 5
    assert seen["a"] + seen["b"] == 20


def test_the_site_keeps_the_deployments_balancing_and_buffering() -> None:
    rendered = site(8080, [8001, 8002])
    deployed = (Path(__file__).parents[2] / "deploy/nginx/pantau.conf").read_text()
    for line in [
        "least_conn;",
        "keepalive 32;",
        "keepalive_timeout 4s;",
        "client_body_buffer_size 4m;",
        "proxy_http_version 1.1;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
    ]:
        assert line in rendered
        assert line in deployed
    assert "server 127.0.0.1:8001;" in rendered
    assert "server 127.0.0.1:8002;" in rendered
