"""A small HTTP load generator on loopback: C clients in one asyncio loop, bounded by count and time.

Why not wrk: it is not on the machine; this is enough to compare servers with the same
client (the client's own CPU cost is the same for every server, and is stated).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from urllib.parse import urlsplit

import httpx


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"{url}: the benchmark only talks to loopback")
    return url


async def _run(url: str, headers: dict, clients: int, max_requests: int, seconds: float, timeout: float) -> dict:
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as client:
        async def worker():
            nonlocal issued, errors
            while issued < max_requests and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                try:
                    r = await client.get(url, headers=headers)
                    await r.aread()
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None

    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": statistics.median(latencies) if latencies else None, "p99": pct(0.99)}


def load(url: str, *, headers: dict | None = None, clients: int = 1, max_requests: int = 300,
         seconds: float = 3.0, timeout: float = 15.0) -> dict:
    """requests/s, p50 and p99 (seconds) of GET url with `clients` concurrent clients."""
    return asyncio.run(_run(_loopback(url), headers or {}, clients, max_requests, seconds, timeout))
