"""The dashboard through the gateway: public static files with the right content types and a strict
Content-Security-Policy, nothing loaded from elsewhere, the built chart library (ECharts, by
`make dashboard`) served from this origin, and no figures without a token. On a stack started with
the development issuer (GATEWAY_DEV_ISSUER_DIR), the page's development sign-in mints tokens the
API scopes like any other; a gateway started without it offers none."""

import dataclasses
import json
import re

import httpx
import pytest

from gateway.dashboard import CONTENT_SECURITY_POLICY
from naloxctl.stack import LocalStack
from naloxone_kernel.reference.forces import FORCES

from ..support import REPO, free_port

pytestmark = pytest.mark.e2e


async def test_the_dashboard_files_are_served_with_their_types_and_a_strict_policy(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as client:
        expected = {"/dashboard": "text/html", "/dashboard/index.html": "text/html",
                    "/dashboard/app.js": "text/javascript", "/dashboard/style.css": "text/css",
                    "/dashboard/vendor/echarts.min.js": "text/javascript"}
        pages = {}
        for path, content_type in expected.items():
            r = await client.get(path)  # no token: the files hold no data
            if path.startswith("/dashboard/vendor/") and r.status_code == 404:
                pytest.fail(f"{path}: {r.json()['message']}")  # says to run `make dashboard`
            assert r.status_code == 200, (path, r.text[:200])
            assert r.headers["content-type"].startswith(content_type), path
            policy = r.headers["content-security-policy"]
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
            assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
            assert directives["style-src"] == "'self'" and directives["connect-src"] == "'self'"
            assert directives["frame-ancestors"] == "'none'" and "unsafe" not in policy
            assert r.headers["x-content-type-options"] == "nosniff"
            pages[path] = r.text
        html = pages["/dashboard"]
        # every script and stylesheet from this origin, none inline (the policy would refuse them)
        scripts = ["/dashboard/vendor/echarts.min.js", "/dashboard/app.js"]
        assert re.findall(r'<script[^>]*src="([^"]+)"', html) == scripts
        # the library the npm lock file names, not a stand-in
        locked = json.loads((REPO / "gateway" / "dashboard-web" / "package-lock.json").read_text())
        version = locked["packages"]["node_modules/echarts"]["version"]
        assert f'version="{version}"' in pages["/dashboard/vendor/echarts.min.js"], version
        assert re.findall(r'<link[^>]*href="([^"]+)"', html) == ["/dashboard/style.css"]
        assert not re.search(r"<script(?![^>]*src=)", html) and "<style" not in html and " style=" not in html
        assert "http://" not in html + pages["/dashboard/app.js"] and "https://" not in html + pages["/dashboard/app.js"]
        # the address as a person types it leads to the page, by a path on this origin whatever Host says
        moved = await client.get("/dashboard/", headers={"Host": "evil.example"})
        assert moved.status_code == 308 and moved.headers["location"] == "/dashboard", moved.text
        assert (await client.get("/dashboard/", follow_redirects=True)).text == html
        assert (await client.get("/dashboard/nothing.js")).status_code == 404
        assert (await client.get("/dashboard/vendor/nothing.js")).status_code == 404
        assert (await client.get("/dashboard/__init__.py")).status_code == 404  # only the static files
        # the figures it shows come from the API, which wants a token
        assert (await client.get("/v1/national/comparison")).status_code == 401


async def test_development_sign_in_mints_tokens_the_api_scopes_as_it_would_any_other(platform):
    """The test stacks start the gateway with GATEWAY_DEV_ISSUER_DIR, as `make up` does."""
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as client:
        listed = await client.get("/dashboard/dev/identities")
        assert listed.status_code == 200, listed.text
        assert listed.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        items = {i["id"]: i for i in listed.json()["items"]}
        assert items["national-lead"]["roles"] == ["national_lead"]
        assert {i["force_id"] for i in items.values() if i["roles"] == ["force_admin"]} == {f.id for f in FORCES}

        async def mint(identity: str) -> dict[str, str]:
            r = await client.post("/dashboard/dev/tokens", json={"identity": identity})
            assert r.status_code == 200 and r.headers["cache-control"] == "no-store", r.text
            assert 0 < r.json()["expires_in"] <= 3600
            return {"Authorization": f"Bearer {r.json()['token']}"}

        national = await mint("national-lead")
        assert (await client.get("/v1/me", headers=national)).json()["kind"] == "national"
        comparison = await client.get("/v1/national/comparison", headers=national)
        assert comparison.status_code == 200 and comparison.json()["rows"], comparison.text
        assert (await client.get("/v1/forces/cumbria/overview", headers=national)).status_code == 403

        lead = await mint("force-lead:cumbria")
        me = (await client.get("/v1/me", headers=lead)).json()
        assert (me["kind"], me["force_id"], me["roles"]) == ("force", "cumbria", ["force_admin"])
        overview = await client.get("/v1/forces/cumbria/overview", headers=lead)
        assert overview.status_code == 200 and overview.json()["force_id"] == "cumbria", overview.text
        other = await client.get("/v1/forces/dorset/overview", headers=lead)
        assert other.status_code == 403, other.text

        unknown = await client.post("/dashboard/dev/tokens", json={"identity": "force-lead:atlantis"})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.identity", unknown.text
        # not in the API space, even with a token
        for path in ("/v1/dashboard/dev/tokens", "/v1/dev/tokens"):
            proxied = await client.post(path, json={"identity": "national-lead"}, headers=lead)
            assert proxied.status_code == 404 and "token" not in proxied.json(), (path, proxied.text)


async def test_a_gateway_started_without_the_setting_offers_no_development_sign_in(platform, tmp_path, monkeypatch):
    """The platform's own services and database, behind a second gateway the local stack starts
    without a development issuer (as a deployment runs it)."""
    monkeypatch.delenv("GATEWAY_DEV_ISSUER_DIR", raising=False)
    config = dataclasses.replace(platform.config, run_dir=tmp_path, dev_issuer_dir=None,
                                 ports={**platform.config.ports, "gateway": free_port(), "gateway-ops": free_port()})
    stack = LocalStack(config)
    assert "GATEWAY_DEV_ISSUER_DIR" not in stack.spec("gateway").env
    stack.start("gateway")
    try:
        stack.wait_ready("gateway")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{config.gateway_port}", timeout=20) as client:
            assert (await client.get("/dashboard")).status_code == 200
            identities = await client.get("/dashboard/dev/identities")
            assert identities.status_code == 404 and "not enabled" in identities.json()["message"], identities.text
            minted = await client.post("/dashboard/dev/tokens", json={"identity": "national-lead"})
            assert minted.status_code == 404 and "token" not in minted.json(), minted.text
            # the paste path still works: a token from the issuer the gateway trusts
            me = await client.get("/v1/me", headers={"Authorization": f"Bearer {platform.token('cumbria')}"})
            assert me.status_code == 200 and me.json()["force_id"] == "cumbria"
    finally:
        stack.stop("gateway")
