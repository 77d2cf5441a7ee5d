"""Diversion end to end, through the gateway and the real broker: a referral's life and its rules, bad input
refused naming the field, the offer the process manager opens after an administration or a consented
take-home supply, the funnel and the NDTMS-shaped export."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from diversion.entrypoints.api import EXPORT_COLUMNS

from ..support import wait_for

pytestmark = pytest.mark.e2e

FORCE = "cumbria"
FUNNEL_FORCE = "durham"
TODAY = date.today()
CONTRACTS = {"treatment": "cranstoun", "arrest_referral": "turning-point", "deferred_prosecution": "change-grow-live"}


def key() -> str:
    return f"k-{uuid.uuid4()}"


async def contract(client, platform, force: str) -> None:
    for scheme, partner in CONTRACTS.items():
        r = await client.put(f"/v1/forces/{force}/referrals/contracts/{scheme}",
                             json={"partner_org": partner, "starts_on": "2024-01-01"},
                             headers={**platform.auth(force, ["force_admin"]), "Idempotency-Key": key()})
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
async def client(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as c:
        for force in (FORCE, FUNNEL_FORCE):
            await contract(c, platform, force)
        yield c


async def post(client, platform, path, body, force=FORCE, roles=("custody",), headers=None):
    return await client.post(f"/v1/forces/{force}/referrals{path}", json=body,
                             headers={**(headers or platform.auth(force, list(roles))), "Idempotency-Key": key()})


def referral(**over) -> dict:
    return {"subject": {"local_identifier": f"CUST/{uuid.uuid4().hex[:8]}"}, "source": "custody",
            "scheme": "treatment", "consent": True} | over


async def seen(client, platform, referral_id, force=FORCE, **expect):
    """The referral in diversion's view, once it shows what `expect` says."""
    async def check():
        r = await client.get(f"/v1/forces/{force}/referrals/{referral_id}", headers=platform.auth(force, ["custody"]))
        body = r.json() if r.status_code == 200 else None
        return body if body and all(body.get(k) == v for k, v in expect.items()) else None
    return await wait_for(check, timeout=30, message=f"referral {referral_id} with {expect}")


async def test_a_referral_lives_through_accepted_engaged_and_completed(platform, client):
    r = await post(client, platform, "", referral(contact="07700 900789, evenings", note="works nights"))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["partner_org"] == "cranstoun" and made["status"] == "offered" and made["consent"] == "given"
    assert r.headers["location"].endswith(made["referral_id"]) and made["subject_pseudonym"].startswith("ps1_")
    path = f"/{made['referral_id']}"
    day = TODAY.isoformat()
    for step, body, status in (("acceptance", {"accepted_on": day}, "accepted"),
                               ("engagement", {"engaged_on": day, "intervention": "structured_treatment"}, "engaged"),
                               ("closure", {"closed_on": day, "closure": "completed"}, "closed")):
        r = await post(client, platform, f"{path}/{step}", body)
        assert r.status_code == 200 and r.json()["status"] == status, r.text
    detail = await seen(client, platform, made["referral_id"], status="closed")
    assert detail["contact"] == {"text": "07700 900789, evenings", "personal_data": "available"}
    assert detail["note"]["text"] == "works nights"
    assert (detail["accepted_on"], detail["engaged_on"], detail["closed_on"], detail["closure"]) == (
        day, day, day, "completed")
    listed = (await client.get(f"/v1/forces/{FORCE}/referrals", params={"status": "closed", "limit": 500},
                               headers=platform.auth(FORCE, ["force_admin"]))).json()
    assert made["referral_id"] in {i["referral_id"] for i in listed["items"]}
    other_force = await client.get(f"/v1/forces/{FORCE}/referrals{path}", headers=platform.auth("durham", ["custody"]))
    assert other_force.status_code == 403


