"""The whole platform under a realistic command mix through the gateway, step by step up to the knee.

An isolated stack (every registered service's processes and the gateway, on databases,
topics and ports of its own) gets `bench.workload.PlatformMix`: enrolments, training
records, kit receipts, issues and returns, administrations, take-home supplies,
referrals and dashboard reads, with a small share of commands the platform refuses. The
client is aiohttp on uvloop, open-loop: requests start on a fixed schedule whatever the
answers do (at most 1,024 in flight; a start beyond that is counted as dropped).

Each step offers a rate for `BENCH_PLATFORM_SECONDS`; reported per step: requests/s and
commands/s answered, command latency p50/p95/p99, read p99, and command-to-view lag p50
and p99: from the 2xx arriving at the client to the command's events being in
`processed_events` of the owning service's read model (and, separately, of the
cross-force views' read models). A watcher tails each store with the kernel's
`read_all` (no late commit skipped), maps events to commands by correlation id (the
X-Request-Id the client sent), and polls the read models every ~20 ms for a sample of
commands (so the watcher costs little); resolution is that interval plus one query.

The steps stop one past the knee: a step whose answered rate falls below 90% of the
offered rate, or whose p99 exceeds 1 s. A PNG of throughput and latency against offered
load goes to bench/results/platform.png. With BENCH_PROFILE=1, py-spy samples the
gateway and the busiest API for `BENCH_PROFILE_SECONDS` during the last step below the
knee (or the last step) and their top functions go to bench/results/profile-*.txt.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import asyncpg

from naloxone_kernel.eventstore import EventStore, StoreCursor
from naloxone_kernel.registry import SERVICES
from naloxone_kernel.service import load_parts

from .common import CpuMeter, Figure, isolated_stack, percentile, progress, start_processes
from .workload import UNLIMITED, GatewayClient, PlatformMix, Sent, run_at_rate, tokens_for

NAME = "platform"
RATES = [float(r) for r in os.environ.get("BENCH_PLATFORM_RATES", "50,100,200,350,500,700,1000,1400").split(",")]
STEP_SECONDS = float(os.environ.get("BENCH_PLATFORM_SECONDS", "10"))
LAG_SAMPLES_PER_SECOND = 40  # commands per second whose view lag is measured
POLL_SECONDS = 0.02
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_RATE, TARGET_P99_MS, TARGET_LAG_P99_MS = 1000.0, 50.0, 500.0


def _views() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each service's own read model (the first reading its own topic), and the cross-force views'
    read models (those of the `views` service, if registered)."""
    own, cross = {}, []
    for entry in SERVICES:
        parts = load_parts(entry)
        for model in parts.read_models:
            if entry.name == "views" and model.name != "partner_agreements":
                cross.append((entry.name, model.name))
            elif entry.topic in model.topics and entry.name not in own:
                own[entry.name] = model.name
    return own, cross


