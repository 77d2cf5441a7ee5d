"""Personal data end to end: planted values are never stored, published or logged in the clear;
a DPO's erasure makes them unreadable everywhere while the counts stay; subject access; retention."""

import random
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from naloxone.incidents.v1 import events_pb2 as pb
from naloxone_kernel.envelope import decode
from naloxone_kernel.personal_data import sealed_key_id

from ..support import needles, scan_databases, scan_logs, scan_topics, topic_messages, wait_for
from .test_incidents_flow import administration, key

pytestmark = pytest.mark.e2e

FORCE = "west-midlands"


@pytest.fixture
async def client(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as c:
        yield c


def dpo(platform, force=FORCE) -> dict:
    token = platform.issuer.mint(subject=f"dpo@{force}", roles=["auditor"], force_id=force, grants=["dpo"])
    return {"Authorization": f"Bearer {token}"}


async def call(client, method, path, headers, body=None, force=FORCE):
    return await client.request(method, f"/v1/forces/{force}{path}", json=body,
                                headers={**headers, "Idempotency-Key": key()})


def planted_values() -> dict[str, str]:
    tag = uuid.uuid4().hex[:10].upper()
    digits = random.randint(10000, 99999)
    return {"local_id": f"PLANTED-{tag}", "latitude": f"52.48{digits}7", "longitude": f"-1.90{digits}3",
            "note": f"Planted note {tag} about the person", "corrected_latitude": f"52.47{digits}1",
            "tag": tag}


async def test_planted_personal_data_is_sealed_everywhere_and_erasure_shreds_it_keeping_the_counts(
        platform, client):
    planted = planted_values()
    officer = platform.auth(FORCE, ["officer"])
    admin = platform.auth(FORCE, ["force_admin"])
    month = datetime.now(UTC).strftime("%Y-%m")
    first = await call(client, "POST", "/administrations", officer, administration(
        subject={"local_identifier": planted["local_id"], "age_band": "18_to_24", "sex": "male"},
        place={"area_code": "B19", "latitude": float(planted["latitude"]), "longitude": float(planted["longitude"])},
        note=planted["note"]))
    assert first.status_code == 201, first.text
    second = await call(client, "POST", "/administrations", officer, administration(
        subject={"local_identifier": planted["local_id"].lower(), "age_band": "18_to_24", "sex": "male"}))
    pseudonym, ids = first.json()["subject_pseudonym"], [first.json()["administration_id"],
                                                          second.json()["administration_id"]]
    assert second.json()["subject_pseudonym"] == pseudonym
    corrected = await call(client, "POST", f"/administrations/{ids[0]}/corrections", officer, {
        "reason": "later_information",
        "place": {"area_code": "B19", "latitude": float(planted["corrected_latitude"]),
                  "longitude": float(planted["longitude"])}})
    assert corrected.status_code == 200, corrected.text

    async def readable():
        r = await client.get(f"/v1/forces/{FORCE}/administrations/{ids[0]}", headers=officer)
        return r.json() if r.status_code == 200 and r.json()["corrections"] == 1 else None
    detail = await wait_for(readable, message="the corrected administration in the view")
    assert detail["place"]["latitude"] == float(planted["corrected_latitude"])
    assert detail["subject"] == {"pseudonym": pseudonym, "age_band": "18_to_24", "sex": "male",
                                 "personal_data": "available"}
    assert detail["note"]["text"] == planted["note"]
    export = await client.get(f"/v1/forces/{FORCE}/subjects/{pseudonym}/export", headers=dpo(platform))
    assert export.status_code == 200, export.text
    assert {r["administration_id"] for r in export.json()["records"]} == set(ids)
    assert planted["note"] in export.text and planted["corrected_latitude"] in export.text

    async def both_counted():
        s = (await client.get(f"/v1/forces/{FORCE}/incidents/summary", headers=admin, params={"since": month})).json()
        h = (await client.get(f"/v1/forces/{FORCE}/subjects/{pseudonym}/history", headers=officer)).json()
        return s if h["administrations"] == 2 else None
    before = await wait_for(both_counted, message="both administrations in the history")
    # The scans see what is there (the pseudonym is stored and published by design)...
    control = {"pseudonym": pseudonym}
    assert await scan_databases(platform, control) and await scan_topics(platform, control)
    # ...and, sealed from the start, nothing planted is in the clear in any table, topic or log.
    await wait_for(lambda: platform.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL",
                                           service_name="incidents"), message="the outbox published")
    assert await scan_databases(platform, planted) == []
    assert await scan_topics(platform, planted) == []
    assert scan_logs(platform, planted) == []

    # Only a DPO erases: an officer, a force admin and an auditor without the grant are refused.
    for headers in (officer, admin, platform.auth(FORCE, ["auditor"])):
        refused = await call(client, "POST", f"/subjects/{pseudonym}/erasure", headers, {})
        assert refused.status_code == 403, refused.text
    erased = await call(client, "POST", f"/subjects/{pseudonym}/erasure", dpo(platform), {})
    assert erased.status_code == 200, erased.text
    assert erased.json()["records_shredded"] == 2 and sorted(erased.json()["administration_ids"]) == sorted(ids)
    assert await platform.scalar("SELECT count(*) FROM personal_data_keys WHERE subject_pseudonym = $1", pseudonym,
                                 service_name="incidents") == 0

    # Every response now gives the fields as erased (before the view catches up, too).
    for aid in ids:
        d = (await client.get(f"/v1/forces/{FORCE}/administrations/{aid}", headers=officer)).json()
        assert d["subject"]["age_band"] is None and d["subject"]["personal_data"] == "erased"
        assert d["place"]["latitude"] is None and d["note"]["text"] is None
    assert (await client.get(f"/v1/forces/{FORCE}/administrations/{ids[0]}", headers=officer)).json()[
        "place"]["personal_data"] == "erased"

    async def unlinked():
        h = (await client.get(f"/v1/forces/{FORCE}/subjects/{pseudonym}/history", headers=officer)).json()
        return h if h["administrations"] == 0 else None
    await wait_for(unlinked, message="the view to unlink the erased subject")
    after = (await client.get(f"/v1/forces/{FORCE}/incidents/summary", headers=admin, params={"since": month})).json()
    assert after["totals"]["administrations"] == before["totals"]["administrations"]
    assert after["totals"]["lives_saved"] == before["totals"]["lives_saved"]
    assert after["totals"]["doses"] == before["totals"]["doses"]
    export_after = await client.get(f"/v1/forces/{FORCE}/subjects/{pseudonym}/export", headers=dpo(platform))
    assert export_after.json()["records"] == [] and len(export_after.json()["erasures"]) == 1

    # The ciphertext still on the topic names a key that no longer exists: unreadable by anyone.
    records = await topic_messages(platform.servers.kafka_bootstrap, platform.topic("incidents"))
    sealed = [p.location_ciphertext for _, p in map(lambda r: decode(r.value), records)
              if isinstance(p, pb.NaloxoneAdministered) and p.administration_id == ids[0]]
    assert sealed and sealed[0]
    assert await platform.scalar("SELECT reason FROM personal_data_shredded WHERE key_id = $1",
                                 sealed_key_id(sealed[0]), service_name="incidents") == "erasure"
    erasure_events = [p for _, p in map(lambda r: decode(r.value), records) if isinstance(p, pb.SubjectErased)
                      and p.subject_pseudonym == pseudonym]
    assert len(erasure_events) == 1 and erasure_events[0].records_shredded == 2

    responses = [(await client.get(f"/v1/forces/{FORCE}{p}", headers=h)).text for p, h in (
        (f"/administrations/{ids[0]}", officer), (f"/administrations/{ids[1]}", officer),
        ("/administrations", officer), (f"/subjects/{pseudonym}/history", officer),
        (f"/subjects/{pseudonym}/export", dpo(platform)), ("/incidents/summary", admin))]
    assert [n for n in needles(planted) for text in responses if n.decode() in text] == []
    assert await scan_databases(platform, planted) == []
    assert await scan_topics(platform, planted) == []
    assert scan_logs(platform, planted) == []