async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(platform, client):
    secret = f"CUST/{uuid.uuid4().hex[:6]}, Jane Doe"
    before = await platform.scalar("SELECT count(*) FROM events", service_name="diversion")
    cases = [
        (referral(consent=False), "consent"),
        ({k: v for k, v in referral().items() if k != "subject"}, "subject"),
        (referral(subject={}), "subject"),
        (referral(subject={"local_identifier": secret}), "local_identifier"),
        (referral(scheme="rehab"), "scheme"),
        (referral(partner_org="Cranstoun Ltd"), "partner_org"),
        (referral(area_code="B1 1AA"), "area_code"),
        (referral(referred_at="2026-01-01T10:00:00"), "referred_at"),
        (referral(unexpected=1), "unexpected"),
    ]
    for body, field in cases:
        r = await post(client, platform, "", body)
        assert r.status_code == 422 and field in r.text, (field, r.text)
        assert "Jane Doe" not in r.text
    r = await post(client, platform, "", referral(scheme="drug_education"))
    assert r.status_code == 409 and "no partner contracted for scheme drug_education" in r.json()["message"]
    r = await post(client, platform, "", referral(partner_org="turning-point"))
    assert r.status_code == 409 and "contracted to cranstoun" in r.json()["message"]
    assert await platform.scalar("SELECT count(*) FROM events", service_name="diversion") == before

    made = (await post(client, platform, "", referral(referred_at=(datetime.now(UTC) - timedelta(days=3))
                                                      .isoformat()))).json()
    path = f"/{made['referral_id']}"
    early = (TODAY - timedelta(days=5)).isoformat()
    refusals = [
        ("acceptance", {"accepted_on": early}, 422, "accepted_on"),
        ("acceptance", {"accepted_on": (TODAY + timedelta(days=2)).isoformat()}, 422, "accepted_on"),
        ("acceptance", {}, 422, "accepted_on"),
        ("decline", {"declined_on": TODAY.isoformat()}, 422, "reason"),
        ("decline", {"declined_on": TODAY.isoformat(), "reason": "busy"}, 422, "reason"),
        ("engagement", {"engaged_on": TODAY.isoformat(), "intervention": "education"}, 409, "only an accepted"),
        ("closure", {"closed_on": TODAY.isoformat(), "closure": "disengaged"}, 409, "only an accepted"),
    ]
    for step, body, status, words in refusals:
        r = await post(client, platform, f"{path}/{step}", body)
        assert r.status_code == status and words in r.text, (step, body, r.text)
    assert (await post(client, platform, f"{path}/acceptance", {"accepted_on": TODAY.isoformat()})).status_code == 200
    r = await post(client, platform, f"{path}/closure", {"closed_on": TODAY.isoformat(), "closure": "completed"})
    assert r.status_code == 409 and "never engaged" in r.json()["message"]
    r = await post(client, platform, f"{path}/decline", {"declined_on": TODAY.isoformat(), "reason": "no_contact"})
    assert r.status_code == 409 and "is accepted" in r.json()["message"]
    r = await post(client, platform, f"/{uuid.uuid4()}/acceptance", {"accepted_on": TODAY.isoformat()})
    assert r.status_code == 404
    r = await client.put(f"/v1/forces/{FORCE}/referrals/contracts/rehab", json={"partner_org": "cranstoun",
                                                                              "starts_on": "2024-01-01"},
                         headers={**platform.auth(FORCE, ["force_admin"]), "Idempotency-Key": key()})
    assert r.status_code == 422 and "scheme" in r.text
    r = await client.put(f"/v1/forces/{FORCE}/referrals/contracts/treatment", json={"partner_org": "cranstoun",
                                                                                  "starts_on": "2024-01-01"},
                         headers={**platform.auth(FORCE, ["custody"]), "Idempotency-Key": key()})
    assert r.status_code == 403
    events = await platform.scalar("SELECT array_agg(event_type ORDER BY aggregate_version) FROM events "
                                   "WHERE aggregate_id = $1", uuid.UUID(made["referral_id"]), service_name="diversion")
    assert events == ["DiversionReferralMade", "ReferralAccepted"]


