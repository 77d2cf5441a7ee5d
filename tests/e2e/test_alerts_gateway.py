"""Early warning through the gateway: a force admin sets thresholds, officers' administrations raise an
alert the force's officers can read, analytics stay closed to submit-only roles, and another force sees
nothing."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ..support import wait_for

pytestmark = pytest.mark.e2e

FORCE = "dyfed-powys"


def key() -> str:
    return f"k-{uuid.uuid4()}"


async def test_an_alert_through_the_gateway_and_who_may_see_it(platform):
    admin, officer = platform.auth(FORCE, ["force_admin"]), platform.auth(FORCE, ["officer"])
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as client:
        r = await client.put(f"/v1/forces/{FORCE}/alerts/thresholds", headers={**admin, "Idempotency-Key": key()},
                             json={"areas": {"SA31": 2}, "neighbours": {"SA31": ["SA32"]}})
        assert r.status_code == 200, r.text
        r = await client.put(f"/v1/forces/{FORCE}/alerts/thresholds", headers={**officer, "Idempotency-Key": key()},
                             json={"areas": {"SA31": 1}})
        assert r.status_code == 403, r.text  # thresholds are the force admin's
        area = f"SA{uuid.uuid4().int % 90 + 33}"  # an unwatched area: nothing
        at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
        ids = []
        for n, place in enumerate(("SA31", "SA32", area)):
            body = {"administered_by": "officer", "staff_number": "DP1", "doses": 1, "route": "intranasal",
                    "administered_at": (at + timedelta(minutes=n)).isoformat(), "place": {"area_code": place}}
            r = await client.post(f"/v1/forces/{FORCE}/administrations",
                                  headers={**officer, "Idempotency-Key": key()}, json=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["administration_id"])

        async def raised():
            r = await client.get(f"/v1/forces/{FORCE}/alerts", headers=officer)
            assert r.status_code == 200, r.text
            return r.json()["items"] or None

        (alert,) = await wait_for(raised, timeout=60, message="the alert in the force's history")
        assert (alert["area_code"], alert["status"], alert["neighbouring_area_codes"]) == ("SA31", "open", ["SA32"])
        assert [c["administration_id"] for c in alert["detected_cases"]] == ids[:2]
        r = await client.get(f"/v1/forces/{FORCE}/alerts/{alert['alert_id']}", headers=officer)
        assert r.status_code == 200 and r.json()["threshold"] == 2

        r = await client.get(f"/v1/forces/{FORCE}/alerts/summary", headers=officer)
        assert r.status_code == 403 and "analytics" in r.json()["message"]
        r = await client.get(f"/v1/forces/{FORCE}/alerts/summary", headers=platform.auth(FORCE, ["trainer"]))
        assert r.status_code == 200 and r.json()["totals"] == {"alerts": 1, "open": 1}, r.text
        r = await client.get(f"/v1/forces/{FORCE}/alerts", headers=platform.auth("gwent", ["force_admin"]))
        assert r.status_code == 403
        r = await client.post(f"/v1/forces/{FORCE}/alerts/webhooks", headers={**officer, "Idempotency-Key": key()},
                              json={"url": "https://example.org/hooks"})
        assert r.status_code == 403
        r = await client.post(f"/v1/forces/{FORCE}/alerts/webhooks", headers={**admin, "Idempotency-Key": key()},
                              json={"url": "https://user:pw@example.org/hooks"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.url", r.text
