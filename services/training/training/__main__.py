"""`python -m training api|relay|projector|rebuild|migrate|expire`: every process of the service."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("api", help="serve the HTTP API")
    sub.add_parser("relay", help="publish the outbox to Kafka")
    sub.add_parser("projector", help="build the read models from Kafka")
    rb = sub.add_parser("rebuild", help="replay the read models from the beginning of the topic")
    rb.add_argument("--into", default=None, help="target schema (default: a fresh schema swapped in live)")
    rb.add_argument("--no-swap", action="store_true", help="leave the rebuilt schema beside the live one")
    sub.add_parser("migrate", help="apply this service's Alembic migrations")
    ex = sub.add_parser("expire", help="emit CertificationExpired for certifications past their last day")
    ex.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)

    from .config import TrainingSettings

    settings = TrainingSettings()
    if args.command == "api":
        import uvicorn

        from .entrypoints.api import create_app

        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                    access_log=False, loop="uvloop" if _has("uvloop") else "asyncio")
    elif args.command == "relay":
        from .entrypoints.workers import run_relay

        asyncio.run(run_relay(settings))
    elif args.command == "projector":
        from .entrypoints.workers import run_projector

        asyncio.run(run_projector(settings))
    elif args.command == "rebuild":
        from .entrypoints.workers import run_rebuild

        applied = asyncio.run(run_rebuild(settings, into=args.into, swap=not args.no_swap))
        print(f"rebuilt training read models: {applied} events applied", file=sys.stderr)
    elif args.command == "migrate":
        from naloxone_kernel.migrations import upgrade

        upgrade(SERVICE_DIR, settings.database_url)
        print("training: migrations applied", file=sys.stderr)
    elif args.command == "expire":
        from .entrypoints.workers import run_expiry

        expired = asyncio.run(run_expiry(settings, today=args.today or date.today()))
        print(f"training: {expired} certifications expired", file=sys.stderr)
    return 0


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


if __name__ == "__main__":
    sys.exit(main())
