"""Token verification: only well-signed, unexpired, audience- and issuer-matching tokens pass."""

import base64
import json
import time

import jwt
import pytest

from naloxone_kernel.auth import AuthError, DevIssuer, Forbidden, TokenVerifier, authorize_force


@pytest.fixture
def dev(tmp_path):
    issuer = DevIssuer(tmp_path / "issuer")
    issuer.ensure_keys()
    return issuer


@pytest.fixture
def verifier(dev):
    return TokenVerifier(issuer=dev.issuer, audience=dev.audience, jwks_path=str(dev.jwks_path))


def test_a_good_token_gives_the_identity(dev, verifier):
    identity = verifier.verify(dev.mint(subject="u1", roles=["trainer"], force_id="west-midlands"))
    assert identity.subject == "u1" and identity.force_id == "west-midlands" and identity.roles == {"trainer"}


@pytest.mark.parametrize("change,reason", [
    ({"ttl_seconds": -120}, "expired"),
    ({"audience": "another-platform"}, "audience"),
    ({"issuer": "someone-else"}, "issuer"),
])
def test_bad_claims_are_refused(dev, verifier, change, reason):
    with pytest.raises(AuthError, match=reason):
        verifier.verify(dev.mint(subject="u1", roles=["trainer"], force_id="west-midlands", **change))


def test_alg_none_is_refused(verifier):
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": "x"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": "u", "exp": time.time() + 60}).encode()).rstrip(b"=")
    with pytest.raises(AuthError, match="algorithm"):
        verifier.verify(f"{header.decode()}.{body.decode()}.")


def test_hmac_signed_with_public_key_is_refused(dev, verifier):
    token = jwt.encode({"sub": "u"}, "s" * 48, algorithm="HS256", headers={"kid": "x"})
    with pytest.raises(AuthError, match="algorithm"):
        verifier.verify(token)


def test_a_token_from_another_key_with_our_kid_is_refused(dev, verifier, tmp_path):
    other = DevIssuer(tmp_path / "other")
    other.ensure_keys()
    (other.directory / "kid").write_text((dev.directory / "kid").read_text())
    with pytest.raises(AuthError, match="signature"):
        verifier.verify(other.mint(subject="u", roles=["trainer"], force_id="west-midlands"))


def test_force_scope_and_roles():
    from naloxone_kernel.auth import Identity

    me = Identity(subject="u", roles=frozenset({"officer"}), force_id="west-midlands")
    authorize_force(me, "west-midlands", frozenset({"officer"}))
    with pytest.raises(Forbidden):
        authorize_force(me, "leicestershire")
    with pytest.raises(Forbidden):
        authorize_force(me, "west-midlands", frozenset({"force_admin"}))


# --- claims of the wrong type, the verified-token cache, keys by URL -------------------

def _signed(dev, claims: dict) -> str:
    base = {"iss": dev.issuer, "aud": dev.audience, "sub": "u1", "iat": int(time.time()),
            "exp": int(time.time()) + 600, "roles": ["trainer"], "force_id": "west-midlands"}
    base.update(claims)
    base = {k: v for k, v in base.items() if v is not ...}
    kid = (dev.directory / "kid").read_text().strip()
    return jwt.encode(base, dev.key_path.read_bytes(), algorithm="ES256", headers={"kid": kid})


@pytest.mark.parametrize("claims", [
    {"roles": 5}, {"roles": None}, {"roles": True}, {"roles": [["trainer"]]}, {"roles": "trainer"},
    {"forces": 5}, {"forces": [1]}, {"force_id": 5}, {"force_id": ["durham"]},
    {"sub": "a\r\nb"}, {"sub": "x" * 10_000}, {"sub": 7}, {"org": {"a": 1}}, {"grants": "dpo"},
])
def test_a_signed_token_with_malformed_claims_is_401_never_a_crash(dev, verifier, claims):
    with pytest.raises(AuthError):
        verifier.verify(_signed(dev, claims))


def test_a_forces_claim_grants_nothing(dev, verifier):
    """Issue 7, probe finding 4: which forces a partner reaches comes from agreements, not a claim."""
    identity = verifier.verify(dev.mint(subject="u1", roles=["trainer"], force_id="leicestershire",
                                        forces=["durham"]))
    assert identity.forces == frozenset()
    with pytest.raises(Forbidden):
        authorize_force(identity, "durham", frozenset({"trainer"}))


def test_identity_kinds(dev, verifier):
    assert verifier.verify(dev.mint(subject="p", roles=["partner"], org="cranstoun")).kind == "partner"
    assert verifier.verify(dev.mint(subject="n", roles=["national_lead"])).kind == "national"
    assert verifier.verify(dev.mint(subject="a", roles=["auditor"], grants=["dpo"])).kind == "auditor"
    assert verifier.verify(dev.mint(subject="f", roles=["officer"], force_id="durham")).kind == "force"


def test_an_overlong_token_is_refused_unparsed(verifier):
    with pytest.raises(AuthError, match="longer"):
        verifier.verify("a" * 1_000_000)


def test_verified_tokens_are_cached_by_hash_and_never_past_exp(dev, verifier, monkeypatch):
    token = dev.mint(subject="u1", roles=["trainer"], force_id="west-midlands", ttl_seconds=5)
    first = verifier.verify(token)
    calls = []
    monkeypatch.setattr(verifier, "_verify", lambda t: calls.append(t) or first)
    assert verifier.verify(token) is first and not calls  # answered from the cache
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 6)  # past exp: verified again
    verifier.verify(token)
    assert calls == [token]


def test_the_cache_keys_on_the_whole_token(dev, verifier):
    token = dev.mint(subject="u1", roles=["trainer"], force_id="west-midlands")
    verifier.verify(token)
    with pytest.raises(AuthError):
        verifier.verify(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_keys_by_url_rotate_without_restart_and_unknown_kids_are_rate_limited(tmp_path):
    import http.server
    import threading

    old, new = DevIssuer(tmp_path / "old"), DevIssuer(tmp_path / "new")
    old.ensure_keys()
    new.ensure_keys()
    served = {"jwks": old.jwks_path.read_bytes(), "fetches": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            served["fetches"] += 1
            self.send_response(200)
            self.end_headers()
            self.wfile.write(served["jwks"])

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        verifier = TokenVerifier(issuer=old.issuer, audience=old.audience,
                                 jwks_url=f"http://127.0.0.1:{server.server_port}/jwks.json")
        verifier.keys.min_refresh = 0.2
        assert verifier.verify(old.mint(subject="u", roles=["officer"], force_id="durham")).subject == "u"
        # The issuer rotates to a new key: the first token with the unknown kid refetches the set.
        served["jwks"] = new.jwks_path.read_bytes()
        time.sleep(0.25)
        assert verifier.verify(new.mint(subject="v", roles=["officer"], force_id="durham")).subject == "v"
        fetches = served["fetches"]
        # A flood of made-up key ids refetches at most once per min_refresh.
        bogus = jwt.encode({"sub": "x"}, new.key_path.read_bytes(), algorithm="ES256", headers={"kid": "nope"})
        for _ in range(50):
            with pytest.raises(AuthError, match="unknown key"):
                verifier.verify(bogus)
        assert served["fetches"] - fetches <= 1
    finally:
        server.shutdown()
