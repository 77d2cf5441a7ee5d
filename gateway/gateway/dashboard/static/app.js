// The dashboard: reads the public API with the user's bearer token; holds no data of its own.
// Charts are drawn by Apache ECharts (/dashboard/vendor/echarts.min.js, built from the npm lock
// file by `make dashboard`); every chart has a table with the same figures, which stays the
// source of truth for screen readers and when the chart library is missing. Nothing is fetched
// from elsewhere and nothing runs inline (the page's CSP forbids both).
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
const MAP_SIZE = [10, 11];
const SHADES = ["#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"];
const COLOURS = { dark: "#003078", light: "#5694ca", red: "#d4351c", green: "#00703c", hidden: "#c8c8c8", ink: "#1b1b1b" };
const FUNNEL = [["Referrals made", "referrals_made"], ["Accepted", "referrals_accepted"],
  ["Engaged in treatment", "referrals_engaged"], ["Completed", "referrals_completed"]];
// In the funnel's table only: they are not stages of the funnel.
const FUNNEL_ASIDE = [["Declined", "referrals_declined"], ["Waiting", "referrals_waiting"]];

const state = { token: null, me: null, comparison: null, sort: "force_name", order: "asc", columns: [], mapFocus: null };
const $ = (id) => document.getElementById(id);
const KEYS_HELP = " With the chart focused, the arrow keys step through its figures.";
// Missing when `make dashboard` has not been run: the tables still show every figure.
const charting = typeof window.echarts === "object" && window.echarts !== null;
const NOT_BUILT = "The dashboard was not built: its chart library (/dashboard/vendor/echarts.min.js) is missing, so " +
  "the charts are not drawn (the tables still hold every figure). Run `make dashboard`.";
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

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

/** A figure as a chart plots it: hidden ("<5", "c") and missing figures are gaps (null), never numbers. */
function plotted(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
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

// ---------------------------------------------------------------- charts

/** The chart drawn in a container, made once; it follows the container's size (window resizes,
 * zoom, a section shown), so charts stay readable at 200% zoom. */
function chartIn(container) {
  let chart = window.echarts.getInstanceByDom(container);
  if (!chart) {
    // canvas: the SVG renderer writes style attributes, which the page's CSP (style-src 'self') refuses
    chart = window.echarts.init(container, null, { renderer: "canvas" });
    new ResizeObserver(() => chart.resize()).observe(container);
    if (container.id !== "map") keyboardFor(container);  // the map steps from tile to tile (mapKey)
  }
  return chart;
}

/** A canvas is one element to the keyboard: the chart takes the focus, and the arrow keys step
 * through its figures (Home and End to the ends), each shown with its tooltip and said in the line
 * below the chart, which screen readers announce. */
function keyboardFor(container) {
  const detail = el("p", { class: "chart-detail", role: "status", "aria-live": "polite" });
  container.after(detail);
  container.chartDetail = detail;  // draw() clears it, and knows by it that the chart steps by figure
  container.tabIndex = 0;
  container.setAttribute("role", "application");
  container.setAttribute("aria-roledescription", "chart");
  const show = (index) => {
    const points = container.naloxonePoints || [];
    if (!points.length) { detail.textContent = "No figures in this chart."; return; }
    const at = Math.max(0, Math.min(points.length - 1, index));
    container.naloxonePoint = at;
    detail.textContent = points[at].text;
    const chart = window.echarts.getInstanceByDom(container);
    chart.dispatchAction({ type: "downplay" });
    chart.dispatchAction({ type: "highlight", seriesIndex: points[at].seriesIndex, dataIndex: points[at].dataIndex });
    chart.dispatchAction({ type: "showTip", seriesIndex: points[at].seriesIndex, dataIndex: points[at].dataIndex });
  };
  container.addEventListener("keydown", (event) => {
    const at = container.naloxonePoint ?? -1;
    const last = (container.naloxonePoints || []).length - 1;
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: last }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    show(to);  // clamped to the figures there are
  });
  container.addEventListener("focus", () => container.naloxonePoint !== undefined && show(container.naloxonePoint));
  container.addEventListener("blur", () => {
    const chart = window.echarts.getInstanceByDom(container);
    chart.dispatchAction({ type: "hideTip" });
    chart.dispatchAction({ type: "downplay" });
  });
}

