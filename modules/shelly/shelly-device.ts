// The RPC core of the emulated Shelly Pro 3EM: one dispatcher behind every transport
// (HTTP REST and frames, WebSocket, UDP, MQTT). Responses are built as JSON text from
// the component table; nothing here knows which shell runs it.
//
// Stale meter data: when the grid source has no fresh view, every method that reports
// meter values fails with -114 "Meter data unavailable: …" (HTTP 503 in REST): EM.*/
// EMData.GetStatus, and Shelly.GetStatus as a whole, so that a battery polling only
// Shelly.GetStatus (MaxxiCharge CCU) falls back to its offline behaviour instead of
// regulating on old values. Methods that report no meter values keep working.

import type { GridView } from "../meter/grid-view";
import { COMPONENTS, METHOD_LIST_ORDER, componentByKey, type ComponentDef } from "./components";
import { frameChallenge, httpChallenge, verifyBasic, verifyFrameAuth, verifyHttpDigest } from "./digest-auth";
import { applyConfig, writeFields, type FieldContext } from "./fields";
import { gen1EmeterJson, gen1EmeterSettingsJson, gen1SettingsJson, gen1StatusJson } from "./gen1";
import { DEFAULT_FEATURES, type GridSource, type ShellyFeatures, type ShellyHost } from "./host";
import type { DeviceIdentity } from "./identity";
import { isPlainObject, parseJsonBounded } from "./json-input";
import { JsonWriter, quoteJsonString } from "./json-writer";
import { StatusNotifier, type NotifyOptions } from "./notify";
import {
  UNAUTHENTICATED,
  UNAVAILABLE,
  badId,
  failure,
  httpStatusFor,
  invalidArgument,
  isFailure,
  missingArgument,
  noHandler,
  type RpcFailure,
  type RpcOutcome,
} from "./rpc-errors";
import { cloneSettings, defaultShellySettings, type ShellySettings } from "./settings";

/** Where a frame came from. MQTT is exempt from authentication (api.md §1.4). */
export type RpcChannel = "http" | "ws" | "udp" | "mqtt";

export interface ShellyDeviceOptions {
  identity: DeviceIdentity;
  host: ShellyHost;
  grid: GridSource;
  /** Settings loaded by the shell (see normalizeShellySettings); defaults otherwise. */
  settings?: ShellySettings;
  features?: Partial<ShellyFeatures>;
  /** A view older than this counts as stale even if the source still returns it. Default 10 s. */
  staleAfterMs?: number;
  notify?: Partial<NotifyOptions>;
}

export interface FrameReply {
  /** The response frame as JSON text, or null (notification frames get no reply). */
  reply: string | null;
  /** The caller's `src`, if the frame had one: WS shells address notifications to it. */
  src: string | null;
  /**
   * Whether the caller is entitled to protected data: auth is off, or the frame (or its
   * transport) proved the password. Shells subscribe a connection to NotifyStatus only
   * when true, since notifications carry the meter values the password protects.
   */
  authenticated: boolean;
}

export interface RestReply {
  status: number;
  /** Bare result, error object, or "" for 401. */
  body: string;
  /** `WWW-Authenticate` value when status is 401. */
  challenge: string | null;
}

/** A NotifyStatus ready to send; the params are built once for every subscriber. */
export interface NotifyBatch {
  readonly params: string;
  frameFor(dst: string): string;
}

interface MethodDef {
  /** Name as Shelly.ListMethods prints it. */
  readonly name: string;
  /** Callable without authentication. */
  readonly open: boolean;
  readonly run: (params: Record<string, unknown>) => RpcOutcome;
}

export const DEFAULT_STALE_AFTER_MS = 10000;

const EMPTY_PARAMS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

export class ShellyDevice {
  readonly identity: DeviceIdentity;
  private readonly host: ShellyHost;
  private readonly grid: GridSource;
  private readonly features: ShellyFeatures;
  private readonly staleAfterMs: number;
  private readonly methods = new Map<string, MethodDef>();
  private readonly listMethodsJson: string;
  private readonly notifier: StatusNotifier;
  private current: ShellySettings;
  private restartRequired = false;
  /** host.nowMs() of the newest frame we have seen, for the stale message. */
  private lastFrameAtMs: number | null = null;

  constructor(options: ShellyDeviceOptions) {
    this.identity = options.identity;
    this.host = options.host;
    this.grid = options.grid;
    this.features = { ...DEFAULT_FEATURES, ...options.features };
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.current = options.settings ? cloneSettings(options.settings) : defaultShellySettings();
    this.notifier = new StatusNotifier(options.notify);
    this.registerMethods();
    const w = new JsonWriter();
    w.beginObject().key("methods").beginArray();
    for (const m of this.methods.values()) w.string(m.name);
    w.endArray().endObject();
    this.listMethodsJson = w.toString();
  }

