"""deploy/k8s: a kustomize base and the dev and prod overlays, rendered from `deploy.platform()`.

Per service: a ServiceAccount, its settings as a generated ConfigMap, one Deployment and
Service per process (API, relay, projector, reactor, ...), probes on /healthz and /readyz
(workers on their ops port), an HPA and a PodDisruptionBudget, NetworkPolicies (APIs only
from the gateway), its migration as a Job, its scheduled jobs as CronJobs, and its own
CloudNativePG Cluster (with backups) reachable only from its own pods. The gateway sits
behind an Ingress and is the only thing reachable from outside. Kafka is a Strimzi Kafka
(KRaft, node pools) with a KafkaTopic per contract topic.
"""

from __future__ import annotations

from pathlib import Path

from naloxone_kernel.reference.forces import FORCES

from .deploy import (GENERATED, INTEGRATION_KEYS_DIR, Commented, Owner, Platform, Process, domain_topic_partitions,
                     sizing_note, to_yaml)
from .deploy_compose import port_value

PART_OF = "naloxone"
SERVICE_LABEL = "naloxone.uk/service"
METRICS_SCRAPER_LABEL = "naloxone.uk/metrics-scraper"
UID = 10001
KAFKA_CLUSTER = "naloxone"
PLATFORM_KAFKA_USER = "naloxone-platform"  # kafka-users/naloxone-platform.yaml
KAFKA_BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap:9092"
STRIMZI_KAFKA_VERSION = "3.9.0"  # the newest Kafka the pinned Strimzi operator (0.45.0) runs
CNPG_IMAGE = "ghcr.io/cloudnative-pg/postgresql:17.6"
INGRESS_NAMESPACE = "ingress-nginx"
CNPG_OPERATOR_NAMESPACE = "cnpg-system"
BACKUP_SECRET = "naloxone-backup-s3"
PLATFORM_CONFIG = "naloxone-platform"
#: Settings every process takes from the platform ConfigMap (an overlay sets them once).
PLATFORM_VALUES = {
    "environment": "production",
    "log_level": "INFO",
    "kafka_bootstrap": KAFKA_BOOTSTRAP,
    "token_issuer": "https://identity.example.invalid/naloxone",
    "token_audience": "naloxone-platform",
    "jwks_url": "https://identity.example.invalid/naloxone/.well-known/jwks.json",
    "jwks_path": "",
    "topic_prefix": "",
}
RESOURCES = {
    "api": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
    "gateway": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"cpu": "2", "memory": "512Mi"}},
    "worker": {"requests": {"cpu": "50m", "memory": "192Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
}


def labels(owner: str, name: str, component: str) -> dict:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/component": component,
            "app.kubernetes.io/part-of": PART_OF, SERVICE_LABEL: owner}


def meta(name: str, owner: str, component: str, **extra) -> dict:
    return {"name": name, "labels": labels(owner, name, component), **extra}


def secret_name(owner: Owner) -> str:
    return f"{owner.name}-secrets"


def cluster_name(database: str) -> str:
    return f"{database}-pg"


def config_name(owner: Owner) -> str:
    return f"{owner.name}-config"


def config_values(owner: Owner, plat: Platform) -> dict[str, str]:
    """The owner's own non-secret settings (the ConfigMap): registry ports, defaults, upstreams."""
    values = {}
    for s in owner.settings:
        if s.secret or s.field in PLATFORM_VALUES:
            continue
        port = port_value(owner, s.field, plat)
        values[s.env] = "0.0.0.0" if s.field == "host" else str(port) if port is not None else s.default_text()
    for service in plat.services:
        name = f"GATEWAY_{service.name.upper()}_URL"
        if name in owner.extra_env:
            values[name] = f"http://{service.api.name}:{service.api.port}"
    return values


