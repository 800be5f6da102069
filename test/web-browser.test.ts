// The device's pages in a real browser (Debian's chromium, driven by playwright-core)
// against `ir2shelly serve` on 127.0.0.1. Screenshots of every page, phone- and
// desktop-sized, go to artifacts/ (git-ignored) for a person to look at.

import test, { type ExecutionContext } from "ava";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { fixture, repoRoot } from "./support/fixtures";
import { openPtyPair, startServe, writePaced, type ServeProcess } from "./support/processes";
import { DZG_CAPTURE, freeUdpPorts, http, udpAsk, WsClient } from "./support/consumers";

const ARTIFACTS = path.join(repoRoot, "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });
const tmp = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-web-"));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const PAGES = ["now", "meter", "consumers", "settings", "system"] as const;
// Code that runs in the page is written as strings: this file is compiled without the DOM
// types, and the compiler adds no helpers to it.
const POWER_SHOWN = `document.getElementById("power").dataset.value`;
let settingsCounter = 0;

function settingsPath(): string {
  return path.join(tmp, `settings-${++settingsCounter}.json`);
}

/** Chromium with a fresh profile, closed after the test. */
async function browser(t: ExecutionContext, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.teardown(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  t.teardown(() => {
    if (errors.length > 0) t.log(`page errors: ${errors.join("; ")}`);
  });
  return { context, page };
}

async function serveSimulated(t: ExecutionContext, extra: string[] = ["--udp-ports", ""], settings = settingsPath()): Promise<ServeProcess> {
  const proc = await startServe(["--simulate", "--settings", settings, "--mac", "AABBCCDDEEFF", "--no-mdns", ...extra]);
  t.teardown(() => proc.stop());
  return proc;
}

/** A screenshot to artifacts/web-<name>.png: the whole page, or (fullPage false) what is on screen. */
async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `web-${name}.png`), fullPage });
}

/**
 * Waits until a JavaScript expression is truthy in the page. (Polled from here: the page's
 * Content-Security-Policy forbids the eval that waitForFunction needs for a string.)
 */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate<boolean>(`Boolean(${expression})`).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shownPower(page: Page): Promise<number | null> {
  const v = await page.locator("#power").getAttribute("data-value");
  return v === null || v === "" ? null : Number(v);
}

test.serial("Now: shows the simulated meter's power, follows its changes, renders within 200 ms", async (t) => {
  const serve = await serveSimulated(t);
  const { page } = await browser(t);
  // Time from navigation start to the power on screen. The browser is started first (its
  // own cold start is not the page's); the best of three loads counts, since the machine
  // may be busy with other tests.
  await page.goto(`http://127.0.0.1:${serve.port}/api/system`);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`http://127.0.0.1:${serve.port}/?load=${i}#now`);
    await until(page, POWER_SHOWN);
    times.push(await page.evaluate<number>(`performance.getEntriesByName("ir2shelly-now-rendered")[0]?.startTime ?? Infinity`));
  }
  t.log(`Now page rendered after ${times.map((x) => x.toFixed(0)).join(", ")} ms (navigation start → power shown)`);
  t.true(Math.min(...times) < 200, times.join());

  // What the page shows is what a battery reads, for the same frame. The page polls once a
  // second and the simulator sends once a second, so their phases may keep the page a frame
  // behind for long: right after a new frame, the test makes the page poll at once (the page
  // re-polls when it becomes visible) and compares within that frame.
  let matched = false;
  for (let i = 0; i < 5 && !matched; i++) {
    const seq0 = (await http(serve.port, "/api/now")).body.seq;
    const deadline = Date.now() + 3000;
    while ((await http(serve.port, "/api/now")).body.seq === seq0 && Date.now() < deadline) await page.waitForTimeout(20);
    await page.evaluate(`document.dispatchEvent(new Event("visibilitychange"))`);
    const before = (await http(serve.port, "/api/now")).body;
    await until(page, `Number(document.getElementById("power").dataset.seq) >= ${before.seq}`, 3000);
    const em = (await http(serve.port, "/rpc/EM.GetStatus?id=0")).body;
    const shownSeq = Number(await page.locator("#power").getAttribute("data-seq"));
    const shown = await shownPower(page);
    const after = (await http(serve.port, "/api/now")).body;
    if (before.seq === after.seq && shownSeq === before.seq) {
      t.is(shown, before.power);
      t.true(Math.abs(em.total_act_power - before.power) <= 0.05, `${em.total_act_power} vs ${before.power}`);
      matched = true;
    }
  }
  t.true(matched, "the page and the Shelly API agreed on a frame");
  const phaseText = await page.locator("#phases .w").allTextContents();
  t.is(phaseText.length, 3);
  t.false(phaseText.includes("–"), phaseText.join());

  // It follows: a new frame, a new value, without reloading the page.
  const first = Number(await page.locator("#power").getAttribute("data-seq"));
  await until(page, `Number(document.getElementById("power").dataset.seq) >= ${first + 2}`, 6000);
  const chartPoints = await page.locator("#chart path.line").getAttribute("d");
  t.true((chartPoints ?? "").split("L").length >= 3, "the chart draws the last frames");
  t.true(await page.locator("#stale").isHidden());
  t.is(await page.evaluate<number>(`performance.getEntriesByType("navigation").length`), 1, "no reload");
  t.regex(page.url(), /load=2#now$/);
});

