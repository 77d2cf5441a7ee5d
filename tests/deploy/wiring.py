"""What docker-compose.yml and the rendered Kubernetes objects must wire, checked against the
platform as the registry, the settings classes and the local stack describe it.

Each check returns a list of problems (empty when all is wired), so the tests can also run
it on a deliberately broken copy and see the mistake named.
"""

from __future__ import annotations

from naloxctl.deploy import Owner, Platform, Process
from naloxctl.deploy_k8s import SERVICE_LABEL, cluster_name


def _by_owner(plat: Platform) -> dict[str, Owner]:
    return {o.name: o for o in plat.owners}


# --- Compose ------------------------------------------------------------------------------


def compose_problems(doc: dict, plat: Platform, *, initdb: str) -> list[str]:
    services = doc.get("services", {})
    problems = []
    owners = _by_owner(plat)
    for name in plat.stack_processes:
        if name not in services:
            problems.append(f"compose: `naloxctl stack` runs {name}, Compose has no such service")
    for process in plat.processes:
        owner = owners[process.owner]
        svc = services.get(process.name)
        if svc is None:
            problems.append(f"compose: no service for process {process.name}")
            continue
        where = f"compose {process.name}"
        if svc.get("command") != ["python", *process.args]:
            problems.append(f"{where}: command {svc.get('command')} is not python {' '.join(process.args)}")
        if svc.get("build", {}).get("args", {}).get("SERVICE") != owner.name:
            problems.append(f"{where}: not built with SERVICE={owner.name}")
        env = svc.get("environment") or {}
        for missing in sorted(owner.env_names.union(process.env) - set(env)):
            problems.append(f"{where}: environment variable {missing} is not set")
        for s in owner.settings:
            if s.secret and s.env in env and "${" not in str(env[s.env]):
                problems.append(f"{where}: secret {s.env} is written in the file, not taken from .env")
        exposed = {str(p) for p in svc.get("expose", [])}
        for port in {process.port, process.probe_port}:
            if str(port) not in exposed:
                problems.append(f"{where}: port {port} is not exposed")
        test = " ".join(map(str, svc.get("healthcheck", {}).get("test", [])))
        if f":{process.probe_port}/readyz" not in test:
            problems.append(f"{where}: health check does not ask /readyz on {process.probe_port}")
        deps = svc.get("depends_on", {})
        for dep in ("postgres", "kafka"):
            if deps.get(dep, {}).get("condition") != "service_healthy":
                problems.append(f"{where}: does not wait for {dep} to be healthy")
        if owner.migrates and deps.get(f"{owner.name}-migrate", {}).get("condition") != \
                "service_completed_successfully":
            problems.append(f"{where}: does not wait for {owner.name}-migrate to complete")
        if not svc.get("read_only") or "/tmp" not in svc.get("tmpfs", []):
            problems.append(f"{where}: root filesystem is not read-only with a /tmp tmpfs")
    for owner in plat.owners:
        if owner.migrates:
            svc = services.get(f"{owner.name}-migrate")
            if svc is None or svc.get("command") != ["python", "-m", "naloxone_kernel", owner.name, "migrate"]:
                problems.append(f"compose: no one-shot migration for {owner.name}")
        if f'CREATE DATABASE "{owner.database}"' not in initdb:
            problems.append(f"compose: the init script does not create database {owner.database}")
    gateway = services.get(plat.gateway.processes[0].name, {})
    for service in plat.services:
        if service.api and gateway.get("depends_on", {}).get(service.api.name, {}).get("condition") != \
                "service_healthy":
            problems.append(f"compose gateway: does not wait for {service.api.name} to be healthy")
    if f"127.0.0.1:{plat.gateway_port}:{plat.gateway_port}" not in gateway.get("ports", []):
        problems.append(f"compose gateway: port {plat.gateway_port} is not published")
    published = [name for name, svc in services.items() if svc.get("ports") and name != "gateway"]
    if published:
        problems.append(f"compose: only the gateway may publish a port, not {published}")
    topics_cmd = " ".join(map(str, services.get("kafka-topics", {}).get("command", [])))
    for topic in plat.topics:
        if topic not in topics_cmd:
            problems.append(f"compose: topic {topic} is not created")
    for name, volume in (("postgres", "postgres-data"), ("kafka", "kafka-data")):
        if not any(str(v).startswith(f"{volume}:") for v in services.get(name, {}).get("volumes", [])) \
                or volume not in doc.get("volumes", {}):
            problems.append(f"compose: {name} keeps no data in the named volume {volume}")
    return problems


