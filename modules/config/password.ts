// The admin password is never stored: the settings record keeps a salted, iterated
// SHA-256 of it. Format: "s256i$<iterations>$<salt hex>$<hash hex>" where
//   h0 = SHA-256(utf8("<salt hex>:<password>")),  h(i) = SHA-256(h(i-1)),  hash = h(iterations-1)
// The same function runs in the browser (the login page proves it knows the hash without
// sending the password: proof = SHA-256("<hash hex>:<nonce>")), on the host and on XS.
// Iterations slow down guessing from a leaked record; they cost one SHA-256 block each.

import { sha256, sha256Hex, toHex } from "../shelly/sha256";

export const PASSWORD_ITERATIONS = 1000;
/** The stored form's parts; a fresh RegExp per call: a preloaded one misbehaves on the device (README, Development). */
function hashForm(value: string): RegExpExecArray | null {
  return /^s256i\$(\d{1,6})\$([0-9a-f]{8,64})\$([0-9a-f]{64})$/.exec(value);
}

export interface PasswordHash {
  iterations: number;
  salt: string;
  hash: string;
}

/** True for a value in the stored hash form (as opposed to a password typed by a person). */
export function isPasswordHash(value: string): boolean {
  return hashForm(value) !== null;
}

export function parsePasswordHash(value: string): PasswordHash | null {
  const m = hashForm(value);
  if (m === null) return null;
  const iterations = Number(m[1]);
  return iterations >= 1 ? { iterations, salt: m[2], hash: m[3] } : null;
}

/** The iterated hash (hex) of a password with a salt. */
export function stretchPassword(password: string, salt: string, iterations: number): string {
  let h = sha256(salt + ":" + password);
  for (let i = 1; i < iterations; i++) h = sha256(h);
  return toHex(h);
}

/** The stored form of a password. `salt` is hex (8 to 64 digits), unique per device. */
export function hashPassword(password: string, salt: string, iterations: number = PASSWORD_ITERATIONS): string {
  return "s256i$" + iterations + "$" + salt + "$" + stretchPassword(password, salt, iterations);
}

/** Whether `password` is the one whose stored form is `stored`. */
export function verifyPassword(stored: string, password: string): boolean {
  const p = parsePasswordHash(stored);
  return p !== null && sameHex(stretchPassword(password, p.salt, p.iterations), p.hash);
}

/** What the login page sends: proof of knowing the hash, bound to a one-time nonce. */
export function loginProof(hashHex: string, nonce: string): string {
  return sha256Hex(hashHex + ":" + nonce);
}

/** Constant-time comparison of two hex strings. */
export function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks `Authorization: Basic …` (user "admin") against a stored password hash, for
 * scripts and for pages that use the browser's own password dialog. False without a hash.
 */
export function checkBasicPassword(authorization: string | undefined, stored: string): boolean {
  if (authorization === undefined) return false;
  const m = /^\s*Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  if (m === null) return false;
  const text = base64Text(m[1]);
  if (text === null || !text.startsWith("admin:")) return false;
  return verifyPassword(stored, text.slice(6));
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 → text (UTF-8); null when malformed. */
function base64Text(s: string): string | null {
  if (s.length % 4 !== 0) return null;
  let end = s.length;
  while (end > 0 && s[end - 1] === "=") end--;
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const v = B64.indexOf(s[i]);
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += "%" + (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  try {
    return decodeURIComponent(out);
  } catch {
    return null;
  }
}
