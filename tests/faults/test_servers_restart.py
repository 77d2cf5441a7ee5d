"""The larger fault run (`make faults`), on PostgreSQL and Kafka of the suite's own (see
conftest.py: the shared servers are never stopped): under steady load through the gateway,
every process of every service and the gateway is SIGKILLed one at a time, then Kafka is
restarted, then PostgreSQL. The server restarts come last so that no later kill restarts
a process that failed to recover by itself (only a process that exits is started again,
as a supervisor would). Then the independent checker proves what became of every command;
the counts are printed (run with -s, as `make faults` does).

NALOX_FAULT_RATE (requests/s, default 40), NALOX_FAULT_DOWN (seconds a killed process stays
down, default 3) and NALOX_FAULT_KILL_EACH (0: only the server restarts) scale it.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from .conftest import private
from .scenario import Fault, assert_clean, process_names, run_under_faults, sigkill, start_all

pytestmark = pytest.mark.faults

RATE = float(os.environ.get("NALOX_FAULT_RATE", "40"))
DOWN = float(os.environ.get("NALOX_FAULT_DOWN", "3"))
KILL_EACH = os.environ.get("NALOX_FAULT_KILL_EACH", "1") != "0"


def restart_server(script: str, down: float) -> Fault:
    """Stop one private server, leave it down a while under load, start it again."""

    async def fault(stack) -> str:
        await asyncio.to_thread(private, script, "stop")
        await asyncio.sleep(down)
        await asyncio.to_thread(private, script, "start")
        return f"{script.removesuffix('.sh')} restarted after {down:.0f}s down"

    return fault


async def test_servers_restarted_and_every_process_killed_alone_lose_nothing_and_double_nothing(private_isolated):
    stack = private_isolated
    await start_all(stack)
    faults = [sigkill([name], down=DOWN) for name in process_names(stack)] if KILL_EACH else []
    faults += [restart_server("kafka.sh", 5.0), restart_server("pg.sh", 3.0)]
    report, done, _died, _mix = await run_under_faults(stack, faults, rate=RATE, between=2.0,
                                                      officers_per_force=20)
    print(f"\nfault run: {len(done)} faults at {RATE:.0f} requests/s offered")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in report.counts().items()))
    assert_clean(report)
