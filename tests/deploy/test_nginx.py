"""The shipped nginx site (deploy/nginx/pantau.conf) in front of the app.

Debian's nginx runs as a plain foreground process with its own prefix, pid,
logs and temporary paths (not the system service; as root or not), on free
127.0.0.1 ports, with a throwaway certificate for ``pantau.test``. Behind it
run two ``manage.py serve`` workers as the systemd units start them (one
process per port, a throwaway Redis between them, production settings with
``HTTPS=1`` and ``PROTECTED_MEDIA_ACCEL_PREFIX``) on a fresh seeded SQLite
database. Only the lines marked ``SITE:`` in the shipped file are replaced.

Without nginx the module is skipped, except under ``CI=true``, where that is
a failure. It starts its own servers, so it runs in the SQLite pass only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from PIL import Image

from tests import stack

pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).resolve().parent.parent.parent
SITE_CONF = ROOT / "deploy" / "nginx" / "pantau.conf"
PHOTO = ROOT / "tests" / "fixtures" / "photos" / "gps_DSCN0010.jpg"
# A phone camera's own photo, as apps that do not shrink it send it (2.1 MB).
CAMERA_PHOTO = ROOT / "tests" / "fixtures" / "photos" / "mobile_HMD_Nokia_8.3_5G.jpg"
HOST = "pantau.test"
ACCEL_PREFIX = "/_protected/"
SPOOFED_ADDRESS = "203.0.113.9"
START_TIMEOUT_S = 60.0
WIB = dt.timezone(dt.timedelta(hours=7))
# What the test environment must not pass on to the app it starts.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "WEB_CONCURRENCY",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "HTTPS",
)


# --- The site, rendered for this machine ---------------------------------------


@dataclass(frozen=True)
class Site:
    http_port: int
    https_port: int
    upstream_ports: list[int]
    certificate: Path
    private_key: Path
    static_root: Path
    media_root: Path
    log_dir: Path
    acme_root: Path


def render_site(text: str, site: Site) -> str:
    """The shipped site with its ``SITE:`` values replaced for ``site``."""
    ports = {"80": site.http_port, "443": site.https_port}
    lines = []
    for line in text.splitlines():
        if re.match(r"\s*listen \[::\]:", line):
            continue  # IPv6 may be missing in a container; IPv4 suffices here.
        line = re.sub(
            r"listen (80|443)\b",
            lambda match: f"listen 127.0.0.1:{ports[match[1]]}",
            line,
        )
        lines.append(line)
    rendered = "\n".join(lines) + "\n"
    upstreams = "".join(
        f"    server 127.0.0.1:{port};\n" for port in site.upstream_ports
    )
    replacements = [
        (
            "    server 127.0.0.1:8001;  # SITE: worker instances\n"
            "    server 127.0.0.1:8002;  # SITE: worker instances\n"
            "    server 127.0.0.1:8003;  # SITE: worker instances\n",
            upstreams,
        ),
        (
            "/etc/letsencrypt/live/pantau.example.go.id/fullchain.pem",
            str(site.certificate),
        ),
        (
            "/etc/letsencrypt/live/pantau.example.go.id/privkey.pem",
            str(site.private_key),
        ),
        ("server_name pantau.example.go.id;", f"server_name {HOST};"),
        ("/var/lib/pantau-static/", f"{site.static_root}/"),
        ("/var/lib/pantau-media/", f"{site.media_root}/"),
        # The error log at info level (the shipped site keeps nginx's
        # default, error), so that the tests can read nginx's warnings.
        ("pantau.error.log;", "pantau.error.log info;"),
        ("/var/log/nginx/", f"{site.log_dir}/"),
        ("/var/www/letsencrypt;", f"{site.acme_root};"),
    ]
    for old, new in replacements:
        # A value renamed in the shipped file must be renamed here too.
        assert old in rendered, f"deploy/nginx/pantau.conf no longer has {old!r}"
        rendered = rendered.replace(old, new)
    leftover = [
        line
        for line in rendered.splitlines()
        if "SITE:" in line
        and re.search(r"pantau\.example|/var/|/etc/|:80\d\d;|listen (80|443)", line)
    ]
    assert not leftover, f"SITE values not replaced: {leftover}"
    return rendered


# --- Processes ------------------------------------------------------------------


def _wait_for(
    what: str, process: subprocess.Popen[bytes], log: Path, ready: Any
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{what} did not start:\n{tail}")
        time.sleep(0.1)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _answers(port: int) -> bool:
    # HTTPS=1: a direct request is redirected, which still proves the worker up.
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST}, timeout=2)
    except httpx.HTTPError:
        return False
    return True


@dataclass(frozen=True)
class Deployment:
    site: Site
    ssl_context: ssl.SSLContext
    accounts: list[dict[str, Any]]
    password: str
    workplaces: list[dict[str, float]]
    workers: int
    app_log_dir: Path
    database: Path
    env: dict[str, str]

    @property
    def origin(self) -> str:
        """Scheme, host and port the app sees (through Host and X-Forwarded-Proto)."""
        return f"https://{HOST}:{self.site.https_port}"

    def client(self) -> httpx.AsyncClient:
        """Talks to nginx on 127.0.0.1 as a browser on ``pantau.test`` would."""
        return httpx.AsyncClient(
            base_url=f"https://127.0.0.1:{self.site.https_port}",
            headers={"Host": f"{HOST}:{self.site.https_port}"},
            verify=self.ssl_context,
            timeout=30,
        )

    def path_of(self, url: str) -> str:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == self.origin, url
        return parts.path


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    nginx = stack.nginx_binary()
    if nginx is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx not found; CI must run the nginx test (apt nginx)")
        pytest.skip("nginx not found: apt-get install nginx to run this test")
    trustme = pytest.importorskip("trustme")
    scratch = tmp_path_factory.mktemp("deploy")
    with contextlib.ExitStack() as stack_:
        yield stack_.enter_context(_deployment(nginx, trustme, scratch))


@contextlib.contextmanager
def _deployment(nginx: str, trustme: Any, scratch: Path) -> Iterator[Deployment]:
    var, media, static, nginx_dir, logs = (
        scratch / name for name in ("var", "media", "static", "nginx", "logs")
    )
    for directory in (var, media, static, nginx_dir, logs):
        directory.mkdir()
    with contextlib.ExitStack() as cleanup:
        # Two workers need Redis for the feed to cross processes; without
        # redis-server, one worker on the in-memory layer.
        redis_url = (
            cleanup.enter_context(stack.redis_server())
            if stack.find_redis_server()
            else None
        )
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "backend.settings",
                "SECRET_KEY": "deploy-test-" + "k" * 50,
                "DEBUG": "0",
                "HTTPS": "1",
                "ALLOWED_HOSTS": HOST,
                "PANTAU_VAR_DIR": str(var),
                "SQLITE_PATH": str(var / "pantau.sqlite3"),
                "MEDIA_ROOT": str(media),
                "STATIC_ROOT": str(static),
                "PROTECTED_MEDIA_ACCEL_PREFIX": ACCEL_PREFIX,
                "LOG_LEVEL": "WARNING",
                "WEB_CONCURRENCY": "1",
            }
        )
        if redis_url:
            env["REDIS_URL"] = redis_url

        def manage(*args: str) -> str:
            return stack.manage(env, *args, timeout=300)

        # The steps of pantau-migrate.service, then the workers of pantau@
        # (manage.py serve listens on 127.0.0.1, as the unit says).
        manage("migrate", "--no-input", "-v0")
        manage("collectstatic", "--no-input", "-v0")
        seeded = json.loads(manage("seed_demo", "--json"))
        ports = [stack.free_port() for _ in range(2 if redis_url else 1)]
        for port in ports:
            log = logs / f"app-{port}.log"
            process = stack.start_app(env, port, log)
            cleanup.callback(stack.stop_process, process, signal.SIGTERM)
            _wait_for(f"worker :{port}", process, log, lambda p=port: _answers(p))

        authority = trustme.CA()
        issued = authority.issue_cert(HOST)
        certificate, private_key = nginx_dir / "fullchain.pem", nginx_dir / "key.pem"
        certificate.write_bytes(b"".join(pem.bytes() for pem in issued.cert_chain_pems))
        issued.private_key_pem.write_to_path(str(private_key))
        site = Site(
            http_port=stack.free_port(),
            https_port=stack.free_port(),
            upstream_ports=ports,
            certificate=certificate,
            private_key=private_key,
            static_root=static,
            media_root=media,
            log_dir=logs,
            acme_root=nginx_dir / "acme",
        )
        site_conf = nginx_dir / "pantau.conf"
        site_conf.write_text(render_site(SITE_CONF.read_text(), site))
        main_conf = nginx_dir / "nginx.conf"
        main_conf.write_text(stack.nginx_main_config(nginx_dir, site_conf))
        argv = [nginx, "-p", str(nginx_dir), "-c", str(main_conf)]
        argv += ["-e", str(nginx_dir / "error.log")]
        checked = subprocess.run(
            [*argv, "-t"], capture_output=True, text=True, timeout=60, check=False
        )
        assert checked.returncode == 0, checked.stderr
        error_log = nginx_dir / "error.log"
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            process_group=0,
        )
        # SIGQUIT: graceful shutdown, as systemctl reload/stop do.
        cleanup.callback(stack.stop_process, process, signal.SIGQUIT)
        _wait_for(
            "nginx",
            process,
            error_log,
            lambda: _accepts(site.https_port) and _accepts(site.http_port),
        )
        context = ssl.create_default_context()
        authority.configure_trust(context)
        yield Deployment(
            site=site,
            ssl_context=context,
            accounts=seeded["accounts"],
            password=seeded["password"],
            workplaces=seeded["workplaces"],
            workers=len(ports),
            app_log_dir=logs,
            database=var / "pantau.sqlite3",
            env=env,
        )


# --- Helpers for the scenarios --------------------------------------------------------


async def login(client: httpx.AsyncClient, deployment: Deployment, nip: str) -> str:
    response = await client.post(
        "/api/v1/auth/token/",
        json={"username": nip, "password": deployment.password},
        extensions={"sni_hostname": HOST},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _sni(**kwargs: Any) -> dict[str, Any]:
    return {"extensions": {"sni_hostname": HOST}, **kwargs}


def _employee_and_supervisor(deployment: Deployment) -> tuple[str, str, str]:
    """An employee, their supervisor and an employee of another unit."""
    employee = next(
        a for a in deployment.accounts if a["role"] == "employee" and a["supervisor"]
    )
    outsider = next(
        a
        for a in deployment.accounts
        if a["role"] == "employee" and a["unit"] != employee["unit"]
    )
    return employee["username"], employee["supervisor"], outsider["username"]


async def _next_event(socket_: Any, checkin_id: int) -> dict[str, Any]:
    while True:
        message = json.loads(await socket_.recv())
        if (
            message.get("type") == "checkin.created"
            and message["data"]["checkin_id"] == checkin_id
        ):
            return dict(message)


# --- Scenarios ------------------------------------------------------------------------


def test_a_photo_check_in_and_the_feed_through_nginx(deployment: Deployment) -> None:
    asyncio.run(_check_in_and_feed(deployment))


async def _check_in_and_feed(deployment: Deployment) -> None:
    employee, supervisor, outsider = _employee_and_supervisor(deployment)
    workplace = deployment.workplaces[0]
    async with deployment.client() as client:
        employee_token = await login(client, deployment, employee)
        supervisor_token = await login(client, deployment, supervisor)
        outsider_token = await login(client, deployment, outsider)

        # The URI names the public host (TLS server name and Host header);
        # the TCP connection goes to nginx on 127.0.0.1.
        async with websockets.connect(
            f"wss://{HOST}:{deployment.site.https_port}/ws/feed/",
            host="127.0.0.1",
            port=deployment.site.https_port,
            ssl=deployment.ssl_context,
            additional_headers={"Authorization": f"Token {supervisor_token}"},
            open_timeout=30,
        ) as feed:
            first = json.loads(await asyncio.wait_for(feed.recv(), 30))
            assert first["type"] == "summary", first

            captured = dt.datetime.now(dt.UTC).astimezone(WIB)
            response = await client.post(
                "/api/v1/checkins/",
                headers={"Authorization": f"Token {employee_token}"},
                data={
                    "client_uuid": "6a3e4c1e-2d7b-4c55-9a55-0d5f8a1b2c3d",
                    "kind": "in",
                    "latitude": f"{workplace['latitude'] + 0.0001:.7f}",
                    "longitude": f"{workplace['longitude']:.7f}",
                    "accuracy_m": "8",
                    "captured_at": captured.isoformat(),
                    "device_id": "deploy-test",
                },
                files={"photo": ("selfie.jpg", PHOTO.read_bytes(), "image/jpeg")},
                extensions={"sni_hostname": HOST},
            )
            assert response.status_code == 201, response.text
            checkin = response.json()
            # Host and X-Forwarded-Proto reached Django: the URLs it builds
            # name the public https origin, port included.
            thumbnail_path = deployment.path_of(checkin["thumbnail_url"])

            event = await asyncio.wait_for(_next_event(feed, checkin["id"]), 30)
            assert deployment.path_of(event["data"]["thumbnail_url"]) == thumbnail_path

        supervisor_auth = {
            "Authorization": f"Token {supervisor_token}",
            # A client cannot choose the address the audit log records.
            "X-Forwarded-For": SPOOFED_ADDRESS,
        }
        for path in (thumbnail_path, deployment.path_of(checkin["photo_url"])):
            response = await client.get(path, **_sni(headers=supervisor_auth))
            assert response.status_code == 200, response.text
            # nginx followed the redirect and kept the view's headers.
            assert "x-accel-redirect" not in response.headers
            assert response.headers["content-type"] == "image/jpeg"
            assert response.headers["cache-control"] == "private, max-age=3600"
            assert response.headers["content-disposition"].startswith("inline")
            assert response.headers["x-content-type-options"] == "nosniff"
            # Sent from the internal location, which adds this.
            assert response.headers["content-security-policy"] == "sandbox"
            served = response.content
            assert served != PHOTO.read_bytes()
            with Image.open(io.BytesIO(served)) as image:
                assert image.format == "JPEG"
                assert not image.getexif()
            assert b"Exif" not in served[:4096]

        refused = await client.get(
            thumbnail_path,
            **_sni(headers={"Authorization": f"Token {outsider_token}"}),
        )
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/json")
        anonymous = await client.get(thumbnail_path, **_sni())
        assert anonymous.status_code == 401
        assert not anonymous.content.startswith(b"\xff\xd8")

    # Both views of the photo were logged with the address nginx saw.
    with contextlib.closing(sqlite3.connect(deployment.database)) as database:
        addresses = database.execute(
            "SELECT ip FROM audit_auditentry WHERE action = 'photo.accessed'"
        ).fetchall()
    assert addresses == [("127.0.0.1",), ("127.0.0.1",)]


def test_media_has_no_public_url(deployment: Deployment) -> None:
    secret = deployment.site.media_root / "checkins" / "secret.jpg"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(PHOTO.read_bytes())

    async def probe() -> None:
        async with deployment.client() as client:
            for path in (
                "/media/checkins/secret.jpg",
                "/media-not-public/checkins/secret.jpg",
                f"{ACCEL_PREFIX}checkins/secret.jpg",
                "/static/../media/checkins/secret.jpg",
            ):
                response = await client.get(path, **_sni())
                assert response.status_code == 404, path
                assert PHOTO.read_bytes()[:64] not in response.content

    asyncio.run(probe())


def test_an_oversize_upload_is_refused_by_nginx(deployment: Deployment) -> None:
    # Declared larger than the check-in limit (16 MiB): nginx answers from
    # the headers alone, and the body never reaches a worker.
    declared = 16 * 1024 * 1024 + 1
    connection = http.client.HTTPSConnection(
        "127.0.0.1", deployment.site.https_port, context=_sni_context(deployment)
    )
    try:
        connection.putrequest("POST", "/api/v1/checkins/", skip_host=True)
        connection.putheader("Host", f"{HOST}:{deployment.site.https_port}")
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(declared))
        connection.endheaders()
        connection.send(b"--x\r\n" + b"\0" * 65536)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(body)["code"] == "too_large"

    # JSON endpoints take 1 MiB.
    async def big_json() -> httpx.Response:
        async with deployment.client() as client:
            return await client.post(
                "/api/v1/auth/token/",
                content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                **_sni(headers={"Content-Type": "application/json"}),
            )

    assert asyncio.run(big_json()).status_code == 413


def test_a_camera_photo_check_in_is_not_spooled_to_a_file(
    deployment: Deployment,
) -> None:
    """nginx passes a check-in with a 2.1 MB photo on from its memory, and
    a report body of that size through a temporary file (warned in its
    error log, once for each)."""
    error_log = deployment.site.log_dir / "pantau.error.log"
    spooled = "a client request body is buffered to a temporary file"

    def spooled_posts(path: str) -> int:
        text = error_log.read_text(errors="replace") if error_log.exists() else ""
        return sum(
            1
            for line in text.splitlines()
            if spooled in line and f"POST {path} " in line
        )

    body = CAMERA_PHOTO.read_bytes()
    assert len(body) > 2 * 1024 * 1024

    async def post(path: str) -> int:
        async with deployment.client() as client:
            response = await client.post(
                path,
                content=body,
                **_sni(headers={"Content-Type": "multipart/form-data; boundary=x"}),
            )
            return response.status_code

    before = {
        path: spooled_posts(path) for path in ("/api/v1/checkins/", "/api/v1/reports/")
    }
    # Without a token the app refuses them, after nginx has read them whole.
    assert asyncio.run(post("/api/v1/checkins/")) == 401
    assert asyncio.run(post("/api/v1/reports/")) == 401
    assert spooled_posts("/api/v1/checkins/") == before["/api/v1/checkins/"]
    assert spooled_posts("/api/v1/reports/") == before["/api/v1/reports/"] + 1


def _sni_context(deployment: Deployment) -> ssl.SSLContext:
    """``deployment.ssl_context`` sending ``pantau.test`` as the server name
    whatever address the socket connects to."""

    class _Named(ssl.SSLContext):
        def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs["server_hostname"] = HOST
            return super().wrap_socket(sock, *args, **kwargs)

    context = _Named(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=_ca_pem(deployment))
    return context


def _ca_pem(deployment: Deployment) -> str:
    return "".join(
        ssl.DER_cert_to_PEM_cert(der)
        for der in deployment.ssl_context.get_ca_certs(binary_form=True)
    )


def test_plain_http_is_redirected_to_https(deployment: Deployment) -> None:
    response = httpx.get(
        f"http://127.0.0.1:{deployment.site.http_port}/api/v1/me/?x=1",
        headers={"Host": HOST},
        timeout=10,
    )
    assert response.status_code == 301
    assert response.headers["location"] == f"https://{HOST}/api/v1/me/?x=1"

    # Except certificate renewals (certbot --webroot).
    challenge = deployment.site.acme_root / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True, exist_ok=True)
    (challenge / "token-123").write_text("token-123.proof")
    response = httpx.get(
        f"http://127.0.0.1:{deployment.site.http_port}"
        "/.well-known/acme-challenge/token-123",
        headers={"Host": HOST},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.text == "token-123.proof"


def test_static_files_come_from_nginx(deployment: Deployment) -> None:
    async def fetch() -> httpx.Response:
        async with deployment.client() as client:
            return await client.get(
                "/static/admin/css/base.css",
                **_sni(headers={"Accept-Encoding": "gzip"}),
            )

    response = asyncio.run(fetch())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    # nginx's expiry (WhiteNoise would say max-age=60), and the .gz that
    # collectstatic wrote, sent as it is (gzip_static).
    assert response.headers["cache-control"] == "max-age=3600"
    assert response.headers["content-encoding"] == "gzip"
    assert b"body" in response.content


def test_other_host_names_never_reach_the_app(deployment: Deployment) -> None:
    port = deployment.site.https_port
    # No server name (a scanner on the bare address): no TLS handshake.
    with pytest.raises(httpx.ConnectError):
        httpx.get(
            f"https://127.0.0.1:{port}/healthz",
            verify=deployment.ssl_context,
            timeout=10,
        )
    # The right certificate, another Host: the connection is dropped (444).
    with (
        httpx.Client(verify=deployment.ssl_context, timeout=10) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get(
            f"https://127.0.0.1:{port}/healthz",
            **_sni(headers={"Host": "evil.example"}),
        )
    # Django would have logged the host it refused (DisallowedHost).
    for log in deployment.app_log_dir.glob("app-*.log"):
        assert "evil.example" not in log.read_text(errors="replace")


def test_a_purged_photo_is_marked_through_nginx(deployment: Deployment) -> None:
    """The header the view adds for a purged original survives the
    internal redirect (nginx copies it from the upstream answer)."""
    employee = [a for a in deployment.accounts if a["role"] == "employee"][-1]
    workplace = deployment.workplaces[0]
    captured = dt.datetime.now(dt.UTC).astimezone(WIB) - dt.timedelta(days=2)

    async def check_in() -> tuple[str, str]:
        async with deployment.client() as client:
            token = await login(client, deployment, employee["username"])
            response = await client.post(
                "/api/v1/checkins/",
                headers={"Authorization": f"Token {token}"},
                data={
                    "client_uuid": "0b8f5d2e-9c4a-4f7e-8d21-5a6b7c8d9e0f",
                    "kind": "in",
                    "latitude": f"{workplace['latitude']:.7f}",
                    "longitude": f"{workplace['longitude']:.7f}",
                    "accuracy_m": "8",
                    "captured_at": captured.isoformat(),
                },
                files={"photo": ("selfie.jpg", PHOTO.read_bytes(), "image/jpeg")},
                extensions={"sni_hostname": HOST},
            )
            assert response.status_code == 201, response.text
            return token, deployment.path_of(response.json()["photo_url"])

    async def fetch(token: str, path: str) -> httpx.Response:
        async with deployment.client() as client:
            return await client.get(
                path, **_sni(headers={"Authorization": f"Token {token}"})
            )

    token, photo_path = asyncio.run(check_in())
    assert (
        "x-photo-original-purged" not in asyncio.run(fetch(token, photo_path)).headers
    )
    stack.manage(
        deployment.env, "purge_photo_originals", "--older-than-days", "1", timeout=120
    )
    response = asyncio.run(fetch(token, photo_path))
    assert response.status_code == 200
    assert response.headers["x-photo-original-purged"] == "true"
    with Image.open(io.BytesIO(response.content)) as image:
        assert max(image.size) <= 320  # the thumbnail: the largest copy left
