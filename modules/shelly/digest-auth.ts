// Shelly's digest authentication (api.md §1.4): SHA-256, user "admin", realm = device id.
// HTTP uses RFC 7616 headers; RPC frames carry an `auth` object answering a challenge
// that came as the message of a 401 error. The nonce is a time in seconds (hex in the
// HTTP header, a number in frames) and is accepted for an hour, as Mongoose does.

import { base64Decode } from "../net/base64";
import { utf8Encode } from "../net/utf8";
import { sha256, sha256Hex, toHex } from "./sha256";

export const AUTH_USER = "admin";
/** How long a nonce stays valid, in seconds. */
export const NONCE_LIFETIME_S = 3600;
/** Tolerated clock step between issuing and checking a nonce. */
const NONCE_FUTURE_SLACK_S = 60;
/** HA2 of frame auth: a fixed string, since a frame has no HTTP method or URI. */
const FRAME_HA2_INPUT = "dummy_method:dummy_uri";

export function computeHa1(realm: string, password: string): string {
  return sha256Hex(AUTH_USER + ":" + realm + ":" + password);
}

/** The `WWW-Authenticate` value, in the exact form clients split on (`", "`, `=`). */
export function httpChallenge(realm: string, nonceS: number): string {
  return 'Digest qop="auth", realm="' + realm + '", nonce="' + Math.floor(nonceS).toString(16) + '", algorithm=SHA-256';
}

/** The message of a 401 error frame: a JSON string, spaced as the real device prints it. */
export function frameChallenge(realm: string, nonceS: number): string {
  return (
    '{"auth_type": "digest", "nonce": ' + Math.floor(nonceS) + ', "nc": 1, "realm": "' + realm +
    '", "algorithm": "SHA-256"}'
  );
}

/** The Authorization: Digest parameters we read; others are skipped. */
const DIGEST_PARAMS: readonly string[] = Object.freeze(["username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque", "qop", "nc", "userhash"]);

/** Parses the known parameters of `Digest k=v, k="v", …`; null if it is not a Digest header. */
export function parseDigestHeader(header: string): Record<string, string> | null {
  const m = /^\s*Digest\s+/i.exec(header);
  if (m === null) return null;
  const out: Record<string, string> = {};
  let i = m[0].length;
  const s = header;
  while (i < s.length) {
    while (i < s.length && (s[i] === " " || s[i] === "," || s[i] === "\t")) i++;
    const eq = s.indexOf("=", i);
    if (eq < 0) break;
    const key = s.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value: string;
    if (s[i] === '"') {
      let j = i + 1;
      value = "";
      while (j < s.length && s[j] !== '"') {
        if (s[j] === "\\" && j + 1 < s.length) j++;
        value += s[j];
        j++;
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== ",") j++;
      value = s.slice(i, j).trim();
      i = j;
    }
    // Only the parameters RFC 7616 defines become properties (XS never frees a name).
    if (DIGEST_PARAMS.indexOf(key) >= 0) out[key] = value;
  }
  return out;
}

function nonceFresh(nonceS: number, nowS: number): boolean {
  const age = nowS - nonceS;
  return Number.isFinite(nonceS) && age <= NONCE_LIFETIME_S && age >= -NONCE_FUTURE_SLACK_S;
}

/** Constant-time comparison of two hex strings, case-insensitive. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return diff === 0;
}

function digestResponse(ha1: string, nonce: string, nc: string, cnonce: string, qop: string, ha2: string): string {
  return sha256Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
}

/**
 * Checks an HTTP `Authorization: Digest …` header. The URI in the header is what the
 * response covers; it is not compared with the request path (clients differ in whether
 * they send the query or a full URL).
 */
export function verifyHttpDigest(header: string, httpMethod: string, realm: string, ha1: string, nowS: number): boolean {
  const p = parseDigestHeader(header);
  if (p === null) return false;
  const { username, nonce, uri, cnonce, nc, qop, response } = p;
  if (username !== AUTH_USER || p.realm !== realm) return false;
  if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== "SHA-256") return false;
  if (nonce === undefined || uri === undefined || response === undefined) return false;
  if (!/^[0-9a-fA-F]{1,12}$/.test(nonce) || !nonceFresh(parseInt(nonce, 16), nowS)) return false;
  const ha2 = sha256Hex(httpMethod.toUpperCase() + ":" + uri);
  let expected: string;
  if (qop === undefined) {
    expected = sha256Hex(ha1 + ":" + nonce + ":" + ha2); // RFC 2069 form, no qop
  } else {
    if (qop !== "auth" || cnonce === undefined || nc === undefined) return false;
    expected = digestResponse(ha1, nonce, nc, cnonce, qop, ha2);
  }
  return sameHex(expected, response);
}

/**
 * Checks the `auth` object of an RPC frame. `nonce` and `nc` may be numbers or strings
 * (WallDisplay sends nc as a string); a missing nc counts as 1 (shellies-ng sends none).
 * Repeated nonce/cnonce/nc are accepted while the nonce is fresh (shellies-ng reuses one
 * auth object for every call).
 */
export function verifyFrameAuth(auth: unknown, realm: string, ha1: string, nowS: number): boolean {
  if (typeof auth !== "object" || auth === null) return false;
  const a = auth as Record<string, unknown>;
  if (a.username !== undefined && a.username !== AUTH_USER) return false;
  if (a.realm !== undefined && a.realm !== realm) return false;
  if (a.algorithm !== undefined && a.algorithm !== "SHA-256") return false;
  const nonce = numberText(a.nonce);
  const nc = a.nc === undefined || a.nc === null ? "1" : numberText(a.nc);
  if (nonce === null || nc === null) return false;
  if (typeof a.cnonce !== "string" && typeof a.cnonce !== "number") return false;
  if (typeof a.response !== "string") return false;
  if (!nonceFresh(Number(nonce), nowS)) return false;
  const ha2 = sha256Hex(FRAME_HA2_INPUT);
  return sameHex(digestResponse(ha1, nonce, nc, String(a.cnonce), "auth", ha2), a.response);
}

/** A number as decimal text, or a string of digits as it is; null otherwise. */
function numberText(v: unknown): string | null {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? String(v) : null;
  if (typeof v === "string") return /^\d{1,16}$/.test(v) ? v : null;
  return null;
}

/**
 * Checks `Authorization: Basic …` (Gen1 clients) against the stored HA1: the password
 * is hashed as "admin:<realm>:<password>" and compared.
 */
export function verifyBasic(header: string, realm: string, ha1: string): boolean {
  const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return false;
  const bytes = base64Decode(m[1]);
  if (bytes === null) return false;
  let colon = -1;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x3a) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return false;
  const user = bytes.subarray(0, colon);
  const admin = utf8Encode(AUTH_USER);
  if (user.length !== admin.length || user.some((b, i) => b !== admin[i])) return false;
  const prefix = utf8Encode(AUTH_USER + ":" + realm + ":");
  const password = bytes.subarray(colon + 1);
  const joined = new Uint8Array(prefix.length + password.length);
  joined.set(prefix);
  joined.set(password, prefix.length);
  return sameHex(toHex(sha256(joined)), ha1);
}
