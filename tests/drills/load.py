"""Phones checking in: real multipart check-ins with the fixture photos,
each remembered with exactly what was sent, so that a drill can retry it
byte for byte and compare what the server kept with what it acknowledged."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.drills.deployment import Deployment

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"
# 1280-px pictures as the web app sends them.
PHOTO_NAMES = (
    "mobile_HMD_Nokia_8.3_5G_1280.jpg",
    "orientation_portrait_6.jpg",
    "gps_DSCN0010.jpg",
)
WIB = dt.timezone(dt.timedelta(hours=7))


@dataclass
class Phone:
    username: str
    token: str


@dataclass
class Attempt:
    phone: Phone
    fields: dict[str, str]
    photo_name: str
    photo_sha256: str
    status: int | None = None  # None: no answer (connection broken)
    error: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    seconds: float = 0.0

    @property
    def client_uuid(self) -> str:
        return self.fields["client_uuid"]


class Photos:
    def __init__(self) -> None:
        self.data = {name: (PHOTOS / name).read_bytes() for name in PHOTO_NAMES}
        self.sha256 = {
            name: hashlib.sha256(data).hexdigest() for name, data in self.data.items()
        }
        self._next = itertools.cycle(PHOTO_NAMES)

    def pick(self) -> str:
        return next(self._next)


async def login(client: httpx.AsyncClient, deployed: Deployment, username: str) -> str:
    response = await client.post(
        f"{deployed.base_url}/api/v1/auth/token/",
        json={"username": username, "password": deployed.password},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


async def phones(deployed: Deployment, count: int, *, unit: str = "BKD") -> list[Phone]:
    """Logged-in employees of ``unit`` and the units below it."""
    names = [
        a["username"]
        for a in deployed.accounts
        if a["role"] == "employee" and a["unit"].startswith(unit)
    ][:count]
    assert len(names) == count, f"only {len(names)} employees in {unit}"
    async with httpx.AsyncClient(timeout=30) as client:
        tokens = [await login(client, deployed, name) for name in names]
    return [Phone(name, token) for name, token in zip(names, tokens, strict=True)]


class CheckinLoad:
    """Concurrent phones, each sending one check-in after another."""

    def __init__(self, deployed: Deployment, phones: list[Phone]) -> None:
        self.deployed = deployed
        self.phones = phones
        self.photos = Photos()
        self.workplace = deployed.workplaces[0]
        self.attempts: list[Attempt] = []
        self._stop = asyncio.Event()

    def new_attempt(self, phone: Phone) -> Attempt:
        number = len(self.attempts)
        photo_name = self.photos.pick()
        fields = {
            "client_uuid": str(uuid.uuid4()),
            "kind": "in",
            "latitude": f"{self.workplace['latitude'] + number * 1e-7:.7f}",
            "longitude": f"{self.workplace['longitude']:.7f}",
            "accuracy_m": "8",
            "captured_at": dt.datetime.now(WIB).isoformat(),
            "device_id": f"drill-{phone.username}",
        }
        return Attempt(phone, fields, photo_name, self.photos.sha256[photo_name])

    async def send(self, client: httpx.AsyncClient, attempt: Attempt) -> Attempt:
        """Send (or resend) ``attempt`` as is; record the answer."""
        attempt.started = time.monotonic()
        attempt.status, attempt.error, attempt.body = None, "", {}
        try:
            response = await client.post(
                f"{self.deployed.base_url}/api/v1/checkins/",
                headers={"Authorization": f"Token {attempt.phone.token}"},
                data=attempt.fields,
                files={
                    "photo": (
                        attempt.photo_name,
                        self.photos.data[attempt.photo_name],
                        "image/jpeg",
                    )
                },
            )
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        else:
            attempt.status = response.status_code
            try:
                attempt.body = response.json()
            except json.JSONDecodeError:
                attempt.body = {"not_json": response.text[:200]}
        attempt.seconds = time.monotonic() - attempt.started
        return attempt

    async def _phone(self, phone: Phone, pause: float) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while not self._stop.is_set():
                attempt = self.new_attempt(phone)
                self.attempts.append(attempt)
                await self.send(client, attempt)
                if pause:
                    await asyncio.sleep(pause)

    def start(self, *, pause: float = 0.0) -> asyncio.Task[Any]:
        """Start every phone; ``stop()`` ends them after their current send."""
        self._stop.clear()
        return asyncio.ensure_future(
            asyncio.gather(*(self._phone(phone, pause) for phone in self.phones))
        )

    def stop(self) -> None:
        self._stop.set()

    def answered(self, status: int) -> list[Attempt]:
        return [a for a in self.attempts if a.status == status]

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for attempt in self.attempts:
            key = str(attempt.status) if attempt.status else "no answer"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))
