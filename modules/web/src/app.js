// The device's pages: one small app, hash-routed (#now, #meter, #consumers, #settings,
// #system). Live values come from short JSON requests (/api/now once a second while the
// Now page is visible); the DOM of each page is built once and then only updated, and
// the chart keeps at most ten minutes of points, so that an open page does not grow.
// Bundled by scripts/build-web.js with the settings schema's own validation and the
// password hashing of ../../config, so that browser and device agree on both.

import { SCHEMA, validateField } from "../../config/schema.ts";
import { loginProof, stretchPassword } from "../../config/password.ts";

const $ = (id) => document.getElementById(id);
const WINDOW_MS = 600000;
const MAX_POINTS = 1200;
/** A gap longer than this breaks the chart's line. */
const GAP_MS = 15000;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) for (const k in attrs) {
    const v = attrs[k];
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

const formats = [];

/** x with exactly `decimals` digits, in the browser's language (formatters are made once: they are slow to create). */
function fmt(x, decimals) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  const f = formats[decimals] || (formats[decimals] = new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }));
  return f.format(x);
}

function ago(s) {
  if (s === null || s === undefined) return "never";
  if (s < 60) return fmt(s, s < 10 ? 1 : 0) + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min ago";
}

function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return (d ? d + " d " : "") + (d || h ? h + " h " : "") + m + " min " + (d ? "" : Math.floor(s % 60) + " s");
}

function bytes(n) {
  return n >= 1048576 ? fmt(n / 1048576, 1) + " MB" : n >= 1024 ? fmt(n / 1024, 0) + " KB" : n + " B";
}

// ---- requests ---------------------------------------------------------------------------