/** An axis tooltip as plain lines: ECharts' own writes style attributes into the page, which its
 * CSP (style-src 'self') refuses; what it shows is what the keyboard's line below says. */
function axisTip(params) {
  const text = (value) => String(value).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [text(params[0].axisValueLabel), ...params.map((p) => `${text(p.seriesName)}: ${text(pointFigure(p.value))}`)].join("<br>");
}

/** A figure as a chart's tooltip and keyboard line say it (a gap is "not plotted"). */
function pointFigure(value) {
  return value === null || value === undefined ? "not plotted" : fmt(value);
}

/** What the arrow keys step through: a funnel's stages, or a chart's categories (a month, a day, a
 * force) with every series' figure there. */
function pointsOf(option) {
  const series = option.series || [];
  if (series.length === 1 && series[0].type === "funnel") {
    return series[0].data.map((d, dataIndex) => ({ seriesIndex: 0, dataIndex, text: `${d.name}: ${pointFigure(d.value)}` }));
  }
  const axis = [].concat(option.xAxis || [], option.yAxis || []).find((a) => a.type === "category");
  if (!axis) return [];
  return axis.data.map((label, dataIndex) => ({ seriesIndex: 0, dataIndex,
    text: `${label}: ` + series.map((s) => `${s.name} ${pointFigure(s.data[dataIndex])}`).join("; ") }));
}

/** Draws `option` in the container (replacing what was there) with what every chart shares:
 * ECharts' aria label on the container (our one-line description: its own lists raw data
 * tuples, and the table beside each chart reads better), the page's font, no decorative motion
 * when the reader asks for less. Does nothing when the chart library was not built. */
function draw(container, option, description) {
  if (!charting) return null;
  const chart = chartIn(container);
  const stepped = container.chartDetail !== undefined;  // see keyboardFor (the map has its own keys)
  chart.setOption({
    aria: { enabled: true, label: { description: `${description}${stepped ? KEYS_HELP : ""} The table with this chart holds every figure.` },
      decal: { show: false } },
    animation: !reducedMotion,
    animationDuration: 300,
    textStyle: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif", fontSize: 13, color: COLOURS.ink },
    ...option,
    tooltip: { confine: true, formatter: option.tooltip?.trigger === "axis" ? axisTip : undefined, ...option.tooltip },
  }, { notMerge: true });
  if (stepped) {
    container.naloxonePoints = pointsOf(option);
    // redrawn (other figures, another force): start again from the first
    container.naloxonePoint = undefined;
    container.chartDetail.textContent = "";
  }
  return chart;
}

/** A table cell for a figure; hidden figures say why in their title, and in chart tables that they
 * are not plotted. */
function cell(tag, value, revision, inChart = false) {
  const hidden = HIDDEN.has(value);
  const why = value === "<5" ? "fewer than 5" : "hidden so no total reveals a small count";
  return el(tag, { class: hidden ? "hidden-cell" : null, title: hidden ? why : (revision ? `revised since by ${fmt(revision)}` : null) },
    fmt(value), hidden && inChart ? el("span", { class: "not-plotted" }, " (not plotted)") : null);
}

function hiddenNote(names) {
  return names.length ? ` Not plotted, figure hidden (<5 or c): ${names.join(", ")}.` : "";
}