test.serial("Now: the stale warning appears when the meter stops sending (serial pty)", async (t) => {
  const pty = await openPtyPair();
  t.teardown(() => pty.close());
  const proc = await startServe(["--serial", pty.readerEnd, "--stale-after", "2", "--settings", settingsPath(), "--mac", "AABBCCDDEEFF", "--no-mdns", "--udp-ports", ""]);
  t.teardown(() => proc.stop());
  const fd = openSync(pty.meterEnd, "w");
  t.teardown(() => closeSync(fd));
  const { page } = await browser(t, PHONE);
  await page.goto(`http://127.0.0.1:${proc.port}/#now`);
  await page.waitForSelector("#stale:not([hidden])");
  t.regex(await page.locator("#stale").innerText(), /stale|No valid frame/i);

  await writePaced(fd, fixture("sml/dzg-dvs7420-1.bin"), 9600, writeSync);
  await until(page, `document.getElementById("power").dataset.value === "216"`, 5000);
  t.true(await page.locator("#stale").isHidden());
  t.is(await page.locator("#dir").innerText(), "↓ importing from the grid");

  // The bytes stop: after 2 s the page warns, and shows the old value as old.
  await page.waitForSelector("#stale:not([hidden])", { timeout: 6000 });
  const warning = await page.locator("#stale").innerText();
  t.regex(warning, /Meter data is stale/);
  t.regex(warning, /No valid frame for \d+ s/);
  t.regex(warning, /offline behaviour/);
  t.is(await page.locator("#dir").innerText(), "last value (stale)");
  t.regex((await page.locator(".hero").getAttribute("class")) ?? "", /old/);
  await shoot(page, "now-stale-phone");

  // The Meter page says why, in words.
  await page.goto(`http://127.0.0.1:${proc.port}/#meter`);
  await page.waitForSelector("#hints .hint");
  await until(page, `/No bytes for/.test(document.getElementById("hints").innerText)`, 8000);
  t.regex(await page.locator("#hints").innerText(), /read head/);
  t.regex(await page.locator("#obis").innerText(), /16\.7\.0[\s\S]*215\.99 W/);
  await shoot(page, "meter-stale-phone");
});

