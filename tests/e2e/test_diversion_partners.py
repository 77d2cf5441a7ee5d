"""Partner organisations and referrals: a partner's worker changes only referrals routed to their
organisation, and only in forces with an active data-sharing agreement; their worklist at
/v1/partners/{org}/referrals holds only their own. Checked at the diversion API directly (the service's
own rule) and through the gateway."""

import uuid
from datetime import date

import httpx
import pytest

from ..support import wait_for

pytestmark = pytest.mark.e2e

FORCE = "north-yorkshire"
UNAGREED_FORCE = "south-yorkshire"
TODAY = date.today().isoformat()


def key() -> str:
    return f"k-{uuid.uuid4()}"


def worker(platform, org: str) -> dict:
    return {"Authorization": "Bearer " + platform.issuer.mint(subject=f"worker@{org}", roles=["partner"], org=org)}


@pytest.fixture(scope="module")
async def world(platform):
    """Two partners with agreements in FORCE (one per scheme), referrals routed to each; a third
    organisation with no agreement; a referral in a force the partners have no agreement with."""
    orgs = {"treatment": f"tx-{uuid.uuid4().hex[:6]}", "arrest_referral": f"ar-{uuid.uuid4().hex[:6]}"}
    stranger = f"st-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as client:
        for force in (FORCE, UNAGREED_FORCE):
            admin = platform.auth(force, ["force_admin"])
            for scheme, org in orgs.items():
                r = await client.put(f"/v1/forces/{force}/referrals/contracts/{scheme}",
                                     json={"partner_org": org, "starts_on": "2024-01-01"},
                                     headers={**admin, "Idempotency-Key": key()})
                assert r.status_code == 200, r.text
        for org in orgs.values():
            r = await client.post(f"/v1/forces/{FORCE}/agreements", json={
                "org": org, "purpose": "diversion referrals", "starts_on": "2024-01-01"},
                headers={**platform.auth(FORCE, ["force_admin"]), "Idempotency-Key": uuid.uuid4().hex})
            assert r.status_code == 201, r.text
        referrals = {}
        for force, scheme in ((FORCE, "treatment"), (FORCE, "arrest_referral"), (UNAGREED_FORCE, "treatment")):
            r = await client.post(f"/v1/forces/{force}/referrals", json={
                "subject": {"local_identifier": f"P/{uuid.uuid4().hex[:8]}"}, "source": "custody", "scheme": scheme,
                "consent": True, "contact": "via the custody suite"},
                headers={**platform.auth(force, ["custody"]), "Idempotency-Key": key()})
            assert r.status_code == 201, r.text
            referrals[(force, scheme)] = r.json()["referral_id"]
    for org in orgs.values():
        await wait_for(lambda o=org: platform.scalar("SELECT count(*) FROM partner_agreements.agreements WHERE org = $1",
                                                     o, service_name="diversion"),
                       timeout=30, message="diversion to learn the agreements")
    for rid in referrals.values():
        await wait_for(lambda r=rid: platform.scalar("SELECT count(*) FROM diversion_view.referrals "
                                                     "WHERE referral_id = $1", uuid.UUID(r), service_name="diversion"),
                       timeout=30, message="the referrals in the view")
    return {"orgs": orgs, "stranger": stranger, "referrals": referrals}


@pytest.fixture(params=["service", "gateway"])
def base(request, platform) -> str:
    return platform.api("diversion") if request.param == "service" else platform.gateway


def step(base: str, force: str, referral_id: str, path: str, body: dict, headers: dict) -> httpx.Response:
    return httpx.post(f"{base}/v1/forces/{force}/referrals/{referral_id}/{path}", json=body, timeout=20,
                      headers={**headers, "Idempotency-Key": key()})


