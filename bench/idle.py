"""Idle cost: CPU of every process of the whole stack over 30 s with no traffic.

Every service's API, relay, projector and reactor and the gateway are started by
tests.support.IsolatedStack (own databases, topic prefix and ports), left to settle,
then each process's user+system CPU time is read from /proc before and after 30 s.
Target: all idle processes together under 2% of one core.
"""

from __future__ import annotations

import asyncio
import os
import time

from .common import (
    Figure,
    isolated_stack,
    progress,
)

NAME = "idle"
WINDOW_SECONDS = 30.0
SETTLE_SECONDS = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


async def run() -> list[Figure]:
    async with isolated_stack(NAME) as (stack, _issuer, _workdir):
        await asyncio.to_thread(stack.up)
        pids = {spec.name: stack.stack.pid(spec.name) for spec in stack.stack.specs}
        progress(NAME, f"{len(pids)} processes up; settling {SETTLE_SECONDS:.0f}s, then measuring {WINDOW_SECONDS:.0f}s")
        await asyncio.sleep(SETTLE_SECONDS)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.monotonic()
        await asyncio.sleep(WINDOW_SECONDS)
        elapsed = time.monotonic() - started
        used = {name: 100.0 * (cpu_seconds(pid) - before[name]) / elapsed for name, pid in pids.items()}
    figures = [Figure(NAME, f"all {len(used)} processes idle, CPU over {WINDOW_SECONDS:.0f}s", round(sum(used.values()), 2),
                      "% of a core", target=2.0, higher_is_better=False)]
    figures += [Figure(NAME, f"  {name}", round(pct, 2), "% of a core", higher_is_better=False)
                for name, pct in sorted(used.items())]
    return figures