async def test_an_administration_and_a_consented_supply_become_offers_the_partner_takes_up(platform, client):
    person = f"CUST/{uuid.uuid4().hex[:8]}"
    r = await client.post(f"/v1/forces/{FORCE}/administrations", json={
        "administered_by": "officer", "staff_number": "CU1", "kit_source": "take_home_kit",
        "administered_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(), "doses": 1, "route": "intranasal",
        "outcome": "alive_at_handover", "place": {"area_code": "CA1"}, "subject": {"local_identifier": person}},
        headers={**platform.auth(FORCE, ["officer"]), "Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    administration = r.json()

    async def offer(source: str, record: str):
        async def found():
            r = await client.get(f"/v1/forces/{FORCE}/referrals", params={"limit": 500},
                                 headers=platform.auth(FORCE, ["custody"]))
            return next((i for i in r.json()["items"] if i["source"] == source
                         and i["source_record_id"] == record), None)
        return await wait_for(found, timeout=60, message=f"the offer after the {source}")

    opened = await offer("post_overdose", administration["administration_id"])
    assert opened["partner_org"] == "cranstoun" and opened["consent"] == "pending" and opened["status"] == "offered"
    assert opened["subject_pseudonym"] == administration["subject_pseudonym"] and opened["area_code"] == "CA1"
    path = f"/{opened['referral_id']}/acceptance"
    r = await post(client, platform, path, {"accepted_on": TODAY.isoformat()})
    assert r.status_code == 422 and "consent" in r.text
    r = await post(client, platform, path, {"accepted_on": TODAY.isoformat(), "consent": True})
    assert r.status_code == 200 and r.json()["consent"] == "given", r.text

    r = await client.post(f"/v1/forces/{FORCE}/take-home-supplies", json={
        "setting": "custody_release", "recipient": "person_at_risk", "supplied_at": datetime.now(UTC).isoformat(),
        "supplier_org_id": FORCE, "repeat_supply": False, "product_code": "nyxoid-1-8mg-nasal-spray",
        "subject": {"local_identifier": person}, "referral_consent": True},
        headers={**platform.auth(FORCE, ["custody"]), "Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    supplied = await offer("take_home_supply", r.json()["supply_id"])
    assert supplied["consent"] == "given" and supplied["subject_pseudonym"] == administration["subject_pseudonym"]


def days(*pairs) -> dict:
    return {name: f"2025-03-{day:02d}" for name, day in pairs}


async def funnel_data(client, platform) -> dict[str, dict]:
    """Five referrals in FUNNEL_FORCE made on 2 March 2025 (and one outside the window), taken to known steps."""
    people = {name: f"FUN/{uuid.uuid4().hex[:8]}" for name in "ABCDEF"}
    plans = {
        "A": ("treatment", [("acceptance", {"accepted_on": "2025-03-03"}),
                            ("engagement", {"engaged_on": "2025-03-05", "intervention": "structured_treatment"}),
                            ("closure", {"closed_on": "2025-03-20", "closure": "completed"})]),
        "B": ("treatment", [("acceptance", {"accepted_on": "2025-03-03"}),
                            ("engagement", {"engaged_on": "2025-03-09", "intervention": "harm_reduction"}),
                            ("closure", {"closed_on": "2025-03-21", "closure": "disengaged"})]),
        "C": ("treatment", [("decline", {"declined_on": "2025-03-04", "reason": "person_declined"})]),
        "D": ("treatment", []),
        "E": ("arrest_referral", [("acceptance", {"accepted_on": "2025-03-02"})]),
        "F": ("treatment", []),
    }
    made = {}
    for name, (scheme, steps) in plans.items():
        at = "2025-04-10T09:00:00+00:00" if name == "F" else "2025-03-02T09:00:00+00:00"
        r = await post(client, platform, "", referral(subject={"local_identifier": people[name]}, scheme=scheme,
                                                      referred_at=at, area_code="DH1"), force=FUNNEL_FORCE)
        assert r.status_code == 201, r.text
        made[name] = r.json() | {"local_identifier": people[name]}
        for step, body in steps:
            r = await post(client, platform, f"/{made[name]['referral_id']}/{step}", body, force=FUNNEL_FORCE)
            assert r.status_code == 200, r.text
    return made


@pytest.fixture(scope="module")
async def funnel_referrals(platform, client):
    return await funnel_data(client, platform)


async def test_the_funnel_per_partner_and_scheme_with_median_days_to_engagement(platform, client, funnel_referrals):
    params = {"since": "2025-03-01", "until": "2025-03-31"}
    headers = platform.auth(FUNNEL_FORCE, ["force_admin"])

    async def complete():
        r = await client.get(f"/v1/forces/{FUNNEL_FORCE}/referrals/funnel", params=params, headers=headers)
        body = r.json()
        totals = body.get("totals", {})  # every step of every referral projected (each is its own event)
        return body if r.status_code == 200 and (totals["made"], totals["accepted"], totals["declined"],
                                                 totals["engaged"], totals["completed"],
                                                 totals["closed_otherwise"]) == (5, 3, 1, 2, 1, 1) else None

    funnel = await wait_for(complete, timeout=30, message="the funnel over every step")
    groups = {(g["partner_org"], g["scheme"]): g for g in funnel["groups"]}
    treatment = groups[("cranstoun", "treatment")]
    assert (treatment["made"], treatment["accepted"], treatment["declined"], treatment["engaged"],
            treatment["completed"], treatment["open"]) == (4, 2, 1, 2, 1, 1)
    assert treatment["median_days_to_engagement"] == 5.0  # 3 and 7 days
    assert treatment["acceptance_rate"] == 0.5 and treatment["completion_rate"] == 0.25
    arrest = groups[("turning-point", "arrest_referral")]
    assert (arrest["made"], arrest["accepted"], arrest["engaged"], arrest["median_days_to_engagement"]) == (1, 1, 0,
                                                                                                        None)
    totals = funnel["totals"]
    assert (totals["made"], totals["accepted"], totals["engaged"], totals["completed"]) == (5, 3, 2, 1)
    assert totals["median_days_to_engagement"] == 5.0

    async def whole():  # April's referral (made last) counts without the window
        r = await client.get(f"/v1/forces/{FUNNEL_FORCE}/referrals/funnel", headers=headers)
        return r.status_code == 200 and r.json()["totals"]["made"] >= 6

    await wait_for(whole, timeout=30, message="the funnel without a window to count April's referral")
    for roles in (("officer",), ("custody",), ("partner",)):
        r = await client.get(f"/v1/forces/{FUNNEL_FORCE}/referrals/funnel", headers=platform.auth(FUNNEL_FORCE,
                                                                                                 list(roles)))
        assert r.status_code == 403, (roles, r.text)


async def test_the_export_is_one_ndtms_shaped_row_per_referral_with_naloxone_flags(platform, client,
                                                                                  funnel_referrals):
    a, b = funnel_referrals["A"], funnel_referrals["B"]
    r = await client.post(f"/v1/forces/{FUNNEL_FORCE}/administrations", json={
        "administered_by": "officer", "staff_number": "DU1", "kit_source": "take_home_kit",
        "administered_at": "2025-02-20T23:10:00+00:00", "doses": 2, "route": "intranasal", "outcome": "died",
        "place": {"area_code": "DH1"}, "subject": {"local_identifier": a["local_identifier"]}},
        headers={**platform.auth(FUNNEL_FORCE, ["officer"]), "Idempotency-Key": key()})
    assert r.status_code == 201, r.text  # (died: no offer is opened; the flag still says administered)
    r = await client.post(f"/v1/forces/{FUNNEL_FORCE}/take-home-supplies", json={
        "setting": "custody_release", "recipient": "person_at_risk", "supplied_at": "2025-03-02T12:00:00+00:00",
        "supplier_org_id": FUNNEL_FORCE, "repeat_supply": False, "product_code": "nyxoid-1-8mg-nasal-spray",
        "subject_pseudonym": b["subject_pseudonym"]},
        headers={**platform.auth(FUNNEL_FORCE, ["custody"]), "Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    params = {"since": "2025-03-01", "until": "2025-03-31"}

    async def flagged():
        r = await client.get(f"/v1/forces/{FUNNEL_FORCE}/referrals/export.csv", params=params,
                             headers=platform.auth(FUNNEL_FORCE, ["force_admin"]))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
        rows = list(csv.reader(io.StringIO(r.text)))
        by_id = {row[4]: dict(zip(rows[0], row)) for row in rows[1:]}
        return (rows, by_id) if by_id.get(a["referral_id"], {}).get("NALOXAD") == "Y" \
            and by_id.get(b["referral_id"], {}).get("NALOXISS") == "Y" else None

    rows, by_id = await wait_for(flagged, timeout=60, message="the export to learn both flags")
    assert tuple(rows[0]) == EXPORT_COLUMNS and len(rows) == 1 + 5
    assert set(by_id) == {funnel_referrals[n]["referral_id"] for n in "ABCDE"}
    row_a = by_id[a["referral_id"]]
    assert (row_a["CLIENT_REFERENCE"], row_a["CONSENT"], row_a["FORCE"], row_a["AREA"]) == (
        a["subject_pseudonym"], "Y", FUNNEL_FORCE, "DH1")
    assert (row_a["REFERRAL_DATE"], row_a["ACCEPTED_DATE"], row_a["ENGAGED_DATE"], row_a["DISCHARGE_DATE"]) == (
        "02/03/2025", "03/03/2025", "05/03/2025", "20/03/2025")
    assert (row_a["PROVIDER"], row_a["SCHEME"], row_a["REFERRAL_SOURCE"], row_a["DISCHARGE_REASON"]) == (
        "cranstoun", "treatment", "custody", "completed")
    assert (row_a["NALOXAD"], row_a["NALOXISS"]) == ("Y", "N")
    assert (by_id[b["referral_id"]]["NALOXAD"], by_id[b["referral_id"]]["NALOXISS"]) == ("N", "Y")
    row_c = by_id[funnel_referrals["C"]["referral_id"]]
    assert (row_c["DECLINED_DATE"], row_c["DECLINE_REASON"], row_c["ACCEPTED_DATE"]) == ("04/03/2025",
                                                                                       "person_declined", "")
    assert r_denied(await client.get(f"/v1/forces/{FUNNEL_FORCE}/referrals/export.csv",
                                     headers=platform.auth(FUNNEL_FORCE, ["officer"])))


def r_denied(response: httpx.Response) -> bool:
    return response.status_code == 403
