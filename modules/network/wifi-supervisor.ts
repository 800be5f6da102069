// Decides what the WiFi radio should do; the device shell carries out the commands
// (WiFi.connect, WiFi.accessPoint, …) and reports station events and the time back.
//
//   no credentials ───────────────────────────────▶ access point + captive portal
//   credentials ──▶ connecting ──gotIP──▶ connected (access point off)
//                     │  ▲   timeout / rejected        │ lost
//                     ▼  │                             ▼
//                   waiting (backoff 2 s … 5 min) ◀────┘
//   not connected for portalAfterMs (since boot or since the loss) ─▶ access point on as
//   well, while the station keeps retrying; a retry waits while a phone is on the portal.
//
// The access point stays up for apGraceMs after a connection made while it was on, so the
// setup page on the phone can still show the new address.

export interface WifiSupervisorOptions {
  /** An attempt that has not got an address after this long has failed. */
  connectTimeoutMs: number;
  /** First wait after a failed attempt or a lost connection. */
  backoffMinMs: number;
  /** Longest wait between attempts. */
  backoffMaxMs: number;
  /** Without a connection for this long, the access point comes up. */
  portalAfterMs: number;
  /** The access point stays this long after connecting. */
  apGraceMs: number;
  /** While phones are on the portal, a background retry waits at most this long. */
  portalHoldMs: number;
}

export const DEFAULT_WIFI_OPTIONS: WifiSupervisorOptions = Object.freeze({
  connectTimeoutMs: 30_000,
  backoffMinMs: 2_000,
  backoffMaxMs: 300_000,
  portalAfterMs: 120_000,
  apGraceMs: 60_000,
  portalHoldMs: 600_000,
});

export type StationPhase = "off" | "connecting" | "connected" | "waiting";

/** What the shell must do, in order. */
export type WifiCommand =
  | { readonly kind: "connect" }
  | { readonly kind: "disconnect" }
  | { readonly kind: "apOn" }
  | { readonly kind: "apOff" };

/** Station events of the WiFi driver ("disconnect" carries the driver's reason: -1 = password rejected). */
export type StationEvent = "connect" | "gotIP" | "lostIP" | "disconnect";

export type WifiFailure = "rejected" | "timeout" | "lost" | null;

export interface WifiSnapshot {
  readonly station: StationPhase;
  readonly apOn: boolean;
  readonly hasCredentials: boolean;
  /** Failed attempts since the last connection. */
  readonly failures: number;
  readonly lastFailure: WifiFailure;
  /** When the next attempt starts (waiting), else null. */
  readonly nextAttemptAtMs: number | null;
  /** Phones connected to the access point. */
  readonly apClients: number;
}

const CONNECT: WifiCommand = Object.freeze({ kind: "connect" });
const DISCONNECT: WifiCommand = Object.freeze({ kind: "disconnect" });
const AP_ON: WifiCommand = Object.freeze({ kind: "apOn" });
const AP_OFF: WifiCommand = Object.freeze({ kind: "apOff" });

/** Delay before retry number `failures` (1-based): min · 2^(n-1), capped. */
export function backoffDelayMs(failures: number, options: Pick<WifiSupervisorOptions, "backoffMinMs" | "backoffMaxMs">): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(options.backoffMinMs * 2 ** exponent, options.backoffMaxMs);
}

export class WifiSupervisor {
  private readonly options: WifiSupervisorOptions;
  private phase: StationPhase = "off";
  private ap = false;
  private credentials: boolean;
  private started = false;
  private attemptStartedAt = 0;
  private nextAttemptAt = 0;
  private failureCount = 0;
  private failure: WifiFailure = null;
  /** Since when there has been no connection (null while connected). */
  private downSince: number | null = null;
  /** Access point off at this time (after a connection), or null. */
  private apOffAt: number | null = null;
  private clients = 0;
  /** The user just saved credentials: the next attempt may not wait for portal clients. */
  private userRequested = false;

  constructor(hasCredentials: boolean, options?: Partial<WifiSupervisorOptions>) {
    this.options = { ...DEFAULT_WIFI_OPTIONS, ...options };
    this.credentials = hasCredentials;
  }

  snapshot(): WifiSnapshot {
    return {
      station: this.phase,
      apOn: this.ap,
      hasCredentials: this.credentials,
      failures: this.failureCount,
      lastFailure: this.failure,
      nextAttemptAtMs: this.phase === "waiting" ? this.nextAttemptAt : null,
      apClients: this.clients,
    };
  }

