"""Every force-scoped route of the merged OpenAPI × every kind of caller → the expected status.

The routes come from the same merged document the gateway serves at /openapi.json (built
here from each registered service's app, and checked against the live one), so a new
route or a new service is in this matrix without anyone listing it.

Callers: own force, other force, contracted partner, uncontracted partner, national lead,
auditor, and the bad tokens: none, expired, wrong audience, wrong issuer, bad signature,
`alg: none`, HS256 signed with the public key, garbage.
"""

import base64
import json
import re
import time
import uuid

import httpx
import pytest

from gateway.app import AGGREGATE_SEGMENTS, create_app
from gateway.config import GatewaySettings
from gateway.openapi import merge
from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.registry import SERVICES, service_for_route
from naloxone_kernel.service import create_service_app

pytestmark = pytest.mark.e2e

FORCE = "west-midlands"
FORCE_PREFIX = "/v1/forces/{force_id}/"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _merged_document() -> dict:
    services = {entry.name: create_service_app(entry.name).openapi() for entry in SERVICES}
    return merge(create_app(GatewaySettings()).api.openapi(), services, "matrix")


DOCUMENT = _merged_document()


def _routes() -> list[tuple[str, str, str]]:
    """(method, template, concrete path under /v1/forces/{force}) for every proxied route."""
    out = []
    for template, item in sorted(DOCUMENT["paths"].items()):
        if not template.startswith(FORCE_PREFIX):
            continue
        if service_for_route(template[len(FORCE_PREFIX):].split("/", 1)[0]) is None:
            continue  # the gateway's own routes (agreements, grants): tests of their own
        path = re.sub(r"\{[a-z_]+\}", lambda _m: str(uuid.uuid4()), template[len(FORCE_PREFIX) - 1:])
        for method in sorted(item):
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((method.upper(), template, path))
    return out


ROUTES = _routes()
IDS = [f"{m} {t}" for m, t, _ in ROUTES]


def test_every_service_and_route_is_in_the_matrix():
    templates = {t for _, t, _ in ROUTES}
    for entry in SERVICES:
        assert any(service_for_route(t[len(FORCE_PREFIX):].split("/", 1)[0]) is entry for t in templates), entry.name


def test_the_live_openapi_document_is_the_one_the_matrix_covers(platform):
    live = httpx.get(f"{platform.gateway}/openapi.json").json()
    assert set(live["paths"]) == set(DOCUMENT["paths"])


def _alg_none_token() -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'none', 'typ': 'JWT'})}.{enc({'sub': 'x', 'force_id': FORCE, 'roles': ['trainer'], 'exp': int(time.time()) + 600, 'aud': 'naloxone-platform', 'iss': 'naloxone-dev-issuer'})}."


def _hs256_with_public_key(issuer: DevIssuer) -> str:
    public = json.dumps(json.loads(issuer.jwks_path.read_text())["keys"][0]).encode()
    now = int(time.time())
    claims = {"sub": "x", "force_id": FORCE, "roles": ["trainer"], "iat": now, "exp": now + 600,
              "aud": issuer.audience, "iss": issuer.issuer}
    kid = (issuer.directory / "kid").read_text().strip()
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    import hashlib
    import hmac

    signature = base64.urlsafe_b64encode(hmac.new(public, header + b"." + body, hashlib.sha256).digest()).rstrip(b"=")
    return (header + b"." + body + b"." + signature).decode()


