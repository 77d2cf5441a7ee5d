"""Incidents end to end, through the gateway: administrations, flags learnt from training's and
inventory's events, outcomes and corrections, the monthly summary, repeat overdoses, and the kit
used in inventory through the real broker."""

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

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


async def post(client, platform, path, body, force=FORCE, roles=("officer",), headers=None):
    return await client.post(f"/v1/forces/{force}{path}", json=body,
                             headers={**(headers or platform.auth(force, list(roles))), "Idempotency-Key": key()})


async def get(client, platform, path, force=FORCE, roles=("officer",), expect=200, **params):
    r = await client.get(f"/v1/forces/{force}{path}", params=params, headers=platform.auth(force, list(roles)))
    assert r.status_code == expect, r.text
    return r.json()


def administration(**over) -> dict:
    now = datetime.now(UTC)
    body = {
        "administered_by": "officer", "staff_number": f"WM{uuid.uuid4().hex[:6]}", "kit_source": "take_home_kit",
        "call_at": (now - timedelta(minutes=30)).isoformat(), "arrived_at": (now - timedelta(minutes=20)).isoformat(),
        "administered_at": (now - timedelta(minutes=18)).isoformat(), "doses": 2, "route": "intranasal",
        "suspected_substances": ["heroin", "synthetic_opioid"], "response_recorded": True, "responded_after_dose": 2,
        "ambulance_called": True, "ambulance_attended": True, "outcome": "alive_at_handover",
        "place": {"area_code": "B1"}, "subject": {"local_identifier": f"CUST/{uuid.uuid4().hex[:8]}",
                                                 "age_band": "25_to_34", "sex": "female"},
    }
    return body | over


async def recorded(client, platform, path_id, force=FORCE):
    async def seen():
        r = await client.get(f"/v1/forces/{force}/administrations/{path_id}", headers=platform.auth(force, ["officer"]))
        return r.json() if r.status_code == 200 else None
    return await wait_for(seen, message="the administration in incidents' view")


async def enrolled_officer(client, platform, *, valid_until: date) -> tuple[str, str]:
    staff = f"WM{uuid.uuid4().hex[:6]}"
    r = await post(client, platform, "/officers", {"staff_number": staff, "role": "police_officer",
                                                   "enrolled_on": "2025-01-06"}, roles=("trainer",))
    assert r.status_code == 201, r.text
    officer_id = r.json()["officer_id"]
    r = await post(client, platform, f"/officers/{officer_id}/training-records", {
        "course": "NALOX-1", "provider": "cranstoun", "completed_on": "2025-01-07",
        "valid_until": valid_until.isoformat()}, roles=("trainer",))
    assert r.status_code == 201, r.text
    for service_name, sql in (("incidents", "SELECT 1 FROM incidents_officers.certifications WHERE officer_id = $1"),
                              ("inventory", "SELECT valid_until FROM inventory_officers.officers WHERE officer_id = $1")):
        await wait_for(lambda s=service_name, q=sql: platform.scalar(q, uuid.UUID(officer_id), service_name=s),
                       message=f"{service_name} to learn the officer from training's events")
    return staff, officer_id


async def issued_kit(client, platform, officer_id: str) -> str:
    r = await post(client, platform, "/stock/batches", {
        "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": f"LOT{uuid.uuid4().hex[:6]}", "quantity": 1,
        "expires_on": (TODAY + timedelta(days=400)).isoformat(), "received_on": (TODAY - timedelta(days=5)).isoformat(),
        "location": {"location_id": "STN-LLOYD-HOUSE", "location_type": "police_station"}}, roles=("force_admin",))
    assert r.status_code == 201, r.text
    kit_id = r.json()["kit_ids"][0]
    r = await post(client, platform, f"/kits/{kit_id}/issue", {"officer_id": officer_id,
                                                               "issued_on": TODAY.isoformat()}, roles=("force_admin",))
    assert r.status_code == 200, r.text
    await wait_for(lambda: platform.scalar("SELECT status = 'issued' FROM incidents_kits.kits WHERE kit_id = $1",
                                           uuid.UUID(kit_id), service_name="incidents"),
                   message="incidents to learn the kit's holder from inventory's events")
    return kit_id


