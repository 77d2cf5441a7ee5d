"""Inventory's take-home supplies on the platform's personal-data machinery, end to end through the
gateway and the real broker: the force's own identifier becomes the same pseudonym incidents computes
(and another force's), and is stored, published and logged nowhere; the person's details and the note
are sealed; a DPO's erasure at incidents reaches inventory through Kafka and shreds the subject's
supplies (tables, topic bytes, responses) while the counts stay; the retention job shreds old supplies.

One isolated stack for the module, with only the processes these flows need.
"""

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from naloxone.inventory.v1 import events_pb2 as pb
from naloxone_kernel.envelope import decode
from naloxone_kernel.personal_data import sealed_key_id

from ..support import IsolatedStack, needles, scan_databases, scan_logs, scan_topics, topic_messages, wait_for
from .test_incidents_flow import administration, key
from .test_incidents_personal_data import dpo

pytestmark = pytest.mark.e2e

FORCE, OTHER = "west-midlands", "leicestershire"
#: Besides every API (the gateway is ready only when all answer): what these flows need behind them.
WORKERS = ("inventory-relay", "inventory-projector", "inventory-reactor", "incidents-relay")


@pytest.fixture(scope="module")
async def stack(servers, issuer, tmp_path_factory):
    s = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("inventory-personal-data"))
    await s.prepare()
    s.start(*[spec.name for spec in s.stack.specs if spec.name.endswith("-api")], *WORKERS, "gateway")
    yield s
    await s.destroy()


@pytest.fixture(scope="module")
async def client(stack):
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as c:
        yield c


async def post(client, stack, path, body, force=FORCE, headers=None):
    return await client.post(f"/v1/forces/{force}{path}", json=body,
                             headers={**(headers or stack.auth(force, ["custody"])), "Idempotency-Key": key()})


def supply(**over) -> dict:
    body = {"setting": "custody_release", "recipient": "person_at_risk", "supplied_at": datetime.now(UTC).isoformat(),
            "supplier_org_id": FORCE, "repeat_supply": False, "product_code": "nyxoid-1-8mg-nasal-spray",
            "advice_given": True}
    return body | over


def planted_values() -> dict[str, str]:
    tag = uuid.uuid4().hex[:10].upper()
    return {"local_id": f"CUSTODY/PLANTED-{tag}", "note": f"Planted supply note {tag} about the person"}


async def test_the_local_identifier_becomes_the_forces_pseudonym_at_the_edge(stack, client):
    local_id = f"CUST/{uuid.uuid4().hex[:10]}"
    here = await post(client, stack, "/take-home-supplies", supply(subject={"local_identifier": local_id}))
    there = await post(client, stack, "/take-home-supplies", supply(
        supplier_org_id=OTHER, subject={"local_identifier": local_id}), force=OTHER)
    assert here.status_code == there.status_code == 201, (here.text, there.text)
    assert here.json()["subject_pseudonym"].startswith("ps1_")
    assert here.json()["subject_pseudonym"] != there.json()["subject_pseudonym"]  # unlinkable across forces
    assert local_id not in here.text + there.text
    # Incidents computes the same pseudonym for the same person in the same force (any spelling).
    at_incidents = await post(client, stack, "/subjects/pseudonym", {"local_identifier": f" {local_id.lower()} "},
                              headers=stack.auth(FORCE, ["officer"]))
    assert at_incidents.status_code == 200, at_incidents.text
    assert at_incidents.json()["subject_pseudonym"] == here.json()["subject_pseudonym"]
    # A partner who never sees the local identifier gives the pseudonym an earlier response returned.
    again = await post(client, stack, "/take-home-supplies", supply(
        repeat_supply=True, repeat_reason="previous_kit_used", subject_pseudonym=here.json()["subject_pseudonym"]))
    assert again.status_code == 201 and again.json()["subject_pseudonym"] == here.json()["subject_pseudonym"]
    # Bad input is refused naming the rule, never echoing the identifier; nothing is recorded.
    both = await post(client, stack, "/take-home-supplies", supply(
        subject={"local_identifier": local_id}, subject_pseudonym=here.json()["subject_pseudonym"]))
    assert both.status_code == 422 and "subject_pseudonym" in both.text and local_id not in both.text
    named = await post(client, stack, "/take-home-supplies", supply(subject={"local_identifier": "Ann <Smith>"}))
    assert named.status_code == 422 and "local_identifier" in named.text and "Smith" not in named.text


