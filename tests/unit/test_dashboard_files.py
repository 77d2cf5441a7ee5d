"""The dashboard's built chart library as the gateway serves it: from the build's folder when it
is there, and when it is not, a 404 that says the dashboard was not built and how to build it."""

import json

import httpx
from fastapi import FastAPI

from gateway import dashboard


async def get(api: FastAPI, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        return await client.get(path)


async def test_the_built_library_is_served_and_its_absence_is_explained(tmp_path, monkeypatch):
    built = tmp_path / "echarts.min.js"
    monkeypatch.setitem(dashboard.BUILT, "echarts.min.js", built)
    api = FastAPI()
    dashboard.mount_dashboard(api)

    missing = await get(api, "/dashboard/vendor/echarts.min.js")
    assert missing.status_code == 404 and "make dashboard" in missing.json()["message"]
    assert missing.headers["content-security-policy"] == dashboard.CONTENT_SECURITY_POLICY

    built.write_text("/* built after the gateway started */")  # looked up per request: no restart needed
    served = await get(api, "/dashboard/vendor/echarts.min.js")
    assert served.status_code == 200 and served.text.startswith("/* built")
    assert served.headers["content-type"].startswith("text/javascript")

    other = await get(api, "/dashboard/vendor/other.js")
    assert other.status_code == 404 and json.loads(other.text)["message"] == "no such dashboard file"