async def test_a_certified_officer_with_their_own_kit_is_recorded_clean_and_inventory_marks_the_kit_used(
        platform, client):
    staff, officer_id = await enrolled_officer(client, platform, valid_until=TODAY + timedelta(days=300))
    kit_id = await issued_kit(client, platform, officer_id)
    r = await post(client, platform, "/administrations", administration(
        staff_number=staff, kit_source="force_kit", kit_id=kit_id,
        place={"area_code": "B1", "latitude": 52.4796, "longitude": -1.9026}, note="Came round after the second dose"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["flags"] == [] and body["life_saved"] and body["provisional"]
    assert r.headers["location"].endswith(body["administration_id"])
    detail = await recorded(client, platform, body["administration_id"])
    assert detail["officer_id"] == officer_id and detail["kit_id"] == kit_id
    assert detail["place"] == {"area_code": "B1", "latitude": 52.4796, "longitude": -1.9026,
                               "personal_data": "available"}
    assert detail["subject"]["age_band"] == "25_to_34" and detail["subject"]["sex"] == "female"
    assert detail["note"]["text"] == "Came round after the second dose"
    assert "alive at handover" in detail["life_saved_rule"]

    async def used():
        r = await client.get(f"/v1/forces/{FORCE}/kits/{kit_id}", headers=platform.auth(FORCE, ["trainer"]))
        return r.json() if r.status_code == 200 and r.json()["status"] == "used" else None
    kit = await wait_for(used, timeout=30, message="inventory to mark the kit used from NaloxoneAdministered")
    assert kit["used_by_officer_id"] == officer_id and not kit["use_holder_mismatch"]


async def test_a_lapsed_officer_with_someone_elses_kit_is_recorded_and_flagged_never_refused(platform, client):
    staff, _ = await enrolled_officer(client, platform, valid_until=TODAY - timedelta(days=10))
    _, other = await enrolled_officer(client, platform, valid_until=TODAY + timedelta(days=300))
    kit_id = await issued_kit(client, platform, other)
    r = await post(client, platform, "/administrations", administration(
        staff_number=staff, kit_source="force_kit", kit_id=kit_id))
    assert r.status_code == 201, r.text
    assert set(r.json()["flags"]) == {"training_lapsed", "kit_not_held_by_officer"}
    stranger = await post(client, platform, "/administrations", administration(staff_number="NOBODY1"))
    assert stranger.status_code == 201 and stranger.json()["flags"] == ["officer_not_enrolled"]
    flagged = (await get(client, platform, "/administrations", flagged="true"))["items"]
    await recorded(client, platform, stranger.json()["administration_id"])
    flagged = (await get(client, platform, "/administrations", flagged="true"))["items"]
    assert {r.json()["administration_id"], stranger.json()["administration_id"]} <= {
        i["administration_id"] for i in flagged}


async def test_malformed_input_is_refused_with_the_field_and_never_echoes_the_identifier(platform, client):
    secret_id = f"CUST/{uuid.uuid4().hex[:8]}, John Smith"
    cases = [
        (administration(staff_number=None), "staff_number"),
        (administration(place={"area_code": "B1 1AA"}), "area_code"),
        (administration(doses=0), "doses"),
        (administration(subject={"local_identifier": secret_id}), "local_identifier"),
        (administration(place={"area_code": "B1", "latitude": 40.0, "longitude": -1.0}), "latitude"),
        (administration(unexpected="x"), "unexpected"),
    ]
    for body, field in cases:
        r = await post(client, platform, "/administrations", body)
        assert r.status_code == 422 and field in r.text, (field, r.text)
        assert "John Smith" not in r.text


async def test_outcomes_and_corrections_are_new_facts_and_the_summary_follows(platform, client):
    force = "leicestershire"
    month = TODAY.strftime("%Y-%m")
    before = await get(client, platform, "/incidents/summary", force=force, roles=("force_admin",), since=month)
    await get(client, platform, "/incidents/summary", force=force, roles=("officer",), expect=403)
    r = await post(client, platform, "/administrations", administration(outcome="unknown", staff_number="LP9"),
                   force=force)
    assert r.status_code == 201 and not r.json()["life_saved"], r.text
    aid = r.json()["administration_id"]
    outcome = await post(client, platform, f"/administrations/{aid}/outcome", {
        "outcome": "alive_refused_hospital", "source": "ambulance_service", "final": True,
        "known_at": datetime.now(UTC).isoformat()}, force=force)
    assert outcome.status_code == 200 and outcome.json()["life_saved"] and not outcome.json()["provisional"]
    correction = await post(client, platform, f"/administrations/{aid}/corrections",
                            {"reason": "data_entry_error", "doses": 3}, force=force)
    assert correction.status_code == 200 and correction.json()["corrections"] == 1, correction.text
    empty = await post(client, platform, f"/administrations/{aid}/corrections", {"reason": "other"}, force=force)
    assert empty.status_code == 422
    no_reason = await post(client, platform, f"/administrations/{aid}/corrections", {"doses": 4}, force=force)
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    events = await platform.scalar("SELECT array_agg(event_type ORDER BY aggregate_version) FROM events "
                                   "WHERE aggregate_id = $1", uuid.UUID(aid), service_name="incidents")
    assert events == ["NaloxoneAdministered", "IncidentOutcomeRecorded", "AdministrationCorrected"]

    async def counted():
        s = await get(client, platform, "/incidents/summary", force=force, roles=("force_admin",), since=month)
        return s if s["totals"]["administrations"] == before["totals"]["administrations"] + 1 \
            and s["totals"]["lives_saved"] == before["totals"]["lives_saved"] + 1 \
            and s["totals"]["doses"] == before["totals"]["doses"] + 3 else None
    summary = await wait_for(counted, message="the summary to count the corrected, final administration")
    this_month = summary["months"][-1]
    assert this_month["month"] == month and this_month["outcomes"]["alive_refused_hospital"] >= 1
    detail = await get(client, platform, f"/administrations/{aid}", force=force)
    assert detail["doses"] == 3 and detail["outcome_source"] == "ambulance_service" and not detail["provisional"]
    assert detail["last_correction_reason"] == "data_entry_error"


async def test_repeat_overdoses_link_within_a_force_only_and_open_the_outreach_window(platform, client):
    person = f"CUST/{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    ids = []
    for hours_ago in (30, 2):
        at = now - timedelta(hours=hours_ago)
        r = await post(client, platform, "/administrations", administration(
            subject={"local_identifier": person}, call_at=None, arrived_at=(at - timedelta(minutes=3)).isoformat(),
            administered_at=at.isoformat()))
        assert r.status_code == 201, r.text
        ids.append(r.json()["administration_id"])
    pseudonym = r.json()["subject_pseudonym"]
    lookup = await post(client, platform, "/subjects/pseudonym", {"local_identifier": person.lower()})
    assert lookup.json()["subject_pseudonym"] == pseudonym
    elsewhere = await post(client, platform, "/subjects/pseudonym", {"local_identifier": person}, force="merseyside")
    assert elsewhere.json()["subject_pseudonym"] != pseudonym  # unlinkable across forces

    async def both():
        h = await get(client, platform, f"/subjects/{pseudonym}/history")
        return h if h["administrations"] == 2 else None
    history = await wait_for(both, message="both administrations in the subject's history")
    assert [i["administration_id"] for i in history["items"]] == ids
    assert history["items"][1]["repeat_within_window"] and history["outreach"]["open"]
    detail = await get(client, platform, f"/administrations/{ids[1]}")
    assert [e["administration_id"] for e in detail["earlier_administrations"]] == ids[:1]
    later = await get(client, platform, f"/subjects/{pseudonym}/history",
                      at=(now + timedelta(hours=80)).isoformat())
    assert not later["outreach"]["open"]
    for roles in (("partner",), ("national_lead",), ("auditor",)):
        await get(client, platform, f"/subjects/{pseudonym}/history", roles=roles, expect=403)
