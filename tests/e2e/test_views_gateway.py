"""The cross-force views through the gateway: who may read which view, a provision status a
force admin records reaching the national comparison, CSV export."""

import uuid

import httpx
import pytest

from ..support import wait_for

pytestmark = pytest.mark.e2e

FORCE = "cumbria"


def national(platform) -> dict:
    return {"Authorization": "Bearer " + platform.issuer.mint(subject="lead@national", roles=["national_lead"])}


async def test_views_through_the_gateway_and_who_may_read_them(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        r = await client.put(f"/v1/forces/{FORCE}/provision", json={"status": "pilot", "effective_on": "2024-09-01"},
                             headers={**platform.auth(FORCE, ["force_admin"]), "Idempotency-Key": f"k-{uuid.uuid4()}"})
        assert r.status_code == 200, r.text
        r = await client.put(f"/v1/forces/{FORCE}/provision", json={"status": "ongoing", "effective_on": "2024-01-01"},
                             headers={**platform.auth(FORCE, ["trainer"]), "Idempotency-Key": f"k-{uuid.uuid4()}"})
        assert r.status_code == 403  # the force admin's to record

        async def published():
            r = await client.get("/v1/national/comparison", headers=national(platform), params={"sort": "region"})
            assert r.status_code == 200, r.text
            row = next(x for x in r.json()["rows"] if x["force_id"] == FORCE)
            return row if row["figures"]["provision_status"] == "pilot" else None

        await wait_for(published, timeout=60, message="the provision status in the national comparison")
        for path in ("/v1/national/trends", "/v1/regions/north-west/overview"):
            assert (await client.get(path, headers=national(platform))).status_code == 200, path
            assert (await client.get(path, headers=platform.auth(FORCE, ["trainer"]))).status_code == 200, path
            assert (await client.get(path, headers=platform.auth(FORCE, ["officer"]))).status_code == 403, path
        r = await client.get(f"/v1/forces/{FORCE}/overview", headers=platform.auth(FORCE, ["trainer"]))
        assert r.status_code == 200 and r.json()["provision"]["status"] == "pilot"
        assert (await client.get(f"/v1/forces/{FORCE}/overview", headers=national(platform))).status_code == 403
        assert (await client.get(f"/v1/forces/{FORCE}/overview",
                                 headers=platform.auth("kent", ["force_admin"]))).status_code == 403
        r = await client.get("/v1/national/comparison", headers={**national(platform), "Accept": "text/csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.text.splitlines()[0].startswith("force_id,force_name,region,")
        r = await client.get("/v1/national/comparison", headers=national(platform), params={"sort": "bogus"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.sort"