async def test_planted_values_are_sealed_and_erasure_at_incidents_shreds_the_supplies_keeping_the_counts(
        stack, client):
    planted = planted_values()
    custody, admin = stack.auth(FORCE, ["custody"]), stack.auth(FORCE, ["force_admin"])
    first = await post(client, stack, "/take-home-supplies", supply(
        subject={"local_identifier": planted["local_id"], "age_band": "18_to_24", "sex": "male"},
        note=planted["note"], setting="street"))
    assert first.status_code == 201, first.text
    pseudonym = first.json()["subject_pseudonym"]
    repeat = await post(client, stack, "/take-home-supplies", supply(
        subject_pseudonym=pseudonym, repeat_supply=True, repeat_reason="previous_kit_used"))
    bystander = await post(client, stack, "/take-home-supplies", supply(
        subject={"local_identifier": f"OTHER/{uuid.uuid4().hex[:8]}", "age_band": "45_to_54", "sex": "female"}))
    administered = await post(client, stack, "/administrations", administration(
        subject={"local_identifier": planted["local_id"], "age_band": "18_to_24", "sex": "male"}),
        headers=stack.auth(FORCE, ["officer"]))
    assert repeat.status_code == bystander.status_code == administered.status_code == 201
    assert administered.json()["subject_pseudonym"] == pseudonym
    ours = [first.json()["supply_id"], repeat.json()["supply_id"]]

    async def detail(supply_id, headers=custody):
        r = await client.get(f"/v1/forces/{FORCE}/take-home-supplies/{supply_id}", headers=headers)
        return r.json() if r.status_code == 200 else None
    shown = await wait_for(lambda: detail(ours[0]), message="the supply in the view")
    assert shown["subject"] == {"pseudonym": pseudonym, "age_band": "18_to_24", "sex": "male",
                                "personal_data": "available"}
    assert shown["note"] == {"text": planted["note"], "personal_data": "available"}
    await wait_for(lambda: detail(ours[1]), message="the repeat supply in the view")
    access = await client.get(f"/v1/forces/{FORCE}/take-home-supplies/subjects/{pseudonym}", headers=dpo(stack))
    assert access.status_code == 200, access.text
    assert {r["supply_id"] for r in access.json()["take_home_supplies"]} == set(ours)
    assert planted["note"] in access.text and "18_to_24" in access.text
    for refused in (custody, admin, stack.auth(FORCE, ["auditor"]), dpo(stack, OTHER)):
        r = await client.get(f"/v1/forces/{FORCE}/take-home-supplies/subjects/{pseudonym}", headers=refused)
        assert r.status_code == 403, r.text

    async def summary():
        return (await client.get(f"/v1/forces/{FORCE}/inventory/summary", headers=admin)).json()
    await wait_for(lambda: _caught_up(stack), message="every supply in the view")
    before = await summary()
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL",
                                        service_name="inventory"), message="inventory's outbox published")
    inventory_topic = [stack.topic("inventory")]
    # The scans see what is there (the pseudonym is kept and published by design)...
    control = {"pseudonym": pseudonym}
    assert await scan_databases(stack, control, ("inventory",)) and await scan_topics(stack, control, inventory_topic)
    # ...and, sealed from the start, nothing planted is in the clear in any table, on the topic or in a log.
    assert await scan_databases(stack, planted, ("inventory",)) == []
    assert await scan_topics(stack, planted, inventory_topic) == []
    assert scan_logs(stack, planted) == []

    erased = await post(client, stack, f"/subjects/{pseudonym}/erasure", {}, headers=dpo(stack))
    assert erased.status_code == 200, erased.text

    async def shredded():
        d = await detail(ours[0])
        return d if d and d["shredded"] == "erasure" else None
    await wait_for(shredded, timeout=60, message="incidents' SubjectErased to shred inventory's supplies")
    assert await stack.scalar("SELECT count(*) FROM personal_data_keys WHERE subject_pseudonym = $1", pseudonym,
                              service_name="inventory") == 0
    assert await stack.scalar("SELECT count(*) FROM personal_data_keys WHERE record_id = $1",
                              uuid.UUID(bystander.json()["supply_id"]), service_name="inventory") == 1
    assert await stack.scalar("SELECT count(*) FROM events WHERE event_type = 'TakeHomeSupplyPersonalDataShredded' "
                              "AND aggregate_id = ANY($1::uuid[])", [uuid.UUID(s) for s in ours],
                              service_name="inventory") == 2
    for supply_id in ours:
        d = await wait_for(lambda s=supply_id: _erased(detail, s), message="the supply read as erased")
        assert d["subject"] == {"pseudonym": None, "age_band": None, "sex": None, "personal_data": "erased"}
        assert d["note"]["text"] is None
    assert (await detail(ours[0]))["note"]["personal_data"] == "erased"
    other = await detail(bystander.json()["supply_id"])
    assert other["subject"]["age_band"] == "45_to_54"  # another person's supply is untouched

    after = await summary()
    for count in ("take_home_supplies", "take_home_kits", "take_home_first", "take_home_repeat",
                  "take_home_by_setting"):
        assert after[count] == before[count], count
    access_after = await client.get(f"/v1/forces/{FORCE}/take-home-supplies/subjects/{pseudonym}",
                                    headers=dpo(stack))
    assert access_after.status_code == 200 and planted["note"] not in access_after.text
    assert all(e["facts"].get("subject_details") in (None, {"personal_data": "erased"})
               for r in access_after.json()["take_home_supplies"] for e in r["events"])

    # The ciphertext still on the topic names a key that no longer exists: unreadable by anyone.
    records = [decode(r.value) for r in await topic_messages(stack.servers.kafka_bootstrap, stack.topic("inventory"))]
    sealed = [p.subject_details_ciphertext for _, p in records
              if isinstance(p, pb.TakeHomeKitSupplied) and p.supply_id == ours[0]]
    assert sealed and sealed[0]
    assert await stack.scalar("SELECT reason FROM personal_data_shredded WHERE key_id = $1", sealed_key_id(sealed[0]),
                              service_name="inventory") == "erasure"
    said = [p for _, p in records if isinstance(p, pb.TakeHomeSupplyPersonalDataShredded) and p.supply_id in ours]
    assert {p.reason for p in said} == {pb.SUPPLY_SHRED_REASON_ERASURE} and len(said) == 2

    responses = [(await client.get(f"/v1/forces/{FORCE}{p}", headers=h)).text for p, h in (
        (f"/take-home-supplies/{ours[0]}", custody), (f"/take-home-supplies/{ours[1]}", custody),
        ("/take-home-supplies", custody), (f"/take-home-supplies/subjects/{pseudonym}", dpo(stack)),
        ("/inventory/summary", admin))]
    assert [n for n in needles(planted) for text in responses if n.decode() in text] == []
    assert await scan_databases(stack, planted, ("inventory",)) == []
    assert await scan_topics(stack, planted, inventory_topic) == []
    assert scan_logs(stack, planted) == []


