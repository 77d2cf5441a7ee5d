"""`naloxctl deploy`: docker-compose.yml and deploy/k8s rendered from the service registry.

The deploy files are generated, never hand-written per service, so a new registry row (a
new service, a new process kind, a new setting) reaches Compose and Kubernetes by running

    naloxctl deploy render            write docker-compose.yml, .env.example, deploy/compose, deploy/k8s
    naloxctl deploy render --check    exit 1 if a committed file differs from a fresh render
    naloxctl deploy dotenv            print a .env with fresh random secrets for Compose

What is rendered comes from one description of the platform (`platform()`): every
process the local stack runs (`naloxctl.stack.service_specs`), its port, its database,
and every environment variable its settings class reads (pydantic-settings fields under
the service's env prefix), each marked secret or not. tests/deploy checks the rendered
files against that description and against the Compose and Kubernetes schemas.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Iterable

import typer

REPO = Path(__file__).resolve().parents[2]

#: Settings fields that are not configuration: the settings class's own identity, and the
#: topic the validator always takes from the registry (an environment value is overwritten).
NOT_CONFIGURATION = {
    "service_name": "names the settings class itself",
    "events_topic_name": "always the registry row's topic; the settings validator overwrites any value",
}

#: A setting is a secret when its name says so; such values live in .env (Compose) or a
#: Secret (Kubernetes), never in a rendered file. tests/deploy cross-checks this against the
#: development defaults that settings refuse outside development. A wrapping key's id is not
#: secret, but it is rotated with its key, so it is kept beside it.
SECRET_FIELD = re.compile(r"(^|_)(password|secret|secrets|private_key)($|_)|wrapping_keys?(_id)?$|^database_url$")

#: Variables some process kinds read straight from os.environ, not through a settings class.
#: (tests/deploy scans the code for such reads: a new one fails until it is described here.)
INTEGRATION_KEYS_DIR = "NALOX_INTEGRATION_KEYS_DIR"  # kernel/integration_keys.py: egress and inbound
PROCESS_ENV = {"egress": (INTEGRATION_KEYS_DIR,), "inbound": (INTEGRATION_KEYS_DIR,)}

#: Settings shared by every process of the platform, set once per deployment (Kubernetes:
#: the naloxone-platform ConfigMap an overlay writes; Compose: the values below).
PLATFORM_KEYS = ("environment", "log_level", "kafka_bootstrap", "token_issuer", "token_audience",
                 "jwks_url", "jwks_path", "topic_prefix")


@dataclass(frozen=True)
class Setting:
    """One environment variable a process reads."""

    env: str
    field: str
    default: Any
    secret: bool

    def default_text(self) -> str:
        """The default as the environment variable would spell it (maps and lists as JSON)."""
        return env_text(self.default)


def env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Process:
    """One long-running process: `python -m ...` on a port, probes on /healthz and /readyz."""

    name: str  # training-api, inventory-reactor, gateway
    owner: str  # training, gateway
    kind: str  # api, relay, projector, reactor, ... or gateway
    args: tuple[str, ...]  # after `python`: ("-m", "naloxone_kernel", "training", "api")
    port: int  # what it listens on (the API, or a worker's ops server)
    probe_port: int  # where /healthz and /readyz answer
    serves_traffic: bool  # an HTTP API other processes call
    #: Variables this process reads beyond its owner's settings (PROCESS_ENV).
    env: tuple[str, ...] = ()


@dataclass(frozen=True)
class Owner:
    """A service of the registry, or the gateway: its processes, database, settings and jobs."""

    name: str
    uv_package: str
    database: str
    processes: tuple[Process, ...]
    settings: tuple[Setting, ...]
    #: Extra variables read straight from os.environ (the gateway's upstream URLs).
    extra_env: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    migrates: bool = True  # `python -m naloxone_kernel NAME migrate` (the gateway migrates itself)
    is_gateway: bool = False

    def setting(self, field_name: str) -> Setting | None:
        return next((s for s in self.settings if s.field == field_name), None)

    @property
    def env_names(self) -> set[str]:
        return {s.env for s in self.settings} | set(self.extra_env)

    @property
    def api(self) -> Process | None:
        return next((p for p in self.processes if p.serves_traffic), None)


@dataclass(frozen=True)
class Platform:
    owners: tuple[Owner, ...]
    topics: tuple[str, ...]  # every contract topic the platform's processes use
    gateway_port: int
    gateway_ops_port: int
    #: What the local stack runs (naloxctl stack): every one must be rendered.
    stack_processes: tuple[str, ...] = field(default=())
    #: Per-force topics the egress and inbound processes use: each force's egress topic, and its
    #: inbound and dead-letter topics of every domain with an inbound process.
    egress_topics: tuple[str, ...] = ()
    inbound_topics: tuple[str, ...] = ()
    dead_letter_topics: tuple[str, ...] = ()

    @property
    def services(self) -> tuple[Owner, ...]:
        return tuple(o for o in self.owners if not o.is_gateway)

    @property
    def gateway(self) -> Owner:
        return next(o for o in self.owners if o.is_gateway)

    @property
    def processes(self) -> tuple[Process, ...]:
        return tuple(p for o in self.owners for p in o.processes)

    @property
    def databases(self) -> tuple[str, ...]:
        return tuple(o.database for o in self.owners)


def settings_of(cls, prefix: str) -> tuple[Setting, ...]:
    """Every environment variable a pydantic-settings class reads, with its default."""
    out = []
    for name, info in cls.model_fields.items():
        if name in NOT_CONFIGURATION:
            continue
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        env = (alias or f"{prefix}{name}").upper()
        out.append(Setting(env=env, field=name, default=info.get_default(call_default_factory=True),
                           secret=bool(SECRET_FIELD.search(name))))
    return tuple(out)


def platform() -> Platform:
    """The platform as the registry, the settings classes and the local stack describe it."""
    from gateway.config import GATEWAY_OPS_PORT, GatewaySettings
    from naloxone.contracts import TOPICS
    from naloxone_kernel.registry import GATEWAY_PORT, SERVICES
    from naloxone_kernel.service import load_parts
    from naloxone_kernel.settings import settings_for

    from .stack import StackConfig, registry_ports, service_specs

    owners = []
    for entry in SERVICES:
        parts = load_parts(entry)
        cls = type(settings_for(entry.name, parts.settings))
        processes = tuple(
            Process(name=entry.process_name(kind), owner=entry.name, kind=kind,
                    args=("-m", "naloxone_kernel", entry.name, kind), port=entry.port(kind),
                    probe_port=entry.port(kind), serves_traffic=kind == "api", env=PROCESS_ENV.get(kind, ()))
            for kind in entry.processes)
        owners.append(Owner(name=entry.name, uv_package=f"naloxone-{entry.name}", database=entry.database,
                            processes=processes, settings=settings_of(cls, entry.env_prefix),
                            jobs=tuple(job.name for job in parts.jobs)))
    gateway_settings = settings_of(GatewaySettings, GatewaySettings.model_config["env_prefix"])
    owners.append(Owner(
        name="gateway", uv_package="naloxone-gateway", database="gateway",
        processes=(Process(name="gateway", owner="gateway", kind="gateway", args=("-m", "gateway"),
                           port=GATEWAY_PORT, probe_port=GATEWAY_OPS_PORT, serves_traffic=True),),
        settings=gateway_settings,
        extra_env=tuple(f"GATEWAY_{entry.name.upper()}_URL" for entry in SERVICES),
        migrates=False, is_gateway=True))

    # The local stack is the reference for what runs: same names, same commands.
    cfg = StackConfig(run_dir=Path("/nonexistent"), database_urls={o.name: "postgresql://x@h/d" for o in owners},
                      ports=registry_ports())
    specs = service_specs(cfg)
    by_name = {p.name: p for o in owners for p in o.processes}
    for spec in specs:
        process = by_name.get(spec.name)
        if process is None or tuple(spec.argv[1:]) != process.args:
            raise RuntimeError(f"naloxctl stack runs {spec.name} as {spec.argv[1:]}, which the deploy "
                               "renderer does not know; teach cli/naloxctl/deploy.py this process")
    topics = tuple(dict.fromkeys([*TOPICS.values(), *(e.topic for e in SERVICES)]))
    return Platform(owners=tuple(owners), topics=topics, gateway_port=GATEWAY_PORT,
                    gateway_ops_port=GATEWAY_OPS_PORT, stack_processes=tuple(s.name for s in specs),
                    **force_topics(SERVICES))


def force_topics(services) -> dict:
    """The per-force topics of the services that run egress or inbound processes."""
    from naloxone.contracts import TOPICS, force_topic
    from naloxone_kernel.reference.forces import FORCES

    out: dict = {}
    if any("egress" in e.processes for e in services):
        out["egress_topics"] = tuple(force_topic(f.id) for f in FORCES)
    inbound = [e for e in services if "inbound" in e.processes]
    if inbound:
        from naloxone_kernel.inbound import force_dead_letter_topic, force_inbound_topic

        domains = [next(d for d, t in TOPICS.items() if t == e.topic) for e in inbound]
        out["inbound_topics"] = tuple(force_inbound_topic(d, f.id) for d in domains for f in FORCES)
        out["dead_letter_topics"] = tuple(force_dead_letter_topic(d, f.id) for d in domains for f in FORCES)
    return out


# --- topic sizing ------------------------------------------------------------------------

#: Measured by `make bench` (bench/projector.py, bench/relay.py) on 2026-11-22 on the 2-core
#: development machine, 94% busy over the run (so a floor, not a ceiling).
BENCH_PROJECTOR_EVENTS_PER_S = 8_235  # one live ProjectorRunner (one consumer), after the first batch
BENCH_RELAY_EVENTS_PER_S = 11_192  # one relay draining 30,000 queued outbox rows to Kafka (acks=all)
#: Today's national volume, all domains, from DESIGN.md's figures: ~40,000 carrying officers
#: (enrol, train, certify, expire: ~6 events a year each), ~40,000 police kits (receive, issue,
#: return, swap, expire: ~5 a year), ~30,000 take-home kits (Scotland alone supplied 28,689 in
#: 2022/23; 2 events each), ~250 administrations a year: about 0.5 million events a year.
NATIONAL_EVENTS_PER_YEAR = 500_000
GROWTH = 10  # the design's load: 45 forces at ten times today's national volume
#: Events arrive in bursts, not evenly: a 100-kit batch receipt is 101 events in one append, and
#: 16 clients doing that at once (bench/inventory.py) is ~1,600 events within a second.
PEAK_EVENTS_PER_S = 2_000
#: A consumer should run at most half busy at the peak, so a lagging replica can catch up.
CONSUMER_HEADROOM = 0.5
#: Partitions bound how many projector (and reactor) replicas share a topic's work, and adding
#: partitions later moves keys between partitions (per-aggregate order breaks during the move),
#: so domain topics get room for 6 replicas up front; 6 partitions x 3 replicas is cheap.
MIN_DOMAIN_PARTITIONS = 6


def domain_topic_partitions() -> int:
    """Partitions of a domain topic: what the peak needs at the measured rate, at least 6."""
    needed = -(-PEAK_EVENTS_PER_S // int(BENCH_PROJECTOR_EVENTS_PER_S * CONSUMER_HEADROOM))
    return max(MIN_DOMAIN_PARTITIONS, needed)


def sizing_note() -> str:
    mean = NATIONAL_EVENTS_PER_YEAR * GROWTH / (365 * 86400)
    per = int(BENCH_PROJECTOR_EVENTS_PER_S * CONSUMER_HEADROOM)
    n = domain_topic_partitions()
    return (
        f"Partitions, from the benchmark (bench/, make bench, 2026-11-22, 2-core machine):\n"
        f"  one projector consumer applies {BENCH_PROJECTOR_EVENTS_PER_S:,} events/s, one relay publishes "
        f"{BENCH_RELAY_EVENTS_PER_S:,} events/s.\n"
        f"  45 forces at {GROWTH}x today's national volume: {NATIONAL_EVENTS_PER_YEAR * GROWTH:,} events/year "
        f"= {mean:.2f} events/s on average;\n"
        f"  bursts (100-kit receipts, 16 at once) reach ~{PEAK_EVENTS_PER_S:,} events/s on one topic.\n"
        f"  At most {CONSUMER_HEADROOM:.0%} busy per consumer: ceil({PEAK_EVENTS_PER_S:,} / {per:,}) = "
        f"{-(-PEAK_EVENTS_PER_S // per)} partition(s) would carry the peak;\n"
        f"  {n} are kept so up to {n} projector replicas can share a topic "
        f"({n} x {per:,} = {n * per:,} events/s) without repartitioning,\n"
        f"  which would move keys and break per-aggregate order while it happens."
    )


# --- a small YAML writer -----------------------------------------------------------------
# Block style only, keys in the order given, comments where we want them, anchors for
# Compose's shared environments. (No YAML library is a runtime dependency of the CLI.)


@dataclass(frozen=True)
class Anchor:
    name: str
    value: Any


@dataclass(frozen=True)
class Alias:
    name: str


@dataclass(frozen=True)
class Commented:
    """A value with comment lines written above its key."""

    comment: str
    value: Any


_PLAIN = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_./:@+-]*( [A-Za-z0-9_./:@+()-]+)*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(":"):
        return text
    return json.dumps(text)


def _comment(text: str, indent: str) -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in text.splitlines()]


def _emit(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            lines[-1] += " {}"
            return
        for key, item in value.items():
            if isinstance(item, Commented):
                lines.extend(_comment(item.comment, pad))
                item = item.value
            _emit_entry(f"{pad}{scalar(key)}:", item, indent, lines)
    elif isinstance(value, (list, tuple)):
        if not value:
            lines[-1] += " []"
            return
        for item in value:
            if isinstance(item, Commented):
                lines.extend(_comment(item.comment, pad))
                item = item.value
            if isinstance(item, dict) and item:
                first = True
                for key, sub in item.items():
                    prefix = f"{pad}- " if first else f"{pad}  "
                    if isinstance(sub, Commented):
                        lines.extend(_comment(sub.comment, pad + "  "))
                        sub = sub.value
                    _emit_entry(f"{prefix}{scalar(key)}:", sub, indent + 2, lines)
                    first = False
            else:
                _emit_entry(f"{pad}-", item, indent, lines, in_list=True)
    else:
        raise TypeError(f"cannot emit {type(value)} at top level")


def _emit_entry(head: str, item: Any, indent: int, lines: list[str], in_list: bool = False) -> None:
    child = indent + 2
    if isinstance(item, Anchor):
        head += f" &{item.name}"
        item = item.value
    if isinstance(item, Alias):
        lines.append(f"{head} *{item.name}")
    elif isinstance(item, (dict, list, tuple)):
        lines.append(head)
        if isinstance(item, (list, tuple)) and not in_list and item:
            _emit(item, indent, lines)  # a list under a key sits at the key's indent
        else:
            _emit(item, child, lines)
    elif isinstance(item, str) and "\n" in item:
        lines.append(f"{head} |{'-' if not item.endswith(chr(10)) else ''}")
        lines.extend((" " * child + line).rstrip() for line in item.rstrip("\n").split("\n"))
    else:
        lines.append(f"{head} {scalar(item)}")


def to_yaml(*documents: Any, header: str = "") -> str:
    """YAML text of one or more documents (dicts), each optionally Commented."""
    out: list[str] = []
    if header:
        out.extend(_comment(header, ""))
    for i, doc in enumerate(documents):
        if i:
            out.append("---")
        if isinstance(doc, Commented):
            out.extend(_comment(doc.comment, ""))
            doc = doc.value
        lines: list[str] = [""]
        _emit(doc, 0, lines)
        out.extend(lines[1:] if lines[0] == "" else lines)
    return "\n".join(out) + "\n"


GENERATED = ("Generated by `naloxctl deploy render` from kernel/naloxone_kernel/registry.py and the settings "
             "classes; do not edit.")


# --- rendering ----------------------------------------------------------------------------


def render(plat: Platform | None = None) -> dict[str, str]:
    """Every generated file, path (relative to the repository) -> text."""
    from . import deploy_compose, deploy_k8s

    plat = plat or platform()
    return {**deploy_compose.render(plat), **deploy_k8s.render(plat)}


#: Folders whose files are all rendered: a file there that the renderer no longer writes is stale.
RENDERED_DIRS = ("deploy/compose", "deploy/k8s/base", "deploy/k8s/overlays")
#: Written by hand (or by other engineers) inside those folders, and left alone.
NOT_RENDERED = ("deploy/k8s/base/kafka-users/",)


def stale(files: dict[str, str], root: Path = REPO) -> list[str]:
    """Paths whose committed text differs from `files`, or that the render no longer makes."""
    out = [path for path, text in files.items()
           if not (root / path).is_file() or (root / path).read_text() != text]
    for folder in RENDERED_DIRS:
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in files and not rel.startswith(NOT_RENDERED):
                out.append(rel)
    return out


def write(files: dict[str, str], root: Path = REPO) -> list[str]:
    changed = stale(files, root)
    for rel in changed:
        path = root / rel
        if rel in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[rel])
            if rel.endswith(".sh"):
                path.chmod(0o755)
        else:
            path.unlink()
    return changed


def dotenv_values(plat: Platform) -> dict[str, str]:
    """Fresh random values for every secret Compose reads from .env."""
    from . import deploy_compose

    values = {}
    for name, kind in deploy_compose.dotenv_secrets(plat).items():
        if kind == "map":
            values[name] = "{}"
        elif kind == "key-id":
            values[name] = f"compose-{secrets.token_hex(4)}"
        elif kind == "aes256":
            values[name] = base64.b64encode(secrets.token_bytes(32)).decode()
        else:
            values[name] = secrets.token_urlsafe(36)
    return values


deploy_app = typer.Typer(no_args_is_help=True, help="docker-compose.yml and deploy/k8s, rendered from the registry")


@deploy_app.command("render")
def render_command(
    check: Annotated[bool, typer.Option(help="only report files that differ from a fresh render")] = False,
) -> None:
    """Write docker-compose.yml, .env.example, deploy/compose and deploy/k8s from the registry."""
    files = render()
    if check:
        out = stale(files)
        for rel in out:
            print(f"stale: {rel}")
        raise typer.Exit(1 if out else 0)
    for rel in write(files):
        print(f"wrote {rel}" if rel in files else f"removed {rel}")


@deploy_app.command("dotenv")
def dotenv_command() -> None:
    """Print a .env for docker compose with fresh random secrets: `naloxctl deploy dotenv > .env`."""
    plat = platform()
    for name, value in dotenv_values(plat).items():
        print(f"{name}={value}" if value != "{}" else f"{name}='{{}}'")


def iter_yaml_paths(files: Iterable[str]) -> list[str]:
    return [f for f in files if f.endswith((".yml", ".yaml"))]
