"""The dashboard's development sign-in, through the gateway's whole ASGI app (its path checks
included; no database is needed for the dashboard's routes): off unless the development issuer's
directory is given (every /dashboard/dev/ path 404), and on, a picker's identities and tokens the
gateway's own verifier accepts, with the claims `naloxctl token` mints. A gateway that would mint
outside development, or tokens its verifier refuses, does not start."""

from __future__ import annotations

import httpx
import jwt
import pytest

from gateway.app import create_app
from gateway.config import GatewaySettings
from gateway.dashboard import CONTENT_SECURITY_POLICY, dev
from naloxone_kernel.auth import DevIssuer, TokenVerifier
from naloxone_kernel.reference.forces import FORCES


@pytest.fixture
def issuer(tmp_path) -> DevIssuer:
    made = DevIssuer(tmp_path / "dev-issuer")
    made.ensure_keys()
    return made


def settings_for(issuer: DevIssuer, **overrides) -> GatewaySettings:
    return GatewaySettings(jwks_path=str(issuer.jwks_path), jwks_url="", **overrides)


def client(gateway) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://test")


async def test_without_the_setting_every_development_route_is_404_and_the_page_is_served(issuer, monkeypatch):
    monkeypatch.delenv("GATEWAY_DEV_ISSUER_DIR", raising=False)
    for gateway in (create_app(settings_for(issuer)), create_app(settings_for(issuer), dev_issuer_directory="")):
        assert gateway.dev_issuer is None
        async with client(gateway) as c:
            identities = await c.get("/dashboard/dev/identities")
            assert identities.status_code == 404 and "not enabled" in identities.json()["message"]
            assert identities.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            for body in ({"identity": "national-lead"}, {"identity": "nobody"}, {"x": 1}):  # no 422: no route
                minted = await c.post("/dashboard/dev/tokens", json=body)
                assert minted.status_code == 404 and "token" not in minted.json(), minted.text
            assert (await c.get("/dashboard")).status_code == 200


async def test_the_environment_variable_turns_it_on(issuer, monkeypatch):
    monkeypatch.setenv("GATEWAY_DEV_ISSUER_DIR", str(issuer.directory))
    gateway = create_app(settings_for(issuer))
    assert gateway.dev_issuer is not None and gateway.dev_issuer.directory == issuer.directory
    async with client(gateway) as c:
        assert (await c.get("/dashboard/dev/identities")).status_code == 200


async def test_identities_and_minted_tokens_the_gateway_accepts(issuer, monkeypatch):
    logged = []
    monkeypatch.setattr(dev.log, "info", lambda event, **kw: logged.append((event, kw)))
    settings = settings_for(issuer)
    gateway = create_app(settings, dev_issuer_directory=str(issuer.directory))
    verifier = TokenVerifier.from_settings(settings)
    async with client(gateway) as c:
        listed = await c.get("/dashboard/dev/identities")
        assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
        assert listed.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        items = {i["id"]: i for i in listed.json()["items"]}
        assert items["national-lead"]["roles"] == ["national_lead"] and items["national-lead"]["force_id"] is None
        leads = {i["force_id"] for i in items.values() if i["roles"] == ["force_admin"]}
        assert leads == {f.id for f in FORCES} and len(items) == len(FORCES) + 1
        assert 0 < listed.json()["ttl_seconds"] <= 3600

        for id_, kind, roles, force in (("national-lead", "national", {"national_lead"}, None),
                                        ("force-lead:dorset", "force", {"force_admin"}, "dorset")):
            minted = await c.post("/dashboard/dev/tokens", json={"identity": id_})
            assert minted.status_code == 200, minted.text
            assert minted.headers["cache-control"] == "no-store"
            body = minted.json()
            who = verifier.verify(body["token"])
            assert (who.kind, who.roles, who.force_id) == (kind, roles, force)
            # the subject `naloxctl token` gives the same identity
            assert who.subject == body["subject"] == f"dev-{next(iter(roles))}@{force or 'national'}"
            claims = jwt.decode(body["token"], options={"verify_signature": False})
            assert 0 < claims["exp"] - claims["iat"] <= 3600 and body["expires_in"] == claims["exp"] - claims["iat"]
            assert logged[-1] == ("development token minted", {"identity": id_, "subject": who.subject,
                                                               "ttl_seconds": body["expires_in"]})
            assert body["token"] not in repr(logged)

        unknown = await c.post("/dashboard/dev/tokens", json={"identity": "force-lead:atlantis"})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.identity", unknown.text
        for bad in ({}, {"identity": ""}, {"identity": "national-lead", "roles": ["auditor"]}):
            refused = await c.post("/dashboard/dev/tokens", json=bad)
            assert refused.status_code == 422 and "token" not in refused.json(), (bad, refused.text)
            assert any(e["field"].startswith("body") for e in refused.json()["errors"]), refused.text
        # a cross-site form post (no JSON) mints nothing
        form = await c.post("/dashboard/dev/tokens", content=b"identity=national-lead",
                            headers={"content-type": "application/x-www-form-urlencoded"})
        assert form.status_code == 422 and "token" not in form.json()
        assert (await c.get("/dashboard/dev/tokens")).status_code == 405
        # not reachable through the API space, nor by a path the gateway's checks refuse
        proxied = await c.post("/v1/dashboard/dev/tokens", json={"identity": "national-lead"})
        assert proxied.status_code == 401 and "token" not in proxied.json()
        assert (await c.get("/dashboard/dev/identities/")).status_code == 404
        assert (await c.get("/dashboard/dev%2Fidentities")).status_code == 400  # an encoded slash
    assert len(logged) == 2  # one line per minted token, none for refusals


@pytest.mark.parametrize("overrides, says", [
    ({"environment": "production", "token_issuer": "https://idp.invalid/", "database_url": "postgresql://u:p@h/d"},
     "outside development"),
    ({"jwks_url": "https://idp.invalid/jwks.json"}, "JWKS URL"),
    ({"token_audience": "another-platform"}, "issuer or audience"),
])
def test_a_gateway_that_would_mint_outside_development_or_unaccepted_tokens_does_not_start(issuer, overrides, says):
    settings = GatewaySettings(**{"jwks_path": str(issuer.jwks_path), **overrides})
    with pytest.raises(ValueError, match=says):
        create_app(settings, dev_issuer_directory=str(issuer.directory))


def test_a_gateway_verifying_against_another_jwks_file_does_not_start(issuer, tmp_path):
    other = DevIssuer(tmp_path / "other")
    with pytest.raises(ValueError, match="not the issuer's"):
        create_app(settings_for(other), dev_issuer_directory=str(issuer.directory))
