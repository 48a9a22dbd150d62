"""A minimal keep-alive HTTP/1.1 load client on asyncio streams.

The benchmark client shares the machine's two cores with the server, so it
must cost as little as possible: request bodies are built once, and each
request only splices a fresh ``client_uuid`` into prebuilt bytes.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def record(self, status: int, seconds: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(seconds)

    def summary(self) -> dict[str, float | dict[int, int]]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            if not ordered:
                return float("nan")
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        return {
            "requests": len(ordered),
            "per_second": len(ordered) / self.elapsed if self.elapsed else 0.0,
            "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "statuses": dict(sorted(self.statuses.items())),
        }


def multipart(
    fields: dict[str, str],
    file_field: str,
    filename: str,
    file_bytes: bytes,
    content_type: str = "image/jpeg",
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """One response: its status, whether the connection stays open after
    it (no ``Connection: close``) and its body, chunked or not."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    keep = True
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        elif lowered == b"connection" and b"close" in value.lower():
            keep = False
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        parts = []
        while True:
            size = int((await reader.readline()).strip(), 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        return status, keep, b"".join(part[:-2] for part in parts)
    body = await reader.readexactly(length) if length else b""
    return status, keep, body


async def run_load(
    *,
    port: int,
    make_request: Callable[[int], bytes],
    concurrency: int,
    total: int,
    tally: Tally,
) -> None:
    """Send ``total`` requests over ``concurrency`` keep-alive connections;
    a connection the server closes is opened again, as a browser or a
    phone's HTTP library does (the reconnect counts in the next request's
    time)."""
    counter = iter(range(total))

    async def worker() -> None:
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            for number in counter:
                request = make_request(number)
                started = time.perf_counter()
                if connection is None:
                    connection = await asyncio.open_connection("127.0.0.1", port)
                reader, writer = connection
                writer.write(request)
                await writer.drain()
                status, keep, _body = await read_response(reader)
                tally.record(status, time.perf_counter() - started)
                if not keep:
                    writer.close()
                    connection = None
        finally:
            if connection is not None:
                connection[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.elapsed = time.perf_counter() - started


def http_request(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
    *,
    content_length: int | None = None,
) -> bytes:
    """Request bytes; ``content_length`` builds only the head for a body
    that the caller appends itself."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    length = len(body) if content_length is None else content_length
    if length or method == "POST":
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
