"""deploy/k8s: every overlay renders with kustomize, every object matches its schema (core
kinds: kubernetes-validate; Strimzi and CloudNativePG: their CRDs), and every process, port,
database, topic and environment variable of the platform is wired."""

from __future__ import annotations

import copy

import pytest

from .conftest import OVERLAYS, schema_errors
from .wiring import k8s_problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_matches_its_schema(overlays, overlay):
    objects = overlays[overlay]
    kinds = {o["kind"] for o in objects}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Ingress",
            "Job", "ConfigMap", "Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "ScheduledBackup"} <= kinds
    errors = [e for o in objects for e in schema_errors(o)]
    assert errors == []


def test_schema_validation_refuses_mistakes(overlays):
    objects = overlays["prod"]
    topic = copy.deepcopy(next(o for o in objects if o["kind"] == "KafkaTopic"))
    topic["spec"]["partition"] = topic["spec"].pop("partitions")  # misspelt: Strimzi would drop it
    assert any("partition" in e for e in schema_errors(topic))
    cluster = copy.deepcopy(next(o for o in objects if o["kind"] == "Cluster"))
    cluster["spec"]["instances"] = "three"
    assert any("instances" in e for e in schema_errors(cluster))
    deployment = copy.deepcopy(next(o for o in objects if o["kind"] == "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/readyz"
    assert any("paht" in e for e in schema_errors(deployment))
    unknown = {"apiVersion": "example.invalid/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert schema_errors(unknown) and "no schema" in schema_errors(unknown)[0]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_port_database_topic_and_variable_is_wired(overlays, plat, overlay):
    assert k8s_problems(overlays[overlay], plat) == []


def test_the_wiring_check_names_what_a_broken_render_leaves_out(overlays, plat):
    objects = overlays["prod"]
    process = next(p for p in plat.processes if p.kind == "relay")
    owner = next(o for o in plat.owners if o.name == process.owner)
    setting = next(s for s in owner.settings if not s.secret and s.field == "host")

    def without(mutate) -> list[str]:
        broken = copy.deepcopy(objects)
        mutate(broken)
        return k8s_problems(broken, plat)

    def drop_config_key(objs):
        config = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith(
            f"{owner.name}-config"))
        del config["data"][setting.env]

    problems = without(drop_config_key)
    assert f"k8s Deployment {process.name}: environment variable {setting.env} is not set" in problems
    assert f"k8s Job {owner.name}-migrate: environment variable {setting.env} is not set" in problems

    assert f"k8s: no Deployment for process {process.name}" in without(
        lambda objs: objs.remove(next(o for o in objs if o["kind"] == "Deployment"
                                      and o["metadata"]["name"] == process.name)))

    def wrong_probe(objs):
        dep = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == process.name)
        dep["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] = "/healthz"
    assert without(wrong_probe) == [
        f"k8s Deployment {process.name}: readinessProbe is not /readyz on port {process.probe_port}"]

    api = next(s for s in plat.services if s.api).api

    def open_api(objs):
        policy = next(o for o in objs if o["kind"] == "NetworkPolicy"
                      and o["metadata"]["name"] == f"{api.name}-from-gateway")
        policy["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})
    assert any(f"reach {api.name}" in p for p in without(open_api))

    def open_database(objs):
        policy = next(o for o in objs if o["kind"] == "NetworkPolicy"
                      and o["metadata"]["name"] == f"{owner.database}-pg-owner-only")
        policy["spec"]["ingress"][0]["from"].append({"podSelector": {"matchLabels": {
            "app.kubernetes.io/name": plat.gateway.api.name}}})
    assert any(f"reach {owner.database}-pg" in p for p in without(open_database))

    def secret_in_config(objs):
        dep = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == process.name)
        env = dep["spec"]["template"]["spec"]["containers"][0]["env"]
        entry = next(e for e in env if e["name"] == owner.setting("database_url").env)
        entry.pop("valueFrom")
        entry["value"] = "postgresql://app:hunter2@db/app"
    assert f"k8s Deployment {process.name}: secret {owner.setting('database_url').env} does not come from a Secret" \
        in without(secret_in_config)