async function api(path, body) {
  const init = { credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    init.method = "POST";
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch {
    $("offline").hidden = false;
    return { status: 0, data: {} };
  }
  $("offline").hidden = true;
  let data = {};
  try { data = await r.json(); } catch { /* empty or not JSON */ }
  return { status: r.status, data };
}

// ---- pages and polling --------------------------------------------------------------------

const pages = {};
let page = null;
let timer = 0;
let run = 0;

/** Calls fn now and then every ms while its page is shown and the tab is visible. */
function poll(fn, ms) {
  const mine = ++run;
  clearTimeout(timer);
  const step = async () => {
    if (mine !== run) return;
    if (!document.hidden) await fn();
    if (mine === run) timer = setTimeout(step, ms);
  };
  step();
}

function route() {
  const name = pages[location.hash.slice(1)] ? location.hash.slice(1) : "now";
  if (page !== name) {
    for (const k in pages) $("p-" + k).hidden = k !== name;
    for (const a of $("nav").children) a.classList.toggle("on", a.getAttribute("href") === "#" + name);
    page = name;
  }
  run++;
  clearTimeout(timer);
  pages[name]();
}

addEventListener("hashchange", route);
document.addEventListener("visibilitychange", () => { if (!document.hidden && page === "now") route(); });

// ---- Now --------------------------------------------------------------------------------

const points = []; // [clientTimeMs, watts], oldest first
let lastSeq = -1;
let rendered = false;
let phaseEls = null;

function buildPhases() {
  phaseEls = [];
  for (let i = 0; i < 3; i++) {
    const w = el("span", { class: "w", text: "–" });
    const dd = () => el("dd", { text: "–" });
    const v = dd(), a = dd(), pf = dd();
    $("phases").append(el("div", { class: "card ph" }, el("h3", { text: "L" + (i + 1) }), el("div", null, w, " W"),
      el("dl", null, el("div", null, el("dt", { text: "U" }), v), el("div", null, el("dt", { text: "I" }), a), el("div", null, el("dt", { text: "PF" }), pf))));
    phaseEls.push({ w, v, a, pf });
  }
}

async function nowPage() {
  if (!phaseEls) buildPhases();
  if (points.length === 0) {
    const [h] = await Promise.all([api("/api/history"), tickNow()]);
    if (h.status === 200 && points.length <= 1) {
      const now = Date.now();
      points.length = 0;
      for (const [age, w] of h.data.points) points.push([now - age * 1000, w]);
      drawChart();
    }
  }
  poll(tickNow, 1000);
}

async function tickNow() {
  const { status, data: d } = await api("/api/now");
  if (status !== 200) return;
  $("devid").textContent = d.device_id;
  const ok = d.state === "ok";
  const hero = document.querySelector(".hero");
  const p = d.power;
  $("power").textContent = p === null ? "–" : fmt(Math.abs(p), Math.abs(p) < 10 ? 1 : 0);
  $("power").dataset.value = p === null ? "" : String(p);
  $("power").dataset.seq = d.seq;
  hero.className = "card hero " + (!ok ? "old" : p > 0.5 ? "imp" : p < -0.5 ? "exp" : "");
  const dir = $("dir");
  dir.className = "dir " + (ok ? (p > 0.5 ? "imp" : p < -0.5 ? "exp" : "") : "");
  dir.textContent = p === null ? (d.state === "no_power" ? "no power value" : "no value") :
    !ok ? "last value (stale)" : p > 0.5 ? "↓ importing from the grid" : p < -0.5 ? "↑ feeding into the grid" : "balanced";
  $("age").textContent = d.age_s === null ? "No frame from the meter yet." : "Last meter frame " + ago(d.age_s);
  const stale = $("stale");
  stale.hidden = ok;
  if (!ok) {
    stale.replaceChildren(el("b", { text: d.state === "no_power" ? "The meter sends no power value" : "Meter data is stale" }),
      (d.message || "") + " Batteries now get an error instead of a value (after " + d.stale_after_s + " s without a valid frame) and fall back to their own offline behaviour. ",
      el("a", { href: "#meter", text: "What is wrong?" }));
  }
  for (let i = 0; i < 3; i++) {
    const ph = d.phases ? d.phases[i] : null, e = phaseEls[i];
    e.w.textContent = ph ? fmt(ph.power, 0) : "–";
    e.v.textContent = ph ? fmt(ph.voltage, 1) + " V" : "–";
    e.v.className = ph && !d.measured.voltage ? "est" : "";
    e.v.title = ph && !d.measured.voltage ? "nominal: the meter sends no voltage" : "";
    e.a.textContent = ph ? fmt(ph.current, 2) + " A" : "–";
    e.a.className = ph && !d.measured.current ? "est" : "";
    e.pf.textContent = ph ? fmt(ph.pf, 2) : "–";
  }
  $("imp").textContent = fmt(d.import_kwh, 3);
  $("exp").textContent = fmt(d.export_kwh, 3);
  if (ok && d.seq !== lastSeq && p !== null) points.push([Date.now() - d.age_s * 1000, p]);
  lastSeq = d.seq;
  drawChart();
  if (!rendered) {
    rendered = true;
    performance.mark("ir2shelly-now-rendered");
  }
}

let chartEls = null;

function buildChart() {
  const c = $("chart");
  const clipI = svg("rect", { x: 0, y: 0, width: 0, height: 0 }), clipE = svg("rect", { x: 0, y: 0, width: 0, height: 0 });
  const ci = svg("clipPath", { id: "ci" }), ce = svg("clipPath", { id: "ce" });
  ci.append(clipI);
  ce.append(clipE);
  const defs = svg("defs", {});
  const area = svg("path", { id: "area" });
  defs.append(ci, ce, area);
  const zero = svg("line", { class: "zero" });
  const axis = svg("line", { class: "axis" });
  const line = svg("path", { class: "line" });
  const dot = svg("circle", { r: 3, class: "dot" });
  const texts = [0, 1, 2, 3, 4].map(() => svg("text", {}));
  c.append(defs, svg("use", { href: "#area", class: "ai", "clip-path": "url(#ci)" }), svg("use", { href: "#area", class: "ae", "clip-path": "url(#ce)" }), axis, zero, line, dot, ...texts);
  chartEls = { c, clipI, clipE, area, zero, axis, line, dot, texts };
}

function watts(w) {
  return Math.abs(w) >= 1000 ? fmt(w / 1000, w % 1000 ? 1 : 0) + " kW" : fmt(w, 0) + " W";
}

function niceStep(range) {
  const raw = range / 4, p = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function drawChart() {
  if (!chartEls) buildChart();
  const now = Date.now();
  while (points.length > 0 && (points[0][0] < now - WINDOW_MS || points.length > MAX_POINTS)) points.shift();
  const { c, clipI, clipE, area, zero, axis, line, dot, texts } = chartEls;
  const W = Math.max(200, c.clientWidth || 600), H = 220, L = 50, R = 8, T = 10, B = 22;
  c.setAttribute("viewBox", `0 0 ${W} ${H}`);
  let lo = 0, hi = 0;
  for (const [, w] of points) { if (w < lo) lo = w; if (w > hi) hi = w; }
  if (hi - lo < 100) { hi += 50; lo -= 50; }
  const step = niceStep(hi - lo);
  hi = Math.ceil(hi / step) * step;
  lo = Math.floor(lo / step) * step;
  const x = (t) => L + ((t - (now - WINDOW_MS)) / WINDOW_MS) * (W - L - R);
  const y = (w) => T + ((hi - w) / (hi - lo)) * (H - T - B);
  const y0 = y(0);
  let d = "", a = "", prevT = -Infinity, lastX = 0;
  for (const [t, w] of points) {
    const px = x(t).toFixed(1), py = y(w).toFixed(1);
    if (t - prevT > GAP_MS) {
      if (a) a += `L${lastX},${y0.toFixed(1)}Z`;
      d += `M${px},${py}`;
      a += `M${px},${y0.toFixed(1)}L${px},${py}`;
    } else {
      d += `L${px},${py}`;
      a += `L${px},${py}`;
    }
    lastX = px;
    prevT = t;
  }
  if (a) a += `L${lastX},${y0.toFixed(1)}Z`;
  line.setAttribute("d", d || "M0,0");
  const newest = points[points.length - 1];
  dot.style.display = newest ? "" : "none";
  if (newest) { dot.setAttribute("cx", x(newest[0]).toFixed(1)); dot.setAttribute("cy", y(newest[1]).toFixed(1)); }
  area.setAttribute("d", a || "M0,0");
  for (const [r, top, bottom] of [[clipI, T, y0], [clipE, y0, H - B]]) {
    r.setAttribute("x", L); r.setAttribute("width", W - L - R);
    r.setAttribute("y", top); r.setAttribute("height", Math.max(0, bottom - top));
  }
  for (const [e, x1, y1, x2, y2] of [[zero, L, y0, W - R, y0], [axis, L, H - B, W - R, H - B]]) {
    e.setAttribute("x1", x1); e.setAttribute("y1", y1); e.setAttribute("x2", x2); e.setAttribute("y2", y2);
  }
  const label = (e, tx, ty, text, anchor) => {
    e.setAttribute("x", tx); e.setAttribute("y", ty); e.setAttribute("text-anchor", anchor); e.textContent = text;
  };
  label(texts[0], L - 6, T + 9, watts(hi), "end");
  label(texts[1], L - 6, H - B, watts(lo), "end");
  label(texts[2], L - 6, y0 + 4, "0", "end");
  texts[2].style.display = y0 - T < 14 || H - B - y0 < 14 ? "none" : "";
  label(texts[3], L, H - 6, "−10 min", "start");
  label(texts[4], W - R, H - 6, "now", "end");
}

addEventListener("resize", () => { if (page === "now") drawChart(); });

pages.now = nowPage;

// ---- Meter ------------------------------------------------------------------------------

const OBIS_NAMES = {
  "1.8.0": "Energy imported, total", "1.8.1": "Energy imported, tariff 1", "1.8.2": "Energy imported, tariff 2",
  "2.8.0": "Energy exported, total", "2.8.1": "Energy exported, tariff 1", "2.8.2": "Energy exported, tariff 2",
  "16.7.0": "Power (import − export)", "15.7.0": "Power, absolute", "1.7.0": "Power imported", "2.7.0": "Power exported",
  "1.7.1": "Power imported", "36.7.0": "Power L1", "56.7.0": "Power L2", "76.7.0": "Power L3",
  "32.7.0": "Voltage L1", "52.7.0": "Voltage L2", "72.7.0": "Voltage L3",
  "31.7.0": "Current L1", "51.7.0": "Current L2", "71.7.0": "Current L3", "14.7.0": "Frequency",
  "81.7.1": "Phase angle U L2–L1", "81.7.2": "Phase angle U L3–L1", "81.7.4": "Phase angle I–U L1",
  "81.7.15": "Phase angle I–U L2", "81.7.26": "Phase angle I–U L3",
  "96.1.0": "Meter id", "96.50.1": "Manufacturer", "199.130.3": "Manufacturer", "96.5.0": "Status word", "0.0.9": "Device id",
  "0.2.0": "Firmware version", "96.90.2": "Firmware checksum", "97.97.0": "Error register", "0.0.0": "Owner number",
};

function entryText(e) {
  if ("value" in e) {
    const text = String(e.value), dot = text.indexOf(".");
    return fmt(e.value, dot < 0 || /e/i.test(text) ? 0 : Math.min(6, text.length - dot - 1)) + (e.unit ? " " + e.unit : "") + (e.raw ? " (raw " + e.raw + ")" : "");
  }
  if ("text" in e) return e.text;
  if ("hex" in e) return e.hex;
  if ("bool" in e) return String(e.bool);
  return "—";
}

function dl(target, rows) {
  target.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

function perMin(rates, key) {
  return rates ? " (" + fmt(rates[key], 1) + " per min)" : "";
}

async function tickMeter() {
  const { status, data: d } = await api("/api/meter");
  if (status !== 200) return;
  $("hints").replaceChildren(...d.hints.map((h) => el("div", { class: "card hint " + h.level }, el("b", { text: h.title }), el("p", { text: h.text }))));
  const c = d.counters, r = d.rates;
  const other = c.truncated + c.bad_escapes + c.overflows + c.decode_errors;
  dl($("link"), [
    ["Source", d.link.description],
    ["Protocol", d.link.protocol.toUpperCase() + (d.link.baud ? ", " + d.link.baud + " baud" : "") + (d.link.format ? " " + d.link.format : "")],
    ["Bytes received", fmt(c.bytes, 0) + (r ? " (" + fmt(r.bytes_per_s, 0) + " per s)" : "")],
    ["Last byte", ago(d.last_byte_age_s)],
    ["Frames ok", fmt(c.frames_ok, 0) + perMin(r, "frames_per_min")],
    ["CRC errors", fmt(c.crc_errors, 0) + perMin(r, "crc_errors_per_min")],
    ["Resyncs", fmt(c.resyncs, 0) + perMin(r, "resyncs_per_min")],
    ["Other errors", other + (other ? " (truncated " + c.truncated + ", bad escapes " + c.bad_escapes + ", overflows " + c.overflows + ", undecodable " + c.decode_errors + ")" : "")],
    ["Last problem", d.last_error ? d.last_error + ", " + ago(d.last_error_age_s) : "none"],
    ["Last valid frame", ago(d.last_frame_age_s)],
    ["Power from", d.power_source || "–"],
    ["Manufacturer", d.manufacturer || "–"],
    ["Meter id", d.server_id || "–"],
  ].concat(c.quirk_corrections ? [["Quirk corrections", String(c.quirk_corrections)]] : []));
  $("obis").tBodies[0].replaceChildren(...(d.entries.length ? d.entries.map((e) => {
    const m = /:(\d+\.\d+\.\d+)\*/.exec(e.obis);
    return el("tr", null, el("td", null, el("div", { text: (m && OBIS_NAMES[m[1]]) || "" }), el("code", { text: e.obis })), el("td", { class: "n", text: entryText(e) }));
  }) : [el("tr", null, el("td", { colspan: 2, class: "muted", text: "No valid frame yet." }))]));
  $("rawinfo").textContent = d.frame_bytes ? d.frame_bytes + " bytes of SML messages, without the frame's escape sequences." : "No valid frame yet.";
  $("raw").textContent = d.frame_hex.replace(/(..)/g, "$1 ").trim();
}

$("copyhex").addEventListener("click", () => {
  const range = document.createRange();
  range.selectNodeContents($("raw"));
  const s = getSelection();
  s.removeAllRanges();
  s.addRange(range);
  if (navigator.clipboard) navigator.clipboard.writeText($("raw").textContent.replace(/ /g, "")).catch(() => {});
});

pages.meter = () => poll(tickMeter, 2000);

// ---- Consumers --------------------------------------------------------------------------

async function tickConsumers() {
  const { status, data: d } = await api("/api/consumers");
  const body = $("clients").tBodies[0];
  if (status !== 200) {
    body.replaceChildren(el("tr", null, el("td", { colspan: 6, class: "muted", text: status === 401 ? "The Shelly password (set by a consumer through Shelly.SetAuth) protects this list." : "Not available." })));
    return;
  }
  $("noclients").hidden = d.clients.length > 0;
  body.replaceChildren(...d.clients.map((c) => el("tr", null,
    el("td", { "data-l": "Client" }, el("b", { text: c.address || "?" }), c.src ? el("div", { class: "muted", text: c.src }) : null),
    el("td", { "data-l": "Via" }, el("span", { class: "tag", text: c.transport })),
    el("td", { "data-l": "Last method" }, el("code", { text: c.last_method })),
    el("td", { "data-l": "Last request", class: "n", text: ago(c.last_age_s) }),
    el("td", { "data-l": "Rate", class: "n", text: c.requests > 1 ? fmt(c.rate_per_min, 1) + " /min" : "–" }),
    el("td", { "data-l": "Requests", class: "n", text: fmt(c.requests, 0) }))));
}

pages.consumers = () => poll(tickConsumers, 2000);

// ---- login ------------------------------------------------------------------------------

function loginForm(done) {
  const input = el("input", { type: "password", autocomplete: "current-password", placeholder: "Admin password", "aria-label": "Admin password", id: "loginpw" });
  const msg = el("span", { role: "status", class: "errmsg" });
  const form = el("form", { class: "login" }, input, el("button", { type: "submit", text: "Log in" }), msg);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    msg.textContent = "";
    const c = await api("/api/login");
    if (c.status !== 200) { msg.textContent = c.data.message || "Login failed."; return; }
    const proof = loginProof(stretchPassword(input.value, c.data.salt, c.data.iterations), c.data.nonce);
    const r = await api("/api/login", { nonce: c.data.nonce, proof });
    if (r.status !== 200) { msg.textContent = r.data.message || "Login failed."; input.select(); return; }
    input.value = "";
    done();
  });
  return [el("h2", { text: "Log in" }), el("p", { class: "muted", text: "Changing settings, updating and restarting need the admin password." }), form];
}

// ---- Settings ---------------------------------------------------------------------------

const GROUPS = { wifi: "WiFi", meter: "Meter", emulation: "Shelly emulation", admin: "Admin password" };
let settingsState = null;

async function settingsPage() {
  const { status, data } = await api("/api/settings");
  const form = $("settings");
  if (status === 401) {
    form.hidden = true;
    $("setlogin").replaceChildren(el("div", { class: "card" }, ...loginForm(settingsPage)));
    return;
  }
  $("setlogin").replaceChildren();
  if (status !== 200) return;
  settingsState = data;
  buildSettings(data);
  form.hidden = false;
  showPending(data.pending_restart);
}

function control(f, value, note) {
  const id = "f-" + f.key;
  const locked = note && note.locked;
  if (f.type === "bool") return el("input", { type: "checkbox", id, checked: value === true, disabled: locked });
  if (f.choices) {
    return el("select", { id, disabled: locked }, ...f.choices.map((c, i) => el("option", { value: String(c), text: f.choiceLabels ? f.choiceLabels[i] : String(c), selected: c === value })));
  }
  if (f.type === "secret") return el("input", { type: "password", id, autocomplete: "new-password", disabled: locked, placeholder: settingsState.secrets_set[f.key] ? "unchanged (set)" : "not set" });
  const text = Array.isArray(value) ? value.join(", ") : String(value);
  return el("input", { type: "text", id, value: text, disabled: locked, inputmode: f.type === "int" || f.type === "ports" ? "numeric" : null, autocomplete: "off", spellcheck: "false" });
}

function buildSettings(data) {
  const box = $("fields");
  box.replaceChildren();
  const sets = {};
  for (const f of data.fields) {
    if (data.notes[f.key] && data.notes[f.key].hidden) continue;
    if (!sets[f.group]) box.append(sets[f.group] = el("fieldset", null, el("legend", { text: GROUPS[f.group] || f.group })));
    const note = data.notes[f.key];
    const value = data.values[f.key];
    const input = control(f, value, note);
    const label = f.type === "bool" ? el("label", { class: "check" }, input, f.label) : el("label", { for: input.id, text: f.hashed ? "New " + f.label.toLowerCase() : f.label });
    if (f.restart) label.append(el("span", { class: "tag r", text: "needs restart" }));
    const field = el("div", { class: "field", "data-key": f.key }, label);
    if (f.type !== "bool") field.append(input);
    if (f.type === "secret") {
      if (f.hashed) field.append(el("input", { type: "password", id: input.id + "-2", autocomplete: "new-password", placeholder: "repeat", "aria-label": "Repeat " + f.label.toLowerCase() }));
      if (data.secrets_set[f.key]) field.append(el("label", { class: "check" }, el("input", { type: "checkbox", id: input.id + "-clear" }), f.hashed ? "Remove the password" : "Clear (no password)"));
    }
    field.append(el("div", { class: "help", text: f.help }));
    if (note) field.append(el("div", { class: "note", text: note.note }));
    field.append(el("div", { class: "err", role: "alert" }));
    sets[f.group].append(field);
  }
}

/** The value a control holds, typed as the schema wants it (invalid input stays text, for the message). */
function readControl(f) {
  const input = $("f-" + f.key);
  if (f.type === "bool") return input.checked;
  const raw = input.value.trim();
  if (f.type === "int") return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (f.type === "ports") return raw === "" ? [] : raw.split(/[\s,;]+/).filter((p) => p !== "").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (f.type === "mac") return raw.replace(/[:-]/g, "").toUpperCase();
  return f.type === "secret" ? input.value : raw;
}

function same(a, b) {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

function showErrors(errors) {
  let first = null;
  for (const f of settingsState.fields) {
    const field = document.querySelector(`.field[data-key="${f.key}"]`);
    if (!field) continue;
    const msg = errors[f.key] || "";
    field.classList.toggle("bad", msg !== "");
    field.querySelector(".err").textContent = msg;
    if (msg && !first) first = field;
  }
  if (first) first.scrollIntoView({ block: "center" });
}

$("settings").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const changes = {}, errors = {};
  for (const f of settingsState.fields) {
    const note = settingsState.notes[f.key];
    if (note && (note.locked || note.hidden)) continue;
    if (f.type === "secret") {
      const clear = $("f-" + f.key + "-clear");
      const typed = readControl(f);
      if (clear && clear.checked) changes[f.key] = "";
      else if (typed !== "") {
        const repeat = $("f-" + f.key + "-2");
        if (repeat && repeat.value !== typed) errors[f.key] = "The two passwords differ.";
        else changes[f.key] = typed;
      }
    } else {
      const v = readControl(f);
      if (!same(v, settingsState.values[f.key])) changes[f.key] = v;
    }
  }
  for (const key in changes) {
    const spec = SCHEMA.find((s) => s.key === key);
    const problem = spec ? validateField(spec, changes[key]) : null;
    if (problem) errors[key] = problem;
  }
  const msg = $("savemsg");
  msg.className = "";
  showErrors(errors);
  if (Object.keys(errors).length) { msg.textContent = "Not saved: check the marked fields."; msg.className = "errmsg"; return; }
  if (Object.keys(changes).length === 0) { msg.textContent = "Nothing changed."; return; }
  msg.textContent = "Saving…";
  const r = await api("/api/settings", changes);
  if (r.status === 401) { settingsPage(); return; }
  if (r.status !== 200) {
    showErrors(r.data.errors || {});
    msg.textContent = r.data.message || "Not saved.";
    msg.className = "errmsg";
    return;
  }
  await settingsPage();
  const restart = r.data.restart.map((k) => (SCHEMA.find((s) => s.key === k) || { label: k }).label);
  $("savemsg").textContent = "Saved." + (restart.length ? " After a restart: " + restart.join(", ") + "." : " In effect now.");
  $("savemsg").className = "ok";
});