async def _caught_up(stack) -> bool:
    """Every supply in inventory's event store is in its view (so the summary counts them all)."""
    return await stack.scalar(
        "SELECT (SELECT count(*) FROM events WHERE event_type = 'TakeHomeKitSupplied') = "
        "(SELECT count(*) FROM inventory_view.take_home_supplies)", service_name="inventory")


async def _erased(detail, supply_id):
    d = await detail(supply_id)
    return d if d and d["subject"]["personal_data"] == "erased" and d["subject"]["pseudonym"] is None else None


async def test_retention_job_shreds_old_supplies_once_and_says_so(stack, client):
    custody = stack.auth(OTHER, ["custody"])
    old = await post(client, stack, "/take-home-supplies", supply(
        supplier_org_id=OTHER, supplied_at=datetime(2015, 6, 1, 2, 30, tzinfo=UTC).isoformat(),
        subject={"local_identifier": "OLD/0001", "age_band": "35_to_44", "sex": "female"}), force=OTHER)
    recent = await post(client, stack, "/take-home-supplies", supply(
        supplier_org_id=OTHER, subject={"local_identifier": "NEW/0001", "age_band": "35_to_44", "sex": "female"}),
        force=OTHER)
    assert old.status_code == recent.status_code == 201
    old_id, recent_id = old.json()["supply_id"], recent.json()["supply_id"]
    first = stack.run("inventory", "job", "retention")
    assert "inventory retention:" in first.stderr
    stack.run("inventory", "job", "retention")  # a rerun shreds nothing more
    for supply_id, expected in ((old_id, 1), (recent_id, 0)):
        assert await stack.scalar("SELECT count(*) FROM events WHERE event_type = 'TakeHomeSupplyPersonalDataShredded' "
                                  "AND aggregate_id = $1", uuid.UUID(supply_id), service_name="inventory") == expected

    async def shredded():
        r = await client.get(f"/v1/forces/{OTHER}/take-home-supplies/{old_id}", headers=custody)
        return r.json() if r.status_code == 200 and r.json()["shredded"] == "retention" else None
    detail = await wait_for(shredded, message="retention in the view")
    assert detail["subject"]["personal_data"] == "retention_expired" and detail["subject"]["age_band"] is None
    assert detail["setting"] == "custody_release" and detail["repeat_supply"] is False  # what it counts stays
    fresh = (await client.get(f"/v1/forces/{OTHER}/take-home-supplies/{recent_id}", headers=custody)).json()
    assert fresh["subject"]["age_band"] == "35_to_44"
