"""python -m bench [--only append,relay,projector,e2e] [--json PATH]

Runs the benchmarks against the local servers, prints one table of figures on stdout
(progress goes to stderr) and writes the same figures as JSON. A figure below its target
is reported, never asserted: the exit status is non-zero only if a benchmark crashed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from .common import KAFKA_BOOTSTRAP, PG_URL, CpuMeter, Figure, check_loopback, progress, quiet_logging, servers_ready

# name -> (module, needs Kafka, hard limit in seconds: a safety net far above the expected run time)
BENCHMARKS: dict[str, tuple[str, bool, float]] = {
    "append": ("bench.append", False, 120.0),
    "versus": ("bench.versus", False, 180.0),
    "relay": ("bench.relay", True, 150.0),
    "projector": ("bench.projector", True, 180.0),
    "e2e": ("bench.e2e", True, 180.0),
    "inventory": ("bench.inventory", True, 180.0),
    "idle": ("bench.idle", True, 180.0),
    "gateway": ("bench.gateway", True, 240.0),
    "platform": ("bench.platform", True, 900.0),
    "views": ("bench.views", True, 900.0),
}
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {','.join(BENCHMARKS)}")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the figures as JSON")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.only:
        args.selected = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in args.selected if name not in BENCHMARKS]
        if unknown:
            parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    else:
        args.selected = list(BENCHMARKS)
    return args


def _run_one(name: str) -> tuple[list[Figure], str | None, float]:
    module_name, needs_kafka, limit = BENCHMARKS[name]
    started = time.perf_counter()
    progress(name, "starting")
    try:
        problem = asyncio.run(servers_ready(kafka=needs_kafka))
        if problem:
            raise RuntimeError(f"servers not available: {problem}")
        module = importlib.import_module(module_name)
        figures = asyncio.run(asyncio.wait_for(module.run(), timeout=limit))
        error = None
    except Exception as exc:  # report and carry on with the others
        traceback.print_exc(file=sys.stderr)
        figures = [Figure(name, "(benchmark failed)", None, "", note=f"{type(exc).__name__}: {exc}"[:300])]
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    progress(name, f"done in {seconds:.1f}s")
    return figures, error, seconds


def _table(figures: list[Figure]) -> str:
    rows = [("benchmark", "figure", "target", "")]
    for f in figures:
        mark = {True: "met", False: "BELOW TARGET" if f.higher_is_better else "ABOVE TARGET", None: ""}[f.met]
        rows.append((f"{f.benchmark:<9} {f.name}", f.figure_text(), f.target_text(), mark))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join([row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]),
                                row[3]]).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths[:3]) + "  " + "-" * max(widths[3], 3))
    notes = [f"  {f.benchmark} {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    check_loopback()
    quiet_logging()
    progress("bench", f"running {', '.join(args.selected)} against PostgreSQL 127.0.0.1 and Kafka {KAFKA_BOOTSTRAP}")
    began = datetime.now(UTC)
    cpu = CpuMeter()
    all_figures: list[Figure] = []
    runs = {}
    for name in args.selected:
        figures, error, seconds = _run_one(name)
        all_figures += figures
        runs[name] = {"seconds": round(seconds, 2), "error": error}

    machine = cpu.read()
    print(_table(all_figures))
    print(f"\nmachine: {os.cpu_count()} CPUs, {machine['machine_busy_pct']}% busy over the run "
          f"({machine['machine_steal_pct']}% stolen by the hypervisor); see bench/README.md before comparing runs")
    report = {
        "started_at": began.isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "busy_pct": machine["machine_busy_pct"], "steal_pct": machine["machine_steal_pct"]},
        "servers": {"postgres": PG_URL.rsplit("@", 1)[-1], "kafka": KAFKA_BOOTSTRAP},
        "runs": runs,
        "figures": [f.as_json() for f in all_figures],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    progress("bench", f"figures written to {args.json}")
    return 1 if any(r["error"] for r in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
