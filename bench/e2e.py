"""End to end: HTTP 201 to the officer being readable in the read model.

The real processes (training-api, training-relay, training-projector) are started by
tests.support.IsolatedStack on a database, topic prefix and ports of their own, with a
development token issuer in a temporary directory. After a short warm-up (first
connections, consumer group join), 500 enrolments are POSTed straight to the training API
at a paced 50/s. Each 201's arrival is recorded; a watcher queries the read model every
~5 ms for the officers whose 201 has arrived:

    SELECT officer_id FROM training_view.officers WHERE officer_id = ANY($1)

and records when each first appears (the time its query started: the row was committed
before that; the resolution is the poll interval plus one query). Reported: p50/p99 of
(appeared - 201 received), and of the POST round trip as the client saw it.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx

from tests.support import IsolatedStack

from .common import (
    CpuMeter,
    Figure,
    Ticker,
    isolated_stack,
    percentile,
    progress,
    staff_number,
)

NAME = "e2e"
FORCE = "west-midlands"
REQUESTS = 500
RATE = 50.0  # requests/s
WARMUP = 10
POLL_SECONDS = 0.005
PROCESSES = ("training-api", "training-relay", "training-projector")


class Watcher:
    """Polls the read model for officers whose 201 has arrived; records when each appears."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.waiting: dict[uuid.UUID, float] = {}  # officer_id -> when its 201 arrived
        self.appeared: dict[uuid.UUID, float] = {}
        self.polls = 0
        self._stop = asyncio.Event()

    def expect(self, officer_id: uuid.UUID, created_at: float) -> None:
        self.waiting[officer_id] = created_at

    async def run(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            while not self._stop.is_set():
                ids = list(self.waiting)
                if ids:
                    asked = time.perf_counter()
                    rows = await conn.fetch(
                        "SELECT officer_id FROM training_view.officers WHERE officer_id = ANY($1::uuid[])", ids)
                    self.polls += 1
                    for row in rows:
                        officer_id = row["officer_id"]
                        if officer_id in self.waiting:
                            self.waiting.pop(officer_id)
                            self.appeared[officer_id] = asked
                await asyncio.sleep(POLL_SECONDS)
        finally:
            await conn.close()

    def stop(self) -> None:
        self._stop.set()


async def _enrol(client: httpx.AsyncClient, headers: dict, number: int) -> tuple[httpx.Response, float, float]:
    sent = time.perf_counter()
    response = await client.post(
        f"/v1/forces/{FORCE}/officers",
        headers={**headers, "Idempotency-Key": f"bench-{uuid.uuid4()}"},
        json={"staff_number": staff_number(number), "role": "response", "enrolled_on": "2026-01-01"},
    )
    return response, sent, time.perf_counter()


async def _measure(stack: IsolatedStack, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    watcher = Watcher(stack.training_db_url)
    watching = asyncio.create_task(watcher.run())
    created: dict[uuid.UUID, float] = {}
    post_ms: list[float] = []
    failures: dict[str, int] = {}
    ticker = Ticker(NAME)
    try:
        async with httpx.AsyncClient(base_url=stack.training_api, timeout=15,
                                     limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)) as client:

            async def one(number: int, record: bool) -> None:
                try:
                    response, sent, received = await _enrol(client, headers, number)
                except httpx.HTTPError as exc:
                    failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                    return
                if response.status_code != 201:
                    key = f"HTTP {response.status_code}"
                    failures[key] = failures.get(key, 0) + 1
                    if failures[key] == 1:
                        progress(NAME, f"unexpected {key}: {response.text[:300]}")
                    return
                officer_id = uuid.UUID(response.json()["officer_id"])
                watcher.expect(officer_id, received)
                if record:
                    created[officer_id] = received
                    post_ms.append((received - sent) * 1000)

            # Warm-up: first connections, the JWKS, prepared statements, the consumer group join.
            progress(NAME, f"warm-up: {WARMUP} enrolments until the read model shows them")
            await asyncio.gather(*(one(900_000 + i, False) for i in range(WARMUP)))
            deadline = time.monotonic() + 60
            while watcher.waiting and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if watcher.waiting:
                raise TimeoutError("warm-up enrolments did not reach the read model within 60 s")

            progress(NAME, f"posting {REQUESTS} enrolments at {RATE:.0f}/s")
            cpu = CpuMeter()
            tasks = []
            started = time.monotonic()
            for i in range(REQUESTS):
                delay = started + i / RATE - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i, True)))
                ticker.tick(f"posted {i + 1}/{REQUESTS}, read model shows {len(watcher.appeared) - WARMUP}")
            await asyncio.gather(*tasks)
            posting_seconds = time.monotonic() - started
            deadline = time.monotonic() + 30
            while any(oid in watcher.waiting for oid in created) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            cpu_use = cpu.read()
    finally:
        watcher.stop()
        await watching
    visible_ms = [(watcher.appeared[oid] - t) * 1000 for oid, t in created.items() if oid in watcher.appeared]
    result = {
        "requests": REQUESTS, "created": len(created), "visible": len(visible_ms), "failures": failures,
        "achieved_rate": REQUESTS / posting_seconds, "watcher_polls": watcher.polls,
        "visible_p50_ms": percentile(visible_ms, 50), "visible_p90_ms": percentile(visible_ms, 90),
        "visible_p99_ms": percentile(visible_ms, 99), "visible_max_ms": max(visible_ms) if visible_ms else None,
        "post_p50_ms": percentile(post_ms, 50), "post_p99_ms": percentile(post_ms, 99),
        "post_max_ms": max(post_ms) if post_ms else None, **cpu_use,
    }
    if visible_ms:
        progress(NAME, f"201 -> read model p50 {result['visible_p50_ms']:.1f} ms, "
                       f"p99 {result['visible_p99_ms']:.1f} ms; "
                       f"POST p50 {result['post_p50_ms']:.1f} ms, p99 {result['post_p99_ms']:.1f} ms "
                       f"({len(created)} created, {len(visible_ms)} seen; {cpu.text()})")
    return result


async def run() -> list[Figure]:
    async with isolated_stack(NAME) as (stack, issuer, workdir):
        progress(NAME, f"starting {', '.join(PROCESSES)} (logs in {workdir / 'run'})")
        started = time.monotonic()
        await asyncio.to_thread(stack.start, *PROCESSES)
        progress(NAME, f"processes ready in {time.monotonic() - started:.1f}s")
        token = issuer.mint(subject=f"bench@{FORCE}", roles=["trainer"], force_id=FORCE, ttl_seconds=3600)
        result = await _measure(stack, token)
    note = ""
    if result["failures"] or result["visible"] < result["requests"]:
        note = f"{result['created']} created, {result['visible']} seen in the read model, failures {result['failures']}"
    return [
        Figure(NAME, f"201 -> read model, {REQUESTS} POSTs at {RATE:.0f}/s: p50", result["visible_p50_ms"], "ms",
               higher_is_better=False, detail=result, note=note),
        Figure(NAME, f"201 -> read model, {REQUESTS} POSTs at {RATE:.0f}/s: p99", result["visible_p99_ms"], "ms",
               higher_is_better=False),
        Figure(NAME, "HTTP POST /officers round trip: p50", result["post_p50_ms"], "ms", higher_is_better=False),
        Figure(NAME, "HTTP POST /officers round trip: p99", result["post_p99_ms"], "ms", higher_is_better=False),
    ]
