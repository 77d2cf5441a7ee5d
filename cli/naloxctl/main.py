"""naloxctl: the operator's and developer's command line for the platform.

    naloxctl token --force west-midlands --role officer     a token the local gateway accepts
    naloxctl token --kind partner --org cranstoun            ... a partner, national lead or auditor too
    naloxctl keys init                                       create the development signing and integration keys
    naloxctl kafka force-user FORCE                          a force's SCRAM user and ACLs on the local broker
    naloxctl kafka users                                     write deploy/k8s/base/kafka-users/ (Strimzi)
    naloxctl topics ensure                                   create the event topics
    naloxctl migrate                                         apply every service's migrations
    naloxctl stack up|down|status                            run the platform's processes locally
    naloxctl demo load                                       put demo data in through the gateway
    naloxctl deploy render [--check]                         docker-compose.yml and deploy/k8s from the registry
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated, Optional

import typer

from naloxone_kernel.auth import ROLES, DevIssuer
from naloxone_kernel.reference.forces import FORCES, get_force
from naloxone_kernel.settings import state_dir

from .deploy import deploy_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Naloxone Partnership Platform CLI")
keys_app = typer.Typer(no_args_is_help=True, help="development token issuer keys")
topics_app = typer.Typer(no_args_is_help=True, help="Kafka topics")
stack_app = typer.Typer(no_args_is_help=True, help="the platform's processes on this machine")
demo_app = typer.Typer(no_args_is_help=True, help="demo data")
app.add_typer(keys_app, name="keys")
app.add_typer(topics_app, name="topics")
app.add_typer(stack_app, name="stack")
app.add_typer(demo_app, name="demo")
kafka_app = typer.Typer(no_args_is_help=True, help="force IT's Kafka access (SASL/SCRAM users and ACLs)")
app.add_typer(kafka_app, name="kafka")
app.add_typer(deploy_app, name="deploy")


def issuer() -> DevIssuer:
    return DevIssuer(state_dir() / "dev-issuer")


KINDS = ("force", "partner", "national", "auditor")


@app.command()
def token(
    force: Annotated[Optional[str], typer.Option(help="force id, e.g. west-midlands (force users, force auditors)")] = None,
    role: Annotated[Optional[list[str]], typer.Option(help="role (repeatable); default from --kind")] = None,
    kind: Annotated[str, typer.Option(help="force | partner | national | auditor")] = "force",
    org: Annotated[Optional[str], typer.Option(help="partner organisation id, e.g. cranstoun (--kind partner)")] = None,
    grant: Annotated[Optional[list[str]], typer.Option(help="extra grant (repeatable), e.g. dpo for an auditor")] = None,
    subject: Annotated[Optional[str], typer.Option(help="subject (defaults to a dev user of the force or org)")] = None,
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 3600,
) -> None:
    """Print a bearer token signed by the local development issuer, for any kind of identity:

    \b
      naloxctl token --force west-midlands --role officer          a force's officer
      naloxctl token --kind partner --org cranstoun                 a partner worker (forces come from
                                                                    the agreements force admins make)
      naloxctl token --kind national                                a national lead (aggregates only)
      naloxctl token --kind auditor --force west-midlands --grant dpo   a force's data-protection officer
    """
    if kind not in KINDS:
        raise typer.BadParameter(f"kind must be one of {KINDS}", param_hint="--kind")
    roles = role or {"force": ["officer"], "partner": ["partner"], "national": ["national_lead"],
                     "auditor": ["auditor"]}[kind]
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {unknown}; roles are {sorted(ROLES)}", param_hint="--role")
    if force is not None and get_force(force) is None:
        raise typer.BadParameter(f"'{force}' is not a force id; see `naloxctl forces`", param_hint="--force")
    if kind == "force" and force is None:
        raise typer.BadParameter("a force user needs --force", param_hint="--force")
    if kind == "partner" and not org:
        raise typer.BadParameter("a partner needs --org (its forces come from agreements)", param_hint="--org")
    if kind in ("partner", "national") and force is not None:
        raise typer.BadParameter(f"a {kind} identity belongs to no force", param_hint="--force")
    who = subject or f"dev-{roles[0]}@{force or org or 'national'}"
    print(issuer().mint(subject=who, roles=roles, force_id=force, org=org if kind == "partner" else None,
                        grants=grant or None, ttl_seconds=ttl))


@app.command()
def forces() -> None:
    """List the reference forces: id, region, name."""
    for f in FORCES:
        print(f"{f.id:28} {f.region:26} {f.name}")


@keys_app.command("init")
def keys_init() -> None:
    """Create the development signing key and JWKS (kept if they already exist)."""
    dev = issuer()
    dev.ensure_keys()
    print(f"JWKS: {dev.jwks_path}", file=sys.stderr)
    from naloxone_kernel.integration_keys import ensure_dev_keys, keys_dir

    made = ensure_dev_keys(keys_dir(), [f.id for f in FORCES])
    print(f"integration keys (forces' and inbound): {keys_dir()} ({made} made)", file=sys.stderr)


@topics_app.command("ensure")
def topics_ensure(prefix: Annotated[str, typer.Option(help="topic prefix (tests)")] = "") -> None:
    """Create the platform's event topics if missing."""
    from naloxone.contracts import TOPICS
    from naloxone_kernel.kafka import ensure_topics
    from naloxone_kernel.settings import default_kafka_bootstrap

    created = asyncio.run(ensure_topics(default_kafka_bootstrap(), [prefix + t for t in TOPICS.values()]))
    print(f"topics created: {created or 'none (all exist)'}", file=sys.stderr)


