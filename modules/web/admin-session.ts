// Who may change things on the device's pages: the holder of the admin password, proven
// once per session. The login page never sends the password: it gets the salt and a
// one-time nonce, and answers SHA-256("<stored hash>:<nonce>") (../config/password). A good
// answer yields a session cookie (HttpOnly, SameSite=Strict). Scripts may send
// `Authorization: Basic` (user admin) instead. Without a password, everyone may.
//
// Cross-site requests: a changing request must be a POST whose Origin (when sent) names
// the Host it went to, that browsers do not mark as cross-site (Sec-Fetch-Site), and whose
// Host is an address or a local name, so that a page on the internet cannot reach the
// device through DNS rebinding.

import { checkBasicPassword, loginProof, parsePasswordHash, sameHex } from "../config/password";

export const SESSION_COOKIE = "ir2s_session";
/** A session ends after this long without use, and after SESSION_MAX_MS in any case. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3600_000;
const MAX_SESSIONS = 8;
const NONCE_LIFETIME_MS = 120_000;
const MAX_NONCES = 8;
/** After this many wrong answers in a row, logins pause for LOCKOUT_MS. */
const MAX_FAILURES = 5;
const LOCKOUT_MS = 30_000;

interface Session {
  token: string;
  createdMs: number;
  lastMs: number;
}

interface Nonce {
  value: string;
  expiresMs: number;
}

export type LoginResult =
  | { ok: true; token: string }
  | { ok: false; status: number; message: string };

export class AdminSessions {
  private sessions: Session[] = [];
  private nonces: Nonce[] = [];
  private failures = 0;
  private lockedUntilMs = -Infinity;
  private goodBasic: string | null = null;
  private goodBasicFor = "";

  constructor(private readonly randomBytes: (n: number) => Uint8Array) {}

  /** What the login page needs: salt, iterations and a fresh one-time nonce. */
  challenge(nowMs: number, stored: string): { salt: string; iterations: number; nonce: string } | null {
    const p = parsePasswordHash(stored);
    if (p === null) return null;
    this.nonces = this.nonces.filter((n) => n.expiresMs > nowMs);
    if (this.nonces.length >= MAX_NONCES) this.nonces.shift();
    const nonce = hex(this.randomBytes(16));
    this.nonces.push({ value: nonce, expiresMs: nowMs + NONCE_LIFETIME_MS });
    return { salt: p.salt, iterations: p.iterations, nonce };
  }

  login(nowMs: number, stored: string, nonce: unknown, proof: unknown): LoginResult {
    const p = parsePasswordHash(stored);
    if (p === null) return { ok: false, status: 409, message: "No admin password is set." };
    if (nowMs < this.lockedUntilMs) return { ok: false, status: 429, message: `Too many wrong passwords; try again in ${Math.ceil((this.lockedUntilMs - nowMs) / 1000)} s.` };
    if (typeof nonce !== "string" || typeof proof !== "string") return { ok: false, status: 400, message: "Send {nonce, proof}." };
    const i = this.nonces.findIndex((n) => n.value === nonce && n.expiresMs > nowMs);
    if (i < 0) return { ok: false, status: 401, message: "The login expired; try again." };
    this.nonces.splice(i, 1); // one use only
    if (!sameHex(loginProof(p.hash, nonce), proof.toLowerCase())) {
      this.failed(nowMs);
      return { ok: false, status: 401, message: "Wrong password." };
    }
    this.failures = 0;
    return { ok: true, token: this.open(nowMs) };
  }

  /** A new session (after a login, or for whoever just set the password). */
  open(nowMs: number): string {
    this.expire(nowMs);
    if (this.sessions.length >= MAX_SESSIONS) this.sessions.shift();
    const token = hex(this.randomBytes(16));
    this.sessions.push({ token, createdMs: nowMs, lastMs: nowMs });
    return token;
  }

  /** True when the request's cookie names a live session (and refreshes it). */
  hasSession(nowMs: number, cookieHeader: string | undefined): boolean {
    const token = cookieValue(cookieHeader, SESSION_COOKIE);
    if (token === null) return false;
    this.expire(nowMs);
    for (const s of this.sessions) {
      if (sameHex(s.token, token)) {
        s.lastMs = nowMs;
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a request may change things: no password set, a live session, or Basic auth
   * with the password.
   */
  authorized(nowMs: number, stored: string, headers: Readonly<Record<string, string | undefined>>): boolean {
    if (stored === "") return true;
    if (this.hasSession(nowMs, headers["cookie"])) return true;
    const basic = headers["authorization"];
    if (basic === undefined) return false;
    // Stretching the password costs about a second on the ESP32; a script sends the same
    // header with every request, so the last good one is remembered (for this hash only).
    if (basic === this.goodBasic && stored === this.goodBasicFor) return true;
    if (nowMs < this.lockedUntilMs) return false;
    if (!checkBasicPassword(basic, stored)) {
      this.failed(nowMs);
      return false;
    }
    this.failures = 0;
    this.goodBasic = basic;
    this.goodBasicFor = stored;
    return true;
  }

  logout(cookieHeader: string | undefined): void {
    const token = cookieValue(cookieHeader, SESSION_COOKIE);
    if (token !== null) this.sessions = this.sessions.filter((s) => !sameHex(s.token, token));
  }

  /** Ends every session (the password changed). */
  revokeAll(): void {
    this.sessions = [];
    this.nonces = [];
    this.goodBasic = null;
  }

  get sessionCount(): number {
    return this.sessions.length;
  }

  /** A wrong password (login or Basic): after MAX_FAILURES in a row, a pause. */
  private failed(nowMs: number): void {
    this.failures++;
    if (this.failures >= MAX_FAILURES) {
      this.failures = 0;
      this.lockedUntilMs = nowMs + LOCKOUT_MS;
    }
  }

  private expire(nowMs: number): void {
    this.sessions = this.sessions.filter((s) => nowMs - s.lastMs < SESSION_IDLE_MS && nowMs - s.createdMs < SESSION_MAX_MS);
  }
}

export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_MS / 1000}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** The value of one cookie in a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  const parts = header.split(";");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].trim();
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq) === name) {
      const value = part.slice(eq + 1);
      return /^[0-9a-f]{32}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** Host header → lower-case name without port or brackets. */
export function hostOnly(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(":");
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

const LOCAL_SUFFIXES: readonly string[] = Object.freeze([".local", ".lan", ".home", ".internal", ".home.arpa", ".localdomain", ".fritz.box", ".box", ".localhost"]);

/** An IP address, "localhost", a single-label name or a name under a local-only suffix. */
export function isLocalHostName(name: string): boolean {
  if (name === "") return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.indexOf(":") >= 0) return true;
  if (name === "localhost" || name.indexOf(".") < 0) return true;
  for (const suffix of LOCAL_SUFFIXES) if (name.endsWith(suffix)) return true;
  return false;
}

/** Why a changing request is refused as cross-site, or null when it is fine. */
export function crossSiteProblem(method: string, headers: Readonly<Record<string, string | undefined>>): string | null {
  if (method.toUpperCase() !== "POST") return "Use POST.";
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return "Cross-site request refused.";
  const host = headers["host"];
  if (host !== undefined && !isLocalHostName(hostOnly(host))) {
    return "Open the device by its IP address or .local name to change settings (" + hostOnly(host) + " is not a local name).";
  }
  const origin = headers["origin"];
  if (origin !== undefined) {
    const m = /^https?:\/\/([^/]+)$/i.exec(origin.trim());
    if (m === null || host === undefined || m[1].toLowerCase() !== host.trim().toLowerCase()) return "Cross-site request refused.";
  }
  return null;
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}
