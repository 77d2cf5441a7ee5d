"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright (no browser
download: the executable path is set). A national lead and a force lead sign in as a person would,
by pasting a token, and the figures the page shows must equal those the API gives the same token.
Full-page screenshots go to $NALOX_TEST_ARTIFACTS, or tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from ..support import REPO, wait_for

pytestmark = pytest.mark.e2e

FORCE = "dorset"  # a force no other dashboard test writes to
ADMINISTRATIONS = 6  # over 4, so the counts are shown rather than "<5"
#: The force lead's cards, as app.js labels them (data-figure), and the overview figure each shows.
CARDS = {"Provision": "provision_status", "Trained officers": "officers_trained",
         "Carrying naloxone": "officers_carrying", "Certifications lapsing (30 days)": "certifications_lapsing",
         "Kits in stock": "kits_in_stock", "Kits expiring (60 days)": "kits_expiring",
         "Administrations": "administrations", "Lives saved": "lives_saved",
         "Take-home supplies": "take_home_supplies", "Referrals": "referrals_made",
         "Open spike alerts": "spike_alerts_open"}


def chromium() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail("no chromium binary on PATH: this test drives Debian's Chromium (Playwright downloads no browser)."
                    " Install it with `apt-get install chromium` or run deploy/local/test-tools.sh as root.")
    return path