  /** The current settings (do not mutate; Set* methods change them). */
  get settings(): Readonly<ShellySettings> {
    return this.current;
  }

  /** Replaces the settings from the shell's own pages; not persisted here. */
  replaceSettings(settings: ShellySettings): void {
    this.current = cloneSettings(settings);
  }

  get authEnabled(): boolean {
    return this.current.authHa1 !== null;
  }

  /** Names in Shelly.ListMethods. */
  methodNames(): string[] {
    const names: string[] = [];
    for (const m of this.methods.values()) names.push(m.name);
    return names;
  }

  // ---- dispatch ---------------------------------------------------------------------

  /** Runs a method. `authorized` says whether the caller proved the password (ignored when auth is off). */
  call(method: string, params: Record<string, unknown>, authorized: boolean): RpcOutcome {
    const def = this.methods.get(method.toLowerCase());
    if (def === undefined) return noHandler(method);
    if (!authorized && !def.open && this.authEnabled) {
      return failure(UNAUTHENTICATED, frameChallenge(this.identity.id, this.nonceClock()));
    }
    return def.run(params);
  }

  /**
   * A full frame `{id, src, method, params, auth?}` → `{id, src, dst, result|error}`.
   * Frames without `id` are notifications: they run, but get no reply. `preAuthorized`
   * is for transports that authenticated the connection (an HTTP Authorization header).
   */
  handleFrame(frame: unknown, channel: RpcChannel, preAuthorized = false): FrameReply {
    if (!isPlainObject(frame)) {
      return { reply: channel === "http" ? this.frameText(null, null, invalidArgument("Invalid frame")) : null, src: null, authenticated: false };
    }
    const id = frame.id;
    const hasId = id !== undefined && id !== null;
    const src = typeof frame.src === "string" ? frame.src : null;
    const method = frame.method;
    let outcome: RpcOutcome;
    let authenticated = false;
    if (typeof method !== "string") {
      outcome = missingArgument("method");
    } else if (frame.params !== undefined && frame.params !== null && !isPlainObject(frame.params)) {
      outcome = invalidArgument("Invalid argument 'params': expected an object");
    } else {
      const params = isPlainObject(frame.params) ? frame.params : EMPTY_PARAMS;
      const authorized =
        preAuthorized ||
        channel === "mqtt" ||
        !this.authEnabled ||
        (frame.auth !== undefined && verifyFrameAuth(frame.auth, this.identity.id, this.current.authHa1!, this.nonceClock()));
      authenticated = authorized;
      outcome = this.call(method, params, authorized);
    }
    return { reply: hasId ? this.frameText(id, src, outcome) : null, src, authenticated };
  }

  /** handleFrame for text from a WS message, UDP datagram or MQTT payload. */
  handleFrameText(text: string, channel: RpcChannel, preAuthorized = false): FrameReply {
    const parsed = parseJsonBounded(text);
    if (!parsed.ok) {
      // Over HTTP the caller waits for an answer; datagrams and messages of junk are dropped.
      return { reply: channel === "http" ? this.frameText(null, null, invalidArgument(parsed.message)) : null, src: null, authenticated: false };
    }
    return this.handleFrame(parsed.value, channel, preAuthorized);
  }

  private frameText(id: unknown, dst: string | null, outcome: RpcOutcome): string {
    const w = new JsonWriter();
    w.beginObject();
    w.key("id").value(id);
    w.key("src").string(this.identity.id);
    // Marstek sends no src; emulators proven with it answer dst "unknown".
    w.key("dst").string(dst ?? "unknown");
    if (isFailure(outcome)) {
      w.key("error").beginObject().key("code").number(outcome.code).key("message").string(outcome.message).endObject();
    } else {
      w.key("result").raw(outcome);
    }
    w.endObject();
    return w.toString();
  }

  /**
   * `GET|POST /rpc/<Method>`: the bare result (200), or the error object with the HTTP
   * status a real device gives; 401 has an empty body and a challenge.
   */
  handleRest(method: string, params: Record<string, unknown>, authorized: boolean): RestReply {
    const outcome = this.call(method, params, authorized);
    if (!isFailure(outcome)) return { status: 200, body: outcome, challenge: null };
    if (outcome.code === UNAUTHENTICATED) return { status: 401, body: "", challenge: this.httpChallenge() };
    return { status: httpStatusFor(outcome.code), body: errorBody(outcome), challenge: null };
  }

