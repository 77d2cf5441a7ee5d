"""`python -m naloxone_kernel SERVICE PROCESS`: every process of every registered service.

    api                      serve the HTTP API (uvicorn with uvloop and httptools)
    relay                    publish the outbox to Kafka
    projector                build the service's read models from Kafka, exactly once
    reactor                  turn other services' events into this service's commands
    egress                   republish the service's events to each force's topic (Kafka transactions)
    inbound                  turn force systems' records into the REST API's commands, dead letters aside
    worker                   the service's own background loop (e.g. alerts' webhook deliveries)
    rebuild [VIEW]           replay read models from the beginning of their topics, swap live
    migrate                  apply the kernel's event-store and the service's own migrations
    job NAME [--today DAY]   run a scheduled job (e.g. expire)
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date

from .registry import SERVICES, service


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m naloxone_kernel", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("service", choices=[s.name for s in SERVICES])
    sub = parser.add_subparsers(dest="process", required=True)
    sub.add_parser("api")
    sub.add_parser("relay")
    sub.add_parser("projector")
    sub.add_parser("reactor")
    sub.add_parser("egress")
    sub.add_parser("inbound")
    sub.add_parser("worker")
    rb = sub.add_parser("rebuild")
    rb.add_argument("view", nargs="?", default=None, help="one read model (default: all of the service's)")
    rb.add_argument("--into", default=None, help="target schema (default: a fresh schema swapped in live)")
    rb.add_argument("--no-swap", action="store_true", help="leave the rebuilt schema beside the live one")
    rb.add_argument("--workers", type=int, default=None,
                    help="processes replaying a view in parallel, where it allows (default: one per CPU)")
    sub.add_parser("migrate")
    job = sub.add_parser("job")
    job.add_argument("name")
    job.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)

    entry = service(args.service)
    if args.process == "migrate":
        from .migrations import upgrade
        from .settings import settings_for

        upgrade(settings_for(entry.name).database_url, entry.package)
        print(f"{entry.name}: migrations applied", file=sys.stderr)
        return 0

    from .service import load_parts
    from .settings import settings_for

    parts = load_parts(entry)
    settings = settings_for(entry.name, parts.settings)
    if args.process == "api":
        import uvicorn
        import uvloop

        from .service import create_service_app
        from .workers import QuietServer

        server = QuietServer(uvicorn.Config(create_service_app(entry.name, settings), host=settings.host,
                                            port=settings.port, log_config=None, access_log=False, loop="uvloop",
                                            http="httptools"))
        uvloop.run(server.serve())
        return 0
    import uvloop

    from . import processes

    if args.process == "rebuild":
        applied = uvloop.run(processes.rebuild_views(entry, parts, settings, view=args.view, into=args.into,
                                                      swap=not args.no_swap, workers=args.workers))
        print(f"{entry.name}: rebuilt, {applied} events applied", file=sys.stderr)
    elif args.process == "job":
        count = uvloop.run(processes.run_job(entry, parts, settings, args.name, args.today or date.today(),
                                              correlation_id=uuid.uuid4().hex))
        print(f"{entry.name} {args.name}: {count} done", file=sys.stderr)
    else:
        uvloop.run(processes.run_worker_process(entry, parts, settings, args.process))
    return 0


if __name__ == "__main__":
    sys.exit(main())
