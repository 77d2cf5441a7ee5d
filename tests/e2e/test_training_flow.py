"""Training end to end: HTTP in through the gateway, events on Kafka, read model out."""

import asyncio
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone.training.v1 import events_pb2 as pb

from ..support import REPO, topic_messages, unique, wait_for

pytestmark = pytest.mark.e2e


def staff() -> str:
    return unique("S")[:12].upper()


async def enrol(client: httpx.AsyncClient, platform, number: str, key: str | None = None, force="west-midlands"):
    return await client.post(f"/v1/forces/{force}/officers", headers={
        **platform.auth(force), "Idempotency-Key": key or f"k-{uuid.uuid4()}"},
        json={"staff_number": number, "role": "neighbourhood", "enrolled_on": "2026-02-01"})


@pytest.fixture
async def client(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=15) as c:
        yield c


async def event_count(platform, officer_id) -> int:
    return await platform.scalar("SELECT count(*) FROM events WHERE aggregate_id = $1", uuid.UUID(officer_id))


async def test_enrol_train_and_read_back_through_the_gateway(platform, client):
    number = staff()
    created = await enrol(client, platform, number)
    assert created.status_code == 201, created.text
    officer_id = created.json()["officer_id"]
    assert created.headers["location"].endswith(officer_id)
    trained = await client.post(f"/v1/forces/west-midlands/officers/{officer_id}/training-records", headers={
        **platform.auth(), "Idempotency-Key": f"k-{uuid.uuid4()}"}, json={
        "course": "NALOX-IN-1", "provider": "cranstoun", "completed_on": "2026-02-03",
        "valid_until": "2029-02-03", "delivery": "in_person"})
    assert trained.status_code == 201 and trained.json()["version"] == 2

    async def projected():
        r = await client.get(f"/v1/forces/west-midlands/officers/{officer_id}", headers=platform.auth())
        return r.json() if r.status_code == 200 and r.json()["version"] == 2 else None

    officer = await wait_for(projected, message="the read model to show the training")
    assert officer["staff_number"] == number and officer["certification"] == "certified"
    assert officer["valid_until"] == "2029-02-03" and officer["status"] == "active"
    listing = await client.get("/v1/forces/west-midlands/officers", params={"limit": 500},
                               headers=platform.auth())
    assert officer_id in {o["officer_id"] for o in listing.json()["items"]}
    summary = (await client.get("/v1/forces/west-midlands/training/summary", headers=platform.auth())).json()
    assert summary["active_certified"] >= 1