function pendingBanner(target, keys) {
  target.hidden = !keys || keys.length === 0;
  if (target.hidden) return;
  const names = keys.map((k) => (SCHEMA.find((s) => s.key === k) || { label: k }).label).join(", ");
  target.replaceChildren(el("b", { text: "Restart needed" }), "Saved changes to " + names + " take effect after a restart. ",
    el("button", { type: "button", class: "small", text: "Restart now", onclick: () => doRestart(target) }));
}

function showPending(keys) {
  pendingBanner($("pending"), keys);
}

pages.settings = settingsPage;

// ---- System -----------------------------------------------------------------------------

let sys = null;
let sysAt = 0;

async function systemPage() {
  const { status, data: d } = await api("/api/system");
  if (status !== 200) return;
  sys = d;
  sysAt = Date.now();
  $("devid").textContent = d.device_id;
  dl($("sysinfo"), [
    ["Firmware", "ir2shelly " + d.firmware],
    ["Emulates", "Shelly Pro 3EM, firmware " + d.emulated_version],
    ["Firmware id", d.fw_id],
    ["Device id", d.device_id],
    ["MAC", d.mac.replace(/(..)(?!$)/g, "$1:")],
    ["Platform", d.platform],
    ["Uptime", duration(d.uptime_s)],
    ["Reset reason", d.reset_reason],
    [d.memory.label, bytes(d.memory.free) + " free of " + bytes(d.memory.total)],
    ...d.details,
  ]);
  $("nopw").hidden = d.password_set;
  pendingBanner($("syspending"), d.pending_restart);
  const session = $("session");
  if (d.password_set && !d.logged_in) session.replaceChildren(...loginForm(systemPage));
  else session.replaceChildren(el("h2", { text: "Admin" }), el("p", { class: "muted", text: d.password_set ? "You are logged in." : "No admin password is set." }),
    d.password_set ? el("button", { type: "button", class: "plain", text: "Log out", onclick: async () => { await api("/api/logout", {}); systemPage(); } }) : el("a", { href: "#settings", text: "Set a password" }));
  $("ota").hidden = !d.ota.available;
  $("nota").hidden = d.ota.available;
  $("nota").textContent = "Firmware updates are not available here: ir2shelly runs on " + d.platform + ". Update it with git pull and npm ci.";
  $("restartnote").textContent = d.restart_note || "The device restarts; batteries get no answer for a few seconds.";
  if (d.factory_reset_note) $("resetnote").textContent = d.factory_reset_note;
}

