"""Operational surfaces: probes, metrics, and the scheduled expiry process."""

import uuid

import httpx
import pytest

from ..support import wait_for

pytestmark = pytest.mark.e2e


def test_every_process_answers_probes_and_metrics(platform):
    cfg = platform.config
    for name, port in cfg.ports.items():  # every process of every service, and the gateway's ops port
        base = f"http://127.0.0.1:{port}"
        process = "gateway" if name.startswith("gateway") else name  # each names itself
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "process": process}
        if name == "gateway":  # the public port: readiness and metrics live on gateway-ops only
            assert httpx.get(f"{base}/readyz").status_code == 404
            continue
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["process"] == process, ready.text
    relay_metrics = httpx.get(f"http://127.0.0.1:{cfg.port('training', 'relay')}/metrics").text
    assert "outbox_backlog_rows" in relay_metrics and "relay_published_events_total" in relay_metrics
    projector_metrics = httpx.get(f"http://127.0.0.1:{cfg.port('training', 'projector')}/metrics").text
    assert "consumer_lag_messages" in projector_metrics
    api_metrics = httpx.get(f"http://127.0.0.1:{cfg.port('training', 'api')}/metrics").text
    assert 'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/readyz"' in api_metrics


async def test_expiry_process_emits_certification_expired_once(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=15) as client:
        headers = platform.auth()
        created = await client.post("/v1/forces/west-midlands/officers", headers={
            **headers, "Idempotency-Key": f"k-{uuid.uuid4()}"},
            json={"staff_number": f"EXP{uuid.uuid4().hex[:6]}", "role": "response", "enrolled_on": "2020-01-01"})
        officer_id = created.json()["officer_id"]
        await client.post(f"/v1/forces/west-midlands/officers/{officer_id}/training-records", headers={
            **headers, "Idempotency-Key": f"k-{uuid.uuid4()}"}, json={
            "course": "C", "provider": "p", "completed_on": "2020-01-02", "valid_until": "2023-01-01"})

        async def certified():
            r = await client.get(f"/v1/forces/west-midlands/officers/{officer_id}", headers=headers)
            return r.status_code == 200 and r.json()["certification"] == "certified"

        await wait_for(certified, message="the officer to be certified in the read model")
        out = platform.run_training("job", "expire", "--today", "2026-11-21")
        assert "training expire:" in out.stderr and "training expire: 0 done" not in out.stderr, out.stderr
        again = platform.run_training("job", "expire", "--today", "2026-11-21")  # a rerun appends nothing
        assert "training expire: 0 done" in again.stderr, again.stderr

        async def expired():
            r = await client.get(f"/v1/forces/west-midlands/officers/{officer_id}", headers=headers)
            return r.json()["certification"] == "expired" and r.json()

        officer = await wait_for(expired, message="the expiry to reach the read model")
        assert officer["version"] == 3
    conn = await platform.db()
    try:
        types = [r[0] for r in await conn.fetch(
            "SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY aggregate_version", uuid.UUID(officer_id))]
    finally:
        await conn.close()
    assert types == ["OfficerEnrolled", "TrainingCompleted", "CertificationExpired"]