def test_a_partner_changes_only_referrals_routed_to_it_where_it_has_an_agreement(platform, world, base):
    treatment, arrest = world["orgs"]["treatment"], world["orgs"]["arrest_referral"]
    mine = world["referrals"][(FORCE, "treatment")]
    theirs = world["referrals"][(FORCE, "arrest_referral")]
    elsewhere = world["referrals"][(UNAGREED_FORCE, "treatment")]

    refused = step(base, FORCE, theirs, "decline", {"declined_on": TODAY, "reason": "no_capacity"},
                   worker(platform, treatment))
    assert refused.status_code == 403 and "another organisation" in refused.json()["message"], refused.text
    read = httpx.get(f"{base}/v1/forces/{FORCE}/referrals/{theirs}", headers=worker(platform, treatment), timeout=20)
    assert read.status_code == 403, read.text
    no_agreement = step(base, UNAGREED_FORCE, elsewhere, "acceptance", {"accepted_on": TODAY},
                        worker(platform, treatment))
    assert no_agreement.status_code == 403, no_agreement.text
    stranger = step(base, FORCE, mine, "acceptance", {"accepted_on": TODAY}, worker(platform, world["stranger"]))
    assert stranger.status_code == 403, stranger.text

    detail = httpx.get(f"{base}/v1/forces/{FORCE}/referrals/{mine}", headers=worker(platform, treatment), timeout=20)
    assert detail.status_code == 200 and detail.json()["contact"]["text"] == "via the custody suite", detail.text
    listed = httpx.get(f"{base}/v1/forces/{FORCE}/referrals", headers=worker(platform, treatment), timeout=20)
    assert listed.status_code == 200 and {i["partner_org"] for i in listed.json()["items"]} == {treatment}
    assert httpx.get(f"{base}/v1/forces/{FORCE}/referrals", params={"partner_org": arrest},
                     headers=worker(platform, treatment), timeout=20).status_code == 403
    if base == platform.gateway:
        return  # the steps below change state: once, at the service
    accepted = step(base, FORCE, mine, "acceptance", {"accepted_on": TODAY}, worker(platform, treatment))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    declined = step(base, FORCE, theirs, "decline", {"declined_on": TODAY, "reason": "no_capacity"},
                    worker(platform, arrest))
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "no_capacity", declined.text


def test_a_partners_worklist_holds_its_own_referrals_in_agreed_forces_only(platform, world, base):
    treatment, arrest = world["orgs"]["treatment"], world["orgs"]["arrest_referral"]
    r = httpx.get(f"{base}/v1/partners/{treatment}/referrals", headers=worker(platform, treatment), timeout=20)
    assert r.status_code == 200, r.text
    ids = {i["referral_id"] for i in r.json()["items"]}
    assert world["referrals"][(FORCE, "treatment")] in ids
    assert world["referrals"][(FORCE, "arrest_referral")] not in ids  # another organisation's
    assert world["referrals"][(UNAGREED_FORCE, "treatment")] not in ids  # no agreement with that force
    assert {i["partner_org"] for i in r.json()["items"]} == {treatment}
    one = httpx.get(f"{base}/v1/partners/{treatment}/referrals", params={"force": UNAGREED_FORCE},
                    headers=worker(platform, treatment), timeout=20)
    assert one.status_code == 200 and one.json()["items"] == []
    for headers in (worker(platform, arrest), platform.auth(FORCE, ["force_admin"])):
        denied = httpx.get(f"{base}/v1/partners/{treatment}/referrals", headers=headers, timeout=20)
        assert denied.status_code == 403, denied.text


def test_a_partner_exports_only_its_own_referrals(platform, world):
    treatment = world["orgs"]["treatment"]
    r = httpx.get(f"{platform.gateway}/v1/forces/{FORCE}/referrals/export.csv", headers=worker(platform, treatment),
                  timeout=20)
    assert r.status_code == 200, r.text
    lines = r.text.strip().splitlines()
    assert len(lines) >= 2 and all(f",{treatment}," in line for line in lines[1:])
