"""Run background workers (relay, projectors, reactor) beside a small ops HTTP server.

Workers are separate processes so one can crash or be killed without taking the API
with it; each still answers /healthz, /readyz and /metrics like any service.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import uvicorn
from fastapi import FastAPI

from .http import install_probes
from .logging import get_logger

log = get_logger("worker")


class QuietServer(uvicorn.Server):
    """uvicorn, waking once a second instead of ten times to look for shutdown.

    With a dozen processes idle on one machine, those wake-ups were a large part of the
    idle cost. The Date header is still refreshed every tick (once a second).
    """

    async def main_loop(self) -> None:
        ticks = 0
        should_exit = await self.on_tick(0)
        while not should_exit:
            ticks = (ticks + 1) % 86400
            await asyncio.sleep(1.0)
            should_exit = await self.on_tick(ticks * 10)  # on_tick's "every 10th" is now every tick


class WorkerGroup:
    """Several workers in one process (a service's read models): ready when all are, and
    if one dies the process exits so it is restarted whole."""

    def __init__(self, workers: list) -> None:
        self.workers = workers

    @property
    def ready(self) -> bool:
        return all(w.ready for w in self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()

    async def run(self) -> None:
        tasks = [asyncio.create_task(w.run()) for w in self.workers]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # re-raise the first failure
            await asyncio.gather(*tasks)
        finally:
            self.stop()
            await asyncio.gather(*tasks, return_exceptions=True)


async def run_worker(worker, *, name: str, host: str, ops_port: int, checks: dict) -> None:
    async def worker_running() -> None:
        if not worker.ready:
            raise RuntimeError(f"{name} is not running")

    app = FastAPI(title=f"{name} ops", docs_url=None, redoc_url=None, openapi_url=None)
    install_probes(app, name, {"worker": worker_running, **checks})
    server = QuietServer(uvicorn.Config(app, host=host, port=ops_port, log_config=None, access_log=False))
    # The worker owns SIGTERM/SIGINT. uvicorn (>= 0.29) takes them over inside serve() unless told
    # not to, and only gave them back once its own shutdown was done: a stopping worker sat out
    # seconds (and a worker without an ops port never heard SIGTERM at all).
    server.capture_signals = contextlib.nullcontext

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)

    ops = asyncio.create_task(server.serve()) if ops_port else None
    try:
        await worker.run()
    finally:
        if ops is not None:
            server.should_exit = True
            await ops
        log.info("worker stopped", worker=name)