/** A horizontal bar per force, in the order given (the table's order); hidden figures are gaps. */
function forceBars(container, items, seriesName, colour = COLOURS.dark) {
  // sized by the number of bars in rem, so the labels stay legible at any zoom
  container.style.height = `${Math.max(8, items.length * 1.6 + 4)}rem`;
  const top = items.filter((i) => plotted(i.value) !== null).sort((a, b) => b.value - a.value)[0];
  const description = `Bar chart of ${seriesName.toLowerCase()} for ${items.length} forces` +
    (top ? `; the highest is ${top.label} with ${fmt(top.value)}.` : ".");
  return draw(container, {
    grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#dddddd" } } },
    yAxis: { type: "category", inverse: true, data: items.map((i) => i.label), axisTick: { show: false },
      axisLabel: { width: 180, overflow: "truncate", interval: 0 } },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    series: [{ type: "bar", name: seriesName, data: items.map((i) => plotted(i.value)), itemStyle: { color: colour },
      barMaxWidth: 22, label: { show: true, position: "right", formatter: (p) => fmt(p.value) } }],
  }, description);
}

/** Administrations (bars), lives saved and deaths (lines) by month, with the table of every column. */
function renderTrends(months, columns, container, table) {
  const series = [["administrations", "bar", COLOURS.dark], ["lives_saved", "line", COLOURS.green],
    ["outcome_died", "line", COLOURS.red]].filter(([name]) => months.length === 0 || name in months[0]);
  const label = (name) => (columns.find((c) => c.name === name) || { label: name.replaceAll("_", " ") }).label;
  draw(container, {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, data: series.map(([name]) => label(name)) },
    tooltip: { trigger: "axis", confine: true },
    xAxis: { type: "category", data: months.map((m) => m.month) },
    yAxis: { type: "value", minInterval: 1 },
    series: series.map(([name, type, colour]) => ({
      type, name: label(name), data: months.map((m) => plotted(m[name])), itemStyle: { color: colour },
      lineStyle: type === "line" ? { width: 3 } : undefined, symbolSize: 7, connectNulls: false, barMaxWidth: 28,
    })),
  }, `Chart of ${series.map(([name]) => label(name).toLowerCase()).join(", ")} by month` +
    (months.length ? `, from ${months[0].month} to ${months[months.length - 1].month}.` : "; no months yet."));
  const hidden = months.filter((m) => series.some(([name]) => HIDDEN.has(m[name]))).map((m) => m.month);
  table.replaceChildren(
    el("caption", {}, "By month." + hiddenNote(hidden)),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Month"), columns.map((c) => el("th", { scope: "col" }, c.label)))),
    el("tbody", {}, months.map((m) => el("tr", { "data-month": m.month }, el("th", { scope: "row" }, m.month),
      columns.map((c) => cell("td", m[c.name], null, series.some(([name]) => name === c.name)))))));
}

