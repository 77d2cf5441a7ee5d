"""Fixtures for the deploy tests: the platform description, kustomize and the schemas.

kustomize and the Strimzi and CloudNativePG CRD schemas are installed by deploy/k8s/tools.sh
(`make test` runs it through deploy/local/test-tools.sh) at the versions in deploy/k8s/tools.env.
A missing tool or schema fails the test that needs it; nothing here is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from naloxone_kernel.settings import state_dir

REPO = Path(__file__).resolve().parents[2]
#: libyaml's loader when PyYAML has it (kustomize's output is thousands of lines).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
OVERLAYS = ("dev", "prod")


def tool_versions() -> dict[str, str]:
    out = {}
    for line in (REPO / "deploy/k8s/tools.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


VERSIONS = tool_versions()


def tools_dir() -> Path:
    return Path(os.environ.get("NALOX_K8S_TOOLS") or state_dir() / "tools" / "k8s")


def _installed(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.fail(f"{what} is not installed at {path}: run `bash deploy/k8s/tools.sh` "
                    "(make test runs it through deploy/local/test-tools.sh)")
    return path


@pytest.fixture(scope="session")
def plat():
    from naloxctl.deploy import platform

    return platform()


@pytest.fixture(scope="session")
def rendered(plat) -> dict[str, str]:
    from naloxctl.deploy import render

    return render(plat)


@pytest.fixture(scope="session")
def kustomize() -> Path:
    binary = _installed(tools_dir() / f"kustomize-{VERSIONS['KUSTOMIZE_VERSION']}" / "kustomize", "kustomize")
    version = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version == VERSIONS["KUSTOMIZE_VERSION"], f"kustomize {version}, pinned {VERSIONS['KUSTOMIZE_VERSION']}"
    return binary


@pytest.fixture(scope="session")
def overlays(kustomize) -> dict[str, list[dict]]:
    """Every overlay as kustomize renders it from the committed files (the builds run side by side)."""
    running = {name: subprocess.Popen([str(kustomize), "build", str(REPO / "deploy/k8s/overlays" / name)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in OVERLAYS}
    out = {}
    for name, proc in running.items():
        stdout, stderr = proc.communicate()
        assert proc.returncode == 0, f"kustomize build deploy/k8s/overlays/{name} failed:\n{stderr}"
        out[name] = [doc for doc in yaml.load_all(stdout, Loader=LOADER) if doc]
    return out


def strict(schema):
    """A CRD schema that refuses unknown fields, as kubectl's strict field validation does
    (the API server would otherwise drop a misspelt field without a word)."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out \
                and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


@cache
def crd_schemas() -> dict[tuple[str, str, str], dict]:
    """(group, version, kind) -> strict openAPIV3Schema, from the pinned Strimzi and CloudNativePG CRDs."""
    found = {}
    for folder in (f"strimzi-{VERSIONS['STRIMZI_VERSION']}", f"cloudnative-pg-{VERSIONS['CNPG_VERSION']}"):
        path = _installed(tools_dir() / "crds" / folder / ".complete", f"the {folder} CRD schemas").parent
        for crd_file in sorted(path.glob("*.yaml")):
            for crd in yaml.load_all(crd_file.read_text(), Loader=LOADER):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                for version in crd["spec"]["versions"]:
                    found[(crd["spec"]["group"], version["name"], crd["spec"]["names"]["kind"])] = \
                        strict(version["schema"]["openAPIV3Schema"])
    return found


class CoreValidator:
    """kubernetes-validate's schemas for the pinned Kubernetes version, loaded once per kind."""

    def __init__(self, version: str) -> None:
        import kubernetes_validate.utils as kv

        self.kv = kv
        self.version = version
        self.schema_version = [v for v in kv.all_versions() if kv.major_minor(v) <= kv.major_minor(version)][-1]
        self.schema_dir = f"kubernetes-json-schema/v{self.schema_version}-local-strict"
        self._definitions = None
        self._validators: dict[tuple[str, str], object] = {}

    def validator(self, api_version: str, kind: str):
        import re

        import jsonschema
        from referencing import Registry, Resource

        key = (api_version, kind)
        if key not in self._validators:
            group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
            try:
                schema = self.kv.schema_contents(f"{self.schema_dir}/{kind.lower()}-{group}.json", self.version)
            except FileNotFoundError:
                return None
            if self._definitions is None:
                self._definitions = Resource.from_contents(
                    self.kv.schema_contents(f"{self.schema_dir}/_definitions.json", self.version))
            registry = self._definitions @ (Resource.from_contents(schema) @ Registry())
            self._validators[key] = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        return self._validators[key]


@cache
def core_validator() -> CoreValidator:
    return CoreValidator(VERSIONS["KUBERNETES_VERSION"])


@cache
def crd_validator(group: str, version: str, kind: str):
    import jsonschema

    schema = crd_schemas().get((group, version, kind))
    return jsonschema.Draft4Validator(schema) if schema is not None else None


def schema_errors(obj: dict) -> list[str]:
    """Every way `obj` breaks its schema; a kind with no schema at all is an error, never skipped."""
    name = f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}"
    group, _, version = obj["apiVersion"].rpartition("/")
    validator = crd_validator(group, version, obj["kind"])
    if validator is None:
        validator = core_validator().validator(obj["apiVersion"], obj["kind"])
        if validator is None:
            return [f"{name}: no schema for {obj['apiVersion']} {obj['kind']} (neither a Kubernetes "
                    f"{VERSIONS['KUBERNETES_VERSION']} kind nor a pinned Strimzi/CloudNativePG CRD)"]
    return [f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(json.loads(json.dumps(obj)))]
