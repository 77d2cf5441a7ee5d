"""Every force-scoped route of every registered service refuses a missing, bad or foreign token.

The routes are read from each service's own router, so a new route (or a new service
in the registry) is in this matrix without anyone listing it.
"""

import base64
import json
import re
import time
import uuid

import httpx
import pytest

from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.registry import SERVICES
from naloxone_kernel.service import load_parts

pytestmark = pytest.mark.e2e

FORCE_PREFIX = "/v1/forces/{force_id}"


def _force_routes() -> list[tuple[str, str, str, dict | None]]:
    """(service, method, path under /v1/forces/{force}, body) for every force-scoped route."""
    out = []
    for entry in SERVICES:
        for route in load_parts(entry).router.routes:
            if not route.path.startswith(FORCE_PREFIX + "/"):
                continue
            path = re.sub(r"\{[a-z_]+\}", lambda _m: str(uuid.uuid4()), route.path[len(FORCE_PREFIX):])
            for method in sorted(route.methods):
                out.append((entry.name, method, path, {} if method in ("POST", "PUT", "PATCH") else None))
    return out


ROUTES = [r[1:] for r in _force_routes()]
SERVICE_ROUTES = _force_routes()
IDS = [f"{m} {p}" for m, p, _ in ROUTES]


def test_every_service_has_force_routes_in_the_matrix():
    assert {entry.name for entry in SERVICES} == {r[0] for r in SERVICE_ROUTES}


def _call(platform, method, path, body, headers, force="west-midlands"):
    return httpx.request(method, f"{platform.gateway}/v1/forces/{force}{path}", json=body,
                         headers={"Idempotency-Key": f"k-{uuid.uuid4()}", **headers}, timeout=10)


def _alg_none_token() -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'none', 'typ': 'JWT'})}.{enc({'sub': 'x', 'force_id': 'west-midlands', 'roles': ['trainer'], 'exp': int(time.time()) + 600, 'aud': 'naloxone-platform', 'iss': 'naloxone-dev-issuer'})}."


@pytest.mark.parametrize("method,path,body", ROUTES, ids=IDS)
def test_no_token_is_401(platform, method, path, body):
    response = _call(platform, method, path, body, {})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method,path,body", ROUTES, ids=IDS)
def test_bad_tokens_are_401(platform, method, path, body, tmp_path):
    forger = DevIssuer(tmp_path / "forger")
    forger.ensure_keys()
    (forger.directory / "kid").write_text((platform.issuer.directory / "kid").read_text())
    bad = {
        "expired": platform.token(ttl_seconds=-600),
        "wrong audience": platform.token(audience="some-other-api"),
        "wrong issuer": platform.token(issuer="https://attacker.example"),
        "badly signed": forger.mint(subject="x", roles=["trainer"], force_id="west-midlands"),
        "alg none": _alg_none_token(),
        "garbage": "not-a-jwt",
    }
    for name, token in bad.items():
        response = _call(platform, method, path, body, {"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)


@pytest.mark.parametrize("method,path,body", ROUTES, ids=IDS)
def test_another_forces_token_is_403(platform, method, path, body):
    for role in ("officer", "trainer", "force_admin"):
        response = _call(platform, method, path, body, platform.auth("leicestershire", [role]))
        assert response.status_code == 403, response.text
        assert "leicestershire" in response.json()["message"]


@pytest.mark.parametrize("service,method,path,body", SERVICE_ROUTES, ids=[f"{s} {m} {p}" for s, m, p, _ in SERVICE_ROUTES])
def test_the_services_own_check_also_refuses_another_force(platform, service, method, path, body):
    """Called directly, bypassing the gateway, each service applies the same rule."""
    response = httpx.request(method, f"{platform.api(service)}/v1/forces/west-midlands{path}", json=body,
                             headers={"Idempotency-Key": f"k-{uuid.uuid4()}", **platform.auth("leicestershire")})
    assert response.status_code == 403, response.text


def test_a_force_user_reaches_their_own_force(platform):
    response = _call(platform, "GET", "/training/summary", None, platform.auth("west-midlands", ["officer"]))
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"]


def test_reference_forces_lists_every_uk_force(platform):
    response = httpx.get(f"{platform.gateway}/v1/reference/forces", headers=platform.auth())
    ids = {f["id"] for f in response.json()["items"]}
    assert len(ids) == 46 and {"west-midlands", "police-scotland", "psni", "btp"} <= ids
