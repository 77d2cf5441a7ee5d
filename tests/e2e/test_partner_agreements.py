"""Agreements made at the gateway reach every service through the partnership topic, and
the routes outside the force scope (partners, regions, national) are scoped by the gateway.

A service applies the same agreement rule as the gateway: a partner's worker is admitted
to a force only while an agreement naming their organisation is active there, learnt
from the events the gateway publishes, never from a token claim.
"""

import uuid

import httpx
import pytest

from naloxone_kernel.registry import SERVICES

from ..support import wait_for

pytestmark = pytest.mark.e2e

FORCE = "west-midlands"


def _post(platform, path: str, body: dict, token: str) -> httpx.Response:
    return httpx.post(f"{platform.gateway}{path}", json=body, timeout=20,
                      headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})


async def test_every_service_learns_agreements_and_their_revocation(platform):
    org = f"org-{uuid.uuid4().hex[:8]}"
    admin = platform.issuer.mint(subject="admin@wm", roles=["force_admin"], force_id=FORCE)
    worker = {"Authorization": "Bearer " + platform.issuer.mint(subject=f"w@{org}", roles=["partner"], org=org,
                                                                  forces=["leicestershire"])}

    def at_service(name: str, force: str = FORCE) -> httpx.Response:
        return httpx.get(f"{platform.api(name)}/v1/forces/{force}/{_a_route(name)}", headers=worker, timeout=20)

    for entry in SERVICES:  # before any agreement: the force is out of reach, whatever the token claims
        refused = at_service(entry.name)
        assert refused.status_code == 403 and "no access to force" in refused.json()["message"], refused.text
    assert "no access to force" in at_service("training", "leicestershire").json()["message"]

    made = _post(platform, f"/v1/forces/{FORCE}/agreements",
                 {"org": org, "purpose": "arrest referral", "starts_on": "2024-01-01"}, admin)
    assert made.status_code == 201, made.text
    for entry in SERVICES:
        async def admitted(name=entry.name):
            message = at_service(name).json().get("message", "")
            return "no access to force" not in message  # past the force rule; the route's roles decide next
        await wait_for(admitted, timeout=30, message=f"{entry.name} learns the agreement")
        assert await platform.scalar("SELECT count(*) FROM partner_agreements.agreements WHERE org = $1", org,
                                     service_name=entry.name) == 1

    revoked = _post(platform, f"/v1/forces/{FORCE}/agreements/{made.json()['agreement_id']}/revocation",
                    {"reason": "contract ended"}, admin)
    assert revoked.status_code == 201, revoked.text
    for entry in SERVICES:
        async def refused_again(name=entry.name):
            return "no access to force" in at_service(name).json().get("message", "")
        await wait_for(refused_again, timeout=30, message=f"{entry.name} learns the revocation")


def _a_route(service_name: str) -> str:
    from naloxone_kernel.registry import service

    return service(service_name).force_routes[0]


@pytest.mark.parametrize("path", ["/v1/partners/{org}/referrals", "/v1/regions/east-midlands/overview",
                                  "/v1/national/comparison"])
def test_routes_outside_the_force_scope_are_scoped_at_the_gateway(platform, path):
    org = f"org-{uuid.uuid4().hex[:8]}"
    mint = platform.issuer.mint
    callers = {
        "partner of the org": mint(subject=f"w@{org}", roles=["partner"], org=org),
        "another partner": mint(subject="w@other", roles=["partner"], org="other-org"),
        "force analyst": mint(subject="a@wm", roles=["trainer"], force_id=FORCE),
        "force officer": mint(subject="o@wm", roles=["officer"], force_id=FORCE),
        "national lead": mint(subject="n", roles=["national_lead"]),
        "auditor of no force": mint(subject="au@national", roles=["auditor"]),
    }
    concrete = path.format(org=org)
    partners = concrete.startswith("/v1/partners/")
    for name, token in callers.items():
        response = httpx.get(f"{platform.gateway}{concrete}", headers={"Authorization": f"Bearer {token}"},
                             timeout=20)
        allowed = (name == "partner of the org") if partners else name in ("force analyst", "national lead")
        if allowed:
            assert response.status_code not in (401, 403), (name, response.text)
        else:
            assert response.status_code == 403, (name, response.text)
    no_token = httpx.get(f"{platform.gateway}{concrete}", timeout=20)
    assert no_token.status_code == 401
    if not partners:
        write = httpx.post(f"{platform.gateway}{concrete}", json={}, timeout=20,
                           headers={"Authorization": f"Bearer {callers['national lead']}"})
        assert write.status_code == 403 and "read-only" in write.json()["message"]