/** The referral funnel's stages as ECharts funnel data: hidden stages are left out (a funnel has no gaps). */
function renderFunnel(figures, title, container, table) {
  const stages = FUNNEL.map(([label, key]) => ({ label, key, value: figures[key] }));
  const drawn = stages.filter((s) => plotted(s.value) !== null);
  draw(container, {
    tooltip: { trigger: "item", confine: true, formatter: (p) => `${p.name}: ${fmt(p.value)}` },
    series: [{ type: "funnel", name: title, sort: "none", gap: 3, minSize: "8%", left: "10%", width: "80%", top: 8, bottom: 8,
      data: drawn.map((s, i) => ({ name: s.label, value: s.value, itemStyle: { color: SHADES[4 - i] },
        label: { color: i < 2 ? "#ffffff" : COLOURS.ink } })),
      label: { show: true, position: "inside", fontSize: 14, formatter: (p) => `${p.name}: ${fmt(p.value)}` } }],
  }, `Funnel of ${title.toLowerCase()}: ` + drawn.map((s) => `${s.label.toLowerCase()} ${fmt(s.value)}`).join(", ") + ".");
  const hidden = stages.filter((s) => plotted(s.value) === null).map((s) => s.label);
  table.replaceChildren(el("caption", {}, `${title}.` + hiddenNote(hidden)),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Stage"), el("th", { scope: "col" }, "People"))),
    el("tbody", {}, [...stages, ...FUNNEL_ASIDE.map(([label, key]) => ({ label, key, value: figures[key], aside: true }))]
      .map((s) => el("tr", { "data-stage": s.key }, el("th", { scope: "row" }, s.label + (s.aside ? " (not a funnel stage)" : "")),
        cell("td", s.value, null, !s.aside)))));
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
  show(charting ? "" : NOT_BUILT);
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

/** The development sign-in picker: offered only when this gateway mints development tokens (the local
 * stack); anywhere else /dashboard/dev/identities answers 404 and the page keeps only the paste form. */
async function offerDevSignIn() {
  let identities;
  try {
    const response = await fetch("/dashboard/dev/identities", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    identities = (await response.json()).items;
  } catch (_) {
    return;
  }
  $("dev-identity").replaceChildren(...identities.map((i) => el("option", { value: i.id }, i.label)));
  $("dev-signin").hidden = false;
}

async function devSignIn(identity) {
  let body;
  try {
    const response = await fetch("/dashboard/dev/tokens", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ identity }),
    });
    body = await response.json();
    if (!response.ok) throw new Error(body.message || `${response.status}`);
  } catch (error) {
    show(`Development sign-in failed: ${error.message}`);
    return;
  }
  await signIn(body.token); // from here exactly as a pasted token
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
  renderMetricControls();
  renderMetric();
  renderExpiring();
  renderFunnelControls();
  renderNationalFunnel();
  const trends = await api("/v1/national/trends", { as_of: asOf });
  renderTrends(trends.months, trends.columns, $("trend-chart"), $("trend-table"));
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
  try {
    await loadNational();
    // the table was rebuilt: keep the keyboard on the heading just used
    const button = [...$("comparison").tHead.querySelectorAll("th")].find((th) => th.getAttribute("aria-sort") !== "none");
    if (button) button.querySelector("button").focus();
  } catch (error) { show(error.message); }
}

function renderMetricControls() {
  const select = $("metric");
  if (select.options.length) return;
  for (const c of state.columns.filter((c) => c.kind !== "status")) {
    select.append(el("option", { value: c.name, selected: c.name === "administrations_per_100k" ? true : null }, c.label));
  }
}

function metricLabel(metric) {
  return (state.columns.find((c) => c.name === metric) || {}).label || metric;
}

/** The chosen figure: the bars by force (in the comparison table's order) and the tile map. */
function renderMetric() {
  const metric = $("metric").value;
  const label = metricLabel(metric);
  const rows = state.comparison.rows;
  forceBars($("comparison-chart"), rows.map((r) => ({ label: r.force_name, value: r.figures[metric] })), label);
  $("bars-title").textContent = `Forces by ${label.toLowerCase()}`;
  $("comparison-chart-note").textContent = "In the comparison table's order; the comparison table holds the same figures." +
    hiddenNote(rows.filter((r) => HIDDEN.has(r.figures[metric])).map((r) => r.force_name));
  renderMap(metric, label);
}

// A tile's short label (the tooltip, the detail line and the table give the full name).
const CODES = {
  cleveland: "CLEV", durham: "DUR", northumbria: "NUM", cheshire: "CHES", cumbria: "CUMB", "greater-manchester": "GMP",
  lancashire: "LANC", merseyside: "MERS", humberside: "HUMB", "north-yorkshire": "NYP", "south-yorkshire": "SYP",
  "west-yorkshire": "WYP", derbyshire: "DERB", leicestershire: "LEIC", lincolnshire: "LINC", northamptonshire: "NHTS",
  nottinghamshire: "NOTT", staffordshire: "STAF", warwickshire: "WARW", "west-mercia": "WMER", "west-midlands": "WMP",
  bedfordshire: "BEDS", cambridgeshire: "CAMB", essex: "ESSX", hertfordshire: "HERT", norfolk: "NORF", suffolk: "SUFF",
  "city-of-london": "CoLP", metropolitan: "MPS", hampshire: "HANT", kent: "KENT", surrey: "SURR", sussex: "SUSX",
  "thames-valley": "TVP", "avon-and-somerset": "A&S", "devon-and-cornwall": "D&C", dorset: "DORS", gloucestershire: "GLOS",
  wiltshire: "WILT", "dyfed-powys": "DPP", gwent: "GWNT", "north-wales": "NWP", "south-wales": "SWP",
  "police-scotland": "SCOT", psni: "PSNI", btp: "BTP",
};

