"""deploy/: the env file template, the systemd units and the nginx site agree
with each other and with the settings they configure."""

from __future__ import annotations

import inspect
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from django.conf import settings

pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "pantau.env.example"
NGINX_SITE = (DEPLOY / "nginx" / "pantau.conf").read_text()
UNITS = DEPLOY / "systemd"
SERVICES = ["pantau@.service", "pantau-migrate.service", "pantau-daily.service"]
MIB = 1024 * 1024


def env_example() -> dict[str, str]:
    """The variables the template sets (commented-out defaults excluded)."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), line
            values[name] = value
    return values


def unit(name: str) -> str:
    return (UNITS / name).read_text()


def nginx_size(location: str) -> int:
    block = re.search(
        rf"location = {re.escape(location)} \{{(.*?)\}}", NGINX_SITE, re.DOTALL
    )
    assert block, location
    size = re.search(r"client_max_body_size (\d+)m;", block[1])
    assert size, location
    return int(size[1]) * MIB


def test_the_template_lists_every_documented_variable() -> None:
    documented = set(
        re.findall(
            r"^\| `([A-Z][A-Z0-9_]*)` \|",
            (ROOT / "docs" / "configuration.md").read_text(),
            re.MULTILINE,
        )
    )
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    assert documented
    assert documented <= listed, documented - listed


def test_the_template_passes_the_deployment_checks(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        **env_example(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        # The production paths do not exist here; nothing is written to them.
        "PANTAU_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            # The security checks; the API schema's own are tested elsewhere.
            "--tag",
            "security",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nginx_units_and_template_name_the_same_places() -> None:
    values = env_example()
    media, static = values["MEDIA_ROOT"], values["STATIC_ROOT"]
    prefix = values["PROTECTED_MEDIA_ACCEL_PREFIX"]
    internal = re.search(
        rf"location {re.escape(prefix)} \{{\s*internal;\s*alias ([^;]+);", NGINX_SITE
    )
    assert internal, f"no internal location {prefix} in the nginx site"
    assert internal[1] == f"{media}/"
    assert f"alias {static}/;" in NGINX_SITE
    for name in SERVICES:
        text = unit(name)
        assert "EnvironmentFile=/etc/pantau/pantau.env" in text, name
        writable = re.search(r"^ReadWritePaths=(.*)$", text, re.M)
        assert writable, name
        assert values["PANTAU_VAR_DIR"] in writable[1].split(), name
    worker = re.search(r"^ReadWritePaths=(.*)$", unit("pantau@.service"), re.M)
    assert worker and media in worker[1].split()
    migrate = re.search(r"^ReadWritePaths=(.*)$", unit("pantau-migrate.service"), re.M)
    assert migrate and static in migrate[1].split()
    # The workers listen where nginx's upstream looks for them.
    assert "--host 127.0.0.1 --port %i" in unit("pantau@.service")
    assert re.findall(r"server 127\.0\.0\.1:(\d+);", NGINX_SITE) == [
        "8001",
        "8002",
        "8003",
    ]


def test_nginx_refuses_only_what_the_app_refuses_too() -> None:
    # The views refuse a body over the limit plus room for the form fields
    # (mobile_api.requests.too_large); nginx must let all of that through.
    checkin_limit = settings.PHOTO_MAX_BYTES + 64 * 1024
    report_limit = settings.REPORT_EVIDENCE_MAX_TOTAL_BYTES + 256 * 1024
    assert checkin_limit <= nginx_size("/api/v1/checkins/") < checkin_limit + MIB
    assert report_limit <= nginx_size("/api/v1/reports/") < report_limit + MIB


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    # verify checks that ExecStart's program exists: point it at this Python.
    for source in UNITS.iterdir():
        text = source.read_text().replace(
            "/srv/pantau/.venv/bin/python", sys.executable
        )
        (tmp_path / source.name).write_text(text)
    names = [
        "pantau@8001.service",
        "pantau-migrate.service",
        "pantau.target",
        "pantau-daily.service",
        "pantau-daily.timer",
    ]
    result = subprocess.run(
        [analyze, "verify", *(f"./{name}" for name in names)],
        cwd=tmp_path,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_nginx_lets_idle_worker_connections_go_before_the_worker_does() -> None:
    upstream = re.search(r"upstream pantau_app \{(.*?)\}", NGINX_SITE, re.DOTALL)
    assert upstream
    idle = re.search(r"keepalive_timeout (\d+)s;", upstream[1])
    assert idle
    serve = ROOT / "backend" / "ops" / "management" / "commands" / "serve.py"
    assert "timeout_keep_alive" not in serve.read_text()
    default = inspect.signature(uvicorn.Config).parameters["timeout_keep_alive"]
    assert int(idle[1]) < default.default