async def test_a_retried_command_returns_the_first_result_and_appends_nothing(platform, client):
    key = f"retry-{uuid.uuid4()}"
    number = staff()
    first = await enrol(client, platform, number, key)
    again = await enrol(client, platform, number, key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    # concurrent retries too
    racing = await asyncio.gather(*(enrol(client, platform, number, key) for _ in range(5)))
    assert {r.status_code for r in racing} == {201} and all(r.json() == first.json() for r in racing)
    assert await event_count(platform, first.json()["officer_id"]) == 1


async def test_the_same_key_with_a_different_body_is_refused(platform, client):
    key = f"reuse-{uuid.uuid4()}"
    assert (await enrol(client, platform, staff(), key)).status_code == 201
    other = await enrol(client, platform, staff(), key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_concurrent_writers_to_one_officer_exactly_one_wins(platform, client):
    officer_id = (await enrol(client, platform, staff())).json()["officer_id"]

    async def train(day: int):
        return await client.post(f"/v1/forces/west-midlands/officers/{officer_id}/training-records", headers={
            **platform.auth(), "Idempotency-Key": f"k-{uuid.uuid4()}", "If-Match": '"1"'}, json={
            "course": "C", "provider": "p", "completed_on": f"2026-03-{day:02d}", "valid_until": "2028-01-01"})

    results = await asyncio.gather(train(1), train(2))
    assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
    conn = await platform.db()
    try:
        versions = await conn.fetch("SELECT aggregate_version FROM events WHERE aggregate_id = $1 "
                                    "ORDER BY aggregate_version", uuid.UUID(officer_id))
    finally:
        await conn.close()
    assert [v[0] for v in versions] == [1, 2]


async def test_enrolling_an_active_officer_twice_is_a_conflict(platform, client):
    number = staff()
    assert (await enrol(client, platform, number)).status_code == 201
    second = await enrol(client, platform, number)
    assert second.status_code == 409 and "already enrolled" in second.json()["message"]


BAD_INPUTS = [
    ("missing field", "west-midlands", {"role": "response", "enrolled_on": "2026-01-01"},
     "body.staff_number", "missing"),
    ("wrong type", "west-midlands", {"staff_number": 1234, "role": "response", "enrolled_on": "2026-01-01"},
     "body.staff_number", "string_type"),
    ("bad date", "west-midlands", {"staff_number": "X1", "role": "response", "enrolled_on": "2026-13-01"},
     "body.enrolled_on", "date_from_datetime_parsing"),
    ("unknown enum", "west-midlands", {"staff_number": "X1", "role": "sheriff", "enrolled_on": "2026-01-01"},
     "body.role", "enum"),
    ("unknown field", "west-midlands",
     {"staff_number": "X1", "role": "response", "enrolled_on": "2026-01-01", "name": "Jo Bloggs"},
     "body.name", "extra_forbidden"),
    ("unknown force", "atlantis", {"staff_number": "X1", "role": "response", "enrolled_on": "2026-01-01"},
     "path.force_id", "unknown_force"),
]


async def _store_size(platform) -> int:
    return await platform.scalar("SELECT count(*) FROM events")


@pytest.mark.parametrize("case,force,body,field,rule", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
async def test_bad_input_names_the_field_and_rule_and_appends_nothing(platform, client, case, force, body,
                                                                      field, rule):
    before = await _store_size(platform)
    response = await client.post(f"/v1/forces/{force}/officers", json=body, headers={
        **platform.auth(force if force != "atlantis" else "west-midlands"), "Idempotency-Key": f"k-{uuid.uuid4()}"})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert {"field": field, "rule": rule} in [{"field": e["field"], "rule": e["rule"]} for e in errors]
    assert await _store_size(platform) == before


async def test_training_validity_must_end_after_completion(platform, client):
    officer_id = (await enrol(client, platform, staff())).json()["officer_id"]
    before = await _store_size(platform)
    response = await client.post(f"/v1/forces/west-midlands/officers/{officer_id}/training-records", headers={
        **platform.auth(), "Idempotency-Key": f"k-{uuid.uuid4()}"}, json={
        "course": "C", "provider": "p", "completed_on": "2026-03-01", "valid_until": "2026-02-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0] | {"message": None} == {
        "field": "body.valid_until", "rule": "after_completed_on", "message": None}
    assert await _store_size(platform) == before


async def test_missing_idempotency_key_is_refused(platform, client):
    response = await client.post("/v1/forces/west-midlands/officers", headers=platform.auth(),
                                 json={"staff_number": "X1", "role": "response", "enrolled_on": "2026-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_oversized_body_is_413_and_appends_nothing(platform, client):
    before = await _store_size(platform)
    body = {"staff_number": "X1", "role": "response", "enrolled_on": "2026-01-01", "pad": "x" * 200_000}
    response = await client.post("/v1/forces/west-midlands/officers", json=body, headers={
        **platform.auth(), "Idempotency-Key": f"k-{uuid.uuid4()}"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body" and response.json()["errors"][0]["rule"].startswith("max_bytes")
    assert await _store_size(platform) == before


async def test_the_correlation_id_travels_from_http_into_the_event_and_onto_kafka(platform, client):
    request_id = f"corr-{uuid.uuid4().hex}"
    created = await client.post("/v1/forces/west-midlands/officers", headers={
        **platform.auth(), "Idempotency-Key": f"k-{uuid.uuid4()}", "X-Request-ID": request_id},
        json={"staff_number": staff(), "role": "pcso", "enrolled_on": "2026-01-01"})
    assert created.headers["x-request-id"] == request_id
    officer_id = created.json()["officer_id"]

    async def on_kafka():
        for record in await topic_messages(platform.servers.kafka_bootstrap, platform.training_topic):
            envelope = EventEnvelope.FromString(record.value)
            if envelope.aggregate_id == officer_id:
                return envelope, dict(record.headers)
        return None

    envelope, headers = await wait_for(on_kafka, message="the event on Kafka")
    assert envelope.correlation_id == request_id and headers["correlation_id"] == request_id.encode()
    assert headers["event_type"] == b"naloxone.training.v1.OfficerEnrolled"
    assert headers["content-type"] == b"application/x-protobuf"

    async def in_projector_log():
        log = platform.stack.log_file("training-projector").read_text()
        return [line for line in log.splitlines() if request_id in line and '"batch applied"' in line]

    await wait_for(in_projector_log, message="the projector to log the correlation id")


VIEW_PROTO = """syntax = "proto3";
package testview;
import "naloxone/training/v1/events.proto";
import "google/protobuf/timestamp.proto";
// Same wire shape as EventEnvelope, with the Any's value typed, so protoc prints its fields.
message OfficerEnrolledAny { string type_url = 1; naloxone.training.v1.OfficerEnrolled value = 2; }
message EnvelopeView {
  string event_id = 1; string event_type = 2; string aggregate_type = 3; string aggregate_id = 4;
  int64 aggregate_version = 5; string force_id = 6; google.protobuf.Timestamp occurred_at = 7;
  google.protobuf.Timestamp recorded_at = 8; string correlation_id = 9; string causation_id = 10;
  string actor = 11; OfficerEnrolledAny payload = 12;
}
"""


async def test_an_independent_client_reads_the_event_with_kcat_and_protoc(platform, client, tmp_path: Path):
    number = staff()
    officer_id = (await enrol(client, platform, number)).json()["officer_id"]

    async def consumed_by_kcat():
        out = subprocess.run(
            ["kcat", "-C", "-b", platform.servers.kafka_bootstrap, "-t", platform.training_topic,
             "-o", "beginning", "-e", "-q", "-f", "%k\t%h\n"], capture_output=True, timeout=60, text=True)
        return officer_id in out.stdout and out.stdout

    listing = await wait_for(consumed_by_kcat, timeout=30, message="kcat to see the event")
    assert "event_type=naloxone.training.v1.OfficerEnrolled" in listing
    # the value, byte for byte, as kcat hands it to a force's IT department
    partition = next(line for line in subprocess.run(
        ["kcat", "-C", "-b", platform.servers.kafka_bootstrap, "-t", platform.training_topic, "-o", "beginning",
         "-e", "-q", "-f", "%k %p %o\n"], capture_output=True, text=True, timeout=60).stdout.splitlines()
        if line.startswith(officer_id))
    _, p, offset = partition.split()
    raw = subprocess.run(["kcat", "-C", "-b", platform.servers.kafka_bootstrap, "-t", platform.training_topic,
                          "-p", p, "-o", offset, "-c", "1", "-e", "-q", "-f", "%s"],
                         capture_output=True, timeout=60).stdout
    envelope_text = subprocess.run(
        ["protoc", "--decode", "naloxone.common.v1.EventEnvelope", f"-I{REPO / 'proto'}",
         "naloxone/common/v1/envelope.proto"], input=raw, capture_output=True, check=True).stdout.decode()
    assert f'aggregate_id: "{officer_id}"' in envelope_text
    assert 'event_type: "naloxone.training.v1.OfficerEnrolled"' in envelope_text
    assert 'force_id: "west-midlands"' in envelope_text
    (tmp_path / "view.proto").write_text(VIEW_PROTO)
    payload_text = subprocess.run(
        ["protoc", "--decode", "testview.EnvelopeView", f"-I{REPO / 'proto'}", f"-I{tmp_path}", "view.proto"],
        input=raw, capture_output=True, check=True).stdout.decode()
    assert f'staff_number: "{number}"' in payload_text
    assert "role: OFFICER_ROLE_NEIGHBOURHOOD" in payload_text
    assert "year: 2026" in payload_text and f'officer_id: "{officer_id}"' in payload_text
    # and the platform's own decoder agrees
    envelope = EventEnvelope.FromString(raw)
    payload = pb.OfficerEnrolled()
    assert envelope.payload.Unpack(payload) and payload.staff_number == number