def env_refs(owner: Owner) -> list[dict]:
    """Variables from the platform ConfigMap and from Secrets (never a value in the manifests)."""
    env = []
    for s in owner.settings:
        if s.field in PLATFORM_VALUES and not s.secret:
            env.append({"name": s.env, "valueFrom": {"configMapKeyRef": {"name": PLATFORM_CONFIG,
                                                                         "key": s.field.upper()}}})
        elif s.field == "database_url":
            # CloudNativePG writes the owner role's connection URI into <cluster>-app.
            env.append({"name": s.env, "valueFrom": {"secretKeyRef": {"name": f"{cluster_name(owner.database)}-app",
                                                                      "key": "uri"}}})
        elif s.secret:
            ref = {"name": secret_name(owner), "key": s.env}
            if isinstance(s.default, (dict, list)):
                ref["optional"] = True  # a map of extra keys; none is a valid value
            env.append({"name": s.env, "valueFrom": {"secretKeyRef": ref}})
    return env


def container_security() -> dict:
    return {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def pod_spec(owner: Owner, containers: list[dict], **extra) -> dict:
    return {
        "serviceAccountName": owner.name,
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "fsGroup": UID,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        **extra,
        "containers": containers,
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }


def container(owner: Owner, name: str, command: list[str], resources: dict, **extra) -> dict:
    return {
        "name": name,
        "image": f"naloxone/{owner.name}",
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        **extra,
        "envFrom": [{"configMapRef": {"name": config_name(owner)}}],
        "env": env_refs(owner),
        "resources": resources,
        "securityContext": container_security(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def probe(path: str, port: str, period: int, failures: int) -> dict:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period, "timeoutSeconds": 3,
            "failureThreshold": failures}


def process_objects(owner: Owner, process: Process) -> list:
    kind = "api" if process.serves_traffic and not owner.is_gateway else "gateway" if owner.is_gateway else "worker"
    ports = [{"name": "http" if process.serves_traffic else "ops", "containerPort": process.port}]
    if process.probe_port != process.port:
        ports.append({"name": "ops", "containerPort": process.probe_port})
    probe_port = "ops" if process.probe_port != process.port or not process.serves_traffic else "http"
    selector = {"app.kubernetes.io/name": process.name}
    spread = {"topologySpreadConstraints": [{
        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": selector}}]} if kind != "worker" else {}
    spec_container = container(
        owner, process.kind, ["python", *process.args], RESOURCES[kind], ports=ports,
        startupProbe=probe("/healthz", probe_port, 2, 30),
        livenessProbe=probe("/healthz", probe_port, 10, 3),
        readinessProbe=probe("/readyz", probe_port, 5, 3))
    pod = pod_spec(owner, [spec_container], terminationGracePeriodSeconds=30, **spread)
    if INTEGRATION_KEYS_DIR in process.env:
        mount_integration_keys(pod, process)
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(process.name, owner.name, process.kind),
        "spec": {
            "replicas": 1 if kind == "worker" else 2,
            "revisionHistoryLimit": 5,
            # A standing-by relay is never ready (it waits for the outbox lock), so a rolling update
            # would wait for it forever: the old relay goes first.
            **({"strategy": {"type": "Recreate"}} if process.kind == "relay" else {}),
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": labels(owner.name, process.name, process.kind)},
                         "spec": pod},
        },
    }
    if kind == "worker":
        deployment = Commented(
            f"{process.name}: a worker; its ops server answers /healthz, /readyz and /metrics on {process.port}."
            + ("\nOne relay publishes at a time (it holds the outbox lock); a second replica would stand by,\n"
               "unready. Updates recreate it (a brief pause in publishing; nothing is lost, the outbox keeps it)."
               if process.kind == "relay" else
               "\nReplicas share the topics' partitions (one consumer group per read model), so partitions bound "
               "how many help." if process.kind in ("projector", "reactor") else ""),
            deployment)
    service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta(process.name, owner.name, process.kind),
        "spec": {"selector": selector, "ports": [{"name": p["name"], "port": p["containerPort"],
                                                  "targetPort": p["name"]} for p in ports]},
    }
    out = [deployment, service]
    if kind == "worker":
        out.append(pdb(owner, process, {"maxUnavailable": 1}))
    else:
        out.append(pdb(owner, process, {"minAvailable": 1}))
        out.append({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": meta(process.name, owner.name, process.kind),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": process.name},
                     "minReplicas": 2, "maxReplicas": 12 if owner.is_gateway else 8,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
        })
    return out


INTEGRATION_KEYS_SECRET = "naloxone-integration-keys"
INTEGRATION_KEYS_MOUNT = "/etc/naloxone/integration-keys"


def mount_integration_keys(pod: dict, process: Process) -> None:
    """The event-stream integration keys (kernel/integration_keys.py) from Secret naloxone-integration-keys:
    egress gets each force's public key (forces join as their keys arrive: missing ones are
    skipped, and egress logs it); inbound gets the platform's inbound key pair, which it needs."""
    if process.kind == "egress":
        items = [{"key": f"force-{f.id}.pub.pem", "path": f"forces/{f.id}.pub.pem"} for f in FORCES]
        optional = True
    else:
        items = [{"key": f"inbound.{part}.pem", "path": f"inbound.{part}.pem"} for part in ("key", "pub")]
        optional = False
    pod["volumes"].append({"name": "integration-keys", "secret": {
        "secretName": INTEGRATION_KEYS_SECRET, "items": items, "optional": optional, "defaultMode": 0o440}})
    container = pod["containers"][0]
    container["env"].append({"name": INTEGRATION_KEYS_DIR, "value": INTEGRATION_KEYS_MOUNT})
    container["volumeMounts"].append({"name": "integration-keys", "mountPath": INTEGRATION_KEYS_MOUNT,
                                      "readOnly": True})


def pdb(owner: Owner, process: Process, rule: dict) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": meta(process.name, owner.name, process.kind),
            "spec": {**rule, "selector": {"matchLabels": {"app.kubernetes.io/name": process.name}}}}


