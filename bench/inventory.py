"""Inventory: receiving stock, and kit commands from 200 to the read model.

The real processes (inventory-api, inventory-relay, inventory-projector) are started by
tests.support.IsolatedStack on a database, topic prefix and ports of their own.

1. Receipts: 20 batches of 100 kits, one POST each (101 events in one append), 4 at a
   time: POST p50/p99 and kits received per second.
2. Transfers: 16 clients each move their own kits between two locations for 15 s (a
   closed loop, as fast as the API answers): commands/s, POST p50/p99, and for every 200
   the time until the read model shows that version of the kit (a watcher polls
   `inventory_view.kits` every ~5 ms), p50/p99.
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
    isolated_stack,
    percentile,
    progress,
)

NAME = "inventory"
FORCE = "west-midlands"
BATCHES, KITS_PER_BATCH, RECEIVE_CONCURRENCY = 20, 100, 4
CLIENTS, TRANSFER_SECONDS = 16, 15.0
POLL_SECONDS = 0.005
PROCESSES = ("inventory-api", "inventory-relay", "inventory-projector")
LOCATIONS = ({"location_id": "STN-A", "location_type": "police_station"},
             {"location_id": "VAN-B", "location_type": "vehicle"})


class VersionWatcher:
    """Records when the read model first shows each awaited (kit, version)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.waiting: dict[uuid.UUID, tuple[int, float]] = {}
        self.lags_ms: list[float] = []
        self._stop = asyncio.Event()

    def expect(self, kit_id: uuid.UUID, version: int, answered_at: float) -> None:
        self.waiting[kit_id] = (version, answered_at)

    async def run(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            while not self._stop.is_set():
                if self.waiting:
                    asked = time.perf_counter()
                    rows = await conn.fetch("SELECT kit_id, version FROM inventory_view.kits "
                                            "WHERE kit_id = ANY($1::uuid[])", list(self.waiting))
                    for row in rows:
                        wanted = self.waiting.get(row["kit_id"])
                        if wanted and row["version"] >= wanted[0]:
                            self.waiting.pop(row["kit_id"])
                            self.lags_ms.append((asked - wanted[1]) * 1000)
                await asyncio.sleep(POLL_SECONDS)
        finally:
            await conn.close()

    def stop(self) -> None:
        self._stop.set()


async def _measure(stack: IsolatedStack, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    out: dict = {}
    async with httpx.AsyncClient(base_url=stack.api("inventory"), timeout=30,
                                 limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)) as client:
        progress(NAME, f"receiving {BATCHES} batches of {KITS_PER_BATCH} kits, {RECEIVE_CONCURRENCY} at a time")
        sem = asyncio.Semaphore(RECEIVE_CONCURRENCY)
        receive_ms: list[float] = []
        kit_ids: list[str] = []

        async def receive(n: int) -> None:
            async with sem:
                sent = time.perf_counter()
                r = await client.post(f"/v1/forces/{FORCE}/stock/batches", headers={
                    **headers, "Idempotency-Key": f"bench-{uuid.uuid4()}"}, json={
                    "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": f"B{n:05d}",
                    "quantity": KITS_PER_BATCH, "expires_on": "2030-01-01", "received_on": "2026-01-01",
                    "location": LOCATIONS[0]})
                receive_ms.append((time.perf_counter() - sent) * 1000)
                if r.status_code != 201:
                    raise RuntimeError(f"receive failed: {r.status_code} {r.text[:200]}")
                kit_ids.extend(r.json()["kit_ids"])

        started = time.perf_counter()
        await asyncio.gather(*(receive(n) for n in range(BATCHES)))
        out["receive_kits_per_s"] = BATCHES * KITS_PER_BATCH / (time.perf_counter() - started)
        out["receive_p50_ms"], out["receive_p99_ms"] = percentile(receive_ms, 50), percentile(receive_ms, 99)

        watcher = VersionWatcher(stack.database_urls["inventory"])
        watching = asyncio.create_task(watcher.run())
        post_ms: list[float] = []
        failures: dict[str, int] = {}
        progress(NAME, f"{CLIENTS} clients transferring kits for {TRANSFER_SECONDS:.0f}s")
        cpu = CpuMeter()
        deadline = time.monotonic() + TRANSFER_SECONDS

        async def client_loop(c: int) -> None:
            mine = kit_ids[c::CLIENTS]
            n = 0
            while time.monotonic() < deadline:
                kit_id = mine[n % len(mine)]
                to = LOCATIONS[(n // len(mine) + 1) % 2]
                sent = time.perf_counter()
                r = await client.post(f"/v1/forces/{FORCE}/kits/{kit_id}/transfer", headers={
                    **headers, "Idempotency-Key": f"bench-{uuid.uuid4()}"},
                    json={"to": to, "transferred_on": "2026-01-02"})
                answered = time.perf_counter()
                if r.status_code == 200:
                    post_ms.append((answered - sent) * 1000)
                    watcher.expect(uuid.UUID(kit_id), r.json()["version"], answered)
                else:
                    failures[f"HTTP {r.status_code}"] = failures.get(f"HTTP {r.status_code}", 0) + 1
                n += 1

        started = time.perf_counter()
        await asyncio.gather(*(client_loop(c) for c in range(CLIENTS)))
        elapsed = time.perf_counter() - started
        settle = time.monotonic() + 30
        while watcher.waiting and time.monotonic() < settle:
            await asyncio.sleep(0.05)
        watcher.stop()
        await watching
        out.update(cpu.read())
        out["transfers_per_s"] = len(post_ms) / elapsed
        out["post_p50_ms"], out["post_p99_ms"] = percentile(post_ms, 50), percentile(post_ms, 99)
        out["view_p50_ms"], out["view_p99_ms"] = percentile(watcher.lags_ms, 50), percentile(watcher.lags_ms, 99)
        out["failures"] = failures
        progress(NAME, f"{out['transfers_per_s']:.0f} transfers/s, POST p99 {out['post_p99_ms']:.1f} ms, "
                       f"200 -> read model p99 {out['view_p99_ms']:.1f} ms ({cpu.text()})")
    return out


async def run() -> list[Figure]:
    async with isolated_stack(NAME) as (stack, issuer, _workdir):
        await asyncio.to_thread(stack.start, *PROCESSES)
        token = issuer.mint(subject=f"bench@{FORCE}", roles=["force_admin"], force_id=FORCE, ttl_seconds=3600)
        r = await _measure(stack, token)
    note = f"failures {r['failures']}" if r["failures"] else ""
    return [
        Figure(NAME, f"receive {KITS_PER_BATCH}-kit batches, {RECEIVE_CONCURRENCY} at a time", r["receive_kits_per_s"],
               "kits/s"),
        Figure(NAME, "receive: POST p99", r["receive_p99_ms"], "ms", higher_is_better=False),
        Figure(NAME, f"kit transfers, {CLIENTS} clients closed loop", r["transfers_per_s"], "commands/s"),
        Figure(NAME, "transfer: POST p50", r["post_p50_ms"], "ms", higher_is_better=False),
        Figure(NAME, "transfer: POST p99", r["post_p99_ms"], "ms", higher_is_better=False),
        Figure(NAME, "transfer: 200 -> read model p50", r["view_p50_ms"], "ms", higher_is_better=False),
        Figure(NAME, "transfer: 200 -> read model p99", r["view_p99_ms"], "ms", target=500.0,
               higher_is_better=False, note=note, detail=r),
    ]
