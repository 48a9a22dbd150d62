"""Browser tests: headless Chromium (Debian's package, never a downloaded
browser) driven by Playwright against a real Pantau server.

Fixtures (contract for every browser test):

- ``web_server`` (session): ``manage.py serve`` on a free 127.0.0.1 port,
  on its own SQLite file, media and static folders in a temp dir, migrated,
  static files collected and ``seed_demo`` loaded. A :class:`WebServer`
  with ``base_url``, ``accounts`` (``seed_demo --json``: username, nip, name,
  role, unit, supervisor), ``password``, ``workplaces`` (name, latitude,
  longitude, radius_m), ``admin_username`` and ``account(role)`` /
  ``workplace(name_part)`` helpers.
- ``chromium_executable`` (session): path of ``chromium``; the test is
  skipped when it is missing, and fails under ``CI=true``.
- ``fake_camera`` (session): a .y4m video made from a real fixture photo,
  fed to Chromium as its camera.
- ``browser`` (session): Chromium with the fake camera and no permission
  prompts.
- ``new_context`` (function): ``new_context(**playwright_context_kwargs)``
  makes a browser context on ``base_url`` (closed after the test). Default:
  a 360x760 phone, Indonesian, geolocation at the first demo workplace,
  camera and geolocation allowed.
- ``page`` (function): a page in a default ``new_context()``.
- ``login`` (function): ``login(page, username, password=None)`` logs in
  through the form and accepts the privacy notice when it is asked.

The server is shared by the whole session: each test module works with its
own demo people (the employee tests use unit BKD-B3) so that one test's
check-ins do not change another's counts.

Wait with ``playwright.sync_api.expect`` or selectors, not
``page.wait_for_function("<expression>")``: the pages' CSP forbids eval, and
Playwright evaluates expression strings with it while polling.

Every test in this folder gets the ``browser`` marker: it runs in the SQLite
pass of ``make test`` only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests import stack
from tests.run import DEPLOYMENT_VARS

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "tests" / "fixtures" / "photos"
CAMERA_PHOTO = PHOTOS / "mobile_jolla.jpg"
# Larger than the 1280 px the page shrinks photos to, so the shrinking shows.
CAMERA_SIZE = (1600, 1200)
PHONE = {"width": 360, "height": 760}


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class WebServer:
    base_url: str
    port: int
    scratch: Path
    env: dict[str, str]
    accounts: list[dict[str, Any]]
    password: str
    admin_username: str
    workplaces: list[dict[str, Any]]

    def account(self, role: str) -> dict[str, Any]:
        """The first demo account with ``role`` (employee, supervisor, ...)."""
        for account in self.accounts:
            if account.get("role") == role:
                return account
        raise LookupError(f"no demo account with role {role!r}")

    def employees(self, unit: str | None = None) -> list[dict[str, Any]]:
        """Demo accounts with the plain employee role, of ``unit`` if given."""
        return [
            account
            for account in self.accounts
            if account.get("role") == "employee"
            and (unit is None or account.get("unit") == unit)
        ]

    def workplace(self, name_part: str = "") -> dict[str, Any]:
        for place in self.workplaces:
            if name_part.lower() in place["name"].lower():
                return place
        raise LookupError(f"no demo workplace named like {name_part!r}")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the browser tests.")
        pytest.skip(message)
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[dev]'")
    return path


@pytest.fixture(scope="package")
def web_server(chromium_executable: str) -> Iterator[WebServer]:
    with tempfile.TemporaryDirectory(prefix="pantau-browser-") as directory:
        scratch = Path(directory)
        env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARS}
        env.update(
            {
                "SECRET_KEY": "browser-test-secret-key-0123456789-abcdefghijklmnop",
                "HTTPS": "0",
                "DEBUG": "0",
                "DJANGO_SETTINGS_MODULE": "backend.settings",
                "SQLITE_PATH": str(scratch / "pantau.sqlite3"),
                "MEDIA_ROOT": str(scratch / "media"),
                "STATIC_ROOT": str(scratch / "static"),
                "PANTAU_VAR_DIR": str(scratch),
                "LOG_LEVEL": "WARNING",
                "LOGIN_RATE": "10000/min",
            }
        )
        stack.manage(env, "migrate", "--no-input", "-v0")
        stack.manage(env, "collectstatic", "--no-input", "-v0")
        seeded = json.loads(stack.manage(env, "seed_demo", "--json"))
        port = stack.free_port()
        log_path = scratch / "server.log"
        process = stack.start_app(env, port, log_path)
        base = f"http://127.0.0.1:{port}"
        try:
            stack.wait_until_healthy(base, [process], [log_path], 60)
            yield WebServer(
                base_url=base,
                port=port,
                scratch=scratch,
                env=env,
                accounts=seeded["accounts"],
                password=seeded["password"],
                admin_username=seeded.get("admin_username", "admin"),
                workplaces=seeded["workplaces"],
            )
        finally:
            stack.stop_process(process)


def write_y4m(photo: Path, target: Path, size: tuple[int, int], frames: int) -> Path:
    """A YUV4MPEG2 (4:2:0) video showing ``photo``, for Chromium's fake camera."""
    image = Image.open(photo).convert("RGB").resize(size)
    y, cb, cr = image.convert("YCbCr").split()
    half = (size[0] // 2, size[1] // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(frame)
    return target


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("camera")
    return write_y4m(CAMERA_PHOTO, folder / "camera.y4m", CAMERA_SIZE, frames=4)


# Package scope, not session: while Playwright's sync API is active the main
# thread has a running event loop, which the tests after this package (Django's
# async-unsafe checks, pytest-asyncio) must not see.
@pytest.fixture(scope="package")
def browser(chromium_executable: str, fake_camera: Path) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # Uploads and the camera take a moment on a loaded 2-core machine.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_executable,
            headless=True,
            args=[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={fake_camera}",
                "--no-sandbox",
                "--disable-dev-shm-usage",
            ],
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def new_context(browser: Any, web_server: WebServer) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []
    place = web_server.workplaces[0]

    def make(**kwargs: Any) -> Any:
        options: dict[str, Any] = {
            "base_url": web_server.base_url,
            "viewport": PHONE,
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
            "geolocation": {
                "latitude": place["latitude"],
                "longitude": place["longitude"],
                "accuracy": 8,
            },
            "permissions": ["geolocation", "camera"],
        }
        options.update(kwargs)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    return new_context().new_page()


def login_through_form(
    page: Any, server: WebServer, username: str, password: str | None = None
) -> None:
    page.goto("/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or server.password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    if "/privasi/" in page.url:
        page.check("input[name=accept]")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()


@pytest.fixture
def login(web_server: WebServer) -> Callable[..., None]:
    def do(page: Any, username: str, password: str | None = None) -> None:
        login_through_form(page, web_server, username, password)

    return do
