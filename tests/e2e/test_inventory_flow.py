"""Inventory end to end: through the gateway, with training's and incidents' events on the real broker."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox

from ..support import wait_for

pytestmark = pytest.mark.e2e

FORCE = "west-midlands"
TODAY = date.today()


def key() -> str:
    return f"k-{uuid.uuid4()}"


@pytest.fixture
async def client(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as c:
        yield c


async def post(client, platform, path, body, force=FORCE, roles=("trainer",), idem=None):
    return await client.post(f"/v1/forces/{force}{path}", json=body,
                             headers={**platform.auth(force, list(roles)), "Idempotency-Key": idem or key()})


async def get(client, platform, path, force=FORCE, **params):
    r = await client.get(f"/v1/forces/{force}{path}", params=params, headers=platform.auth(force))
    assert r.status_code == 200, r.text
    return r.json()


async def receive(client, platform, quantity=3, expires_on=None, lot=None) -> dict:
    r = await post(client, platform, "/stock/batches", {
        "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": lot or f"LOT{uuid.uuid4().hex[:6]}",
        "quantity": quantity, "expires_on": (expires_on or TODAY + timedelta(days=400)).isoformat(),
        "received_on": (TODAY - timedelta(days=10)).isoformat(),
        "location": {"location_id": "STN-LLOYD-HOUSE", "location_type": "police_station"}})
    assert r.status_code == 201, r.text
    return r.json()


async def certified_officer(client, platform, *, valid_until=None, force=FORCE) -> str:
    """Enrol and train an officer through training; wait until inventory's own view has seen it."""
    r = await post(client, platform, "/officers", {"staff_number": f"INV{uuid.uuid4().hex[:8]}",
                                                   "role": "police_officer", "enrolled_on": "2025-01-06"}, force=force)
    assert r.status_code == 201, r.text
    officer_id = r.json()["officer_id"]
    until = valid_until or TODAY + timedelta(days=300)
    r = await post(client, platform, f"/officers/{officer_id}/training-records", {
        "course": "NALOX-1", "provider": "cranstoun", "completed_on": "2025-01-07", "valid_until": until.isoformat()},
        force=force)
    assert r.status_code == 201, r.text
    await wait_for(lambda: platform.scalar(
        "SELECT valid_until FROM inventory_officers.officers WHERE officer_id = $1", uuid.UUID(officer_id),
        service_name="inventory"), message="inventory to learn the officer's certification from training's events")
    return officer_id


async def kit_row(platform, kit_id):
    return await platform.scalar("SELECT status FROM inventory_view.kits WHERE kit_id = $1", uuid.UUID(kit_id),
                                 service_name="inventory")


async def test_receive_issue_return_and_read_back(platform, client):
    batch = await receive(client, platform, quantity=3)
    kit_id = batch["kit_ids"][0]
    officer_id = await certified_officer(client, platform)
    await wait_for(lambda: kit_row(platform, kit_id), message="the kit in the read model")
    issued = await post(client, platform, f"/kits/{kit_id}/issue", {"officer_id": officer_id,
                                                                    "issued_on": TODAY.isoformat()})
    assert issued.status_code == 200, issued.text
    async def holding():
        return (await get(client, platform, "/kits", holder=officer_id))["items"]
    held = await wait_for(holding, message="the kit held by the officer in the read model")
    assert [k["kit_id"] for k in held] == [kit_id]

    async def stock_counts():
        items = (await get(client, platform, "/stock", location="STN-LLOYD-HOUSE"))["items"]
        return sum(i["in_stock"] for i in items) or None
    assert await wait_for(stock_counts, message="stock") >= 2

    returned = await post(client, platform, f"/kits/{kit_id}/return", {
        "location": {"location_id": "CUSTODY-STEELHOUSE", "location_type": "custody_suite"},
        "returned_on": TODAY.isoformat(), "reason": "near_expiry", "reissuable": True})
    assert returned.status_code == 200, returned.text

    async def back_in_stock():
        k = await get(client, platform, f"/kits/{kit_id}")
        return k if k["status"] == "in_stock" and k["location_id"] == "CUSTODY-STEELHOUSE" else None
    await wait_for(back_in_stock, message="kit back in stock at the custody suite")

    async def carrying_in_training():
        o = await get(client, platform, f"/officers/{officer_id}")
        return o if o["version"] == 2 else None
    await wait_for(carrying_in_training, message="training's view to follow")