test.serial("Settings: a wrong value shows its error and is not saved; a valid one is saved, takes effect and survives a restart", async (t) => {
  const settings = settingsPath();
  const [udpA, udpB] = await freeUdpPorts(2);
  writeFileSync(settings, JSON.stringify({ version: 1, values: { "emulation.udpPorts": [udpA] } }));
  let serve = await serveSimulated(t, [], settings);
  const { page } = await browser(t);
  await page.goto(`http://127.0.0.1:${serve.port}/#settings`);
  await page.waitForSelector("#settings:not([hidden])");
  const fileBefore = readFileSync(settings, "utf8");

  // Wrong: the browser says so next to the field and sends nothing.
  const posts: string[] = [];
  page.on("request", (r) => { if (r.method() === "POST") posts.push(r.url()); });
  await page.fill("#f-emulation\\.staleAfterS", "1");
  await page.click("#settings button[type=submit]");
  const error = page.locator('.field[data-key="emulation.staleAfterS"] .err');
  t.is(await error.innerText(), "Stale after (s) must be at least 2.");
  t.regex(await page.locator("#savemsg").innerText(), /Not saved/);
  t.deepEqual(posts, []);
  t.is(readFileSync(settings, "utf8"), fileBefore);
  // …and the server refuses it as well (a client that skips the page's checks).
  const refused = await page.evaluate(async () => {
    const r = await fetch("/api/settings", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ "emulation.staleAfterS": 1, "emulation.udpPorts": [4000, 4000] }) });
    return { status: r.status, body: (await r.json()) as { errors: Record<string, string> } };
  });
  t.is(refused.status, 400);
  t.regex(refused.body.errors["emulation.staleAfterS"], /at least 2/);
  t.regex(refused.body.errors["emulation.udpPorts"], /listed twice/);
  t.is(readFileSync(settings, "utf8"), fileBefore);
  await shoot(page, "settings-error-desktop", false);

  // Valid: saved, in effect at once (Gen1 off → /status answers 404; the stale timeout), and on disk.
  t.is((await http(serve.port, "/status")).status, 200);
  await page.fill("#f-emulation\\.staleAfterS", "7");
  await page.uncheck("#f-emulation\\.gen1");
  await page.fill("#f-emulation\\.udpPorts", String(udpB));
  await page.click("#settings button[type=submit]");
  await page.waitForSelector("#savemsg.ok");
  t.regex(await page.locator("#savemsg").innerText(), /Saved\. After a restart: UDP RPC ports\./);
  t.is(await error.innerText(), "");
  t.regex(await page.locator("#pending").innerText(), /Restart needed[\s\S]*UDP RPC ports/);
  t.is((await http(serve.port, "/status")).status, 404);
  t.is((await http(serve.port, "/api/now")).body.stale_after_s, 7);
  const saved = JSON.parse(readFileSync(settings, "utf8"));
  t.is(saved.values["emulation.staleAfterS"], 7);
  t.is(saved.values["emulation.gen1"], false);
  t.deepEqual(saved.values["emulation.udpPorts"], [udpB]);
  await shoot(page, "settings-saved-desktop", false);

  // A restart of the process with the same settings file keeps them.
  await serve.stop();
  serve = await startServe(["--simulate", "--settings", settings, "--mac", "AABBCCDDEEFF", "--no-mdns"]);
  t.teardown(() => serve.stop());
  await serve.waitFor(new RegExp(`UDP RPC on 127\\.0\\.0\\.1, port ${udpB}\\b`));
  t.is((await http(serve.port, "/status")).status, 404);
  t.is((await http(serve.port, "/api/now")).body.stale_after_s, 7);
  await page.goto(`http://127.0.0.1:${serve.port}/#settings`);
  await page.waitForSelector("#settings:not([hidden])");
  t.is(await page.inputValue("#f-emulation\\.staleAfterS"), "7");
  t.false(await page.isChecked("#f-emulation\\.gen1"));
  t.is(await page.inputValue("#f-emulation\\.udpPorts"), String(udpB));
  t.true(await page.locator("#pending").isHidden(), "nothing waits for a restart any more");
});

