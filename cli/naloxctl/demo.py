"""Demo data, put in through the gateway as force users would (so it exercises the real path).

Per demo force: officers enrolled and most of them trained (training), a batch of kits
received into a station, kits issued to trained officers once inventory has learnt their
certification from training's events, and a few take-home supplies at custody release.
"""

from __future__ import annotations

import asyncio
import random
import sys
import uuid
import zlib
from datetime import UTC, date, datetime, time, timedelta

import httpx

from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.settings import state_dir

DEMO_FORCES = {"west-midlands": 24, "leicestershire": 12, "police-scotland": 18, "merseyside": 8}
ROLES = ["police_officer", "response", "neighbourhood", "custody_officer", "pcso", "detention_staff",
         "special_constable", "volunteer"]
PROVIDERS = ["force-training-unit", "cranstoun", "turning-point", "change-grow-live"]
TODAY = date.today()  # in every idempotency key: a rerun the same day replays, a later day adds


def _ok(response: httpx.Response, *codes: int) -> dict:
    if response.status_code not in codes:
        raise RuntimeError(f"demo load: {response.request.method} {response.request.url.path} -> "
                           f"{response.status_code} {response.text[:300]}")
    return response.json()


async def _officers(client, force: str, count: int, headers: dict, rng: random.Random) -> list[str]:
    trained = []
    for n in range(count):
        staff = f"{force[:2].upper()}{1000 + n}"
        enrolled = TODAY - timedelta(days=300 - rng.randrange(200))
        body = _ok(await client.post(f"/v1/forces/{force}/officers", headers={
            **headers, "Idempotency-Key": f"demo-enrol-{force}-{staff}-{TODAY}"},
            json={"staff_number": staff, "role": rng.choice(ROLES), "enrolled_on": enrolled.isoformat()}), 201, 409)
        officer_id = body.get("officer_id")
        if officer_id and rng.random() < 0.8:
            completed = enrolled + timedelta(days=rng.randrange(1, 30))
            _ok(await client.post(f"/v1/forces/{force}/officers/{officer_id}/training-records", headers={
                **headers, "Idempotency-Key": f"demo-train-{force}-{staff}-{TODAY}"},
                json={"course": "NALOX-INTRANASAL-1", "provider": rng.choice(PROVIDERS),
                      "completed_on": completed.isoformat(), "delivery": rng.choice(["in_person", "blended"])}), 201)
            trained.append(officer_id)
    return trained


async def _inventory(client, force: str, trained: list[str], headers: dict, rng: random.Random) -> int:
    batch = _ok(await client.post(f"/v1/forces/{force}/stock/batches", headers={
        **headers, "Idempotency-Key": f"demo-batch-{force}-{TODAY}"}, json={
        "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": f"NX{zlib.crc32(force.encode()) % 10000:04d}",
        "quantity": len(trained) + 10, "expires_on": (TODAY + timedelta(days=500)).isoformat(),
        "received_on": (TODAY - timedelta(days=20)).isoformat(),
        "location": {"location_id": "HQ-STORE", "location_type": "police_station"}}), 201)
    issued = 0
    for officer_id, kit_id in zip(trained, batch["kit_ids"]):
        for _attempt in range(100):  # inventory learns certification from training's events: it may lag a moment
            r = await client.post(f"/v1/forces/{force}/kits/{kit_id}/issue", headers={
                **headers, "Idempotency-Key": f"demo-issue-{kit_id}"},
                json={"officer_id": officer_id, "issued_on": TODAY.isoformat()})
            if r.status_code == 200:
                issued += 1
                break
            if r.status_code != 409 or "not known to inventory" not in r.text and "no naloxone" not in r.text:
                _ok(r, 200)
            await asyncio.sleep(0.1)
    for n in range(3):
        _ok(await client.post(f"/v1/forces/{force}/take-home-supplies", headers={
            **headers, "Idempotency-Key": f"demo-supply-{force}-{n}-{TODAY}"}, json={
            "setting": "custody_release", "recipient": "person_at_risk", "supplied_at": datetime.combine(TODAY, time(9, n), UTC).isoformat(),
            "supplier_org_id": rng.choice(["cranstoun", "turning-point", "change-grow-live"]),
            "repeat_supply": n == 2, "repeat_reason": "previous_kit_used" if n == 2 else None,
            "product_code": "nyxoid-1-8mg-nasal-spray", "advice_given": True,
            "subject_pseudonym": uuid.uuid5(uuid.NAMESPACE_URL, f"demo/{force}/{n % 2}").hex}), 201)
    return issued


#: Provision status counts of the Home Office's monitoring of police naloxone (December 2024):
#: 24 forces ongoing, 8 pilots, 7 agreed, 5 committed, 2 none. Which force has which status is
#: illustrative demo data (the demo's active forces first, all ongoing), not the published list.
PROVISION_COUNTS = (("ongoing", 24), ("pilot", 8), ("agreed", 7), ("committed", 5), ("none", 2))


async def _provision(client, issuer: DevIssuer) -> dict[str, int]:
    """Every force's provision status, recorded by its force admin through the gateway."""
    from naloxone_kernel.reference.forces import FORCES

    ordered = [*DEMO_FORCES, *(f.id for f in FORCES if f.id not in DEMO_FORCES)]
    statuses = [status for status, n in PROVISION_COUNTS for _ in range(n)]
    for n, (force, status) in enumerate(zip(ordered, statuses)):
        token = issuer.mint(subject=f"demo-admin@{force}", roles=["force_admin"], force_id=force)
        effective = date(2019, 6, 1) + timedelta(days=60 * n)
        _ok(await client.put(f"/v1/forces/{force}/provision", headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": f"demo-provision-{force}-{TODAY}"},
            json={"status": status, "effective_on": effective.isoformat()}), 200, 409)
    return {status: n for status, n in PROVISION_COUNTS}


async def load_demo(gateway: str, seed: int = 7) -> int:
    rng = random.Random(seed)
    issuer = DevIssuer(state_dir() / "dev-issuer")
    total = len(DEMO_FORCES)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        for done, (force, count) in enumerate(DEMO_FORCES.items(), start=1):
            token = issuer.mint(subject=f"demo-admin@{force}", roles=["force_admin", "trainer"], force_id=force)
            headers = {"Authorization": f"Bearer {token}"}
            trained = await _officers(client, force, count, headers, rng)
            issued = await _inventory(client, force, trained, headers, rng)
            print(f"  demo data: {done}/{total} forces ({force}: {count} officers, {len(trained)} trained, "
                  f"{issued} carrying a kit, 3 take-home supplies)", file=sys.stderr)
        counts = await _provision(client, issuer)
        print(f"  demo data: provision status of every force ({counts})", file=sys.stderr)
    return total