def network_policy(name: str, owner: str, pod_selector: dict, sources: list[dict], ports: list[int] | None,
                   comment: str) -> Commented:
    rule: dict = {"from": sources}
    if ports:
        rule["ports"] = [{"protocol": "TCP", "port": p} for p in ports]
    return Commented(comment, {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": meta(name, owner, "network-policy"),
        "spec": {"podSelector": {"matchLabels": pod_selector}, "policyTypes": ["Ingress"], "ingress": [rule]},
    })


def metrics_policy(owner: Owner) -> Commented:
    ports = sorted({p.probe_port for p in owner.processes} | {p.port for p in owner.processes if not p.serves_traffic})
    return network_policy(
        f"{owner.name}-metrics", owner.name, {SERVICE_LABEL: owner.name},
        [{"namespaceSelector": {"matchLabels": {METRICS_SCRAPER_LABEL: "true"}}}], ports,
        f"/metrics of {owner.name}'s processes, only from a namespace labelled {METRICS_SCRAPER_LABEL}=true "
        "(your Prometheus).")


def batch_container(owner: Owner, name: str, args: list[str]) -> dict:
    return container(owner, name, ["python", "-m", "naloxone_kernel", owner.name, *args], RESOURCES["worker"])


def migrate_job(owner: Owner) -> Commented:
    return Commented(
        f"{owner.name}'s event store and own migrations (Alembic; idempotent). Deleted an hour after it\n"
        "succeeds, so the next apply of a new image runs it again; processes wait in readiness until then.", {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": meta(f"{owner.name}-migrate", owner.name, "migrate"),
            "spec": {"backoffLimit": 6, "activeDeadlineSeconds": 900, "ttlSecondsAfterFinished": 3600,
                     "template": {"metadata": {"labels": labels(owner.name, f"{owner.name}-migrate", "migrate")},
                                  "spec": pod_spec(owner, [batch_container(owner, "migrate", ["migrate"])],
                                                   restartPolicy="OnFailure")}},
        })


#: How often a job runs, when not once a day (the jobs' own docstrings say so): alerts' close-spikes
#: closes spikes whose window has passed "every few minutes". A rerun is always harmless.
JOB_EVERY_FEW_MINUTES = {"close-spikes"}


def cron_job(owner: Owner, job: str, index: int) -> Commented:
    name = f"{owner.name}-job-{job}"
    often = job in JOB_EVERY_FEW_MINUTES
    schedule = "*/5 * * * *" if often else f"{15 + 5 * index} 0 * * *"
    return Commented(
        f"`{job}`: turns the passing of time into events, {'every 5 minutes' if often else 'once a day'} "
        "(a rerun appends nothing twice).", {
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": meta(name, owner.name, "job"),
            "spec": {
                "schedule": schedule, "timeZone": "Europe/London",
                "concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 240 if often else 3600,
                "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": {"backoffLimit": 3, "activeDeadlineSeconds": 3600, "template": {
                    "metadata": {"labels": labels(owner.name, name, "job")},
                    "spec": pod_spec(owner, [batch_container(owner, "job", ["job", job])], restartPolicy="OnFailure"),
                }}},
            },
        })


