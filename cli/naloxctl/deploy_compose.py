"""docker-compose.yml, .env.example and the PostgreSQL init script, rendered from `deploy.platform()`.

The laptop's whole stack: Apache Kafka (KRaft, the official image), PostgreSQL with one
database per service (an init script), the topics (one-shot), the development token
issuer (one-shot), each service's migration (one-shot) and processes, and the gateway on
127.0.0.1:8080. Secrets come from .env (`naloxctl deploy dotenv > .env`), never from here.
"""

from __future__ import annotations

import re

from .deploy import (GENERATED, INTEGRATION_KEYS_DIR, Alias, Anchor, Commented, Owner, Platform, Process,
                     domain_topic_partitions, to_yaml)

KAFKA_IMAGE = "apache/kafka:3.9.1"  # the version deploy/local runs
POSTGRES_IMAGE = "postgres:17.6-bookworm"
POSTGRES_USER = "naloxone"
IMAGE_TAG = "${NALOX_IMAGE_TAG:-dev}"
STATE_DIR = "/var/lib/naloxone"  # the development issuer's keys (a named volume)
KAFKA_BOOTSTRAP = "kafka:9092"
DEV_ISSUER = "dev-issuer"
TOPICS_INIT = "kafka-topics"


def required(name: str) -> str:
    return f"${{{name}:?set {name} in .env: naloxctl deploy dotenv > .env}}"


def database_url(database: str) -> str:
    return f"postgresql://{POSTGRES_USER}:{required('POSTGRES_PASSWORD')}@postgres:5432/{database}"


def image(owner: str) -> str:
    return f"naloxone/{owner}:{IMAGE_TAG}"


def build(owner: str) -> dict:
    return {"context": ".", "dockerfile": "Dockerfile", "args": {"SERVICE": owner}}


_OPS_PORT = re.compile(r"^(\w+)_ops_port$")


def port_value(owner: Owner, field: str, plat: Platform) -> int | None:
    """The registry's port for a port setting (the settings fill them in only at start-up)."""
    from naloxone_kernel.registry import PROCESS_KINDS, service

    if owner.is_gateway:
        return {"port": plat.gateway_port, "ops_port": plat.gateway_ops_port}.get(field)
    entry = service(owner.name)
    if field == "port":
        return entry.port("api")
    match = _OPS_PORT.match(field)
    if match and match.group(1) in PROCESS_KINDS:
        return entry.port(match.group(1))
    return None


def environment(owner: Owner, plat: Platform) -> dict[str, str]:
    """Every variable the owner's processes read, for Compose."""
    fixed = {"host": "0.0.0.0", "environment": "development", "kafka_bootstrap": KAFKA_BOOTSTRAP,
             "jwks_path": f"{STATE_DIR}/dev-issuer/jwks.json", "jwks_url": "", "topic_prefix": ""}
    env = {}
    for s in owner.settings:
        port = port_value(owner, s.field, plat)
        if s.field == "database_url":
            env[s.env] = database_url(owner.database)
        elif s.secret:
            env[s.env] = required(s.env)
        elif port is not None:
            env[s.env] = str(port)
        elif s.field in fixed:
            env[s.env] = fixed[s.field]
        else:
            env[s.env] = s.default_text()
    for service in plat.services:
        name = f"GATEWAY_{service.name.upper()}_URL"
        if name in owner.extra_env:
            env[name] = f"http://{service.api.name}:{service.api.port}"
    if any(INTEGRATION_KEYS_DIR in p.env for p in owner.processes):
        env[INTEGRATION_KEYS_DIR] = f"{STATE_DIR}/integration-keys"  # made by `naloxctl keys init`
    missing = owner.env_names.union(*(p.env for p in owner.processes)) - set(env)
    if missing:
        raise RuntimeError(f"{owner.name}: no Compose value for {sorted(missing)}")
    return env


def dotenv_secrets(plat: Platform) -> dict[str, str]:
    """Every variable Compose takes from .env, and what kind of value it holds."""
    out = {"POSTGRES_PASSWORD": "token"}
    for owner in plat.owners:
        for s in owner.settings:
            if s.secret and s.field != "database_url":
                out[s.env] = ("map" if isinstance(s.default, (dict, list)) else
                              "key-id" if s.field.endswith("_id") else
                              "aes256" if "wrapping_key" in s.field else "token")
    return out


