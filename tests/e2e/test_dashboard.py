"""The dashboard through the gateway: public static files with the right content types and a strict
Content-Security-Policy, nothing loaded from elsewhere, the built chart library (ECharts, by
`make dashboard`) served from this origin, and no figures without a token."""

import json
import re

import httpx
import pytest

from ..support import REPO

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
