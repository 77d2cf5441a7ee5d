"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright (no browser
download: the executable path is set). A national lead and a force lead sign in as a person would,
by pasting a token, and the figures the page shows must equal those the API gives the same token:
in the tables, and in every chart, read back from ECharts itself (getInstanceByDom(...).getOption())
and held to the API answer the page was given. The page is also read at 200% zoom, driven by the
keyboard, and checked for Content-Security-Policy violations; without its built chart library it
says so. Full-page screenshots go to $NALOX_TEST_ARTIFACTS, or tests/artifacts/."""

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


#: What the page's charts hold, read from ECharts: per chart its series (type, name, data), its
#: category axes, visualMap bounds, its aria label, and its drawn and container widths.
CHARTS_JS = """(ids) => {
  if (typeof window.echarts !== "object") return null;
  const plain = (d) => (d !== null && typeof d === "object" && !Array.isArray(d))
    ? { name: d.name, value: d.value } : d;
  const out = {};
  for (const id of ids) {
    const dom = document.getElementById(id);
    const chart = dom && window.echarts.getInstanceByDom(dom);
    if (!chart) { out[id] = null; continue; }
    const o = chart.getOption();
    const aria = Array.isArray(o.aria) ? o.aria[0] : o.aria;
    out[id] = {
      canvas: dom.querySelector("canvas") !== null, aria: dom.getAttribute("aria-label"),
      aria_on: !!(aria && aria.enabled),
      width: chart.getWidth(), box: dom.clientWidth,
      x: (o.xAxis || []).map((a) => a.data || null), y: (o.yAxis || []).map((a) => a.data || null),
      visual: (o.visualMap || []).map((v) => [v.min, v.max]),
      series: o.series.map((s) => ({ type: s.type, name: s.name, data: s.data.map(plain) })),
    };
  }
  return out;
}"""
NATIONAL_CHARTS = ["comparison-chart", "map", "trend-chart", "expiring-chart", "funnel-chart"]
FORCE_CHARTS = ["force-chart", "force-funnel-chart", "force-due-chart"]
FUNNEL = [("Referrals made", "referrals_made"), ("Accepted", "referrals_accepted"),
          ("Engaged in treatment", "referrals_engaged"), ("Completed", "referrals_completed")]


def plotted(value):
    """A figure as a chart must hold it: numbers as they are; hidden ("<5", "c") and missing ones as gaps."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


async def charts(page: Page, ids: list[str]) -> dict:
    """Every chart named, drawn by ECharts; fails with what the page says when it has no charts
    (e.g. the dashboard was not built)."""
    try:
        await page.wait_for_function(
            "(ids) => typeof window.echarts === 'object' && ids.every((id) => "
            "window.echarts.getInstanceByDom(document.getElementById(id)))", arg=ids, timeout=15_000)
    except Exception:  # noqa: BLE001 - reported with the page's own message below
        message = await page.locator("#message").inner_text()
        pytest.fail(f"the charts {ids} were not drawn by ECharts; the page says: {message!r}")
    drawn = await page.evaluate(CHARTS_JS, ids)
    for id_ in ids:
        c = drawn[id_]
        assert c["canvas"] and c["aria_on"], (id_, c)
        assert "The table with this chart holds every figure." in (c["aria"] or ""), (id_, c["aria"])
    return drawn


def series(chart: dict, name: str) -> list:
    found = [s["data"] for s in chart["series"] if s["name"] == name]
    assert found, (name, [s["name"] for s in chart["series"]])
    return found[0]


def check_trend_chart(chart: dict, months: list[dict], labels: dict[str, str]) -> None:
    """Administrations (bar), lives saved and deaths (lines) by month, as the API gave them."""
    assert chart["x"][0] == [m["month"] for m in months]
    kinds = {s["name"]: s["type"] for s in chart["series"]}
    for name, kind in (("administrations", "bar"), ("lives_saved", "line"), ("outcome_died", "line")):
        assert kinds[labels[name]] == kind, kinds
        assert series(chart, labels[name]) == [plotted(m[name]) for m in months], name


def check_funnel_chart(chart: dict, figures: dict) -> None:
    assert chart["series"][0]["type"] == "funnel"
    assert chart["series"][0]["data"] == [{"name": label, "value": figures[key]} for label, key in FUNNEL
                                          if plotted(figures[key]) is not None]