def owner_objects(owner: Owner, plat: Platform) -> list:
    out: list = [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(owner.name, owner.name, "identity"),
                  "automountServiceAccountToken": False}]
    for process in owner.processes:
        out.extend(process_objects(owner, process))
    api = owner.api
    if owner.is_gateway:
        out.append(network_policy(
            "gateway-from-ingress", owner.name, {"app.kubernetes.io/name": api.name},
            [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}}}],
            [api.port], "The gateway's public port, only from the ingress controller: the one way in."))
        out.append(ingress(api))
    elif api is not None:
        out.append(network_policy(
            f"{api.name}-from-gateway", owner.name, {"app.kubernetes.io/name": api.name},
            [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": plat.gateway.api.name}}}], [api.port],
            f"{owner.name}'s API answers only the gateway."))
    out.append(metrics_policy(owner))
    if owner.migrates:
        out.append(migrate_job(owner))
    for i, job in enumerate(owner.jobs):
        out.append(cron_job(owner, job, i))
    return out


def ingress(api: Process) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {**meta("gateway", "gateway", "ingress"),
                     "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "64k",
                                     "nginx.ingress.kubernetes.io/ssl-redirect": "true"}},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": ["naloxone.example.invalid"], "secretName": "gateway-tls"}],
            "rules": [{"host": "naloxone.example.invalid", "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": api.name, "port": {"name": "http"}}}}]}}],
        },
    }


def database_objects(owner: Owner) -> list:
    name = cluster_name(owner.database)
    cluster = {
        "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
        "metadata": meta(name, owner.name, "database"),
        "spec": {
            "instances": 3,
            "imageName": CNPG_IMAGE,
            "primaryUpdateStrategy": "unsupervised",
            "enableSuperuserAccess": False,
            "bootstrap": {"initdb": {"database": owner.database, "owner": owner.database}},
            "postgresql": {"parameters": {"max_connections": "200", "shared_buffers": "256MB",
                                          "log_min_duration_statement": "1000"}},
            "storage": {"size": "20Gi"},
            "walStorage": {"size": "10Gi"},
            "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
            "affinity": {"enablePodAntiAffinity": True, "topologyKey": "kubernetes.io/hostname"},
            "backup": {
                "retentionPolicy": "30d",
                "barmanObjectStore": {
                    "destinationPath": f"s3://naloxone-backups/{owner.database}",
                    "s3Credentials": {
                        "accessKeyId": {"name": BACKUP_SECRET, "key": "ACCESS_KEY_ID"},
                        "secretAccessKey": {"name": BACKUP_SECRET, "key": "ACCESS_SECRET_KEY"}},
                    "wal": {"compression": "gzip", "maxParallel": 2},
                    "data": {"compression": "gzip"},
                },
            },
        },
    }
    backup = {
        "apiVersion": "postgresql.cnpg.io/v1", "kind": "ScheduledBackup",
        "metadata": meta(f"{name}-daily", owner.name, "backup"),
        "spec": {"schedule": "0 0 2 * * *", "immediate": True, "backupOwnerReference": "self",
                 "method": "barmanObjectStore", "cluster": {"name": name}},
    }
    policy = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": meta(f"{name}-owner-only", owner.name, "network-policy"),
        "spec": {"podSelector": {"matchLabels": {"cnpg.io/cluster": name}}, "policyTypes": ["Ingress"], "ingress": [
            {"from": [{"podSelector": {"matchLabels": {SERVICE_LABEL: owner.name}}}],
             "ports": [{"protocol": "TCP", "port": 5432}]},
            {"from": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": name}}}]},
            {"from": [{"namespaceSelector": {"matchLabels": {
                "kubernetes.io/metadata.name": CNPG_OPERATOR_NAMESPACE}}}],
             "ports": [{"protocol": "TCP", "port": 8000}, {"protocol": "TCP", "port": 5432}]},
        ]},
    }
    return [
        Commented(f"{owner.name}'s own PostgreSQL: three instances (one primary, two streaming replicas), a base\n"
                  "backup every night and continuous WAL archiving to object storage (point-in-time recovery),\n"
                  f"kept 30 days. The object store's credentials: Secret {BACKUP_SECRET} (ACCESS_KEY_ID,\n"
                  "ACCESS_SECRET_KEY). The owner role's URI is in Secret " + f"{name}-app (key uri).", cluster),
        backup,
        Commented(f"Only {owner.name}'s own pods reach its database (and its replicas, and the CloudNativePG "
                  "operator).", policy),
    ]