  // ---- authentication ---------------------------------------------------------------

  /** Seconds for nonces: Unix time, or uptime while the clock is unset. */
  private nonceClock(): number {
    const t = this.host.unixTime();
    return Math.floor(t !== null ? t : this.host.nowMs() / 1000);
  }

  httpChallenge(): string {
    return httpChallenge(this.identity.id, this.nonceClock());
  }

  /** Whether an HTTP request carries valid credentials (Digest; Basic too when `allowBasic`). */
  checkHttpAuth(authorization: string | undefined, httpMethod: string, allowBasic = false): boolean {
    const ha1 = this.current.authHa1;
    if (ha1 === null) return true;
    if (authorization === undefined) return false;
    if (verifyHttpDigest(authorization, httpMethod, this.identity.id, ha1, this.nonceClock())) return true;
    return allowBasic && verifyBasic(authorization, this.identity.id, ha1);
  }

  // ---- meter data -------------------------------------------------------------------

  /** A fresh view, or null when the source has none or it is older than staleAfterMs. */
  private freshView(): GridView | null {
    const view = this.grid.gridView();
    if (view === null || !(view.ageMs <= this.staleAfterMs)) return null;
    this.lastFrameAtMs = this.host.nowMs() - view.ageMs;
    return view;
  }

  private staleFailure(): RpcFailure {
    const reason = this.grid.unavailableReason?.() ?? null;
    if (reason !== null) return failure(UNAVAILABLE, "Meter data unavailable: " + reason);
    if (this.lastFrameAtMs === null) return failure(UNAVAILABLE, "Meter data unavailable: no valid frame since start");
    const seconds = Math.max(0, Math.floor((this.host.nowMs() - this.lastFrameAtMs) / 1000));
    return failure(UNAVAILABLE, "Meter data unavailable: no valid frame for " + seconds + " s");
  }

  private context(view: GridView | null): FieldContext {
    return {
      identity: this.identity,
      host: this.host,
      settings: this.current,
      features: this.features,
      view,
      restartRequired: this.restartRequired,
    };
  }

  // ---- results ----------------------------------------------------------------------

  /** Shelly.GetDeviceInfo / GET /shelly. */
  deviceInfoJson(): string {
    const id = this.identity;
    const auth = this.authEnabled;
    const w = new JsonWriter();
    w.beginObject();
    w.key("name").string(this.current.name);
    w.key("id").string(id.id);
    w.key("mac").string(id.mac);
    w.key("slot").number(0);
    w.key("model").string(id.model);
    w.key("gen").number(id.gen);
    w.key("fw_id").string(id.firmwareId);
    w.key("ver").string(id.version);
    w.key("app").string(id.app);
    w.key("auth_en").bool(auth);
    w.key("auth_domain").string(auth ? id.id : null);
    w.key("profile").string(id.profile);
    w.endObject();
    return w.toString();
  }

  private componentStatus(def: ComponentDef, view: GridView | null): string {
    const w = new JsonWriter();
    w.beginObject();
    writeFields(w, def.status, this.context(view));
    w.endObject();
    return w.toString();
  }

  private componentConfig(def: ComponentDef): string {
    const w = new JsonWriter();
    w.beginObject();
    writeFields(w, def.config, this.context(null));
    w.endObject();
    return w.toString();
  }

  /** Shelly.GetStatus; -114 while the meter is stale. */
  fullStatus(): RpcOutcome {
    const view = this.freshView();
    if (view === null) return this.staleFailure();
    return this.writeFullStatus(view, undefined);
  }

  private writeFullStatus(view: GridView, ts: number | null | undefined): string {
    const c = this.context(view);
    const w = new JsonWriter();
    w.beginObject();
    if (ts !== undefined) w.key("ts").fixed(ts, 2);
    for (const def of COMPONENTS) {
      w.key(def.key).beginObject();
      writeFields(w, def.status, c);
      w.endObject();
    }
    w.endObject();
    return w.toString();
  }

  private fullConfig(): string {
    const c = this.context(null);
    const w = new JsonWriter();
    w.beginObject();
    for (const def of COMPONENTS) {
      w.key(def.key).beginObject();
      writeFields(w, def.config, c);
      w.endObject();
    }
    w.endObject();
    return w.toString();
  }

