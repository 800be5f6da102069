// The device's own web interface: the pages (static assets) and their JSON API, as pure
// request → response decisions over a WebContext. Both shells put it in front of the App:
//   web.handle(request) ?? app.handleHttp(request)
// and the device also offers a firmware upload's body to web.otaUpload(request).
//
// Routes (reading needs no password; changing needs the admin password and a same-site POST):
//   GET  /, /app.js, /app.css, /icon.svg   the pages
//   GET  /api/now         grid power, phases, energy, age, stale state
//   GET  /api/history     power of the last 10 minutes, for the chart
//   GET  /api/meter       link counters and rates, OBIS list and hex of the last frame, hints
//   GET  /api/system      firmware, uptime, reset reason, memory, update support
//   GET  /api/session     whether a password is set and this browser is logged in
//   GET  /api/login       salt, iterations and a one-time nonce for the login
//   POST /api/login       {nonce, proof} → session cookie
//   POST /api/logout
//   GET  /api/settings    schema, values (secrets blanked), notes, pending restart  [password]
//   POST /api/settings    {key: value, …} → saved, or {errors: {key: message}}     [password]
//   POST /api/restart                                                               [password]
//   POST /api/factory-reset  {"confirm": "factory-reset"}                           [password]
//   POST /api/ota         the firmware image as the raw body (streamed)             [password]
// Other paths (including /api/consumers, owned by the App) → null: not ours.

import { describeDecoded } from "../../sml/decode-file";
import { SmlDecoder } from "../../sml/decoder";
import { hex } from "../../sml/obis";
import { applyChanges, publicValues, schemaForPage, unknownSettingsMessage, type SettingValue } from "../config/schema";
import { isPlainObject, parseJsonBounded } from "../shelly/json-input";
import { AdminSessions, clearedSessionCookie, crossSiteProblem, sessionCookie } from "./admin-session";
import { assetResponse, findAsset } from "./assets";
import type { WebContext } from "./context";
import { meterHints } from "./hints";
import { jsonResponse, rounded, type WebBodySink, type WebRequest, type WebResponse } from "./web-http";

const PASSWORD_KEY = "admin.password";

export class WebInterface {
  readonly sessions: AdminSessions;
  /** Changed keys that wait for a restart (forgotten by the restart itself). */
  private readonly pendingRestart: string[] = [];
  private readonly startedMs: number;

  constructor(private readonly ctx: WebContext) {
    this.sessions = new AdminSessions((n) => ctx.randomBytes(n));
    this.startedMs = ctx.nowMs();
  }

  /** The answer to a request for one of our paths, or null when the path is not ours. */
  handle(req: WebRequest): WebResponse | null {
    let path = req.path;
    const q = path.indexOf("?");
    if (q >= 0) path = path.slice(0, q);
    if (!path.startsWith("/api/")) {
      const asset = findAsset(path);
      return asset === null ? null : assetResponse(asset, req, this.ctx.binaryBodies);
    }
    const method = req.method.toUpperCase();
    const read = method === "GET" || method === "HEAD";
    switch (path) {
      case "/api/now":
        return read ? jsonResponse(200, this.now()) : notAllowed("GET");
      case "/api/history":
        if (!read) return notAllowed("GET");
        return { ...jsonResponse(200, null), bytes: this.ctx.app.history.pointsJson(this.ctx.nowMs()) };
      case "/api/meter":
        return read ? jsonResponse(200, this.meter()) : notAllowed("GET");
      case "/api/system":
        return read ? jsonResponse(200, this.system(req)) : notAllowed("GET");
      case "/api/session":
        return read ? jsonResponse(200, this.session(req)) : notAllowed("GET");
      case "/api/login":
        return read ? this.loginChallenge() : this.changing(req, false, () => this.login(req));
      case "/api/logout":
        return this.changing(req, false, () => {
          this.sessions.logout(req.headers["cookie"]);
          return jsonResponse(200, { ok: true }, { "Set-Cookie": clearedSessionCookie() });
        });
      case "/api/settings":
        if (read) return this.authorized(req) ? jsonResponse(200, this.settingsView()) : loginNeeded();
        return this.changing(req, true, () => this.saveSettings(req));
      case "/api/restart":
        return this.changing(req, true, () => {
          this.ctx.restart();
          return jsonResponse(200, { ok: true, message: "Restarting." });
        });
      case "/api/factory-reset":
        return this.changing(req, true, () => {
          const body = parseJsonBounded(req.body, 2);
          if (!body.ok || !isPlainObject(body.value) || body.value.confirm !== "factory-reset") {
            return jsonResponse(400, { ok: false, message: 'Confirm with {"confirm": "factory-reset"}.' });
          }
          this.ctx.factoryReset();
          return jsonResponse(200, { ok: true, message: "Settings erased; restarting." });
        });
      case "/api/ota":
        // Bodies reach otaUpload() on shells that stream them; here only what is left.
        if (this.ctx.ota === null) return jsonResponse(501, { ok: false, message: "Firmware updates are not available here: update ir2shelly itself (git pull, npm ci)." });
        return this.changing(req, true, () => jsonResponse(411, { ok: false, message: "POST the firmware image as the request body." }));
    }
    return null;
  }