# --- Kubernetes ---------------------------------------------------------------------------


def _index(objects: list[dict]) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def _labels_match(selector: dict, labels: dict) -> bool:
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def _container_env_names(container: dict, configmaps: dict[str, dict], where: str,
                         problems: list[str]) -> set[str]:
    names = set()
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        if ref not in configmaps:
            problems.append(f"{where}: envFrom ConfigMap {ref} is not rendered")
            continue
        names |= set(configmaps[ref].get("data", {}))
    for item in container.get("env", []):
        ref = item.get("valueFrom", {}).get("configMapKeyRef")
        if ref and (ref["name"] not in configmaps or ref["key"] not in configmaps[ref["name"]].get("data", {})):
            problems.append(f"{where}: {item['name']} refers to {ref['name']}/{ref['key']}, which is not rendered")
            continue
        names.add(item["name"])
    return names


def _check_container(owner: Owner, container: dict, configmaps: dict, where: str, problems: list[str],
                     process: Process | None = None) -> None:
    names = _container_env_names(container, configmaps, where, problems)
    for missing in sorted(owner.env_names.union(process.env if process else ()) - names):
        problems.append(f"{where}: environment variable {missing} is not set")
    for s in owner.settings:
        if not s.secret:
            continue
        entry = next((e for e in container.get("env", []) if e["name"] == s.env), None)
        if entry is None or "secretKeyRef" not in entry.get("valueFrom", {}):
            problems.append(f"{where}: secret {s.env} does not come from a Secret")
    sc = container.get("securityContext", {})
    if not (sc.get("runAsNonRoot") and sc.get("readOnlyRootFilesystem")
            and sc.get("allowPrivilegeEscalation") is False):
        problems.append(f"{where}: not non-root with a read-only root filesystem and no privilege escalation")
    resources = container.get("resources", {})
    for part in ("requests", "limits"):
        if not {"cpu", "memory"} <= set(resources.get(part, {})):
            problems.append(f"{where}: no cpu and memory {part}")


def _port_number(container: dict, port) -> int | None:
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports", []) if p.get("name") == port), None)