test.serial("the admin password protects every changing action; a cross-origin POST is refused", async (t) => {
  const settings = settingsPath();
  const serve = await serveSimulated(t, [], settings);
  const base = `http://127.0.0.1:${serve.port}`;

  // Cross-origin, no password set yet: another page (localhost is another origin than
  // 127.0.0.1) tries a restart and a factory reset as a simple, cookie-carrying POST.
  const { context, page } = await browser(t);
  await page.goto(`http://localhost:${serve.port}/#now`);
  await page.evaluate(async (target) => {
    for (const p of ["/api/restart", "/api/factory-reset", "/api/settings"]) {
      await fetch(target + p, { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body: '{"confirm":"factory-reset","emulation.gen1":false}' }).catch(() => {});
    }
  }, base);
  const crossForm = await page.evaluate(async (target) => {
    const r = await fetch(target + "/api/restart", { method: "POST", body: "{}" }).then((x) => x.status).catch((e) => String(e));
    return r;
  }, base);
  t.regex(String(crossForm), /TypeError|Failed/, "the browser does not let the other origin read anything either");
  await new Promise((r) => setTimeout(r, 300));
  t.is(serve.child.exitCode, null, "still running: no restart");
  t.notRegex(serve.output(), /restart requested|factory reset/);
  t.is((await http(serve.port, "/status")).status, 200, "settings unchanged");

  // The owner sets a password on the settings page; they stay logged in.
  await page.goto(`${base}/#settings`);
  await page.waitForSelector("#settings:not([hidden])");
  await page.fill("#f-admin\\.password", "correct horse");
  await page.fill("#f-admin\\.password-2", "correct horse");
  await page.click("#settings button[type=submit]");
  await page.waitForSelector("#savemsg.ok");
  const stored = JSON.parse(readFileSync(settings, "utf8")).values["admin.password"];
  t.regex(stored, /^s256i\$/);
  t.false(readFileSync(settings, "utf8").includes("correct horse"), "never stored as typed");
  t.true((await context.cookies()).some((c) => c.name === "ir2s_session" && c.httpOnly && c.sameSite === "Strict"));

  // Someone else (a fresh browser): reading works, every change is refused.
  const other = await browser(t, PHONE);
  await other.page.goto(`${base}/#now`);
  await until(other.page, POWER_SHOWN);
  // (A string, so that the test's compiler adds no helpers to the code run in the page.)
  const statuses = await other.page.evaluate(`(async () => {
    const post = async (p, body, type) => (await fetch(p, { method: "POST", headers: { "Content-Type": type || "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) })).status;
    return {
      settingsGet: (await fetch("/api/settings")).status,
      settings: await post("/api/settings", { "emulation.gen1": false }),
      restart: await post("/api/restart", {}),
      reset: await post("/api/factory-reset", { confirm: "factory-reset" }),
      ota: await post("/api/ota", "firmware", "application/octet-stream"),
      now: (await fetch("/api/now")).status,
      meter: (await fetch("/api/meter")).status,
      system: (await fetch("/api/system")).status,
    };
  })()`);
  t.deepEqual(statuses, { settingsGet: 401, settings: 401, restart: 401, reset: 401, ota: 501, now: 200, meter: 200, system: 200 });
  t.notRegex(serve.output(), /restart requested|factory reset|settings saved from the web page: emulation\.gen1/);

  await other.page.goto(`${base}/#settings`);
  await other.page.waitForSelector("#loginpw");
  await shoot(other.page, "settings-login-phone");
  await other.page.fill("#loginpw", "wrong");
  await other.page.click("form.login button");
  await until(other.page, `/Wrong password/.test(document.querySelector("form.login").textContent)`);
  await other.page.fill("#loginpw", "correct horse");
  await other.page.click("form.login button");
  await other.page.waitForSelector("#settings:not([hidden])");
  t.true(await other.page.locator("#loginpw").count() === 0);
  await other.page.goto(`${base}/#system`);
  await other.page.waitForSelector("#session button");
  t.regex(await other.page.locator("#session").innerText(), /logged in/);
  await shoot(other.page, "system-loggedin-phone");

  // The owner restarts from the System page: on the host that ends the process (a service
  // manager starts it again).
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${base}/#system`);
  await page.waitForSelector("#sysinfo dt");
  await page.click("#restart");
  await serve.waitFor(/restart requested on the web page/);
  await new Promise<void>((resolve) => { if (serve.child.exitCode !== null) resolve(); else serve.child.once("exit", () => resolve()); });
  t.is(serve.child.exitCode, 0);
});