  /**
   * For shells that stream request bodies: a firmware upload to /api/ota becomes a sink
   * that writes to ctx.ota, or a refusal; null for every other request.
   */
  otaUpload(req: WebRequest): WebBodySink | WebResponse | null {
    if (req.path !== "/api/ota") return null;
    const ota = this.ctx.ota;
    if (ota === null) return jsonResponse(501, { ok: false, message: "Firmware updates are not available here." });
    const refused = this.refusal(req, true);
    if (refused !== null) return refused;
    const declared = req.headers["content-length"];
    const length = declared !== undefined && /^\d{1,10}$/.test(declared.trim()) ? Number(declared) : NaN;
    if (length !== length) return jsonResponse(411, { ok: false, message: "Content-Length is required." });
    if (length > ota.maxBytes) return jsonResponse(413, { ok: false, message: `The image (${length} bytes) is larger than the update partition (${ota.maxBytes} bytes).` });
    const problem = ota.begin(length);
    if (problem !== null) return jsonResponse(400, { ok: false, message: problem });
    let failed: string | null = null;
    let received = 0;
    return {
      data(bytes: Uint8Array): void {
        if (failed !== null) return;
        received += bytes.length;
        const p = ota.write(bytes);
        if (p !== null) {
          failed = p;
          ota.abort();
        }
      },
      end: () => {
        if (failed === null && received !== length) {
          failed = `The upload ended after ${received} of ${length} bytes.`;
          ota.abort();
        }
        if (failed === null) {
          const p = ota.finish();
          if (p !== null) {
            ota.abort();
            failed = p;
          }
        }
        if (failed !== null) return jsonResponse(400, { ok: false, message: failed });
        this.ctx.restart();
        return jsonResponse(200, { ok: true, message: "Update stored; restarting." });
      },
      abort(): void {
        if (failed === null) ota.abort();
        failed = "aborted";
      },
    };
  }

  // ---- reading ------------------------------------------------------------------------

  private now(): unknown {
    const app = this.ctx.app;
    const nowMs = this.ctx.nowMs();
    const model = app.model;
    const why = model.unavailable(nowMs);
    const ageMs = model.ageMs(nowMs);
    const view = why === null ? model.gridView(nowMs) : null;
    const l = model.latest;
    let power = NaN;
    let phases: unknown = null;
    let measured: unknown = null;
    if (view !== null) {
      power = view.totalActPower;
      phases = view.phases.map((p) => ({ power: rounded(p.actPower, 1), voltage: rounded(p.voltage, 1), current: rounded(p.current, 2), pf: rounded(p.pf, 2) }));
      measured = { phase_power: view.measured.phasePower, voltage: view.measured.voltage, current: view.measured.current, frequency: view.measured.frequency };
    } else if (why !== null && why.reason === "stale") {
      // The last value, for context only (marked stale on the page).
      power = l.power === l.power ? l.power : NaN;
    }
    return {
      state: why === null ? "ok" : why.reason,
      message: why === null ? null : why.reason === "no_data" ? "No valid frame from the meter since start." : why.reason === "stale" ? `No valid frame for ${Math.floor(why.ageMs / 1000)} s.` : "The meter sends no power value (enter its PIN).",
      age_s: rounded(ageMs / 1000, 1),
      stale_after_s: model.staleAfterMs / 1000,
      seq: model.framesAccepted,
      power: rounded(power, 1),
      phases,
      measured,
      frequency: view !== null ? rounded(view.phases[0].freq, 2) : null,
      import_kwh: rounded(l.importWh / 1000, 3),
      export_kwh: rounded(l.exportWh / 1000, 3),
      device_id: app.deviceId,
    };
  }