@pytest.fixture(scope="module")
def callers(platform, tmp_path_factory) -> dict[str, str]:
    """Every kind of caller, as bearer tokens; the contracted partner's agreement is made here."""
    issuer = platform.issuer
    contracted, uncontracted = f"partner-{uuid.uuid4().hex[:6]}", f"partner-{uuid.uuid4().hex[:6]}"
    admin = issuer.mint(subject="admin@wm", roles=["force_admin"], force_id=FORCE)
    made = httpx.post(f"{platform.gateway}/v1/forces/{FORCE}/agreements",
                      json={"org": contracted, "purpose": "matrix", "starts_on": "2024-01-01"},
                      headers={"Authorization": f"Bearer {admin}", "Idempotency-Key": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    forger = DevIssuer(tmp_path_factory.mktemp("forger"))
    forger.ensure_keys()
    (forger.directory / "kid").write_text((issuer.directory / "kid").read_text())
    return {
        "own force": issuer.mint(subject="matrix-own@wm", roles=["officer", "custody", "trainer", "force_admin",
                                                                     "auditor"], force_id=FORCE, grants=["dpo"]),
        "other force": issuer.mint(subject="matrix-other@leics", roles=["trainer", "force_admin"],
                                   force_id="leicestershire", forces=[FORCE]),
        "contracted partner": issuer.mint(subject=f"w@{contracted}", roles=["partner"], org=contracted),
        "uncontracted partner": issuer.mint(subject=f"w@{uncontracted}", roles=["partner"], org=uncontracted,
                                            forces=[FORCE]),
        "national lead": issuer.mint(subject="matrix-national", roles=["national_lead"]),
        "auditor": issuer.mint(subject="matrix-auditor@wm", roles=["auditor"], force_id=FORCE, grants=["dpo"]),
        "no token": "",
        "expired": issuer.mint(subject="x", roles=["trainer"], force_id=FORCE, ttl_seconds=-600),
        "wrong audience": issuer.mint(subject="x", roles=["trainer"], force_id=FORCE, audience="another-api"),
        "wrong issuer": issuer.mint(subject="x", roles=["trainer"], force_id=FORCE, issuer="https://attacker.example"),
        "bad signature": forger.mint(subject="x", roles=["trainer"], force_id=FORCE),
        "alg none": _alg_none_token(),
        "HS256 with the public key": _hs256_with_public_key(issuer),
        "garbage": "not-a-jwt",
    }


BAD = ("no token", "expired", "wrong audience", "wrong issuer", "bad signature", "alg none",
       "HS256 with the public key", "garbage")


def _call(base: str, method: str, path: str, token: str) -> httpx.Response:
    headers = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.request(method, f"{base}/v1/forces/{FORCE}{path}", json={} if method in WRITES else None,
                         headers=headers, timeout=20)


def _denied_by_gateway(response: httpx.Response, words: str) -> bool:
    return response.status_code == 403 and words in response.json()["message"]


@pytest.mark.parametrize("method,template,path", ROUTES, ids=IDS)
def test_route_by_caller(platform, callers, method, template, path):
    aggregate = template.rsplit("/", 1)[-1] in AGGREGATE_SEGMENTS
    outcome = {name: _call(platform.gateway, method, path, token) for name, token in callers.items()}
    failures = []

    def expect(name, ok, why):
        if not ok:
            r = outcome[name]
            failures.append(f"{name}: {r.status_code} {r.text[:160]} (expected {why})")

    for name in BAD:
        expect(name, outcome[name].status_code == 401 and outcome[name].headers.get("www-authenticate") == "Bearer",
               "401")
    own = outcome["own force"]
    expect("own force", own.status_code not in (401, 403) and own.status_code < 500, "past auth, no 5xx")
    expect("other force", _denied_by_gateway(outcome["other force"], "leicestershire"), "403 naming the force")
    expect("uncontracted partner", _denied_by_gateway(outcome["uncontracted partner"], "agreement"),
           "403: no agreement")
    contracted = outcome["contracted partner"]
    expect("contracted partner", contracted.status_code != 401 and contracted.status_code < 500
           and not _denied_by_gateway(contracted, "agreement"), "past the agreement check")
    national = outcome["national lead"]
    if aggregate and method == "GET":
        expect("national lead", national.status_code < 500 and not _denied_by_gateway(national, "aggregate"),
               "past the aggregate check")
    else:
        expect("national lead", _denied_by_gateway(national, "aggregate"), "403: aggregates only")
    # A force's auditor (a DPO) reads, and requests erasure; which routes admit it is the service's rule.
    auditor = outcome["auditor"]
    expect("auditor", auditor.status_code != 401 and auditor.status_code < 500, "no 401, no 5xx")
    for name, response in outcome.items():
        assert response.headers.get("x-request-id"), name
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("method,template,path", ROUTES, ids=IDS)
def test_the_services_own_check_also_refuses_another_force(platform, callers, method, template, path):
    """Called directly, bypassing the gateway, each service applies the same force rule."""
    entry = service_for_route(template[len(FORCE_PREFIX):].split("/", 1)[0])
    for name in ("other force", "uncontracted partner"):
        response = _call(platform.api(entry.name), method, path, callers[name])
        assert response.status_code == 403, (name, response.text)
    assert _call(platform.api(entry.name), method, path, "").status_code == 401


def test_a_force_user_reaches_their_own_force(platform):
    response = httpx.get(f"{platform.gateway}/v1/forces/{FORCE}/training/summary",
                         headers=platform.auth(FORCE, ["trainer"]))
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"]


def test_submit_only_roles_cannot_read_analytics(platform):
    response = httpx.get(f"{platform.gateway}/v1/forces/{FORCE}/training/summary",
                         headers=platform.auth(FORCE, ["officer"]))
    assert response.status_code == 403 and "analytics" in response.json()["message"]


def test_reference_forces_lists_every_uk_force(platform):
    response = httpx.get(f"{platform.gateway}/v1/reference/forces", headers=platform.auth())
    ids = {f["id"] for f in response.json()["items"]}
    assert len(ids) == 46 and {"west-midlands", "police-scotland", "psni", "btp"} <= ids
