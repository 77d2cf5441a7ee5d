"""Views: the largest read model rebuilt, against a bare consume of the same topics; dashboard reads.

Setup (not timed): an isolated stack with every process (`IsolatedStack.up`), loaded with the
demo (`naloxctl demo load --scale BENCH_VIEWS_SCALE`, default 1: 46 forces, 32 active, about
58,600 events on the views' topics) through the gateway; then every outbox is drained and the
live views have caught up (the demo load checks them against its plan).

* rebuild: `rebuild(ViewsReadModel(), ..., swap=False)` (the views service's figures: every
  domain topic into its entities, ledger and totals) into a fresh schema, timed from the call
  to its return, as `naloxctl rebuild views_figures` runs it: its topic groups shared among
  one process per CPU. Then the same with `workers=1` (one process), for comparison.
* bare consume: the same topics from the beginning by a plain AIOKafkaConsumer (no group, no
  decoding, nothing written): the ceiling, printed as the ratio rebuild / bare. Bare consume and
  rebuild alternate `BENCH_VIEWS_PAIRS` (3) times; the medians are reported.
* dashboard reads: open-loop at `BENCH_VIEWS_READ_RATE` (500) requests/s for
  `BENCH_VIEWS_READ_SECONDS` (10) through the gateway, the dashboard's calls in turn: the
  national comparison and trends (a national lead), a region's overview (a national lead) and
  a force's overview (its force admin): answered/s, p50, p99 and the answers that were not 200.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections import Counter

import aiohttp

from naloxone_kernel.projector import cpus_available, rebuild
from naloxctl.demo import load_demo
from tests.harness import LOADS, read_models, topic_end_offsets, wait_caught_up, wait_outbox_drained
from views.projections import ViewsReadModel

from .common import KAFKA_BOOTSTRAP, CpuMeter, Figure, bare_consume, isolated_stack, percentile, progress
from .workload import UNLIMITED, run_at_rate

NAME = "views"
SCALE = float(os.environ.get("BENCH_VIEWS_SCALE", "1"))
READ_RATE = float(os.environ.get("BENCH_VIEWS_READ_RATE", "500"))
READ_SECONDS = float(os.environ.get("BENCH_VIEWS_READ_SECONDS", "10"))
PAIRS = int(os.environ.get("BENCH_VIEWS_PAIRS", "3"))
TARGET_RATE = 20_000.0
TARGET_RATIO = 0.5
FORCE, REGION = "west-midlands", "west-midlands"  # the force and its policing region


async def _load(stack, issuer, topics: list[str]) -> int:
    demo = await load_demo(stack.gateway, issuer, scale=SCALE, timeout=600)
    total = await topic_end_offsets(stack, topics)
    progress(NAME, f"demo at scale {SCALE:g} loaded in {demo['load_seconds']} s: {total:,} events on the views' topics")
    return total


async def _reads(stack, issuer) -> dict:
    national = {"Authorization": "Bearer " + issuer.mint(subject="bench-national", roles=["national_lead"],
                                                         ttl_seconds=3600)}
    admin = {"Authorization": "Bearer " + issuer.mint(subject=f"bench-admin@{FORCE}", roles=["force_admin"],
                                                      force_id=FORCE, ttl_seconds=3600)}
    calls = [("/v1/national/comparison", national), ("/v1/national/trends", national),
             (f"/v1/regions/{REGION}/overview", national), (f"/v1/forces/{FORCE}/overview", admin)]
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    turn = {"n": 0}
    # aiohttp, not httpx: at 500 requests/s httpx took a whole core of the bench's own and was the bottleneck
    connector = aiohttp.TCPConnector(limit=256, limit_per_host=256)
    async with aiohttp.ClientSession(base_url=stack.gateway, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        for path, headers in calls:  # warm: connections, token caches, first builds of each answer
            async with session.get(path, headers=headers) as response:
                if response.status != 200:
                    raise RuntimeError(f"GET {path} -> {response.status}: {(await response.text())[:200]}")
                await response.read()

        async def one() -> None:
            path, headers = calls[turn["n"] % len(calls)]
            turn["n"] += 1
            started = time.perf_counter()
            async with session.get(path, headers=headers) as response:
                await response.read()
                statuses[str(response.status)] += 1
                if response.status == 200:
                    latencies.append(1000 * (time.perf_counter() - started))

        cpu = CpuMeter()
        phase = await run_at_rate(one, READ_RATE, READ_SECONDS, max_in_flight=512)
    return {"answered_per_s": len(latencies) / phase.seconds, "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "statuses": dict(statuses), "dropped": phase.dropped,
            "errors": dict(phase.errors), **cpu.read()}


async def run() -> list[Figure]:
    model = ViewsReadModel()
    async with isolated_stack(NAME) as (stack, issuer, workdir):
        topics = [stack.topic_prefix + t for t in model.topics]
        progress(NAME, f"starting the whole stack (logs in {workdir / 'run'})")
        await asyncio.to_thread(stack.stack.up, True)
        for name in ("gateway",):  # one bench client reads for everyone: lift the per-client rate limit
            await asyncio.to_thread(stack.stack.stop, name)
            await asyncio.to_thread(stack.start, name, env=UNLIMITED)
        total = await _load(stack, issuer, topics)
        for service_name in LOADS:
            await wait_outbox_drained(stack, service_name)
        await wait_caught_up(stack, "views", read_models("views")[0], timeout=300)
        # counted again: the egress and alerts append a few events after the load returns (the
        # first count was ~60 short of the events a rebuild then applied)
        total = await topic_end_offsets(stack, topics)
        progress(NAME, f"{total:,} events; the live views have caught up")

        # The demo was loaded from this process: its heap is moved out of the cyclic collector's
        # way, so neither the bare consume nor the rebuild pays for passes over it (the bare
        # consume read 98k-131k/s here without this, 151k-162k/s from a small process).
        gc.collect()
        gc.freeze()
        # A bare consume of a few tens of thousands of records spreads widely from run to run
        # (96k-166k/s measured at 20k): rebuild and bare consume alternate PAIRS times, medians reported.
        rebuilds, bares, ratios = [], [], []
        for pair in range(PAIRS):
            bare = await bare_consume(NAME, topics)
            cpu = CpuMeter()
            started = time.perf_counter()
            applied = await rebuild(model, stack.database_urls["views"], KAFKA_BOOTSTRAP,
                                    topic_prefix=stack.topic_prefix, target_schema="views_figures_bench", swap=False,
                                    progress=lambda done, of: None)
            rebuild_s = time.perf_counter() - started
            rebuild_cpu = cpu.read()
            rebuilds.append(total / rebuild_s)
            bares.append(bare["events_per_s"])
            ratios.append(rebuilds[-1] / bares[-1])
            progress(NAME, f"pair {pair + 1}/{PAIRS}: rebuild {total:,} events ({applied:,} applied) in "
                           f"{rebuild_s:.2f}s: {rebuilds[-1]:,.0f} events/s ({cpus_available()} processes); "
                           f"bare consume {bares[-1]:,.0f}/s; ratio {ratios[-1]:.2f}")
        rebuild_rate, bare_rate = statistics.median(rebuilds), statistics.median(bares)
        ratio = statistics.median(ratios)
        started = time.perf_counter()
        await rebuild(model, stack.database_urls["views"], KAFKA_BOOTSTRAP, topic_prefix=stack.topic_prefix,
                      target_schema="views_figures_bench", swap=False, progress=lambda done, of: None, workers=1)
        single_rate = total / (time.perf_counter() - started)
        progress(NAME, f"rebuild in one process: {single_rate:,.0f} events/s")

        progress(NAME, f"dashboard reads through the gateway at {READ_RATE:.0f}/s for {READ_SECONDS:.0f}s")
        reads = await _reads(stack, issuer)
        progress(NAME, f"reads: {reads['answered_per_s']:.0f}/s answered, p50 {reads['p50_ms']} ms, "
                       f"p99 {reads['p99_ms']} ms, statuses {reads['statuses']}")
    bad = {k: v for k, v in reads["statuses"].items() if k != "200"}
    return [
        Figure(NAME, f"rebuild views_figures, {total:,} events (median of {PAIRS})", rebuild_rate, "events/s",
               target=TARGET_RATE, detail={"events": total, "applied": applied, "runs": [round(r) for r in rebuilds],
                                           "processes": cpus_available(), **rebuild_cpu}),
        Figure(NAME, "rebuild views_figures in one process", single_rate, "events/s"),
        Figure(NAME, f"bare aiokafka consume of the same topics (median of {PAIRS})", bare_rate, "events/s",
               detail={"runs": [round(b) for b in bares]}),
        Figure(NAME, "rebuild / bare consume (median of the pairs' ratios)", ratio, "x", target=TARGET_RATIO,
               detail={"pairs": [round(r, 2) for r in ratios]}),
        Figure(NAME, f"dashboard reads via the gateway at {READ_RATE:.0f}/s offered: answered", reads["answered_per_s"],
               "req/s", detail=reads, note=f"not 200: {bad}" if bad else ""),
        Figure(NAME, "dashboard reads: p50", reads["p50_ms"], "ms", higher_is_better=False),
        Figure(NAME, "dashboard reads: p99", reads["p99_ms"], "ms", higher_is_better=False),
    ]
