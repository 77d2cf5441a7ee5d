"""The runnable examples under examples/, run as a force would run them: over the broker's SCRAM
listener with the force's own credentials, against real relay, egress and inbound processes."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from naloxctl.kafka_users import delete_scram, provision_force
from naloxone.contracts import force_topic
from naloxone_kernel.inbound import force_dead_letter_topic, force_inbound_topic
from naloxone_kernel.integration_keys import ensure_dev_keys
from naloxone_kernel.kafka import delete_topics
from naloxone_kernel.kafka_acls import force_user, inbound_domains, revoke_force

from ..support import REPO, IsolatedStack, wait_for
from .test_inbound_egress import committed_records, prepare_only

pytestmark = pytest.mark.e2e

WM = "west-midlands"
PROCESSES = [f"{s}-{k}" for s in ("training", "incidents") for k in ("relay", "egress", "inbound")]


@pytest.fixture(scope="module")
async def stack(servers, issuer, tmp_path_factory):
    if os.environ.get("KAFKA_BOOTSTRAP") and not os.environ.get("KAFKA_SASL_BOOTSTRAP"):
        pytest.skip("servers from KAFKA_BOOTSTRAP: set KAFKA_SASL_BOOTSTRAP to its SCRAM listener")
    keys_dir = tmp_path_factory.mktemp("integration-keys")
    ensure_dev_keys(keys_dir, [WM])
    s = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("examples"))
    s.config.extra_env["NALOX_INTEGRATION_KEYS_DIR"] = str(keys_dir)
    s.keys_dir = keys_dir
    s.sasl = os.environ.get("KAFKA_SASL_BOOTSTRAP") or f"127.0.0.1:{os.environ.get('NALOX_KAFKA_SASL_PORT', '19094')}"
    s.password = secrets.token_urlsafe(18)
    await prepare_only(s)
    await provision_force(servers.kafka_bootstrap, WM, s.password, topic_prefix=s.topic_prefix)
    s.start(*PROCESSES)
    yield s
    s.down()
    await revoke_force(servers.kafka_bootstrap, WM, s.topic_prefix)
    delete_scram(force_user(WM, s.topic_prefix))
    await delete_topics(servers.kafka_bootstrap, [s.topic_prefix + force_topic(WM)] + [
        s.topic_prefix + t for d in inbound_domains() for t in (force_inbound_topic(d, WM),
                                                                 force_dead_letter_topic(d, WM))])
    await s.destroy()


def example(stack, script: str, *args: str) -> list[dict]:
    """Run an example as its own process, as the force's SCRAM user; its JSON lines."""
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / script), "--force", WM, "--bootstrap", stack.sasl,
         "--user", force_user(WM, stack.topic_prefix), "--password", stack.password,
         "--topic-prefix", stack.topic_prefix, *args],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def consumer(stack, *args: str) -> list[dict]:
    return example(stack, "force_consumer.py", "--to-end", *args)


async def records_on(stack, topic: str, n: int) -> None:
    """Wait (in-process, cheaply) until the topic holds n records, before running an example once."""
    async def enough():
        return len(await committed_records(stack.servers.kafka_bootstrap, stack.topic_prefix + topic)) >= n
    await wait_for(enough, timeout=90, message=f"{n} records on {topic}")


async def test_the_producer_and_consumer_examples_round_trip(stack):
    staff = f"EX{uuid.uuid4().hex[:6].upper()}"
    started = datetime.now(UTC) - timedelta(seconds=5)
    platform_key = str(stack.keys_dir / "inbound.pub.pem")
    example(stack, "force_producer.py", "--key", f"hr-enrol-{staff}", "--source-system", "sap-hr",
            "enrolment", "--staff-number", staff, "--role", "response", "--enrolled-on", "2026-01-05")
    example(stack, "force_producer.py", "--key", f"hr-course-{staff}", "--source-system", "sap-hr",
            "training", "--staff-number", staff, "--course", "NALOXONE-1", "--provider", "WMP-LEARNING",
            "--completed-on", "2026-01-10")
    for _ in range(2):  # sent twice (a retry): applied once
        example(stack, "force_producer.py", "--key", f"rms-{staff}", "--platform-key", platform_key,
                "administration", "--staff-number", staff, "--administered-at", "2026-02-01T03:04:05Z",
                "--doses", "2", "--route", "intranasal", "--substance", "heroin", "--area-code", "B1",
                "--latitude", "52.4862", "--longitude", "-1.8904", "--local-identifier", "CUST-0001",
                "--age-band", "25_to_34", "--sex", "female")
    group = f"{stack.topic_prefix}naloxone.force.{WM}.example-{uuid.uuid4().hex[:6]}"
    key = str(stack.keys_dir / "forces" / f"{WM}.key.pem")

    await records_on(stack, force_topic(WM), 3)
    everything = consumer(stack, "--group", f"{group}-all", "--from-beginning", "--private-key", key)
    assert len(everything) == 3
    assert sorted(e["event_type"].rsplit(".", 1)[1] for e in everything) == [
        "NaloxoneAdministered", "OfficerEnrolled", "TrainingCompleted"]
    officer = [e for e in everything if e["event_type"].startswith("naloxone.training")]
    assert [e["aggregate_version"] for e in officer] == [1, 2]  # one aggregate, one partition, in order
    administered = next(e for e in everything if e["event_type"].endswith("NaloxoneAdministered"))
    assert administered["personal"]["location"] == {"latitude": 52.4862, "longitude": -1.8904}
    assert administered["personal"]["subject_details"] == {"age_band": "25_to_34", "sex": "female"}
    assert administered["payload"]["subject_pseudonym"].startswith("ps1_")  # never the local identifier
    assert "CUST-0001" not in json.dumps(administered["payload"])

    # a consumer that stops after one event and restarts in its group carries on with no gap and no repeat
    first = consumer(stack, "--group", group, "--max-events", "1")
    rest = consumer(stack, "--group", group)
    ids = [e["event_id"] for e in first + rest]
    assert len(first) == 1 and len(ids) == len(set(ids)) and set(ids) == {e["event_id"] for e in everything}

    # from a point in time: everything since the test began, nothing before
    since = consumer(stack, "--group", f"{group}-since", "--since", started.isoformat())
    assert {e["event_id"] for e in since} == {e["event_id"] for e in everything}
    future = consumer(stack, "--group", f"{group}-future", "--since",
                      (datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert future == []


async def test_refused_records_are_read_back_as_dead_letters(stack):
    example(stack, "force_producer.py", "--key", f"bad-{uuid.uuid4().hex[:8]}", "training",
            "--staff-number", "NOBODY-ENROLLED", "--course", "NALOXONE-1", "--provider", "WMP",
            "--completed-on", "2026-01-10")
    example(stack, "force_producer.py", "--key", f"forged-{uuid.uuid4().hex[:8]}", "--claim-force",
            "leicestershire", "enrolment", "--staff-number", "X1", "--role", "response", "--enrolled-on",
            "2026-01-05")

    await records_on(stack, force_dead_letter_topic("training", WM), 2)
    letters = consumer(stack, "--group", f"{stack.topic_prefix}naloxone.force.{WM}.dlq", "--dead-letters",
                       "training")
    assert {(d["reason"], d["field"]) for d in letters} >= {("REJECTION_REASON_OTHER", ""),
                                                            ("REJECTION_REASON_FORBIDDEN", "force_id")}