/** The device's uptime now (s), as a baseline to see a restart by. */
async function uptimeNow() {
  const { status, data } = await api("/api/system");
  return status === 200 ? data.uptime_s : Infinity;
}

/** After a restart: wait until the device answers again with a fresh uptime, then reload. */
async function waitForRestart(msgEl, before) {
  const t0 = Date.now();
  msgEl.textContent = "Restarting…";
  await new Promise((r) => setTimeout(r, 2000));
  while (Date.now() - t0 < 90000) {
    const { status, data } = await api("/api/system");
    if (status === 200 && data.uptime_s < before + (Date.now() - t0) / 1000 - 1) { location.reload(); return; }
    await new Promise((r) => setTimeout(r, 1500));
  }
  msgEl.textContent = "The device did not come back within 90 s. If ir2shelly runs without a service manager, start it again.";
}

async function doRestart(msgEl) {
  const before = await uptimeNow();
  const r = await api("/api/restart", {});
  if (r.status === 401) { location.hash = "#system"; route(); return; }
  if (r.status !== 200) { msgEl.textContent = r.data.message || "Refused."; return; }
  waitForRestart(msgEl, before);
}

$("restart").addEventListener("click", () => doRestart($("restartmsg")));

$("reset").addEventListener("click", async () => {
  if (!confirm("Erase every setting of this device and restart it? Batteries may need to be paired again.")) return;
  const before = await uptimeNow();
  const r = await api("/api/factory-reset", { confirm: "factory-reset" });
  if (r.status !== 200) { $("resetmsg").textContent = r.data.message || "Refused."; return; }
  waitForRestart($("resetmsg"), before);
});

$("otago").addEventListener("click", () => {
  const file = $("otafile").files[0];
  const msg = $("otamsg"), bar = $("otaprog");
  if (!file) { msg.textContent = "Choose the firmware file first."; return; }
  if (sys && file.size > sys.ota.max_bytes) { msg.textContent = "This file is larger than the update partition."; return; }
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/ota");
  xhr.setRequestHeader("Content-Type", "application/octet-stream");
  bar.hidden = false;
  bar.value = 0;
  $("otago").disabled = true;
  const before = sys ? sys.uptime_s + (Date.now() - sysAt) / 1000 : Infinity;
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) { bar.value = (100 * e.loaded) / e.total; msg.textContent = "Uploading… " + Math.floor(bar.value) + " %"; } };
  xhr.onload = () => {
    let d = {};
    try { d = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
    $("otago").disabled = false;
    if (xhr.status === 200) waitForRestart(msg, before);
    else msg.textContent = d.message || "The update failed (" + xhr.status + ").";
  };
  xhr.onerror = () => { $("otago").disabled = false; msg.textContent = "The upload broke off."; };
  xhr.send(file);
});

pages.system = systemPage;

api("/api/session").then((r) => { if (r.data.device_id) $("devid").textContent = r.data.device_id; });
route();
