// Base64 (RFC 4648 section 4, with padding) in plain ECMAScript: encoding for the WebSocket
// accept key, decoding for HTTP Basic credentials and the pre-compressed web assets.
//
// XS stores strings as UTF-8, so charCodeAt(i) walks from the string's start: decoding reads
// the text in short slices to stay linear in its length (the web assets are ~20 KB of text).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PIECE = 64; // a multiple of 4

/** Standard base64 with "=" padding. */
export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  let out = "";
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
  }
  if (i + 1 === n) {
    const v = bytes[i] << 16;
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + "==";
  } else if (i + 2 === n) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + "=";
  }
  return out;
}

/**
 * The value of each base64 character by its code (0-63), -1 for the other codes below 128:
 * an element read costs XS a fraction of a call to sextet() (the web assets decode with it).
 */
export const SEXTETS: readonly number[] = Object.freeze(Array.from({ length: 128 }, (_, c) => sextet(c)));

/** The value of one base64 character (0-63), -1 for anything else. */
export function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return -1;
}

/** Standard padded base64 → bytes, or null when the text is not valid base64. */
export function base64Decode(text: string): Uint8Array | null {
  const n = text.length;
  if (n % 4 !== 0) return null;
  let pad = 0;
  if (n > 0 && text[n - 1] === "=") pad = text[n - 2] === "=" ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let start = 0; start < n; start += PIECE) {
    const piece = n <= PIECE ? text : text.slice(start, start + PIECE);
    for (let j = 0; j < piece.length; j += 4) {
      const last = start + j + 4 === n;
      const a = sextet(piece.charCodeAt(j));
      const b = sextet(piece.charCodeAt(j + 1));
      const c = last && pad === 2 ? 0 : sextet(piece.charCodeAt(j + 2));
      const d = last && pad >= 1 ? 0 : sextet(piece.charCodeAt(j + 3));
      if ((a | b | c | d) < 0) return null;
      const v = (a << 18) | (b << 12) | (c << 6) | d;
      out[o++] = v >> 16;
      if (o < out.length) out[o++] = (v >> 8) & 0xff;
      if (o < out.length) out[o++] = v & 0xff;
    }
  }
  return out;
}
