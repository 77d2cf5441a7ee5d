"""The gateway against the outside probe of issue 7, and its own behaviour: identities,
agreements, grants, audit, limits, ops port, merged OpenAPI.

Each "probe" test is one finding of the issue; they run against the whole stack as real
processes (the `platform` fixture).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e

FORCE = "west-midlands"


def _raw(platform, request: bytes, timeout: float = 10.0) -> bytes:
    """Send bytes as they are (no client-side normalisation) and read the whole answer."""
    port = platform.config.gateway_port
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not data:
                break
            chunks.append(data)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
        return b"".join(chunks)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer else 0


def _get(platform, target: str, token: str, extra: str = "") -> bytes:
    return _raw(platform, (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                           f"{extra}Connection: close\r\n\r\n").encode())


def _shape(answer: bytes) -> dict:
    body = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert set(body) >= {"error", "message"}, body
    return body


# --- 1. path normalisation ----------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/v1/forces/leicestershire/officers/../../../../metrics",
    "/v1/forces/leicestershire/officers/../../../../openapi.json",
    "/v1/forces/leicestershire/officers/../../../../docs",
    "/v1/forces/leicestershire/officers/..%2F..%2Fpsni%2Fofficers",
    "/v1/forces/leicestershire/./officers",
    "/v1/forces/leicestershire/officers/%2e%2e/%2e%2e/metrics",
])
def test_probe_1_dot_segments_and_encoded_slashes_are_refused(platform, target):
    answer = _get(platform, target, platform.token("leicestershire"))
    assert _status(answer) == 400, answer[:300]
    assert _shape(answer)["error"] == "bad_request"
    assert b"python_info" not in answer and b"http_request_duration" not in answer


# --- 2. caller input never makes a 5xx ------------------------------------------------------

@pytest.mark.parametrize("header", ["Idempotency-Key", "If-Match", "Accept", "X-Request-Id"])
def test_probe_2_non_ascii_headers_are_400(platform, header):
    token = platform.token(FORCE)
    request = (f"POST /v1/forces/{FORCE}/officers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n").encode() + \
        header.encode() + b": caf\xc3\xa9\r\n\r\n{}"
    answer = _raw(platform, request)
    assert _status(answer) == 400, answer[:300]
    assert _shape(answer)["errors"][0]["field"].lower() == f"header.{header.lower()}"


@pytest.mark.parametrize("target", [f"/v1/forces/{FORCE}/officers/%1C", f"/v1/forces/{FORCE}/officers?after=%00",
                                    f"/v1/forces/{FORCE}/officers?after=%7F"])
def test_probe_2_control_characters_in_path_or_query_are_400(platform, target):
    answer = _get(platform, target, platform.token(FORCE))
    assert _status(answer) == 400, answer[:300]
    _shape(answer)


def test_probe_2_the_service_itself_refuses_nul_in_a_query(platform):
    response = httpx.get(f"{platform.training_api}/v1/forces/{FORCE}/officers?after=%00",
                         headers=platform.auth(FORCE))
    assert response.status_code in (400, 422) and "error" in response.json()


@pytest.mark.parametrize("claims", [{"roles": 5}, {"roles": None}, {"roles": True}, {"roles": [["trainer"]]},
                                    {"forces": 5}, {"sub": "a\r\nb"}, {"sub": "x" * 10_000}])
def test_probe_2_validly_signed_tokens_with_odd_claims_are_401(platform, claims):
    import jwt

    now = int(time.time())
    body = {"iss": platform.issuer.issuer, "aud": platform.issuer.audience, "sub": "u", "iat": now,
            "exp": now + 600, "roles": ["trainer"], "force_id": FORCE, **claims}
    kid = (platform.issuer.directory / "kid").read_text().strip()
    token = jwt.encode(body, platform.issuer.key_path.read_bytes(), algorithm="ES256", headers={"kid": kid})
    for base in (platform.gateway, platform.training_api):
        response = httpx.get(f"{base}/v1/forces/{FORCE}/officers", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (base, response.text)


# --- 3. two Authorization headers -------------------------------------------------------------

def test_probe_3_two_authorization_headers_are_refused(platform):
    a, b = platform.token(FORCE), platform.issuer.mint(subject="other@wm", roles=["trainer"], force_id=FORCE)
    answer = _raw(platform, (f"GET /v1/forces/{FORCE}/officers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {a}\r\n"
                             f"Authorization: Bearer {b}\r\nConnection: close\r\n\r\n").encode())
    assert _status(answer) == 400 and _shape(answer)["errors"][0]["field"] == "header.Authorization"
    response = httpx.get(f"{platform.training_api}/v1/forces/{FORCE}/officers",
                         headers=[("Authorization", f"Bearer {a}"), ("Authorization", f"Bearer {b}")])
    assert response.status_code == 401


# --- 4. authority from agreements, not from the token -----------------------------------------

def test_probe_4_a_forces_claim_reaches_no_other_force(platform):
    token = platform.issuer.mint(subject="t@leics", roles=["trainer"], force_id="leicestershire", forces=["durham"])
    body = {"staff_number": f"P4{uuid.uuid4().hex[:6]}", "role": "response", "enrolled_on": "2025-01-01"}
    for base in (platform.gateway, platform.training_api):
        response = httpx.post(f"{base}/v1/forces/durham/officers", json=body,
                              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 403, (base, response.text)


# --- 5. limits --------------------------------------------------------------------------------

def test_probe_5_oversized_headers_and_too_many_headers_are_refused(platform):
    token = platform.token(FORCE)
    big = _raw(platform, (f"GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                          f"X-Big: {'a' * 200_000}\r\nConnection: close\r\n\r\n").encode())
    assert _status(big) == 431
    many = "".join(f"X-H{i}: v\r\n" for i in range(500))
    answer = _raw(platform, (f"GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{many}"
                             "Connection: close\r\n\r\n").encode())
    assert _status(answer) == 431
    huge_token = _raw(platform, (f"GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {'a' * 12_000}\r\n"
                                 "Connection: close\r\n\r\n").encode())
    assert _status(huge_token) in (401, 431)


def test_probe_5_a_slow_client_is_disconnected(platform):
    port = platform.config.gateway_port
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /v1/me HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 25:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            sock.settimeout(2)
            try:
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            except OSError:
                closed = True
                break
        assert closed and time.monotonic() - started < 20


async def test_probe_5_a_client_over_its_rate_gets_429_with_retry_after(platform):
    import aiohttp

    token = platform.issuer.mint(subject=f"flood-{uuid.uuid4().hex[:8]}", roles=["trainer"], force_id=FORCE)
    statuses, retry = [], []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"},
                                     connector=aiohttp.TCPConnector(limit=32)) as client:
        async def one():
            async with client.get(f"{platform.gateway}/v1/reference/forces") as response:
                statuses.append(response.status)
                if response.status == 429:
                    retry.append((response.headers["retry-after"], (await response.json())["error"]))

        await asyncio.gather(*(one() for _ in range(1200)))
    assert 429 in statuses, "no 429 after 1,200 quick requests"
    assert int(retry[0][0]) >= 1 and retry[0][1] == "rate_limited"
    assert statuses.count(200) >= 400  # the burst went through


def test_probe_5_body_cap_is_413(platform):
    response = httpx.post(f"{platform.gateway}/v1/forces/{FORCE}/officers", content=b"{" + b" " * 200_000 + b"}",
                          headers={**platform.auth(FORCE), "Idempotency-Key": uuid.uuid4().hex,
                                   "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"


# --- 6. leaks ---------------------------------------------------------------------------------

def test_probe_6_no_redirect_to_an_internal_or_forged_host(platform):
    answer = _get(platform, f"/v1/forces/{FORCE}/officers/", platform.token(FORCE), "Host: evil.example\r\n")
    assert _status(answer) == 404 and b"location" not in answer.lower().split(b"\r\n\r\n")[0]


def test_probe_6_metrics_and_readiness_live_on_the_ops_port_only(platform):
    for path in ("/metrics", "/readyz"):
        assert httpx.get(f"{platform.gateway}{path}").status_code in (401, 404)
    ops = f"http://127.0.0.1:{platform.config.ports['gateway-ops']}"
    assert httpx.get(f"{ops}/readyz").status_code == 200
    assert "http_request_duration_seconds" in httpx.get(f"{ops}/metrics").text


def test_probe_6_records_are_never_cached(platform):
    response = httpx.get(f"{platform.gateway}/v1/forces/{FORCE}/officers", headers=platform.auth(FORCE))
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"


# --- 7. idempotency keys scoped per force and subject ---------------------------------------

def test_probe_7_an_idempotency_key_never_replays_another_subjects_answer(platform):
    a = platform.issuer.mint(subject="a:x", roles=["trainer"], force_id=FORCE)
    b = platform.issuer.mint(subject="a", roles=["trainer"], force_id=FORCE)
    body = {"staff_number": f"P7{uuid.uuid4().hex[:6]}", "role": "response", "enrolled_on": "2025-01-01"}
    first = httpx.post(f"{platform.gateway}/v1/forces/{FORCE}/officers", json=body,
                       headers={"Authorization": f"Bearer {a}", "Idempotency-Key": "K1234567"})
    second = httpx.post(f"{platform.gateway}/v1/forces/{FORCE}/officers",
                        json={**body, "staff_number": body["staff_number"] + "b"},
                        headers={"Authorization": f"Bearer {b}", "Idempotency-Key": "x:K1234567"})
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    assert "idempotent-replayed" not in second.headers
    assert first.json()["officer_id"] != second.json()["officer_id"]


# --- 8. audit inputs bounded --------------------------------------------------------------------

def test_probe_8_a_clients_request_id_is_kept_only_when_plain(platform):
    ok = httpx.get(f"{platform.gateway}/v1/me", headers={**platform.auth(FORCE), "X-Request-Id": "abc-123"})
    assert ok.headers["x-request-id"] == "abc-123"
    odd = httpx.get(f"{platform.gateway}/v1/me", headers={**platform.auth(FORCE), "X-Request-Id": "a" * 500})
    assert odd.status_code == 200 and odd.headers["x-request-id"] != "a" * 500 and len(odd.headers["x-request-id"]) <= 64


# --- 9. the error shape -----------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"{bad", b"\xff\xfe", b"[" * 5000 + b"]" * 5000])
def test_probe_9_bad_json_gets_the_platform_shape(platform, body):
    for base in (platform.gateway, platform.training_api):
        response = httpx.post(f"{base}/v1/forces/{FORCE}/officers", content=body,
                              headers={**platform.auth(FORCE), "Idempotency-Key": uuid.uuid4().hex,
                                       "Content-Type": "application/json"})
        assert response.status_code in (400, 422), (base, response.text)
        assert {"error", "message"} <= set(response.json()), (base, response.text)


def test_probe_9_anonymous_bad_json_is_401_not_422(platform):
    for base in (platform.gateway, platform.training_api):
        response = httpx.post(f"{base}/v1/forces/{FORCE}/officers", content=b"{bad",
                              headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 401, (base, response.text)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_probe_9_implausible_dates_are_422(platform, day):
    response = httpx.post(f"{platform.gateway}/v1/forces/{FORCE}/officers",
                          json={"staff_number": "P9X", "role": "response", "enrolled_on": day},
                          headers={**platform.auth(FORCE), "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.enrolled_on"


def test_unknown_fields_are_422(platform):
    response = httpx.post(f"{platform.gateway}/v1/forces/{FORCE}/officers",
                          json={"staff_number": "P9Y", "role": "response", "enrolled_on": "2025-01-01", "x": 1},
                          headers={**platform.auth(FORCE), "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 422 and response.json()["errors"][0]["rule"] == "extra_forbidden"


# --- downstream failures ----------------------------------------------------------------------

def test_downstream_unavailable_is_a_clear_503(platform):
    """A service that does not answer: 503 in the platform's shape, never a stack trace."""
    platform.stack.stop("inventory-api")
    try:
        response = httpx.get(f"{platform.gateway}/v1/forces/{FORCE}/kits", headers=platform.auth(FORCE))
        assert response.status_code == 503 and response.json()["error"] == "upstream_unavailable"
        assert response.headers["retry-after"] == "1"
    finally:
        platform.start("inventory-api")


