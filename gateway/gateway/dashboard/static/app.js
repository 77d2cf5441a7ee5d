// The dashboard: reads the public API with the user's bearer token; holds no data of its own.
// Plain JavaScript, no build step and nothing fetched from elsewhere (the page's CSP forbids it).
"use strict";

const TOKEN_KEY = "naloxone.dashboard.token";
const HIDDEN = new Set(["<5", "c"]);
const OVERVIEW = ["provision_status", "officers_trained", "officers_carrying", "kits_expiring", "administrations",
  "lives_saved", "take_home_supplies", "referrals_made", "spike_alerts_open", "administrations_per_100k",
  "officers_carrying_per_1000_officers"];
// One tile per force, placed roughly geographically: [column, row] on a 10 x 11 grid.
const TILES = {
  "police-scotland": [4, 0], psni: [1, 1], northumbria: [5, 1], cumbria: [4, 2], durham: [5, 2],
  lancashire: [3, 3], "north-yorkshire": [5, 3], cleveland: [6, 3], merseyside: [3, 4], "greater-manchester": [4, 4],
  "west-yorkshire": [5, 4], humberside: [6, 4], "north-wales": [2, 5], cheshire: [3, 5], derbyshire: [4, 5],
  "south-yorkshire": [5, 5], lincolnshire: [6, 5], "dyfed-powys": [1, 6], staffordshire: [3, 6],
  nottinghamshire: [4, 6], leicestershire: [5, 6], norfolk: [7, 6], "west-mercia": [2, 7], "west-midlands": [3, 7],
  warwickshire: [4, 7], northamptonshire: [5, 7], cambridgeshire: [6, 7], suffolk: [7, 7], "south-wales": [1, 8],
  gwent: [2, 8], gloucestershire: [3, 8], "thames-valley": [4, 8], bedfordshire: [5, 8], hertfordshire: [6, 8],
  essex: [7, 8], "avon-and-somerset": [2, 9], wiltshire: [3, 9], hampshire: [4, 9], surrey: [5, 9],
  metropolitan: [6, 9], "city-of-london": [7, 9], "devon-and-cornwall": [1, 10], dorset: [3, 10], sussex: [5, 10],
  kent: [6, 10], btp: [8, 10],
};
const SHADES = ["#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"];

const state = { token: null, me: null, comparison: null, sort: "force_name", order: "asc", columns: [] };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function fmt(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return value.toLocaleString("en-GB", { maximumFractionDigits: 2 });
  return String(value);
}

function show(message) {
  $("message").textContent = message;
  $("message").hidden = !message;
}

