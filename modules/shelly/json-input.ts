// Reading what peers send: JSON with a nesting limit (XS's JSON.parse recurses on the C
// stack, so a body of 10 000 '[' must be refused before it is parsed) and GET query strings.
//
// Only known property names survive (./known-keys): XS never frees a property name, so a
// peer sending ever-new names would otherwise grow the device's key table for good. Unknown
// names are dropped from the value, as a real Shelly ignores fields it does not know, and
// listed as strings (which XS does free) for callers that want to report them.

import { KNOWN_KEYS } from "./known-keys";

/** Deepest nesting of arrays/objects accepted in a request. */
export const MAX_JSON_DEPTH = 16;

export type JsonParse =
  | { ok: true; value: unknown; /** Names dropped from `value`, in order of appearance. */ unknownNames: readonly string[] }
  | { ok: false; message: string };

/**
 * Greatest nesting depth of `[`/`{` outside strings; stops counting past `limit`
 * (returns limit + 1). Does not validate the text: JSON.parse does that afterwards.
 */
export function jsonDepth(text: string, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Whether the text between a string and the next quote starts with ':' (after JSON whitespace). */
function startsWithColon(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x3a) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}

const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * Sorts the names in JSON text (strings followed by ':'), decoded: known ones are pushed to
 * `known`, unknown ones returned (NO_NAMES if none); null when a name is not a valid string.
 * Splitting at '"' is native and cheap on XS: the parts alternate between text outside and
 * inside strings, unless a quote is escaped.
 */
function sortNames(text: string, known: string[]): readonly string[] | null {
  let unknown: string[] | null = null;
  const parts = text.split('"');
  const last = parts.length - 1;
  if (text.indexOf("\\") < 0) {
    // No escapes (the usual request): each odd part is a whole string, as it is.
    for (let i = 1; i < last; i += 2) {
      const c = parts[i + 1].charCodeAt(0);
      if (c === 0x3a || (c <= 0x20 && startsWithColon(parts[i + 1]))) {
        const name = parts[i];
        if (KNOWN_KEYS.has(name)) known[known.length] = name;
        else if (unknown === null) unknown = [name];
        else unknown[unknown.length] = name;
      }
    }
    return unknown ?? NO_NAMES;
  }
  let i = 1;
  while (i < last) {
    let content = parts[i];
    for (;;) {
      // A quote after an odd number of backslashes belongs to the string.
      let k = content.length;
      while (k > 0 && content.charCodeAt(k - 1) === 0x5c) k--;
      if (((content.length - k) & 1) === 0) break;
      if (++i >= last) return unknown ?? NO_NAMES; // unterminated: JSON.parse refuses it
      content += '"' + parts[i];
    }
    if (startsWithColon(parts[i + 1])) {
      let name = content;
      if (content.indexOf("\\") >= 0) {
        try {
          name = JSON.parse('"' + content + '"') as string;
        } catch {
          return null;
        }
      }
      if (KNOWN_KEYS.has(name)) known.push(name);
      else if (unknown === null) unknown = [name];
      else unknown.push(name);
    }
    i += 2;
  }
  return unknown ?? NO_NAMES;
}

/** Deletes unknown names from a parsed value (where the engine has not already dropped them). */
function dropUnknown(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) dropUnknown(value[i]);
    return;
  }
  const o = value as Record<string, unknown>;
  const names = Object.keys(o);
  for (let i = 0; i < names.length; i++) {
    if (KNOWN_KEYS.has(names[i])) dropUnknown(o[names[i]]);
    else delete o[names[i]];
  }
}

const INVALID_JSON: JsonParse = Object.freeze({ ok: false, message: "Invalid JSON" });

/**
 * JSON.parse with a depth limit, keeping only known property names; never throws.
 * `__proto__` is never known, so it never becomes a prototype or a property.
 */
export function parseJsonBounded(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonParse {
  // Text with at most maxDepth brackets cannot nest deeper: count them natively first.
  let brackets = 0;
  for (let at = text.indexOf("{"); at >= 0 && brackets <= maxDepth; at = text.indexOf("{", at + 1)) brackets++;
  for (let at = text.indexOf("["); at >= 0 && brackets <= maxDepth; at = text.indexOf("[", at + 1)) brackets++;
  if (brackets > maxDepth && jsonDepth(text, maxDepth) > maxDepth) {
    return { ok: false, message: "JSON nested deeper than " + maxDepth + " levels" };
  }
  let known = NO_NAMES;
  let unknownNames = NO_NAMES;
  if (text.indexOf('"') >= 0) {
    const names: string[] = [];
    const unknown = sortNames(text, names);
    if (unknown === null) return INVALID_JSON;
    known = names;
    unknownNames = unknown;
  }
  let value: unknown;
  try {
    // XS (Moddable) takes an array of names as second argument and keeps only those names,
    // looking names up without creating them, even in text it then refuses. Other engines
    // ignore an argument that is not a function; dropUnknown does the same there.
    value = JSON.parse(text, known as unknown as (key: string, value: unknown) => unknown);
  } catch {
    return INVALID_JSON;
  }
  if (unknownNames.length > 0) dropUnknown(value);
  return { ok: true, value, unknownNames };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** %XX-decoding; malformed escapes or bytes leave the text as it was. '+' stays '+'. */
export function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A GET query string (without '?') as RPC params, as Shelly's HTTP channel does: each
 * `k=v` is URL-decoded and v is read as JSON (`?id=0` → {id:0}, `?ident=true`,
 * `?config={"enable":true}`); a v that is not JSON is kept as a plain string
 * (`?name=foo` → {name:"foo"}). A bare `k` (Growatt's `?esp`) becomes `true`. '+' is not
 * a space here: time zones like `Etc/GMT+1` must survive. Later duplicates win. Unknown
 * names (./known-keys), also inside JSON values, are left out and added to `unknownNames`.
 */
export function parseQueryParams(query: string, unknownNames?: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (query.length === 0) return params;
  const pairs = query.split("&");
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    if (pair.length === 0) continue;
    const eq = pair.indexOf("=");
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (key.length === 0) continue;
    if (!KNOWN_KEYS.has(key)) {
      if (unknownNames !== undefined) unknownNames.push(key);
      continue;
    }
    if (eq < 0) {
      params[key] = true;
      continue;
    }
    const raw = percentDecode(pair.slice(eq + 1));
    const parsed = raw.length > 0 ? parseJsonBounded(raw) : null;
    if (parsed !== null && parsed.ok) {
      params[key] = parsed.value;
      if (unknownNames !== undefined) for (let k = 0; k < parsed.unknownNames.length; k++) unknownNames.push(parsed.unknownNames[k]);
    } else params[key] = raw;
  }
  return params;
}
