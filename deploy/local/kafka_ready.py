"""Wait until a Kafka broker answers a real client: cluster description + topic list.

    python deploy/local/kafka_ready.py [--bootstrap 127.0.0.1:19092] [--timeout 90]
                                       [--pid-file PATH]

Exit 0 when ready, 1 on timeout, 2 if the broker process (--pid-file) died.
An open port is not enough: a KRaft broker accepts TCP before it has caught up
with the metadata log, so we ask for metadata via the admin client.
Progress goes to stderr every 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time


def _pid_alive(pid_file: str | None) -> bool:
    if not pid_file:
        return True
    try:
        with open(pid_file) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


async def _probe(bootstrap: str, timeout_s: float) -> tuple[int, list[str]]:
    from aiokafka.admin import AIOKafkaAdminClient

    client = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout_s * 1000),
        retry_backoff_ms=200,
    )
    try:
        await asyncio.wait_for(client.start(), timeout_s)
        cluster = await asyncio.wait_for(client.describe_cluster(), timeout_s)
        brokers = cluster.get("brokers") or []
        if not brokers:
            raise RuntimeError("no brokers registered yet")
        topics = await asyncio.wait_for(client.list_topics(), timeout_s)
        return len(brokers), sorted(topics)
    finally:
        try:
            await asyncio.wait_for(client.close(), 5)
        except Exception:  # noqa: BLE001 - best effort on a half-started client
            pass


async def _wait(bootstrap: str, timeout: float, pid_file: str | None, quiet: bool) -> int:
    start = time.monotonic()
    next_report = 5.0
    last_err = ""
    while True:
        if not _pid_alive(pid_file):
            print(f"kafka_ready: broker process from {pid_file} is not running", file=sys.stderr)
            return 2
        try:
            nbrokers, topics = await _probe(bootstrap, 5.0)
            if not quiet:
                print(
                    f"kafka_ready: {bootstrap} ready: {nbrokers} broker(s), {len(topics)} topic(s)",
                    file=sys.stderr,
                )
            return 0
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            last_err = f"{type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - start
        if elapsed >= timeout:
            print(
                f"kafka_ready: {bootstrap} not ready after {timeout:.0f}s ({last_err})",
                file=sys.stderr,
            )
            return 1
        if not quiet and elapsed >= next_report:
            print(f"waiting for Kafka... {int(elapsed)}s ({last_err})", file=sys.stderr)
            next_report += 5.0
        await asyncio.sleep(0.5)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:19092"))
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--pid-file", default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    # aiokafka logs every refused connection at ERROR; we report progress ourselves.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    logging.getLogger("aiokafka").addHandler(logging.NullHandler())
    return asyncio.run(_wait(args.bootstrap, args.timeout, args.pid_file, args.quiet))


if __name__ == "__main__":
    sys.exit(main())