  private components(params: Record<string, unknown>): RpcOutcome {
    const offset = params.offset ?? 0;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
      return invalidArgument("Invalid argument 'offset': expected a non-negative integer");
    }
    const include = params.include;
    let withStatus = true;
    let withConfig = true;
    if (include !== undefined && include !== null) {
      if (!isStringArray(include)) return invalidArgument("Invalid argument 'include': expected an array of strings");
      withStatus = include.indexOf("status") >= 0;
      withConfig = include.indexOf("config") >= 0;
    }
    const keys = params.keys;
    if (keys !== undefined && keys !== null && !isStringArray(keys)) {
      return invalidArgument("Invalid argument 'keys': expected an array of strings");
    }
    const dynamicOnly = params.dynamic_only;
    if (dynamicOnly !== undefined && dynamicOnly !== null && typeof dynamicOnly !== "boolean") {
      return invalidArgument("Invalid argument 'dynamic_only': expected true or false");
    }
    // Every component of a Pro 3EM is static: dynamic_only selects none.
    const selected: ComponentDef[] = [];
    if (dynamicOnly !== true) {
      for (const def of COMPONENTS) {
        if (isStringArray(keys) && keys.indexOf(def.key) < 0) continue;
        selected.push(def);
      }
    }
    const page = selected.slice(offset);
    let view: GridView | null = null;
    if (withStatus && page.some((d) => d.meterData)) {
      view = this.freshView();
      if (view === null) return this.staleFailure();
    }
    const c = this.context(view);
    const w = new JsonWriter();
    w.beginObject().key("components").beginArray();
    for (const def of page) {
      w.beginObject().key("key").string(def.key);
      if (withStatus) {
        w.key("status").beginObject();
        writeFields(w, def.status, c);
        w.endObject();
      }
      if (withConfig) {
        w.key("config").beginObject();
        writeFields(w, def.config, c);
        w.endObject();
      }
      w.endObject();
    }
    w.endArray();
    w.key("cfg_rev").number(this.current.cfgRev);
    w.key("offset").number(offset);
    w.key("total").number(selected.length);
    w.endObject();
    return w.toString();
  }

  /** Checks `id` for a component; null when it matches (or the component is a singleton). */
  private checkId(def: ComponentDef, params: Record<string, unknown>): RpcFailure | null {
    if (def.id === null) return null;
    const id = params.id;
    if (id === undefined || id === null) return missingArgument("id");
    if (typeof id !== "number" || !Number.isInteger(id)) return invalidArgument("Invalid argument 'id': expected an integer");
    return id === def.id ? null : badId(id);
  }

  private setConfig(def: ComponentDef, params: Record<string, unknown>): RpcOutcome {
    const bad = this.checkId(def, params);
    if (bad !== null) return bad;
    if (params.config === undefined || params.config === null) return missingArgument("config");
    const draft = cloneSettings(this.current);
    const change = applyConfig(def.config, params.config, draft, this.context(null), "config");
    if (change.error !== null) return invalidArgument(change.error);
    const changed = JSON.stringify(draft) !== JSON.stringify(this.current);
    if (changed) this.commit(draft);
    const restart = changed && change.restartRequired;
    if (restart) this.restartRequired = true;
    return '{"restart_required":' + (restart ? "true" : "false") + "}";
  }

  private commit(next: ShellySettings): void {
    next.cfgRev = this.current.cfgRev + 1;
    this.current = next;
    this.host.saveSettings(cloneSettings(next));
  }

  private setAuth(params: Record<string, unknown>): RpcOutcome {
    const { user, realm, ha1 } = params;
    if (user === undefined) return missingArgument("user");
    if (user !== "admin") return invalidArgument("Invalid argument 'user': must be 'admin'");
    if (realm === undefined) return missingArgument("realm");
    if (realm !== this.identity.id) return invalidArgument("Invalid argument 'realm': must be '" + this.identity.id + "'");
    if (ha1 === undefined) return missingArgument("ha1");
    if (ha1 !== null && (typeof ha1 !== "string" || !/^[0-9a-fA-F]{64}$/.test(ha1))) {
      return invalidArgument("Invalid argument 'ha1': expected 64 hex digits or null");
    }
    const draft = cloneSettings(this.current);
    draft.authHa1 = ha1 === null ? null : (ha1 as string).toLowerCase();
    this.commit(draft);
    return "null";
  }

  // ---- notifications ----------------------------------------------------------------

  /**
   * Call on every new meter value (or on a short timer): returns the NotifyStatus that
   * is due for WebSocket/MQTT subscribers, or null. Rules in notify.ts.
   */
  pollNotifyStatus(): NotifyBatch | null {
    const view = this.freshView();
    const due = this.notifier.decide(view, this.host.nowMs());
    if (view === null || (!due.em && !due.emdata)) return null;
    const c = this.context(view);
    const w = new JsonWriter();
    w.beginObject();
    w.key("ts").fixed(this.host.unixTime(), 2);
    if (due.em) {
      w.key("em:0").beginObject();
      writeFields(w, componentByKey("em:0")!.status, c);
      w.endObject();
    }
    if (due.emdata) {
      w.key("emdata:0").beginObject();
      writeFields(w, componentByKey("emdata:0")!.status, c);
      w.endObject();
    }
    w.endObject();
    return this.notifyBatch("NotifyStatus", w.toString());
  }

  /** NotifyFullStatus (sent on an outbound WS connect); null while the meter is stale. */
  fullStatusNotification(): NotifyBatch | null {
    const view = this.freshView();
    if (view === null) return null;
    return this.notifyBatch("NotifyFullStatus", this.writeFullStatus(view, this.host.unixTime()));
  }

  private notifyBatch(method: string, params: string): NotifyBatch {
    const head = '{"src":' + quoteJsonString(this.identity.id) + ',"dst":';
    const tail = ',"method":"' + method + '","params":' + params + "}";
    return { params, frameFor: (dst: string) => head + quoteJsonString(dst) + tail };
  }

  // ---- Gen1 -------------------------------------------------------------------------

  /** Gen1 `/status` text, or the -114 failure while stale. */
  gen1Status(): RpcOutcome {
    const view = this.freshView();
    return view === null ? this.staleFailure() : gen1StatusJson(this.context(view), view);
  }

  /** Gen1 `/emeter/<index>` (0..2). */
  gen1Emeter(index: number): RpcOutcome {
    if (!(index === 0 || index === 1 || index === 2)) return badId(index);
    const view = this.freshView();
    return view === null ? this.staleFailure() : gen1EmeterJson(view, index);
  }

  gen1Settings(): string {
    return gen1SettingsJson(this.context(null), this.authEnabled);
  }

  gen1EmeterSettings(): string {
    return gen1EmeterSettingsJson();
  }

  // ---- the method table ---------------------------------------------------------------

  private add(name: string, run: (params: Record<string, unknown>) => RpcOutcome, open = false): void {
    this.methods.set(name.toLowerCase(), { name, open, run });
  }

  private registerMethods(): void {
    this.add("Shelly.GetStatus", () => this.fullStatus());
    this.add("Shelly.GetConfig", () => this.fullConfig());
    this.add("Shelly.ListMethods", () => this.listMethodsJson);
    // ident:true would add secrets (key, batch, fw_sbits); an emulation has none to add.
    this.add("Shelly.GetDeviceInfo", () => this.deviceInfoJson(), true);
    this.add("Shelly.GetComponents", (p) => this.components(p));
    this.add("Shelly.ListProfiles", () => '{"profiles":{"triphase":{"components":[{"type":"em","count":1},{"type":"emdata","count":1}]}}}');
    this.add("Shelly.SetProfile", (p) => {
      if (p.name === undefined || p.name === null) return missingArgument("name");
      if (p.name !== this.identity.profile) {
        return invalidArgument("Invalid argument 'name': only profile '" + this.identity.profile + "' is supported");
      }
      return '{"profile_was":' + quoteJsonString(this.identity.profile) + "}";
    });
    this.add("Shelly.CheckForUpdate", () => "{}");
    this.add("Shelly.Reboot", (p) => {
      const delay = p.delay_ms ?? 1000;
      if (typeof delay !== "number" || !(delay >= 0 && delay <= 600000)) {
        return invalidArgument("Invalid argument 'delay_ms': expected 0..600000");
      }
      this.host.reboot(Math.floor(delay));
      return "null";
    });
    this.add("Shelly.SetAuth", (p) => this.setAuth(p));
    for (const key of METHOD_LIST_ORDER) {
      const def = componentByKey(key)!;
      this.add(def.rpcName + ".GetStatus", (p) => {
        const bad = this.checkId(def, p);
        if (bad !== null) return bad;
        let view: GridView | null = null;
        if (def.meterData) {
          view = this.freshView();
          if (view === null) return this.staleFailure();
        }
        return this.componentStatus(def, view);
      });
      this.add(def.rpcName + ".GetConfig", (p) => this.checkId(def, p) ?? this.componentConfig(def));
      this.add(def.rpcName + ".SetConfig", (p) => this.setConfig(def, p));
    }
  }
}

export function errorBody(f: RpcFailure): string {
  return '{"code":' + f.code + ',"message":' + quoteJsonString(f.message) + "}";
}

function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}