def k8s_problems(objects: list[dict], plat: Platform) -> list[str]:
    problems: list[str] = []
    index = _index(objects)
    configmaps = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConfigMap"}
    owners = _by_owner(plat)
    for name in plat.stack_processes:
        if ("Deployment", name) not in index:
            problems.append(f"k8s: `naloxctl stack` runs {name}, no Deployment runs it")
    for process in plat.processes:
        owner = owners[process.owner]
        where = f"k8s Deployment {process.name}"
        dep = index.get(("Deployment", process.name))
        if dep is None:
            problems.append(f"k8s: no Deployment for process {process.name}")
            continue
        pod = dep["spec"]["template"]
        if process.kind == "relay" and dep["spec"].get("strategy", {}).get("type") != "Recreate":
            problems.append(f"{where}: a rolling update would wait forever for a standby relay to be ready")
        if pod["metadata"]["labels"].get(SERVICE_LABEL) != owner.name:
            problems.append(f"{where}: pods are not labelled {SERVICE_LABEL}={owner.name}")
        container = pod["spec"]["containers"][0]
        if container.get("command") != ["python", *process.args]:
            problems.append(f"{where}: command {container.get('command')} is not python {' '.join(process.args)}")
        ports = {p["containerPort"] for p in container.get("ports", [])}
        for port in {process.port, process.probe_port}:
            if port not in ports:
                problems.append(f"{where}: containerPort {port} missing")
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = container.get(probe, {}).get("httpGet", {})
            if get.get("path") != path or _port_number(container, get.get("port")) != process.probe_port:
                problems.append(f"{where}: {probe} is not {path} on port {process.probe_port}")
        _check_container(owner, container, configmaps, where, problems, process)
        pod_sc = pod["spec"].get("securityContext", {})
        if not pod_sc.get("runAsNonRoot"):
            problems.append(f"{where}: pod securityContext does not require non-root")
        svc = index.get(("Service", process.name))
        if svc is None or process.port not in {p["port"] for p in svc["spec"]["ports"]}:
            problems.append(f"k8s: no Service {process.name} on port {process.port}")
        pdbs = [o for o in objects if o["kind"] == "PodDisruptionBudget"
                and _labels_match(o["spec"]["selector"], pod["metadata"]["labels"])]
        if not pdbs:
            problems.append(f"{where}: no PodDisruptionBudget")
        if process.serves_traffic:
            hpa = [o for o in objects if o["kind"] == "HorizontalPodAutoscaler"
                   and o["spec"]["scaleTargetRef"]["name"] == process.name]
            if not hpa:
                problems.append(f"{where}: no HorizontalPodAutoscaler")
    for owner in plat.owners:
        if owner.migrates:
            job = index.get(("Job", f"{owner.name}-migrate"))
            if job is None:
                problems.append(f"k8s: no migration Job for {owner.name}")
            else:
                container = job["spec"]["template"]["spec"]["containers"][0]
                if container["command"] != ["python", "-m", "naloxone_kernel", owner.name, "migrate"]:
                    problems.append(f"k8s Job {owner.name}-migrate: runs {container['command']}")
                _check_container(owner, container, configmaps, f"k8s Job {owner.name}-migrate", problems)
        for job in owner.jobs:
            cron = index.get(("CronJob", f"{owner.name}-job-{job}"))
            if cron is None:
                problems.append(f"k8s: no CronJob for {owner.name}'s job {job}")
        problems += _database_problems(index, objects, owner)
    problems += _network_problems(objects, plat)
    problems += _kafka_problems(index, plat)
    for o in objects:
        if o["kind"] == "Secret" and (o.get("data") or o.get("stringData")):
            problems.append(f"k8s: Secret {o['metadata']['name']} carries values in the manifests")
    return problems


def _database_problems(index: dict, objects: list[dict], owner: Owner) -> list[str]:
    problems = []
    name = cluster_name(owner.database)
    cluster = index.get(("Cluster", name))
    if cluster is None:
        return [f"k8s: no CloudNativePG Cluster for database {owner.database}"]
    if cluster["spec"].get("bootstrap", {}).get("initdb", {}).get("database") != owner.database:
        problems.append(f"k8s Cluster {name}: does not create database {owner.database}")
    if not cluster["spec"].get("backup"):
        problems.append(f"k8s Cluster {name}: no backups")
    if not any(o["kind"] == "ScheduledBackup" and o["spec"]["cluster"]["name"] == name for o in objects):
        problems.append(f"k8s Cluster {name}: no ScheduledBackup")
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"
                and _labels_match(o["spec"]["podSelector"], {"cnpg.io/cluster": name})]
    if not policies:
        problems.append(f"k8s Cluster {name}: no NetworkPolicy keeps other services out")
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", [{}]):
                pods = (peer.get("podSelector") or {}).get("matchLabels")
                namespaces = peer.get("namespaceSelector")
                if pods in ({SERVICE_LABEL: owner.name}, {"cnpg.io/cluster": name}) and not namespaces:
                    continue
                if namespaces and not peer.get("podSelector") and \
                        namespaces.get("matchLabels", {}).get("kubernetes.io/metadata.name") == "cnpg-system":
                    continue
                problems.append(f"k8s NetworkPolicy {policy['metadata']['name']}: lets {peer} reach {name}")
    return problems