async def test_issue_needs_a_valid_certification_and_names_the_reason(platform, client):
    batch = await receive(client, platform, quantity=2)
    lapsed = await certified_officer(client, platform, valid_until=TODAY - timedelta(days=3))
    refused = await post(client, platform, f"/kits/{batch['kit_ids'][0]}/issue",
                         {"officer_id": lapsed, "issued_on": TODAY.isoformat()})
    assert refused.status_code == 409, refused.text
    assert "certification expired on" in refused.json()["message"]
    stranger = await post(client, platform, f"/kits/{batch['kit_ids'][0]}/issue",
                          {"officer_id": str(uuid.uuid4()), "issued_on": TODAY.isoformat()})
    assert stranger.status_code == 409 and "not known to inventory" in stranger.json()["message"]
    assert await platform.scalar("SELECT count(*) FROM events WHERE aggregate_id = $1",
                                 uuid.UUID(batch["kit_ids"][0]), service_name="inventory") == 1  # only KitStocked


async def test_two_concurrent_issues_of_one_kit_exactly_one_succeeds(platform, client):
    batch = await receive(client, platform, quantity=1)
    officers = await asyncio.gather(certified_officer(client, platform), certified_officer(client, platform))
    kit_id = batch["kit_ids"][0]
    results = await asyncio.gather(*(
        post(client, platform, f"/kits/{kit_id}/issue", {"officer_id": o, "issued_on": TODAY.isoformat()})
        for o in officers * 3))
    assert sorted(r.status_code for r in results).count(200) == 1, [r.text for r in results]
    assert {r.status_code for r in results} <= {200, 409}
    assert await platform.scalar("SELECT count(*) FROM events WHERE aggregate_id = $1 AND event_type = 'KitIssued'",
                                 uuid.UUID(kit_id), service_name="inventory") == 1


async def test_a_recall_flags_every_kit_wherever_it_is_and_blocks_issue(platform, client):
    batch = await receive(client, platform, quantity=3)
    officer_id = await certified_officer(client, platform)
    held, in_store, _ = batch["kit_ids"]
    assert (await post(client, platform, f"/kits/{held}/issue",
                       {"officer_id": officer_id, "issued_on": TODAY.isoformat()})).status_code == 200
    recall = await post(client, platform, "/recalls", {"batch_id": batch["batch_id"],
                                                       "recall_reference": "MHRA-EL-26-A-01",
                                                       "recalled_on": TODAY.isoformat()}, roles=("force_admin",))
    assert recall.status_code == 200 and recall.json()["kits_flagged"] == 3, recall.text
    refused = await post(client, platform, f"/kits/{in_store}/issue",
                         {"officer_id": officer_id, "issued_on": TODAY.isoformat()})
    assert refused.status_code == 409 and "recalled" in refused.json()["message"]

    async def listed():
        items = [i for i in (await get(client, platform, "/recalls"))["items"] if i["batch_id"] == batch["batch_id"]]
        return items if len(items) == 3 else None
    items = await wait_for(listed, message="the recall list")
    by_kit = {i["kit_id"]: i for i in items}
    assert by_kit[held]["holder_officer_id"] == officer_id and by_kit[in_store]["location_id"] == "STN-LLOYD-HOUSE"
    swap = await get(client, platform, "/inventory/swap-due")
    assert any(i["kit_id"] == held and i["reason"] == "recalled" for i in swap["items"])


async def test_an_administration_naming_a_kit_uses_it_exactly_once(platform, client):
    """incidents -> inventory through the real broker: the event published twice is applied once."""
    batch = await receive(client, platform, quantity=1)
    officer_id = await certified_officer(client, platform)
    kit_id = batch["kit_ids"][0]
    assert (await post(client, platform, f"/kits/{kit_id}/issue",
                       {"officer_id": officer_id, "issued_on": TODAY.isoformat()})).status_code == 200
    incident_id = uuid.uuid4()
    payload = incidents_pb.NaloxoneAdministered(
        incident_id=str(incident_id), force_id=FORCE, administration_id=str(uuid.uuid4()), officer_id=officer_id,
        kit_id=kit_id, doses=2)
    payload.administered_at.FromDatetime(datetime.now(UTC))
    now = datetime.now(UTC)
    message = to_outbox(platform.topic("incidents"), EnvelopeMeta(
        event_id=uuid.uuid4(), aggregate_type="Incident", aggregate_id=incident_id, aggregate_version=1,
        force_id=FORCE, occurred_at=now, recorded_at=now, correlation_id="corr-admin-1", causation_id=None,
        actor="test"), payload)
    producer = AIOKafkaProducer(bootstrap_servers=platform.servers.kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):  # a redelivery
            await producer.send_and_wait(message.topic, message.value, key=message.key,
                                         headers=[(k, v.encode()) for k, v in message.headers])
    finally:
        await producer.stop()

    async def used():
        k = await get(client, platform, f"/kits/{kit_id}")
        return k if k["status"] == "used" else None
    await wait_for(used, timeout=30, message="the kit to be used by the reaction")
    assert await platform.scalar("SELECT count(*) FROM events WHERE aggregate_id = $1 AND event_type = 'KitUsed'",
                                 uuid.UUID(kit_id), service_name="inventory") == 1
    async def replacement_due():
        items = (await get(client, platform, "/inventory/replacements-due"))["items"]
        return any(i["officer_id"] == officer_id for i in items)
    await wait_for(replacement_due, message="the officer due a replacement kit")


