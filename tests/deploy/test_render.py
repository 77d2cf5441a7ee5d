"""The deploy files are what `naloxctl deploy render` makes from the registry today, and the
registry-driven description they are made from misses no process, port or variable."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess

from naloxone_kernel.personal_data import DEV_PSEUDONYM_SECRET, DEV_WRAPPING_KEY, DEV_WRAPPING_KEY_ID
from naloxone_kernel.registry import SERVICES
from naloxone_kernel.settings import DEV_DB_PASSWORD

from .conftest import REPO

#: Variables read straight from the environment that a container never needs, and why.
LOCAL_ONLY = {
    "NALOX_STATE_DIR": "where a local machine keeps keys and logs; containers are given every path",
    "NALOX_PG_PORT": "builds the local default database URL; every deployment sets the URL itself",
    "NALOX_KAFKA_PORT": "builds the local default bootstrap; every deployment sets the bootstrap itself",
    "NALOX_FAILPOINTS": "fault injection for tests; must never be set in a deployment",
    "NALOX_INSTANCE_ID": "Kafka static membership when one host runs two members of a group; containers and "
                         "pods each have a host name of their own, which is the default",
    "NALOX_CONSUMER_LINGER_MS": "how long consumer loops wait for a fuller batch; the default (25 ms) is the "
                                "deployments' value too, and docs/operations.md says when to change it",
    "GATEWAY_DEV_ISSUER_DIR": "the dashboard's development sign-in (the local development issuer mints tokens); "
                              "set by the local stack only, never in a deployment (see the test below)",
}
#: Reads whose variable name is computed, and the variables they stand for.
COMPUTED_READS = {"gateway/gateway/config.py": lambda plat: plat.gateway.extra_env}


def test_committed_files_are_a_fresh_render(rendered):
    from naloxctl.deploy import stale

    out = stale(rendered)
    assert out == [], f"out of date: {out}; run `uv run naloxctl deploy render` and commit the result"


def test_render_check_command_agrees(tmp_path, rendered):
    from naloxctl.deploy import stale, write

    write(rendered, tmp_path)
    assert stale(rendered, tmp_path) == []
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    (tmp_path / "deploy/k8s/base/services/leftover.yaml").write_text("{}\n")
    assert stale(rendered, tmp_path) == ["docker-compose.yml", "deploy/k8s/base/services/leftover.yaml"]


def test_the_description_has_every_registry_process_and_the_stack_runs_nothing_else(plat):
    described = {p.name for p in plat.processes}
    assert described == {e.process_name(k) for e in SERVICES for k in e.processes} | {"gateway"}
    assert set(plat.stack_processes) == described
    ports = [p.port for p in plat.processes] + [plat.gateway_ops_port]
    assert len(ports) == len(set(ports)), "two processes share a port"


def _environ_reads(path):
    """(literal names, whether a computed name is read) of os.environ / os.getenv reads in a file."""
    names, computed = set(), False
    for node in ast.walk(ast.parse(path.read_text())):
        key = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            target = ast.unparse(node.func)
            if target in ("os.environ.get", "os.getenv", "environ.get", "os.environ.setdefault"):
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
            key = node.slice
        if key is None:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
        else:
            computed = True
    return names, computed


def test_every_environment_variable_the_code_reads_is_described(plat):
    """Settings classes are read field by field; this finds the other reads, straight from os.environ."""
    described = {name for o in plat.owners for name in o.env_names} | {n for p in plat.processes for n in p.env}
    unexplained, computed_elsewhere = [], []
    for folder in ("kernel", "gateway", "services", "contracts/src"):
        for path in sorted((REPO / folder).rglob("*.py")):
            names, computed = _environ_reads(path)
            rel = path.relative_to(REPO).as_posix()
            unexplained += [f"{rel}: {n}" for n in sorted(names - described - set(LOCAL_ONLY))]
            if computed and rel not in COMPUTED_READS:
                computed_elsewhere.append(rel)
    assert unexplained == [], "read by the code, wired nowhere: " + ", ".join(unexplained)
    assert computed_elsewhere == [], f"computed variable names read in {computed_elsewhere}: describe them"
    for rel, expected in COMPUTED_READS.items():
        assert _environ_reads(REPO / rel)[1], f"{rel} no longer computes a name; drop it from COMPUTED_READS"
        assert set(expected(plat)) <= described


def test_only_the_local_stack_turns_on_development_sign_in(rendered):
    """GATEWAY_DEV_ISSUER_DIR lets the gateway mint tokens: `make up`'s stack sets it, no deploy file does."""
    from naloxctl.stack import StackConfig, service_specs

    gateway = next(s for s in service_specs(StackConfig.default()) if s.name == "gateway")
    assert gateway.env["GATEWAY_DEV_ISSUER_DIR"].endswith("dev-issuer")
    assert rendered and not [path for path, text in rendered.items() if "GATEWAY_DEV_ISSUER_DIR" in text]
    committed = [REPO / "docker-compose.yml", *(REPO / "deploy").rglob("*.y*ml"), *(REPO / "deploy").rglob("*.env*")]
    assert not [p for p in committed if p.is_file() and "GATEWAY_DEV_ISSUER_DIR" in p.read_text()]


def test_settings_refused_outside_development_are_secrets(plat):
    """A development default that production refuses must come from a Secret, never a ConfigMap."""
    dev_values = {DEV_PSEUDONYM_SECRET, DEV_WRAPPING_KEY, DEV_WRAPPING_KEY_ID}
    for owner in plat.owners:
        for s in owner.settings:
            if s.default_text() in dev_values or f":{DEV_DB_PASSWORD}@" in s.default_text() \
                    or s.field == "database_url":
                assert s.secret, f"{s.env} has a development secret as default but is not treated as a secret"


def test_dockerfile_is_multi_stage_pinned_non_root_and_frozen(plat):
    text = (REPO / "Dockerfile").read_text()
    images = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert images and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", images[0])
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", text, re.M)
    assert [s[1] for s in stages] == ["dashboard", "build", "runtime"]
    # the dashboard's chart library: npm ci from the lock file in a pinned node image, into the gateway's package
    node = re.findall(r"^ARG NODE_IMAGE=(\S+)$", text, re.M)
    assert node and re.fullmatch(r"node:\d+\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?", node[0])
    assert "npm ci" in text and "npm install" not in text
    assert re.search(r"^COPY --from=dashboard \S+/static/vendor/ gateway/gateway/dashboard/static/vendor/$", text, re.M)
    assert re.search(r"uv==\$\{UV_VERSION\}", text) and re.search(r"^ARG UV_VERSION=\d+\.\d+\.\d+$", text, re.M)
    assert "uv sync --frozen --no-dev --no-editable" in text
    runtime = text.split(" AS runtime", 1)[1]
    user = re.findall(r"^USER (\S+)$", runtime, re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env"} <= set(ignored)


def test_the_lock_file_installs_every_image(plat):
    """What the Dockerfile's `uv sync --frozen --package ...` installs is in uv.lock as it is."""
    uv = os.environ.get("UV") or shutil.which("uv")  # `uv run` names itself in UV
    assert uv, "uv is needed to check uv.lock (make test runs the tests through it)"
    running = {package: subprocess.Popen([uv, "export", "--frozen", "--no-dev", "--no-hashes", "--package", package],
                                         cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for package in [o.uv_package for o in plat.owners] + ["naloxctl"]}
    for package, proc in running.items():
        _, stderr = proc.communicate()
        assert proc.returncode == 0, f"{package} is not installable from uv.lock as it is: {stderr}"