async def table_rows(page: Page, selector: str) -> list[list[str]]:
    return await page.locator(selector).evaluate(
        "(t) => [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim()))")


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
    gave it, and the uncaught errors of the page's script and the page's Content-Security-Policy
    violations (as they happen)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.expose_function("reportViolation", lambda text: errors.append(f"CSP violation: {text}"))
    await page.add_init_script("document.addEventListener('securitypolicyviolation', (e) => "
                               "window.reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`))")
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
                trends_path = platform.gateway + "/v1/national/trends"
                async with page.expect_response(lambda r: r.url.split("?")[0] == trends_path,
                                                timeout=30_000) as trends_answer:
                    comparison, errors = await sign_in(page, platform.gateway, national_token,
                                                       "/v1/national/comparison")
                trends = await (await trends_answer.value).json()
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

                # every chart drawn by ECharts, holding the API's figures (hidden ones as gaps)
                drawn = await charts(page, NATIONAL_CHARTS)
                rows, names = comparison["rows"], [r["force_name"] for r in comparison["rows"]]
                metric = await page.locator("#metric").input_value()
                bars = drawn["comparison-chart"]
                assert bars["y"][0] == names and bars["series"][0]["type"] == "bar"
                assert bars["series"][0]["data"] == [plotted(r["figures"][metric]) for r in rows], metric
                tiles = drawn["map"]
                assert [s["type"] for s in tiles["series"]] == ["heatmap", "heatmap"]
                coloured = {d["name"]: d["value"] for d in tiles["series"][0]["data"]}
                grey = {d["name"] for d in tiles["series"][1]["data"]}
                assert set(coloured) | grey == {r["force_id"] for r in rows} and not set(coloured) & grey
                for r in rows:
                    value = plotted(r["figures"][metric])
                    assert (coloured[r["force_id"]][2] == value) if value is not None else r["force_id"] in grey, r
                numbers = [v[2] for v in coloured.values()]
                assert tiles["visual"][0][0] == min(numbers) and tiles["visual"][0][1] >= max(numbers)
                check_trend_chart(drawn["trend-chart"], trends["months"],
                                  {c["name"]: c["label"] for c in trends["columns"]})
                expiring = sorted((r for r in rows if plotted(r["figures"]["kits_expiring"])), key=lambda r:
                                  -r["figures"]["kits_expiring"])[:20]
                assert drawn["expiring-chart"]["y"][0] == [r["force_name"] for r in expiring]
                assert drawn["expiring-chart"]["series"][0]["data"] == [r["figures"]["kits_expiring"] for r in expiring]
                check_funnel_chart(drawn["funnel-chart"], comparison["total"]["figures"])
                # ... and each chart's table holds the same figures
                assert [r[0] for r in await table_rows(page, "#trend-table")] == [m["month"] for m in trends["months"]]
                funnel_rows = {r[0]: r[1] for r in await table_rows(page, "#funnel-table")}
                for label, key in FUNNEL:
                    expected = comparison["total"]["figures"][key]
                    gap = " (not plotted)" if plotted(expected) is None else ""
                    assert funnel_rows[label] == shown(expected) + gap, (label, expected)
                map_rows = await table_rows(page, "#map-table")
                assert [r[0] for r in map_rows] == names
                assert all(same(r[2].removesuffix(" (not plotted)"), x["figures"][metric])
                           for r, x in zip(map_rows, rows))

                # another figure for the bars and the map: the force written above shows its administrations
                await page.locator("#metric").select_option("administrations")
                await expect(page.locator("#map-table")).to_contain_text("Administrations")
                drawn = await charts(page, ["comparison-chart", "map"])
                assert drawn["comparison-chart"]["series"][0]["data"] == [plotted(r["figures"]["administrations"])
                                                                         for r in rows]
                tile = next(d for d in drawn["map"]["series"][0]["data"] if d["name"] == FORCE)
                assert tile["value"][2] == ADMINISTRATIONS
                # one force's funnel
                await page.locator("#funnel-scope").select_option(FORCE)
                await expect(page.locator("#funnel-table caption")).to_contain_text(api_row["force_name"])
                check_funnel_chart((await charts(page, ["funnel-chart"]))["funnel-chart"], api_row["figures"])

                # the keyboard: a sort heading is a button, the map's tiles answer the arrow keys
                sort_button = page.locator("#comparison thead").get_by_role("button", name="Administrations",
                                                                             exact=True)
                await sort_button.focus()
                async with page.expect_response(lambda r: "sort=administrations" in r.url):
                    await page.keyboard.press("Enter")
                await expect(page.locator('#comparison th[aria-sort="descending"]')).to_have_text("Administrations")
                await expect(sort_button).to_be_focused()
                await page.locator("#map").focus()
                await page.keyboard.press("ArrowDown")
                await expect(page.locator("#map-detail")).to_contain_text("Administrations")
                before = await page.locator("#map-detail").inner_text()
                await page.keyboard.press("ArrowRight")
                await expect(page.locator("#map-detail")).not_to_have_text(before)
                # ... and every other chart takes the focus; the arrow keys step through its figures,
                # each said in the line below it
                bar_names = (await charts(page, ["comparison-chart"]))["comparison-chart"]["y"][0]  # as sorted now
                await page.locator("#comparison-chart").focus()
                await page.keyboard.press("ArrowDown")
                await expect(page.locator("#comparison-chart + .chart-detail")).to_contain_text(f"{bar_names[0]}: ")
                await page.keyboard.press("ArrowDown")
                await expect(page.locator("#comparison-chart + .chart-detail")).to_contain_text(f"{bar_names[1]}: ")

                await page.screenshot(path=artifacts() / "dashboard-national-lead.png", full_page=True)
                assert not errors, errors
                await context.close()

                # 200% zoom (half the CSS width, twice the pixels): no sideways scrolling of the page, and
                # every chart as wide as its box, following the window when it changes
                context = await browser.new_context(viewport={"width": 700, "height": 500}, device_scale_factor=2)
                page = await context.new_page()
                _, errors = await sign_in(page, platform.gateway, national_token, "/v1/national/comparison")
                drawn = await charts(page, NATIONAL_CHARTS)
                assert await page.evaluate("document.documentElement.scrollWidth"
                                           " <= document.documentElement.clientWidth")
                assert all(abs(c["width"] - c["box"]) <= 1 for c in drawn.values()), drawn
                await page.set_viewport_size({"width": 560, "height": 500})
                await page.wait_for_function("""() => {
                  const box = document.getElementById("trend-chart");
                  const drawn = echarts.getInstanceByDom(box).getWidth();
                  return box.clientWidth < 560 && Math.abs(drawn - box.clientWidth) <= 1;
                }""")
                await page.screenshot(path=artifacts() / "dashboard-national-lead-200-percent.png", full_page=True)
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
                drawn = await charts(page, FORCE_CHARTS)
                labels = {c["name"]: c["label"] for c in overview["columns"]}
                check_trend_chart(drawn["force-chart"], overview["months"], labels)
                assert series(drawn["force-chart"], labels["administrations"])[-1] == ADMINISTRATIONS
                check_funnel_chart(drawn["force-funnel-chart"], figures)
                expiring, lapsing = overview["kits_expiring_by_day"], overview["certifications_lapsing_by_day"]
                days = sorted({*expiring, *lapsing})
                due = drawn["force-due-chart"]
                assert due["x"][0] == days
                assert series(due, "Kits expiring") == [expiring.get(d, 0) for d in days]
                assert series(due, "Certifications lapsing") == [lapsing.get(d, 0) for d in days]
                chart_line = page.locator("#force-chart + .chart-detail")
                await page.locator("#force-chart").focus()
                await page.keyboard.press("End")
                await expect(chart_line).to_contain_text(f"{overview['months'][-1]['month']}: ")
                await expect(chart_line).to_contain_text(f"{labels['administrations']} {ADMINISTRATIONS};")
                await page.keyboard.press("Home")
                await expect(chart_line).to_contain_text(f"{overview['months'][0]['month']}: ")
                month_rows = await table_rows(page, "#force-months")
                assert [r[0] for r in month_rows] == [m["month"] for m in overview["months"]]
                for worklist in ("lapsing", "swap-due", "alerts", "waiting"):  # each says something, if only "none"
                    await expect(page.locator(f"#{worklist} li").first).to_be_visible()
                await page.screenshot(path=artifacts() / "dashboard-force-lead.png", full_page=True)
                assert not errors, errors
                await context.close()

                # without its built chart library the page says so plainly, and the tables still hold the figures
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                page = await context.new_page()
                await page.route("**/dashboard/vendor/echarts.min.js", lambda route: route.fulfill(
                    status=404, content_type="application/json", body='{"error":"not_found"}'))
                await sign_in(page, platform.gateway, national_token, "/v1/national/comparison")
                await expect(page.locator("#message")).to_contain_text("was not built")
                await expect(page.locator("#message")).to_contain_text("make dashboard")
                figure = page.locator(f'#comparison tbody tr[data-force="{FORCE}"] td[data-column="administrations"]')
                await expect(figure).to_have_text(shown(ADMINISTRATIONS))
                await context.close()
            finally:
                await browser.close()