def readyz(port: int) -> dict:
    probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/readyz', timeout=4)"
    return {"test": ["CMD", "python", "-c", probe], "interval": "10s", "timeout": "5s", "retries": 6,
            "start_period": "30s"}


HARDENED = {"read_only": True, "tmpfs": ["/tmp"], "cap_drop": ["ALL"], "security_opt": ["no-new-privileges:true"]}


def _platform_deps() -> dict:
    return {"postgres": {"condition": "service_healthy"}, "kafka": {"condition": "service_healthy"},
            TOPICS_INIT: {"condition": "service_completed_successfully"},
            DEV_ISSUER: {"condition": "service_completed_successfully"}}


def process_service(owner: Owner, process: Process) -> dict:
    deps = _platform_deps()
    if owner.migrates:
        deps[f"{owner.name}-migrate"] = {"condition": "service_completed_successfully"}
    return {
        "image": image(owner.name), "build": build(owner.name),
        "command": ["python", *process.args],
        "environment": Alias(f"env-{owner.name}"),
        "volumes": [f"issuer-keys:{STATE_DIR}:ro"],
        "expose": [str(process.port)] + ([str(process.probe_port)] if process.probe_port != process.port else []),
        "healthcheck": readyz(process.probe_port),
        "depends_on": deps,
        "restart": "unless-stopped",
        **HARDENED,
    }


def compose(plat: Platform) -> dict:
    topics = " ".join(plat.topics)
    partitions = domain_topic_partitions()
    topics_script = (
        "set -e\n"
        f"for topic in {topics}; do\n"
        f"  /opt/kafka/bin/kafka-topics.sh --bootstrap-server {KAFKA_BOOTSTRAP} --create --if-not-exists \\\n"
        f"    --topic \"$$topic\" --partitions {partitions} --replication-factor 1\n"
        "done\n")
    services: dict = {
        "postgres": Commented("One server, one database per service (deploy/compose/initdb), each owned by naloxone.", {
            "image": POSTGRES_IMAGE,
            "environment": {"POSTGRES_USER": POSTGRES_USER, "POSTGRES_PASSWORD": required("POSTGRES_PASSWORD"),
                            "POSTGRES_DB": "postgres"},
            "volumes": ["postgres-data:/var/lib/postgresql/data",
                        "./deploy/compose/initdb:/docker-entrypoint-initdb.d:ro"],
            "healthcheck": {"test": ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", POSTGRES_USER, "-d", "postgres"],
                            "interval": "5s", "timeout": "5s", "retries": 12, "start_period": "10s"},
            "restart": "unless-stopped",
        }),
        "kafka": Commented("Apache Kafka in KRaft mode: one combined broker and controller.", {
            "image": KAFKA_IMAGE,
            "environment": {
                "KAFKA_NODE_ID": "1",
                "KAFKA_PROCESS_ROLES": "broker,controller",
                "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
                "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{KAFKA_BOOTSTRAP}",
                "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@kafka:9093",
                "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
                "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
                "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
                "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
                "KAFKA_LOG_RETENTION_MS": "-1",
            },
            "volumes": ["kafka-data:/var/lib/kafka/data"],
            "healthcheck": {"test": ["CMD", "/opt/kafka/bin/kafka-broker-api-versions.sh", "--bootstrap-server",
                                     "127.0.0.1:9092"],
                            "interval": "10s", "timeout": "10s", "retries": 12, "start_period": "20s"},
            "restart": "unless-stopped",
        }),
        TOPICS_INIT: Commented("One-shot: every contract topic (no auto-creation; event topics keep events "
                               "forever, so any view can be rebuilt).", {
            "image": KAFKA_IMAGE,
            "command": ["sh", "-c", topics_script],
            "depends_on": {"kafka": {"condition": "service_healthy"}},
        }),
        DEV_ISSUER: Commented("One-shot: the development token issuer's key and JWKS, and the development\n"
                              "integration keys, shared read-only with every process. Mint a token:\n"
                              "  docker compose run --rm naloxctl token --force west-midlands --role trainer", {
            "image": image("naloxctl"), "build": build("naloxctl"),
            "command": ["naloxctl", "keys", "init"],
            "environment": {"NALOX_STATE_DIR": STATE_DIR},
            "volumes": [f"issuer-keys:{STATE_DIR}"],
            **HARDENED,
        }),
    }
    for owner in plat.services:
        if owner.migrates:
            services[f"{owner.name}-migrate"] = Commented(f"One-shot: {owner.name}'s event store and own migrations.", {
                "image": image(owner.name), "build": build(owner.name),
                "command": ["python", "-m", "naloxone_kernel", owner.name, "migrate"],
                "environment": Alias(f"env-{owner.name}"),
                "depends_on": {"postgres": {"condition": "service_healthy"}},
                **HARDENED,
            })
        for process in owner.processes:
            services[process.name] = process_service(owner, process)
    gw = plat.gateway
    gateway = process_service(gw, gw.processes[0])
    gateway["depends_on"] |= {s.api.name: {"condition": "service_healthy"} for s in plat.services if s.api}
    gateway["ports"] = [f"127.0.0.1:{plat.gateway_port}:{plat.gateway_port}"]
    services["gateway"] = Commented("The one public entry: http://127.0.0.1:8080 (docs at /docs).", gateway)
    services["naloxctl"] = Commented("Tools, started only on demand: docker compose run --rm naloxctl --help", {
        "image": image("naloxctl"), "build": build("naloxctl"),
        "entrypoint": ["naloxctl"],
        "environment": {"NALOX_STATE_DIR": STATE_DIR},
        "volumes": [f"issuer-keys:{STATE_DIR}"],
        "profiles": ["tools"],
        "depends_on": {DEV_ISSUER: {"condition": "service_completed_successfully"}},
        **HARDENED,
    })
    doc: dict = {"name": "naloxone"}
    for owner in plat.owners:
        doc[f"x-env-{owner.name}"] = Anchor(f"env-{owner.name}", environment(owner, plat))
    doc["services"] = services
    doc["volumes"] = {"postgres-data": {}, "kafka-data": {}, "issuer-keys": {}}
    return doc


