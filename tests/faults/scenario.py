"""Faults under steady load through the gateway, then the checker: what every fault test does.

`run_under_faults` prepares the mix (contracts, stock, trained officers), keeps an
open-loop load running through the gateway while it injects each fault in turn, stops
the load, restarts whatever died by itself (as a supervisor would, noting why), waits
until every outbox is drained and every consumer is at the end of its topics, and hands
the ledger to the independent checker.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from bench.common import start_processes
from bench.workload import UNLIMITED, GatewayClient, PlatformMix, run_at_rate, tokens_for

from ..support import IsolatedStack
from .checker import Report, check, settle


Fault = Callable[[IsolatedStack], Awaitable[str]]  # injects one fault and recovers; returns what it did


def process_names(stack: IsolatedStack) -> list[str]:
    return [spec.name for spec in stack.stack.specs]


def kinds(stack: IsolatedStack) -> dict[str, list[str]]:
    """Process kind (api, relay, projector, reactor, egress, ..., gateway) -> its processes."""
    out: dict[str, list[str]] = defaultdict(list)
    for name in process_names(stack):
        out[name.rsplit("-", 1)[-1] if "-" in name else name].append(name)
    return dict(out)


async def start_all(stack: IsolatedStack) -> None:
    started = time.monotonic()
    await restart(stack, process_names(stack))
    print(f"\n{len(process_names(stack))} processes up in {time.monotonic() - started:.0f}s")


async def restart(stack: IsolatedStack, names: list[str]) -> None:
    await start_processes(stack, names, env=UNLIMITED)


def last_error(stack: IsolatedStack, name: str) -> str:
    try:
        lines = stack.stack.log_file(name).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    errors = [line for line in lines if "Error" in line or '"error"' in line]
    return (errors[-1] if errors else (lines[-1] if lines else ""))[:300]


async def supervise(stack: IsolatedStack, died: list[tuple[str, str]]) -> None:
    """Start again every process that died without being killed, noting why it died."""
    dead = [n for n in process_names(stack) if stack.stack.pid(n) is None]
    died += [(name, last_error(stack, name)) for name in dead]
    if dead:
        await restart(stack, dead)


def sigkill(names: list[str], down: float) -> Fault:
    async def fault(stack: IsolatedStack) -> str:
        for name in names:
            stack.stack.kill(name)
        await asyncio.sleep(down)  # the load keeps coming while they are dead
        await restart(stack, names)
        return f"SIGKILL {', '.join(names)}"

    return fault


async def run_under_faults(stack: IsolatedStack, faults: list[Fault], *, rate: float, between: float,
                           officers_per_force: int = 8) -> tuple[Report, list[str], list, PlatformMix]:
    died: list[tuple[str, str]] = []
    done: list[str] = []
    t0 = time.monotonic()
    async with GatewayClient(stack.gateway, tokens_for(stack.issuer), retry_for=180) as client:
        mix = PlatformMix(client, seed=random.randrange(1 << 30))
        await mix.prepare(officers_per_force=officers_per_force, kits_per_force=40)
        t1 = time.monotonic()
        stop = asyncio.Event()
        load = asyncio.create_task(run_at_rate(mix.one, rate, 24 * 3600, stop=stop))
        try:
            for fault in faults:
                await asyncio.sleep(between * random.uniform(0.5, 1.5))
                await supervise(stack, died)
                started = time.monotonic()
                what = await fault(stack)
                done.append(f"{what} ({time.monotonic() - started:.1f}s)")
            await asyncio.sleep(between)
        finally:
            stop.set()
            phase = await load
    assert not phase.errors, f"the load generator itself failed: {phase.errors}"
    await supervise(stack, died)
    t2 = time.monotonic()
    await settle(stack)
    t3 = time.monotonic()
    print(f"\nprepare {t1 - t0:.0f}s, load and faults {t2 - t1:.0f}s, settle {t3 - t2:.0f}s", flush=True)
    report = await check(stack, client.ledger)
    print(f"check {time.monotonic() - t3:.0f}s")
    print("faults: " + "; ".join(done))
    for name, why in died:
        print(f"  died by itself and was restarted: {name}: {why}")
    if mix.missing:
        print(f"  not in the mix (routes not in the registry): {', '.join(mix.missing)}")
    return report, done, died, mix


def assert_clean(report: Report) -> None:
    print(report.text())
    assert report.acknowledged > 0
    assert report.lost == 0, report.text()
    assert report.duplicated == 0, report.text()
    assert report.unanswered == 0, report.text()
    assert not report.problems, report.text()
