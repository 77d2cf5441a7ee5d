"""Demo data, put in through the gateway as force users would (so it exercises the real path)."""

from __future__ import annotations

import random
import sys
import uuid
from datetime import date, timedelta

import httpx

from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.settings import state_dir

DEMO_FORCES = {"west-midlands": 24, "leicestershire": 12, "police-scotland": 18, "merseyside": 8}
ROLES = ["response", "neighbourhood", "custody_officer", "pcso", "detention_staff"]
PROVIDERS = ["force-training-unit", "cranstoun", "turning-point", "change-grow-live"]


async def load_demo(gateway: str, seed: int = 7) -> int:
    rng = random.Random(seed)
    issuer = DevIssuer(state_dir() / "dev-issuer")
    total = sum(DEMO_FORCES.values())
    done = 0
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        for force, count in DEMO_FORCES.items():
            token = issuer.mint(subject=f"demo-trainer@{force}", roles=["trainer"], force_id=force)
            headers = {"Authorization": f"Bearer {token}"}
            for n in range(count):
                staff = f"{force[:2].upper()}{1000 + n}"
                enrolled = date(2026, 1, 5) + timedelta(days=rng.randrange(200))
                r = await client.post(f"/v1/forces/{force}/officers", headers={
                    **headers, "Idempotency-Key": f"demo-enrol-{force}-{staff}"},
                    json={"staff_number": staff, "role": rng.choice(ROLES), "enrolled_on": enrolled.isoformat()})
                if r.status_code not in (201, 409):
                    raise RuntimeError(f"demo enrol failed: {r.status_code} {r.text}")
                officer_id = str(uuid.UUID(r.json()["officer_id"])) if r.status_code == 201 else None
                if officer_id and rng.random() < 0.8:
                    completed = enrolled + timedelta(days=rng.randrange(1, 30))
                    r = await client.post(f"/v1/forces/{force}/officers/{officer_id}/training-records", headers={
                        **headers, "Idempotency-Key": f"demo-train-{force}-{staff}"},
                        json={"course": "NALOX-INTRANASAL-1", "provider": rng.choice(PROVIDERS),
                              "completed_on": completed.isoformat(),
                              "valid_until": (completed + timedelta(days=365 * 3)).isoformat(),
                              "delivery": rng.choice(["in_person", "blended"])})
                    if r.status_code != 201:
                        raise RuntimeError(f"demo training failed: {r.status_code} {r.text}")
                done += 1
                if done % 10 == 0 or done == total:
                    print(f"  demo data: {done}/{total} officers", file=sys.stderr)
    return done