function tileOf(forceId) {
  return TILES[forceId] || [MAP_SIZE[0] - 1, MAP_SIZE[1] - 1];
}

function tileText(row, label) {
  const value = row.figures[state.mapMetric];
  const why = value === "<5" ? " (fewer than 5, not coloured)" : value === "c" ? " (hidden, not coloured)"
    : value === null || value === undefined ? " (not available)" : "";
  return `${row.force_name} (${row.region}): ${label} ${fmt(value)}${why}`;
}

/** The tile map: an ECharts heatmap on a grid of tile positions, coloured by the chosen figure
 * through a visualMap. Hidden and missing figures are grey tiles in a second, uncoloured series. */
function renderMap(metric, label) {
  state.mapMetric = metric;
  const rows = state.comparison.rows;
  const values = rows.map((r) => plotted(r.figures[metric])).filter((v) => v !== null);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(min + 1e-9, ...values) : 1;
  const tile = (r) => ({ name: r.force_id, value: [...tileOf(r.force_id), plotted(r.figures[metric]) ?? 0] });
  const coloured = rows.filter((r) => plotted(r.figures[metric]) !== null).map((r) => {
    const dark = (r.figures[metric] - min) / (max - min) > 0.45;
    return { ...tile(r), label: { color: dark ? "#ffffff" : COLOURS.ink } };
  });
  const grey = rows.filter((r) => plotted(r.figures[metric]) === null).map((r) => ({
    ...tile(r), itemStyle: { color: HIDDEN.has(r.figures[metric]) ? COLOURS.hidden : "#ffffff" } }));
  const byId = Object.fromEntries(rows.map((r) => [r.force_id, r]));
  const tileLabel = { show: true, fontSize: 11, fontWeight: 600, formatter: (p) => CODES[p.name] || p.name.slice(0, 4).toUpperCase() };
  const chart = draw($("map"), {
    grid: { left: 2, right: 2, top: 2, bottom: 56 },
    xAxis: { type: "category", data: [...Array(MAP_SIZE[0]).keys()], show: false },
    yAxis: { type: "category", data: [...Array(MAP_SIZE[1]).keys()], inverse: true, show: false },
    tooltip: { trigger: "item", confine: true, formatter: (p) => (byId[p.name] ? tileText(byId[p.name], label) : p.name) },
    visualMap: { type: "continuous", seriesIndex: 0, dimension: 2, min, max, calculable: false, orient: "horizontal",
      left: "center", bottom: 4, itemWidth: 14, itemHeight: 200, inRange: { color: SHADES },
      text: [fmt(max), fmt(min)], textGap: 8 },
    series: [
      { type: "heatmap", name: label, data: coloured, label: tileLabel,
        itemStyle: { borderColor: "#ffffff", borderWidth: 3 }, emphasis: { itemStyle: { borderColor: COLOURS.ink, borderWidth: 3 } } },
      { type: "heatmap", name: `${label}: hidden or not available`, data: grey, label: { ...tileLabel, color: COLOURS.ink },
        itemStyle: { borderColor: COLOURS.ink, borderWidth: 1 }, emphasis: { itemStyle: { borderColor: COLOURS.ink, borderWidth: 3 } } },
    ],
  }, `Tile map of ${rows.length} forces coloured by ${label.toLowerCase()}, from ${fmt(min)} (lightest) to ${fmt(max)} (darkest)` +
    `; ${grey.length} grey tiles have the figure hidden or not available. With the map focused, the arrow keys move from force to force.`);
  if (chart && !chart.naloxoneWired) {
    chart.naloxoneWired = true;
    chart.on("click", (p) => focusTile(p.name));
  }
  $("map-table").replaceChildren(el("caption", {}, `${label} by force, as the map colours it.` +
      hiddenNote(rows.filter((r) => HIDDEN.has(r.figures[metric])).map((r) => r.force_name))),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Force"), el("th", { scope: "col" }, "Region"),
      el("th", { scope: "col" }, label))),
    el("tbody", {}, rows.map((r) => el("tr", { "data-force": r.force_id }, el("th", { scope: "row" }, r.force_name),
      el("td", {}, r.region), cell("td", r.figures[metric], null, true)))));
  if (state.mapFocus) focusTile(state.mapFocus);
}