async function api(path, params = {}, accept = "application/json") {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const url = query.toString() ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${state.token}`, Accept: accept } });
  if (!response.ok) {
    let detail = `${response.status}`;
    try { detail = (await response.json()).message || detail; } catch (_) { /* not JSON */ }
    const error = new Error(`${path}: ${detail}`);
    error.status = response.status;
    throw error;
  }
  return accept === "application/json" ? response.json() : response.blob();
}

// ---------------------------------------------------------------- sign-in

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/v1/me");
  } catch (error) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    show(`Sign-in failed: ${error.message}`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  show("");
  $("signout").hidden = false;
  const me = state.me;
  $("who").textContent = me.kind === "national" ? `Signed in as ${me.subject}, national lead (aggregates only)`
    : `Signed in as ${me.subject}, ${me.force_id || me.org || ""} (${me.roles.join(", ")})`;
  const analyst = me.roles.some((r) => ["trainer", "force_admin", "auditor"].includes(r));
  $("national").hidden = !(me.kind === "national" || (me.kind === "force" && analyst));
  $("force").hidden = !(me.kind === "force" && analyst);
  if ($("national").hidden && $("force").hidden) {
    show("This identity may not read analytics (submit-only roles record; they do not read figures).");
    return;
  }
  const loads = [];
  if (!$("force").hidden) loads.push(loadForce(me.force_id));
  if (!$("national").hidden) loads.push(loadNational());
  await Promise.all(loads.map((p) => p.catch((error) => show(error.message))));
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = state.me = null;
  $("national").hidden = $("force").hidden = $("signout").hidden = true;
  $("who").textContent = "Signed out.";
}

// ---------------------------------------------------------------- national

function groupColumns(group) {
  if (group === "overview") return OVERVIEW.map((n) => state.columns.find((c) => c.name === n)).filter(Boolean);
  return state.columns.filter((c) => c.group === group || (group === "inventory" && c.group === "alerts"));
}

async function loadNational() {
  const asOf = $("as-of").value || null;
  const body = await api("/v1/national/comparison", { sort: state.sort, order: state.order, as_of: asOf });
  state.comparison = body;
  state.columns = body.columns;
  $("suppression-note").textContent = body.suppression.rule + (body.as_of ? `. Figures as they stood at the end of ${body.as_of}; ` +
    "the revision since is shown in each cell's description." : ".");
  renderComparison();
  renderMapControls();
  renderMap();
  renderExpiring();
  renderFunnel();
  const trends = await api("/v1/national/trends", { as_of: asOf });
  renderTrends(trends, $("trend-chart"), $("trend-table"));
}

function cell(tag, value, revision) {
  const hidden = HIDDEN.has(value);
  return el(tag, { class: hidden ? "hidden-cell" : null, title: hidden ? (value === "<5" ? "fewer than 5" : "hidden so no total reveals a small count") :
    (revision ? `revised since by ${fmt(revision)}` : null) }, fmt(value));
}

function renderComparison() {
  const table = $("comparison");
  const columns = groupColumns($("group").value);
  const head = el("tr", {}, el("th", { scope: "col", "aria-sort": ariaSort("force_name") },
    el("button", { type: "button", onclick: () => resort("force_name") }, "Force")));
  for (const c of columns) {
    head.append(el("th", { scope: "col", "aria-sort": ariaSort(c.name), title: c.description || null },
      el("button", { type: "button", onclick: () => resort(c.name) }, c.label)));
  }
  table.tHead.replaceChildren(head);
  // data-force / data-total and data-column: stable hooks for the browser test (no effect on the page)
  const figureCell = (figures, revisions, c) => {
    const td = cell("td", figures[c.name], revisions && revisions[c.name]);
    td.dataset.column = c.name;
    return td;
  };
  const rows = state.comparison.rows.map((r) => el("tr", { "data-force": r.force_id },
    el("th", { scope: "row" }, r.force_name), columns.map((c) => figureCell(r.figures, r.revisions, c))));
  table.tBodies[0].replaceChildren(...rows);
  const t = state.comparison.total;
  table.tFoot.replaceChildren(el("tr", { "data-total": true }, el("th", { scope: "row" }, t.name),
    columns.map((c) => figureCell(t.figures, t.revisions, c))));
}

function ariaSort(name) {
  if (state.sort !== name) return "none";
  return state.order === "desc" ? "descending" : "ascending";
}

async function resort(name) {
  state.order = state.sort === name ? (state.order === "desc" ? "asc" : "desc")
    : (name === "force_name" ? "asc" : "desc");
  state.sort = name;
  try { await loadNational(); } catch (error) { show(error.message); }
}

function renderMapControls() {
  const select = $("map-metric");
  if (select.options.length) return;
  for (const c of state.columns.filter((c) => c.kind !== "status")) {
    select.append(el("option", { value: c.name, selected: c.name === "administrations_per_100k" ? true : null }, c.label));
  }
}

function renderMap() {
  const metric = $("map-metric").value;
  const label = (state.columns.find((c) => c.name === metric) || {}).label || metric;
  const values = state.comparison.rows.map((r) => r.figures[metric]).filter((v) => typeof v === "number");
  const sorted = [...values].sort((a, b) => a - b);
  const cut = (q) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
  const bounds = [cut(0.2), cut(0.4), cut(0.6), cut(0.8)];
  const shade = (v) => bounds.filter((b) => v > b).length;
  const map = $("map");
  map.replaceChildren();
  for (const row of state.comparison.rows) {
    const [x, y] = TILES[row.force_id] || [9, 10];
    const value = row.figures[metric];
    const tile = el("button", { type: "button", "aria-label": `${row.force_name}: ${label} ${fmt(value)}`,
      onclick: () => { $("map-detail").textContent = `${row.force_name} (${row.region}): ${label} ${fmt(value)}`; } },
      row.force_name.replace(/ (Police|Constabulary|Police Service)$/, "").slice(0, 18));
    tile.style.gridColumn = String(x + 1);
    tile.style.gridRow = String(y + 1);
    if (typeof value === "number") {
      const level = shade(value);
      tile.style.background = SHADES[level];
      if (level >= 2) tile.classList.add("dark");
    } else if (value === null || value === undefined) {
      tile.classList.add("none");
    }
    map.append(tile);
  }
  $("map-legend").replaceChildren(...SHADES.map((colour, i) => {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = colour;
    const lo = i === 0 ? (sorted[0] ?? 0) : bounds[i - 1];
    return el("span", {}, swatch, i === 4 ? `over ${fmt(lo)}` : `${i === 0 ? "" : "over "}${fmt(lo)} to ${fmt(bounds[i])}`);
  }), el("span", {}, el("span", { class: "swatch" }), "hidden (<5 or c)"), el("span", {}, "hatched: not available"));
}

function barsH(container, table, items, caption) {
  const max = Math.max(1, ...items.map((i) => (typeof i.value === "number" ? i.value : 0)));
  container.setAttribute("aria-label", `${caption}: ` + items.map((i) => `${i.label} ${fmt(i.value)}`).join(", "));
  container.replaceChildren(...items.map((i) => {
    const bar = el("div", { class: "bar" });
    bar.style.width = `${typeof i.value === "number" ? (100 * i.value) / max : 0}%`;
    return el("div", { class: "row", "aria-hidden": "true" }, el("span", { class: "label" }, i.label),
      el("span", { class: "track" }, bar), el("span", { class: "value" }, fmt(i.value)));
  }));
  table.replaceChildren(el("caption", {}, caption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Item"), el("th", { scope: "col" }, "Value"))),
    el("tbody", {}, items.map((i) => el("tr", {}, el("th", { scope: "row" }, i.label), cell("td", i.value)))));
}

function renderExpiring() {
  const items = state.comparison.rows.filter((r) => typeof r.figures.kits_expiring === "number" && r.figures.kits_expiring > 0)
    .sort((a, b) => b.figures.kits_expiring - a.figures.kits_expiring).slice(0, 20)
    .map((r) => ({ label: r.force_name, value: r.figures.kits_expiring }));
  barsH($("expiring-chart"), $("expiring-table"), items, "Kits expiring within 60 days");
}

function renderFunnel() {
  const t = state.comparison.total.figures;
  const steps = [["Referrals made", "referrals_made"], ["Accepted", "referrals_accepted"],
    ["Engaged in treatment", "referrals_engaged"], ["Completed", "referrals_completed"],
    ["Declined", "referrals_declined"], ["Waiting", "referrals_waiting"]];
  barsH($("funnel-chart"), $("funnel-table"), steps.map(([label, key]) => ({ label, value: t[key] })),
    "Referral funnel, all forces");
}

function renderTrends(trends, chart, table) {
  const months = trends.months;
  const max = Math.max(1, ...months.map((m) => (typeof m.administrations === "number" ? m.administrations : 0)));
  chart.setAttribute("aria-label", `Administrations and lives saved by month from ${months[0]?.month || "–"} to ` +
    `${months[months.length - 1]?.month || "–"}; the table below holds every figure.`);
  chart.replaceChildren(...months.map((m) => {
    const a = el("div", { class: "bar", title: `${m.month}: ${fmt(m.administrations)} administrations` });
    const l = el("div", { class: "bar second", title: `${m.month}: ${fmt(m.lives_saved)} lives saved` });
    a.style.height = `${typeof m.administrations === "number" ? (100 * m.administrations) / max : 0}%`;
    l.style.height = `${typeof m.lives_saved === "number" ? (100 * m.lives_saved) / max : 0}%`;
    return el("div", { class: "col", "aria-hidden": "true" }, a, l);
  }));
  const columns = ["administrations", "lives_saved", "outcome_died", "mean_doses", "take_home_supplies",
    "referrals_made", "officers_trained"].filter((c) => months.length === 0 || c in months[0]);
  table.replaceChildren(
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Month"),
      columns.map((c) => el("th", { scope: "col" }, c.replaceAll("_", " "))))),
    el("tbody", {}, months.map((m) => el("tr", {}, el("th", { scope: "row" }, m.month), columns.map((c) => cell("td", m[c]))))));
}

async function downloadCsv() {
  try {
    const blob = await api("/v1/national/comparison", { sort: state.sort, order: state.order,
      as_of: $("as-of").value || null, format: "csv" }, "text/csv");
    const link = el("a", { href: URL.createObjectURL(blob), download: `national-comparison-${$("as-of").value || "today"}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    show(error.message);
  }
}