  private meter(): unknown {
    const ctx = this.ctx;
    const nowMs = ctx.nowMs();
    const input = ctx.app.input;
    const model = ctx.app.model;
    const counters = input.counters();
    const rates = ctx.app.history.rates(nowMs, counters);
    const link = ctx.meterLink();
    const l = model.latest;
    const frame = input.lastFrame;
    let decoded = null;
    if (frame.length > 0) {
      // Decode the kept copy again: the live decoder's offsets point into a buffer that the
      // next frame overwrites.
      const decoder = new SmlDecoder();
      if (decoder.decode(frame, 0, frame.length) === null) decoded = describeDecoded(decoder, "none");
    }
    const byteAgeMs = input.lastByteAt === input.lastByteAt ? nowMs - input.lastByteAt : NaN;
    return {
      link: { kind: link.kind, description: link.description, protocol: link.protocol, baud: link.baud, format: link.format },
      counters: {
        bytes: counters.bytes, frames_ok: counters.framesOk, crc_errors: counters.crcErrors, resyncs: counters.resyncs,
        truncated: counters.truncated, bad_escapes: counters.badEscapes, overflows: counters.overflows,
        discarded_bytes: counters.discardedBytes, decode_errors: counters.decodeErrors, kermit_frames: counters.kermitFrames,
        quirk_corrections: counters.quirkCorrections,
      },
      rates: rates === null ? null : {
        window_s: rates.windowS, frames_per_min: rounded(rates.framesPerMin, 1), crc_errors_per_min: rounded(rates.crcErrorsPerMin, 1),
        resyncs_per_min: rounded(rates.resyncsPerMin, 1), bytes_per_s: rounded(rates.bytesPerS, 1),
      },
      last_byte_age_s: rounded(byteAgeMs / 1000, 1),
      last_frame_age_s: rounded(model.ageMs(nowMs) / 1000, 1),
      last_error: input.lastError,
      last_error_age_s: rounded((nowMs - input.lastErrorAt) / 1000, 1),
      power_source: l.powerSource,
      manufacturer: l.manufacturer,
      server_id: decoded !== null && decoded.ok ? decoded.serverId : null,
      entries: decoded !== null && decoded.ok ? decoded.entries : [],
      frame_hex: hex(frame),
      frame_bytes: frame.length,
      hints: meterHints({
        link, counters, rates, unavailable: model.unavailable(nowMs), byteAgeMs, uptimeMs: nowMs - this.startedMs,
        staleAfterMs: model.staleAfterMs, lastError: input.lastError, powerSource: l.powerSource, energyResolutionWh: l.energyResolutionWh,
      }),
    };
  }

  private system(req: WebRequest): unknown {
    const info = this.ctx.system();
    const identity = this.ctx.app.device.identity;
    const ota = this.ctx.ota;
    return {
      firmware: info.firmware,
      fw_id: identity.firmwareId,
      emulated_version: identity.version,
      mac: identity.mac,
      platform: info.platform,
      uptime_s: info.uptimeS,
      reset_reason: info.resetReason,
      memory: { label: info.memory.label, total: info.memory.totalBytes, free: info.memory.freeBytes },
      details: info.details ?? [],
      ota: { available: ota !== null, max_bytes: ota !== null ? ota.maxBytes : 0 },
      restart_note: info.restartNote ?? null,
      factory_reset_note: info.factoryResetNote ?? null,
      pending_restart: this.pendingRestart.slice(),
      ...this.session(req),
    };
  }

  private session(req: WebRequest): { device_id: string; password_set: boolean; logged_in: boolean } {
    const stored = this.storedPassword();
    return { device_id: this.ctx.app.deviceId, password_set: stored !== "", logged_in: stored !== "" && this.sessions.hasSession(this.ctx.nowMs(), req.headers["cookie"]) };
  }

  private settingsView(): unknown {
    const values = this.ctx.settings();
    const notes = this.ctx.fieldNotes?.() ?? {};
    const { values: out, secretsSet } = publicValues(values);
    return { fields: schemaForPage(), values: out, secrets_set: secretsSet, notes, pending_restart: this.pendingRestart.slice() };
  }

  // ---- changing -------------------------------------------------------------------------

  private storedPassword(): string {
    const v = this.ctx.settings()[PASSWORD_KEY];
    return typeof v === "string" ? v : "";
  }

  private authorized(req: WebRequest): boolean {
    return this.sessions.authorized(this.ctx.nowMs(), this.storedPassword(), req.headers);
  }