def artifacts() -> Path:
    directory = Path(os.environ.get("NALOX_TEST_ARTIFACTS") or REPO / "tests" / "artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def shown(value) -> str:
    """A figure as app.js's fmt() writes it (en-GB grouping); floats are compared as numbers instead."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int):
        return str(value)
    return f"{value:,}"


def same(text: str, value) -> bool:
    if isinstance(value, float):  # toLocaleString with at most 2 decimals
        try:
            return abs(float(text.replace(",", "")) - value) <= 0.005 + 1e-9
        except ValueError:
            return False
    return text == shown(value)


def administration() -> dict:
    now = datetime.now(UTC)
    return {
        "administered_by": "officer", "staff_number": f"DO{uuid.uuid4().hex[:6]}", "kit_source": "take_home_kit",
        "call_at": (now - timedelta(minutes=30)).isoformat(), "arrived_at": (now - timedelta(minutes=20)).isoformat(),
        "administered_at": (now - timedelta(minutes=18)).isoformat(), "doses": 2, "route": "intranasal",
        "suspected_substances": ["heroin"], "response_recorded": True, "responded_after_dose": 2,
        "ambulance_called": True, "ambulance_attended": True, "outcome": "alive_at_handover",
        "place": {"area_code": "BH1"}, "subject": {"local_identifier": f"CUST/{uuid.uuid4().hex[:8]}",
                                                  "age_band": "25_to_34", "sex": "male"},
    }


async def sign_in(page: Page, gateway: str, token: str, reads: str) -> tuple[dict, list[str]]:
    """Open the dashboard and paste the token into its sign-in form, as a person would. Answers the
    body of the API read (path `reads`) the page made, so the page is held to exactly what the API
    gave it, and the uncaught errors of the page's script."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{gateway}/dashboard")
    await page.get_by_label("Bearer token").fill(token)
    async with page.expect_response(lambda r: r.url.split("?")[0] == gateway + reads) as answer:
        await page.get_by_role("button", name="Sign in").click()
    response = await answer.value
    assert response.status == 200, (reads, await response.text())
    await expect(page.locator("#who")).to_contain_text("Signed in as")
    return await response.json(), errors


async def row_texts(row) -> dict[str, str]:
    cells = row.locator("td[data-column]")
    return {await c.get_attribute("data-column"): (await c.inner_text()).strip() for c in await cells.all()}


async def test_the_dashboard_in_chromium_shows_the_apis_figures(platform):
    executable = chromium()
    national_token = platform.issuer.mint(subject="lead@national", roles=["national_lead"])
    force_token = platform.token(FORCE, ["force_admin"])

    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        async def read(path: str, token: str) -> dict:
            r = await client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (path, r.text)
            return r.json()

        for _ in range(ADMINISTRATIONS):
            r = await client.post(f"/v1/forces/{FORCE}/administrations", json=administration(),
                                  headers={**platform.auth(FORCE, ["officer"]), "Idempotency-Key": f"k-{uuid.uuid4()}"})
            assert r.status_code == 201, r.text

        async def in_the_views():
            comparison = await read("/v1/national/comparison", national_token)
            row = next(x for x in comparison["rows"] if x["force_id"] == FORCE)
            overview = await read(f"/v1/forces/{FORCE}/overview", force_token)
            return (row["figures"]["administrations"] == ADMINISTRATIONS
                    and overview["figures"]["administrations"] == ADMINISTRATIONS)

        await wait_for(in_the_views, timeout=90, interval=0.5, message="the administrations in the views")

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
            try:
                # a national lead: the comparison table, a force's row and the total, as the API has them
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                page = await context.new_page()
                comparison, errors = await sign_in(page, platform.gateway, national_token, "/v1/national/comparison")
                await expect(page.locator("#national")).to_be_visible()
                await expect(page.locator("#force")).to_be_hidden()
                row = page.locator(f'#comparison tbody tr[data-force="{FORCE}"]')
                await expect(row.locator('td[data-column="administrations"]')).to_have_text(shown(ADMINISTRATIONS))
                total = page.locator("#comparison tfoot tr[data-total]")
                await expect(total.locator('td[data-column="administrations"]')).to_be_visible()
                api_row = next(x for x in comparison["rows"] if x["force_id"] == FORCE)
                # this force's figures are settled: the page's read and the test's own agree
                fresh = await read("/v1/national/comparison", national_token)
                assert next(x for x in fresh["rows"] if x["force_id"] == FORCE)["figures"] == api_row["figures"]
                await expect(row.locator("th")).to_have_text(api_row["force_name"])
                for page_row, figures in ((row, api_row["figures"]), (total, comparison["total"]["figures"])):
                    texts = await row_texts(page_row)
                    assert "administrations" in texts and "lives_saved" in texts, texts
                    wrong = {n: (t, figures.get(n)) for n, t in texts.items() if not same(t, figures.get(n))}
                    assert not wrong, f"page figures differ from the API's (page, API): {wrong}"
                assert await page.locator("#comparison tbody tr").count() == len(comparison["rows"])
                await expect(page.locator("#message")).to_be_hidden()
                await page.screenshot(path=artifacts() / "dashboard-national-lead.png", full_page=True)
                assert not errors, errors
                await context.close()

                # a force lead: their own force's cards, as /v1/forces/{force}/overview has them
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                page = await context.new_page()
                overview, errors = await sign_in(page, platform.gateway, force_token, f"/v1/forces/{FORCE}/overview")
                await expect(page.locator("#force")).to_be_visible()
                await expect(page.locator('#force-cards [data-figure="Administrations"]')).to_have_text(
                    shown(ADMINISTRATIONS))
                assert (await read(f"/v1/forces/{FORCE}/overview", force_token))["figures"] == overview["figures"]
                await expect(page.locator("#force-title")).to_have_text(
                    f"{overview['force_name']} ({overview['region']})")
                figures = overview["figures"]
                for label, name in CARDS.items():
                    value = figures.get(name)
                    if name == "provision_status" and not value:
                        value = "not recorded"
                    card = page.locator(f'#force-cards [data-figure="{label}"]')
                    if isinstance(value, float):
                        assert same((await card.inner_text()).strip(), value), (label, value)
                    else:
                        await expect(card).to_have_text(shown(value))
                await expect(page.locator("#message")).to_be_hidden()
                await page.screenshot(path=artifacts() / "dashboard-force-lead.png", full_page=True)
                assert not errors, errors
                await context.close()
            finally:
                await browser.close()