class LagWatcher:
    """Tails every store for sampled commands' events; records when each reaches the views."""

    def __init__(self, database_urls: dict[str, str]) -> None:
        self.urls = database_urls
        self.own, self.cross = _views()
        self.sampled: dict[str, Sent] = {}  # request id -> command
        self.pending: dict[str, dict[str, list]] = {}  # view key -> event id -> [sent, acked_at]
        self.lags: dict[str, list[tuple[float, float]]] = {"own": [], "cross": []}  # (acked_at, lag ms)
        self._stop = asyncio.Event()
        self._conns: dict[str, asyncpg.Connection] = {}
        self.polls = 0

    def sample(self, sent: Sent) -> None:
        if sent.acknowledged and sent.service in self.own:
            self.sampled[sent.request_id] = sent

    async def run(self) -> None:
        for name in {*self.own, *(db for db, _ in self.cross)}:
            self._conns[name] = await asyncpg.connect(self.urls[name])
        cursors = {name: StoreCursor() for name in self.own}
        try:
            while not self._stop.is_set():
                for service, conn in ((s, self._conns[s]) for s in self.own):
                    events = await EventStore(conn).read_all(cursors[service], limit=5000)
                    if events:
                        cursors[service] = EventStore.cursor_after(events[-1])
                    for e in events:
                        sent = self.sampled.get(e.correlation_id or "")
                        if sent is None or (e.actor or "").startswith("system:"):
                            continue
                        targets = [(service, self.own[service], "own")] + [(s, m, "cross") for s, m in self.cross]
                        for db, schema, kind in targets:
                            self.pending.setdefault(f"{db}|{schema}|{kind}", {})[str(e.event_id)] = \
                                [sent, sent.answered_at]
                now_seen = time.perf_counter()
                for key, waiting in list(self.pending.items()):
                    if not waiting:
                        continue
                    db, schema, kind = key.split("|")
                    rows = await self._conns[db].fetch(
                        f"SELECT event_id::text FROM {schema}.processed_events WHERE event_id = ANY($1::uuid[])",
                        list(waiting))
                    for (event_id,) in rows:
                        sent, acked = waiting.pop(event_id)
                        self.lags[kind].append((acked, (now_seen - acked) * 1000))
                self.polls += 1
                await asyncio.sleep(POLL_SECONDS)
        finally:
            for conn in self._conns.values():
                await conn.close()

    def waiting(self) -> int:
        return sum(len(w) for w in self.pending.values())

    def stop(self) -> None:
        self._stop.set()


def _busiest_api(ledger: list[Sent]) -> str:
    counts = Counter(s.service for s in ledger)
    return f"{counts.most_common(1)[0][0]}-api" if counts else f"{SERVICES[0].name}-api"