async def test_take_home_supplies_count_first_and_repeat(platform, client):
    force = "merseyside"
    before = await get(client, platform, "/inventory/summary", force=force)
    person = f"pseud-{uuid.uuid4().hex}"
    first = await post(client, platform, "/take-home-supplies", {
        "setting": "custody_release", "recipient": "person_at_risk", "supplied_at": datetime.now(UTC).isoformat(),
        "supplier_org_id": "cranstoun", "repeat_supply": False, "product_code": "nyxoid-1-8mg-nasal-spray",
        "subject_pseudonym": person, "advice_given": True}, force=force, roles=("custody",))
    assert first.status_code == 201, first.text
    repeat = await post(client, platform, "/take-home-supplies", {
        "setting": "custody_release", "recipient": "person_at_risk", "supplied_at": datetime.now(UTC).isoformat(),
        "supplier_org_id": "cranstoun", "repeat_supply": True, "repeat_reason": "previous_kit_used",
        "product_code": "nyxoid-1-8mg-nasal-spray", "subject_pseudonym": person}, force=force, roles=("custody",))
    assert repeat.status_code == 201, repeat.text
    missing_reason = await post(client, platform, "/take-home-supplies", {
        "setting": "street", "recipient": "family_or_friend", "supplied_at": datetime.now(UTC).isoformat(),
        "supplier_org_id": "cranstoun", "repeat_supply": True, "product_code": "nyxoid-1-8mg-nasal-spray"},
        force=force)
    assert missing_reason.status_code == 422 and "repeat_reason" in missing_reason.text
    named = await post(client, platform, "/take-home-supplies", {
        "setting": "street", "recipient": "person_at_risk", "supplied_at": datetime.now(UTC).isoformat(),
        "supplier_org_id": "cranstoun", "repeat_supply": False, "product_code": "nyxoid-1-8mg-nasal-spray",
        "subject_pseudonym": "John Smith"}, force=force)
    assert named.status_code == 422 and "subject_pseudonym" in named.text

    async def counted():
        s = await get(client, platform, "/inventory/summary", force=force)
        return s if s["take_home_supplies"] == before["take_home_supplies"] + 2 else None
    summary = await wait_for(counted, message="the supplies in the summary")
    assert summary["take_home_repeat"] == before["take_home_repeat"] + 1


async def test_expiry_job_emits_kit_expired_once(platform, client):
    batch = await receive(client, platform, quantity=2, expires_on=TODAY + timedelta(days=1))
    await wait_for(lambda: kit_row(platform, batch["kit_ids"][1]), message="kits in the read model")
    later = (TODAY + timedelta(days=5)).isoformat()
    first = platform.run("inventory", "job", "expire", "--today", later)
    assert "inventory expire:" in first.stderr
    platform.run("inventory", "job", "expire", "--today", later)  # a rerun appends nothing
    assert await platform.scalar("SELECT count(*) FROM events WHERE event_type = 'KitExpired' AND aggregate_id = "
                                 "ANY($1::uuid[])", [uuid.UUID(k) for k in batch["kit_ids"]],
                                 service_name="inventory") == 2

    async def flagged():
        kit = await get(client, platform, f"/kits/{batch['kit_ids'][0]}")
        return kit if kit["expired"] else None
    await wait_for(flagged, message="expiry in the read model")
    officer_id = await certified_officer(client, platform)
    refused = await post(client, platform, f"/kits/{batch['kit_ids'][0]}/issue",
                         {"officer_id": officer_id, "issued_on": TODAY.isoformat()})
    assert refused.status_code == 409 and "expired" in refused.json()["message"]