async def test_the_development_sign_in_picker_signs_in_as_pasting_would(platform):
    """The test stack's gateway mints development tokens (as `make up`'s does): pick a national lead,
    then a force lead, with the keyboard, and the page shows what the same identity's pasted token
    would. Where the gateway answers 404 (a deployment), the page offers no picker."""
    executable = chromium()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.expose_function("reportViolation", lambda text: errors.append(f"CSP violation: {text}"))
            await page.add_init_script("document.addEventListener('securitypolicyviolation', (e) => "
                                       "window.reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`))")
            await page.goto(f"{platform.gateway}/dashboard")
            picker = page.get_by_label("Development identity")
            await expect(picker).to_be_visible()
            await expect(page.locator("#dev-signin legend")).to_contain_text("local development only")
            await expect(page.get_by_label("Bearer token")).to_be_visible()  # the paste form stays

            async def pick(identity: str, reads: str) -> dict:
                """Choose `identity` and sign in with the keyboard (Tab from the list to its button, Enter)."""
                await picker.select_option(identity)
                await picker.focus()
                await page.keyboard.press("Tab")
                await expect(page.get_by_role("button", name="Use this identity")).to_be_focused()
                async with page.expect_response(lambda r: r.url.split("?")[0] == platform.gateway + reads,
                                                timeout=30_000) as answer:
                    await page.keyboard.press("Enter")
                response = await answer.value
                assert response.status == 200, (reads, await response.text())
                token = (await response.request.all_headers())["authorization"].removeprefix("Bearer ")
                return {"token": token, "body": await response.json()}

            national = await pick("national-lead", "/v1/national/comparison")
            await expect(page.locator("#who")).to_have_text(
                "Signed in as dev-national_lead@national, national lead (aggregates only)")
            await expect(page.locator("#national")).to_be_visible()
            await expect(page.locator("#force")).to_be_hidden()
            await expect(page.locator("#comparison tbody tr")).to_have_count(len(national["body"]["rows"]))
            # the token is held as a pasted one is (this tab only)
            assert await page.evaluate("sessionStorage.getItem('naloxone.dashboard.token')") == national["token"]

            await page.get_by_role("button", name="Sign out").click()
            lead = await pick(f"force-lead:{FORCE}", f"/v1/forces/{FORCE}/overview")
            await expect(page.locator("#who")).to_have_text(
                f"Signed in as dev-force_admin@{FORCE}, {FORCE} (force_admin)")
            await expect(page.locator("#force")).to_be_visible()
            await expect(page.locator("#force-title")).to_have_text(
                f"{lead['body']['force_name']} ({lead['body']['region']})")
            async with httpx.AsyncClient(base_url=platform.gateway, timeout=20) as client:
                other = await client.get("/v1/forces/cumbria/overview",
                                         headers={"Authorization": f"Bearer {lead['token']}"})
                assert other.status_code == 403, other.text
            await expect(page.locator("#message")).to_be_hidden()
            await page.screenshot(path=artifacts() / "dashboard-development-sign-in.png", full_page=True)
            assert not errors, errors
            await context.close()

            # a gateway without the development issuer answers 404: the page has only the paste form
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            await page.route("**/dashboard/dev/identities", lambda route: route.fulfill(
                status=404, content_type="application/json", body='{"error":"not_found"}'))
            async with page.expect_response("**/dashboard/dev/identities"):
                await page.goto(f"{platform.gateway}/dashboard")
            await expect(page.get_by_label("Bearer token")).to_be_visible()
            await expect(page.locator("#dev-signin")).to_be_hidden()
            assert await page.get_by_label("Development identity").count() == 1  # in the page, never shown
            await context.close()
        finally:
            await browser.close()