def _profile(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        progress(NAME, "py-spy is not installed (uv sync installs it as a dev dependency): no profile")
        return None
    return subprocess.Popen([str(spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "97", "-f", "raw",
                             "-o", str(out), "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def top_functions(raw: Path, n: int = 25) -> str:
    """py-spy's collapsed stacks as two tables: self time (leaf frames) and total time (any frame)."""
    own, total, samples = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    lines = [f"{samples} samples (97/s; idle threads left out). A leaf `Runner.run` is time inside uvloop's C event",
             "loop (polling and socket I/O), below any Python frame.", "", "self time (leaf frame):"]
    lines += [f"{100 * c / samples:6.1f}%  {f}" for f, c in own.most_common(n)] if samples else []
    lines += ["", "total time (frame anywhere on the stack):"]
    lines += [f"{100 * c / samples:6.1f}%  {f}" for f, c in total.most_common(n)] if samples else []
    return "\n".join(lines) + "\n"


async def _step(client: GatewayClient, mix: PlatformMix, watcher: LagWatcher, rate: float) -> dict:
    first_command, first_read = len(client.ledger), len(client.reads)
    lag_from = {k: len(v) for k, v in watcher.lags.items()}
    every = max(1, int(rate / LAG_SAMPLES_PER_SECOND))
    counter = {"n": 0}

    def answered(sent: Sent) -> None:
        if sent.acknowledged:
            counter["n"] += 1
            if counter["n"] % every == 0:
                watcher.sample(sent)

    client.on_answer = answered
    cpu = CpuMeter()
    phase = await run_at_rate(mix.one, rate, STEP_SECONDS, max_in_flight=1024)
    client.on_answer = None
    elapsed = phase.seconds
    usage = cpu.read()
    deadline = time.monotonic() + 15
    while watcher.waiting() and time.monotonic() < deadline:  # let the views catch up with this step
        await asyncio.sleep(0.1)
    commands = client.ledger[first_command:]
    reads = client.reads[first_read:]
    answered_commands = [s for s in commands if s.status is not None]
    ok = [s.latency_ms for s in commands if s.acknowledged]
    failures = Counter(f"{s.kind} {s.status}" for s in commands if not s.acknowledged and not s.expect_reject)
    read_ms = [r.latency_ms for r in reads if r.status == 200]
    lag = {k: [ms for _, ms in watcher.lags[k][lag_from[k]:]] for k in watcher.lags}
    result = {
        "offered_per_s": rate, "seconds": round(elapsed, 2), "started": phase.started, "dropped": phase.dropped,
        "requests_per_s": (len(answered_commands) + sum(r.status is not None for r in reads)) / elapsed,
        "commands_per_s": len(ok) / elapsed, "reads_per_s": len(read_ms) / elapsed,
        "command_p50_ms": percentile(ok, 50), "command_p95_ms": percentile(ok, 95),
        "command_p99_ms": percentile(ok, 99), "read_p99_ms": percentile(read_ms, 99),
        "lag_p50_ms": percentile(lag["own"], 50), "lag_p99_ms": percentile(lag["own"], 99),
        "cross_lag_p50_ms": percentile(lag["cross"], 50), "cross_lag_p99_ms": percentile(lag["cross"], 99),
        "lag_samples": len(lag["own"]), "lag_unseen": watcher.waiting(),
        "retried": sum(s.retried for s in commands), "refused_as_expected": sum(s.expect_reject for s in commands),
        "failures": dict(failures), "generator_errors": dict(phase.errors), **usage,
    }
    progress(NAME, f"{rate:.0f}/s offered: {result['requests_per_s']:.0f} req/s answered "
                   f"({result['commands_per_s']:.0f} commands/s), command p50 {_ms(result['command_p50_ms'])} "
                   f"p99 {_ms(result['command_p99_ms'])}, view lag p99 {_ms(result['lag_p99_ms'])} "
                   f"(cross-force {_ms(result['cross_lag_p99_ms'])}); failures {dict(failures) or 'none'}; "
                   f"dropped {phase.dropped}; {cpu.text()}")
    return result


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"


def _past_knee(step: dict) -> bool:
    return step["requests_per_s"] < 0.9 * step["offered_per_s"] or (step["command_p99_ms"] or 0) > 1000


def plot(steps: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    offered = [s["offered_per_s"] for s in steps]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 8), sharex=True)
    top.plot(offered, offered, ":", color="grey", label="offered")
    top.plot(offered, [s["requests_per_s"] for s in steps], "o-", label="requests/s answered")
    top.plot(offered, [s["commands_per_s"] for s in steps], "s-", label="commands/s acknowledged")
    top.axhline(TARGET_RATE, color="red", lw=0.8, ls="--", label=f"target {TARGET_RATE:.0f} commands/s")
    top.set_ylabel("per second")
    top.legend(loc="upper left")
    top.set_title("Whole platform through the gateway (2 cores, everything co-located)")
    for key, label in (("command_p50_ms", "command p50"), ("command_p95_ms", "command p95"),
                       ("command_p99_ms", "command p99"), ("lag_p99_ms", "command→view p99"),
                       ("cross_lag_p99_ms", "command→cross-force view p99")):
        xs = [s["offered_per_s"] for s in steps if s[key] is not None]
        bottom.plot(xs, [s[key] for s in steps if s[key] is not None], "o-", label=label)
    bottom.axhline(TARGET_P99_MS, color="red", lw=0.8, ls="--", label=f"p99 target {TARGET_P99_MS:.0f} ms")
    bottom.axhline(TARGET_LAG_P99_MS, color="purple", lw=0.8, ls="--", label=f"view p99 target {TARGET_LAG_P99_MS:.0f} ms")
    bottom.set_yscale("log")
    bottom.set_ylabel("ms")
    bottom.set_xlabel("offered requests/s")
    bottom.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


async def run() -> list[Figure]:
    steps: list[dict] = []
    profiled: dict[str, str] = {}
    async with isolated_stack(NAME) as (stack, issuer, workdir):
        names = [spec.name for spec in stack.stack.specs]
        progress(NAME, f"starting {len(names)} processes (logs in {workdir / 'run'})")
        await start_processes(stack, names, env=UNLIMITED)
        async with GatewayClient(stack.gateway, tokens_for(issuer), retry_for=5, connections=1024) as client:
            mix = PlatformMix(client)
            if mix.missing:
                progress(NAME, f"not in the mix (their routes are not in the registry yet): {', '.join(mix.missing)}")
            progress(NAME, "setup: contracts, stock, trained officers in every force (not timed)")
            await mix.prepare(officers_per_force=40, kits_per_force=200)
            watcher = LagWatcher(stack.database_urls)
            watching = asyncio.create_task(watcher.run())
            try:
                await run_at_rate(mix.one, 10, 3)  # warm-up: connections, JWKS, statement caches, group joins
                profile_at = os.environ.get("BENCH_PROFILE") == "1"
                for rate in RATES:
                    spies = []
                    if profile_at:  # every step is sampled; the last one below the knee is kept
                        seconds = float(os.environ.get("BENCH_PROFILE_SECONDS", str(max(2, STEP_SECONDS - 1))))
                        for proc in ("gateway", _busiest_api(client.ledger)):
                            out = workdir / f"profile-{proc}.raw"
                            spy = _profile(stack.stack.pid(proc), seconds, out)
                            if spy:
                                spies.append((proc, out, spy))
                    steps.append(await _step(client, mix, watcher, rate))
                    keep = not _past_knee(steps[-1]) or not profiled  # past the knee: only if nothing kept yet
                    for proc, out, spy in spies:
                        _, err = spy.communicate(timeout=120)
                        if not keep:
                            continue
                        if out.exists():
                            text = top_functions(out)
                            target = RESULTS / f"profile-{proc}.txt"
                            target.write_text(f"py-spy record of {proc} at {rate:.0f}/s offered "
                                              f"({steps[-1]['requests_per_s']:.0f} answered)\n" + text)
                            profiled[proc] = str(target)
                            progress(NAME, f"profile of {proc} written to {target}")
                        else:
                            progress(NAME, f"py-spy on {proc} failed: {err.decode()[-300:]}")
                    if _past_knee(steps[-1]):
                        progress(NAME, f"past the knee at {rate:.0f}/s offered: stopping")
                        break
            finally:
                watcher.stop()
                await watching
    png = RESULTS / "platform.png"
    plot(steps, png)
    progress(NAME, f"plot written to {png}")
    figures = []
    for s in steps:
        label = f"{s['offered_per_s']:.0f}/s offered"
        figures += [
            Figure(NAME, f"{label}: requests/s answered", s["requests_per_s"], "req/s", detail=s,
                   note=f"failures {s['failures']}" if s["failures"] else ""),
            Figure(NAME, f"{label}: commands/s acknowledged", s["commands_per_s"], "cmd/s"),
            Figure(NAME, f"{label}: command p50 / p95 / p99", s["command_p99_ms"], "ms", higher_is_better=False,
                   note=f"p50 {_ms(s['command_p50_ms'])}, p95 {_ms(s['command_p95_ms'])}"),
            Figure(NAME, f"{label}: command→view lag p50 / p99", s["lag_p99_ms"], "ms", higher_is_better=False,
                   note=f"p50 {_ms(s['lag_p50_ms'])}; cross-force views p99 {_ms(s['cross_lag_p99_ms'])}"),
        ]
    good = [s for s in steps if s["command_p99_ms"] is not None and s["command_p99_ms"] <= TARGET_P99_MS
            and not _past_knee(s)]
    best = max(good, key=lambda s: s["commands_per_s"]) if good else None
    figures += [
        Figure(NAME, f"best commands/s with p99 ≤ {TARGET_P99_MS:.0f} ms", best["commands_per_s"] if best else None,
               "cmd/s", target=TARGET_RATE, note="" if best else "no step kept p99 within the target"),
        Figure(NAME, "command→view p99 at that load", best["lag_p99_ms"] if best else None, "ms",
               target=TARGET_LAG_P99_MS, higher_is_better=False),
        Figure(NAME, "plot", None, "", note=str(png) + (f"; profiles {profiled}" if profiled else "")),
    ]
    if mix.missing:
        figures[-1].note += f"; not in the mix: {', '.join(mix.missing)}"
    return figures