async def test_retention_job_shreds_old_records_once_and_says_so(platform, client):
    officer = platform.auth(FORCE, ["officer"])
    long_ago = datetime(2015, 6, 1, 2, 30, tzinfo=UTC)
    old = await call(client, "POST", "/administrations", officer, administration(
        call_at=None, arrived_at=None, administered_at=long_ago.isoformat(), outcome="alive_at_handover",
        outcome_final=True, place={"area_code": "B5", "latitude": 52.47, "longitude": -1.89}))
    recent = await call(client, "POST", "/administrations", officer, administration(
        place={"area_code": "B5", "latitude": 52.47, "longitude": -1.89}))
    assert old.status_code == recent.status_code == 201
    old_id, recent_id = old.json()["administration_id"], recent.json()["administration_id"]
    first = platform.run("incidents", "job", "retention")
    assert "incidents retention:" in first.stderr
    platform.run("incidents", "job", "retention")  # a rerun shreds nothing more
    assert await platform.scalar("SELECT count(*) FROM events WHERE event_type = 'PersonalDataShredded' "
                                 "AND aggregate_id = $1", uuid.UUID(old_id), service_name="incidents") == 1
    assert await platform.scalar("SELECT count(*) FROM events WHERE event_type = 'PersonalDataShredded' "
                                 "AND aggregate_id = $1", uuid.UUID(recent_id), service_name="incidents") == 0

    async def shredded():
        r = await client.get(f"/v1/forces/{FORCE}/administrations/{old_id}", headers=officer)
        return r.json() if r.status_code == 200 and r.json()["shredded"] == "retention" else None
    detail = await wait_for(shredded, message="retention in the view")
    assert detail["place"] == {"area_code": "B5", "latitude": None, "longitude": None,
                               "personal_data": "retention_expired"}
    assert detail["life_saved"] and detail["doses"] == 2  # statistics stay
    fresh = (await client.get(f"/v1/forces/{FORCE}/administrations/{recent_id}", headers=officer)).json()
    assert fresh["place"]["latitude"] == 52.47
