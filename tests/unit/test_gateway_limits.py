"""The gateway's checks on what a client sends, its rate limiter, its policy state and OpenAPI merge."""

import uuid
from datetime import date

import pytest

from gateway.app import Access
from gateway.limits import RateLimiter, header_problem, json_depth_exceeds, path_problem, query_problem
from gateway.openapi import merge
from gateway.policy import Policy
from naloxone_kernel.auth import Forbidden, Identity


@pytest.mark.parametrize("raw", [
    b"/v1/forces/leicestershire/officers/../../../../metrics", b"/v1/forces/x/./officers",
    b"/v1/forces/x/..%2F..%2Fpsni%2Fofficers", b"/v1/forces/x/officers%2f1", b"/v1/forces/x/%2e%2e/y",
    b"/v1/forces/x/officers/%1C", b"/v1/forces/x//officers", b"/v1/forces/x/officers/", b"/v1/a%5cb",
    b"/v1/forces/x/officers/\xc3\xa9", b"/v1/forces/x/officers/%00",
])
def test_unroutable_paths_are_refused(raw):
    assert path_problem(raw)


@pytest.mark.parametrize("raw", [b"/", b"/v1/forces/west-midlands/officers",
                                 b"/v1/forces/west-midlands/officers/0b7c9a3e-1f1e-4c2a-9d8e-0a1b2c3d4e5f/withdrawal"])
def test_normal_paths_pass(raw):
    assert path_problem(raw) is None


def test_queries_with_nul_or_control_characters_are_refused():
    assert query_problem(b"after=%00") and query_problem(b"a=\x01") and query_problem(b"a=%1f")
    assert query_problem(b"limit=10&after=B0001") is None


def test_headers_must_be_ascii_and_authorization_single():
    assert header_problem([(b"idempotency-key", "kéy".encode())])[0] == "header.idempotency-key"
    assert header_problem([(b"accept", b"a\x01")])
    assert header_problem([(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")])[0] == \
        "header.Authorization"
    assert header_problem([(b"authorization", b"Bearer a"), (b"accept", b"application/json")]) is None


def test_rate_limiter_allows_a_burst_then_asks_to_wait():
    limiter = RateLimiter(rate=10, burst=5)
    assert [limiter.take("a") for _ in range(5)] == [0.0] * 5
    wait = limiter.take("a")
    assert 0 < wait <= 0.1
    assert limiter.take("b") == 0.0  # per client


def test_json_depth():
    assert json_depth_exceeds(b"[" * 40 + b"]" * 40, 32)
    assert not json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 32)
    assert not json_depth_exceeds(b'{"a": [1, {"b": 2}]}', 32)


def _policy_with_agreement(org="cranstoun", force="durham", starts=date(2020, 1, 1), ends=None) -> Policy:
    policy = Policy()
    policy.apply(uuid.uuid4(), "AgreementMade", agreement := uuid.uuid4(), 1, {
        "force_id": force, "org": org, "purpose": "take-home naloxone", "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat() if ends else None, "made_by": "admin"})
    policy.last = agreement
    return policy


def test_a_partner_reaches_only_forces_with_an_active_agreement():
    policy = _policy_with_agreement()
    assert policy.forces_for_org("cranstoun") == {"durham"}
    assert policy.forces_for_org("turning-point") == set()
    policy.apply(uuid.uuid4(), "AgreementRevoked", policy.last, 2, {"reason": "ended"})
    assert policy.forces_for_org("cranstoun") == set()
    assert _policy_with_agreement(ends=date(2021, 1, 1)).forces_for_org("cranstoun") == set()
    assert _policy_with_agreement(starts=date(2999, 1, 1)).forces_for_org("cranstoun") == set()


class _Store:
    def __init__(self, policy):
        self.policy = policy


def test_access_rules():
    access = Access(_Store(_policy_with_agreement()))
    partner = Identity("p1", frozenset({"partner"}), org="cranstoun")
    access.authorize(partner, "durham", "POST", "/v1/forces/durham/take-home-supplies")
    with pytest.raises(Forbidden, match="agreement"):
        access.authorize(partner, "cleveland", "POST", "/v1/forces/cleveland/take-home-supplies")
    national = Identity("n1", frozenset({"national_lead"}))
    access.authorize(national, "durham", "GET", "/v1/forces/durham/training/summary")
    with pytest.raises(Forbidden, match="aggregate"):
        access.authorize(national, "durham", "GET", "/v1/forces/durham/officers")
    officer = Identity("o1", frozenset({"officer"}), force_id="durham")
    with pytest.raises(Forbidden, match="analytics"):
        access.authorize(officer, "durham", "GET", "/v1/forces/durham/training/summary")
    access.authorize(officer, "durham", "POST", "/v1/forces/durham/officers")
    with pytest.raises(Forbidden, match="durham"):
        access.authorize(officer, "cleveland", "GET", "/v1/forces/cleveland/officers")


def test_openapi_merge_keeps_every_route_and_the_error_shape():
    gateway_doc = {"openapi": "3.1.0", "paths": {"/v1/audit": {"get": {"responses": {}}}}, "components": {}}
    service = {"paths": {"/v1/forces/{force_id}/officers": {"post": {"operationId": "enrol", "responses": {
        "201": {"description": "ok"}, "422": {"content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/HTTPValidationError"}}}}}}}, "/healthz": {"get": {}}},
               "components": {"schemas": {"Body": {"type": "object"}, "HTTPValidationError": {}}}}
    other = {"paths": {"/v1/forces/{force_id}/kits": {"get": {"responses": {"200": {"content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}}}}},
             "components": {"schemas": {"Body": {"type": "string"}}}}
    merged = merge(gateway_doc, {"training": service, "inventory": other}, "t")
    assert set(merged["paths"]) == {"/v1/audit", "/v1/forces/{force_id}/officers", "/v1/forces/{force_id}/kits"}
    post = merged["paths"]["/v1/forces/{force_id}/officers"]["post"]
    assert post["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("PlatformError")
    assert "HTTPValidationError" not in merged["components"]["schemas"]
    # Two services defining one schema name differently: the later one is prefixed, refs follow.
    schemas = merged["components"]["schemas"]
    assert schemas["Body"] == {"type": "string"} and schemas["TrainingBody"] == {"type": "object"}