  get stationPhase(): StationPhase {
    return this.phase;
  }

  get apOn(): boolean {
    return this.ap;
  }

  /** Boot: connect with stored credentials, or open the portal. */
  start(nowMs: number): WifiCommand[] {
    const out: WifiCommand[] = [];
    this.started = true;
    this.downSince = nowMs;
    if (this.credentials) this.beginAttempt(nowMs, out);
    else this.setAp(true, out);
    return out;
  }

  /** New credentials saved (or removed) from the setup page: try them at once. */
  setCredentials(hasCredentials: boolean, nowMs: number): WifiCommand[] {
    const out: WifiCommand[] = [];
    this.credentials = hasCredentials;
    this.failureCount = 0;
    this.failure = null;
    if (!this.started) return out;
    if (this.phase === "connected" || this.phase === "connecting") out.push(DISCONNECT);
    if (this.downSince === null) this.downSince = nowMs;
    if (hasCredentials) {
      this.userRequested = true;
      this.beginAttempt(nowMs, out);
    } else {
      this.phase = "off";
      this.apOffAt = null;
      this.setAp(true, out);
    }
    return out;
  }

  /** A station event from the driver; `reason` comes with "disconnect". */
  station(event: StationEvent, nowMs: number, reason?: number): WifiCommand[] {
    const out: WifiCommand[] = [];
    if (!this.started) return out;
    switch (event) {
      case "connect":
        return out;
      case "gotIP":
        if (!this.credentials) return out;
        this.phase = "connected";
        this.failureCount = 0;
        this.failure = null;
        this.downSince = null;
        this.userRequested = false;
        if (this.ap) this.apOffAt = nowMs + this.options.apGraceMs;
        return out;
      case "lostIP":
      case "disconnect":
        if (this.phase === "connected") {
          // The driver does not retry a lost connection by itself: wait briefly, then retry.
          this.downSince = nowMs;
          this.apOffAt = null;
          this.fail("lost", nowMs, out, false);
        } else if (this.phase === "connecting" && event === "disconnect" && reason === -1) {
          // Password rejected: no point waiting for the timeout (the driver's own retries
          // would be rejected as well).
          this.fail("rejected", nowMs, out, true);
        }
        return out;
    }
  }

  /** A phone joined (+1) or left (-1) the access point. */
  apClient(delta: 1 | -1): void {
    this.clients = Math.max(0, this.clients + delta);
  }

  /** Call about once a second. */
  tick(nowMs: number): WifiCommand[] {
    const out: WifiCommand[] = [];
    if (!this.started) return out;
    const o = this.options;
    if (this.phase === "connecting" && nowMs - this.attemptStartedAt >= o.connectTimeoutMs) {
      this.fail("timeout", nowMs, out, true);
    }
    if (this.phase === "waiting" && nowMs >= this.nextAttemptAt) {
      // A phone on the portal would lose it while the radio scans: wait (not forever).
      const hold = this.ap && this.clients > 0 && !this.userRequested && nowMs - this.nextAttemptAt < o.portalHoldMs;
      if (!hold) this.beginAttempt(nowMs, out);
    }
    if (!this.ap && this.downSince !== null && (!this.credentials || nowMs - this.downSince >= o.portalAfterMs)) {
      this.setAp(true, out);
    }
    if (this.ap && this.phase === "connected" && this.apOffAt !== null && nowMs >= this.apOffAt) {
      this.apOffAt = null;
      this.setAp(false, out);
    }
    return out;
  }

  private beginAttempt(nowMs: number, out: WifiCommand[]): void {
    this.phase = "connecting";
    this.attemptStartedAt = nowMs;
    out.push(CONNECT);
  }

  private fail(why: Exclude<WifiFailure, null>, nowMs: number, out: WifiCommand[], stopDriver: boolean): void {
    if (stopDriver) out.push(DISCONNECT);
    this.failure = why;
    this.failureCount++;
    this.userRequested = false;
    this.phase = "waiting";
    this.nextAttemptAt = nowMs + backoffDelayMs(this.failureCount, this.options);
  }

  private setAp(on: boolean, out: WifiCommand[]): void {
    if (this.ap === on) return;
    this.ap = on;
    if (!on) this.clients = 0;
    out.push(on ? AP_ON : AP_OFF);
  }
}
