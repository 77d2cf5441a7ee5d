"""Gateway against direct: how much of a service's throughput survives the gateway.

An isolated stack (every registered service's API and the gateway; their own databases,
ports and topic prefix) is started by tests.support.IsolatedStack. `wrk` (Debian's package; the
benchmark installs it with apt-get when it is missing and it may) drives four runs after
a short warm-up of each:

    GET  /v1/forces/west-midlands/training/summary, 32 connections, 10 s
    POST /v1/forces/west-midlands/officers (unique Idempotency-Key and staff number per
         request, from a Lua script), 8 connections, 10 s

each once straight to the training API and once through the gateway. Reported per run:
requests/s, p50 and p99 latency, and per method the ratio gateway/direct and the p99 the
gateway adds. wrk is written in C with its own event loop: the load generator is not the
bottleneck being measured (it still shares the machine's CPUs; the machine's busy figure
is in the JSON detail).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

from naloxone_kernel.registry import SERVICES

from .common import (
    CpuMeter,
    Figure,
    isolated_stack,
    progress,
)
from .workload import UNLIMITED

NAME = "gateway"
FORCE = "west-midlands"
#: Every registered service's API (the gateway is ready only when they all are) and the gateway.
PROCESSES = (*(entry.process_name("api") for entry in SERVICES), "gateway")
SECONDS = int(os.environ.get("BENCH_GATEWAY_SECONDS", "10"))
RUNS = (  # (label, method, connections)
    ("GET", "GET", 32),
    ("POST", "POST", 8),
)
TARGET_RATIO = 75.0  # % of direct throughput the gateway keeps
TARGET_ADDED_P99_MS = 5.0

POST_SCRIPT = r"""
local counter = 0
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
init = function(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
  prefix = string.format("%s%d", args[1] or "W", tid or 0)
end
request = function()
  counter = counter + 1
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Idempotency-Key"] = string.format("bench-%s-%d-%d", prefix, counter, math.random(1, 2000000000))
  local staff = string.format("%s%07d", prefix, counter)
  local body = string.format('{"staff_number":"%s","role":"response","enrolled_on":"2026-01-01"}', staff)
  return wrk.format("POST", nil, headers, body)
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        progress(NAME, "installing wrk from the Debian archive (apt-get install wrk)")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True, timeout=300)
        found = shutil.which("wrk")
        if found:
            return found
    raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Requests/s, p50/p99 (ms), request count and non-2xx count from `wrk --latency` output."""
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M)
        out[f"p{pct}_ms"] = _ms(match.group(1)) if match else None
    out["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    out["non_2xx"] = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors: (.*)", output)
    out["socket_errors"] = errors.group(1).strip() if errors else ""
    return out


def run_wrk(wrk: str, url: str, token: str, *, method: str, connections: int, seconds: int,
            script: Path | None, tag: str) -> dict:
    argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
            "-H", f"Authorization: Bearer {token}"]
    if method == "POST":
        argv += ["-H", "Content-Type: application/json", "-s", str(script)]
    argv += [url]
    if method == "POST":
        argv += [tag]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr[:300]}")
    return parse_wrk(done.stdout)


async def run() -> list[Figure]:
    wrk = ensure_wrk()
    results: dict[str, dict] = {}
    async with isolated_stack(NAME) as (stack, issuer, workdir):
        script = workdir / "post.lua"
        script.write_text(POST_SCRIPT)
        progress(NAME, f"starting {', '.join(PROCESSES)} (logs in {workdir / 'run'})")
        # One bench client is one subject: lift the per-client rate limit (still checked per request).
        await asyncio.to_thread(stack.start, *PROCESSES, env=UNLIMITED)
        token = issuer.mint(subject=f"bench@{FORCE}", roles=["trainer"], force_id=FORCE, ttl_seconds=3600)
        targets = {"direct": stack.training_api, "gateway": stack.gateway}
        tag = 0
        for label, method, connections in RUNS:
            path = f"/v1/forces/{FORCE}/training/summary" if method == "GET" else f"/v1/forces/{FORCE}/officers"
            for where, base in targets.items():
                tag += 1
                progress(NAME, f"{label} {where}: warm-up 2 s, then {SECONDS} s at {connections} connections")
                await asyncio.to_thread(run_wrk, wrk, base + path, token, method=method, connections=connections,
                                        seconds=2, script=script, tag=f"W{tag}")
                cpu = CpuMeter()
                figures = await asyncio.to_thread(run_wrk, wrk, base + path, token, method=method,
                                                  connections=connections, seconds=SECONDS, script=script,
                                                  tag=f"M{tag}")
                figures.update(connections=connections, machine_busy_pct=cpu.read()["machine_busy_pct"])
                results[f"{label} {where}"] = figures
                progress(NAME, f"{label} {where}: {figures['rps']:.0f} req/s, p50 {figures['p50_ms']} ms, "
                               f"p99 {figures['p99_ms']} ms, non-2xx {figures['non_2xx']}")
    out: list[Figure] = []
    for label, _method, connections in RUNS:
        direct, via = results[f"{label} direct"], results[f"{label} gateway"]
        notes = [f"{w}: {r['non_2xx']} non-2xx" for w, r in (("direct", direct), ("gateway", via)) if r["non_2xx"]]
        notes += [f"{w}: socket errors {r['socket_errors']}" for w, r in (("direct", direct), ("gateway", via))
                  if r["socket_errors"]]
        for where, r in (("direct", direct), ("gateway", via)):
            out.append(Figure(NAME, f"{label} {where}, {connections} connections", r["rps"], "req/s", detail=r,
                              note="; ".join(notes) if where == "gateway" else ""))
            out.append(Figure(NAME, f"{label} {where}: p50", r["p50_ms"], "ms", higher_is_better=False))
            out.append(Figure(NAME, f"{label} {where}: p99", r["p99_ms"], "ms", higher_is_better=False))
        out.append(Figure(NAME, f"{label} gateway keeps (of direct req/s)", 100 * via["rps"] / direct["rps"], "%",
                          target=TARGET_RATIO))
        added = via["p99_ms"] - direct["p99_ms"] if via["p99_ms"] is not None and direct["p99_ms"] is not None \
            else None
        out.append(Figure(NAME, f"{label} p99 added by the gateway", added, "ms", target=TARGET_ADDED_P99_MS,
                          higher_is_better=False))
    return out