# --- partners, agreements, grants, audit ---------------------------------------------------------

def _admin(platform, force: str) -> dict:
    return {"Authorization": f"Bearer {platform.issuer.mint(subject=f'admin@{force}', roles=['force_admin'], force_id=force)}"}


def _agree(platform, force: str, org: str) -> dict:
    response = httpx.post(f"{platform.gateway}/v1/forces/{force}/agreements",
                          json={"org": org, "purpose": "take-home naloxone", "starts_on": "2024-01-01"},
                          headers={**_admin(platform, force), "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_partner_reaches_a_force_once_agreed_and_loses_it_when_revoked(platform):
    org = f"org-{uuid.uuid4().hex[:6]}"
    partner = {"Authorization": f"Bearer {platform.issuer.mint(subject=f'worker@{org}', roles=['partner'], org=org)}"}
    url = f"{platform.gateway}/v1/forces/durham/take-home-supplies"
    refused = httpx.get(url, headers=partner)
    assert refused.status_code == 403 and "agreement" in refused.json()["message"]
    agreement = _agree(platform, "durham", org)
    me = httpx.get(f"{platform.gateway}/v1/me", headers=partner).json()
    assert me["kind"] == "partner" and me["forces"] == ["durham"]
    assert "agreement" not in httpx.get(url, headers=partner).json().get("message", "")  # past the gateway
    # Another force's admin cannot revoke it; durham's can, and it takes effect at once (mid-session).
    other = httpx.post(f"{platform.gateway}/v1/forces/cleveland/agreements/{agreement['agreement_id']}/revocation",
                       json={"reason": "x"}, headers={**_admin(platform, "durham"), "Idempotency-Key": uuid.uuid4().hex})
    assert other.status_code == 403
    revoked = httpx.post(f"{platform.gateway}/v1/forces/durham/agreements/{agreement['agreement_id']}/revocation",
                         json={"reason": "contract ended"},
                         headers={**_admin(platform, "durham"), "Idempotency-Key": uuid.uuid4().hex})
    assert revoked.status_code == 201, revoked.text
    again = httpx.get(url, headers=partner)
    assert again.status_code == 403 and "agreement" in again.json()["message"]
    listed = httpx.get(f"{platform.gateway}/v1/forces/durham/agreements", headers=_admin(platform, "durham")).json()
    assert any(a["agreement_id"] == agreement["agreement_id"] and a["revoked"] for a in listed["items"])


async def test_agreements_are_events_in_the_gateways_store(platform):
    org = f"org-{uuid.uuid4().hex[:6]}"
    agreement = _agree(platform, "durham", org)
    import asyncpg

    conn = await asyncpg.connect(platform.database_urls["gateway"])
    try:
        row = await conn.fetchrow("SELECT event_type, actor, force_id FROM events WHERE aggregate_id = $1",
                                  uuid.UUID(agreement["agreement_id"]))
    finally:
        await conn.close()
    assert dict(row) == {"event_type": "AgreementMade", "actor": "admin@durham", "force_id": "durham"}


def test_only_a_force_admin_makes_agreements(platform):
    response = httpx.post(f"{platform.gateway}/v1/forces/durham/agreements",
                          json={"org": "cranstoun", "purpose": "p", "starts_on": "2024-01-01"},
                          headers={**platform.auth("durham", ["trainer"]), "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 403


async def test_the_audit_trail_records_writes_and_denials_for_auditors(platform):
    force = "cumbria"
    actor = f"writer-{uuid.uuid4().hex[:6]}"
    token = platform.issuer.mint(subject=actor, roles=["trainer"], force_id=force)
    created = httpx.post(f"{platform.gateway}/v1/forces/{force}/officers",
                         json={"staff_number": f"A{uuid.uuid4().hex[:6]}", "role": "response",
                               "enrolled_on": "2025-01-01"},
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex,
                                  "X-Request-Id": "audit-req-1"})
    assert created.status_code == 201
    denied = httpx.get(f"{platform.gateway}/v1/forces/{force}/officers",
                       headers=platform.auth("durham"))
    assert denied.status_code == 403
    auditor = {"Authorization": f"Bearer {platform.issuer.mint(subject='dpo@cumbria', roles=['auditor'], force_id=force, grants=['dpo'])}"}

    async def found():
        items = httpx.get(f"{platform.gateway}/v1/audit", params={"force": force}, headers=auditor).json()["items"]
        return items if any(i["actor"] == actor for i in items) and any(i["status"] == 403 for i in items) else None

    from tests.support import wait_for

    items = await wait_for(found, timeout=10, message="audit records")
    write = next(i for i in items if i["actor"] == actor)
    assert write["method"] == "POST" and write["status"] == 201 and write["request_id"] == "audit-req-1"
    assert httpx.get(f"{platform.gateway}/v1/audit", params={"force": "durham"}, headers=auditor).status_code == 403
    assert httpx.get(f"{platform.gateway}/v1/audit", headers=platform.auth(force, ["trainer"])).status_code == 403


async def test_a_role_grant_lets_a_platform_auditor_read_a_forces_audit_trail(platform):
    subject = f"dpo-{uuid.uuid4().hex[:6]}"
    auditor = {"Authorization": f"Bearer {platform.issuer.mint(subject=subject, roles=['auditor'], grants=['dpo'])}"}
    assert httpx.get(f"{platform.gateway}/v1/audit", params={"force": "durham"}, headers=auditor).status_code == 403
    grant = httpx.post(f"{platform.gateway}/v1/forces/durham/grants", json={"subject": subject, "role": "auditor"},
                       headers={**_admin(platform, "durham"), "Idempotency-Key": uuid.uuid4().hex})
    assert grant.status_code == 201, grant.text
    assert httpx.get(f"{platform.gateway}/v1/audit", params={"force": "durham"}, headers=auditor).status_code == 200
    httpx.post(f"{platform.gateway}/v1/forces/durham/grants/{grant.json()['grant_id']}/revocation",
               headers={**_admin(platform, "durham"), "Idempotency-Key": uuid.uuid4().hex}).raise_for_status()
    assert httpx.get(f"{platform.gateway}/v1/audit", params={"force": "durham"}, headers=auditor).status_code == 403


def test_key_rotation_needs_no_restart(platform):
    """A new signing key appended to the JWKS (file) is honoured by the running gateway."""
    from naloxone_kernel.auth import DevIssuer

    rotated = DevIssuer(platform.issuer.directory.parent / f"rot-{uuid.uuid4().hex[:6]}")
    rotated.ensure_keys()
    jwks = json.loads(platform.issuer.jwks_path.read_text())
    jwks["keys"].append(json.loads(rotated.jwks_path.read_text())["keys"][0])
    platform.issuer.jwks_path.write_text(json.dumps(jwks))
    token = rotated.mint(subject="rotated@wm", roles=["trainer"], force_id=FORCE)
    response = httpx.get(f"{platform.gateway}/v1/forces/{FORCE}/officers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


def test_the_merged_openapi_has_every_service_route_and_docs(platform):
    from naloxone_kernel.registry import SERVICES
    from naloxone_kernel.service import load_parts

    document = httpx.get(f"{platform.gateway}/openapi.json").json()
    for entry in SERVICES:
        for route in load_parts(entry).router.routes:
            assert route.path in document["paths"], route.path
    assert "/v1/forces/{force_id}/{rest}" not in document["paths"]
    assert "/v1/audit" in document["paths"] and "/v1/forces/{force_id}/agreements" in document["paths"]
    assert "swagger" in httpx.get(f"{platform.gateway}/docs").text.lower()