/** Shows one force's tile as chosen (by a click or the arrow keys): emphasised, its tooltip, and the
 * detail line that screen readers announce. */
function focusTile(forceId) {
  const row = state.comparison && state.comparison.rows.find((r) => r.force_id === forceId);
  if (!row) return;
  state.mapFocus = forceId;
  $("map-detail").textContent = tileText(row, metricLabel(state.mapMetric));
  const chart = charting && window.echarts.getInstanceByDom($("map"));
  if (!chart) return;
  const option = chart.getOption();
  chart.dispatchAction({ type: "downplay" });
  option.series.forEach((series, seriesIndex) => {
    const dataIndex = series.data.findIndex((d) => d.name === forceId);
    if (dataIndex >= 0) {
      chart.dispatchAction({ type: "highlight", seriesIndex, dataIndex });
      chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex });
    }
  });
}

const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Arrow keys on the focused map: to the nearest tile that way (along the axis first). */
function mapKey(event) {
  const step = ARROWS[event.key];
  if (!step || !state.comparison) return;
  event.preventDefault();
  const rows = state.comparison.rows;
  if (!state.mapFocus) { focusTile(rows[0].force_id); return; }
  const [x, y] = tileOf(state.mapFocus);
  let best = null;
  for (const r of rows) {
    const [tx, ty] = tileOf(r.force_id);
    const along = (tx - x) * step[0] + (ty - y) * step[1];
    if (along <= 0) continue;
    const across = Math.abs(step[0] ? ty - y : tx - x);
    const cost = along + 2 * across;
    if (!best || cost < best.cost) best = { cost, id: r.force_id };
  }
  if (best) focusTile(best.id);
}

function mapBlur() {
  const chart = charting && window.echarts.getInstanceByDom($("map"));
  if (chart) {
    chart.dispatchAction({ type: "hideTip" });
    chart.dispatchAction({ type: "downplay" });
  }
}

function renderExpiring() {
  const items = state.comparison.rows.filter((r) => typeof r.figures.kits_expiring === "number" && r.figures.kits_expiring > 0)
    .sort((a, b) => b.figures.kits_expiring - a.figures.kits_expiring).slice(0, 20)
    .map((r) => ({ id: r.force_id, label: r.force_name, value: r.figures.kits_expiring }));
  forceBars($("expiring-chart"), items, "Kits expiring within 60 days", COLOURS.dark);
  $("expiring-table").replaceChildren(el("caption", {}, items.length ? "Kits expiring within 60 days, by force"
    : "No force has kits expiring within 60 days."),
  el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Force"), el("th", { scope: "col" }, "Kits"))),
  el("tbody", {}, items.map((i) => el("tr", { "data-force": i.id }, el("th", { scope: "row" }, i.label), cell("td", i.value, null, true)))));
}

function renderFunnelControls() {
  const select = $("funnel-scope");
  if (select.options.length > 1) return;
  const byName = [...state.comparison.rows].sort((a, b) => a.force_name.localeCompare(b.force_name));
  for (const r of byName) select.append(el("option", { value: r.force_id }, r.force_name));
}

