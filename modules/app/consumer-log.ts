// Who asks the emulated Shelly what, and when: one entry per client address and transport
// (a battery polling over UDP and a browser over HTTP are two entries even on one host),
// bounded in size. The transports record into it; the web pages and `GET /api/consumers`
// read it. Pure: times come in as numbers (monotonic ms for arithmetic, Unix seconds only
// for printing).

import { JsonWriter } from "../shelly/json-writer";

export type ConsumerTransport = "http" | "ws" | "udp" | "gen1";

export interface ConsumerLogOptions {
  /** Clients kept; the one heard from least recently is dropped first. */
  maxClients: number;
  /** Distinct method names kept per client; further ones count under "other". */
  maxMethodsPerClient: number;
}

export const DEFAULT_CONSUMER_LOG_OPTIONS: ConsumerLogOptions = Object.freeze({ maxClients: 32, maxMethodsPerClient: 16 });

/** Longest method name / src kept (peers choose these strings). */
const MAX_TEXT = 64;
/** Weight of the newest interval in the average (a smooth rate that still follows changes). */
const RATE_WEIGHT = 0.2;

export interface ConsumerEntry {
  address: string;
  transport: ConsumerTransport;
  /** The `src` the client calls itself in frames (WS/UDP/POST /rpc), if any. */
  src: string | null;
  requests: number;
  lastMethod: string;
  firstMs: number;
  lastMs: number;
  /** Smoothed interval between requests, ms (NaN until the second request). */
  avgIntervalMs: number;
  methods: Map<string, number>;
  /** Requests whose method did not fit in `methods`. */
  otherMethods: number;
}

export class ConsumerLog {
  private readonly opts: ConsumerLogOptions;
  /** Insertion order = least recently heard first (entries are re-inserted on use). */
  private readonly entries = new Map<string, ConsumerEntry>();
  private evictedCount = 0;

  constructor(options?: Partial<ConsumerLogOptions>) {
    this.opts = { ...DEFAULT_CONSUMER_LOG_OPTIONS, ...options };
  }

  /** Records one request. `method` is the RPC method, or the path for non-RPC requests. */
  record(address: string, transport: ConsumerTransport, method: string, nowMs: number, src: string | null = null): void {
    const key = transport + " " + address;
    let e = this.entries.get(key);
    if (e === undefined) {
      e = {
        address: clip(address),
        transport,
        src: null,
        requests: 0,
        lastMethod: "",
        firstMs: nowMs,
        lastMs: nowMs,
        avgIntervalMs: NaN,
        methods: new Map(),
        otherMethods: 0,
      };
      if (this.entries.size >= this.opts.maxClients) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
        this.evictedCount++;
      }
    } else {
      this.entries.delete(key);
      const interval = nowMs - e.lastMs;
      e.avgIntervalMs = e.avgIntervalMs !== e.avgIntervalMs ? interval : e.avgIntervalMs + RATE_WEIGHT * (interval - e.avgIntervalMs);
    }
    this.entries.set(key, e);
    const name = clip(method);
    e.requests++;
    e.lastMs = nowMs;
    e.lastMethod = name;
    if (src !== null) e.src = clip(src);
    const n = e.methods.get(name);
    if (n !== undefined) e.methods.set(name, n + 1);
    else if (e.methods.size < this.opts.maxMethodsPerClient) e.methods.set(name, 1);
    else e.otherMethods++;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Clients dropped to stay within maxClients since start. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Entries, most recently heard first. */
  list(): ConsumerEntry[] {
    const out: ConsumerEntry[] = [];
    for (const e of this.entries.values()) out.push(e);
    return out.reverse();
  }

  /** Requests per minute: the smoothed rate, decaying while the client is silent. */
  static ratePerMinute(e: ConsumerEntry, nowMs: number): number {
    if (e.avgIntervalMs !== e.avgIntervalMs) return 0;
    const interval = Math.max(e.avgIntervalMs, nowMs - e.lastMs, 1);
    return 60000 / interval;
  }

  /**
   * The log as JSON (`GET /api/consumers`). `unixNow` is wall-clock seconds, or null while
   * the clock is unset (then the *_ts fields are null and only the ages are meaningful).
   */
  toJson(nowMs: number, unixNow: number | null): string {
    const w = new JsonWriter();
    const ts = (ms: number) => (unixNow === null ? null : unixNow - (nowMs - ms) / 1000);
    w.beginObject();
    w.key("ts").fixed(unixNow, 2);
    w.key("max_clients").number(this.opts.maxClients);
    w.key("evicted").number(this.evictedCount);
    w.key("clients").beginArray();
    for (const e of this.list()) {
      w.beginObject();
      w.key("address").string(e.address);
      w.key("transport").string(e.transport);
      w.key("src").string(e.src);
      w.key("requests").number(e.requests);
      w.key("last_method").string(e.lastMethod);
      w.key("first_ts").fixed(ts(e.firstMs), 2);
      w.key("last_ts").fixed(ts(e.lastMs), 2);
      w.key("last_age_s").fixed(Math.max(0, (nowMs - e.lastMs) / 1000), 1);
      w.key("rate_per_min").fixed(ConsumerLog.ratePerMinute(e, nowMs), 1);
      w.key("methods").beginObject();
      for (const [name, count] of e.methods) w.key(name).number(count);
      w.endObject();
      w.key("other_methods").number(e.otherMethods);
      w.endObject();
    }
    w.endArray();
    w.endObject();
    return w.toString();
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/** Longest method name the log takes (escape pairs count as one). */
const MAX_METHOD_UNITS = 64;

/** JavaScript's white space and line terminators (what `\s` matches). */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The method named in a request frame's text, for the log only (the RPC core parses the
 * frame properly); "(invalid)" when there is none. Avoids parsing each frame twice. The
 * first `"method" : "<1 to 64 characters>"` in the first 4 KB, as written (escapes kept).
 * A scan, not a RegExp: the device's XS leaks and can corrupt its heap when a preloaded
 * (module-level) RegExp runs (see README, Development).
 */
export function methodOfFrameText(text: string): string {
  const s = text.length > 4096 ? text.slice(0, 4096) : text;
  for (let at = s.indexOf('"method"'); at >= 0; at = s.indexOf('"method"', at + 1)) {
    let i = at + 8;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3a) continue; // ':'
    i++;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x22) continue; // '"'
    const start = ++i;
    let units = 0;
    while (i < s.length && units <= MAX_METHOD_UNITS) {
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0x0a; // a lone '\\' at the end fails
        if (next === 0x0a || next === 0x0d || next === 0x2028 || next === 0x2029) break;
        i += 2;
      } else {
        i++;
      }
      units++;
    }
    if (i < s.length && s.charCodeAt(i) === 0x22 && units >= 1 && units <= MAX_METHOD_UNITS) return s.slice(start, i);
  }
  return "(invalid)";
}