  /** Why a changing request is refused (cross-site, no password), or null. */
  private refusal(req: WebRequest, needsPassword: boolean): WebResponse | null {
    const problem = crossSiteProblem(req.method, req.headers);
    if (problem !== null) return jsonResponse(problem === "Use POST." ? 405 : 403, { ok: false, message: problem }, problem === "Use POST." ? { Allow: "POST" } : undefined);
    if (needsPassword && !this.authorized(req)) return loginNeeded();
    return null;
  }

  private changing(req: WebRequest, needsPassword: boolean, act: () => WebResponse): WebResponse {
    return this.refusal(req, needsPassword) ?? act();
  }

  private loginChallenge(): WebResponse {
    const c = this.sessions.challenge(this.ctx.nowMs(), this.storedPassword());
    if (c === null) return jsonResponse(409, { ok: false, message: "No admin password is set." });
    return jsonResponse(200, c);
  }

  private login(req: WebRequest): WebResponse {
    const body = parseJsonBounded(req.body, 2);
    if (!body.ok || !isPlainObject(body.value)) return jsonResponse(400, { ok: false, message: "Send {nonce, proof}." });
    const result = this.sessions.login(this.ctx.nowMs(), this.storedPassword(), body.value.nonce, body.value.proof);
    if (!result.ok) return jsonResponse(result.status, { ok: false, message: result.message });
    return jsonResponse(200, { ok: true }, { "Set-Cookie": sessionCookie(result.token) });
  }

  private saveSettings(req: WebRequest): WebResponse {
    const parsed = parseJsonBounded(req.body, 4);
    if (!parsed.ok || !isPlainObject(parsed.value)) return jsonResponse(400, { ok: false, message: "Send the changes as a JSON object.", errors: {} });
    const changes = parsed.value;
    const current = this.ctx.settings();
    const notes = this.ctx.fieldNotes?.() ?? {};
    const lockedErrors: Record<string, string> = {};
    for (const key of Object.keys(changes)) {
      const note = notes[key];
      if (note !== undefined && note.locked && !sameValue(current[key], changes[key] as SettingValue)) lockedErrors[key] = note.note;
    }
    const salt = hexOf(this.ctx.randomBytes(8));
    const applied = applyChanges(current, changes, { salt });
    // Names no setting has were dropped by the parser (XS would keep every new name forever).
    const unknown = parsed.unknownNames;
    if (!applied.ok || Object.keys(lockedErrors).length > 0 || unknown.length > 0) {
      const errors = applied.ok ? lockedErrors : { ...applied.errors, ...lockedErrors };
      return jsonResponse(400, { ok: false, message: unknownSettingsMessage(unknown) ?? "Not saved: check the marked fields.", errors, unknown });
    }
    const changed: string[] = [];
    for (const key of Object.keys(changes)) if (!sameValue(current[key], applied.values[key])) changed.push(key);
    if (changed.length === 0) return jsonResponse(200, { ok: true, changed, restart: [], pending_restart: this.pendingRestart.slice() });
    const outcome = this.ctx.saveSettings(applied.values, changed);
    if (!outcome.ok) return jsonResponse(500, { ok: false, message: outcome.message, errors: {} });
    for (const key of outcome.pendingRestart) if (!this.pendingRestart.includes(key)) this.pendingRestart.push(key);
    let headers: Record<string, string> | undefined;
    if (changed.includes(PASSWORD_KEY)) {
      // A new password ends every session; whoever set it stays logged in.
      this.sessions.revokeAll();
      headers = applied.values[PASSWORD_KEY] === ""
        ? { "Set-Cookie": clearedSessionCookie() }
        : { "Set-Cookie": sessionCookie(this.sessions.open(this.ctx.nowMs())) };
    }
    return jsonResponse(200, { ok: true, changed, restart: outcome.pendingRestart, pending_restart: this.pendingRestart.slice() }, headers);
  }
}

/** webRoutes(ctx): the request handler alone, for shells that need nothing else. */
export function webRoutes(ctx: WebContext): (req: WebRequest) => WebResponse | null {
  const web = new WebInterface(ctx);
  return (req) => web.handle(req);
}

function notAllowed(allow: string): WebResponse {
  return jsonResponse(405, { ok: false, message: "Use " + allow + "." }, { Allow: allow });
}

function loginNeeded(): WebResponse {
  return jsonResponse(401, { ok: false, login: true, message: "Log in with the admin password first." });
}

function sameValue(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}