test.serial("Consumers: lists a UDP and a WebSocket client after they polled", async (t) => {
  const [udpPort] = await freeUdpPorts(1);
  const proc = await startServe(["--replay", DZG_CAPTURE, "--settings", settingsPath(), "--mac", "AABBCCDDEEFF", "--no-mdns", "--bind", "127.0.0.1", "--udp-ports", String(udpPort)]);
  t.teardown(() => proc.stop());
  await proc.waitFor(/UDP RPC on/);
  const reply = await udpAsk(udpPort, JSON.stringify({ id: 1, src: "venus-test", method: "EM.GetStatus", params: { id: 0 } }));
  t.truthy(reply);
  const ws = await WsClient.open(proc.port);
  t.teardown(() => ws.close());
  await ws.call("EM.GetStatus", { id: 0 });
  await ws.call("EM.GetStatus", { id: 0 });

  const { page } = await browser(t, PHONE);
  await page.goto(`http://127.0.0.1:${proc.port}/#consumers`);
  await until(page, `document.querySelectorAll("#clients tbody tr").length >= 2`);
  const rows = await page.evaluate<string[][]>(`Array.from(document.querySelectorAll("#clients tbody tr"), (tr) => Array.from(tr.children, (td) => td.innerText))`);
  const udpRow = rows.find((r) => r[1].toLowerCase() === "udp");
  const wsRow = rows.find((r) => r[1].toLowerCase() === "ws");
  t.truthy(udpRow, JSON.stringify(rows));
  t.truthy(wsRow, JSON.stringify(rows));
  t.regex(udpRow![0], /127\.0\.0\.1[\s\S]*venus-test/);
  t.is(udpRow![2], "EM.GetStatus");
  t.is(udpRow![5], "1");
  t.regex(wsRow![0], /127\.0\.0\.1/);
  t.is(wsRow![2], "EM.GetStatus");
  t.is(wsRow![5], "2");
  t.regex(wsRow![3], /s ago/);
  t.false(rows.some((r) => /api\/|\/app\.js|^\/$/.test(r[2])), "the pages themselves are not consumers");
  await shoot(page, "consumers-phone");
  await page.setViewportSize(DESKTOP);
  await shoot(page, "consumers-desktop");
});