function renderNationalFunnel() {
  const scope = $("funnel-scope").value;
  const row = scope && state.comparison.rows.find((r) => r.force_id === scope);
  const figures = row ? row.figures : state.comparison.total.figures;
  renderFunnel(figures, `Referral funnel, ${row ? row.force_name : "all forces"}`, $("funnel-chart"), $("funnel-table"));
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
  const label = (n) => (body.columns.find((c) => c.name === n) || { label: n.replaceAll("_", " ") }).label;
  const months = body.months.map((m) => ({ ...m, mean_doses: m.administrations ? Math.round((100 * m.doses) / m.administrations) / 100 : null }));
  const monthColumns = ["administrations", "lives_saved", "outcome_died", "mean_doses", "take_home_supplies", "referrals_made"]
    .filter((n) => months.length === 0 || n in months[0]).map((n) => ({ name: n, label: n === "mean_doses" ? "Mean doses" : label(n) }));
  renderTrends(months, monthColumns, $("force-chart"), $("force-months"));
  renderFunnel(f, `Referral funnel, ${body.force_name}`, $("force-funnel-chart"), $("force-funnel-table"));
  renderDue(body.kits_expiring_by_day || {}, body.certifications_lapsing_by_day || {});
  const context = [["This force", f], [body.context.region.name, body.context.region.figures],
    ["All forces", body.context.national.figures]];
  const names = ["administrations", "lives_saved", "administrations_per_100k", "officers_trained_per_1000_officers",
    "take_home_supplies", "referrals_made"];
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

/** Kits expiring (60 days) and certifications lapsing (30 days), by the day they do. */
function renderDue(expiring, lapsing) {
  const days = [...new Set([...Object.keys(expiring), ...Object.keys(lapsing)])].sort();
  draw($("force-due-chart"), {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { type: "bar", name: "Kits expiring", data: days.map((d) => plotted(expiring[d] ?? 0)), itemStyle: { color: COLOURS.dark }, barMaxWidth: 24 },
      { type: "bar", name: "Certifications lapsing", data: days.map((d) => plotted(lapsing[d] ?? 0)), itemStyle: { color: COLOURS.light }, barMaxWidth: 24 },
    ],
  }, days.length ? `Bar chart of kits expiring and certifications lapsing by day, from ${days[0]} to ${days[days.length - 1]}.`
    : "No kits expiring or certifications lapsing soon.");
  $("force-due-table").replaceChildren(el("caption", {}, days.length ? "By day" : "No kits expiring or certifications lapsing soon."),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, "Kits expiring"),
      el("th", { scope: "col" }, "Certifications lapsing"))),
    el("tbody", {}, days.map((d) => el("tr", { "data-day": d }, el("th", { scope: "row" }, d),
      cell("td", expiring[d] ?? 0, null, true), cell("td", lapsing[d] ?? 0, null, true)))));
}

function list(target, lines) {
  target.replaceChildren(...(lines.length ? lines : ["none"]).map((line) => el("li", {}, line)));
}

// ---------------------------------------------------------------- wiring

document.addEventListener("DOMContentLoaded", () => {
  if (!charting) show(NOT_BUILT);
  $("signin").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    if (token) signIn(token);
  });
  $("signout").addEventListener("click", signOut);
  $("dev-signin").addEventListener("submit", (event) => {
    event.preventDefault();
    devSignIn($("dev-identity").value);
  });
  offerDevSignIn();
  $("national-controls").addEventListener("submit", (event) => {
    event.preventDefault();
    loadNational().catch((error) => show(error.message));
  });
  $("group").addEventListener("change", () => state.comparison && renderComparison());
  for (const form of ["metric-controls", "funnel-controls"]) $(form).addEventListener("submit", (event) => event.preventDefault());
  $("metric").addEventListener("change", () => state.comparison && renderMetric());
  $("funnel-scope").addEventListener("change", () => state.comparison && renderNationalFunnel());
  $("map").addEventListener("keydown", mapKey);
  $("map").addEventListener("focus", () => state.mapFocus && focusTile(state.mapFocus));
  $("map").addEventListener("blur", mapBlur);
  $("csv").addEventListener("click", downloadCsv);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
});