def kafka_objects() -> list:
    pool = {
        "apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaNodePool",
        "metadata": {"name": "dual-role", "labels": {"strimzi.io/cluster": KAFKA_CLUSTER,
                                                      "app.kubernetes.io/part-of": PART_OF}},
        "spec": {
            "replicas": 3, "roles": ["controller", "broker"],
            "storage": {"type": "jbod", "volumes": [{"id": 0, "type": "persistent-claim", "size": "50Gi",
                                                       "deleteClaim": False, "kraftMetadata": "shared"}]},
            "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}},
            "jvmOptions": {"-Xms": "1g", "-Xmx": "1g"},
        },
    }
    kafka = {
        "apiVersion": "kafka.strimzi.io/v1beta2", "kind": "Kafka",
        "metadata": {"name": KAFKA_CLUSTER, "labels": {"app.kubernetes.io/part-of": PART_OF},
                     "annotations": {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"}},
        "spec": {
            "kafka": {
                "version": STRIMZI_KAFKA_VERSION,
                "listeners": [
                    {"name": "plain", "port": 9092, "type": "internal", "tls": False,
                     "networkPolicyPeers": [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": PART_OF}}}]},
                    {"name": "forces", "port": 9094, "type": "internal", "tls": True,
                     "authentication": {"type": "scram-sha-512"}},
                ],
                "authorization": {"type": "simple", "superUsers": [PLATFORM_KAFKA_USER, "ANONYMOUS"]},
                "config": {
                    "default.replication.factor": 3, "min.insync.replicas": 2,
                    "offsets.topic.replication.factor": 3, "transaction.state.log.replication.factor": 3,
                    "transaction.state.log.min.isr": 2, "auto.create.topics.enable": False,
                },
                "template": {"pod": {"securityContext": {"runAsNonRoot": True}}},
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }
    return [
        Commented("Three KRaft nodes, each controller and broker; replication 3, min.insync.replicas 2, so one node\n"
                  "can be down (or drained) with no acknowledged write lost.", pool),
        Commented("Two listeners. `plain` (9092) is for the platform's own processes only: Strimzi's NetworkPolicy\n"
                  "admits nothing but pods labelled app.kubernetes.io/part-of=naloxone, and their unauthenticated\n"
                  "(ANONYMOUS) connections are super users, as on the local broker. `forces` (9094, TLS) is force\n"
                  "IT's: SCRAM-SHA-512 users from kafka-users/, each held to its own topics by ACLs. It is internal;\n"
                  "to let force networks in, an overlay makes it a loadbalancer or route listener with their address\n"
                  "ranges.",
                  kafka),
    ]


def topic(name: str, partitions: int, comment: str | None = None, retention_ms: int = -1) -> dict | Commented:
    obj = {
        "apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic",
        "metadata": {"name": name.replace(".", "-"), "labels": {"strimzi.io/cluster": KAFKA_CLUSTER,
                                                               "app.kubernetes.io/part-of": PART_OF}},
        "spec": {"topicName": name, "partitions": partitions, "replicas": 3,
                 "config": {"min.insync.replicas": 2, "retention.ms": retention_ms}},
    }
    return Commented(comment, obj) if comment else obj


def topic_objects(plat: Platform) -> list:
    n = domain_topic_partitions()
    out: list = []
    for i, name in enumerate(plat.topics):
        out.append(topic(name, n, "Internal event topics: kept forever (retention.ms -1), because any view is "
                                  "rebuilt by replaying from the beginning." if i == 0 else None))
    for i, name in enumerate(plat.egress_topics):
        out.append(topic(name, 3, "Per-force egress that force IT consumes (every domain's events of that force, "
                                  "kept forever).\n3 partitions: a force is about a 45th of the national load, well "
                                  "under one consumer's rate." if i == 0 else None))
    # Each force's inbound and dead-letter topics are declared beside its KafkaUser and ACLs, in
    # kafka-users/ (`naloxctl kafka users`); tests/deploy checks that every one is there.
    return out


def platform_objects() -> list:
    return [Commented(
        "No pod is reachable unless a policy below (or a service's own) lets it be: the gateway from the\n"
        "ingress controller, each API from the gateway, each database from its owner, Kafka's listeners\n"
        "from the platform's pods (Strimzi writes those policies itself).", {
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny-ingress", "labels": {"app.kubernetes.io/part-of": PART_OF}},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        })]


def env_file(values: dict[str, str]) -> str:
    return f"# {GENERATED}\n" + "".join(f"{k}={v}\n" for k, v in values.items())


def base_kustomization(plat: Platform, extra_resources: list[str]) -> dict:
    resources = ["platform/network-policies.yaml", "platform/kafka.yaml", "platform/topics.yaml",
                 *[f"databases/{o.database}.yaml" for o in plat.owners],
                 *[f"services/{o.name}.yaml" for o in plat.owners], *extra_resources]
    generators = [{"name": PLATFORM_CONFIG, "literals": [f"{k.upper()}={v}" for k, v in PLATFORM_VALUES.items()]}]
    generators += [{"name": config_name(o), "envs": [f"config/{o.name}.env"]} for o in plat.owners]
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "labels": [{"pairs": {"app.kubernetes.io/part-of": PART_OF}, "includeSelectors": False}],
            "resources": resources, "configMapGenerator": generators}


def json_patch(target: dict, ops: list[dict]) -> dict:
    import json

    return {"target": target, "patch": json.dumps(ops)}


def overlay(plat: Platform, name: str) -> dict:
    prod = name == "prod"
    host = "naloxone.example.invalid" if prod else "naloxone-dev.example.invalid"
    # Set TOKEN_ISSUER and JWKS_URL to your identity provider's (the .invalid placeholders fail closed).
    platform = {"ENVIRONMENT": "production" if prod else "dev", "LOG_LEVEL": "INFO" if prod else "DEBUG",
                "TOKEN_ISSUER": PLATFORM_VALUES["token_issuer"], "JWKS_URL": PLATFORM_VALUES["jwks_url"]}
    patches = [
        json_patch({"kind": "Ingress", "name": "gateway"}, [
            {"op": "replace", "path": "/spec/rules/0/host", "value": host},
            {"op": "replace", "path": "/spec/tls/0/hosts/0", "value": host}]),
        json_patch({"group": "postgresql.cnpg.io", "kind": "Cluster"}, [
            {"op": "replace", "path": "/spec/instances", "value": 3 if prod else 1},
            {"op": "replace", "path": "/spec/storage/size", "value": "100Gi" if prod else "5Gi"},
            {"op": "replace", "path": "/spec/walStorage/size", "value": "20Gi" if prod else "2Gi"}]),
        json_patch({"group": "kafka.strimzi.io", "kind": "KafkaNodePool"}, [
            {"op": "replace", "path": "/spec/storage/volumes/0/size", "value": "200Gi" if prod else "10Gi"}]),
        json_patch({"group": "autoscaling", "kind": "HorizontalPodAutoscaler"}, [
            {"op": "replace", "path": "/spec/minReplicas", "value": 3 if prod else 2}]),
    ]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "namespace": "naloxone" if prod else "naloxone-dev",
        "resources": ["../../base", "namespace.yaml"],
        "images": [{"name": f"naloxone/{o.name}", "newName": f"registry.example.invalid/naloxone/{o.name}",
                    "newTag": "0.1.0" if prod else "dev"} for o in plat.owners],
        "configMapGenerator": [{"name": PLATFORM_CONFIG, "behavior": "merge",
                                "literals": [f"{k}={v}" for k, v in platform.items()]}],
        "patches": patches,
    }


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": PART_OF,
                                                  "pod-security.kubernetes.io/enforce": "baseline",
                                                  "pod-security.kubernetes.io/warn": "restricted"}}}


def kafka_users_resources(root: Path) -> list[str]:
    """Another engineer's KafkaUsers (deploy/k8s/base/kafka-users/), included as they are when present."""
    folder = root / "deploy/k8s/base/kafka-users"
    if (folder / "kustomization.yaml").is_file():
        return ["kafka-users"]
    return sorted(f"kafka-users/{p.name}" for p in folder.glob("*.yaml")) if folder.is_dir() else []


def secrets_doc(plat: Platform) -> str:
    """What a platform team creates before applying an overlay: the Secrets the manifests name."""
    lines = [f"<!-- {GENERATED} -->", "# Secrets deploy/k8s expects", "",
             "The manifests name these Secrets but never carry their values. Create them in the overlay's",
             "namespace first (from your secret store: External Secrets, Sealed Secrets, or `kubectl create",
             "secret generic NAME --from-literal=KEY=VALUE ...`). A missing required key keeps the pods that need",
             "it from starting, loudly.", "",
             "| Secret | key | read as | required |", "| --- | --- | --- | --- |"]
    for owner in plat.owners:
        for s in owner.settings:
            if s.secret and s.field != "database_url":
                optional = isinstance(s.default, (dict, list))
                what = "JSON map, `{}` for none" if optional else \
                    "base64 of 32 random bytes" if s.field.endswith("wrapping_key") else \
                    "the key's id (rotated with it)" if s.field.endswith("_id") else "32+ random characters"
                lines.append(f"| `{secret_name(owner)}` | `{s.env}` | {what} | {'no' if optional else 'yes'} |")
    lines += [
        f"| `{BACKUP_SECRET}` | `ACCESS_KEY_ID`, `ACCESS_SECRET_KEY` | the object store the databases back up to | "
        "yes |",
        f"| `{INTEGRATION_KEYS_SECRET}` | `inbound.key.pem`, `inbound.pub.pem` | the platform's inbound X25519 "
        "key pair (inbound processes) | yes |",
        f"| `{INTEGRATION_KEYS_SECRET}` | `force-<force_id>.pub.pem` | each force's X25519 public key (egress); a "
        "force without one gets ciphertext it cannot open | no |",
        "| `gateway-tls` | `tls.crt`, `tls.key` | the Ingress's certificate (or let cert-manager make it) | yes |",
        "",
        "Made by the operators, not by you: each database's owner role and its URI "
        "(`<database>-pg-app`, key `uri`, by CloudNativePG), read as `<SERVICE>_DATABASE_URL`.", ""]
    return "\n".join(lines)


def render(plat: Platform, root: Path | None = None) -> dict[str, str]:
    from .deploy import REPO

    base = "deploy/k8s/base"
    files = {
        f"{base}/kustomization.yaml": to_yaml(base_kustomization(plat, kafka_users_resources(root or REPO)),
                                              header=GENERATED),
        f"{base}/platform/network-policies.yaml": to_yaml(*platform_objects(), header=GENERATED),
        f"{base}/platform/kafka.yaml": to_yaml(*kafka_objects(), header=GENERATED),
        f"{base}/platform/topics.yaml": to_yaml(*topic_objects(plat), header=f"{GENERATED}\n\n{sizing_note()}"),
    }
    files[f"{base}/SECRETS.md"] = secrets_doc(plat)
    for owner in plat.owners:
        files[f"{base}/config/{owner.name}.env"] = env_file(config_values(owner, plat))
        files[f"{base}/databases/{owner.database}.yaml"] = to_yaml(*database_objects(owner), header=GENERATED)
        files[f"{base}/services/{owner.name}.yaml"] = to_yaml(*owner_objects(owner, plat), header=GENERATED)
    for name in ("dev", "prod"):
        files[f"deploy/k8s/overlays/{name}/kustomization.yaml"] = to_yaml(overlay(plat, name), header=GENERATED)
        files[f"deploy/k8s/overlays/{name}/namespace.yaml"] = to_yaml(
            namespace("naloxone" if name == "prod" else "naloxone-dev"), header=GENERATED)
    return files