test.serial("an hour of updates once a second: the DOM and the chart stay bounded, memory stays flat", async (t) => {
  const serve = await serveSimulated(t);
  const { context, page } = await browser(t);
  // /api/now answered inside the page (no network, promises only), so that the fake clock
  // can run an hour of polling in seconds.
  await page.addInitScript(`(() => {
    const real = window.fetch.bind(window);
    let seq = 0;
    window.nowCalls = 0;
    window.fetch = (input, init) => {
      if (String(input) !== "/api/now") return real(input, init);
      seq++;
      window.nowCalls++;
      const phase = { power: 100, voltage: 230, current: 0.5, pf: 0.9 };
      const d = { state: "ok", message: null, age_s: 0.3, stale_after_s: 10, seq, power: Math.round(800 * Math.sin(seq / 40)), phases: [phase, phase, phase], measured: { voltage: true, current: true }, frequency: 50, import_kwh: 1000 + seq / 1000, export_kwh: 200, device_id: "shellypro3em-aabbccddeeff" };
      return Promise.resolve({ status: 200, ok: true, json: () => Promise.resolve(d) });
    };
  })()`);
  await page.clock.install();
  await page.goto(`http://127.0.0.1:${serve.port}/#now`);
  await until(page, `document.getElementById("power").dataset.seq`);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const heap = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const m = await cdp.send("Performance.getMetrics");
    return m.metrics.find((x) => x.name === "JSHeapUsedSize")!.value;
  };
  const state = () => page.evaluate<{ nodes: number; points: number; calls: number }>(`({
    nodes: document.getElementsByTagName("*").length,
    points: document.querySelector("#chart path.line").getAttribute("d").split(/[LM]/).length - 1,
    calls: window.nowCalls,
  })`);
  const start = await state();
  await page.clock.runFor(600_000);
  const tenMinutes = await state();
  const heapAt10 = await heap();
  const t0 = performance.now();
  await page.clock.runFor(3_000_000);
  const lastFiftyMinutesMs = performance.now() - t0;
  const hour = await state();
  const heapAt60 = await heap();
  t.log(`nodes ${start.nodes} → ${hour.nodes}; chart points ${tenMinutes.points} → ${hour.points}; updates ${hour.calls}; heap ${(heapAt10 / 1024).toFixed(0)} KB → ${(heapAt60 / 1024).toFixed(0)} KB; 3000 updates in ${lastFiftyMinutesMs.toFixed(0)} ms`);
  t.true(hour.calls >= 3590, `${hour.calls} updates`);
  t.is(hour.nodes, start.nodes, "no DOM growth");
  t.true(hour.points <= 601 && hour.points >= 590, `${hour.points} chart points`);
  t.true(heapAt60 - heapAt10 < 256 * 1024, `heap grew by ${heapAt60 - heapAt10} B`);
  t.true(lastFiftyMinutesMs / 3000 < 20, `${(lastFiftyMinutesMs / 3000).toFixed(1)} ms per update`);
  // Still responsive: another page opens at once.
  await page.click('nav a[href="#meter"]');
  t.true(await page.locator("#p-meter").isVisible());
});

test.serial("screenshots of every page, phone and desktop", async (t) => {
  const [udpPort] = await freeUdpPorts(1);
  const serve = await serveSimulated(t, ["--udp-ports", String(udpPort)]);
  await serve.waitFor(/UDP RPC on/);
  await udpAsk(udpPort, JSON.stringify({ id: 1, src: "venus", method: "EM.GetStatus", params: { id: 0 } }));
  await http(serve.port, "/rpc/Shelly.GetStatus");
  await new Promise((r) => setTimeout(r, 3000)); // a few frames for the chart
  for (const [name, viewport] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    const { page } = await browser(t, viewport);
    for (const p of PAGES) {
      await page.goto(`http://127.0.0.1:${serve.port}/#${p}`);
      await page.waitForSelector(`#p-${p}:not([hidden])`);
      await page.waitForTimeout(p === "now" ? 1200 : 600);
      const overflow = await page.evaluate<number>(`document.documentElement.scrollWidth - document.documentElement.clientWidth`);
      t.true(overflow <= 0, `${p} on ${name}: the page is ${overflow} px wider than the screen`);
      // Cards must end inside the screen too (overflow hidden by the body would not show above).
      const outside = await page.evaluate<string[]>(`Array.from(document.querySelectorAll("#p-${p} .card, #p-${p} fieldset"))
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((e) => e.className + " " + Math.round(e.getBoundingClientRect().right))`);
      t.deepEqual(outside, [], `${p} on ${name}`);
      await shoot(page, `${p}-${name}`);
    }
  }
  writeFileSync(path.join(ARTIFACTS, "web-screenshots.txt"), PAGES.flatMap((p) => [`web-${p}-phone.png`, `web-${p}-desktop.png`]).join("\n") + "\n");
  t.pass();
});