// ---------------------------------------------------------------- a force lead's own force

async function loadForce(force) {
  const body = await api(`/v1/forces/${force}/overview`);
  $("force-title").textContent = `${body.force_name} (${body.region})`;
  const f = body.figures;
  const cards = [["Provision", f.provision_status || "not recorded"], ["Trained officers", f.officers_trained],
    ["Carrying naloxone", f.officers_carrying], ["Certifications lapsing (30 days)", f.certifications_lapsing],
    ["Kits in stock", f.kits_in_stock], ["Kits expiring (60 days)", f.kits_expiring],
    ["Administrations", f.administrations], ["Lives saved", f.lives_saved], ["Take-home supplies", f.take_home_supplies],
    ["Referrals", f.referrals_made], ["Open spike alerts", f.spike_alerts_open]];
  $("force-cards").replaceChildren(...cards.map(([label, value]) =>
    el("div", { class: "card" }, el("span", { class: "value", "data-figure": label }, fmt(value)), label)));
  renderTrends({ months: body.months.map((m) => ({ ...m, mean_doses: m.administrations ? m.doses / m.administrations : null })) },
    $("force-chart"), $("force-months"));
  const context = [["This force", f], [body.context.region.name, body.context.region.figures],
    ["All forces", body.context.national.figures]];
  const names = ["administrations", "lives_saved", "administrations_per_100k", "officers_trained_per_1000_officers",
    "take_home_supplies", "referrals_made"];
  const label = (n) => (body.columns.find((c) => c.name === n) || { label: n }).label;
  $("force-context").replaceChildren(
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Scope"), names.map((n) => el("th", { scope: "col" }, label(n))))),
    el("tbody", {}, context.map(([name, figures]) => el("tr", {}, el("th", { scope: "row" }, name),
      names.map((n) => cell("td", figures[n]))))));
  list($("alerts"), (body.open_spike_alerts || []).map((a) =>
    `Area ${a.area_code}: ${a.administrations} administrations${a.window_end ? ` (window to ${a.window_end.slice(0, 16)})` : ""}`));
  const worklist = async (target, path, params, line) => {
    try {
      const data = await api(path, params);
      list(target, (data.items || []).map(line));
    } catch (error) {
      list(target, [error.status === 404 || error.status === 503 ? "not available" : error.message]);
    }
  };
  await Promise.all([
    worklist($("lapsing"), `/v1/forces/${force}/training/lapsing`, { within_days: 30, limit: 20 },
      (o) => `${o.staff_number}: valid until ${o.valid_until}`),
    worklist($("swap-due"), `/v1/forces/${force}/inventory/swap-due`, {},
      (k) => `${k.label || k.kit_id}: ${k.reason}, expires ${k.expires_on}`),
    worklist($("waiting"), `/v1/forces/${force}/referrals`, { status: "offered", limit: 20 },
      (r) => `${(r.referral_id || "").slice(0, 8)}: ${r.scheme || ""} ${r.referred_at ? r.referred_at.slice(0, 10) : ""}`),
  ]);
}

function list(target, lines) {
  target.replaceChildren(...(lines.length ? lines : ["none"]).map((line) => el("li", {}, line)));
}

// ---------------------------------------------------------------- wiring

document.addEventListener("DOMContentLoaded", () => {
  $("signin").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    if (token) signIn(token);
  });
  $("signout").addEventListener("click", signOut);
  $("national-controls").addEventListener("submit", (event) => {
    event.preventDefault();
    loadNational().catch((error) => show(error.message));
  });
  $("group").addEventListener("change", () => state.comparison && renderComparison());
  $("map-metric").addEventListener("change", renderMap);
  $("csv").addEventListener("click", downloadCsv);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
});