def initdb(plat: Platform) -> str:
    creates = "\n".join(f'CREATE DATABASE "{db}";' for db in plat.databases)
    return (
        "#!/bin/sh\n"
        f"# {GENERATED}\n"
        "# Runs once, when the postgres volume is first initialised: one database per service.\n"
        "set -eu\n"
        'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL\n'
        f"{creates}\n"
        "SQL\n")


def env_example(plat: Platform) -> str:
    lines = [
        f"# {GENERATED}",
        "# docker compose reads .env beside docker-compose.yml. Make one with fresh random values:",
        "#   uv run naloxctl deploy dotenv > .env",
        "# or copy this file to .env and fill every value (none may stay empty):",
        "#   passwords and secrets: 32+ random characters, e.g. `openssl rand -base64 36 | tr -d '/+='`",
        "#   *_WRAPPING_KEY: base64 of 32 random bytes, e.g. `openssl rand -base64 32`",
        "#   maps (*_SECRETS, *_KEYS): JSON, '{}' for none",
        "# Never commit .env.",
        "",
        "# The image tag docker compose builds and runs (default: dev).",
        "# NALOX_IMAGE_TAG=dev",
        "",
    ]
    for name, kind in dotenv_secrets(plat).items():
        lines.append(f"{name}=" + ("'{}'" if kind == "map" else ""))
    return "\n".join(lines) + "\n"


def render(plat: Platform) -> dict[str, str]:
    header = (f"{GENERATED}\n"
              "The whole platform on a laptop: cp nothing by hand, run\n"
              "  uv run naloxctl deploy dotenv > .env && docker compose up --build -d\n"
              "then mint a token with: docker compose run --rm naloxctl token --force west-midlands --role trainer")
    return {
        "docker-compose.yml": to_yaml(compose(plat), header=header),
        ".env.example": env_example(plat),
        "deploy/compose/initdb/10-databases.sh": initdb(plat),
    }

