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