def _network_problems(objects: list[dict], plat: Platform) -> list[str]:
    from naloxctl.deploy_k8s import INGRESS_NAMESPACE, METRICS_SCRAPER_LABEL

    problems = []
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    if not any(p["spec"]["podSelector"] == {} and p["spec"].get("policyTypes") == ["Ingress"]
               and not p["spec"].get("ingress") for p in policies):
        problems.append("k8s: no default-deny ingress NetworkPolicy")
    gateway_pod = {"app.kubernetes.io/name": plat.gateway.api.name}
    for owner in plat.owners:
        for process in owner.processes:
            deployment_labels = {"app.kubernetes.io/name": process.name, SERVICE_LABEL: owner.name}
            for policy in policies:
                if not _labels_match(policy["spec"]["podSelector"], deployment_labels):
                    continue
                for rule in policy["spec"].get("ingress", []):
                    ports = {p.get("port") for p in rule.get("ports", [])}
                    for peer in rule.get("from", [{}]):
                        ns = (peer.get("namespaceSelector") or {}).get("matchLabels", {})
                        pods = (peer.get("podSelector") or {}).get("matchLabels")
                        if owner.is_gateway and ns == {"kubernetes.io/metadata.name": INGRESS_NAMESPACE} \
                                and ports == {process.port}:
                            continue
                        if not owner.is_gateway and pods == gateway_pod and "namespaceSelector" not in peer \
                                and ports == {process.port}:
                            continue
                        if ns == {METRICS_SCRAPER_LABEL: "true"} and "podSelector" not in peer and ports and \
                                ports <= {p.port for p in owner.processes} | {p.probe_port for p in owner.processes}:
                            continue
                        problems.append(f"k8s NetworkPolicy {policy['metadata']['name']}: lets {peer} reach "
                                        f"{process.name} on {sorted(ports, key=str) or 'every port'}")
        api = owner.api
        if api and not owner.is_gateway and not any(
                _labels_match(p["spec"]["podSelector"], {"app.kubernetes.io/name": api.name}) and any(
                    (peer.get("podSelector") or {}).get("matchLabels") == gateway_pod
                    for rule in p["spec"].get("ingress", []) for peer in rule.get("from", []))
                for p in policies):
            problems.append(f"k8s: no NetworkPolicy lets the gateway reach {api.name}")
    ingresses = [o for o in objects if o["kind"] == "Ingress"]
    if not ingresses:
        problems.append("k8s: no Ingress for the gateway")
    for ing in ingresses:
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                if path["backend"]["service"]["name"] != plat.gateway.api.name:
                    problems.append(f"k8s Ingress {ing['metadata']['name']}: routes outside traffic to "
                                    f"{path['backend']['service']['name']}, not the gateway")
    return problems


def _kafka_problems(index: dict, plat: Platform) -> list[str]:
    from naloxctl.deploy import domain_topic_partitions

    problems = []
    kafkas = [o for k, o in index.items() if k[0] == "Kafka"]
    if not kafkas:
        return ["k8s: no Strimzi Kafka"]
    config = kafkas[0]["spec"]["kafka"].get("config", {})
    if str(config.get("min.insync.replicas")) != "2" or str(config.get("default.replication.factor")) != "3":
        problems.append("k8s Kafka: default replication is not 3 with min.insync.replicas 2")
    topics = {o["spec"].get("topicName", o["metadata"]["name"]): o for k, o in index.items() if k[0] == "KafkaTopic"}
    for name in plat.topics:
        topic = topics.get(name)
        if topic is None:
            problems.append(f"k8s: no KafkaTopic for {name}")
            continue
        spec = topic["spec"]
        if spec.get("replicas") != 3 or str(spec.get("config", {}).get("min.insync.replicas")) != "2":
            problems.append(f"k8s KafkaTopic {name}: not replication 3 with min.insync.replicas 2")
        if spec.get("partitions", 0) < domain_topic_partitions():
            problems.append(f"k8s KafkaTopic {name}: fewer partitions than the sizing gives")
    # Processes create missing per-force topics themselves, with one replica: declared here first,
    # they get three.
    for name in (*plat.egress_topics, *plat.inbound_topics, *plat.dead_letter_topics):
        topic = topics.get(name)
        if topic is None or topic["spec"].get("replicas") != 3:
            problems.append(f"k8s: no KafkaTopic with 3 replicas for {name}")
    return problems


def process_of(plat: Platform, name: str) -> Process:
    return next(p for p in plat.processes if p.name == name)
