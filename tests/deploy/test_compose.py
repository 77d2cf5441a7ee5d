"""docker-compose.yml: valid against the Compose specification, and wiring every process,
port, database, topic and environment variable of the platform."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
import yaml

from naloxone_kernel.personal_data import DEV_PSEUDONYM_SECRET, DEV_WRAPPING_KEY
from naloxone_kernel.settings import DEV_DB_PASSWORD

from .conftest import REPO
from .wiring import compose_problems

COMPOSE = REPO / "docker-compose.yml"
INITDB = REPO / "deploy/compose/initdb/10-databases.sh"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def check_jsonschema(*paths) -> subprocess.CompletedProcess:
    """check-jsonschema with the Compose specification's schema it ships (vendor.compose-spec)."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                           "--output-format", "json", *map(str, paths)], capture_output=True, text=True)


def test_compose_file_matches_the_compose_specification(tmp_path):
    # The committed file, and beside it a copy that breaks the specification, which the
    # same check must refuse (so a pass means the schema was really applied).
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: service_happy", 1))
    result = check_jsonschema(COMPOSE, broken)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["status"] == "fail", result.stdout + result.stderr
    assert {e["filename"] for e in report["errors"]} == {str(broken)}, result.stdout
    assert "service_happy" in result.stdout


def test_every_process_port_database_topic_and_variable_is_wired(compose, plat):
    assert compose_problems(compose, plat, initdb=INITDB.read_text()) == []


def test_the_wiring_check_names_what_a_broken_file_leaves_out(compose, plat):
    initdb = INITDB.read_text()
    process = next(p for p in plat.processes if p.kind == "projector")
    owner = next(o for o in plat.owners if o.name == process.owner)
    variable = owner.setting("kafka_bootstrap").env

    no_variable = copy.deepcopy(compose)
    service = no_variable["services"][process.name]
    service["environment"] = {k: v for k, v in service["environment"].items() if k != variable}
    assert compose_problems(no_variable, plat, initdb=initdb) == [
        f"compose {process.name}: environment variable {variable} is not set"]

    no_process = copy.deepcopy(compose)
    del no_process["services"][process.name]
    assert f"compose: no service for process {process.name}" in compose_problems(no_process, plat, initdb=initdb)

    wrong_port = copy.deepcopy(compose)
    wrong_port["services"][process.name]["expose"] = ["9999"]
    assert f"compose {process.name}: port {process.port} is not exposed" in \
        compose_problems(wrong_port, plat, initdb=initdb)

    no_migration_wait = copy.deepcopy(compose)
    del no_migration_wait["services"][process.name]["depends_on"][f"{owner.name}-migrate"]
    assert compose_problems(no_migration_wait, plat, initdb=initdb) == [
        f"compose {process.name}: does not wait for {owner.name}-migrate to complete"]

    assert any("does not create database" in p for p in
               compose_problems(compose, plat, initdb=initdb.replace(f'"{owner.database}"', '"elsewhere"')))


def test_no_secret_is_written_in_the_compose_file():
    text = COMPOSE.read_text()
    for secret in (DEV_PSEUDONYM_SECRET, DEV_WRAPPING_KEY, f":{DEV_DB_PASSWORD}@"):
        assert secret not in text


def test_env_example_lists_every_secret_compose_asks_for(compose, plat):
    from naloxctl.deploy import dotenv_values
    from naloxctl.deploy_compose import dotenv_secrets

    example = (REPO / ".env.example").read_text()
    asked = set(dotenv_secrets(plat))
    listed = {line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")}
    assert asked == listed
    text = COMPOSE.read_text()
    for name in asked:
        assert f"${{{name}:?" in text, f"{name} is in .env.example but Compose never reads it"
    fresh = dotenv_values(plat)
    assert set(fresh) == asked and all(fresh.values())