@kafka_app.command("force-user")
def kafka_force_user(
    force: Annotated[str, typer.Argument(help="force id, e.g. west-midlands")],
    password: Annotated[Optional[str], typer.Option(help="default: a development password kept in the state dir")] = None,
    topic_prefix: Annotated[str, typer.Option(help="topic prefix (tests)")] = "",
) -> None:
    """Give a force its SCRAM user, ACLs and topics on the local broker; print how it connects."""
    from naloxone_kernel.kafka_acls import force_user
    from naloxone_kernel.settings import default_kafka_bootstrap

    from .kafka_users import dev_password, provision_force, sasl_bootstrap

    if get_force(force) is None:
        raise typer.BadParameter(f"'{force}' is not a force id; see `naloxctl forces`", param_hint="FORCE")
    secret = password or dev_password(force_user(force, topic_prefix))
    user = asyncio.run(provision_force(default_kafka_bootstrap(), force, secret, topic_prefix=topic_prefix))
    print(f"bootstrap {sasl_bootstrap()}  SASL_PLAINTEXT SCRAM-SHA-512  user {user}  password {secret}")


@kafka_app.command("users")
def kafka_users() -> None:
    """Write the Strimzi KafkaUsers (and each force's inbound topics) to deploy/k8s/base/kafka-users/."""
    from .kafka_users import USERS_DIR, write_users

    changed = write_users()
    print(f"{USERS_DIR}: {len(changed)} file(s) written", file=sys.stderr)


@app.command()
def migrate() -> None:
    """Apply every service's Alembic migrations (creating databases if missing)."""
    from .stack import migrate_all

    migrate_all()


@stack_app.command("up")
def stack_up() -> None:
    """Start every service process (API, relay, projector, gateway) and wait until ready."""
    from .stack import LocalStack

    LocalStack.default().up()


@stack_app.command("urls")
def stack_urls() -> None:
    """Where each service's API documents itself (behind the gateway; for developers)."""
    from gateway.config import GATEWAY_OPS_PORT
    from naloxone_kernel.registry import GATEWAY_PORT, SERVICES

    print(f"  {'gateway':16}http://127.0.0.1:{GATEWAY_PORT}  (docs: /docs, merged OpenAPI: /openapi.json)")
    print(f"  {'gateway ops':16}http://127.0.0.1:{GATEWAY_OPS_PORT}/readyz  and /metrics")
    for entry in SERVICES:
        print(f"  {entry.name + ' API':16}http://127.0.0.1:{entry.port('api')}/docs  (OpenAPI, behind the gateway)")


@stack_app.command("down")
def stack_down() -> None:
    from .stack import LocalStack

    LocalStack.default().down()


@stack_app.command("status")
def stack_status() -> None:
    from .stack import LocalStack

    raise typer.Exit(0 if LocalStack.default().status() else 1)


@demo_app.command("load")
def demo_load(
    gateway: Annotated[str, typer.Option(help="gateway base URL")] = "http://127.0.0.1:8080",
    scale: Annotated[float, typer.Option(min=0.001, help="multiply every size (officers, kits, administrations, "
                                                          "supplies, referrals); 1 is the published figures")] = 1.0,
    seed: Annotated[int, typer.Option(help="the plan's random seed")] = 7,
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="requests in flight")] = 32,
    check: Annotated[bool, typer.Option(help="wait for the views and compare them with the plan")] = True,
) -> None:
    """Load a realistic picture through the gateway, as the forces' users would: every force's
    provision status; 32 active forces' officers, kits, administrations (1,232 in England and
    Wales from June 2019 to December 2024; Police Scotland's 201), take-home supplies and referrals.
    A rerun the same day replays and adds nothing. Prints progress, commands/s and a summary, and
    fails if the views' national comparison does not come to match the plan."""
    from .demo import DemoLoadError, load_demo

    try:
        asyncio.run(load_demo(gateway, issuer(), scale=scale, seed=seed, concurrency=concurrency, check=check))
    except (DemoLoadError, AssertionError) as exc:
        print(f"demo load failed: {exc}", file=sys.stderr)
        raise typer.Exit(1)


@app.command()
def rebuild(
    view: Annotated[str, typer.Argument(help="the read model, e.g. views_figures or training_view")],
    into: Annotated[Optional[str], typer.Option(help="target schema (default: a fresh one swapped in live)")] = None,
    no_swap: Annotated[bool, typer.Option("--no-swap", help="leave the rebuilt schema beside the live one")] = False,
    service: Annotated[Optional[str], typer.Option(help="the service, when several keep a read model of this name")]
    = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="processes replaying the view in parallel, where it "
                                                                "allows (default: one per CPU)")] = None,
) -> None:
    """Replay one read model from Kafka into fresh tables with a progress bar; the service keeps
    answering from the old tables until the new ones are complete, then they are swapped in and
    the events/s are printed. The service owning the view is found in the registry."""
    from naloxone_kernel.__main__ import main as kernel_main
    from naloxone_kernel.registry import SERVICES
    from naloxone_kernel.service import load_parts

    owners: dict[str, list[str]] = {}
    for entry in SERVICES:
        for model in load_parts(entry).read_models:
            owners.setdefault(model.name, []).append(entry.name)
    candidates = [s for s in owners.get(view, []) if service in (None, s)]
    if not candidates:
        raise typer.BadParameter(f"no service has a read model '{view}'; read models: {sorted(owners)}",
                                 param_hint="VIEW")
    if len(candidates) > 1:
        raise typer.BadParameter(f"services {candidates} each keep '{view}'; name one", param_hint="--service")
    args = [candidates[0], "rebuild", view, *(["--into", into] if into else []), *(["--no-swap"] if no_swap else []),
            *(["--workers", str(workers)] if workers else [])]
    raise typer.Exit(kernel_main(args))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
